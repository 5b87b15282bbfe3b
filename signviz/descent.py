"""Gradient descent on one weight: the picture behind every training loop.

The cost of a real model depends on thousands of weights; here it depends on one, so
each step can be drawn. The cost is a bowl (a parabola)::

    J(w)  = curvature / 2 * (w - minimum_weight)**2 + minimum_cost
    J'(w) = curvature * (w - minimum_weight)          (the slope)
    J''   = curvature                                  (the same everywhere)

and each step of gradient descent moves the weight against the slope::

    w <- w - learning_rate * J'(w)

Subtracting ``minimum_weight`` from both sides shows what one step does to the
distance to the minimum: it multiplies it by the *factor* ``1 - learning_rate * J''``.
That one number decides everything (`classify_learning_rate`):

- factor in (0.9, 1): each step covers less than a tenth of the remaining way: crawling;
- factor in [0, 0.9]: the weight slides down one side of the bowl: converging;
- factor in (-1, 0): each step jumps over the minimum, but lands closer: overshooting;
- factor <= -1: each step lands at least as far away as it started: diverging.

The default bowl has ``curvature = 0.5``, so the tutorial's learning rate 1 halves the
distance at each step, and the four regimes sit at learning rates below 0.2, 0.2 to 2,
2 to 4, and 4 or more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from signviz.validation import check_finite, check_positive

#: Below this fraction of the remaining way per step, descent is said to crawl.
CRAWLING_FRACTION = 0.1
#: A run stops, flagged as diverged, once ``|w|`` or the cost exceeds this.
DEFAULT_BOUND = 1e6


class Regime(StrEnum):
    """How gradient descent behaves on a bowl for a given learning rate."""

    CRAWLING = "crawling"
    CONVERGING = "converging"
    OVERSHOOTING = "overshooting"
    DIVERGING = "diverging"


#: ``learning_rate * J''`` in the middle of each regime (see `example_learning_rate`).
_EXAMPLE_PRODUCTS = {
    Regime.CRAWLING: 0.025,
    Regime.CONVERGING: 0.5,
    Regime.OVERSHOOTING: 1.5,
    Regime.DIVERGING: 2.25,
}


@dataclass(frozen=True)
class QuadraticCost:
    """A bowl-shaped cost of one weight: ``J(w) = curvature / 2 * (w - w_min)**2 + J_min``.

    Besides its value and slope, the bowl answers every question about gradient descent
    on it: `descend` runs it, `classify` names the regime of a learning rate, and so on.
    They are methods so that another shape of cost can answer them its own way.

    Parameters
    ----------
    curvature : float, default 0.5
        ``J''``, the second derivative: how steep the bowl's walls get.
    minimum_weight : float, default 1.3
        ``w_min``, where the cost is lowest (the tutorial's example ends near 1.3).
    minimum_cost : float, default 0.3
        ``J_min``, the lowest cost.
    """

    curvature: float = 0.5
    minimum_weight: float = 1.3
    minimum_cost: float = 0.3

    def __post_init__(self):
        check_positive("curvature", self.curvature)
        check_finite("minimum_weight", self.minimum_weight)
        check_finite("minimum_cost", self.minimum_cost)

    def cost(self, weight: float) -> float:
        """``J(w)``; infinite (never an overflow warning) for astronomically large ``w``."""
        distance = float(weight) - self.minimum_weight
        return self.curvature / 2 * distance * distance + self.minimum_cost

    def slope(self, weight: float) -> float:
        """``J'(w) = curvature * (w - minimum_weight)``."""
        return self.curvature * (float(weight) - self.minimum_weight)

    def costs(self, weights: np.ndarray) -> np.ndarray:
        """``J`` at each weight.

        Parameters
        ----------
        weights : array of shape (n,)

        Returns
        -------
        array of shape (n,)
        """
        distances = np.asarray(weights, dtype=float) - self.minimum_weight
        return self.curvature / 2 * distances**2 + self.minimum_cost

    def slopes(self, weights: np.ndarray) -> np.ndarray:
        """``J'`` at each weight.

        Parameters
        ----------
        weights : array of shape (n,)

        Returns
        -------
        array of shape (n,)
        """
        return self.curvature * (np.asarray(weights, dtype=float) - self.minimum_weight)

    def descend(
        self,
        start: float = 5.0,
        learning_rate: float = 1.0,
        n_steps: int = 10,
        *,
        bound: float = DEFAULT_BOUND,
    ) -> DescentRun:
        """Take ``n_steps`` steps ``w <- w - learning_rate * J'(w)`` from ``start``.

        The run stops early, with ``diverged`` set, as soon as a step would take ``|w|``
        or the cost past ``bound``: a runaway run never overflows or warns.

        Parameters
        ----------
        start : float, default 5.0
            The first weight (the tutorial's example starts at 5).
        learning_rate : float, default 1.0
            ``alpha``, positive (the tutorial's example uses 1).
        n_steps : int, default 10
            Steps to take, at least 1.
        bound : float, default 1e6
            Largest ``|w|`` and cost a run may reach before it counts as diverged.

        Returns
        -------
        DescentRun
            With ``n_steps + 1`` rows, or fewer if it diverged.

        Raises
        ------
        ValueError
            For a non-finite start, a learning rate that is not a positive number, a
            number of steps that is not a positive whole number, a bound that is not
            positive, or a start already past the bound.
        """
        check_finite("start", start)
        check_positive("learning_rate", learning_rate)
        check_positive("n_steps", n_steps, integer=True)
        check_positive("bound", bound)
        if not self._within(float(start), bound):
            raise ValueError(
                f"start={start} is already past the bound {bound:g} (on |w| or on its cost "
                f"{self.cost(start):.4g}); start closer to the minimum."
            )
        weights = [float(start)]
        diverged = False
        for _ in range(int(n_steps)):
            weight = weights[-1]
            following = weight - learning_rate * self.slope(weight)
            if not self._within(following, bound):
                diverged = True
                break
            weights.append(following)
        weights = np.array(weights)
        return DescentRun(
            cost_function=self,
            learning_rate=float(learning_rate),
            weights=weights,
            slopes=self.slopes(weights),
            costs=self.costs(weights),
            diverged=diverged,
            bound=float(bound),
        )

    def contraction_factor(self, learning_rate: float) -> float:
        """``1 - learning_rate * J''``: each step multiplies the distance to the minimum by it.

        Parameters
        ----------
        learning_rate : float
            Positive.
        """
        check_positive("learning_rate", learning_rate)
        return 1.0 - learning_rate * self.curvature

    def classify(self, learning_rate: float) -> Regime:
        """Crawling, converging, overshooting or diverging, from ``factor = 1 - alpha * J''``.

        - crawling: ``factor > 0.9``, each step covers under a tenth of the way left;
        - converging: ``0 <= factor <= 0.9`` (``factor = 0`` lands on the minimum at once);
        - overshooting: ``-1 < factor < 0``, it jumps over the minimum but lands closer;
        - diverging: ``factor <= -1``, no step gets closer (at exactly -1 the weight
          bounces between two points forever; below, it flies off).

        A learning rate within 1e-12 (relative) of a boundary counts as on it, so that
        rounding never moves a boundary value such as ``2 / J''`` to the wrong side.

        Parameters
        ----------
        learning_rate : float
            Positive.
        """
        check_positive("learning_rate", learning_rate)
        product = learning_rate * self.curvature  # 1 - factor
        if _at_least(product, 2):
            return Regime.DIVERGING
        if product > 1 and not math.isclose(product, 1, rel_tol=1e-12):
            return Regime.OVERSHOOTING
        if _at_least(product, CRAWLING_FRACTION):
            return Regime.CONVERGING
        return Regime.CRAWLING

    def steps_needed(self, learning_rate: float, *, remaining: float = 0.01) -> float:
        """Steps until the distance to the minimum is at most ``remaining`` of what it was.

        Solves ``|factor| ** n <= remaining`` for the smallest whole ``n``.

        Parameters
        ----------
        learning_rate : float
            Positive.
        remaining : float, default 0.01
            The fraction of the starting distance still to go, between 0 and 1.

        Returns
        -------
        float
            A whole number of steps (1 when a step lands on the minimum), or ``math.inf``
            when the run never gets there (diverging).
        """
        check_positive("remaining", remaining)
        if remaining >= 1:
            raise ValueError(f"remaining must be a fraction below 1, got {remaining!r}.")
        factor = abs(self.contraction_factor(learning_rate))
        if factor >= 1 or self.classify(learning_rate) is Regime.DIVERGING:
            return math.inf  # a tiny learning rate can round the factor to exactly 1
        if factor <= remaining:
            return 1.0
        return float(math.ceil(math.log(remaining) / math.log(factor) - 1e-9))

    def regime_boundaries(self) -> dict[Regime, float]:
        """Where each regime but crawling (which starts at 0) begins.

        Converging and diverging include their boundary; overshooting does not (at
        ``1 / J''`` one step lands exactly on the minimum, which counts as converging).

        Returns
        -------
        dict
            ``{Regime.CONVERGING: 0.1 / J'', Regime.OVERSHOOTING: 1 / J'',
            Regime.DIVERGING: 2 / J''}``: 0.2, 2 and 4 for the default bowl.
        """
        return {
            Regime.CONVERGING: CRAWLING_FRACTION / self.curvature,
            Regime.OVERSHOOTING: 1 / self.curvature,
            Regime.DIVERGING: 2 / self.curvature,
        }

    def example_learning_rate(self, regime: Regime | str) -> float:
        """A learning rate well inside ``regime`` on this bowl.

        For the default bowl: crawling 0.05, converging 1 (the tutorial's), overshooting
        3, diverging 4.5.

        Parameters
        ----------
        regime : Regime or str
            ``"crawling"``, ``"converging"``, ``"overshooting"`` or ``"diverging"``.
        """
        try:
            regime = Regime(regime)
        except ValueError:
            choices = ", ".join(repr(known.value) for known in Regime)
            raise ValueError(f"Unknown regime {regime!r}: choose one of {choices}.") from None
        return _EXAMPLE_PRODUCTS[regime] / self.curvature

    def _within(self, weight: float, bound: float) -> bool:
        return math.isfinite(weight) and abs(weight) <= bound and self.cost(weight) <= bound


DEFAULT_COST = QuadraticCost()
"""The bowl of the chapter and of the module's functions: curvature 0.5, minimum at 1.3."""


@dataclass(frozen=True)
class DescentRun:
    """The steps of one gradient-descent run on a `QuadraticCost`.

    Row ``i`` of the arrays is iteration ``i``: the weight after ``i`` steps, the
    slope there, and the cost there; row 0 is the start.

    Attributes
    ----------
    cost_function : QuadraticCost
    learning_rate : float
    weights : array of shape (n_points,)
    slopes : array of shape (n_points,)
    costs : array of shape (n_points,)
    diverged : bool
        True when the run stopped early because the next weight or its cost went
        past ``bound``; the arrays then end at the last point within it.
    bound : float
    """

    cost_function: QuadraticCost
    learning_rate: float
    weights: np.ndarray
    slopes: np.ndarray
    costs: np.ndarray
    diverged: bool
    bound: float

    @property
    def iterations(self) -> np.ndarray:
        """0, 1, ... one per row, shape (n_points,)."""
        return np.arange(len(self.weights))

    @property
    def factor(self) -> float:
        """``1 - learning_rate * J''``: what each step multiplies the distance to the minimum by."""
        return self.cost_function.contraction_factor(self.learning_rate)

    @property
    def regime(self) -> Regime:
        """The regime of this learning rate on this bowl (see `classify_learning_rate`)."""
        return self.cost_function.classify(self.learning_rate)

    def table(self) -> dict[str, np.ndarray]:
        """The steps as columns (iteration, w, slope, cost), each of shape (n_points,)."""
        return {
            "iteration": self.iterations,
            "w": self.weights,
            "slope J'(w)": self.slopes,
            "cost J(w)": self.costs,
        }


def gradient_descent(
    start: float = 5.0,
    learning_rate: float = 1.0,
    n_steps: int = 10,
    cost_function: QuadraticCost = DEFAULT_COST,
    *,
    bound: float = DEFAULT_BOUND,
) -> DescentRun:
    """`QuadraticCost.descend` on ``cost_function``, by default the chapter's bowl."""
    return cost_function.descend(start, learning_rate, n_steps, bound=bound)


def contraction_factor(learning_rate: float, cost_function: QuadraticCost = DEFAULT_COST) -> float:
    """`QuadraticCost.contraction_factor` on ``cost_function``, by default the chapter's bowl."""
    return cost_function.contraction_factor(learning_rate)


def classify_learning_rate(
    learning_rate: float, cost_function: QuadraticCost = DEFAULT_COST
) -> Regime:
    """`QuadraticCost.classify` on ``cost_function``, by default the chapter's bowl."""
    return cost_function.classify(learning_rate)


def steps_needed(
    learning_rate: float, cost_function: QuadraticCost = DEFAULT_COST, *, remaining: float = 0.01
) -> float:
    """`QuadraticCost.steps_needed` on ``cost_function``, by default the chapter's bowl."""
    return cost_function.steps_needed(learning_rate, remaining=remaining)


def regime_boundaries(cost_function: QuadraticCost = DEFAULT_COST) -> dict[Regime, float]:
    """`QuadraticCost.regime_boundaries` of ``cost_function``, by default the chapter's bowl."""
    return cost_function.regime_boundaries()


def example_learning_rate(
    regime: Regime | str, cost_function: QuadraticCost = DEFAULT_COST
) -> float:
    """`QuadraticCost.example_learning_rate` on ``cost_function``, by default the chapter's."""
    return cost_function.example_learning_rate(regime)


def regime_message(run: DescentRun) -> str:
    """What a run does, in Markdown, in the words of the trip from Paris to Madrid.

    A run that starts exactly at the minimum gets its own message: the slope there is
    zero, so no learning rate moves it.

    Parameters
    ----------
    run : DescentRun
    """
    cost = run.cost_function
    if run.weights[0] == cost.minimum_weight:
        return (
            f"**Already at the minimum.** At w = {cost.minimum_weight:g} the slope is 0, so every "
            "step is 0 × the learning rate: w never moves, whatever the speed. You are in Madrid "
            "before leaving Paris; start elsewhere to see the learning rate at work."
        )
    factor = f"{run.factor:.3g}"
    steps = cost.steps_needed(run.learning_rate)
    if run.regime is Regime.CRAWLING:
        return (
            f"**Crawling.** Each step keeps {factor} of the distance to the minimum, so it "
            f"takes {steps:.0f} steps to get 99 % of the way there. Madrid is reached, "
            "eventually: far too slowly."
        )
    if run.regime is Regime.CONVERGING:
        return (
            f"**Converging.** Each step keeps {factor} of the distance to the minimum, always "
            f"from the same side: 99 % of the way in {steps:.0f} step(s). A good speed."
        )
    if run.regime is Regime.OVERSHOOTING:
        return (
            f"**Overshooting.** Each step jumps past the minimum to the other side (factor "
            f"{factor}), but lands closer than it started: 99 % of the way in {steps:.0f} "
            "steps, zigzagging. Too fast to be comfortable, yet it arrives."
        )
    ending = " The run left the chart and was stopped." if run.diverged else ""
    return (
        f"**Diverging.** The factor is {factor}: every step lands at least as far from the "
        f"minimum as it started, on the other side, so the cost never falls.{ending} Going this "
        "fast, you never reach Madrid."
    )


@dataclass(frozen=True)
class TutorialWalk:
    """The tutorial's hand-made example of gradient descent, and the bowl it implies.

    The tutorial walks one weight from 5 to 2 to 1.3 with a learning rate of 1, quoting
    a cost and a slope at each point. On a bowl the slope is a straight line in ``w``,
    so the first two slopes fix the bowl; that bowl then predicts the third slope and
    the costs, and they are far from the quoted ones: the numbers are illustrative,
    not read off one curve.

    Attributes
    ----------
    weights, costs, slopes : tuple of float, shape (3,)
        As the tutorial writes them.
    bowl : QuadraticCost
        The only bowl whose slope is 3 at w = 5 and 0.7 at w = 2 (its lowest cost is
        set to the tutorial's last cost).
    """

    weights: tuple[float, ...] = (5.0, 2.0, 1.3)
    costs: tuple[float, ...] = (1.5, 0.4, 0.3)
    slopes: tuple[float, ...] = (3.0, 0.7, 0.01)

    @property
    def bowl(self) -> QuadraticCost:
        """The bowl through the first two (weight, slope) pairs."""
        (w1, w2), (s1, s2) = self.weights[:2], self.slopes[:2]
        curvature = (s1 - s2) / (w1 - w2)
        return QuadraticCost(curvature, w1 - s1 / curvature, self.costs[-1])

    def steps_follow_slopes(self) -> bool:
        """Whether each quoted step is ``w - 1 * slope``, as the update rule says."""
        return all(
            math.isclose(after, before - slope, abs_tol=1e-9)
            for before, after, slope in zip(
                self.weights, self.weights[1:], self.slopes, strict=False
            )
        )

    def table(self) -> dict[str, list[float]]:
        """The quoted walk beside what the bowl through its first two slopes gives there."""
        bowl = self.bowl
        return {
            "w": list(self.weights),
            "tutorial's cost": list(self.costs),
            "bowl's cost": [bowl.cost(w) for w in self.weights],
            "tutorial's slope": list(self.slopes),
            "bowl's slope": [bowl.slope(w) for w in self.weights],
        }


def _at_least(value: float, limit: float) -> bool:
    return value >= limit or math.isclose(value, limit, rel_tol=1e-12)
