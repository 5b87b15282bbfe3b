"""What a cost curve says: how far it really moved, whether it is stuck near chance or
still learning, and where it rose."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: From this share of saturated hidden outputs on, a message mentions saturation.
SATURATED_SHARE = 0.5
#: ln 2: the cost of answering 50 % for every image, "chance" for a cost.
CHANCE_COST = math.log(2)


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
