"""The cost's jumps, found in a cost curve."""

from signviz.training import cost_rises


def test_cost_rises_finds_each_jump_once():
    costs = [1.0, 0.9, 0.8, 1.2, 1.5, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.39, 0.5, 0.3]
    # 0.8 -> 1.2 -> 1.5 is one jump (iterations 3 and 4); 0.39 -> 0.5 another.
    assert cost_rises(costs) == [3, 12]
    assert cost_rises(costs, by=0.3) == [3]
    assert cost_rises([0.7, 0.6, 0.5, 0.52]) == []  # a rise of 4 % is not a jump
    assert cost_rises([]) == cost_rises([1.0]) == []
