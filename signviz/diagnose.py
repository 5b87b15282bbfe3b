"""What a training run really did, measured: findings a page renders, never guesses.

A teaching app that says something false about the curve on the screen teaches the
false thing. Each function here looks at a model, its cost history or its data and
returns a *finding*: a small frozen dataclass with a ``kind`` (which case it is) and
the numbers behind it, or ``None`` when there is nothing to say. Every finding has a
``message()`` in Markdown, built from those numbers only, so a page can show it with
one line and a test can check each number it states.

- `two_layer_report`: every finding below that concerns a trained two-layer network,
  as `Notice` objects a page only renders;
- `zero_initialization`: a two-layer network started at zero is a constant (tanh,
  relu) or a set of identical units (sigmoid); `zero_initialization_outcome` says so
  before training;
- `cost_scale`: how far the cost really moved, for a chart whose axis zooms in;
- `stuck_near_chance`: a network near chance whose cost has stopped falling, told
  apart from one that is still learning;
- `cost_rises`, `cost_jumps` and `first_logistic_steps`: where the cost rose, and why the very
  first steps of logistic regression overshoot;
- `step_change`, `step_direction` and `logistic_step_directions`: what a gradient step
  changed in the weights, against the mean images of the two classes;
- `tutorial_two_layer_cost`: the tutorial's two-layer cost (only the ``-y log y_hat``
  term) beside the full cross-entropy;
- `dead_units` and `keras_stuck`: relu units that never fire, and a layered network
  whose loss stays high, explained per activation;
- `cross_validation_summary`: folds, mean and spread, all in percent;
- `sweep_status`, `sweep_grid`, `best_run` and `best_run_of_each_cell`: where a sweep
  stands, what its grid says, and which run to show;
- `blank_explanation`: why a network's explanation map is empty for one image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from signviz.models.activations import get_activation, sigmoid

#: Units count as identical when their weights differ by less than this share of the
#: largest weight: in exact arithmetic they are equal, but the matrix products may
#: round each row a little differently (about 1e-11 here).
IDENTICAL_WITHIN = 1e-5
#: From this share of saturated hidden outputs on, a message mentions saturation.
SATURATED_SHARE = 0.5
#: ln 2: the cost of answering 50 % for every image, "chance" for a cost.
CHANCE_COST = math.log(2)


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


@dataclass(frozen=True)
class CostScale:
    """How far the cost really moved, so a zoomed-in axis does not exaggerate it.

    Attributes
    ----------
    kind : {"flat", "moving"}
        ``"flat"`` when the whole curve spans less than ``flat_below`` of its start.
    first, last, lowest, highest : float
    """

    kind: str
    first: float
    last: float
    lowest: float
    highest: float

    @property
    def span(self) -> float:
        """``highest - lowest``: the height of the whole curve."""
        return self.highest - self.lowest

    def message(self, *, stretched: bool = True) -> str:
        """A caption for the cost chart, in Markdown.

        Parameters
        ----------
        stretched : bool, default True
            Whether the chart fits its axis to the curve (plotly's default), so a tiny
            fall fills its height. ``False`` for a chart whose axis is fixed from the
            first cost down (`figures.cost_curve` with ``y_top``): there a flat curve
            is drawn flat.
        """
        if self.kind == "flat" and not stretched:
            return (
                f"The whole curve spans only {self.span:.2g} (from {self.highest:.6g} to "
                f"{self.lowest:.6g}): on this chart's axis, fixed from the first cost, it is a "
                "flat line, and the cost has indeed hardly moved."
            )
        if self.kind == "flat":
            return (
                f"Mind the scale: the whole curve spans only {self.span:.2g} (from "
                f"{self.highest:.6g} to {self.lowest:.6g}). The chart stretches that to its full "
                "height, so a fall this small looks steep; in fact the cost has hardly moved."
            )
        return f"The cost went from {self.first:.4g} to {self.last:.4g} (lowest {self.lowest:.4g})."


def cost_scale(costs, *, flat_below: float = 1e-3) -> CostScale | None:
    """Summarize the height of a cost curve; ``None`` for fewer than 2 costs.

    Parameters
    ----------
    costs : sequence of float, shape (n,)
    flat_below : float, default 1e-3
        A curve whose span is below this fraction of its first cost counts as flat.
    """
    costs = np.asarray(costs, dtype=float)
    costs = costs[np.isfinite(costs)]
    if costs.size < 2:
        return None
    lowest, highest = float(costs.min()), float(costs.max())
    flat = highest - lowest < flat_below * abs(float(costs[0]))
    return CostScale(
        "flat" if flat else "moving", float(costs[0]), float(costs[-1]), lowest, highest
    )


# -- stuck or still learning -----------------------------------------------------------


@dataclass(frozen=True)
class StuckNearChance:
    """A network whose test accuracy is low.

    Attributes
    ----------
    kind : {"stuck", "still_learning"}
        ``"stuck"`` only when the cost has stopped falling; otherwise
        ``"still_learning"``: more iterations would help.
    test_accuracy : float
    recent_fall : float
        How much the cost fell over the last ``window`` iterations, as a fraction of
        the cost ``window`` iterations ago (negative if it rose).
    window : int
    initial_saturation, saturation : float or None
        The share of saturated hidden outputs at the start and now, when known.
    """

    kind: str
    test_accuracy: float
    recent_fall: float
    window: int
    initial_saturation: float | None = None
    saturation: float | None = None

    def message(self) -> str:
        """What to conclude and what to try, in Markdown."""
        saturated = ""
        if self.saturation is not None and self.initial_saturation is not None:
            if max(self.saturation, self.initial_saturation) >= SATURATED_SHARE:
                saturated = (
                    f" {self.initial_saturation:.0%} of the hidden outputs were saturated at the "
                    f"start and {self.saturation:.0%} are now: where the activation is flat its "
                    "slope is almost zero, and so is every gradient that must pass through it."
                )
        if self.kind == "still_learning":
            return (
                f"**Still learning.** Test accuracy is only {self.test_accuracy:.1%}, but the cost "
                f"fell by {self.recent_fall:.2%} over the last {self.window} iterations: training "
                f"has not finished.{saturated} Train for more iterations, or try a larger learning "
                "rate."
            )
        return (
            f"**Stuck near chance.** Test accuracy is {self.test_accuracy:.1%} and the cost fell "
            f"by only {max(self.recent_fall, 0.0):.2%} over the last {self.window} iterations."
            f"{saturated} Try a smaller initial weight scale or learning rate, another seed, or "
            "another activation."
        )


def recent_fall(costs, window: int) -> float:
    """The cost's fall over the last ``window`` iterations, as a fraction.

    Parameters
    ----------
    costs : sequence of float, shape (n,)
    window : int
        Compared: ``costs[-1]`` with ``costs[-1 - window]`` (or the first cost).

    Returns
    -------
    float
        ``(earlier - last) / earlier``: positive while the cost falls; NaN for fewer
        than 2 costs.
    """
    costs = np.asarray(costs, dtype=float)
    if costs.size < 2:
        return float("nan")
    earlier = costs[max(0, costs.size - 1 - int(window))]
    return float((earlier - costs[-1]) / abs(earlier)) if earlier else 0.0


def stuck_near_chance(
    costs,
    test_accuracy: float,
    *,
    below: float = 0.7,
    window: int | None = None,
    still_falling: float = 0.001,
    initial_saturation: float | None = None,
    saturation: float | None = None,
) -> StuckNearChance | None:
    """Whether a low test accuracy means "stuck" or "not finished yet".

    Parameters
    ----------
    costs : sequence of float, shape (n_iterations,)
        ``cost_history_``.
    test_accuracy : float
    below : float, default 0.7
        Test accuracies below this count as near chance.
    window : int, optional
        Iterations to look back; default a tenth of the run, at least 10.
    still_falling : float, default 0.001
        A fall of at least this fraction over the window counts as still learning (a
        stuck network's cost moves by about 1e-6 of itself).
    initial_saturation, saturation : float, optional
        Shares of saturated hidden outputs, reported in the message.

    Returns
    -------
    StuckNearChance or None
        ``None`` when the accuracy is not low, or there are fewer than 2 costs.
    """
    costs = np.asarray(costs, dtype=float)
    if test_accuracy >= below or costs.size < 2:
        return None
    window = max(10, costs.size // 10) if window is None else int(window)
    fall = recent_fall(costs, window)
    kind = "still_learning" if fall >= still_falling else "stuck"
    return StuckNearChance(
        kind,
        float(test_accuracy),
        fall,
        min(window, costs.size - 1),
        initial_saturation,
        saturation,
    )


# -- everything about a trained two-layer network --------------------------------------


@dataclass(frozen=True)
class Notice:
    """A finding put into words, with how loudly a page shows it.

    Attributes
    ----------
    level : {"error", "warning", "info", "success", "caption"}
    text : str
        Markdown.
    icon : str or None
    """

    level: str
    text: str
    icon: str | None = None


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


# -- cost jumps and the first steps of logistic regression -----------------------------


def cost_rises(costs, *, by: float = 0.1) -> list[int]:
    """Where the cost jumped up: the iterations whose cost exceeds the one before by
    more than the fraction ``by``, one per jump (a jump spread over a few iterations
    counts once, at its first).

    Gradient descent with a fixed learning rate can take a step too long for a steep
    spot of the cost: the cost jumps, and the next steps bring it back down.

    Parameters
    ----------
    costs : sequence of float
        The cost before each iteration (``cost_history_``).
    by : float, default 0.1

    Returns
    -------
    list of int
        Iteration numbers, counted from 0 like ``cost_history_``.
    """
    costs = np.asarray(costs, dtype=float)
    if costs.size < 2:
        return []
    rising = np.flatnonzero(costs[1:] > costs[:-1] * (1 + by)) + 1
    first_of_each = np.diff(rising, prepend=-np.inf) > 5
    return [int(iteration) for iteration in rising[first_of_each]]


@dataclass(frozen=True)
class CostJumps:
    """Where a cost curve went up instead of down.

    Attributes
    ----------
    kind : {"jumps"}
    rises : int
        Steps after which the cost was higher than before (of ``steps``).
    last_rise : int
        The last iteration whose cost was higher than the one before.
    steps : int
        Steps taken (costs minus one).
    jumps : tuple of int
        Iterations of the large jumps (`cost_rises`).
    first_jump_cost, cost_before : float
        The cost at the first large jump (iteration ``first_jump``) and just before.
    """

    kind: str
    rises: int
    steps: int
    jumps: tuple[int, ...]
    first_jump_cost: float
    cost_before: float
    last_rise: int

    @property
    def first_jump(self) -> int:
        """The iteration of the first large jump."""
        return self.jumps[0]

    def message(self) -> str:
        """What the jumps are, in Markdown."""
        more = ""
        if len(self.jumps) > 1:
            more = f" (and {len(self.jumps) - 1} more large jump{'s' * (len(self.jumps) > 2)})"
        return (
            f"The cost rose after {self.rises} of the {self.steps} steps, the last time at "
            f"iteration {self.last_rise}; the first large jump, "
            f"at iteration {self.first_jump}, took it from {self.cost_before:.4g} to "
            f"{self.first_jump_cost:.4g}{more}. A step went too far for a steep part of the cost, "
            "like the overshooting steps of chapter 3, and later steps made up for it. A smaller "
            "learning rate gives a smoother curve, and slower training."
        )


def cost_jumps(costs, *, by: float = 0.1) -> CostJumps | None:
    """The rises of a cost curve; ``None`` if it never jumped by more than ``by``.

    Parameters
    ----------
    costs : sequence of float, shape (n,)
        The cost before each iteration (``cost_history_``).
    by : float, default 0.1
        A jump is a rise by more than this fraction (see `cost_rises`).
    """
    costs = np.asarray(costs, dtype=float)
    jumps = cost_rises(costs, by=by)
    if not jumps:
        return None
    first = jumps[0]
    return CostJumps(
        kind="jumps",
        rises=int(np.sum(np.diff(costs) > 0)),
        steps=int(costs.size - 1),
        jumps=tuple(jumps),
        first_jump_cost=float(costs[first]),
        cost_before=float(costs[first - 1]),
        last_rise=int(np.flatnonzero(np.diff(costs) > 0)[-1] + 1),
    )


@dataclass(frozen=True)
class FirstLogisticSteps:
    """Why logistic regression's first steps overshoot: every ``y_hat`` starts near 1.

    Attributes
    ----------
    kind : {"all_near_one", "mixed"}
        ``"all_near_one"`` when every training image starts with ``y_hat > 0.999``.
    initial_weight : float
    lowest_z, highest_z : float
        The range of ``z = w . x`` over the training images at the start.
    smallest_brightness, largest_brightness : float
        The range of the pixel sums (``z`` divided by the initial weight).
    n_features : int
    share_near_one : float
        Share of training images with ``y_hat > 0.999`` at the start.
    """

    kind: str
    initial_weight: float
    lowest_z: float
    highest_z: float
    smallest_brightness: float
    largest_brightness: float
    n_features: int
    share_near_one: float

    def message(self) -> str:
        """Why the first steps overshoot, in Markdown."""
        if self.kind != "all_near_one":
            return (
                f"At the start z lies between {self.lowest_z:.3g} and {self.highest_z:.3g}, and "
                f"{self.share_near_one:.0%} of the images have ŷ above 0.999."
            )
        return (
            f"Why the first steps overshoot: every weight starts at {self.initial_weight:g}, and "
            f"the {self.n_features} pixels of an image add up to between "
            f"{self.smallest_brightness:.0f} and {self.largest_brightness:.0f}, so z starts "
            f"between {self.lowest_z:.1f} and {self.highest_z:.1f}. Every ŷ is then almost "
            "exactly 1: the model is sure of label 1 for every image, the images labelled 0 "
            "cost about z each, and the first gradient is huge. A fixed learning rate turns it "
            "into a huge step that overshoots, and the steps after it swing back and forth."
        )


def first_logistic_steps(X, initial_weight: float = 0.01, *, sure: float = 0.999):
    """Measure the starting ``z`` of logistic regression with every weight equal.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The training images, one flattened image per row.
    initial_weight : float, default 0.01
        Every weight's starting value (the bias starts at 0).
    sure : float, default 0.999

    Returns
    -------
    FirstLogisticSteps
    """
    X = np.asarray(X, dtype=float)
    brightness = X.sum(axis=1)
    z = initial_weight * brightness
    share = float(np.mean(sigmoid(z) > sure))
    return FirstLogisticSteps(
        kind="all_near_one" if share == 1.0 else "mixed",
        initial_weight=float(initial_weight),
        lowest_z=float(z.min()),
        highest_z=float(z.max()),
        smallest_brightness=float(brightness.min()),
        largest_brightness=float(brightness.max()),
        n_features=int(X.shape[1]),
        share_near_one=share,
    )


# -- what a logistic-regression step changed -------------------------------------------


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    a, b = a - a.mean(), b - b.mean()
    norm = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b / norm) if norm else 0.0


@dataclass(frozen=True)
class StepDirection:
    """What a change of the weights looks like, compared with the two classes' images.

    Attributes
    ----------
    kind : {"away_from_label_0", "towards_label_1", "class_difference", "mixed"}
        Which of the three images the change correlates with best (above 0.9), or
        ``"mixed"``.
    with_minus_mean_0 : float
        Correlation with minus the mean image of label 0.
    with_mean_1 : float
        Correlation with the mean image of label 1.
    with_difference : float
        Correlation with the difference ``mean(label 1) - mean(label 0)``.
    label_names : tuple of str
    """

    kind: str
    with_minus_mean_0: float
    with_mean_1: float
    with_difference: float
    label_names: tuple[str, str] = ("label 0", "label 1")

    def message(self) -> str:
        """What the change is, in Markdown."""
        zero, one = self.label_names
        numbers = (
            f"(correlation {self.with_minus_mean_0:.3f} with minus the mean **{zero}** image, "
            f"{self.with_mean_1:.3f} with the mean **{one}** image, {self.with_difference:.3f} "
            "with their difference)"
        )
        if self.kind == "away_from_label_0":
            return (
                f"This change is the mean **{zero}** image, subtracted {numbers}. Every ŷ was near "
                f"1, so only the images labelled 0 had an error (ŷ − y ≈ 1), and the gradient is "
                f"their average: the step lowers the weight of every pixel that is bright in a "
                f"typical **{zero}**, whether or not it tells the digits apart."
            )
        if self.kind == "towards_label_1":
            return (
                f"This change is the mean **{one}** image, added {numbers}. Every ŷ was near 0, so "
                f"only the images labelled 1 had an error (ŷ − y ≈ −1), and the step raises the "
                f"weight of every pixel that is bright in a typical **{one}**."
            )
        if self.kind == "class_difference":
            return (
                f"This change is the difference between the two digits {numbers}: pixels bright in "
                f"a typical **{one}** but not in a typical **{zero}** gain weight, and the reverse "
                "lose it."
            )
        return f"This change mixes the patterns of the two digits {numbers}."


def step_direction(change, X, y, label_names=("label 0", "label 1"), *, clear: float = 0.9):
    """Compare a change of the weights with the mean images of the two classes.

    Parameters
    ----------
    change : array of shape (n_features,) or (1, n_features)
        New weights minus old ones.
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        Labels, 0 or 1 (both present).
    label_names : tuple of str
    clear : float, default 0.9
        A correlation above this names the change's kind.

    Returns
    -------
    StepDirection
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    mean_0, mean_1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    correlations = {
        "away_from_label_0": _correlation(change, -mean_0),
        "towards_label_1": _correlation(change, mean_1),
        "class_difference": _correlation(change, mean_1 - mean_0),
    }
    best = max(correlations, key=correlations.get)
    return StepDirection(
        kind=best if correlations[best] > clear else "mixed",
        with_minus_mean_0=correlations["away_from_label_0"],
        with_mean_1=correlations["towards_label_1"],
        with_difference=correlations["class_difference"],
        label_names=tuple(label_names),
    )


@dataclass(frozen=True)
class StepChange:
    """What the last Step button changed in the weights.

    Attributes
    ----------
    steps : int
        Iterations the click made.
    change : array of shape (n_features,)
        The weights after minus the weights before.
    gradient_norm : float
        The length of the last gradient.
    """

    steps: int
    change: np.ndarray
    gradient_norm: float

    def title(self) -> str:
        """``"What the last step changed"``, or of the last ``steps`` steps."""
        if self.steps == 1:
            return "What the last step changed"
        return f"What the last {self.steps} steps changed"

    def message(self) -> str:
        """The gradient's size and how it moved the weights, in Markdown."""
        return (
            f"The gradient's size was **{self.gradient_norm:.4g}**; each weight moved by "
            "the learning rate times its slope."
        )


def step_change(command: str, before, after, gradient_norm: float) -> StepChange | None:
    """What a Step click changed, or None after any other command.

    Parameters
    ----------
    command : str
        The last button pressed ("Step 1", "Step 10", "Train"...).
    before, after : signviz.trainer.Frame or None
        The frames shown before the click and now (``iteration``, ``weights``).
    gradient_norm : float
        The model's ``gradient_norm_``.
    """
    if not command.startswith("Step") or before is None or after is None:
        return None
    if before.iteration >= after.iteration:
        return None
    change = np.ravel(np.asarray(after.weights, dtype=float) - before.weights)
    return StepChange(int(after.iteration - before.iteration), change, float(gradient_norm))


@dataclass(frozen=True)
class LogisticStepDirections:
    """How logistic regression's weights turn, step after step, from generic to telling.

    Attributes
    ----------
    kind : {"difference_shows", "difference_never_shows"}
    step_with_difference : array of shape (n_iterations,)
        Correlation of each step's change with ``mean(label 1) - mean(label 0)``.
    total_with_difference, total_with_minus_mean_0 : arrays of shape (n_iterations,)
        The same for the total change since the start (weights minus initial weights),
        and its correlation with minus the mean label-0 image.
    difference_shows_at : int or None
        The first iteration (counted from 1) after which the total change resembles
        the class difference more than the mean label-0 image.
    """

    kind: str
    step_with_difference: np.ndarray
    total_with_difference: np.ndarray
    total_with_minus_mean_0: np.ndarray
    difference_shows_at: int | None

    def message(self, label_names=("label 0", "label 1")) -> str:
        """When the digits' difference appears in the weights, in Markdown."""
        zero, one = label_names
        if self.difference_shows_at is None:
            return (
                f"In these {len(self.step_with_difference)} steps the weights' total change never "
                f"came to resemble the difference between **{zero}** and **{one}**."
            )
        at = self.difference_shows_at
        return (
            f"Steps alternate while ŷ swings between about 1 and about 0: one lowers the weights "
            f"of a typical **{zero}**, the next raises those of a typical **{one}**. Added up, the "
            "part the two digits share cancels, and what remains is their difference: from "
            f"iteration {at} on, the total change of the weights resembles the difference "
            f"between the digits (correlation {self.total_with_difference[at - 1]:.2f}) more "
            f"than the mean **{zero}** image ({self.total_with_minus_mean_0[at - 1]:.2f})."
        )


def logistic_step_directions(
    X, y, *, learning_rate: float = 0.01, initial_weight: float = 0.01, n_iterations: int = 150
) -> LogisticStepDirections:
    """Train the tutorial's logistic regression and follow the direction of every step.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    learning_rate, initial_weight : float
    n_iterations : int, default 150

    Returns
    -------
    LogisticStepDirections
    """
    from signviz.models import LogisticRegressionGD

    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    mean_0 = X[y == 0].mean(axis=0).astype(float)
    difference = X[y == 1].mean(axis=0).astype(float) - mean_0
    model = LogisticRegressionGD(learning_rate, n_iterations, initial_weight)
    step, total, total_0 = [], [], []
    previous = start = None
    for _ in range(int(n_iterations)):
        model.partial_fit(X, y, n_iterations=1)
        weights = model.coef_[0].astype(float)
        if start is None:
            start = np.full_like(weights, float(initial_weight))
            previous = start
        step.append(_correlation(weights - previous, difference))
        total.append(_correlation(weights - start, difference))
        total_0.append(_correlation(weights - start, -mean_0))
        previous = weights
        if model.diverged_:
            break
    total, total_0 = np.array(total), np.array(total_0)
    shows = np.flatnonzero(total > total_0)
    at = int(shows[0]) + 1 if shows.size else None
    return LogisticStepDirections(
        kind="difference_shows" if at is not None else "difference_never_shows",
        step_with_difference=np.array(step),
        total_with_difference=total,
        total_with_minus_mean_0=total_0,
        difference_shows_at=at,
    )


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
class CrossValidationSummary:
    """Folds, mean and spread of a cross-validation, in percent.

    Attributes
    ----------
    kind : {"summary"}
    fold_accuracies : tuple of float
        Fractions, one per fold.
    """

    kind: str
    fold_accuracies: tuple[float, ...]

    @property
    def mean(self) -> float:
        """The mean accuracy (a fraction)."""
        return float(np.mean(self.fold_accuracies))

    @property
    def std(self) -> float:
        """The standard deviation of the accuracies (a fraction), numpy's ``std()``."""
        return float(np.std(self.fold_accuracies))

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
    return CrossValidationSummary("summary", values)


# -- a hyperparameter sweep ------------------------------------------------------------


@dataclass(frozen=True)
class SweepGrid:
    """What a sweep's grid says so far.

    Attributes
    ----------
    summary : signviz.sweep.GridSummary
        The grid (``best()``, ``cell()``, ``finished``, ``diverged``, ``test_accuracy``).
    changed : dict of str to (value, tutorial value)
        The settings every run shares that differ from the tutorial's.
    tutorial_cell : tuple of int or None
        Where the tutorial's values of the two axes are on the grid.
    labels : dict of str to str
        Each hyperparameter's name in words.
    """

    summary: object
    changed: dict
    tutorial_cell: tuple[int, int] | None
    labels: dict

    def message(self) -> str:
        """The best cell, the diverged runs, the tutorial's cell and what differs from
        the tutorial, in Markdown."""
        from signviz.sweep import format_value

        summary, names = self.summary, self.labels
        lines = []
        if (best := summary.best()) is not None:
            x_value, y_value, accuracy = best
            lines.append(
                f"Best test accuracy so far: **{accuracy:.1%}**, with {names[summary.x]} "
                f"{format_value(x_value)} and {names[summary.y]} {format_value(y_value)}."
            )
        if diverged := int(summary.diverged.sum()):
            lines.append(
                f"{diverged} of {int(summary.finished.sum())} finished runs diverged (grey): "
                "their steps were too large, so the cost blew up instead of falling."
            )
        cell = self.tutorial_cell
        if cell is None:
            lines.append("The tutorial's values of these two settings are not on this grid.")
        elif summary.finished[cell] and summary.finished[cell] > summary.diverged[cell]:
            lines.append(
                "The tutorial's settings (framed in red) reached "
                f"{summary.test_accuracy[cell]:.1%}."
            )
        if self.changed:
            lines.append(
                "Unlike the tutorial, every run here has "
                + ", ".join(
                    f"{names[name]} {format_value(value)} (the tutorial: {format_value(tutorial)})"
                    for name, (value, tutorial) in self.changed.items()
                )
                + "."
            )
        return "\n\n".join(lines)


def sweep_grid(summary, fixed: dict, tutorial: dict, labels: dict) -> SweepGrid:
    """Findings about a sweep's grid, for the page to put under it.

    Parameters
    ----------
    summary : signviz.sweep.GridSummary
    fixed : dict
        The settings every run shares (``Sweep.fixed``).
    tutorial : dict
        The tutorial's settings of the model.
    labels : dict of str to str
        Each hyperparameter's name in words.
    """
    changed = {
        name: (value, tutorial[name]) for name, value in fixed.items() if value != tutorial[name]
    }
    cell = summary.cell(tutorial[summary.x], tutorial[summary.y])
    return SweepGrid(summary, changed, cell, dict(labels))


@dataclass(frozen=True)
class SweepStatus:
    """Where a sweep stands.

    Attributes
    ----------
    finished, total, running : int
        Runs finished, planned and running now.
    place : int or None
        Its place in the queue of the shared workers (1: next), None once it runs.
    done, stopped : bool
    error : str or None
        Why it failed.
    """

    finished: int
    total: int
    running: int
    place: int | None
    done: bool
    stopped: bool
    error: str | None

    def notices(self) -> list[Notice]:
        """A failure, a wait in the queue, or a stop, put into words."""
        if self.error is not None:
            return [Notice("error", f"The sweep failed: {self.error}")]
        if not self.done and self.place is not None:
            ahead = (
                "yours is next" if self.place == 1 else f"{self.place - 1} sweeps ahead of yours"
            )
            text = f"Every worker is busy with other learners' runs: {ahead} in the queue."
            return [Notice("info", text, "⏳")]
        if self.done and self.stopped and self.finished < self.total:
            text = f"Stopped: {self.finished} of {self.total} runs finished, and they are kept."
            return [Notice("info", text, "⏸️")]
        return []

    def progress(self) -> tuple[float, str] | None:
        """The share of runs finished and its line, while the sweep is going."""
        if self.error is not None or self.done:
            return None
        text = f"{self.finished} of {self.total} runs finished, {self.running} running"
        return self.finished / self.total, text


def sweep_status(job) -> SweepStatus:
    """Where ``job`` (a `signviz.sweep.SweepJob`) stands."""
    return SweepStatus(
        finished=len(job.results),
        total=int(job.total),
        running=int(job.running),
        place=None if job.done else job.place_in_queue,
        done=bool(job.done),
        stopped=bool(job.stopped),
        error=None if job.error is None else str(job.error),
    )


def best_run(results):
    """The most accurate run; a diverged one only if every run diverged.

    Parameters
    ----------
    results : non-empty sequence of signviz.sweep.RunResult
    """
    return max(results, key=lambda result: (not result.diverged, result.test_accuracy))


def best_run_of_each_cell(results, summary) -> dict[tuple[int, int], int]:
    """``(column, row)`` of each grid cell -> the index of its best run (see `best_run`).

    Parameters
    ----------
    results : sequence of signviz.sweep.RunResult
    summary : signviz.sweep.GridSummary
    """
    cells: dict[tuple[int, int], list] = {}
    for result in results:
        column = summary.x_values.index(result.settings[summary.x])
        row = summary.y_values.index(result.settings[summary.y])
        cells.setdefault((column, row), []).append(result)
    return {cell: best_run(runs).index for cell, runs in cells.items()}


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
