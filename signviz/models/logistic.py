"""Logistic regression from scratch: the tutorial's first neural network.

One unit, no hidden layer. For each image (a column ``x`` of 4096 pixels)::

    z     = w . x + b                          (forward propagation)
    y_hat = sigmoid(z)                         (a probability of label 1)
    loss  = -y log(y_hat) - (1 - y) log(1 - y_hat)
    cost  = mean of the losses over the m training images

and gradient descent moves ``w`` and ``b`` against the slope of the cost::

    dw = X (y_hat - y)^T / m        db = mean(y_hat - y)      (backward propagation)
    w -= learning_rate * dw         b -= learning_rate * db   (update)
"""

from __future__ import annotations

import numpy as np

from signviz.models.activations import binary_cross_entropy, sigmoid
from signviz.models.base import GradientModel
from signviz.validation import check_positive


def forward_backward(
    w: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """One forward and one backward propagation, in the tutorial's notation.

    Parameters
    ----------
    w : array of shape (n_features,)
        The weights (the tutorial keeps them as a column, ``(4096, 1)``).
    b : array of shape (1,)
        The bias.
    X : array of shape (n_features, m)
        The images as columns: the transpose of scikit-learn's ``X``.
    y : array of shape (m,)
        The labels, 0 or 1.

    Returns
    -------
    cost : float
        Mean cross-entropy of the current ``w`` and ``b``.
    dw : array of shape (n_features,)
        Derivative of the cost with respect to each weight.
    db : array of shape (1,)
        Derivative of the cost with respect to the bias.
    """
    m = X.shape[1]
    z = w @ X + b  # (m,)
    y_head = sigmoid(z)
    cost = binary_cross_entropy(z, y).sum() / m  # sums divided by m: faster than mean()
    dz = y_head - y  # (m,): derivative of each loss with respect to its z
    dw = X @ (dz / m)  # (n_features,): the tutorial's np.dot(x_train, (y_head - y).T) / m
    db = dz.sum(keepdims=True) / m
    return float(cost), dw, db


class LogisticRegressionGD(GradientModel):
    """Logistic regression trained by full-batch gradient descent, exactly as the tutorial.

    Parameters
    ----------
    learning_rate : float, default 0.01
        The step size ``alpha`` of gradient descent.
    n_iterations : int, default 150
        How many gradient-descent steps ``fit`` takes.
    initial_weight : float, default 0.01
        Every weight starts at this value (the bias starts at 0). Starting every weight
        equal is fine here, unlike in a network: the cost is convex, so no starting
        point traps gradient descent, and a single unit has no symmetry to break. (The
        cost need not have a minimum at all: when the training images are linearly
        separable, as 0 against 1 are, it keeps falling as the weights grow.)

    Attributes
    ----------
    coef_ : array of shape (1, n_features)
        The weights ``w``, one per pixel (scikit-learn's shape).
    intercept_ : array of shape (1,)
        The bias ``b``.
    cost_history_ : list of float
        The cost measured at each iteration, before that iteration's update;
        ``cost_history_[0]`` is the cost of the initial weights.
    n_iter_ : int
        Iterations (updates) done so far.
    gradient_norm_ : float
        Length of the last gradient (``dw`` and ``db`` together).
    diverged_ : bool
        Whether training stopped because the cost blew up; ``diverged_at_`` says at
        which iteration, ``cost_at_divergence_`` which cost stopped it (NaN while
        training is healthy) and ``divergence_message_`` explains it in a sentence.
    """

    def __init__(
        self, learning_rate: float = 0.01, n_iterations: int = 150, initial_weight: float = 0.01
    ):
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.initial_weight = initial_weight

    def contributions(self, X) -> np.ndarray:
        """Each pixel's share of ``z``: ``w * x``, ``(n_samples, n_features)``.

        The row sums plus the bias give ``decision_function(X)``: positive pixels push
        towards label 1, negative ones towards label 0.
        """
        X = self._check_prediction_data(X)
        return X * self.coef_

    def _check_hyperparameters(self) -> None:
        check_positive("learning_rate", self.learning_rate)
        check_positive("n_iterations", self.n_iterations, integer=True)
        if not np.isfinite(self.initial_weight):
            raise ValueError(f"initial_weight must be a finite number, got {self.initial_weight}.")

    def _layer_sizes(self, n_features: int) -> list[int]:
        return [n_features, 1]

    def _initialize(self, n_features: int) -> None:
        self.coef_ = np.full((1, n_features), self.initial_weight, dtype=self.dtype_)
        self.intercept_ = np.zeros(1, dtype=self.dtype_)

    def named_parameters(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name: ``{"coef_": w, "intercept_": b}`` (live, not copies)."""
        return {"coef_": self.coef_, "intercept_": self.intercept_}

    def _step(self, X, y):
        # One iteration of the tutorial's loop: forward, cost, backward, then update.
        cost, gradients = self._forward_backward(X, y)
        self.coef_ -= self.learning_rate * gradients["coef_"]
        self.intercept_ -= self.learning_rate * gradients["intercept_"]
        return cost, gradients

    def _forward_backward(self, X, y):
        cost, dw, db = forward_backward(self.coef_[0], self.intercept_, X.T, y)
        return cost, {"coef_": dw[np.newaxis, :], "intercept_": db}

    def _output_logit(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef_[0] + self.intercept_[0]

    def _input_gradient(self, X: np.ndarray, units=None) -> np.ndarray:
        return np.broadcast_to(self.coef_, X.shape).copy()  # z = w . x + b: its slope is w
