"""Activation functions and the binary cross-entropy, each beside its derivative.

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
