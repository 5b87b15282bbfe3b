"""One live trainer for every model: a worker thread, commands, and immutable snapshots.

A page never trains a model itself, and never reads a model that is being trained. Each
browser session owns one `Trainer` per chapter; the trainer's worker thread owns the
model and takes commands (the same on every chapter):

- **train**: a new model from the current settings, trained for the planned iterations;
- **pause**: stop after the update in progress; nothing changes afterwards;
- **resume** (the page's Continue): go on with the same model up to a new total, with a
  new learning rate if the learner changed it;
- **step**: exactly 1 or 10 more updates (epochs for Keras);
- **reset**: forget the model.

Between two updates the worker publishes a `Snapshot`: the iteration, every cost so far,
train and test accuracy, the weights the page draws, the state. A snapshot is frozen and
its arrays are read-only copies, so what a page shows beside "iteration N" is exactly
the state of iteration N. The worker also keeps a bounded history of `Frame` objects
(at most ``history_size`` evenly spaced, weights in float32) that the page can scrub
back through once training pauses or ends.

Costs: ``snapshot.costs[k]`` is the training cost of the parameters after ``k``
updates, for ``k = 0 .. iteration``; ``costs[0]`` is the cost of the initial parameters
(the tutorial's 14.01) and ``costs[-1]`` the cost of the parameters shown. (A diverged
run ends with the last finite cost, at ``diverged_at``.)

Resources: a `CoreLimiter` shared by the whole server lets at most ``capacity`` runs
train at once (default: twice the cores); the others wait in line, and their snapshot
says ``state == "queued"`` with their ``place``. A paced run that turns out to spend
most of its time waiting for its pace (the tutorial's logistic regression computes for
a few hundredths of a second in its three) gives its core back and goes on as a "light"
run: a room of learners pressing Train together then never waits in line behind runs
that are only pacing themselves. A worker whose session has ended
(``is_alive()`` false for ``grace`` seconds) stops, and lets go of its model and history.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

#: Trainer states, as a snapshot reports them.
EMPTY, QUEUED, RUNNING, PAUSED, DONE, DIVERGED, FAILED, ENDED = (
    "empty", "queued", "running", "paused", "done", "diverged", "failed", "ended",
)  # fmt: skip
ACTIVE_STATES = (QUEUED, RUNNING)

logger = logging.getLogger(__name__)
#: Seconds between two redraws of a page while its training runs, alone on the server:
#: six or seven a second, so that a browser shows at least four even when its redraws
#: take longer than usual (see `signviz.ui.redraw_every`).
REDRAW_SECONDS = 0.15
#: The longest wait between two redraws however crowded the server: a 3-second run
#: still shows its cost falling in three steps.
MAX_REDRAW_SECONDS = 1.0
#: A paced run whose worker thread used less CPU time than this share of its time gives
#: its core back (see `CoreLimiter.lend`), once it has run for `LIGHT_AFTER_SECONDS`.
LIGHT_SHARE = 0.25
LIGHT_AFTER_SECONDS = 0.3


def _frozen(array, dtype=np.float32) -> np.ndarray:
    copied = np.array(array, dtype=dtype, copy=True)
    copied.flags.writeable = False
    return copied


@dataclass(frozen=True, eq=False)
class Frame:
    """The model at one iteration, as the page shows it.

    Attributes
    ----------
    iteration : int
        Updates (or epochs) done.
    cost : float
        Training cost of these parameters.
    train_accuracy, test_accuracy : float
    test_probabilities : array of shape (n_test,)
        The probability of label 1 for each test image (float32).
    weights : array
        What the page draws (e.g. ``(n_features,)`` or ``(units, n_features)``), float32.
    """

    iteration: int
    cost: float
    train_accuracy: float
    test_accuracy: float
    test_probabilities: np.ndarray
    weights: np.ndarray

    @property
    def nbytes(self) -> int:
        return int(self.test_probabilities.nbytes + self.weights.nbytes)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What a trainer published last: everything a page draws, consistent with itself.

    Attributes
    ----------
    state : str
        ``"empty"`` (no model), ``"queued"`` (waiting for a free core), ``"running"``,
        ``"paused"``, ``"done"``, ``"diverged"``, ``"failed"`` or ``"ended"`` (the
        session is gone).
    run : int
        Counts the Train and Reset commands: a page knows a new run started.
    frame : Frame or None
        The model now (None without a model).
    costs : array of shape (iteration + 1,)
        ``costs[k]``: the cost after ``k`` updates (read-only).
    planned : int
        The iteration the current run is heading for (fixes the chart's x axis).
    first_cost : float or None
        The run's first cost (fixes the chart's y axis).
    start : Frame or None
        The run's first frame (iteration 0): the initial weights.
    history : tuple of Frame
        Evenly spaced frames of this run, in order, for scrubbing back.
    learning_rate : float or None
    diverged_at : int or None
    message : str or None
        Why training diverged, or the error that stopped it.
    place : int or None
        Place in the line when queued (1: next).
    seconds : float
        Time spent training this model (no waiting or pacing).
    model : object or None
        A copy of the model, taken when the worker stopped (None while it runs): the
        page's sections that need the model itself read this one, never the live one.
    """

    state: str = EMPTY
    run: int = 0
    frame: Frame | None = None
    costs: np.ndarray = field(default_factory=lambda: _frozen([], np.float64))
    planned: int = 0
    first_cost: float | None = None
    start: Frame | None = None
    history: tuple = ()
    learning_rate: float | None = None
    diverged_at: int | None = None
    message: str | None = None
    place: int | None = None
    seconds: float = 0.0
    model: object = None

    @property
    def iteration(self) -> int:
        return 0 if self.frame is None else self.frame.iteration

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    def frame_at(self, iteration: int) -> Frame | None:
        """The frame of ``iteration`` among the history and the current frame."""
        for frame in (*self.history, self.frame):
            if frame is not None and frame.iteration == iteration:
                return frame
        return None

    @property
    def scrub_frames(self) -> list[Frame]:
        """The history with the current frame at its end: what a scrub slider offers."""
        frames = list(self.history)
        if self.frame is not None and (not frames or frames[-1].iteration != self.iteration):
            frames.append(self.frame)
        return frames


class CoreLimiter:
    """At most ``capacity`` trainings at once, server-wide; the others wait in line (FIFO).

    Parameters
    ----------
    capacity : int, optional
        Default: twice the machine's cores.
    """

    def __init__(self, capacity: int | None = None):
        if capacity is None:
            capacity = 2 * (os.cpu_count() or 1)
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}.")
        self.capacity = int(capacity)
        self._condition = threading.Condition()
        self._running: set[int] = set()
        self._light: set[int] = set()
        self._line: list[int] = []

    def acquire(
        self,
        ticket: int,
        keep_waiting: Callable[[], bool],
        on_wait: Callable[[int], None] | None = None,
        poll: float = 0.1,
    ) -> bool:
        """Wait for a free core; False if ``keep_waiting()`` turned false first.

        ``on_wait(place)`` is called while waiting, whenever the place in line changes.
        """
        with self._condition:
            self._line.append(ticket)
            last_place = None
            try:
                while True:
                    if self._line[0] == ticket and len(self._running) < self.capacity:
                        self._line.pop(0)
                        self._running.add(ticket)
                        return True
                    place = self._line.index(ticket) + 1
                    if place != last_place and on_wait is not None:
                        on_wait(place)
                        last_place = place
                    if not keep_waiting():
                        return False
                    self._condition.wait(poll)
            finally:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._condition.notify_all()

    def lend(self, ticket: int) -> None:
        """Give back the core of a run that keeps running, but mostly waits (a light run).

        It no longer counts in `running` (the next in line may start), still in `training`.
        """
        with self._condition:
            if ticket in self._running:
                self._running.discard(ticket)
                self._light.add(ticket)
            self._condition.notify_all()

    def release(self, ticket: int) -> None:
        with self._condition:
            self._running.discard(ticket)
            self._light.discard(ticket)
            self._condition.notify_all()

    @property
    def running(self) -> int:
        """Trainings holding a core now."""
        with self._condition:
            return len(self._running)

    @property
    def training(self) -> int:
        """Trainings under way now: those holding a core and the light ones."""
        with self._condition:
            return len(self._running) + len(self._light)

    @property
    def waiting(self) -> int:
        """Trainings waiting in line now."""
        with self._condition:
            return len(self._line)


def wait_until(target: float, interrupt: threading.Event) -> bool:
    """Wait until ``time.perf_counter()`` reaches ``target``, or ``interrupt`` is set.

    Returns whether the wait was interrupted. The clock is read once per wait, so the
    time left is never negative by the time it is used (a thread preempted between two
    readings would otherwise ask for a negative sleep: ``ValueError``).
    """
    while True:
        left = target - time.perf_counter()
        if left <= 0:
            return interrupt.is_set()
        if interrupt.wait(left):
            return True


def redraw_seconds(limiter: CoreLimiter | None = None) -> float:
    """Seconds between two redraws of a live page: `REDRAW_SECONDS` while at most one
    training per two cores is under way, and beyond that as many times longer as there
    are trainings per two cores, up to `MAX_REDRAW_SECONDS`.

    Each redraw costs the server a run of the page's fragment and the learner's browser
    more (Chromium re-renders every element the fragment sends); on a shared machine
    browsers and trainings compete for the same cores. Stretched this way, the pages of
    a crowd together redraw about as often as one page alone: four sessions on two cores
    each redraw a quarter as often, and their trainings end sooner. Light runs count too:
    in a classroom, thirty pages redrawing several times a second would cost the server
    more than their trainings.
    """
    limiter = limiter if limiter is not None else server_limiter()
    crowd = limiter.training / max(1.0, (os.cpu_count() or 1) / 2)
    return min(MAX_REDRAW_SECONDS, REDRAW_SECONDS * max(1.0, crowd))


_SERVER_LIMITER: CoreLimiter | None = None
_SERVER_LIMITER_LOCK = threading.Lock()


def server_limiter() -> CoreLimiter:
    """The limiter every session of this process shares (created on first use)."""
    global _SERVER_LIMITER
    with _SERVER_LIMITER_LOCK:
        if _SERVER_LIMITER is None:
            _SERVER_LIMITER = CoreLimiter()
        return _SERVER_LIMITER


_LIVE_WORKERS: set[threading.Thread] = set()
_TICKETS = iter(range(1, 2**62))


def live_workers() -> int:
    """How many trainer worker threads are alive in this process (a status to check)."""
    return sum(thread.is_alive() for thread in list(_LIVE_WORKERS))


class _History:
    """Frames of a run, evenly spaced, at most ``size`` of them and ``max_bytes`` in all."""

    def __init__(self, size: int, max_bytes: float):
        self.size = size
        self.max_bytes = max_bytes
        self.stride = 1
        self.frames: list[Frame] = []

    def plan(self, total: int, entry_bytes: int) -> None:
        """Space the frames so that a run of ``total`` iterations fits."""
        limit = self.limit(entry_bytes)
        while math.ceil(total / self.stride) + 1 > limit:
            self.stride *= 2
        self._thin(limit)

    def limit(self, entry_bytes: int) -> int:
        return max(2, min(self.size, int(self.max_bytes // max(entry_bytes, 1))))

    def due(self, iteration: int) -> bool:
        return iteration % self.stride == 0 and (
            not self.frames or self.frames[-1].iteration < iteration
        )

    def add(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._thin(self.limit(frame.nbytes))

    def _thin(self, limit: int) -> None:
        while len(self.frames) > limit:
            self.stride *= 2
            self.frames = [f for f in self.frames if f.iteration % self.stride == 0]


class Trainer:
    """A per-session worker that trains one model at a time and publishes snapshots.

    Parameters
    ----------
    x_train : array of shape (n_train, n_features)
    y_train : array of shape (n_train,)
    x_test : array of shape (n_test, n_features)
    y_test : array of shape (n_test,)
    weights : callable(model) -> array
        The weights the page draws, e.g. ``lambda model: model.coef_[0]``.
    is_alive : callable() -> bool, optional
        False once the browser session that owns this trainer has ended.
    limiter : CoreLimiter, optional
        Default: `server_limiter`, shared by the whole process.
    min_seconds : float, default 0
        Train and Continue runs are paced so that a whole run (from 0 to the planned
        iterations) lasts at least this long: a 150-iteration logistic regression
        would otherwise be over before the first redraw. Steps are never paced.
    publish_every : float, default 0.1
        Seconds between two snapshots while running.
    history_size : int, default 200
    history_bytes : float, default 8e6
        The history's bounds: at most this many frames, and this many bytes of frames.
    grace : float, default 2
        Seconds ``is_alive`` must stay false before the worker gives up.
    name : str
        Names the worker thread.
    """

    def __init__(
        self,
        x_train,
        y_train,
        x_test,
        y_test,
        weights: Callable[[object], np.ndarray],
        *,
        is_alive: Callable[[], bool] = lambda: True,
        limiter: CoreLimiter | None = None,
        min_seconds: float = 0.0,
        publish_every: float = 0.1,
        history_size: int = 200,
        history_bytes: float = 8e6,
        grace: float = 2.0,
        name: str = "signviz-trainer",
    ):
        self.x_train, self.y_train = x_train, np.asarray(y_train).reshape(-1)
        self.x_test, self.y_test = x_test, np.asarray(y_test).reshape(-1)
        self._weights = weights
        self._is_alive = is_alive
        self.limiter = limiter if limiter is not None else server_limiter()
        self.min_seconds = float(min_seconds)
        self.publish_every = float(publish_every)
        self.history_size = int(history_size)
        self.history_bytes = float(history_bytes)
        self.grace = float(grace)
        self.name = name
        self.context: dict = {}  # whatever the owner wants to remember (its task)
        self._lock = threading.Lock()
        self._pending: list[tuple] = []
        self._interrupt = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot = Snapshot()
        self._model = None
        self._last_frame: Frame | None = None  # the current model's latest frame
        self._ended = False
        self._expected_run = self._run_in_hand = 0
        self._dead_since: float | None = None
        self._alive_checked = 0.0

    # -- commands (called from the page's thread) ----------------------------------------

    def train(self, model, n_iterations: int) -> None:
        """Start a new run: ``model`` (untrained) for ``n_iterations``."""
        self._send(("train", model, int(n_iterations)), new_run=True)

    def resume(self, until: int, learning_rate: float | None = None) -> None:
        """Continue the current model up to ``until`` iterations in all."""
        self._send(("resume", int(until), learning_rate))

    def step(self, n_iterations: int = 1, learning_rate: float | None = None, new_model=None):
        """Take exactly ``n_iterations`` more updates; ``new_model`` is used if there is
        no model yet (or the current one diverged)."""
        self._send(("step", int(n_iterations), learning_rate, new_model))

    def pause(self) -> None:
        """Stop after the update in progress (and drop commands not yet started)."""
        with self._lock:
            self._pending.clear()
            self._expected_run = self._run_in_hand
            self._interrupt.set()

    def reset(self) -> None:
        """Stop and forget the model."""
        self._send(("reset",), new_run=True)

    @property
    def snapshot(self) -> Snapshot:
        """The latest snapshot (an immutable object: read it as often as you like).

        Between a Train (or Reset) and the worker's first snapshot of it, a blank
        snapshot of the new run: the previous run's numbers never show beside it.
        """
        snapshot = self._snapshot
        with self._lock:
            expected = self._expected_run
        if snapshot.run < expected:
            return Snapshot(state=EMPTY, run=expected)
        return snapshot

    @property
    def active(self) -> bool:
        """True from a command's arrival until the worker has carried out every command."""
        with self._lock:
            return self._thread is not None

    @property
    def worker_alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every command sent so far is done; returns whether it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
                if not self._pending and (thread is None or not thread.is_alive()):
                    return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if thread is None:
                time.sleep(0.01)
            else:
                thread.join(0.05 if remaining is None else min(0.05, remaining))

    def _send(self, command: tuple, new_run: bool = False) -> None:
        with self._lock:
            if self._ended:
                return
            if new_run:  # the run it will start, known now: see `snapshot`
                self._expected_run += 1
                command = (*command, self._expected_run)
            self._pending.append(command)
            self._interrupt.set()  # a new command stops the run in progress
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                _LIVE_WORKERS.add(self._thread)
                self._thread.start()

    # -- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._pending:
                        self._thread = None
                        return
                    command = self._pending.pop(0)
                    if command[0] in ("train", "reset"):
                        self._run_in_hand = command[-1]
                    if not self._pending:
                        self._interrupt.clear()
                if not self._alive():
                    logger.info("%s: its session ended, the worker stops", self.name)
                    self._end()
                    return
                try:
                    self._handle(command)
                except Exception as error:  # shown by the page, never lost in the thread
                    logger.exception("%s: the command %r failed", self.name, command[0])
                    self._last_frame = None  # the model may have changed half-way
                    self._publish(FAILED, message=f"{type(error).__name__}: {error}")
                if self._ended:
                    return
        finally:
            _LIVE_WORKERS.discard(threading.current_thread())

    def _handle(self, command: tuple) -> None:
        kind = command[0]
        if kind == "reset":
            self._model = self._last_frame = None
            self._snapshot = Snapshot(state=EMPTY, run=command[-1])
        elif kind == "train":
            _, model, n_iterations, run = command
            self._start(model, n_iterations, run)
            self._advance(n_iterations, paced=True)
        elif kind == "resume":
            _, until, learning_rate = command
            if self._model is None or self._snapshot.state == DIVERGED:
                return
            self._set_learning_rate(learning_rate)
            self._planned = max(until, self._model.n_iter_)
            self._history.plan(self._planned, self._snapshot.frame.nbytes)
            self._advance(until - self._model.n_iter_, paced=True)
        elif kind == "step":
            _, n_iterations, learning_rate, new_model = command
            if self._model is None or self._snapshot.state == DIVERGED:
                if new_model is None:
                    return
                with self._lock:
                    self._expected_run += 1
                    self._run_in_hand = self._expected_run
                self._start(new_model, 0, self._run_in_hand)
            self._set_learning_rate(learning_rate)
            self._planned = max(self._planned, self._model.n_iter_ + n_iterations)
            self._history.plan(self._planned, self._snapshot.frame.nbytes)
            self._advance(n_iterations, paced=False)

    def _set_learning_rate(self, learning_rate) -> None:
        if learning_rate is not None and learning_rate != self._model.learning_rate:
            self._model.set_params(learning_rate=learning_rate)
            if hasattr(self._model, "apply_learning_rate"):
                self._model.apply_learning_rate()

    def _start(self, model, planned: int, run: int) -> None:
        """Take ``model``, initialize it (no update yet) and publish iteration 0."""
        self._model = self._last_frame = None
        model.train_steps(self.x_train, self.y_train, 0)
        if hasattr(model, "_check_prediction_data"):  # checked, in the model's dtype, once
            self._x_train_checked = model._check_prediction_data(self.x_train)
            self._x_test_checked = model._check_prediction_data(self.x_test)
        else:
            self._x_train_checked, self._x_test_checked = self.x_train, self.x_test
        self._model = model
        self._planned = planned
        self._seconds = 0.0
        self._costs: list[float] = []
        self._history = _History(self.history_size, self.history_bytes)
        frame = self._frame()
        self._costs = [frame.cost]
        self._history.plan(planned, frame.nbytes)
        self._history.add(frame)
        self._snapshot = Snapshot(
            state=PAUSED,
            run=run,
            frame=frame,
            costs=_frozen(self._costs, np.float64),
            planned=planned,
            first_cost=frame.cost,
            start=frame,
            history=(frame,),
            learning_rate=model.learning_rate,
        )

    def _advance(self, n_iterations: int, *, paced: bool) -> None:
        model = self._model
        if n_iterations <= 0 or getattr(model, "diverged_", False):
            self._publish(self._resting_state(), with_model=True)
            return
        ticket = next(_TICKETS)
        admitted = self.limiter.acquire(
            ticket,
            keep_waiting=lambda: not self._interrupt.is_set() and self._alive(),
            on_wait=lambda place: self._publish(QUEUED, place=place),
        )
        if not admitted:
            if not self._alive():
                self._end()
            else:
                self._publish(PAUSED, with_model=True)
            return
        try:
            self._publish(RUNNING)
            first = model.n_iter_
            per_iteration = self.min_seconds / max(self._planned, 1) if paced else 0.0
            started = last_publish = time.perf_counter()
            resting = 0.0  # time spent on frames and pacing, not training
            cpu_started = time.thread_time()  # this thread's CPU time: not the GIL's waits
            light = False

            def after_each() -> bool:
                nonlocal last_publish, resting, light
                paused_at = time.perf_counter()
                elapsed = paused_at - started
                if per_iteration and not light and elapsed >= LIGHT_AFTER_SECONDS:
                    light = time.thread_time() - cpu_started < LIGHT_SHARE * elapsed
                    if light:  # mostly pacing: another run may have the core
                        self.limiter.lend(ticket)
                if not model.cost_history_is_exact or self._history.due(model.n_iter_):
                    frame = self._frame()
                    if not model.cost_history_is_exact:
                        self._costs.append(frame.cost)
                    if self._history.due(frame.iteration):
                        self._history.add(frame)
                else:
                    frame = None
                now = time.perf_counter()
                if now - last_publish >= self.publish_every:
                    self._publish(RUNNING, frame=frame)
                    last_publish = time.perf_counter()
                stop = self._interrupt.is_set() or not self._alive()
                if per_iteration and not stop:
                    target = started + (model.n_iter_ - first) * per_iteration
                    stop = wait_until(target, self._interrupt)
                resting += time.perf_counter() - paused_at
                return stop

            model.train_steps(self.x_train, self.y_train, n_iterations, after_each)
            self._seconds += time.perf_counter() - started - resting
        finally:
            self.limiter.release(ticket)
        if not self._alive():
            self._end()
            return
        self._publish(self._resting_state(), with_model=True)

    def _resting_state(self) -> str:
        if getattr(self._model, "diverged_", False):
            return DIVERGED
        return DONE if self._model.n_iter_ >= self._planned else PAUSED

    def _frame(self) -> Frame:
        """The model as it is now (called by the worker, between two updates)."""
        model = self._model
        # The models' own forward pass, without decision_function's check of the data
        # (``train_steps`` checked it once): the check costs as much as the pass.
        logit = getattr(model, "_output_logit", model.decision_function)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            z_train = np.asarray(logit(self._x_train_checked), dtype=np.float64)
            z_test = np.asarray(logit(self._x_test_checked), dtype=np.float64)
            cost = float(np.mean(np.logaddexp(0.0, z_train) - self.y_train * z_train))
            probabilities = 1.0 / (1.0 + np.exp(-z_test))
        self._last_frame = Frame(
            iteration=int(model.n_iter_),
            cost=cost,
            train_accuracy=float(np.mean((z_train > 0) == (self.y_train == 1))),
            test_accuracy=float(np.mean((z_test > 0) == (self.y_test == 1))),
            test_probabilities=_frozen(probabilities),
            weights=_frozen(self._weights(model)),
        )
        return self._last_frame

    def _publish(
        self, state: str, *, frame: Frame | None = None, place=None, message=None, with_model=False
    ) -> None:
        model = self._model
        if model is None:
            run = max(self._snapshot.run, self._run_in_hand)
            self._snapshot = Snapshot(state=state, run=run, place=place, message=message)
            return
        if frame is None:  # the model has not changed since its latest frame was taken
            frame = self._last_frame
        if frame is None or frame.iteration != model.n_iter_:
            frame = self._frame()
        if model.cost_history_is_exact:
            costs = list(model.cost_history_)
            if not getattr(model, "diverged_", False):
                costs.append(frame.cost)
        else:
            costs = self._costs
        if message is None and getattr(model, "diverged_", False):
            message = model.divergence_message_
        self._snapshot = replace(
            self._snapshot,
            state=state,
            frame=frame,
            costs=_frozen(costs, np.float64),
            planned=self._planned,
            history=tuple(self._history.frames),
            learning_rate=model.learning_rate,
            diverged_at=getattr(model, "diverged_at_", None),
            message=message,
            place=place,
            seconds=self._seconds,
            model=copy_model(model) if with_model else None,
        )

    def _alive(self) -> bool:
        now = time.monotonic()
        if now - self._alive_checked < 0.25 and self._dead_since is None:
            return True
        self._alive_checked = now
        if self._is_alive():
            self._dead_since = None
            return True
        if self._dead_since is None:
            self._dead_since = now
        return now - self._dead_since < self.grace

    def _end(self) -> None:
        """The session is gone: drop the model and its history, take no more commands."""
        with self._lock:
            self._ended = True
            self._pending.clear()
            self._thread = None
        self._model = self._last_frame = None
        self._history = _History(self.history_size, self.history_bytes)
        self._snapshot = Snapshot(state=ENDED, run=max(self._snapshot.run, self._expected_run))


def copy_model(model):
    """A copy of a trained model that later training cannot change."""
    if hasattr(model, "copy_trained"):
        return model.copy_trained()
    return copy.deepcopy(model)
