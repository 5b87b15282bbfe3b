"""Benchmarks of the served app in headless Chromium: start-up, memory per session, and
sessions training at once."""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness import Result, interleaved
from benchmarks.serving import CHROMIUM, CHROMIUM_ARGS, AppServer

PROJECT = Path(__file__).resolve().parents[1]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
HEADING = "Deep learning, one hand sign at a time"
SESSIONS = 10


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def resident_megabytes(pid: int) -> float:
    """The process's resident memory (VmRSS), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = next(
        int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
    )
    return kilobytes / 1024


def cpu_seconds(pid: int) -> float:
    """The CPU time the process has used so far (user and system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def imports_tensorflow(pid: int) -> bool:
    """Whether the process has TensorFlow's library loaded."""
    return "tensorflow" in Path(f"/proc/{pid}/maps").read_text()


def startup(browser) -> Result:
    """5. ``streamlit run app.py`` until its first page is drawn, against a one-line app."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hello.py").write_text('import streamlit as st\nst.write("hello")\n')
        tensorflow_loaded = []

        def first_page(script, cwd, text) -> float:
            with AppServer(script, cwd=cwd) as server:
                page = browser.new_page()
                page.goto(server.url)
                page.get_by_text(text, exact=True).first.wait_for(timeout=120_000)
                seconds = time.monotonic() - server.started_at
                if script == "app.py":
                    tensorflow_loaded.append(imports_tensorflow(server.process.pid))
                page.close()
            return seconds

        app, hello = interleaved(
            lambda: first_page("app.py", PROJECT, HEADING),
            lambda: first_page("hello.py", folder, "hello"),
            rounds=3,
        )
    note = "TensorFlow loaded" if any(tensorflow_loaded) else "TensorFlow not imported"
    return Result.at_most(
        "5. Start-up to the first page drawn vs a one-line Streamlit app",
        app,
        hello,
        "s",
        1.5,
        note,
    )


def train(page, chapter_link: str, ready_text: str) -> None:
    """Open a chapter from the sidebar, press Train, wait for the end of training."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text=chapter_link).click()
    page.get_by_role("button", name="Train", exact=True).wait_for()
    page.wait_for_selector(IDLE)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(ready_text).first.wait_for(timeout=300_000)
    page.wait_for_selector(IDLE)


def open_session(browser, server):
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(server.url)
    page.get_by_role("heading", name=HEADING).wait_for()
    return page


def memory_per_session(browser) -> Result:
    """7. Growth of the server's memory per session that trains both from-scratch models."""
    with AppServer("app.py", cwd=PROJECT) as server:
        pid = server.process.pid
        warm_up = open_session(browser, server)  # loads the dataset, the task, the code
        train(warm_up, "4. Logistic regression", "Cost at the start")
        train(warm_up, "5. Two-layer network", "Inside the network")
        before = resident_megabytes(pid)
        sessions = [open_session(browser, server) for _ in range(SESSIONS)]
        for page in sessions:
            train(page, "4. Logistic regression", "Cost at the start")
            train(page, "5. Two-layer network", "Inside the network")
        after = resident_megabytes(pid)
        for page in [warm_up, *sessions]:
            page.close()
    growth = (after - before) / SESSIONS
    return Result(
        f"7. Server memory growth per session ({SESSIONS} sessions, both models trained)",
        growth,
        20.0,
        "MB",
        "<= 1",
        growth / 20.0,
        growth <= 20.0,
        f"resident memory {before:.0f} MB after one session, {after:.0f} MB after {SESSIONS} more",
    )


def concurrency(browser) -> Result:
    """8. Four sessions training the two-layer network at once, against one alone."""

    def fresh(page) -> None:
        # A new session on the two-layer page, with no results of an earlier run on
        # screen that the wait for this run's end could mistake for its own.
        page.reload()
        page.get_by_role("button", name="Train", exact=True).wait_for()
        page.wait_for_selector(IDLE)

    def finished(page) -> None:
        page.get_by_text("Inside the network").first.wait_for(timeout=600_000)
        page.wait_for_selector(IDLE)

    with AppServer("app.py", cwd=PROJECT) as server:
        pages = [open_session(browser, server) for _ in range(4)]
        for page in pages:
            page.locator('[data-testid="stSidebarNavLink"]', has_text="5. Two-layer").click()
            page.get_by_role("button", name="Train", exact=True).wait_for()
            page.wait_for_selector(IDLE)
        train(pages[0], "5. Two-layer network", "Inside the network")  # warm up the code
        fresh(pages[0])
        single_started = time.monotonic()
        pages[0].get_by_role("button", name="Train", exact=True).click()
        finished(pages[0])
        single = time.monotonic() - single_started
        for page in pages:
            fresh(page)
        started = time.monotonic()
        for page in pages:
            page.get_by_role("button", name="Train", exact=True).click()
        for page in pages:
            finished(page)
        together = time.monotonic() - started
        for page in pages:
            page.close()
    return Result.at_most(
        "8. Four browser sessions training the two-layer network at once vs one alone",
        together,
        single,
        "s",
        4,
        "all four finished",
    )


REDRAW_COUNT = """() => {
    const chart = [...document.querySelectorAll('.js-plotly-plot')].find((chart) =>
        ((chart.layout && chart.layout.title && chart.layout.title.text) || '')
            .replace(/<[^>]+>/g, '').startsWith('Cost while training'));
    if (!chart || !chart._fullData.length) return 0;
    const x = chart._fullData[0].x;  // a live chart draws at most 300 points: its end moves
    return x[x.length - 1];
}"""


def redraws(browser) -> Result:
    """14. Redraws per second of the two-layer page's cost chart while it trains, in Chromium:
    where the chart ends, read every 50 ms for 5 s (the target is four a second). The note
    says what a redraw sends the browser: the websocket's bytes and the images'."""
    received = {"websocket": 0, "images": 0}

    def on_websocket(socket) -> None:
        def count(payload) -> None:
            received["websocket"] += len(payload)

        socket.on("framereceived", count)

    def on_response(response) -> None:
        if "/media/" in response.url:
            received["images"] += int(response.headers.get("content-length", 0))

    with AppServer("app.py", cwd=PROJECT) as server:
        page = browser.new_page()
        page.set_default_timeout(120_000)
        page.on("websocket", on_websocket)
        page.on("response", on_response)
        page.goto(server.url)
        page.get_by_role("heading", name=HEADING).wait_for()
        page.locator('[data-testid="stSidebarNavLink"]', has_text="5. Two-layer").click()
        slider = page.get_by_role("slider", name="Iterations")
        slider.focus()
        page.keyboard.press("End")  # 10000 iterations: long enough to count
        page.wait_for_selector(IDLE)
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(f"() => ({REDRAW_COUNT})() > 1")
        before = dict(received)
        lengths, started = [], time.monotonic()
        while time.monotonic() - started < 5.0:
            lengths.append(page.evaluate(REDRAW_COUNT))
            time.sleep(0.05)
        seconds = time.monotonic() - started
        sent = {name: received[name] - before[name] for name in received}
        page.get_by_role("button", name="Pause", exact=True).click()
        page.close()
    changes = sum(1 for before, after in itertools.pairwise(lengths) if after != before)
    rate = changes / seconds
    per_redraw = {name: value / max(changes, 1) / 1e3 for name, value in sent.items()}
    return Result.at_least(
        "14. Two-layer cost chart redraws per second in Chromium vs the target of 4",
        rate,
        4.0,
        "/s",
        1,
        f"{changes} redraws in {seconds:.1f} s; each sent about "
        f"{per_redraw['websocket']:.0f} kB by websocket and {per_redraw['images']:.0f} kB "
        "of images",
    )
