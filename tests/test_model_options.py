"""The Keras network's choices can be listed without importing TensorFlow."""

from imports import loaded_by

from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS


def test_the_options_load_without_tensorflow():
    assert loaded_by("signviz.models.options", among=("tensorflow", "keras")) == []


def test_the_tutorials_choices_come_first():
    assert KERAS_OPTIMIZERS[0] == "adam"
    assert KERAS_INITIALIZERS[0] == "uniform"
    assert len(set(KERAS_OPTIMIZERS)) == len(KERAS_OPTIMIZERS)
    assert len(set(KERAS_INITIALIZERS)) == len(KERAS_INITIALIZERS)
