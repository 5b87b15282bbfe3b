"""The from-scratch models: gradients, step-by-step training, safety, the scikit-learn contract."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork
from signviz.models.activations import ACTIVATIONS, binary_cross_entropy, sigmoid

SMALL_MODELS = [
    pytest.param(lambda: LogisticRegressionGD(learning_rate=0.5, n_iterations=7), id="logistic"),
    pytest.param(
        lambda: TwoLayerNetwork(hidden_units=4, learning_rate=0.5, n_iterations=7), id="two-layer"
    ),
    pytest.param(
        lambda: DeepNetwork(hidden_layer_sizes=(5, 3), n_epochs=7, batch_size=8), id="deep"
    ),
]


@pytest.fixture
def toy():
    """40 random 'images' of 12 pixels in [0, 1], labelled by a linear rule plus noise."""
    rng = np.random.default_rng(0)
    X = rng.random((40, 12))
    y = (X @ rng.standard_normal(12) + 0.3 * rng.standard_normal(40) > 0).astype(int)
    return X, y


def numerical_gradients(model, X, y, epsilon=1e-6):
    """Central finite differences of the cost for every parameter entry."""
    gradients = {}
    for name, parameter in model.named_parameters().items():
        gradient = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            parameter[index] = original + epsilon
            cost_plus, _ = model.cost_and_gradients(X, y)
            parameter[index] = original - epsilon
            cost_minus, _ = model.cost_and_gradients(X, y)
            parameter[index] = original
            gradient[index] = (cost_plus - cost_minus) / (2 * epsilon)
        gradients[name] = gradient
    return gradients


def relative_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


GRADIENT_MODELS = [
    pytest.param(LogisticRegressionGD(initial_weight=0.1), id="logistic"),
    *[
        pytest.param(
            TwoLayerNetwork(hidden_units=3, activation=name, init_scale=0.5), id=f"two-layer-{name}"
        )
        for name in ACTIVATIONS
    ],
    *[
        pytest.param(
            DeepNetwork(hidden_layer_sizes=(5, 3), activation=name, init_scale=0.5),
            id=f"deep-{name}",
        )
        for name in ACTIVATIONS
    ],
]


@pytest.mark.parametrize("model", GRADIENT_MODELS)
def test_analytic_gradients_match_finite_differences(model, toy):
    X, y = toy
    model = clone(model).partial_fit(X, y, n_iterations=3)  # away from the symmetric start
    _, analytic = model.cost_and_gradients(X, y.astype(float))
    numeric = numerical_gradients(model, X, y.astype(float))
    assert analytic.keys() == numeric.keys()
    for name in analytic:
        assert analytic[name].shape == numeric[name].shape
        assert np.abs(analytic[name]).max() > 1e-8, f"{name}: gradient vanished, check is empty"
        assert relative_error(analytic[name], numeric[name]) < 1e-6, name


@pytest.mark.parametrize("make_model", SMALL_MODELS)
def test_single_steps_equal_one_fit(make_model, toy):
    X, y = toy
    fitted = make_model().fit(X, y)
    stepped = make_model()
    for _ in range(7):
        stepped.partial_fit(X, y)
    in_one_call = make_model().partial_fit(X, y, n_iterations=7)
    for other in (stepped, in_one_call):
        assert other.n_iter_ == fitted.n_iter_ == 7
        assert other.cost_history_ == fitted.cost_history_
        for name, parameter in fitted.named_parameters().items():
            np.testing.assert_array_equal(other.named_parameters()[name], parameter)


@pytest.mark.parametrize("make_model", SMALL_MODELS)
def test_training_lowers_the_cost_and_fits_the_toy_data(make_model, toy):
    X, y = toy
    model = make_model()
    setattr(model, model._iterations_parameter, 300)
    model.fit(X, y)
    assert len(model.cost_history_) == 300
    assert model.cost_history_[-1] < 0.6 * model.cost_history_[0]
    assert model.score(X, y) >= 0.9
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (40, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), (probabilities[:, 1] > 0.5).astype(int))


def test_logistic_regression_is_the_tutorials_algorithm(toy):
    X, y = toy
    model = LogisticRegressionGD(learning_rate=0.1, n_iterations=2).fit(X, y)
    # By hand, the tutorial's way: w = 0.01 everywhere, b = 0, two updates.
    w, b = np.full((12, 1), 0.01), 0.0
    x_train, y_train = X.T, y.reshape(1, -1)
    costs = []
    for _ in range(2):
        y_head = 1 / (1 + np.exp(-(w.T @ x_train + b)))
        costs.append(np.mean(-y_train * np.log(y_head) - (1 - y_train) * np.log(1 - y_head)))
        w -= 0.1 * x_train @ (y_head - y_train).T / 40
        b -= 0.1 * np.mean(y_head - y_train)
    np.testing.assert_allclose(model.cost_history_, costs)
    np.testing.assert_allclose(model.coef_, w.T)
    np.testing.assert_allclose(model.intercept_, [b])


def test_contributions_sum_with_the_bias_to_z(toy):
    X, y = toy
    model = LogisticRegressionGD(n_iterations=20, learning_rate=1.0).fit(X, y)
    contributions = model.contributions(X)
    assert contributions.shape == X.shape
    np.testing.assert_allclose(
        contributions.sum(axis=1) + model.intercept_[0], model.decision_function(X)
    )


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegressionGD(learning_rate=1e6),
        TwoLayerNetwork(learning_rate=1e6, init_scale=3.0),
        DeepNetwork(learning_rate=1e6, init_scale=3.0),
    ],
    ids=["logistic", "two-layer", "deep"],
)
def test_a_huge_learning_rate_diverges_safely(model, toy):
    X, y = toy
    model.fit(X, y)  # pytest turns any RuntimeWarning (overflow, nan) into an error
    assert model.diverged_
    assert model.n_iter_ == model.diverged_at_ + 1
    assert all(np.isfinite(model.cost_history_))
    assert "diverged at iteration" in model.divergence_message_
    assert "learning rate" in model.divergence_message_
    model.partial_fit(X, y, n_iterations=5)
    assert model.n_iter_ == model.diverged_at_ + 1, "training must not go on after diverging"
    assert set(np.unique(model.predict(X))) <= {0, 1}


def test_a_healthy_run_has_no_divergence_message(toy):
    X, y = toy
    model = LogisticRegressionGD().fit(X, y)
    assert not model.diverged_ and model.diverged_at_ is None
    assert model.divergence_message_ is None


def test_huge_initial_weights_are_blamed_not_the_learning_rate(toy):
    X, y = toy
    model = LogisticRegressionGD(learning_rate=1e-6, initial_weight=1e308).fit(X, y)
    assert model.diverged_ and model.diverged_at_ == 0
    assert not np.isfinite(model.initial_cost_)
    message = model.divergence_message_
    assert "initial weights" in message and "before the first step" in message
    assert "learning rate" not in message


def test_activations_are_safe_at_extremes():
    z = np.array([-1e6, -800.0, 0.0, 800.0, 1e6])
    np.testing.assert_array_equal(sigmoid(z), [0.0, 0.0, 0.5, 1.0, 1.0])
    losses = binary_cross_entropy(z, np.ones_like(z))
    assert np.all(np.isfinite(losses))
    np.testing.assert_allclose(losses[0], 1e6)  # confidently wrong: costs about |z|
    assert losses[-1] == 0.0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivatives_match_finite_differences(name):
    activation = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-3]  # relu has no slope at 0
    numeric = (activation.forward(z + 1e-6) - activation.forward(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(activation.derivative(activation.forward(z)), numeric, atol=1e-8)
    assert activation.derivative(activation.forward(z)).max() <= activation.max_derivative + 1e-12


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegressionGD(learning_rate=0),
        LogisticRegressionGD(learning_rate=-1),
        LogisticRegressionGD(learning_rate=float("nan")),
        LogisticRegressionGD(n_iterations=0),
        LogisticRegressionGD(n_iterations=2.5),
        LogisticRegressionGD(initial_weight=float("inf")),
        TwoLayerNetwork(hidden_units=0),
        TwoLayerNetwork(activation="softmax"),
        TwoLayerNetwork(init_scale=0),
        TwoLayerNetwork(initialization="ones"),
        DeepNetwork(hidden_layer_sizes=8),
        DeepNetwork(hidden_layer_sizes=(8, 0)),
        DeepNetwork(batch_size=0),
        DeepNetwork(beta_1=1.0),
        DeepNetwork(n_epochs=True),
    ],
    ids=repr,
)
def test_invalid_hyperparameters_raise_value_error(model, toy):
    with pytest.raises(ValueError, match=r"must|Unknown"):
        model.fit(*toy)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros(12), [0], "2-D"),
        (np.zeros((3, 12)), [0, 1], "one label per image"),
        (np.zeros((3, 12)), [0, 1, 2], "0 or 1"),
        (np.full((2, 12), np.nan), [0, 1], "NaN"),
        (np.zeros((0, 12)), [], "zero images"),
        ([["a"] * 12] * 2, [0, 1], "numbers"),
    ],
)
def test_bad_training_data_raises_value_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegressionGD().fit(X, y)


def test_prediction_checks(toy):
    X, y = toy
    with pytest.raises(NotFittedError, match="not been trained"):
        TwoLayerNetwork().predict(X)
    model = TwoLayerNetwork(n_iterations=2).fit(X, y)
    with pytest.raises(ValueError, match="12"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="n_iterations"):
        model.partial_fit(X, y, n_iterations=-1)


def test_labels_may_be_a_column_as_in_the_tutorial(toy):
    X, y = toy
    column = LogisticRegressionGD(n_iterations=3).fit(X, y.reshape(-1, 1))
    flat = LogisticRegressionGD(n_iterations=3).fit(X, y)
    np.testing.assert_array_equal(column.coef_, flat.coef_)


def test_models_are_scikit_learn_estimators(toy):
    X, y = toy
    model = TwoLayerNetwork(hidden_units=2, learning_rate=0.5, n_iterations=50)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "n_iter_")
    scores = cross_val_score(model, X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all((scores >= 0) & (scores <= 1))


def test_fit_starts_afresh(toy):
    X, y = toy
    model = TwoLayerNetwork(n_iterations=5)
    first = model.fit(X, y).weights_[0].copy()
    model.partial_fit(X, y, n_iterations=10)
    assert model.n_iter_ == 15
    np.testing.assert_array_equal(model.fit(X, y).weights_[0], first)
    assert model.n_iter_ == 5


def test_random_state_makes_runs_reproducible(toy):
    X, y = toy
    a = DeepNetwork(n_epochs=3, random_state=1).fit(X, y)
    b = DeepNetwork(n_epochs=3, random_state=1).fit(X, y)
    c = DeepNetwork(n_epochs=3, random_state=2).fit(X, y)
    assert a.cost_history_ == b.cost_history_
    assert a.cost_history_ != c.cost_history_


def test_float32_input_trains_in_float32(toy):
    X, y = toy
    single = TwoLayerNetwork(n_iterations=20, learning_rate=0.5).fit(X.astype(np.float32), y)
    double = TwoLayerNetwork(n_iterations=20, learning_rate=0.5).fit(X, y)
    assert single.weights_[0].dtype == np.float32
    assert double.weights_[0].dtype == np.float64
    np.testing.assert_allclose(single.cost_history_, double.cost_history_, rtol=1e-4)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_zero_initialization_keeps_hidden_units_identical(activation, toy):
    X, y = toy
    model = TwoLayerNetwork(
        hidden_units=4,
        activation=activation,
        initialization="zeros",
        n_iterations=100,
        learning_rate=0.5,
    ).fit(X, y)
    for unit in model.weights_[0][1:]:
        np.testing.assert_array_equal(unit, model.weights_[0][0])
    np.testing.assert_array_equal(model.weights_[1], model.weights_[1][0, 0])
    random = TwoLayerNetwork(hidden_units=4, n_iterations=100, learning_rate=0.5).fit(X, y)
    assert not np.allclose(random.weights_[0][0], random.weights_[0][1])


def test_saturation_shows_when_tanh_inputs_are_too_large(toy):
    X, y = toy
    calm = TwoLayerNetwork(hidden_units=8, init_scale=0.01).partial_fit(X, y, n_iterations=0)
    saturated = TwoLayerNetwork(hidden_units=8, init_scale=100.0).partial_fit(X, y, n_iterations=0)
    assert calm.saturation(X) == 0.0
    assert saturated.saturation(X) > 0.9
    assert calm.hidden_activations(X).shape == (40, 8)


def test_dead_relu_units_are_counted(toy):
    X, y = toy
    model = DeepNetwork(hidden_layer_sizes=(3, 2)).partial_fit(X, y, n_iterations=0)
    assert model.dead_units(X) == [0, 0] or sum(model.dead_units(X)) < 5
    model.weights_[0][1] = -1.0  # pixels are >= 0: this unit never fires
    model.biases_[0][1] = 0.0
    assert model.dead_units(X)[0] >= 1
    assert [a.shape for a in model.hidden_activations(X)] == [(40, 3), (40, 2)]


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegressionGD(learning_rate=0.5, n_iterations=20),
        TwoLayerNetwork(hidden_units=3, learning_rate=0.5, n_iterations=20, init_scale=0.5),
        TwoLayerNetwork(hidden_units=3, activation="sigmoid", n_iterations=20, init_scale=0.5),
        DeepNetwork(hidden_layer_sizes=(5, 3), n_epochs=5, init_scale=0.5, activation="tanh"),
        DeepNetwork(hidden_layer_sizes=(5, 3), n_epochs=5, init_scale=0.5),
    ],
    ids=["logistic", "two-layer-tanh", "two-layer-sigmoid", "deep-tanh", "deep-relu"],
)
def test_input_gradients_match_finite_differences(model, toy):
    X, y = toy
    model.fit(X, y)
    analytic = model.input_gradient(X[:4])
    assert analytic.shape == (4, 12)
    epsilon = 1e-6
    numeric = np.zeros_like(analytic)
    for pixel in range(12):
        step = np.zeros(12)
        step[pixel] = epsilon
        numeric[:, pixel] = (
            model.decision_function(X[:4] + step) - model.decision_function(X[:4] - step)
        ) / (2 * epsilon)
    assert np.abs(analytic).max() > 1e-6
    assert relative_error(analytic, numeric) < 1e-6


def test_the_deep_network_like_a_keras_network():
    from signviz.models.deep import like_keras

    settings = {
        "hidden_layer_sizes": (5,), "activation": "tanh", "kernel_initializer": "uniform",
        "optimizer": "adam", "learning_rate": 0.01, "n_epochs": 7, "batch_size": 16,
        "random_state": 3,
    }  # fmt: skip
    network = like_keras(settings)
    assert isinstance(network, DeepNetwork)
    params = network.get_params()
    shared = [name for name in settings if name in params]
    assert len(shared) == 6  # all but the optimizer and the initializer
    assert all(params[name] == settings[name] for name in shared)
    for other in ({"optimizer": "sgd"}, {"kernel_initializer": "zeros"}):
        with pytest.raises(ValueError, match="implements adam with 'uniform'"):
            like_keras(settings | other)
