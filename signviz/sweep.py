"""Hyperparameter sweeps: a grid of settings, every run trained in its own process.

The tutorial's advice about hyperparameters is to try values and compare. A `Sweep` is
that advice done at once: every combination of the values given for a few
hyperparameters (the grid), each trained from scratch on the same task. A
`SweepPool` runs the grid's runs on worker processes (joblib's loky executor, one BLAS
thread each so the processes do not fight over the cores) or on a Dask cluster, and
hands each `RunResult` over as soon as it is finished, so a page can draw the grid
filling in.

One pool serves every sweep of a server: runs wait in the pool's queue, and each free
worker takes the next run of the sweep with the fewest runs going that has waited
longest (since it arrived, or since its last run finished), so a learner who starts
late gets one of the next free cores instead of waiting for everyone else's whole grid.
Within a sweep, the runs expected to take longest go first (`expected_cost`), so the
short ones fill the workers' last gaps.
A sweep can be stopped: its waiting runs are dropped and the finished ones are kept.

Models are imported when a run starts, not with this module (scikit-learn, which
the models build on, takes a second to import).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import math
import os
import pickle
import shutil
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from signviz import kinds

#: At most this many runs in one sweep: a few hundred are enough to see a pattern, and
#: each one is a full training.
MAX_RUNS = 400

#: The environment variable holding a Dask scheduler's address, like ``tcp://host:8786``.
SCHEDULER_VARIABLE = "SIGNVIZ_DASK_SCHEDULER"

#: How long to try to reach a Dask scheduler before giving up.
CONNECT_TIMEOUT = "10s"


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter a sweep can vary: its name in the model, a label and choices.

    Attributes
    ----------
    name : str
        The model's constructor argument (``learning_rate``).
    label : str
        What the app and the command line call it (``learning rate``).
    choices : tuple
        Sensible values to offer in a menu (any other valid value works too).
    """

    name: str
    label: str
    choices: tuple


def _parameters(*parameters: Hyperparameter) -> dict[str, Hyperparameter]:
    return {parameter.name: parameter for parameter in parameters}


_LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
_SEEDS = (0, 1, 2, 3, 4, 42)

#: The models a sweep can train (kinds of `signviz.kinds`, which builds them) and the
#: hyperparameters that can vary.
MODELS: dict[str, dict[str, Hyperparameter]] = {
    "logreg": _parameters(
        Hyperparameter("learning_rate", "learning rate", _LEARNING_RATES),
        Hyperparameter("n_iterations", "iterations", (10, 50, 150, 500, 1000, 2500)),
        Hyperparameter("initial_weight", "initial weight", (0.0, 0.001, 0.01, 0.1, 1.0)),
    ),
    "two-layer": _parameters(
        Hyperparameter("learning_rate", "learning rate", _LEARNING_RATES),
        Hyperparameter("hidden_units", "hidden units", (1, 2, 3, 4, 8, 16, 32, 64)),
        Hyperparameter("n_iterations", "iterations", (50, 100, 250, 500, 1000, 2500)),
        Hyperparameter("activation", "activation", ("tanh", "sigmoid", "relu")),
        Hyperparameter("init_scale", "initial weight scale", (0.001, 0.01, 0.1, 1.0, 10.0)),
        Hyperparameter("initialization", "initialization", ("random", "zeros")),
        Hyperparameter("random_state", "seed", _SEEDS),
    ),
    "deep": _parameters(
        Hyperparameter("learning_rate", "learning rate", _LEARNING_RATES),
        Hyperparameter(
            "hidden_layer_sizes", "hidden layers", ((4,), (8,), (8, 4), (16, 8), (32, 16))
        ),
        Hyperparameter("n_epochs", "epochs", (10, 25, 50, 100, 200)),
        Hyperparameter("activation", "activation", ("relu", "tanh", "sigmoid")),
        Hyperparameter("batch_size", "batch size", (8, 16, 32, 64, 128)),
        Hyperparameter("init_scale", "initial weight scale", (0.005, 0.05, 0.5)),
        Hyperparameter("random_state", "seed", _SEEDS),
    ),
}


def model_class(model: str):
    """The class of the model called ``model`` (``"two-layer"`` -> ``TwoLayerNetwork``)."""
    _check_model(model)
    return kinds.get(model).model_class()  # imports scikit-learn: only when a model is wanted


def hyperparameters(model: str) -> dict[str, Hyperparameter]:
    """The hyperparameters a sweep of ``model`` can vary, by constructor name."""
    _check_model(model)
    return MODELS[model]


def tutorial_settings(model: str) -> dict:
    """The tutorial's settings of ``model``: the defaults of its class."""
    return model_class(model)().get_params()


def iterations_parameter(model: str) -> str:
    """The hyperparameter that says how long ``model`` trains (iterations or epochs)."""
    return model_class(model)._iterations_parameter


def expected_cost(model: str, settings: dict, n_features: int) -> int:
    """A run's expected training cost, to start the longest runs first.

    Counts multiply-adds per image: the model's weights times its iterations (or
    epochs). Only the order of the estimates matters (it is not a time): a
    two-layer network with 8 hidden units costs more than one with 1, 500 iterations
    more than 50.

    Parameters
    ----------
    model : str
    settings : dict
        Hyperparameters of the run (the others keep their defaults).
    n_features : int
        Pixels per image.

    Returns
    -------
    int
    """
    estimator = model_class(model)(**settings)
    sizes = estimator._layer_sizes(n_features)
    weights = sum(inputs * outputs for inputs, outputs in itertools.pairwise(sizes))
    return int(getattr(estimator, estimator._iterations_parameter)) * weights


def format_value(value) -> str:
    """A hyperparameter's value as the app and the tables show it: ``0.01``, ``8,4``."""
    if isinstance(value, tuple | list):
        return ",".join(format_value(part) for part in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: a sweep can train {', '.join(MODELS)}")


@dataclass(frozen=True)
class Sweep:
    """A grid of settings for one model: every combination of the values in ``grid``.

    Parameters
    ----------
    model : str
        ``"logreg"``, ``"two-layer"`` or ``"deep"`` (see `MODELS`).
    grid : dict of str to sequence
        The hyperparameters to vary, each with its values; the first one changes
        slowest in `runs`. The app draws the first two as the heatmap's rows and columns.
    fixed : dict of str to value, optional
        Values for other hyperparameters (the rest keep the tutorial's defaults).

    Raises
    ------
    ValueError
        For an unknown model or hyperparameter, an empty or repeated list of values, a
        hyperparameter both varied and fixed, more than `MAX_RUNS` runs, or a value the
        model rejects (the model's message says which).
    """

    model: str
    grid: dict
    fixed: dict = field(default_factory=dict)

    def __post_init__(self):
        known = hyperparameters(self.model)
        if not self.grid:
            raise ValueError("a sweep needs at least one hyperparameter with values to try")
        grid, fixed = {}, dict(self.fixed)
        for name in {**self.grid, **fixed}:
            if name not in known:
                raise ValueError(
                    f"{self.model} has no hyperparameter {name!r} to sweep: "
                    f"choose among {', '.join(known)}"
                )
        for name, values in self.grid.items():
            if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
                raise ValueError(f"{name} needs a list of values, got {values!r}")
            values = tuple(_plain(value) for value in values)
            if not values:
                raise ValueError(f"{name} has no values to try")
            if len(set(values)) != len(values):
                raise ValueError(f"{name} lists a value twice: {list(values)}")
            if name in fixed:
                raise ValueError(f"{name} cannot be both varied and fixed")
            grid[name] = values
        count = math.prod(len(values) for values in grid.values())
        if count > MAX_RUNS:
            sizes = " x ".join(str(len(values)) for values in grid.values())
            raise ValueError(
                f"{sizes} = {count} runs is too many: a sweep has at most {MAX_RUNS} "
                "(try fewer values)"
            )
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "fixed", {name: _plain(value) for name, value in fixed.items()})
        model = model_class(self.model)
        for settings in self.runs():
            model(**settings)._check_hyperparameters()

    def __len__(self) -> int:
        return math.prod(len(values) for values in self.grid.values())

    def runs(self) -> list[dict]:
        """The settings of every run, in grid order: the fixed values and one combination.

        Returns
        -------
        list of dict, one per run (``len(self)`` of them)
        """
        names = list(self.grid)
        return [
            {**self.fixed, **dict(zip(names, combination, strict=True))}
            for combination in itertools.product(*self.grid.values())
        ]


def _plain(value):
    """numpy scalars as Python numbers, lists as tuples: hashable and JSON-friendly."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | np.ndarray):
        return tuple(_plain(part) for part in value)
    return value


@dataclass(frozen=True)
class RunResult:
    """One finished run of a sweep.

    Attributes
    ----------
    index : int
        Its place in `Sweep.runs`.
    settings : dict
        Every hyperparameter of the model, as trained.
    costs : tuple of float
        The cost at each iteration (``cost_history_``).
    train_accuracy, test_accuracy : float
        Shares of images classified right; NaN when training diverged so far that the
        weights are no longer numbers.
    diverged : bool
    diverged_at : int or None
        The iteration where the cost blew up.
    seconds : float
        Wall time of the training, measured in the process that trained.
    model : estimator
        The trained model (its weights, to draw), not compared or printed.
    """

    index: int
    settings: dict
    costs: tuple
    train_accuracy: float
    test_accuracy: float
    diverged: bool
    diverged_at: int | None
    seconds: float
    model: object = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        """The run as JSON-ready values: non-finite numbers become None, tuples lists."""
        return {
            "index": self.index,
            "settings": {name: _json_value(value) for name, value in self.settings.items()},
            "costs": [_json_value(cost) for cost in self.costs],
            "train_accuracy": _json_value(self.train_accuracy),
            "test_accuracy": _json_value(self.test_accuracy),
            "diverged": self.diverged,
            "diverged_at": self.diverged_at,
            "seconds": self.seconds,
        }


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return [_json_value(part) for part in value]
    return value


def train_one(model: str, settings: dict, index: int, arrays: tuple) -> RunResult:
    """Train one run of a sweep; what every worker process calls.

    Parameters
    ----------
    model : str
    settings : dict
        Hyperparameters of the model (the others keep their defaults).
    index : int
    arrays : tuple or SharedTask
        ``(x_train, y_train, x_test, y_test)``: ``(n_train, n_features)``,
        ``(n_train,)``, ``(n_test, n_features)``, ``(n_test,)``; or a `SharedTask`
        holding them.

    Returns
    -------
    RunResult
    """
    if isinstance(arrays, SharedTask):
        arrays = arrays.load()

    # Fresh copies: arrays received from a cluster can sit at any address in a message,
    # and the vector kernels of BLAS add up in another order when the start is not
    # aligned as usual, which a chaotic run (a large learning rate) amplifies. Copies
    # are aligned as in any process, so the same settings give the same numbers.
    x_train, y_train, x_test, y_test = (np.array(array, order="C") for array in arrays)
    # One BLAS thread: the sweep's parallelism is its processes (and the same thread
    # count gives the same numbers, in a worker or not).
    estimator = model_class(model)(**settings)
    with _blas_controller().limit(limits=1, user_api="blas"):
        started = time.perf_counter()
        estimator.fit(x_train, y_train)
        seconds = time.perf_counter() - started
        finite = all(np.isfinite(value).all() for value in estimator.named_parameters().values())
        train, test = (
            (estimator.score(x_train, y_train), estimator.score(x_test, y_test))
            if finite
            else (math.nan, math.nan)
        )
    estimator._last_gradients = None  # as large as the weights: not worth sending back
    return RunResult(
        index=index,
        settings=estimator.get_params(),
        costs=tuple(estimator.cost_history_),
        train_accuracy=float(train),
        test_accuracy=float(test),
        diverged=bool(estimator.diverged_),
        diverged_at=estimator.diverged_at_,
        seconds=seconds,
        model=estimator,
    )


#: The tasks a worker process has read (`SharedTask.load`), by key: the latest few.
_LOADED: dict[str, tuple] = {}
_LOADED_AT_MOST = 2


class SharedTask:
    """A task's arrays written once to a file that each worker process reads once.

    Sending the arrays with every run costs a copy of the task per run (several
    megabytes, pickled by the pool's process and unpickled by the worker) between one
    run's end and the next one's start; this token is a few hundred bytes. The file is
    named by a digest of the arrays, so equal tasks share it, and it is removed when
    the last token of it is gone (its sweeps are finished) or its pool closes.

    Parameters
    ----------
    arrays : tuple
        ``(x_train, y_train, x_test, y_test)``, as `train_one` takes them.
    folder : str
        Where to write the file (a folder in memory, ``/dev/shm``, where there is one).
    key : str
        The arrays' digest (`SharedTask.digest`).
    """

    def __init__(self, arrays: tuple, folder: str, key: str):
        self.key = key
        self.path = os.path.join(folder, f"{key}.pickle")
        partial = f"{self.path}.{os.getpid()}.part"
        try:
            with open(partial, "wb") as file:
                pickle.dump(tuple(np.asarray(array) for array in arrays), file, protocol=5)
        except BaseException:
            _remove(partial)
            raise
        os.replace(partial, self.path)  # a worker never reads half a file
        # Not an attribute: the copies that workers unpickle do not remove the file.
        weakref.finalize(self, _remove, self.path)

    @staticmethod
    def digest(arrays: tuple) -> str:
        """A digest of the arrays' types, shapes and values (hex)."""
        digest = hashlib.blake2b(digest_size=16)
        for array in arrays:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.data)
        return digest.hexdigest()

    def load(self) -> tuple:
        """The arrays: read from the file the first time in this process, then kept."""
        arrays = _LOADED.pop(self.key, None)
        if arrays is None:
            with open(self.path, "rb") as file:
                arrays = pickle.load(file)
        _LOADED[self.key] = arrays  # now the latest
        while len(_LOADED) > _LOADED_AT_MOST:
            del _LOADED[next(iter(_LOADED))]
        return arrays


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def task_arrays(task) -> tuple:
    """``(x_train, y_train, x_test, y_test)`` of a `~signviz.data.Task` (or alike)."""
    return (task.x_train, task.y_train, task.x_test, task.y_test)


def run_sequentially(sweep: Sweep, task) -> list[RunResult]:
    """Every run of ``sweep`` in this process, one after the other (the reference)."""
    arrays = task_arrays(task)
    return [
        train_one(sweep.model, settings, index, arrays)
        for index, settings in enumerate(sweep.runs())
    ]


# -- reading a sweep's results ---------------------------------------------------------


@dataclass(frozen=True)
class GridSummary:
    """A sweep's results on two of its hyperparameters: one cell per pair of values.

    Runs that share a cell (when the grid varies more than these two hyperparameters,
    e.g. seeds) are pooled: a cell's accuracy is the mean over its finished runs that
    did not diverge.

    Attributes
    ----------
    x, y : str
        The hyperparameters along the columns and the rows (``y`` None for one row).
    x_values, y_values : tuple
        Their values, in the grid's order (``y_values`` is ``(None,)`` for one row).
    test_accuracy : array of shape (len(y_values), len(x_values))
        Mean test accuracy of the cell's finished runs that did not diverge; NaN if none.
    finished, diverged, planned : int arrays of the same shape
        Runs of the cell finished, diverged among those, and planned in all.
    """

    x: str
    y: str | None
    x_values: tuple
    y_values: tuple
    test_accuracy: np.ndarray
    finished: np.ndarray
    diverged: np.ndarray
    planned: np.ndarray

    def best(self) -> tuple | None:
        """``(x value, y value, accuracy)`` of the most accurate cell so far, or None."""
        if np.all(np.isnan(self.test_accuracy)):
            return None
        row, column = np.unravel_index(np.nanargmax(self.test_accuracy), self.test_accuracy.shape)
        return self.x_values[column], self.y_values[row], float(self.test_accuracy[row, column])

    def cell(self, x_value, y_value=None) -> tuple[int, int] | None:
        """``(row, column)`` of the cell with these values, or None if the grid lacks them."""
        if x_value not in self.x_values or y_value not in self.y_values:
            return None
        return self.y_values.index(y_value), self.x_values.index(x_value)


def summarize(sweep: Sweep, results: Sequence[RunResult], x: str, y: str | None = None):
    """Pool ``results`` (finished runs of ``sweep``) into a `GridSummary` over ``x`` and ``y``.

    Parameters
    ----------
    sweep : Sweep
    results : sequence of RunResult
    x, y : str
        Hyperparameters of ``sweep.grid`` (``y`` None: one row).

    Returns
    -------
    GridSummary
    """
    for name in (x, y):
        if name is not None and name not in sweep.grid:
            raise ValueError(f"{name!r} is not one of the sweep's axes: {', '.join(sweep.grid)}")
    if x == y:
        raise ValueError("the rows and the columns need two different hyperparameters")
    x_values = sweep.grid[x]
    y_values = sweep.grid[y] if y is not None else (None,)
    shape = (len(y_values), len(x_values))
    planned = np.zeros(shape, dtype=int)
    for settings in sweep.runs():
        planned[_position(settings, x, y, x_values, y_values)] += 1
    finished, diverged = np.zeros(shape, dtype=int), np.zeros(shape, dtype=int)
    totals = np.zeros(shape)
    for result in results:
        where = _position(result.settings, x, y, x_values, y_values)
        finished[where] += 1
        if result.diverged or math.isnan(result.test_accuracy):
            diverged[where] += 1
        else:
            totals[where] += result.test_accuracy
    healthy = finished - diverged
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(healthy > 0, totals / np.maximum(healthy, 1), np.nan)
    return GridSummary(x, y, x_values, y_values, accuracy, finished, diverged, planned)


def _position(settings: dict, x, y, x_values, y_values) -> tuple[int, int]:
    row = 0 if y is None else y_values.index(_plain(settings[y]))
    return row, x_values.index(_plain(settings[x]))


# -- where runs are computed ----------------------------------------------------------


def _warm_up() -> None:
    """What a worker process does when it starts, before its first run: import the
    models (and scikit-learn, a second or more) and find its BLAS libraries."""
    import signviz.models  # noqa: F401

    _blas_controller()


@functools.cache
def _blas_controller():
    """This process's BLAS libraries, looked up once (a lookup scans the loaded
    libraries: 10 ms on a busy 2-core machine, where limiting them through it takes
    0.5 ms). Libraries loaded later are not seen; the models' (numpy's and scipy's)
    are loaded with `signviz.models`."""
    from threadpoolctl import ThreadpoolController

    import signviz.models  # noqa: F401

    return ThreadpoolController()


def _ready() -> None:
    """Nothing: a first task makes the executor start its processes."""


class _LokyEngine:
    """Worker processes on this machine: loky's reusable executor, as joblib uses it."""

    def __init__(self, workers: int | None):
        from joblib import cpu_count
        from joblib.externals.loky import get_reusable_executor

        self.capacity = workers or cpu_count()
        if self.capacity < 1:
            raise ValueError(f"a sweep needs at least one worker, got {workers}")
        self._executor = get_reusable_executor
        self.description = f"{self.capacity} worker processes on this machine"
        memory = "/dev/shm"  # a private folder is made inside
        self._folder = tempfile.mkdtemp(
            prefix="signviz-sweep-", dir=memory if os.access(memory, os.W_OK) else None
        )
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._tasks: weakref.WeakValueDictionary[str, SharedTask] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()
        # Start the workers now: each one imports the models as it starts (seconds),
        # before it takes any run, so no run waits for an import.
        self._worker_pool().submit(_ready)

    def place(self, arrays: tuple) -> SharedTask | tuple:
        # Written once per task (shared by the sweeps that use it), read once per worker.
        key = SharedTask.digest(arrays)
        with self._lock:
            shared = self._tasks.get(key)
            if shared is None:
                try:
                    shared = self._tasks[key] = SharedTask(arrays, self._folder, key)
                except OSError:  # no room in memory (a container's small /dev/shm)
                    return arrays  # then they go with every run
        return shared

    def submit(self, function, *arguments):
        return self._worker_pool().submit(function, *arguments)

    def _worker_pool(self):
        # Asked for at every run: the executor is shared with the process, and whoever
        # else resized it (joblib, scikit-learn) gets it back at our size. Idle workers
        # stay five minutes, so the next sweep starts without new processes; a new
        # worker warms up before it takes a run.
        return self._executor(max_workers=self.capacity, timeout=300, initializer=_warm_up)

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        # The executor is shared with the rest of the process (and reused): only the
        # tasks' files go.
        self._cleanup()


class _DaskEngine:
    """The workers of a Dask cluster, through ``dask.distributed``."""

    def __init__(self, scheduler):
        from distributed import Client  # imported only when a cluster is wanted

        if isinstance(scheduler, Client):
            self._client, self._owns_client = scheduler, False
        else:
            try:
                self._client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError) as error:
                raise ValueError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}"
                ) from None
            self._owns_client = True
        self.address = self._client.scheduler.address
        self._checked = 0.0
        self.capacity = 1
        self.refresh(force=True)

    @property
    def description(self) -> str:
        return f"the Dask cluster at {self.address} ({self.capacity} threads)"

    def place(self, arrays: tuple) -> tuple:
        # Sent to the cluster once; hash=True shares them between sweeps of one task.
        try:
            scattered = self._client.scatter(list(arrays), hash=True, timeout=CONNECT_TIMEOUT)
        except Exception as error:  # the cluster went away (dask has its own errors)
            raise ValueError(
                f"the Dask cluster at {self.address} did not answer: {error}"
            ) from None
        return tuple(scattered)

    def submit(self, function, *arguments):
        return self._client.submit(function, *arguments, pure=False)

    def refresh(self, force: bool = False) -> None:
        """Count the cluster's threads again (workers come and go), every few seconds."""
        if force or time.monotonic() - self._checked > 5:
            self._checked = time.monotonic()
            try:
                self.capacity = max(1, sum(self._client.nthreads().values()))
            except Exception:  # the scheduler is unreachable now: keep the last count
                if force:
                    raise

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


# -- the pool and its sweeps ------------------------------------------------------------


class SweepJob:
    """One sweep submitted to a `SweepPool`: its results as they arrive, and Stop.

    Iterate over it to receive each `RunResult` as soon as it is finished (in the order
    they finish); the iteration ends when every run is done or the sweep is stopped.
    """

    def __init__(self, pool: SweepPool, sweep: Sweep, arrays: tuple, n_features: int):
        self.sweep = sweep
        self.total = len(sweep)
        self._pool = pool
        self._arrays = arrays
        # Longest expected runs first: the short ones then fill the last gaps, instead of
        # one long run ending alone while the other workers have nothing left to do.
        runs = list(enumerate(sweep.runs()))
        costs = [expected_cost(sweep.model, settings, n_features) for _, settings in runs]
        order = sorted(range(len(runs)), key=lambda index: -costs[index])  # stable
        self._waiting = deque(runs[index] for index in order)
        self._results: list[RunResult] = []
        self.running = 0
        self.stopped = False
        self.error: BaseException | None = None
        self.started_at = time.perf_counter()
        self.finished_at: float | None = None
        self._turn = 0

    @property
    def results(self) -> list[RunResult]:
        """The runs finished so far, in the order they finished."""
        with self._pool._changed:
            return list(self._results)

    @property
    def waiting(self) -> int:
        """Runs not started yet."""
        return len(self._waiting)

    @property
    def done(self) -> bool:
        """True once no run is waiting or running (all finished, or stopped)."""
        return not self._waiting and not self.running

    @property
    def place_in_queue(self) -> int | None:
        """1 if this sweep gets the next free worker, 2 if the one after, ...; None when
        it has a run going or nothing left to start."""
        return self._pool.place_in_queue(self)

    def stop(self) -> None:
        """Drop the runs not started yet; those running finish and are kept."""
        with self._pool._changed:
            self.stopped = True
            self._waiting.clear()
            self._finish_if_done()
            self._pool._changed.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sweep is done (or ``timeout`` seconds pass); returns `done`."""
        with self._pool._changed:
            self._pool._changed.wait_for(lambda: self.done, timeout)
            return self.done

    def __iter__(self) -> Iterator[RunResult]:
        given = 0
        while True:
            with self._pool._changed:
                self._pool._changed.wait_for(
                    lambda given=given: len(self._results) > given or self.done
                )
                fresh = self._results[given:]
                finished = self.done
            yield from fresh
            given += len(fresh)
            if finished and not fresh:
                return

    def _finish_if_done(self) -> None:
        if self.done and self.finished_at is None:
            self.finished_at = time.perf_counter()
            self._arrays = None


class SweepPool:
    """Workers shared by every sweep submitted to it: processes here, or a Dask cluster.

    Parameters
    ----------
    workers : int, optional
        Worker processes on this machine (default: one per core). Ignored with a
        scheduler.
    scheduler : str or distributed.Client, optional
        A Dask scheduler's address (``tcp://host:8786``) or a connected client: the runs
        go to that cluster's workers instead, as many at once as it has threads.

    Each worker runs one run at a time. Runs wait in the pool, not in the workers, so a
    stopped sweep's runs leave at once and a new sweep's first run is next in line.
    Sweeps are held weakly: one that nobody refers to any more (a learner's session
    that ended) is dropped with its waiting runs.
    """

    def __init__(self, workers: int | None = None, scheduler=None):
        self._engine = _DaskEngine(scheduler) if scheduler else _LokyEngine(workers)
        self._changed = threading.Condition()
        self._jobs: list[weakref.ref] = []
        self._running = 0
        self._turns = itertools.count(1)
        self._closed = False
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="signviz-sweep-pool", daemon=True
        )
        self._dispatcher.start()

    @classmethod
    def from_environment(cls, workers: int | None = None) -> SweepPool:
        """A pool on the cluster named by ``SIGNVIZ_DASK_SCHEDULER``, else on this machine."""
        return cls(workers, scheduler=os.environ.get(SCHEDULER_VARIABLE) or None)

    @property
    def capacity(self) -> int:
        """How many runs can go at once."""
        return self._engine.capacity

    @property
    def description(self) -> str:
        """Where the runs go, in words."""
        return self._engine.description

    @property
    def busy(self) -> int:
        """Runs going now, of every sweep."""
        return self._running

    def submit(self, sweep: Sweep, task) -> SweepJob:
        """Queue every run of ``sweep`` on ``task`` (anything with ``x_train``, ``y_train``,
        ``x_test`` and ``y_test``); returns the job to watch or stop."""
        if self._closed:
            raise RuntimeError("this sweep pool is closed")
        arrays = task_arrays(task)
        job = SweepJob(self, sweep, self._engine.place(arrays), np.shape(arrays[0])[1])
        with self._changed:
            job._turn = next(self._turns)
            self._jobs.append(weakref.ref(job))
            self._changed.notify_all()
        return job

    def place_in_queue(self, job: SweepJob) -> int | None:
        """Where ``job`` stands among the sweeps waiting for a free worker (1 is next)."""
        with self._changed:
            if job.running or not job._waiting:
                return None
            mine = self._priority(job)
            ahead = sum(1 for other in self._live_jobs() if self._priority(other) < mine)
            return ahead + 1

    def close(self) -> None:
        """Stop every sweep and the dispatcher (running runs are abandoned)."""
        with self._changed:
            self._closed = True
            for job in self._live_jobs():
                job.stop()
            self._changed.notify_all()
        self._dispatcher.join(timeout=5)
        self._engine.close()

    def __enter__(self) -> SweepPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- inside the pool ---------------------------------------------------------------

    def _live_jobs(self) -> list[SweepJob]:
        """The sweeps with runs waiting (dropping those nobody holds any more)."""
        alive = []
        for reference in self._jobs:
            job = reference()
            if job is not None and job._waiting:
                alive.append(job)
        self._jobs = [weakref.ref(job) for job in alive]
        return alive

    @staticmethod
    def _priority(job: SweepJob) -> tuple[int, int]:
        # Fewest runs going first; then whoever has waited longest: since it arrived, or
        # since its last run finished (a sweep goes back to the end of the line then).
        return (job.running, job._turn)

    def _dispatch(self) -> None:
        """Give free workers runs, one at a time, fairest first (the pool's thread)."""
        while True:
            self._engine.refresh()  # may ask a cluster: not while holding the lock
            with self._changed:
                if self._closed:
                    return
                while self._running < self._engine.capacity:
                    jobs = self._live_jobs()
                    if not jobs:
                        break
                    job = min(jobs, key=self._priority)
                    index, settings = job._waiting.popleft()
                    job.running += 1
                    self._running += 1
                    try:
                        future = self._engine.submit(
                            train_one, job.sweep.model, settings, index, job._arrays
                        )
                    except Exception as error:  # the executor or the cluster is gone
                        self._running -= 1
                        job.running -= 1
                        job.error = error
                        job._waiting.clear()
                        job._finish_if_done()
                        self._changed.notify_all()
                        continue
                    future.add_done_callback(self._when_done(weakref.ref(job)))
                self._changed.wait(timeout=1.0)

    def _when_done(self, job_reference: weakref.ref) -> Callable:
        def finished(future) -> None:
            try:
                result, error = future.result(), None
            except BaseException as exception:  # a worker died or the run failed
                result, error = None, exception
            with self._changed:
                self._running -= 1
                job = job_reference()
                if job is not None:
                    job.running -= 1
                    job._turn = next(self._turns)  # back to the end of the line
                    if result is not None:
                        job._results.append(result)
                    elif job.error is None:
                        job.error = error
                        job._waiting.clear()
                    job._finish_if_done()
                self._changed.notify_all()

        return finished


def run_sweep(
    sweep: Sweep,
    task,
    *,
    workers: int | None = None,
    scheduler=None,
    on_result: Callable[[RunResult], object] | None = None,
) -> list[RunResult]:
    """Run every run of ``sweep`` in parallel and return the results in grid order.

    Parameters
    ----------
    sweep : Sweep
    task : Task
        Anything with ``x_train (n_train, n_features)``, ``y_train (n_train,)``,
        ``x_test (n_test, n_features)`` and ``y_test (n_test,)``.
    workers : int, optional
        Processes on this machine (default: one per core).
    scheduler : str or distributed.Client, optional
        A Dask scheduler to run on instead.
    on_result : callable(RunResult), optional
        Called in this thread with each run as soon as it is finished; a true return
        value stops the sweep (the runs going finish, the rest are dropped).

    Returns
    -------
    list of RunResult
        The finished runs, sorted by ``index``.
    """
    with SweepPool(workers, scheduler=scheduler) as pool:
        job = pool.submit(sweep, task)
        try:
            for result in job:
                if on_result is not None and on_result(result):
                    job.stop()
        except BaseException:
            job.stop()
            raise
        if job.error is not None:
            raise RuntimeError(f"a run of the sweep failed: {job.error}") from job.error
        return sorted(job.results, key=lambda result: result.index)
