"""Hidden units and layers: zero initialization, the two-layer report, the tutorial's
two-layer cost, dead units, a loss that stays high, cross-validation, and a blank
explanation map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signviz.cross_validation import CrossValidation
from signviz.diagnose.curves import (
    CHANCE_COST,
    cost_jumps,
    cost_scale,
    stuck_near_chance,
)
from signviz.diagnose.notice import Notice
from signviz.models.activations import get_activation, sigmoid

#: Units count as identical when their weights differ by less than this share of the
#: largest weight: in exact arithmetic they are equal, but the matrix products may
#: round each row a little differently (about 1e-11 here).
IDENTICAL_WITHIN = 1e-5


# -- zero initialization ---------------------------------------------------------------


@dataclass(frozen=True)
class ZeroInitialization:
    """A two-layer network whose hidden units never became different.

    Attributes
    ----------
    kind : {"constant", "identical_units"}
        ``"constant"``: both weight matrices are still exactly zero, so the network
        gives every image the same answer (tanh or relu hidden units: ``g(0) = 0``).
        ``"identical_units"``: the weights moved, but every hidden unit has the same
        weights as the first one (sigmoid hidden units: ``sigmoid(0) = 0.5``).
    activation : str
    hidden_units : int
    largest_hidden_weight, largest_output_weight : float
        The largest ``|W1|`` and ``|W2|`` now.
    output_bias : float
        ``b2``: for a constant network, every image gets ``sigmoid(b2)``.
    largest_unit_difference : float
        The largest difference between a unit's weights and the first unit's.
    """

    kind: str
    activation: str
    hidden_units: int
    largest_hidden_weight: float
    largest_output_weight: float
    output_bias: float
    largest_unit_difference: float

    @property
    def constant_probability(self) -> float:
        """``sigmoid(b2)``: the one answer a constant network gives every image."""
        return float(sigmoid(self.output_bias))

    def message(self) -> str:
        """What happened and why, in Markdown."""
        if self.kind == "constant":
            return (
                f"**The network is a constant.** Both weight matrices are still exactly zero: "
                f"with {self.activation} hidden units, {self.activation}(0) = 0, so every hidden "
                "output A1 is 0 and the output weights get the gradient dW2 = dZ2·A1ᵀ/m = 0; and "
                "since W2 = 0, no gradient reaches the hidden layer either (dZ1 = W2ᵀ·dZ2 ⊙ g' = "
                f"0). Only the output bias moved, to {self.output_bias:.4g}: every image gets the "
                f"same answer, ŷ = σ(b2) = {self.constant_probability:.4f}. The hidden units are "
                "not identical, they are blank. Random initial weights give each unit something "
                "to start from."
            )
        return (
            f"**All {self.hidden_units} hidden units are identical.** With sigmoid hidden units, "
            "σ(0) = 0.5, so the hidden outputs are not zero and the weights do move; but every "
            "unit starts equal, receives the same gradient at every step and stays equal (the "
            f"largest difference from unit 1 is {self.largest_unit_difference:.2g}, rounding "
            f"beside weights up to {self.largest_hidden_weight:.2g}). The network has "
            "the power of a single hidden unit. Random initial weights break this symmetry."
        )


def zero_initialization(model) -> ZeroInitialization | None:
    """Whether a trained two-layer network's hidden units are blank or identical.

    Parameters
    ----------
    model : TwoLayerNetwork
        Trained (``weights_`` of shapes (hidden_units, n_features) and
        (1, hidden_units), ``biases_`` of shapes (hidden_units, 1) and (1, 1)).

    Returns
    -------
    ZeroInitialization or None
        ``None`` when the hidden units differ (or there is only one). Units count as
        identical when they differ by less than ``IDENTICAL_WITHIN`` of the largest
        weight (rounding).
    """
    W1, W2 = (np.asarray(weights, dtype=float) for weights in model.weights_)
    difference = float(np.max(np.abs(W1 - W1[0]))) if W1.size else 0.0
    if not np.any(W1) and not np.any(W2):
        kind = "constant"
    elif W1.shape[0] > 1 and difference <= IDENTICAL_WITHIN * np.max(np.abs(W1)):
        kind = "identical_units"
    else:
        return None
    return ZeroInitialization(
        kind=kind,
        activation=str(model.activation),
        hidden_units=int(W1.shape[0]),
        largest_hidden_weight=float(np.max(np.abs(W1))),
        largest_output_weight=float(np.max(np.abs(W2))),
        output_bias=float(np.asarray(model.biases_[1]).reshape(-1)[0]),
        largest_unit_difference=difference,
    )


def zero_initialization_outcome(activation: str) -> str:
    """What starting every weight at zero will do with ``activation`` hidden units,
    said before training (`zero_initialization` says what it did after).

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu"}
    """
    at_zero = float(get_activation(activation).forward(np.zeros(1))[0])
    name = "σ" if activation == "sigmoid" else activation
    if at_zero == 0:
        return (
            f"With {activation} hidden units, {name}(0) = 0: no weight ever moves, only the "
            "output bias learns, and the network gives every image the same answer (its unit "
            "images stay blank)"
        )
    return (
        f"With {activation} hidden units, {name}(0) = {at_zero:g}: the weights move, but every "
        "hidden unit gets the same gradient and they stay identical (identical unit images)"
    )


# -- everything about a trained two-layer network --------------------------------------


@dataclass(frozen=True)
class TwoLayerReport:
    """What a trained two-layer network's run did, measured.

    Attributes
    ----------
    saturation, initial_saturation : float
        Shares of the hidden outputs on the training images where the activation is
        flat, now and with the initial weights.
    notices : tuple of Notice
        The findings worth saying, most important first.
    """

    saturation: float
    initial_saturation: float
    notices: tuple[Notice, ...]


def two_layer_report(model, costs, x_train, y_train, x_test, y_test) -> TwoLayerReport:
    """Diagnose a trained `TwoLayerNetwork`: blank or identical units (zero initial
    weights), a run stuck near chance, a flat cost, cost jumps, and the tutorial's
    cost at the start.

    Parameters
    ----------
    model : TwoLayerNetwork
        Trained (or paused).
    costs : sequence of float
        Its cost history, as drawn.
    x_train : array of shape (n_train, n_features)
    y_train : array of shape (n_train,)
    x_test : array of shape (n_test, n_features)
    y_test : array of shape (n_test,)
    """
    from sklearn.base import clone

    initial = clone(model).partial_fit(x_train, y_train, n_iterations=0)
    saturation = float(model.saturation(x_train))
    initial_saturation = float(initial.saturation(x_train))
    notices = []
    if (zero := zero_initialization(model)) is not None:
        notices.append(Notice("warning", zero.message(), "🪞"))
    elif not model.diverged_ and (
        stuck := stuck_near_chance(
            costs,
            model.score(x_test, y_test),
            initial_saturation=initial_saturation,
            saturation=saturation,
        )
    ):
        level = "warning" if stuck.kind == "stuck" else "info"
        notices.append(Notice(level, stuck.message(), "🧊"))
    scale = cost_scale(costs)
    if scale is not None and scale.kind == "flat":
        notices.append(Notice("caption", scale.message(stretched=False)))
    if not model.diverged_ and (jumps := cost_jumps(costs)):
        notices.append(Notice("caption", jumps.message()))
    probabilities = initial.predict_proba(x_train)[:, 1].astype(float)
    if np.all((probabilities > 0) & (probabilities < 1)):  # both logs finite
        start = tutorial_two_layer_cost(probabilities, y_train)
        notices.append(Notice("caption", start.message(at="the initial weights (iteration 0)")))
    return TwoLayerReport(saturation, initial_saturation, tuple(notices))


# -- the tutorial's two-layer cost -----------------------------------------------------


@dataclass(frozen=True)
class TutorialTwoLayerCost:
    """The two-layer cost as the tutorial's code computes it, beside the full one.

    Attributes
    ----------
    kind : {"tutorial_term_only"}
    full : float
        The mean cross-entropy ``-y log y_hat - (1 - y) log(1 - y_hat)`` (ours).
    tutorial : float
        The mean of ``-y log y_hat`` alone: the tutorial's ``compute_cost_NN``.
    """

    kind: str
    full: float
    tutorial: float

    def message(self, at: str = "these weights") -> str:
        """Why the printouts differ, in Markdown; ``at`` names the weights measured."""
        return (
            f"Comparing with the tutorial's printout? Its two-layer code adds up only the "
            f"−y·log ŷ term of each loss, so it leaves out every image labelled 0. For {at} "
            f"that gives {self.tutorial:.4f}, where the full cross-entropy, which this "
            f"page shows and the gradients follow, is {self.full:.4f}. The gradients in the "
            "tutorial's code are those of the full cost, so the training is the same; only the "
            "printed number differs."
        )


def tutorial_two_layer_cost(probabilities, y) -> TutorialTwoLayerCost:
    """Both costs of the same predictions.

    Parameters
    ----------
    probabilities : array of shape (n_samples,)
        ``y_hat``, strictly between 0 and 1.
    y : array of shape (n_samples,)
        Labels, 0 or 1.
    """
    p = np.asarray(probabilities, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"Need one probability per label: {p.shape} against {y.shape}.")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("Probabilities must lie strictly between 0 and 1.")
    full = float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))
    tutorial = float(np.mean(-y * np.log(p)))
    return TutorialTwoLayerCost("tutorial_term_only", full, tutorial)


# -- layered networks: dead units and a loss that stays high ---------------------------


@dataclass(frozen=True)
class DeadUnits:
    """Units of each hidden layer that output 0 for every training image.

    Attributes
    ----------
    counts : tuple of int
        Dead units, one count per hidden layer.
    layer_sizes : tuple of int
        Units per hidden layer.
    """

    counts: tuple[int, ...]
    layer_sizes: tuple[int, ...]

    @property
    def whole_layer(self) -> bool:
        """Whether every unit of some layer is dead (nothing before it can learn)."""
        return any(dead == size for dead, size in zip(self.counts, self.layer_sizes, strict=True))

    def per_layer(self) -> str:
        """``"layer 1: 0 of 8, layer 2: 1 of 4"``."""
        return ", ".join(
            f"layer {layer}: {dead} of {size}"
            for layer, (dead, size) in enumerate(
                zip(self.counts, self.layer_sizes, strict=True), start=1
            )
        )

    def message(self) -> str:
        """The counts, for a caption under the first layer's weights."""
        return (
            "Units that never fire on any training image (dead relus, whose weights stay "
            f"pale above): {self.per_layer()}."
        )


def dead_units(network, X) -> DeadUnits:
    """Count the dead units of a trained layered network (`KerasNetwork` or `DeepNetwork`).

    Parameters
    ----------
    network : estimator with ``dead_units(X)`` and ``hidden_layer_sizes``
    X : array of shape (n_samples, n_features)
        The training images.
    """
    counts = tuple(int(count) for count in network.dead_units(X))
    return DeadUnits(counts, tuple(int(size) for size in network.hidden_layer_sizes))


@dataclass(frozen=True)
class KerasStuck:
    """A Keras network (or the deep network from scratch) whose loss stayed high.

    Attributes
    ----------
    kind : {"near_chance", "above_chance"}
        ``"near_chance"``: the loss is within ``tolerance`` of ln 2, the network
        answers about the same for every image. ``"above_chance"``: the loss is
        higher than answering 50 % everywhere, confident wrong answers.
    activation : str
    loss : float
    dead_units : tuple of int or None
        Per hidden layer, units that output 0 for every training image (relu only).
    layer_sizes : tuple of int
    """

    kind: str
    activation: str
    loss: float
    dead_units: tuple[int, ...] | None
    layer_sizes: tuple[int, ...]

    def message(self) -> str:
        """What the loss means and what to try, for this activation, in Markdown."""
        if self.kind == "above_chance":
            start = (
                f"**The loss is {self.loss:.2f}, above ln 2 = {CHANCE_COST:.3f}**: worse than "
                "answering 50 % for every image, so the network gives confident wrong answers. "
                "Steps that are too large throw it around: try a smaller learning rate."
            )
        else:
            start = (
                f"**The loss is stuck near {self.loss:.2f}, close to ln 2 = {CHANCE_COST:.3f}**: "
                "the cost of answering 50 % for every image."
            )
        if self.activation == "relu" and self.dead_units is not None:
            dead = DeadUnits(self.dead_units, self.layer_sizes)
            return start + (
                f" Dead relu units per hidden layer: {dead.per_layer()}. A relu unit whose "
                "input is negative for every image outputs 0 and passes no gradient back, so "
                "it never "
                + (
                    "recovers; a whole layer is dead here, so nothing before it can learn."
                    if dead.whole_layer
                    else "recovers."
                )
                + " Try another seed, a smaller learning rate, or another activation."
            )
        slope = "at most 0.25" if self.activation == "sigmoid" else "at most 1"
        return start + (
            f" A {self.activation} unit never dies (its output is never stuck at exactly 0), but "
            f"its slope is {slope} and fades where it saturates, and each layer multiplies the "
            "gradient by its own small weights: through several layers the signal reaching the "
            "first one can be too weak to move it. Try more epochs, a larger learning rate, "
            "fewer layers, or relu."
        )


def keras_stuck(
    costs,
    activation: str,
    layer_sizes,
    dead_units=None,
    *,
    tolerance: float = 0.1,
    stuck_above: float = 0.6,
) -> KerasStuck | None:
    """Whether a layered network's final loss says it learned nothing.

    Parameters
    ----------
    costs : sequence of float, shape (n_epochs,)
        The loss of each epoch.
    activation : {"relu", "tanh", "sigmoid"}
    layer_sizes : sequence of int
        Units per hidden layer.
    dead_units : sequence of int, optional
        ``dead_units(x_train)`` of the network, one count per hidden layer; used for
        relu only (other activations never output exactly 0).
    tolerance : float, default 0.1
        A loss within this of ln 2 counts as near chance.
    stuck_above : float, default 0.6
        Losses at or below this are fine: ``None``.

    Returns
    -------
    KerasStuck or None
    """
    get_activation(activation)
    costs = np.asarray(costs, dtype=float)
    if costs.size == 0 or costs[-1] <= stuck_above:
        return None
    loss = float(costs[-1])
    kind = "near_chance" if abs(loss - CHANCE_COST) <= tolerance else "above_chance"
    return KerasStuck(
        kind=kind,
        activation=activation,
        loss=loss,
        dead_units=None
        if dead_units is None or activation != "relu"
        else tuple(int(d) for d in dead_units),
        layer_sizes=tuple(int(size) for size in layer_sizes),
    )


# -- cross-validation ------------------------------------------------------------------


@dataclass(frozen=True)
class CrossValidationSummary(CrossValidation):
    """Folds, mean and spread of a cross-validation, in percent.

    Attributes
    ----------
    fold_accuracies : tuple of float
        Fractions, one per fold.
    kind : {"summary"}
    """

    kind: str = "summary"

    def labels(self) -> dict[str, str]:
        """Metric label -> value, every one in percent."""
        values = {
            f"Fold {fold}": f"{accuracy:.2%}"
            for fold, accuracy in enumerate(self.fold_accuracies, start=1)
        }
        values["Mean accuracy"] = f"{self.mean:.2%}"
        values["Standard deviation"] = f"{100 * self.std:.2f} points"
        return values

    def message(self) -> str:
        """The spread, and why the tutorial's variable says variance, in Markdown."""
        return (
            f"Mean {self.mean:.2%}, standard deviation {100 * self.std:.2f} percentage points. "
            "The tutorial keeps `accuracies.std()` in a variable it calls `variance`: the number "
            "is a standard deviation (the variance is its square, here "
            f"{self.std**2:.6f} as a fraction). Both measure spread; the standard deviation is in "
            "the same unit as the accuracies, which is why it is the one shown."
        )


def cross_validation_summary(fold_accuracies) -> CrossValidationSummary:
    """Wrap fold accuracies (fractions between 0 and 1) for display.

    Parameters
    ----------
    fold_accuracies : sequence of float, shape (n_folds,)
    """
    values = tuple(float(value) for value in fold_accuracies)
    if not values or any(not 0 <= value <= 1 for value in values):
        raise ValueError(f"Fold accuracies must be fractions between 0 and 1, got {values}.")
    return CrossValidationSummary(values)


# -- a blank explanation map -----------------------------------------------------------


@dataclass(frozen=True)
class BlankExplanation:
    """A network's gradient map that is zero at every pixel for one image.

    Attributes
    ----------
    kind : {"dead_paths", "zero_gradient"}
        ``"dead_paths"`` when some hidden layer has no active unit for this image:
        every path from the pixels to the output passes through a unit that is off.
    active_units : tuple of int or None
        Active (non-zero) units per hidden layer for this image, when known.
    """

    kind: str
    active_units: tuple[int, ...] | None

    def message(self) -> str:
        """Why the map is empty, in Markdown."""
        if self.kind == "dead_paths":
            layers = ", ".join(
                f"layer {layer}: {count}" for layer, count in enumerate(self.active_units, start=1)
            )
            return (
                "This map is blank because the gradient is exactly zero at every pixel: for this "
                f"image, a whole hidden layer is off (active units per layer: {layers}). A relu "
                "unit that outputs 0 has slope 0, so every path from a pixel to the answer "
                "passes through a zero: no small change of any one pixel moves z at all."
            )
        return (
            "This map is blank because the gradient is exactly zero at every pixel: no small "
            "change of any one pixel moves z for this image."
        )


def blank_explanation(model, x, values) -> BlankExplanation | None:
    """Explain an all-zero gradient map; ``None`` when some pixel's value is not zero.

    Parameters
    ----------
    model
        The network; if it has ``hidden_activations(X)``, its active units are counted.
    x : array of shape (n_features,)
        The image.
    values : array of shape (n_features,)
        The map (``compare.explanation(model, x)``'s values).
    """
    if np.any(np.asarray(values) != 0):
        return None
    active = None
    if hasattr(model, "hidden_activations"):
        layers = model.hidden_activations(np.asarray(x)[np.newaxis, :])
        if isinstance(layers, np.ndarray):
            layers = [layers]
        active = tuple(int(np.count_nonzero(layer[0])) for layer in layers)
    kind = "dead_paths" if active is not None and 0 in active else "zero_gradient"
    return BlankExplanation(kind, active)
