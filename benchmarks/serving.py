"""Serve a Streamlit app in a subprocess: for the browser tests and the benchmarks.

Development tooling, not part of the installed package: it lives beside the benchmarks,
which the tests import too (``pythonpath = ["."]`` in pyproject.toml).

``AppServer("app.py")`` runs ``streamlit run app.py`` headless on a free local port,
waits until its health endpoint answers, and stops it on exit, also after an error::

    with AppServer("app.py", cwd=project) as server:
        browser_page.goto(server.url)

`CHROMIUM` and `CHROMIUM_ARGS` say how both launch the system's headless Chromium
(``playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import nullcontext
from pathlib import Path

#: The system's Chromium (``apt-get install chromium``; never ``playwright install``).
CHROMIUM = os.environ.get("SIGNVIZ_CHROMIUM", "/usr/bin/chromium")
#: Flags for a headless Chromium in a container, as root, without a GPU or network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """``streamlit run SCRIPT`` on a free port of 127.0.0.1, as a context manager.

    Parameters
    ----------
    script : str
        The app's entry script, relative to ``cwd``.
    cwd : path, optional
        Where to run it (defaults to the current folder).
    log : path, optional
        File for the server's output (discarded by default).
    timeout : float, default 120
        Seconds to wait for the health endpoint.
    options : dict, optional
        Streamlit configuration options for this run, ``{"server.disconnectedSessionTTL":
        10}``: given as command-line flags, they override the defaults below and
        ``.streamlit/config.toml`` (the defaults: headless, this port on 127.0.0.1, no
        usage statistics, no file watcher).
    env : dict, optional
        Environment variables to set for the server, on top of this process's.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT``.
    process : subprocess.Popen
        The server, while it runs (its ``pid`` lets a benchmark read its memory).
    started_at : float
        ``time.monotonic()`` just before the process started.
    """

    def __init__(
        self, script: str, *, cwd=None, log=None, timeout: float = 120, options=None, env=None
    ):
        self.script = script
        self.cwd = Path(cwd or os.getcwd())
        self.log = Path(log) if log else None
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.options = {
            "server.headless": "true",
            "server.port": str(self.port),
            "server.address": "127.0.0.1",
            "browser.gatherUsageStats": "false",
            "server.fileWatcherType": "none",
            **{name: str(value) for name, value in (options or {}).items()},
        }
        self.env = {**os.environ, **(env or {})}

    def __enter__(self) -> AppServer:
        command = [sys.executable, "-m", "streamlit", "run", self.script]
        for name, value in self.options.items():
            command += [f"--{name}", value]
        self.started_at = time.monotonic()
        # The child keeps its own handle on the log once started.
        with open(self.log, "w") if self.log else nullcontext(subprocess.DEVNULL) as output:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exception) -> None:
        self.stop()

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit run {self.script} exited with status {self.process.returncode}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.05)  # the polling interval of a condition
        raise TimeoutError(f"streamlit run {self.script} did not answer within {self.timeout} s")
