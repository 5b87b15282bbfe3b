"""The deployment: Streamlit's settings, the image's entry command, the compose file.

Docker is not available here, so the image's entry command runs as a plain process
(it must start the app and answer the health check a balancer sends), and the compose
file is read with PyYAML and checked for what a classroom needs: several replicas,
sticky sessions, and the health endpoint for the balancer.
"""

import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml

from benchmarks.serving import free_port
from signviz.data import DATA_DIR_VARIABLE, URL_VARIABLE

PROJECT = Path(__file__).resolve().parents[1]
HEALTH = "/_stcore/health"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuations joined."""
    text = (PROJECT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    instructions = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(keyword.upper(), arguments) for keyword, arguments in instructions]


def compose_app() -> tuple[dict, dict]:
    compose = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    return compose["services"]["app"], compose


def test_streamlit_does_not_watch_files_when_deployed():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False


def test_the_image_runs_cpu_tensorflow_with_the_dataset_in_a_volume():
    instructions = dockerfile_instructions()
    keywords = dict(instructions)
    assert keywords["FROM"].startswith("python:3.11")
    requirements = (PROJECT / "requirements.txt").read_text()
    assert "tensorflow-cpu" in requirements and "\ntensorflow>" not in requirements
    environment = dict(
        pair.split("=", 1) for keyword, arguments in instructions if keyword == "ENV"
        for pair in arguments.split()
    )  # fmt: skip
    assert keywords["VOLUME"] == environment["SIGNVIZ_CACHE_DIR"] == "/data"
    assert HEALTH in keywords["HEALTHCHECK"]
    for keyword, arguments in instructions:
        if keyword == "COPY":
            source = arguments.split()[0]
            assert (PROJECT / source).exists(), f"the Dockerfile copies {source}, which is missing"


def test_the_compose_file_runs_replicas_behind_a_sticky_proxy():
    app, compose = compose_app()
    assert app["deploy"]["replicas"] >= 2
    labels = app["labels"]
    service = "traefik.http.services.signviz.loadbalancer"
    assert labels["traefik.enable"] == "true"
    assert labels[f"{service}.sticky.cookie"] == "true"
    assert labels[f"{service}.sticky.cookie.name"]
    assert labels[f"{service}.healthcheck.path"] == HEALTH
    assert labels[f"{service}.server.port"] == "8501"
    assert HEALTH in " ".join(app["healthcheck"]["test"])
    # Every replica shares the volume the first one downloads the dataset into.
    volume = app["volumes"][0].split(":")
    assert volume[0] in compose["volumes"] and volume[1] == app["environment"]["SIGNVIZ_CACHE_DIR"]
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("traefik:")
    assert "--providers.docker.exposedbydefault=false" in proxy["command"]
    assert "--entrypoints.web.address=:80" in proxy["command"]
    assert labels["traefik.http.routers.signviz.entrypoints"] == "web"


def test_a_served_app_takes_streamlit_options_and_environment():
    from benchmarks.serving import AppServer

    server = AppServer(
        "app.py", options={"server.disconnectedSessionTTL": 10}, env={"MALLOC_ARENA_MAX": "2"}
    )
    assert server.options["server.disconnectedSessionTTL"] == "10"
    assert server.options["server.fileWatcherType"] == "none"  # the defaults stay
    assert server.options["server.port"] == str(server.port)
    assert server.env["MALLOC_ARENA_MAX"] == "2" and server.env["PATH"] == os.environ["PATH"]
    overridden = AppServer("app.py", options={"server.fileWatcherType": "auto"})
    assert overridden.options["server.fileWatcherType"] == "auto"


def test_the_classroom_benchmark_runs_the_server_as_deployed():
    from benchmarks.classroom import DEPLOYED_ENVIRONMENT

    script = (PROJECT / "deploy" / "serve.sh").read_text()
    for name, value in DEPLOYED_ENVIRONMENT.items():
        assert f'export {name}="${{{name}:-{value}}}"' in script


def test_the_images_entry_command_serves_the_app(tmp_path):
    command = json.loads(dict(dockerfile_instructions())["CMD"])
    with socket.socket() as probe:  # a port nothing listens on: no dataset, no network
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    port = free_port()
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "SIGNVIZ_ADDRESS": "127.0.0.1",
        "SIGNVIZ_PORT": str(port),
        "SIGNVIZ_CACHE_DIR": str(tmp_path / "volume"),
        URL_VARIABLE: f"http://127.0.0.1:{dead_port}/dataset.zip",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    environment.pop(DATA_DIR_VARIABLE, None)
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            command, cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        answer, deadline = None, time.monotonic() + 120
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH}", timeout=2) as r:
                    answer = r.read()
            except OSError:
                time.sleep(0.1)  # the polling interval
        assert answer == b"ok", log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
    first_line = log.read_text().splitlines()[0]
    # No dataset and no network: it says so and serves scikit-learn's digits instead.
    assert first_line.startswith("signviz: ") and "download" in first_line.lower()


@pytest.mark.parametrize("flag", ["--server.fileWatcherType", "--server.runOnSave"])
def test_the_readme_says_how_to_turn_watching_back_on(flag):
    assert flag in (PROJECT / "README.md").read_text()
