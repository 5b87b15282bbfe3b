"""Training that can be watched: a model advances in chunks, with a look after each.

A page that redrew its charts after every iteration would spend its time drawing;
one that redrew only at the end would show nothing live. `train_in_chunks` sizes each
chunk of iterations so that a redraw comes about every ``interval`` seconds, and
stretches the interval when drawing itself is slow, so drawing never takes more than
``max_drawing_share`` of the time.

Time is the training thread's CPU time, not the wall clock. Alone on a machine the two
agree. When several sessions train at once, each gets a share of the cores: on the wall
clock each would redraw as often as alone while training slower, so every session
would draw several times as many frames (and its browser render them), making the
crowd slower still. On CPU time a training draws the same frames however crowded the
machine is, just further apart.

A crowded machine goes further: when the thread gets only a share of a core (its CPU
time over the wall time of the last chunk), the interval is divided by that share.
Four sessions on two cores then draw half as many frames each: the cores go to
training, and every learner's run ends sooner.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrainingRun:
    """What a call of `train_in_chunks` did.

    Attributes
    ----------
    iterations : int
        Iterations trained (fewer than asked if training diverged or was stopped).
    redraws : int
        Calls of ``on_progress``.
    training_seconds, drawing_seconds : float
        Time spent in ``partial_fit`` and in ``on_progress``, on the ``clock`` given (the
        thread's CPU time by default).
    stopped : bool
        Whether ``on_progress`` asked to stop.
    """

    iterations: int
    redraws: int
    training_seconds: float
    drawing_seconds: float
    stopped: bool


def train_in_chunks(
    model,
    X,
    y,
    n_iterations: int,
    on_progress: Callable[[object], bool | None] | None = None,
    *,
    interval: float = 0.4,
    max_drawing_share: float = 0.1,
    clock: Callable[[], float] = time.thread_time,
    wall_clock: Callable[[], float] = time.perf_counter,
) -> TrainingRun:
    """Train ``model`` for ``n_iterations`` more iterations, calling ``on_progress`` as it goes.

    Parameters
    ----------
    model
        A model with ``partial_fit(X, y, n_iterations)``, ``n_iter_`` and ``diverged_``
        (the from-scratch models of :mod:`signviz.models`).
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    n_iterations : int
        How many iterations to add.
    on_progress : callable(model) -> bool, optional
        Called after the first iteration, then about every ``interval`` seconds, and
        once at the end; a true result stops training.
    interval : float, default 0.4
        Seconds of training (on ``clock``) between two calls of ``on_progress``: two
        or three redraws a second look live, and each costs the browser more than it
        costs the server (measured: a live chart redraw takes Chromium about 0.1 s of
        CPU), so more would slow down everything sharing the machine.
    max_drawing_share : float, default 0.1
        When ``on_progress`` is slow, calls are spaced so that it takes at most this
        share of the total time.
    clock : callable, default time.thread_time
        The CPU time of the calling thread (numpy's BLAS must compute in this thread,
        as the app's single BLAS thread does, for its work to count).
    wall_clock : callable, default time.perf_counter
        The wall clock, to tell the thread's share of a core.

    Returns
    -------
    TrainingRun
    """
    if not 0 < max_drawing_share < 1:
        raise ValueError(f"max_drawing_share must be between 0 and 1, got {max_drawing_share}.")
    done = redraws = 0
    training = drawing = 0.0
    chunk = 1  # the first chunk measures the speed and shows the first point at once
    spacing = interval
    stopped = False
    while done < n_iterations and not getattr(model, "diverged_", False) and not stopped:
        started, wall_started = clock(), wall_clock()
        before = getattr(model, "n_iter_", 0)
        model.partial_fit(X, y, n_iterations=min(chunk, n_iterations - done))
        elapsed = clock() - started
        share = min(1.0, elapsed / max(wall_clock() - wall_started, 1e-9))
        advanced = model.n_iter_ - before
        done += advanced
        training += elapsed
        if on_progress is not None:
            started = clock()
            stopped = bool(on_progress(model))
            cost = clock() - started
            drawing += cost
            redraws += 1
            spacing = max(interval, cost * (1 - max_drawing_share) / max_drawing_share)
        seconds_per_iteration = elapsed / max(advanced, 1)
        chunk = max(1, int(spacing / max(share, 1e-3) / max(seconds_per_iteration, 1e-9)))
    return TrainingRun(done, redraws, training, drawing, stopped)


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
