"""Logistic regression's first steps, and what one gradient step changed in its weights."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from signviz.models.activations import sigmoid


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
