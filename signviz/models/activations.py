"""Activation functions and the cross-entropies, each beside its derivative.

Every activation is written as a pair, micrograd-style: ``forward(z)`` gives the
activation ``a = g(z)``; ``derivative(a)`` gives ``g'(z)`` computed from the output
``a``, which is what backpropagation has at hand (the tutorial's ``1 - A1**2`` for
tanh). Everything works elementwise on arrays of any shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Squash any real number into (0, 1): ``1 / (1 + exp(-z))``.

    Computed without overflow for any ``z`` (``sigmoid(1000)`` is exactly 1,
    ``sigmoid(-1000)`` exactly 0, and neither warns).
    """
    return expit(z)


def sigmoid_derivative(a: np.ndarray) -> np.ndarray:
    """Slope of the sigmoid from its output ``a = sigmoid(z)``: ``a * (1 - a)``."""
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, into (-1, 1) and centred on zero."""
    return np.tanh(z)


def tanh_derivative(a: np.ndarray) -> np.ndarray:
    """Slope of tanh from its output ``a = tanh(z)``: ``1 - a**2``."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit: ``max(0, z)``."""
    return np.maximum(z, 0.0)


def relu_derivative(a: np.ndarray) -> np.ndarray:
    """Slope of relu from its output: 1 where the unit is active, 0 where it is not."""
    return (a > 0).astype(a.dtype)


class Activation(NamedTuple):
    """An activation function with its derivative and the largest slope it can have."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    max_derivative: float


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, 0.25),
    "tanh": Activation("tanh", tanh, tanh_derivative, 1.0),
    "relu": Activation("relu", relu, relu_derivative, 1.0),
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with a clear error for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        choices = ", ".join(repr(known) for known in ACTIVATIONS)
        raise ValueError(f"Unknown activation {name!r}: choose one of {choices}.") from None


def binary_cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample loss ``-y log(y_hat) - (1 - y) log(1 - y_hat)`` with ``y_hat = sigmoid(z)``.

    Written in terms of the logit ``z`` rather than ``y_hat`` so that it is exact and
    finite for any ``z``: since ``log(y_hat) = z - log(1 + exp(z))`` and
    ``log(1 - y_hat) = -log(1 + exp(z))``, the loss is ``log(1 + exp(z)) - y z``, with
    ``log(1 + exp(z))`` computed as ``logaddexp(0, z)``. A confident wrong answer (large
    ``|z|`` on the wrong side) costs about ``|z|``: large, but never ``inf`` or ``nan``.

    Its derivative with respect to ``z`` is simply ``sigmoid(z) - y``.
    """
    return np.logaddexp(0.0, z) - y * z


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Turn scores into probabilities that sum to 1 along ``axis``: ``exp(z) / sum(exp(z))``.

    The largest score is subtracted first: the result is the same (the factor
    ``exp(-max)`` cancels) but no ``exp`` can overflow, whatever the scores.

    Parameters
    ----------
    z : array, e.g. shape (n_classes, m)
        Scores (logits), one row per class when ``axis=0``.
    axis : int, default 0

    Returns
    -------
    array of the shape of ``z``
    """
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def categorical_cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample loss ``-sum_k y_k log(y_hat_k)`` with ``y_hat = softmax(z)`` over rows.

    Like `binary_cross_entropy`, written with the logits so that it is finite for any
    ``z``: ``log(y_hat_k) = z_k - log(sum_j exp(z_j))``, with the log-sum-exp taken
    after subtracting the largest score. Its derivative with respect to ``z`` is
    ``softmax(z) - y``.

    Parameters
    ----------
    z : array of shape (n_classes, m)
    y : array of shape (n_classes, m)
        One-hot labels: column ``i`` has a 1 in the row of image ``i``'s class.

    Returns
    -------
    array of shape (m,)
    """
    top = z.max(axis=0)
    log_sum = top + np.log(np.exp(z - top).sum(axis=0))
    return log_sum - (y * z).sum(axis=0)


def output_probabilities(z: np.ndarray) -> np.ndarray:
    """What an output layer of logits ``z`` (one row per unit, one column per image) says.

    One row: a sigmoid unit, the probability of label 1. Several rows: a softmax, the
    probability of each class.
    """
    return sigmoid(z) if len(z) == 1 else softmax(z, axis=0)


def output_cost(z: np.ndarray, y: np.ndarray) -> float:
    """The mean cross-entropy of output logits ``z`` against targets ``y``, both (units, m).

    One row: binary cross-entropy of a sigmoid output (``y`` holds 0/1 labels). Several
    rows: categorical cross-entropy of a softmax (``y`` is one-hot). Either way its
    gradient with respect to ``z`` is ``(output_probabilities(z) - y) / m``.
    """
    m = z.shape[1]
    if len(z) == 1:
        return float(binary_cross_entropy(z, y).sum() / m)
    return float(categorical_cross_entropy(z, y).sum() / m)
