"""Long trainings in the background, with progress to look at and a way to stop them.

A Keras run takes seconds to minutes. Run inside a page script, it would die with the
script whenever the learner clicks anything. As a `BackgroundJob` it runs in its own
thread: the page looks at its progress a few times a second, and Stop asks the work to
end at its next checkpoint (for Keras, the end of an epoch), keeping what it learned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class BackgroundJob:
    """Run ``work(job)`` in a daemon thread.

    The work reports progress with ``job.report(item)`` and should check
    ``job.stop_requested`` at safe points. Its return value becomes ``result``; an
    exception it raises becomes ``error`` (never lost, never raised in the thread).

    Parameters
    ----------
    work : callable(BackgroundJob) -> Any
    name : str
        Names the thread, for debugging.
    context : dict, optional
        Whatever the caller wants to remember about the job (its settings, its task).
    is_alive : callable() -> bool, optional
        False once the session that started the job has ended: ``stop_requested`` then
        turns true, and the work stops at its next checkpoint.
    """

    def __init__(
        self,
        work: Callable[[BackgroundJob], Any],
        name: str = "signviz-job",
        context=None,
        is_alive: Callable[[], bool] = lambda: True,
    ):
        self._is_alive = is_alive
        self._work = work
        self.context: dict = dict(context or {})
        self._lock = threading.Lock()
        self._progress: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.result: Any = None
        self.error: BaseException | None = None
        self.started_at: float | None = None
        self.finished_at: float | None = None

    def start(self) -> BackgroundJob:
        """Start the work; returns the job."""
        self.started_at = time.perf_counter()
        self._thread.start()
        return self

    def report(self, item) -> None:
        """Record one piece of progress (called by the work, from its thread)."""
        with self._lock:
            self._progress.append(item)

    @property
    def progress(self) -> list:
        """Everything reported so far, as a new list."""
        with self._lock:
            return list(self._progress)

    def stop(self) -> None:
        """Ask the work to stop at its next checkpoint."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set() or not self._is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def done(self) -> bool:
        """True once the work has returned or raised."""
        return self.finished_at is not None

    @property
    def seconds(self) -> float:
        """Time since the start, or the whole run's duration once done."""
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.perf_counter()) - self.started_at

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is done (or ``timeout`` passes); returns ``done``."""
        self._thread.join(timeout)
        return self.done

    def _run(self) -> None:
        try:
            self.result = self._work(self)
        except Exception as error:  # reported through the job, shown by the page
            self.error = error
        finally:
            self.finished_at = time.perf_counter()
