"""Benchmarks of the sweep: a grid on every core against the same runs one by one, the
pool's cost per run, and four learners' sweeps sharing the one pool."""

from __future__ import annotations

import os
import statistics
import time

from joblib import cpu_count

from benchmarks.harness import Result, interleaved
from signviz import sweep as sw

#: The benchmark's grid: the two-layer network, 3 learning rates by 3 hidden layer sizes.
GRID = {"learning_rate": [0.003, 0.01, 0.03], "hidden_units": [1, 3, 8]}
ITERATIONS = 500


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def warm_up(pool: sw.SweepPool, task) -> None:
    """Start the pool's processes (and their imports) before timing anything, as a
    server's pool has them running after its first sweep."""
    plan = sw.Sweep("logreg", {"n_iterations": list(range(1, pool.capacity + 1))})
    pool.submit(plan, task).wait(timeout=300)


def sweep_speedup(task) -> list[Result]:
    """13a. A 3x3 two-layer sweep on every core against the same runs one after the other;
    13b. the same runs through a pool of one worker: the wall time per run against the
    training time the worker measured (what the pool adds: sending the task, starting a
    run, bringing the model back)."""
    plan = sw.Sweep("two-layer", GRID, {"n_iterations": ITERATIONS})
    cores = cpu_count()
    runs = len(plan)

    def through_pool(workers: int, training: list | None = None) -> float:
        with sw.SweepPool(workers) as pool:
            job = pool.submit(plan, task)
            seconds = timed(job.wait)
        if training is not None:
            training.append(sum(result.seconds for result in job.results))
        return seconds

    def one_after_another() -> float:
        return timed(lambda: sw.run_sequentially(plan, task))

    with sw.SweepPool(1) as pool:
        warm_up(pool, task)
    training: list[float] = []
    walls = [through_pool(1, training) for _ in range(3)]
    with sw.SweepPool(cores) as pool:
        warm_up(pool, task)
    parallel, sequential = interleaved(lambda: through_pool(cores), one_after_another, rounds=2)
    # Several processes only help with idle cores: say how busy the machine was.
    busy = f"load average {os.getloadavg()[0]:.1f} on {cores} cores at the end"
    return [
        Result.at_least(
            f"13a. 3x3 two-layer sweep ({ITERATIONS} iterations): one by one vs on {cores} cores",
            sequential,
            parallel,
            "s",
            0.8 * cores,
            busy,
        ),
        Result.at_most(
            "13b. A sweep's run through the pool (one worker) vs its training alone",
            statistics.median(walls) / runs,
            statistics.median(training) / runs,
            "s",
            1.1,
        ),
    ]


def shared_pool(task) -> Result:
    """13c. Four learners start the same sweep at once on the server's one pool, against
    one learner alone; the note gives each learner's wait for a first result."""
    plan = sw.Sweep("two-layer", GRID, {"n_iterations": ITERATIONS})
    with sw.SweepPool() as pool:
        warm_up(pool, task)

        def learners(count: int) -> tuple[float, list[float]]:
            started = time.perf_counter()
            jobs = [pool.submit(plan, task) for _ in range(count)]
            first = []
            for job in jobs:
                next(iter(job))
                first.append(time.perf_counter() - started)
            for job in jobs:
                job.wait()
            return time.perf_counter() - started, first

        alone, _ = learners(1)
        four, first_results = learners(4)
    waits = ", ".join(f"{seconds:.1f}" for seconds in first_results)
    busy = f"load average {os.getloadavg()[0]:.1f}"
    return Result.at_most(
        "13c. Four learners' 3x3 sweeps at once on the shared pool vs one alone",
        four,
        alone,
        "s",
        4.4,
        f"first result of each learner after {waits} s; {busy}",
    )
