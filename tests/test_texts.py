"""The Markdown texts of chapters/text and their loader."""

import re

import numpy as np
import pytest

from signviz import texts
from signviz.models.activations import ACTIVATIONS, get_activation

#: The texts the chapters (and, later, chapters 4 to 6) include, with their fields.
EXPECTED = {
    "conclusion": set(),
    "cost_is_a_mean": set(),
    "hyperparameters": set(),
    "keras_glossary": set(),
    "keras_test_set": set(),
    "keras_about": set(),
    "keras_cross_validation": {"n_folds"},
    "keras_from_scratch_differences": set(),
    "logistic_how_it_learns": {"label_1"},
    "logistic_summary": {"n_test"},
    "mistakes_intro": {"label_0", "label_1"},
    "mistakes_maps": {"label_0", "label_1"},
    "names_computation_graph": set(),
    "names_dataset": set(),
    "names_gradient_descent": set(),
    "names_keras_network": set(),
    "names_logistic_regression": set(),
    "names_mistakes": set(),
    "names_two_layer_network": set(),
    "two_layer_how_it_learns": set(),
    "two_layer_initialization": set(),
    "two_layer_why_tanh": set(),
}


def test_every_text_is_there_with_its_fields():
    assert set(texts.available()) == set(EXPECTED)
    for name, fields in EXPECTED.items():
        assert texts.fields(name) == fields, name


def test_fields_are_filled_and_checked():
    text = texts.load("logistic_summary", n_test=62)
    assert "the 62 images" in text and "{{" not in text
    with pytest.raises(ValueError, match="needs n_test"):
        texts.load("logistic_summary")
    with pytest.raises(ValueError, match="has no field digits"):
        texts.load("conclusion", digits=(0, 1))
    with pytest.raises(ValueError, match="Unknown text 'nope'"):
        texts.load("nope")
    with pytest.raises(ValueError, match="Unknown text"):
        texts.load("../app")


@pytest.mark.parametrize("name", [name for name in EXPECTED if name.startswith("names_")])
def test_name_tables_are_three_column_tables(name):
    rows = [line for line in texts.load(name).splitlines() if line.startswith("|")]
    assert len(rows) >= 4
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in rows), name


@pytest.mark.parametrize(
    ("name", "tutorial_names"),
    [
        (
            "names_logistic_regression",
            ["initialize_weights_and_bias", "forward_backward_propagation", "update", "predict",
             "logistic_regression", "y_head", "derivative_weight"],
        ),
        (
            "names_two_layer_network",
            ["weight1", "bias1", "two_layer_neural_network", "compute_cost_NN", "predict_NN"],
        ),
        (
            "names_keras_network",
            ["build_classifier", "cross_val_score", "variance", "x_train, x_test, y_train"],
        ),
    ],
)  # fmt: skip
def test_the_model_chapters_tables_name_the_tutorials_functions(name, tutorial_names):
    text = texts.load(name)
    for tutorial_name in tutorial_names:
        assert f"`{tutorial_name}" in text, tutorial_name


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_the_backward_equation_shows_the_chosen_activations_derivative(activation):
    latex = texts.hidden_backward_latex(activation)
    assert texts.ACTIVATION_DERIVATIVES[activation] in latex
    others = [texts.ACTIVATION_DERIVATIVES[name] for name in ACTIVATIONS if name != activation]
    assert not any(other in latex for other in others)
    # the formula shown, read as numpy, is the derivative the model uses
    outputs = get_activation(activation).forward(np.linspace(-3, 3, 13))
    shown = {
        "tanh": 1 - outputs**2,
        "sigmoid": outputs * (1 - outputs),
        "relu": (outputs > 0).astype(float),
    }[activation]
    np.testing.assert_allclose(get_activation(activation).derivative(outputs), shown)
    with pytest.raises(ValueError, match="Unknown activation"):
        texts.hidden_backward_latex("softmax")


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_the_forward_equation_shows_the_chosen_activation(activation):
    latex = texts.hidden_forward_latex(activation)
    assert texts.ACTIVATION_SYMBOLS[activation] + r"\big(Z^{[1]}\big)" in latex
    others = [texts.ACTIVATION_SYMBOLS[name] for name in ACTIVATIONS if name != activation]
    assert not any(other in latex for other in others)
    with pytest.raises(ValueError, match="Unknown activation"):
        texts.hidden_forward_latex("softmax")
