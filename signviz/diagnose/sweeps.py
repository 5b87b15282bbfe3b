"""Where a hyperparameter sweep stands, what its grid says, and which run to show."""

from __future__ import annotations

from dataclasses import dataclass

from signviz.diagnose.notice import Notice

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
