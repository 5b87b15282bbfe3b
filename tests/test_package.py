"""The package as users get it: a quick ``--help``, a lazy ``import signviz``, the README's
notebook example, and a wheel that installs and starts the app it ships."""

import argparse
import ast
import contextlib
import importlib.util
import io
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import pytest
from test_cli import tiny_data  # noqa: F401 -- the fixture: a tiny Kaggle-style dataset

import signviz
from signviz import data, sweep
from signviz.__main__ import (
    DATA_HELP,
    SKLEARN_MAX_ITER,
    TRAIN_EXAMPLES,
    app_command,
    build_parser,
    invoked_as,
    main,
)
from signviz.app_files import app_folder

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text()
#: Modules that take a second or more to import; --help must not wait for them.
HEAVY = ("numpy", "sklearn", "scipy", "tensorflow", "keras", "streamlit", "pandas", "plotly")
COMMANDS = ("app", "tutorial", "train", "predict", "sweep", "download")


def subcommands(parser):
    """Command name -> its parser (argparse has no public way to reach them)."""
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


# -- a quick --help ------------------------------------------------------------------


def test_help_imports_nothing_heavy():
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "signviz", "--help"],
        capture_output=True, text=True, check=False, cwd=PROJECT,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.startswith("usage: python -m signviz ")
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in completed.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "signviz" in imported and "argparse" in imported  # the measure is real
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


SCRIPT = """
import contextlib, io, json, sys
from signviz.__main__ import main
heavy = {heavy!r}
found = {{}}
for command in {commands!r}:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main([*command, "--help"])
        except SystemExit:
            pass
    found[" ".join(command)] = sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))
print(json.dumps(found))
"""


def test_every_commands_help_waits_for_its_work():
    # One process, the commands whose options need no module of the core first: the
    # modules accumulate, so each line says what that command's help added at most.
    order = [[], ["app"], ["predict"], ["download"], ["tutorial"], ["train"], ["sweep"]]
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY, commands=order)],
        capture_output=True, text=True, check=True, cwd=PROJECT,
    )  # fmt: skip
    found = json.loads(completed.stdout)
    for command in ("", "app", "predict", "download"):
        assert found[command] == [], command
    # The label orders and the sweep's models are read from the core (numpy) for the
    # help; scikit-learn, TensorFlow and Streamlit still wait for a command to run.
    assert set(found["sweep"]) <= {"numpy"}


# -- the help text -------------------------------------------------------------------


def all_help(prog="signviz"):
    parser = build_parser(prog)
    return {"": parser.format_help()} | {
        name: command.format_help() for name, command in subcommands(parser).items()
    }


def flat(text: str) -> str:
    return " ".join(text.split())


def test_help_has_no_restructuredtext():
    for command, text in all_help().items():
        assert "`" not in text, command
        assert ":mod:" not in text and ":class:" not in text, command


def test_every_option_says_its_default():
    for name, command in subcommands(build_parser()).items():
        text = flat(command.format_help())
        for action in command._actions:
            if "-h" in action.option_strings:
                continue
            assert action.help, (name, action.dest)
            if action.nargs == 0:  # a flag: off unless given
                continue
            if action.option_strings:
                assert "(default: " in action.help or "(required)" in action.help, (
                    name,
                    action.dest,
                )
            if action.default not in (None, False):
                shown = (
                    " ".join(map(str, action.default))
                    if isinstance(action.default, tuple)
                    else str(action.default)
                )
                assert f"(default: {shown}" in text, (name, action.dest)


def test_the_help_names_what_the_code_reads():
    help_text = {name: flat(text) for name, text in all_help().items()}
    assert f"${data.DATA_DIR_VARIABLE}," in DATA_HELP
    assert f"${data.LABEL_ORDER_VARIABLE}," in help_text["train"]
    assert f"Y.npy: {', '.join(data.LABEL_ORDERS)} (default" in help_text["train"]
    assert f"${sweep.SCHEDULER_VARIABLE})" in help_text["sweep"]
    assert f"MODEL {', '.join(sweep.MODELS)} " in help_text["sweep"]
    assert f"sklearn: {SKLEARN_MAX_ITER})" in help_text["train"]


def test_train_help_ends_with_examples_that_parse():
    text = build_parser("signviz").format_help()
    train = subcommands(build_parser("signviz"))["train"].format_help()
    assert "examples:" not in text
    examples = train.split("\nexamples:\n")[1].strip().splitlines()
    assert train.rstrip().endswith(examples[-1])
    assert len(examples) == TRAIN_EXAMPLES.count("{prog}") >= 3
    parser = build_parser("signviz")
    for example in examples:
        words = shlex.split(example)
        assert words[:2] == ["signviz", "train"], example
        arguments = parser.parse_args(words[1:])
        assert arguments.model in words


def readme_commands():
    """Every ``signviz ...`` or ``python -m signviz ...`` line of the README's bash blocks."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:3] == ["python", "-m", "signviz"]:
                commands.append(words[3:])
            elif words[:1] == ["signviz"]:
                commands.append(words[1:])
    return commands


def test_the_readmes_commands_parse():
    commands = readme_commands()
    assert ["app"] in commands and ["--help"] in commands and len(commands) >= 10
    for words in commands:
        if words == ["--help"]:
            continue
        arguments = build_parser().parse_args(words)
        assert callable(arguments.run), words


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"], prog="signviz")
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"signviz {signviz.__version__}\n"


def test_prog_follows_how_the_command_line_was_started(tmp_path):
    assert invoked_as(str(PROJECT / "signviz" / "__main__.py")) == "python -m signviz"
    assert invoked_as("/home/me/.local/bin/signviz") == "signviz"
    assert invoked_as(r"C:\venv\Scripts\signviz.exe".replace("\\", os.sep)) == "signviz"
    assert build_parser("signviz").format_usage().startswith("usage: signviz ")
    train = subcommands(build_parser("python -m signviz"))["train"].format_help()
    assert train.startswith("usage: python -m signviz train ")
    assert "\n  python -m signviz train logreg\n" in train


# -- signviz app ---------------------------------------------------------------------


def test_app_runs_streamlit_on_the_app_with_its_settings():
    arguments = build_parser().parse_args(
        ["app", "--port", "8600", "--headless", "--", "--server.runOnSave", "true"]
    )
    command = app_command(arguments)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(command[4]) == PROJECT / "app.py" == app_folder() / "app.py"
    settings = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    flags = command[5:]
    assert len(settings) >= 4
    for section, options in settings.items():
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            assert f"--{section}.{name}={text}" in flags
    assert "--server.fileWatcherType=none" in flags and "--server.maxUploadSize=10" in flags
    assert "--server.port=8600" in flags and "--server.headless=true" in flags
    assert flags[-2:] == ["--server.runOnSave", "true"]  # last: wins over the settings
    plain = app_command(build_parser().parse_args(["app"]))
    assert "--server.port=8501" in plain
    assert not any(flag.startswith(("--server.headless", "--server.address")) for flag in plain)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--port", "0"], "argument --port: expected a positive whole number, got '0'"),
        (["--port", "65536"], "argument --port: expected a port from 1 to 65535, got '65536'"),
        (["--port", "http"], "argument --port: expected a positive whole number, got 'http'"),
        (["--adress", "x"], "unrecognized arguments: --adress"),
    ],
)
def test_bad_app_options_exit_2_with_one_line(arguments, message, capsys):
    assert main(["app", *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [f"signviz: error: {message}"]


def test_app_without_its_files_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("signviz.app_files._PACKAGE", tmp_path / "signviz")
    assert main(["app"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"signviz: error: the app is missing from this installation ({tmp_path / 'app.py'})"
    )


# -- import signviz ------------------------------------------------------------------


def test_import_signviz_is_lazy():
    script = (
        "import sys, json\n"
        "import signviz\n"
        f"heavy = {HEAVY!r}\n"
        "before = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        "signviz.make_task\n"
        "after = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        "print(json.dumps([before, after, 'signviz.figures' in sys.modules]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT
    )
    before, after, figures = json.loads(completed.stdout)
    assert before == []
    assert "numpy" in after and "sklearn" not in after  # only what make_task needs
    assert figures is False


def test_the_public_api_is_what_its_modules_define():
    from signviz import export, figures, models

    assert signviz.make_task is data.make_task
    assert signviz.load_dataset is data.load_dataset
    assert signviz.Task is data.Task
    assert signviz.TwoLayerNetwork is models.TwoLayerNetwork
    assert signviz.load_model is export.load_model
    assert signviz.figures is figures
    assert set(signviz.__all__) <= set(dir(signviz))
    for name in signviz.__all__:
        if name == "KerasNetwork":  # TensorFlow: its module must define it
            spec = importlib.util.find_spec("signviz.models.keras_network")
            tree = ast.parse(Path(spec.origin).read_text())
            assert any(isinstance(node, ast.ClassDef) and node.name == name for node in tree.body)
            continue
        assert getattr(signviz, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'LogisticRegression'"):
        signviz.LogisticRegression  # noqa: B018


def test_the_readmes_notebook_example_runs(tiny_data, monkeypatch):  # noqa: F811
    [code] = re.findall(r"### In a notebook\n.*?```python\n(.*?)```", README, re.S)
    monkeypatch.setenv(data.DATA_DIR_VARIABLE, tiny_data)
    namespace = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), namespace)
    model, task, figure = namespace["model"], namespace["task"], namespace["figure"]
    assert isinstance(model, signviz.TwoLayerNetwork)
    assert task.digits == (0, 1) and task.n_features == 64  # the tiny data, not a download
    assert output.getvalue() == (
        f"test accuracy: {100 * model.score(task.x_test, task.y_test):.2f} %\n"
    )
    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].y) == pytest.approx(model.cost_history_)


# -- the wheel -----------------------------------------------------------------------


def build_wheel(tmp_path: Path) -> Path:
    """The project's wheel, built with the setuptools floor of pyproject.toml."""
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    [requirement] = pyproject["build-system"]["requires"]
    floor = re.fullmatch(r"setuptools>=([0-9.]+)", requirement)[1]
    backend = tmp_path / "setuptools"
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(backend), f"setuptools=={floor}"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if completed.returncode != 0:
        pytest.skip(f"setuptools {floor} cannot be fetched: {completed.stderr[-300:]}")
    source = tmp_path / "source"
    generated = shutil.ignore_patterns(
        ".git", ".venv", ".*_cache", "build", "dist", "*.egg-info", "__pycache__",
        "tests", "benchmarks", "screenshots",
    )  # fmt: skip

    def ignore(folder: str, names: list[str]) -> set[str]:
        # The dataset a checkout may hold is the top-level data/, not the package signviz/data.
        top_data = {"data"} if Path(folder) == PROJECT and "data" in names else set()
        return set(generated(folder, names)) | top_data

    shutil.copytree(PROJECT, source, ignore=ignore)
    environment = dict(os.environ, PYTHONPATH=str(backend), PYTHONDONTWRITEBYTECODE="1")
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "wheel"), str(source)],
        capture_output=True, text=True, check=False, timeout=600, env=environment,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    [wheel] = (tmp_path / "wheel").glob("signviz-*.whl")
    return wheel


def install(wheel: Path, folder: Path) -> Path:
    """A fresh virtual environment with the wheel, seeing this one's packages; its bin."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # Like --system-site-packages, but the packages of the environment running the tests
    # (the new one's own, with the wheel, come first).
    Path(purelib, "dev-packages.pth").write_text(
        "\n".join(path for path in sys.path if path.endswith("site-packages")) + "\n"
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return python.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as reply:
        return reply.status, reply.read()


@pytest.mark.slow
def test_the_wheel_installs_and_starts_the_app(tmp_path, tiny_data):  # noqa: F811
    wheel = build_wheel(tmp_path)
    files = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "signviz/_app/app.py",
        "signviz/_app/.streamlit/config.toml",
        *(f"signviz/_app/chapters/{p.name}" for p in PROJECT.glob("chapters/*.py")),
        *(f"signviz/_app/chapters/text/{p.name}" for p in PROJECT.glob("chapters/text/*.md")),
        *(p.relative_to(PROJECT).as_posix() for p in PROJECT.glob("signviz/**/*.py")),
    }
    assert len(shipped) > 40
    assert shipped <= files, sorted(shipped - files)  # a subpackage missing from pyproject?
    assert {name.split("/")[0] for name in files} == {
        "signviz",
        wheel.name.split("-py")[0] + ".dist-info",
    }

    bin_dir = install(wheel, tmp_path / "venv")
    outside = tmp_path / "elsewhere"  # not the project: only the installed copy is found
    outside.mkdir()
    environment = dict(
        os.environ,
        PYTHONDONTWRITEBYTECODE="1",
        SIGNVIZ_DATA_DIR=tiny_data,
        SIGNVIZ_CACHE_DIR=str(tmp_path / "cache"),
    )
    environment.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [bin_dir / "signviz", "--help"], capture_output=True, text=True, cwd=outside,
        env=environment, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: signviz [-h] [--version] COMMAND")
    check = subprocess.run(
        [bin_dir / "python", "-c",
         "import signviz.texts; print(signviz.__file__); print(signviz.texts.available())"],
        capture_output=True, text=True, cwd=outside, env=environment, check=True,
    )  # fmt: skip
    location, texts = check.stdout.splitlines()
    assert Path(location).is_relative_to(tmp_path / "venv")
    assert ast.literal_eval(texts) == sorted(p.stem for p in PROJECT.glob("chapters/text/*.md"))

    port = free_port()
    server = subprocess.Popen(
        [bin_dir / "signviz", "app", "--port", str(port), "--address", "127.0.0.1",
         "--headless", "--", "--server.scriptHealthCheckEnabled", "true"],
        cwd=outside, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read().decode()[-3000:]
            assert time.monotonic() < deadline, "no answer from /_stcore/health"
            with contextlib.suppress(OSError):
                if get(f"{url}/_stcore/health") == (200, b"ok"):
                    break
            time.sleep(0.1)
        # Streamlit runs app.py, which runs the start page, in a session of its own.
        assert get(f"{url}/_stcore/script-health-check") == (200, b"ok")
        status, page = get(url)
        assert status == 200 and b'<div id="root">' in page
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode in (0, -15)
