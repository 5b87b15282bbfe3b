"""Softmax regression from scratch: logistic regression for ten digits at once.

One unit per class, no hidden layer. Each unit scores every image with its own
weights, and a softmax turns the ten scores into probabilities that sum to 1. For
the images as columns ``X`` (n_features, m) and the labels one-hot ``Y`` (n_classes, m)::

    Z     = W X + b                            (forward: one row of scores per class)
    Y_hat = softmax(Z)                         (each column: probabilities of the classes)
    loss  = -sum over classes of Y log(Y_hat)  (cross-entropy: -log of the true class's)
    cost  = mean of the losses over the m training images

and gradient descent moves ``W`` and ``b`` against the slope of the cost::

    dZ = Y_hat - Y
    dW = dZ X^T / m           db = mean of dZ over the images    (backward)
    W -= learning_rate * dW   b -= learning_rate * db            (update)

With two classes it is logistic regression written twice over: the softmax of two
scores is the sigmoid of their difference.
"""

from __future__ import annotations

import numpy as np

from signviz.models.activations import categorical_cross_entropy, softmax
from signviz.models.base import GradientModel
from signviz.validation import check_positive


def forward_backward(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """One forward and one backward propagation, images as columns.

    Parameters
    ----------
    W : array of shape (n_classes, n_features)
        The weights: row ``k`` scores how much an image looks like class ``k``.
    b : array of shape (n_classes,)
        The biases.
    X : array of shape (n_features, m)
        The images as columns: the transpose of scikit-learn's ``X``.
    Y : array of shape (n_classes, m)
        One-hot labels.

    Returns
    -------
    cost : float
        Mean cross-entropy of the current ``W`` and ``b``.
    dW : array of shape (n_classes, n_features)
    db : array of shape (n_classes,)
    """
    m = X.shape[1]
    Z = W @ X + b[:, np.newaxis]  # (n_classes, m)
    cost = categorical_cross_entropy(Z, Y).sum() / m
    dZ = softmax(Z, axis=0) - Y  # slope of each image's loss with respect to its scores
    dW = dZ @ X.T / m
    db = dZ.sum(axis=1) / m
    return float(cost), dW, db


class SoftmaxRegression(GradientModel):
    """Softmax (multinomial logistic) regression by full-batch gradient descent.

    Labels are 0 to K - 1 (the digits themselves for the ten-digit task); ``fit``
    finds K from the largest label (at least 2).

    Parameters
    ----------
    learning_rate : float, default 0.01
        The step size of gradient descent.
    n_iterations : int, default 150
        How many gradient-descent steps ``fit`` takes.

    Every weight and bias starts at 0: every class gets the same score, so the first
    answer gives each class probability 1 / K and costs ``ln K``. As for logistic
    regression, the cost is convex and there is no symmetry to break (each class's
    gradient differs from the start, since it depends on which images are that class).

    Attributes
    ----------
    coef_ : array of shape (n_classes, n_features)
        The weights ``W``, one row per class (scikit-learn's multinomial shape): shown
        as an image, row ``k`` is what the model looks for in a ``k``.
    intercept_ : array of shape (n_classes,)
        The biases ``b``.
    classes_ : array of int
        ``0 .. n_classes - 1``.
    cost_history_, n_iter_, gradient_norm_, diverged_, diverged_at_
        As in :class:`~signviz.models.LogisticRegressionGD`.
    """

    _multiclass = True

    def __init__(self, learning_rate: float = 0.01, n_iterations: int = 150):
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations

    def _output_units(self) -> int:
        return len(getattr(self, "classes_", (0, 1)))  # one unit per class, even for two

    def _check_hyperparameters(self) -> None:
        check_positive("learning_rate", self.learning_rate)
        check_positive("n_iterations", self.n_iterations, integer=True)

    def _layer_sizes(self, n_features: int) -> list[int]:
        return [n_features, self._output_units()]

    def _initialize(self, n_features: int) -> None:
        self.coef_ = np.zeros((self._output_units(), n_features), dtype=self.dtype_)
        self.intercept_ = np.zeros(self._output_units(), dtype=self.dtype_)

    def named_parameters(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name: ``{"coef_": W, "intercept_": b}`` (live, not copies)."""
        return {"coef_": self.coef_, "intercept_": self.intercept_}

    def _step(self, X, y):
        # One iteration: forward, cost, backward, then update.
        cost, gradients = self._forward_backward(X, y)
        self.coef_ -= self.learning_rate * gradients["coef_"]
        self.intercept_ -= self.learning_rate * gradients["intercept_"]
        return cost, gradients

    def _forward_backward(self, X, y):
        cost, dW, db = forward_backward(self.coef_, self.intercept_, X.T, self._targets(y))
        return cost, {"coef_": dW, "intercept_": db}

    def _output_logit(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef_.T + self.intercept_  # (m, n_classes)

    def _input_gradient(self, X: np.ndarray, units=None) -> np.ndarray:
        return self.coef_[units].copy()  # z_k = W_k . x + b_k: its slope is row k of W
