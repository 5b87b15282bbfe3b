"""A classroom on one server: many simulated learners at once, measured at the protocol level.

Each learner (`benchmarks.protocol.Learner`) speaks Streamlit's websocket protocol, so
the figures are the server's alone, with no browser rendering on the same cores. A wave
of learners arrives spread over a few seconds; each opens a chapter on the tutorial's
task (given in its query string, as a shared link does), presses Train and waits for the
final chart, while a load balancer's health check polls the server and its resident
memory is sampled.

The server runs as deployed (``.streamlit/config.toml``, and the environment that
``deploy/serve.sh`` sets). The memory figures need it to forget disconnected sessions,
which Streamlit keeps for ``server.disconnectedSessionTTL`` seconds (2 minutes by
default) in case the browser reconnects: that server runs with a short time-out instead.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from dataclasses import dataclass, field

from benchmarks.harness import Result
from benchmarks.protocol import Arrival, Learner, health_latencies
from benchmarks.server import PROJECT, cpu_seconds, resident_megabytes
from benchmarks.serving import AppServer

#: The tutorial's task, as the sidebar writes it in the URL.
TASK = "first_digit=0&second_digit=1&test_size=0.15&seed=42"
#: The seconds a disconnected session is kept by the memory benchmark's server.
SESSION_TTL = 10
#: The environment the image's entry command (deploy/serve.sh) gives the server.
DEPLOYED_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}


@dataclass(frozen=True)
class Chapter:
    """What a learner does on one chapter: its URL path, its Train button, its final chart."""

    page: str
    train_key: str
    final_chart_key: str


# The final chart is one a chapter draws only once its (paced) training has ended: the
# test predictions of logistic regression, the interactive heatmaps of the hidden units.
LOGISTIC = Chapter("logistic_regression", "logreg_train", "logreg-predictions")
TWO_LAYER = Chapter("two_layer_network", "two_layer_train", "two-layer-units")


@dataclass
class LearnerTimes:
    """One learner's timings, in seconds (None for what never came)."""

    open_page: float | None = None
    first_chart: float | None = None
    final_chart: float | None = None
    errors: list[str] = field(default_factory=list)
    bytes_received: int = 0


@dataclass
class Wave:
    """What a wave of learners saw, the server's memory around it (MB) and its CPU time."""

    learners: list[LearnerTimes]
    health: list[float]
    health_failures: int
    memory_before: float
    memory_all_open: float
    memory_peak: float
    cpu_seconds: float = 0.0

    @property
    def cpu_per_learner(self) -> float:
        """The server's CPU time per learner, in seconds."""
        return self.cpu_seconds / len(self.learners)

    @property
    def errors(self) -> list[str]:
        return [error for learner in self.learners for error in learner.errors] + [
            "the health endpoint failed"
        ] * self.health_failures

    def times(self, name: str) -> list[float]:
        values = (getattr(learner, name) for learner in self.learners)
        return [value for value in values if value is not None]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank; NaN when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def is_chart(arrival: Arrival) -> bool:
    """Whether the element is a chart or an image (the live drawings of a training)."""
    return arrival.kind in ("plotly_chart", "imgs")


async def learn(
    url: str,
    chapter: Chapter,
    times: LearnerTimes,
    *,
    delay: float = 0.0,
    train: asyncio.Event | None = None,
    opened: asyncio.Event | None = None,
    leave: asyncio.Event | None = None,
    press: bool = True,
    timeout: float = 120.0,
) -> None:
    """One learner: wait ``delay`` s, open the chapter, press Train, wait for its end.

    ``opened`` is set once the page is open; ``train`` (if given) is waited for before
    pressing, and ``leave`` (if given) before disconnecting. Errors go to ``times``.
    """
    await asyncio.sleep(delay)
    started = time.monotonic()
    learner = Learner(url, query_string=TASK, timeout=timeout)
    try:
        async with learner:
            times.open_page = await learner.open(chapter.page) - started
            if opened is not None:
                opened.set()
            if press:
                if train is not None:
                    await asyncio.wait_for(train.wait(), timeout)
                pressed = await learner.press(chapter.train_key)
                times.first_chart = await learner.wait_for(is_chart, pressed) - pressed
                final = await learner.wait_for(
                    lambda a: a.element_id.endswith(f"-{chapter.final_chart_key}"), pressed
                )
                times.final_chart = final - pressed
            if leave is not None:
                await asyncio.wait_for(leave.wait(), timeout)
    except (OSError, TimeoutError, LookupError, ConnectionError) as error:
        if not learner.errors:
            learner.errors.append(f"{type(error).__name__}: {error}")
    times.errors = learner.errors
    times.bytes_received = learner.bytes_received


async def wave(
    servers: AppServer | list[AppServer],
    chapter: Chapter,
    count: int,
    over: float,
    *,
    press: bool = True,
    together: bool = False,
    timeout: float = 120.0,
) -> Wave:
    """``count`` learners arriving evenly over ``over`` seconds, all at work at once.

    With ``together``, they all press Train at the same moment, once every page is open.
    They stay connected until the last one is done, when the memory is read
    ("all open"), then leave. Given several servers (replicas), the learners go to each
    in turn, as a balancer spreads new sessions, and memory and CPU time are their sums;
    the health check polls the first.
    """
    servers = servers if isinstance(servers, list) else [servers]
    pids = [server.process.pid for server in servers]

    def memory() -> float:
        return sum(resident_megabytes(pid) for pid in pids)

    def cpu() -> float:
        return sum(cpu_seconds(pid) for pid in pids)

    memory_before, cpu_before = memory(), cpu()
    peak = memory_before
    stop = asyncio.Event()
    health = asyncio.create_task(health_latencies(servers[0].url, stop))

    async def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, memory())
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    learners = [LearnerTimes() for _ in range(count)]
    leave = asyncio.Event()
    train = asyncio.Event() if together else None
    opened = [asyncio.Event() for _ in range(count)]
    work = [
        asyncio.create_task(
            learn(
                servers[index % len(servers)].url,
                chapter,
                times,
                delay=index * over / count,
                train=train,
                opened=opened[index],
                leave=leave,
                press=press,
                timeout=timeout,
            )
        )
        for index, times in enumerate(learners)
    ]
    if train is not None:
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in opened)), timeout)
        train.set()
    # Everyone done (or failed): every learner has something in each field it measures.
    deadline = time.monotonic() + timeout + over
    while time.monotonic() < deadline and not all(
        (t.final_chart is not None if press else t.open_page is not None) or t.errors
        for t in learners
    ):
        await asyncio.sleep(0.05)
    memory_all_open, cpu_used = memory(), cpu() - cpu_before
    leave.set()
    await asyncio.gather(*work)
    stop.set()
    latencies, failures = await health
    await sampler
    return Wave(learners, latencies, failures, memory_before, memory_all_open, peak, cpu_used)


async def forget_disconnected(server: AppServer) -> float:
    """Wait out the disconnected-session time-out, then let the server drop them.

    Streamlit removes expired sessions when it next stores one, so one more learner
    opens the start page and leaves. Returns the resident memory then, in MB.
    """
    await asyncio.sleep(SESSION_TTL + 1)
    async with Learner(server.url, query_string=TASK) as learner:
        await learner.open()
    await asyncio.sleep(1)
    return resident_megabytes(server.process.pid)


def summary(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):.2f} / p95 {percentile(values, 0.95):.2f} s"


def classroom() -> list[Result]:
    """9-12. Thirty and a hundred learners, ten trainings at once, memory, two replicas."""
    return asyncio.run(_classroom())


async def _classroom() -> list[Result]:
    results = []
    with AppServer("app.py", cwd=PROJECT, env=DEPLOYED_ENVIRONMENT) as server:
        await wave(server, LOGISTIC, 1, 0)  # loads the dataset, the task, the code
        alone = await wave(server, LOGISTIC, 1, 0)
        thirty = await wave(server, LOGISTIC, 30, 5)
        hundred = await wave(server, LOGISTIC, 100, 10)
        await wave(server, TWO_LAYER, 1, 0)
        two_layer_alone = await wave(server, TWO_LAYER, 1, 0, together=True, timeout=300)
        two_layer_ten = await wave(server, TWO_LAYER, 10, 0, together=True, timeout=600)
    results += classroom_results(alone, thirty, hundred)
    results.append(trainings_at_once(two_layer_alone, two_layer_ten))
    with AppServer(
        "app.py",
        cwd=PROJECT,
        options={"server.disconnectedSessionTTL": SESSION_TTL},
        env=DEPLOYED_ENVIRONMENT,
    ) as server:
        await wave(server, LOGISTIC, 1, 0)
        await wave(server, TWO_LAYER, 1, 0)
        before = await forget_disconnected(server)
        idle = await wave(server, LOGISTIC, 100, 10, press=False)
        await forget_disconnected(server)
        first = await wave(server, LOGISTIC, 30, 5)
        await forget_disconnected(server)
        second = await wave(server, LOGISTIC, 30, 5)
        after = await forget_disconnected(server)
    results += memory_results(before, idle, first, second, after)
    # The same class on two replicas behind a sticky balancer, one per core: a process
    # runs its sessions' Python code one thread at a time.
    with (
        AppServer("app.py", cwd=PROJECT, env=DEPLOYED_ENVIRONMENT) as one,
        AppServer("app.py", cwd=PROJECT, env=DEPLOYED_ENVIRONMENT) as other,
    ):
        for replica in (one, other):
            await wave(replica, LOGISTIC, 1, 0)
        results.append(replicas_result(await wave([one, other], LOGISTIC, 30, 5)))
    return results


def errors_result(figure: str, wave_: Wave) -> Result:
    errors = wave_.errors
    note = "; ".join(sorted(set(errors)))[:300] or "none"
    return Result(figure, len(errors), 0, "", "= 0", float(len(errors)), not errors, note)


def classroom_results(alone: Wave, thirty: Wave, hundred: Wave) -> list[Result]:
    """The figures of the logistic-regression waves (targets from issue 17)."""
    paced = alone.times("final_chart")[0] if alone.times("final_chart") else float("nan")
    finals = thirty.times("final_chart")
    return [
        Result.at_most(
            "9a. 30 learners over 5 s: open the chapter, p95 (target 0.5 s)",
            percentile(thirty.times("open_page"), 0.95), 0.5, "s", 1,
            f"{summary(thirty.times('open_page'))}; "
            f"alone {max(alone.times('open_page'), default=math.nan):.2f} s; "
            f"server CPU per learner {thirty.cpu_per_learner:.2f} s "
            f"(alone {alone.cpu_per_learner:.2f} s)",
        ),
        Result.at_most(
            "9b. 30 learners: Train to the first chart, p95 (target 0.5 s)",
            percentile(thirty.times("first_chart"), 0.95), 0.5, "s", 1,
            summary(thirty.times("first_chart")),
        ),
        Result.at_most(
            "9c. 30 learners: Train to the final chart, slowest vs alone + 1 s",
            max(finals, default=float("nan")), paced + 1, "s", 1,
            f"{summary(finals)}; alone {paced:.2f} s",
        ),
        Result.at_most(
            "9d. 30 learners: health endpoint p95 (target 0.25 s)",
            percentile(thirty.health, 0.95), 0.25, "s", 1,
            f"max {max(thirty.health, default=float('nan')):.2f} s, {len(thirty.health)} polls",
        ),
        errors_result("9e. 30 learners: errors", thirty),
        errors_result("10a. 100 learners over 10 s: errors", hundred),
        Result.at_most(
            "10b. 100 learners: open the chapter, p95 (target 2 s)",
            percentile(hundred.times("open_page"), 0.95), 2, "s", 1,
            f"{summary(hundred.times('open_page'))}; Train to final chart "
            f"{summary(hundred.times('final_chart'))}; server CPU per learner "
            f"{hundred.cpu_per_learner:.2f} s",
        ),
        Result.at_most(
            "10c. 100 learners: health endpoint p95 (target 0.5 s)",
            percentile(hundred.health, 0.95), 0.5, "s", 1,
            f"max {max(hundred.health, default=float('nan')):.2f} s, {len(hundred.health)} polls",
        ),
    ]  # fmt: skip


def replicas_result(two: Wave) -> Result:
    """9f. The 30 learners of 9a shared by two replicas."""
    return Result.at_most(
        "9f. 30 learners over 5 s on two replicas: open the chapter, p95 (target 0.5 s)",
        percentile(two.times("open_page"), 0.95), 0.5, "s", 1,
        f"{summary(two.times('open_page'))}; Train to the first chart "
        f"{summary(two.times('first_chart'))}; errors {len(two.errors)}; "
        f"memory of both {two.memory_all_open:.0f} MB",
    )  # fmt: skip


def trainings_at_once(alone: Wave, ten: Wave) -> Result:
    """11. Ten learners pressing Train on the two-layer network at once, vs one alone."""
    single = alone.times("final_chart")[0] if alone.times("final_chart") else float("nan")
    slowest = max(ten.times("final_chart"), default=float("nan"))
    cores = os.cpu_count() or 1
    return Result.at_most(
        f"11. 10 two-layer trainings at once vs one alone (target 10 / {cores} cores x 1.25)",
        slowest, single, "s", 10 / cores * 1.25,
        f"{len(ten.times('final_chart'))} of 10 finished; errors {len(ten.errors)}; "
        f"health max {max(ten.health, default=float('nan')):.2f} s",
    )  # fmt: skip


def memory_results(before: float, idle: Wave, first: Wave, second: Wave, after: float):
    """12. Memory: per idle session, a second wave against the first, after the time-out."""
    per_session = (idle.memory_all_open - idle.memory_before) / len(idle.learners)
    return [
        Result.at_most(
            f"12a. Server memory per open idle session ({len(idle.learners)} sessions, "
            "target 2 MB)",
            per_session, 2, "MB", 1,
            f"{idle.memory_before:.0f} MB -> {idle.memory_all_open:.0f} MB with "
            f"{len(idle.learners)} open",
        ),
        Result.at_most(
            "12b. Server memory, second wave of 30 learners vs the first (target +5 %)",
            second.memory_all_open, first.memory_all_open, "MB", 1.05,
            f"peaks {first.memory_peak:.0f} and {second.memory_peak:.0f} MB; errors "
            f"{len(first.errors) + len(second.errors)}",
        ),
        Result.at_most(
            f"12c. Server memory after the disconnected-session time-out ({SESSION_TTL} s) "
            "vs before the waves",
            after, before, "MB", 1.25,
            f"{before:.0f} MB before, {after:.0f} MB after 3 waves of 30 "
            f"(server.disconnectedSessionTTL = {SESSION_TTL})",
        ),
    ]  # fmt: skip
