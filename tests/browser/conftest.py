"""The app served for real and driven in headless Chromium.

A session-wide fixture starts ``streamlit run app.py`` on a free local port, waits for
its health endpoint, and stops it at the end, also when tests fail (see
`benchmarks.serving.AppServer`). Each test gets a
fresh page (a fresh Streamlit session); afterwards its full-page screenshot lands in
``screenshots/`` (git-ignored), and when it fails its console log is kept beside it.

Chromium comes from the system (``apt-get install chromium``), never from
``playwright install``. Without it these tests are skipped, unless
``SIGNVIZ_REQUIRE_BROWSER=1`` (set by CI) makes that an error.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from benchmarks.serving import CHROMIUM, CHROMIUM_ARGS, AppServer

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "screenshots"
#: The page is taller than a screen so that a screenshot holds a whole chapter
#: (Streamlit scrolls inside the page, so a "full page" screenshot shows one screen).
VIEWPORT = {"width": 1280, "height": 3200}
#: Timings the tests observe, printed at the end of the run (never asserted).
TIMINGS: dict[str, float] = {}
#: The served app's process id, to read its threads and CPU time from /proc.
SERVER: dict[str, int] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("browser timings (observed, not asserted)")
        for name, seconds in TIMINGS.items():
            unit = "" if name.endswith(("per second", "cores busy")) else " s"
            terminalreporter.write_line(f"{name}: {seconds:.2f}{unit}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


def unavailable(message: str):
    """Skip, or fail where a browser is required (CI)."""
    if os.environ.get("SIGNVIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_browser():
    """Headless Chromium from the system, through Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(playwright_browser, tmp_path_factory):
    """``streamlit run app.py`` on a free port; its base URL. Stopped at the end."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with AppServer("app.py", cwd=PROJECT, log=log) as app:
        SERVER["pid"] = app.process.pid
        page = playwright_browser.new_page(viewport=VIEWPORT)
        page.goto(app.url)
        page.get_by_role("heading", name="Deep learning, one hand sign at a time").wait_for(
            timeout=120_000
        )
        TIMINGS["server start to first page rendered"] = time.monotonic() - app.started_at
        page.close()
        yield app.url
    if app.process.returncode not in (0, -15):
        print(log.read_text()[-3000:])


@pytest.fixture
def page(request, playwright_browser, server):
    """A fresh browser page (a new Streamlit session); screenshot and console kept after."""
    page = playwright_browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(
            f"{message.type}: {message.text} ({message.location.get('url', '')})"
        ),
    )
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.console_messages = console
    page.base_url = server
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    name = request.node.name
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    if getattr(request.node, "failed_call", False):
        (SCREENSHOTS / f"{name}.console.txt").write_text("\n".join(console))
        print(f"\nbrowser console of {name}:\n" + "\n".join(console))
        print(f"screenshot: {SCREENSHOTS / f'{name}.png'}")
    page.close()
