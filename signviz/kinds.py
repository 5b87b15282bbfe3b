"""The kinds of model signviz trains, in one registry: the command line, the chapters
(the comparison of chapter 7 among them), the sweep and the model files all read it.

A kind is a short name (``"two-layer"``, what the command line takes and what a model
file records), the title the pages show, whether its training counts iterations (full
passes of gradient descent) or epochs (passes over mini-batches), and the class that
builds it. Importing this module imports no numpy, scikit-learn or TensorFlow: a kind's
class is imported when a model is built.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter, methodcaller
from typing import Any

ITERATION, EPOCH = "iteration", "epoch"


@dataclass(frozen=True)
class ModelKind:
    """One kind of model.

    Attributes
    ----------
    name : str
        Its short name: ``"logreg"``, ``"sklearn"``, ``"two-layer"``, ``"deep"``, ``"keras"``.
    title : str
        What the pages call it ("Two-layer network (from scratch)").
    unit : str
        `ITERATION` or `EPOCH`: what its training counts.
    class_path : str
        ``"module:Class"`` of the estimator that implements it.
    length : str
        The constructor parameter that sets how long it trains (``"n_iterations"``...).
    first_layer : callable(model) -> array
        Reads a trained model's first-layer weights, ``(units, n_features)``.
    unit_name : str
        What one row of those weights is called ("hidden unit").
    file_suffix : str
        The file a trained model is saved to: ``".npz"``, or ``".keras"`` for Keras.
    """

    name: str
    title: str
    unit: str
    class_path: str
    length: str
    first_layer: Callable[[Any], Any]
    unit_name: str
    file_suffix: str = ".npz"

    @property
    def counts_epochs(self) -> bool:
        """Whether its training counts epochs rather than iterations."""
        return self.unit == EPOCH

    def units(self, count: int) -> str:
        """``count`` with the unit its training counts: ``"1 epoch"``, ``"150 iterations"``."""
        return f"{count} {self.unit}{'' if count == 1 else 's'}"

    def first_layer_weights(self, model):
        """The trained ``model``'s first-layer weights, one row per unit,
        ``(units, n_features)`` (a logistic regression: one row)."""
        return self.first_layer(model)

    def model_class(self) -> type:
        """The estimator class (imports its module: scikit-learn, or TensorFlow for Keras)."""
        module, _, name = self.class_path.partition(":")
        return getattr(importlib.import_module(module), name)

    def build(self, length: int | None = None, **settings):
        """A new, untrained model of this kind.

        Parameters
        ----------
        length : int, optional
            Iterations or epochs to train (the class's default if None).
        **settings
            Other constructor parameters.
        """
        if length is not None:
            settings[self.length] = length
        return self.model_class()(**settings)


_KINDS = (
    ModelKind(
        "logreg",
        "Logistic regression (from scratch)",
        ITERATION,
        "signviz.models.logistic:LogisticRegressionGD",
        "n_iterations",
        attrgetter("coef_"),
        "weight",
    ),
    ModelKind(
        "sklearn",
        "scikit-learn LogisticRegression",
        ITERATION,
        "sklearn.linear_model:LogisticRegression",
        "max_iter",
        attrgetter("coef_"),
        "weight",
    ),
    ModelKind(
        "two-layer",
        "Two-layer network (from scratch)",
        ITERATION,
        "signviz.models.two_layer:TwoLayerNetwork",
        "n_iterations",
        lambda network: network.weights_[0],
        "hidden unit",
    ),
    ModelKind(
        "deep",
        "Deep network (from scratch)",
        EPOCH,
        "signviz.models.deep:DeepNetwork",
        "n_epochs",
        lambda network: network.weights_[0],
        "unit of the first layer",
    ),
    ModelKind(
        "keras",
        "Keras network",
        EPOCH,
        "signviz.models.keras_network:KerasNetwork",
        "n_epochs",
        methodcaller("first_layer_weights"),
        "unit of the first layer",
        file_suffix=".keras",
    ),
)
#: Every kind, by name, in the order the course meets them.
KINDS: dict[str, ModelKind] = {kind.name: kind for kind in _KINDS}
#: The prefix of the kind of a model a learner uploaded (``"uploaded-deep"``).
UPLOADED = "uploaded-"


def get(name: str) -> ModelKind:
    """The kind called ``name``; an uploaded model (``"uploaded-deep"``) has its own kind's.

    Raises
    ------
    ValueError
        For a name that is no kind, with the names that are.
    """
    kind = KINDS.get(name.removeprefix(UPLOADED))
    if kind is None:
        raise ValueError(f"unknown model {name!r}: the models are {', '.join(KINDS)}")
    return kind


def kind_of(model) -> ModelKind | None:
    """The kind of ``model`` (an instance of a kind's class exactly), None for another.

    Imports nothing: a model's class is in a module already imported, and so is every
    package above that module, where a kind may name its class.
    """
    for kind in _KINDS:
        module, _, name = kind.class_path.partition(":")
        if module in sys.modules and type(model) is getattr(sys.modules[module], name, None):
            return kind
    return None
