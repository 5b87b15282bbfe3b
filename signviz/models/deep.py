"""The deep network from scratch (the tutorial's L-layer network), trained with Adam on
mini-batches: Keras by hand.

The tutorial builds its last network with Keras: ``Dense(8, relu) -> Dense(4, relu) ->
Dense(1, sigmoid)``, weights drawn uniformly from ``[-0.05, 0.05]`` (Keras's
``'uniform'`` initializer), the Adam optimizer, batches of 32 images. This class does
the same with numpy alone, so the library's result can be set beside one whose every
line is visible.

For layers ``l = 1 .. L`` (the last one is the sigmoid output)::

    Z[l] = W[l] A[l-1] + b[l],   A[l] = g(Z[l])      with A[0] = X

and backward, from ``dZ[L] = A[L] - Y``::

    dW[l] = dZ[l] A[l-1]^T / m,   db[l] = mean(dZ[l]),   dZ[l-1] = (W[l]^T dZ[l]) * g'(A[l-1])

Adam then moves each parameter by a step of about ``learning_rate`` in the direction
of a running average of its gradients, scaled by a running average of their size.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from signviz.models.activations import binary_cross_entropy, get_activation, sigmoid
from signviz.models.base import GradientModel, layer_parameters
from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS
from signviz.validation import check_positive


def forward(weights, biases, X, g):
    """Forward propagation through every layer.

    ``weights[l]`` is ``(units out, units in)``, ``biases[l]`` is ``(units out, 1)`` and
    ``X`` is ``(n_features, m)``. Returns the list of activations ``[X, A1, ...]`` of
    the hidden layers and the output logit ``Z (1, m)``.
    """
    activations = [X]
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        activations.append(g.forward(W @ activations[-1] + b))
    return activations, weights[-1] @ activations[-1] + biases[-1]


def backward(weights, activations, A_out, Y, g):
    """Backward propagation: ``[(dW1, db1), (dW2, db2), ...]`` of the mean cross-entropy."""
    m = Y.shape[1]
    dZ = A_out - Y
    gradients = []
    for layer in reversed(range(len(weights))):
        A_previous = activations[layer]
        gradients.append((dZ @ A_previous.T / m, dZ.sum(axis=1, keepdims=True) / m))
        if layer > 0:
            dZ = (weights[layer].T @ dZ) * g.derivative(A_previous)
    return gradients[::-1]


def layer_summary(n_features: int, hidden_layer_sizes, activation: str = "relu") -> list[dict]:
    """The network's layers as a table: units, activation, weight shape, parameter count.

    The same for :class:`DeepNetwork` and the Keras model; computed without building
    either. The tutorial's network on 4096 pixels has 32,817 parameters, almost all of
    them in the first layer's 4096 x 8 weights.
    """
    sizes = [int(n_features), *map(int, hidden_layer_sizes), 1]
    rows = []
    for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        is_output = index == len(sizes) - 1
        rows.append(
            {
                "layer": "output" if is_output else f"hidden {index}",
                "units": n_out,
                "activation": "sigmoid" if is_output else activation,
                "weights": f"{n_in} × {n_out}",
                "parameters": n_in * n_out + n_out,
            }
        )
    return rows


class DeepNetwork(GradientModel):
    """The tutorial's Keras network, from scratch: relu hidden layers, sigmoid output, Adam.

    One iteration is one epoch: a pass over the shuffled training images in
    mini-batches, with an Adam update after each batch.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (8, 4)
        Units in each hidden layer.
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
    learning_rate : float, default 0.001
        Adam's step size (Keras's default).
    n_epochs : int, default 100
    batch_size : int, default 32
    init_scale : float, default 0.05
        Weights start uniform in ``[-init_scale, init_scale]``; biases at 0.
    beta_1, beta_2, epsilon : float, defaults 0.9, 0.999, 1e-7
        Adam's decay rates and its guard against division by zero (Keras's defaults).
    random_state : int, default 42
        Seed of the initial weights and of the order of the batches.

    Attributes
    ----------
    weights_ : list of arrays, ``(units out, units in)`` each
        ``W1, W2, ...`` of the tutorial's formulas, first layer first.
    biases_ : list of arrays, ``(units out, 1)`` each
    cost_history_ : list of float
        Each epoch's cost: the mean of the batch costs, weighted by batch size (what
        Keras reports as ``loss``).
    n_iter_ : int
        Epochs done.
    gradient_norm_ : float
        Length of the last batch's gradient.
    """

    _iterations_parameter = "n_epochs"
    _copies_per_parameter = 6  # Adam keeps two moments per parameter
    cost_history_is_exact = False  # each epoch's cost is the mean over its batches

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (8, 4),
        activation: str = "relu",
        learning_rate: float = 0.001,
        n_epochs: int = 100,
        batch_size: int = 32,
        init_scale: float = 0.05,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        random_state: int = 42,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.init_scale = init_scale
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.random_state = random_state

    def hidden_activations(self, X) -> list[np.ndarray]:
        """Each hidden layer's outputs, a list of ``(n_samples, units)`` arrays."""
        X = self._check_prediction_data(X)
        activations, _ = forward(self.weights_, self.biases_, X.T, self._g)
        return [A.T for A in activations[1:]]

    def dead_units(self, X) -> list[int]:
        """How many units of each hidden layer output 0 for every image in ``X``.

        A dead relu unit passes no gradient back, so it never recovers: with few
        units per layer, a network can lose a whole layer this way and its cost stops
        moving.
        """
        return [int(np.sum(np.all(A == 0, axis=0))) for A in self.hidden_activations(X)]

    @property
    def _g(self):
        return get_activation(self.activation)

    def _check_hyperparameters(self) -> None:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, int | np.integer):
            raise ValueError(f"hidden_layer_sizes must be a sequence like (8, 4), got {sizes!r}.")
        for size in sizes:
            check_positive("every hidden layer size", size, integer=True)
        self._g  # noqa: B018 -- raises for an unknown activation
        check_positive("learning_rate", self.learning_rate)
        check_positive("n_epochs", self.n_epochs, integer=True)
        check_positive("batch_size", self.batch_size, integer=True)
        check_positive("init_scale", self.init_scale)
        check_positive("epsilon", self.epsilon)
        for name in ("beta_1", "beta_2"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}.")

    def _layer_sizes(self, n_features: int) -> list[int]:
        return [n_features, *map(int, self.hidden_layer_sizes), 1]

    def _initialize(self, n_features: int) -> None:
        rng = np.random.default_rng(self.random_state)
        sizes = [n_features, *map(int, self.hidden_layer_sizes), 1]
        self.weights_ = [
            rng.uniform(-self.init_scale, self.init_scale, (n_out, n_in)).astype(self.dtype_)
            for n_in, n_out in itertools.pairwise(sizes)
        ]
        self.biases_ = [np.zeros((n_out, 1), dtype=self.dtype_) for n_out in sizes[1:]]
        self._start_optimizer(rng)  # the same generator goes on to shuffle the batches

    def _start_optimizer(self, rng: np.random.Generator) -> None:
        """Adam's state before its first step, and the generator that shuffles the batches.

        Adam's running averages of each gradient and of its square start at zero.
        (`signviz.export` calls this for a network it loads.)
        """
        self._rng = rng
        self._moments = {
            name: (np.zeros_like(parameter), np.zeros_like(parameter))
            for name, parameter in self.named_parameters().items()
        }
        self.n_steps_ = 0

    def named_parameters(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name: ``W1``, ``b1``, ``W2``... (live, not copies)."""
        return layer_parameters(self.weights_, self.biases_)

    def _step(self, X, y):
        # One epoch: for each mini-batch of the shuffled images, forward, cost,
        # backward, then Adam's update of every parameter.
        order = self._rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), self.batch_size):
            batch = order[start : start + self.batch_size]
            cost, gradients = self._forward_backward(X[batch], y[batch])
            self.n_steps_ += 1
            beta_1, beta_2, t = self.beta_1, self.beta_2, self.n_steps_
            step = self.learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            for name, parameter in self.named_parameters().items():
                gradient, (first, second) = gradients[name], self._moments[name]
                first += (1 - beta_1) * (gradient - first)
                second += (1 - beta_2) * (gradient * gradient - second)
                parameter -= step * first / (np.sqrt(second) + self.epsilon)
            total += cost * len(batch)
        return total / len(X), gradients

    def _forward_backward(self, X, y):
        activations, Z = forward(self.weights_, self.biases_, X.T, self._g)
        Y = y[np.newaxis, :]
        cost = binary_cross_entropy(Z, Y).sum() / len(y)
        gradients = backward(self.weights_, activations, sigmoid(Z), Y, self._g)
        dW = [dW for dW, _ in gradients]
        db = [db for _, db in gradients]
        return float(cost), layer_parameters(dW, db)

    def _output_logit(self, X: np.ndarray) -> np.ndarray:
        return forward(self.weights_, self.biases_, X.T, self._g)[1][0]

    def _input_gradient(self, X: np.ndarray, units=None) -> np.ndarray:
        activations, _ = forward(self.weights_, self.biases_, X.T, self._g)
        dZ = np.ones((1, len(X)), dtype=X.dtype)  # d z_out / d z_out
        for layer in reversed(range(1, len(self.weights_))):
            dZ = (self.weights_[layer].T @ dZ) * self._g.derivative(activations[layer])
        return (self.weights_[0].T @ dZ).T


def like_keras(settings: dict) -> DeepNetwork:
    """The network from scratch with a `KerasNetwork`'s settings, to train beside it.

    Parameters
    ----------
    settings : dict
        A KerasNetwork's constructor parameters.

    Raises
    ------
    ValueError
        For settings it does not implement: an optimizer other than Adam, initial
        weights other than 'uniform'.
    """
    optimizer, initializer = KERAS_OPTIMIZERS[0], KERAS_INITIALIZERS[0]
    if (settings.get("optimizer", optimizer), settings.get("kernel_initializer", initializer)) != (
        optimizer,
        initializer,
    ):
        raise ValueError(
            f"The network from scratch implements {optimizer} with '{initializer}' initial "
            "weights: choose those to compare."
        )
    shared = ("hidden_layer_sizes", "activation", "learning_rate", "n_epochs", "batch_size")
    return DeepNetwork(
        **{name: settings[name] for name in shared if name in settings},
        random_state=int(settings.get("random_state", 42)),
    )
