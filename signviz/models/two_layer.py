"""A two-layer neural network from scratch: one hidden layer, one sigmoid output.

It is logistic regression done twice. The hidden layer turns each image into a few
numbers (one per hidden unit); the output unit is a logistic regression on those::

    Z1 = W1 X + b1,   A1 = g(Z1)          hidden layer, g = tanh by default
    Z2 = W2 A1 + b2,  A2 = sigmoid(Z2)    output: the probability of label 1

With more than two classes (all ten digits) the output layer has one unit per class
and a softmax, ``A2 = softmax(Z2)``: a softmax regression on the hidden units. ``Y``
is then one-hot, one row per class, and backward propagation is the same lines.

Backward propagation applies the chain rule layer by layer, from the cost back::

    dZ2 = A2 - Y
    dW2 = dZ2 A1^T / m,                    db2 = mean(dZ2)
    dZ1 = (W2^T dZ2) * g'(A1)              (for tanh, g'(A1) = 1 - A1**2)
    dW1 = dZ1 X^T / m,                     db1 = mean of dZ1 over the images

Unlike logistic regression, the weights must start random: if every hidden unit
starts equal, every unit receives the same gradient and they stay identical forever.
And they must start small: a large ``W1 X`` drives tanh into its flat tails, where
its slope (and so every gradient through it) is nearly zero.
"""

from __future__ import annotations

import numpy as np

from signviz.models.activations import get_activation, output_cost, output_probabilities
from signviz.models.base import GradientModel, layer_parameters
from signviz.validation import check_positive

#: A hidden activation counts as saturated when its slope is below this share of the
#: largest slope the activation can have (tanh: ``|a| > 0.99``; relu: a dead unit).
SATURATION_SLOPE = 0.02

INITIALIZATIONS = ("random", "zeros")


def forward(W1, b1, W2, b2, X, g):
    """Forward propagation in the tutorial's notation.

    Shapes: ``W1 (h, n)``, ``b1 (h, 1)``, ``W2 (k, h)``, ``b2 (k, 1)``, ``X (n, m)``
    with the images as columns, ``k`` output units (1, or one per class); returns
    ``A1 (h, m)`` and the logits ``Z2 (k, m)``.
    """
    A1 = g.forward(W1 @ X + b1)
    Z2 = W2 @ A1 + b2
    return A1, Z2


def backward(W2, A1, A2, X, Y, g):
    """Backward propagation: the gradients of the mean cross-entropy.

    Takes the values the forward pass computed (``A1 (h, m)``, ``A2 (k, m)``) and the
    targets ``Y (k, m)`` (labels, or one-hot for a softmax); returns
    ``dW1 (h, n), db1 (h, 1), dW2 (k, h), db2 (k, 1)``. The same lines serve a sigmoid
    output with binary cross-entropy and a softmax with categorical cross-entropy: for
    both, the cost's slope with respect to ``Z2`` is ``A2 - Y``.
    """
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * g.derivative(A1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


class TwoLayerNetwork(GradientModel):
    """The tutorial's two-layer network: ``hidden_units`` tanh units and a sigmoid output.

    Trained on labels 0 to K - 1 with K > 2 (all ten digits), its output layer is a
    softmax with one unit per class; with two classes it is the tutorial's one sigmoid
    unit.

    Parameters
    ----------
    hidden_units : int, default 3
        Units in the hidden layer.
    activation : {"tanh", "sigmoid", "relu"}, default "tanh"
        The hidden layer's activation function.
    learning_rate : float, default 0.01
    n_iterations : int, default 2500
        Full-batch gradient-descent steps taken by ``fit``.
    init_scale : float, default 0.1
        Initial weights are standard normal samples times this scale (biases start at 0).
    initialization : {"random", "zeros"}, default "random"
        ``"zeros"`` starts every weight at 0, to show why that fails: all hidden units
        stay identical (the symmetry problem).
    random_state : int, default 42
        Seed of the initial weights.

    Attributes
    ----------
    weights_ : list of two arrays
        ``[W1, W2]``: ``W1`` of shape (hidden_units, n_features), whose row ``j`` holds
        the weight of every pixel into hidden unit ``j``, and ``W2`` of shape
        (1, hidden_units), or (n_classes, hidden_units) for more than two classes. The
        same scheme as :class:`~signviz.models.DeepNetwork`.
    biases_ : list of two arrays
        ``[b1, b2]``, of shapes (hidden_units, 1) and (1, 1) (or (n_classes, 1)).
    classes_ : array of int
        The labels it tells apart, ``0 .. n_classes - 1``.
    cost_history_, n_iter_, gradient_norm_, diverged_, diverged_at_
        As in :class:`~signviz.models.LogisticRegressionGD`.
    """

    def __init__(
        self,
        hidden_units: int = 3,
        activation: str = "tanh",
        learning_rate: float = 0.01,
        n_iterations: int = 2500,
        init_scale: float = 0.1,
        initialization: str = "random",
        random_state: int = 42,
    ):
        self.hidden_units = hidden_units
        self.activation = activation
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.init_scale = init_scale
        self.initialization = initialization
        self.random_state = random_state

    def hidden_activations(self, X) -> np.ndarray:
        """What each hidden unit outputs for each image, ``(n_samples, hidden_units)``."""
        X = self._check_prediction_data(X)
        A1, _ = self._forward(X)
        return A1.T

    def saturation(self, X) -> float:
        """The share of hidden activations (over units and images) that are saturated.

        A saturated unit sits where its activation is flat, so almost no gradient
        flows back through it. Near 1 at the start of training, it explains a network
        stuck at chance: ``W1 X`` is too large for tanh (try a smaller ``init_scale``).
        """
        g = get_activation(self.activation)
        slope = g.derivative(self.hidden_activations(X))
        return float(np.mean(slope < SATURATION_SLOPE * g.max_derivative))

    def _check_hyperparameters(self) -> None:
        check_positive("hidden_units", self.hidden_units, integer=True)
        get_activation(self.activation)
        check_positive("learning_rate", self.learning_rate)
        check_positive("n_iterations", self.n_iterations, integer=True)
        check_positive("init_scale", self.init_scale)
        if self.initialization not in INITIALIZATIONS:
            raise ValueError(
                f"initialization must be one of {INITIALIZATIONS}, got {self.initialization!r}."
            )

    _multiclass = True

    def _layer_sizes(self, n_features: int) -> list[int]:
        return [n_features, int(self.hidden_units), self._output_units()]

    def _initialize(self, n_features: int) -> None:
        rng = np.random.default_rng(self.random_state)
        self.weights_ = []
        n_out = self._output_units()
        for shape in [(self.hidden_units, n_features), (n_out, self.hidden_units)]:
            if self.initialization == "zeros":
                weights = np.zeros(shape)
            else:
                weights = rng.standard_normal(shape) * self.init_scale
            self.weights_.append(weights.astype(self.dtype_))
        self.biases_ = [
            np.zeros((self.hidden_units, 1), dtype=self.dtype_),
            np.zeros((n_out, 1), dtype=self.dtype_),
        ]

    def named_parameters(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name: ``W1``, ``b1``, ``W2``, ``b2`` (live, not copies)."""
        return layer_parameters(self.weights_, self.biases_)

    def _step(self, X, y):
        # One iteration of gradient descent: forward, cost, backward, then update.
        cost, gradients = self._forward_backward(X, y)
        (W1, W2), (b1, b2) = self.weights_, self.biases_
        W1 -= self.learning_rate * gradients["W1"]
        b1 -= self.learning_rate * gradients["b1"]
        W2 -= self.learning_rate * gradients["W2"]
        b2 -= self.learning_rate * gradients["b2"]
        return cost, gradients

    def _forward_backward(self, X, y):
        g = get_activation(self.activation)
        A1, Z2 = self._forward(X)  # forward propagation
        Y = self._targets(y)  # (1, m) labels, or (n_classes, m) one-hot
        cost = output_cost(Z2, Y)
        dW1, db1, dW2, db2 = backward(self.weights_[1], A1, output_probabilities(Z2), X.T, Y, g)
        return cost, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (W1, W2), (b1, b2) = self.weights_, self.biases_
        return forward(W1, b1, W2, b2, X.T, get_activation(self.activation))

    def _output_logit(self, X: np.ndarray) -> np.ndarray:
        return self._logits_by_sample(self._forward(X)[1])

    def _input_gradient(self, X: np.ndarray, units=None) -> np.ndarray:
        W1, W2 = self.weights_
        A1, _ = self._forward(X)
        slopes = get_activation(self.activation).derivative(A1)  # (h, m)
        out = W2.T if units is None else W2[units].T  # (h, 1), or (h, m): each image's unit
        return (out * slopes).T @ W1  # (m, n)
