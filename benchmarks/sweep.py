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
    run, bringing the model back).

    13a's note says where the gap to the number of cores goes: the best this grid allows
    (its runs' training times alone, packed on the workers longest first), how much
    slower a run trains when the workers train at once than alone (they share the
    caches and the memory, and the machine), and the share of the wall time the
    workers spent training (the rest is the pool's work between runs and idle ends)."""
    plan = sw.Sweep("two-layer", GRID, {"n_iterations": ITERATIONS})
    cores = cpu_count()
    runs = len(plan)
    in_parallel_rounds: list[tuple[float, float]] = []  # (wall time, sum of trainings)
    alone: list[list[float]] = []  # each run's training time, one list per round

    def through_pool(workers: int, training: list | None = None) -> float:
        with sw.SweepPool(workers) as pool:
            job = pool.submit(plan, task)
            seconds = timed(job.wait)
        if training is not None:
            training.append(sum(result.seconds for result in job.results))
        return seconds

    def in_parallel() -> float:
        trainings: list[float] = []
        seconds = through_pool(cores, trainings)
        in_parallel_rounds.append((seconds, trainings[0]))
        return seconds

    def one_after_another() -> float:
        started = time.perf_counter()
        results = sw.run_sequentially(plan, task)
        alone.append([result.seconds for result in results])
        return time.perf_counter() - started

    with sw.SweepPool(1) as pool:
        warm_up(pool, task)
    training: list[float] = []
    walls = [through_pool(1, training) for _ in range(3)]
    with sw.SweepPool(cores) as pool:
        warm_up(pool, task)
    parallel, sequential = interleaved(in_parallel, one_after_another, rounds=3)
    # Each run's training time alone (median over the rounds), packed longest first.
    seconds_alone = [statistics.median(times) for times in zip(*alone, strict=True)]
    best = statistics.median(sum(times) for times in alone) / packed(seconds_alone, cores)
    busy_share = statistics.median(train / (cores * wall) for wall, train in in_parallel_rounds)
    slower = statistics.median(train for _, train in in_parallel_rounds) / sum(seconds_alone)
    # Several processes only help with idle cores: say how busy the machine was.
    note = (
        f"best for these runs {best:.2f}; a run trained {slower:.2f}x as long as alone; "
        f"workers training {busy_share:.0%} of the time; "
        f"load average {os.getloadavg()[0]:.1f} on {cores} cores at the end"
    )
    return [
        Result.at_least(
            f"13a. 3x3 two-layer sweep ({ITERATIONS} iterations): one by one vs on {cores} cores",
            sequential,
            parallel,
            "s",
            0.8 * cores,
            note,
        ),
        Result.at_most(
            "13b. A sweep's run through the pool (one worker) vs its training alone",
            statistics.median(walls) / runs,
            statistics.median(training) / runs,
            "s",
            1.1,
        ),
    ]


def packed(seconds: list[float], workers: int) -> float:
    """The wall time of runs taking ``seconds`` each on ``workers`` workers, longest
    first, each run to the first free worker (no overhead)."""
    free = [0.0] * workers
    for duration in sorted(seconds, reverse=True):
        free[free.index(min(free))] += duration
    return max(free)


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
