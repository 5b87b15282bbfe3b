"""Gradient descent on one weight: the steps, the regimes, divergence, bad input."""

import math

import numpy as np
import pytest
from imports import loaded_by

from signviz import descent
from signviz.descent import (
    DescentRun,
    QuadraticCost,
    Regime,
    classify_learning_rate,
    contraction_factor,
    example_learning_rate,
    gradient_descent,
    regime_boundaries,
    steps_needed,
)


def test_two_steps_by_hand():
    # J(w) = 0.25 (w - 1.3)^2 + 0.3, so J'(w) = 0.5 (w - 1.3).
    run = gradient_descent(start=5.0, learning_rate=1.0, n_steps=2)
    # w0 = 5: slope 0.5 * 3.7 = 1.85, cost 0.25 * 3.7^2 + 0.3 = 3.7225
    # w1 = 5 - 1 * 1.85 = 3.15: slope 0.925, cost 0.25 * 1.85^2 + 0.3 = 1.155625
    # w2 = 3.15 - 0.925 = 2.225: slope 0.4625, cost 0.25 * 0.925^2 + 0.3 = 0.51390625
    np.testing.assert_allclose(run.weights, [5.0, 3.15, 2.225])
    np.testing.assert_allclose(run.slopes, [1.85, 0.925, 0.4625])
    np.testing.assert_allclose(run.costs, [3.7225, 1.155625, 0.51390625])
    np.testing.assert_array_equal(run.iterations, [0, 1, 2])
    assert not run.diverged
    assert run.factor == pytest.approx(0.5)


def test_a_custom_bowl_and_learning_rate():
    bowl = QuadraticCost(curvature=2.0, minimum_weight=-1.0, minimum_cost=0.0)
    run = gradient_descent(start=1.0, learning_rate=0.1, n_steps=2, cost_function=bowl)
    # J'(w) = 2 (w + 1): w1 = 1 - 0.1 * 4 = 0.6, w2 = 0.6 - 0.1 * 3.2 = 0.28
    np.testing.assert_allclose(run.weights, [1.0, 0.6, 0.28])
    np.testing.assert_allclose(run.costs, [4.0, 2.56, 1.6384])


def test_the_table_has_one_row_per_iteration():
    run = gradient_descent(5.0, 1.0, 6)
    table = run.table()
    assert list(table) == ["iteration", "w", "slope J'(w)", "cost J(w)"]
    assert all(len(column) == 7 for column in table.values())
    np.testing.assert_array_equal(table["w"], run.weights)


def test_the_distance_to_the_minimum_shrinks_by_the_factor():
    bowl = QuadraticCost()
    run = gradient_descent(5.0, 3.0, 8, bowl)
    distances = run.weights - bowl.minimum_weight
    np.testing.assert_allclose(distances[1:] / distances[:-1], contraction_factor(3.0, bowl))


@pytest.mark.parametrize(
    ("learning_rate", "regime"),
    [
        (0.01, Regime.CRAWLING),
        (0.05, Regime.CRAWLING),
        (0.1, Regime.CRAWLING),
        (0.2, Regime.CONVERGING),  # the boundary: exactly a tenth of the way per step
        (1.0, Regime.CONVERGING),  # the tutorial's learning rate
        (2.0, Regime.CONVERGING),  # one step lands on the minimum
        (2.5, Regime.OVERSHOOTING),
        (3.0, Regime.OVERSHOOTING),
        (3.99, Regime.OVERSHOOTING),
        (4.0, Regime.DIVERGING),  # bounces between two points forever
        (4.5, Regime.DIVERGING),
        (10.0, Regime.DIVERGING),
    ],
)
def test_each_regime_comes_out_of_the_default_bowl(learning_rate, regime):
    assert classify_learning_rate(learning_rate) is regime
    assert gradient_descent(5.0, learning_rate, 3).regime is regime


def test_the_regimes_behave_as_their_names_say():
    bowl = QuadraticCost()
    runs = {
        regime: gradient_descent(5.0, example_learning_rate(regime, bowl), 10, bowl)
        for regime in Regime
    }
    distances = {regime: run.weights - bowl.minimum_weight for regime, run in runs.items()}
    crawling = distances[Regime.CRAWLING]
    assert np.all(crawling > 0) and crawling[-1] > 0.7 * crawling[0]  # barely moved
    converging = distances[Regime.CONVERGING]
    assert np.all(converging >= 0) and converging[-1] < 0.01 * converging[0]
    overshooting = distances[Regime.OVERSHOOTING]
    assert np.all(np.sign(overshooting[1:]) == -np.sign(overshooting[:-1]))  # zigzags
    assert np.all(np.abs(np.diff(np.abs(overshooting))) > 0)
    assert abs(overshooting[-1]) < abs(overshooting[0])
    diverging = np.abs(distances[Regime.DIVERGING])
    assert np.all(np.diff(diverging) > 0)


def test_the_boundaries_and_examples_follow_the_curvature():
    steep = QuadraticCost(curvature=5.0)
    assert regime_boundaries(steep) == pytest.approx(
        {Regime.CONVERGING: 0.02, Regime.OVERSHOOTING: 0.2, Regime.DIVERGING: 0.4}
    )
    for regime in Regime:
        assert classify_learning_rate(example_learning_rate(regime, steep), steep) is regime
    assert [example_learning_rate(regime) for regime in Regime] == pytest.approx(
        [0.05, 1.0, 3.0, 4.5]
    )
    assert example_learning_rate("overshooting") == pytest.approx(3.0)


def test_steps_needed():
    assert steps_needed(1.0) == 7  # 0.5 ** 7 < 0.01 <= 0.5 ** 6
    assert steps_needed(2.0) == 1
    assert steps_needed(3.0) == 7  # |-0.5| as fast as 0.5, from alternate sides
    assert steps_needed(4.0) == math.inf
    assert steps_needed(1e-30) == math.inf  # the factor rounds to exactly 1


def test_divergence_is_detected_and_stops_the_run():
    run = gradient_descent(5.0, 10.0, 100)  # the distance is multiplied by -4 per step
    assert run.diverged
    assert len(run.weights) < 101
    assert np.all(np.isfinite(run.costs))
    assert np.abs(run.weights).max() <= run.bound and run.costs.max() <= run.bound
    following = run.weights[-1] - 10.0 * run.slopes[-1]
    assert abs(following) > run.bound or QuadraticCost().cost(following) > run.bound


@pytest.mark.parametrize("learning_rate", [1e6, 1e200, 1e308])
def test_huge_learning_rates_diverge_without_overflow(learning_rate):
    # RuntimeWarnings are errors in this test suite: an overflow would fail the test.
    run = gradient_descent(5.0, learning_rate, 1000)
    assert run.diverged and run.regime is Regime.DIVERGING
    np.testing.assert_array_equal(run.weights, [5.0])


def test_a_run_that_stays_within_the_bound_is_not_flagged():
    run = gradient_descent(5.0, 4.0, 50)  # bounces forever between 5 and -2.4
    assert not run.diverged and run.regime is Regime.DIVERGING
    assert len(run.weights) == 51
    np.testing.assert_allclose(run.weights[::2], 5.0)
    np.testing.assert_allclose(run.weights[1::2], -2.4)


def test_a_smaller_bound_stops_sooner():
    assert len(gradient_descent(5.0, 4.5, 40, bound=100.0).weights) < len(
        gradient_descent(5.0, 4.5, 40).weights
    )


def test_a_run_is_a_frozen_record():
    run = gradient_descent()
    assert isinstance(run, DescentRun)
    with pytest.raises(AttributeError):
        run.learning_rate = 2.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start": float("nan")}, "start must be a finite number"),
        ({"start": "5"}, "start must be a finite number"),
        ({"start": True}, "start must be a finite number"),
        ({"start": 1e7}, "already past the bound"),
        ({"learning_rate": 0.0}, "learning_rate must be a positive number"),
        ({"learning_rate": -1.0}, "learning_rate must be a positive number"),
        ({"learning_rate": float("inf")}, "learning_rate must be a positive number"),
        ({"learning_rate": None}, "learning_rate must be a positive number"),
        ({"n_steps": 0}, "n_steps must be a positive whole number"),
        ({"n_steps": 2.5}, "n_steps must be a positive whole number"),
        ({"n_steps": True}, "n_steps must be a positive whole number"),
        ({"bound": -1.0}, "bound must be a positive number"),
    ],
)
def test_bad_input_gives_a_clear_value_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent(**arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"curvature": 0.0}, "curvature must be a positive number"),
        ({"curvature": -2.0}, "curvature must be a positive number"),
        ({"minimum_weight": float("inf")}, "minimum_weight must be a finite number"),
        ({"minimum_cost": None}, "minimum_cost must be a finite number"),
    ],
)
def test_a_bad_bowl_gives_a_clear_value_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        QuadraticCost(**arguments)


def test_bad_regime_questions_give_a_clear_value_error():
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        classify_learning_rate(0.0)
    with pytest.raises(ValueError, match="Unknown regime 'fast'"):
        example_learning_rate("fast")
    with pytest.raises(ValueError, match="remaining must be a fraction below 1"):
        steps_needed(1.0, remaining=1.5)


def test_a_run_from_the_minimum_says_nothing_moves():
    for learning_rate in (0.05, 1.0, 3.0, 4.5):
        run = gradient_descent(1.3, learning_rate, 7)
        assert np.all(run.weights == 1.3)
        message = descent.regime_message(run)
        assert message.startswith("**Already at the minimum.**")
        assert "99 %" not in message
    assert descent.regime_message(gradient_descent(5.0, 1.0, 7)).startswith("**Converging.**")
    steps = descent.steps_needed(1.0)
    assert f"99 % of the way in {steps:.0f} step(s)" in descent.regime_message(
        gradient_descent(5.0, 1.0, 7)
    )


def test_the_tutorials_walk_fits_no_single_bowl():
    walk = descent.TutorialWalk()
    assert walk.steps_follow_slopes()  # each step is w - 1 * slope, as the rule says
    bowl = walk.bowl
    # the bowl through the first two slopes reproduces them...
    assert bowl.slope(5.0) == pytest.approx(3.0) and bowl.slope(2.0) == pytest.approx(0.7)
    # ...but not the third slope, nor the fall of the cost on the first step
    assert bowl.slope(1.3) == pytest.approx(0.163, abs=1e-3)
    assert bowl.cost(5.0) - bowl.cost(2.0) == pytest.approx(5.55, abs=0.01)
    assert walk.costs[0] - walk.costs[1] == pytest.approx(1.1)
    table = walk.table()
    assert table["bowl's slope"][2] == pytest.approx(bowl.slope(1.3))
    assert table["tutorial's slope"] == [3.0, 0.7, 0.01]


def test_the_one_weight_demo_imports_neither_scikit_learn_nor_the_models():
    # The demo only needs numpy: importing it must not pay for scikit-learn's second.
    assert loaded_by("signviz.descent", among=("sklearn", "signviz.models")) == []


def test_the_functions_are_the_bowls_own_answers():
    steep = QuadraticCost(curvature=5.0)  # regimes start at 0.02, 0.2 and 0.4
    np.testing.assert_array_equal(
        steep.descend(1.0, 0.3, 4).weights, gradient_descent(1.0, 0.3, 4, steep).weights
    )
    assert steep.classify(0.3) is classify_learning_rate(0.3, steep) is Regime.OVERSHOOTING
    assert steep.contraction_factor(0.3) == contraction_factor(0.3, steep) == pytest.approx(-0.5)
    assert steep.steps_needed(0.3) == steps_needed(0.3, steep) == 7
    assert steep.regime_boundaries() == regime_boundaries(steep)
    assert steep.example_learning_rate("diverging") == pytest.approx(0.45)
    # Without a bowl, the functions use the chapter's default one.
    assert classify_learning_rate(0.3) is descent.DEFAULT_COST.classify(0.3) is Regime.CONVERGING
