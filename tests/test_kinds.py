"""The registry of model kinds: every kind builds its class, and the places that list
kinds (command line, model files, sweep) agree with it."""

import pytest
from imports import loaded_by

from signviz import __main__ as cli
from signviz import export, kinds, sweep


@pytest.mark.parametrize("name", [name for name in kinds.KINDS if name != "keras"])
def test_each_kind_builds_its_own_class_and_is_found_again(name):
    kind = kinds.get(name)
    model = kind.build(7)
    assert getattr(model, kind.length) == 7
    assert kinds.kind_of(model) is kind
    assert kinds.get(kinds.UPLOADED + name) is kind


def test_first_layer_weights_have_one_row_per_unit():
    import numpy as np

    X = np.random.default_rng(0).random((20, 6))
    y = np.arange(20) % 2
    for name, units in (("logreg", 1), ("sklearn", 1), ("two-layer", 3), ("deep", 8)):
        kind = kinds.get(name)
        model = kind.build(2).fit(X, y)
        weights = kind.first_layer_weights(model)
        assert np.shape(weights) == (units, 6), name
    assert kind.unit_name == "unit of the first layer"
    np.testing.assert_array_equal(weights, model.weights_[0])


def test_units_follow_what_training_counts():
    assert kinds.get("logreg").units(150) == "150 iterations"
    assert kinds.get("deep").units(1) == "1 epoch"
    assert kinds.get("uploaded-deep").counts_epochs
    assert not kinds.get("two-layer").counts_epochs


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown model 'svm'.*logreg, sklearn, two-layer"):
        kinds.get("svm")
    assert kinds.kind_of(object()) is None


def test_the_lists_of_kinds_are_the_registry():
    assert cli.MODELS == tuple(kinds.KINDS)
    assert set(export.KINDS) == set(kinds.KINDS) - {"keras"}
    assert set(sweep.MODELS) <= set(kinds.KINDS)
    for name in sweep.MODELS:
        assert sweep.model_class(name) is kinds.get(name).model_class()


def test_the_registry_imports_nothing_heavy():
    assert loaded_by("signviz.kinds", among=("numpy", "sklearn", "tensorflow")) == []
