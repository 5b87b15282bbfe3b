"""Issue 16, item 12: the version floors in the requirements are true.

A floor is true when the project works with exactly that version. The fast test checks
that every package the code imports is declared. The slow tests install the floor of
each light, pure-Python dependency whose features the project relies on (Streamlit's
``bind="query-params"`` and ``persist_state``, setuptools' license expressions,
Hypothesis) into a throw-away folder with ``pip install --no-deps --target``, put it in
front of the installed packages, and run the app, the build or the property tests with
it. The heavy compiled packages (numpy, scikit-learn, TensorFlow) are not reinstalled.
"""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

PROJECT = Path(__file__).resolve().parents[1]


def requirements(name: str) -> dict[str, str]:
    """Distribution name -> its floor, from a requirements file."""
    floors = {}
    for line in (PROJECT / name).read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)", line)
        if match:
            floors[normalize(match[1])] = match[2]
    return floors


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> set[str]:
    """Top-level modules imported anywhere in the app and its package."""
    files = [PROJECT / "app.py", *PROJECT.glob("chapters/*.py"), *PROJECT.glob("signviz/**/*.py")]
    modules = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"signviz", "chapters", "__future__"}


def test_every_imported_package_is_declared():
    declared = requirements("requirements.txt")
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        module: distributions.get(module)
        for module in imported_modules()
        if not any(normalize(name) in declared for name in distributions.get(module, []))
    }
    assert undeclared == {}


def install_floor(target: Path, *specifications: str) -> None:
    """``pip install --no-deps --target``; skip the test when the index cannot be reached."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(target), *specifications],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if completed.returncode != 0:
        if re.search(r"No matching distribution|Could not find a version", completed.stderr):
            pytest.fail(f"{specifications} cannot be installed:\n{completed.stderr[-1500:]}")
        pytest.skip(f"the package index is not reachable: {completed.stderr[-300:]}")


def run_with(target: Path, arguments: list[str], cwd=PROJECT) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), str(PROJECT)]))
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, *arguments], cwd=cwd, env=environment, capture_output=True,
        text=True, check=False, timeout=900,
    )  # fmt: skip


APP_CHECK = """
import streamlit
from streamlit.testing.v1 import AppTest

from packaging.version import Version

assert Version(streamlit.__version__) == Version({version!r}), streamlit.__version__
app = AppTest.from_file("app.py", default_timeout=300)
app.query_params["first_digit"] = "3"
app.query_params["seed"] = "inf"
app.run()
assert not app.exception, [error.message for error in app.exception]
assert app.session_state["task"].digits == (3, 1)
assert any("seed=inf" in warning.value for warning in app.sidebar.warning)
for page in {pages!r}:
    app.switch_page(page).run()
    assert not app.exception, (page, [error.message for error in app.exception])
print("ok")
"""


@pytest.mark.slow
def test_the_streamlit_floor_runs_the_app(tmp_path, real_dataset):
    version = requirements("requirements.txt")["streamlit"]
    # Streamlit's own small dependencies that newer releases no longer need.
    install_floor(tmp_path, f"streamlit=={version}", "blinker", "cachetools", "toml")
    pages = sorted(
        f"chapters/{page.name}"
        for page in PROJECT.glob("chapters/*.py")
        if page.stem not in ("keras_network",)  # TensorFlow: too slow to import here
    )
    completed = run_with(tmp_path, ["-c", APP_CHECK.format(version=version, pages=pages)])
    assert completed.stdout.strip().endswith("ok"), completed.stderr[-3000:]


@pytest.mark.slow
def test_the_setuptools_floor_builds_the_project(tmp_path):
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    [requirement] = pyproject["build-system"]["requires"]
    version = re.fullmatch(r"setuptools>=([0-9.]+)", requirement)[1]
    install_floor(tmp_path / "setuptools", f"setuptools=={version}")
    source = tmp_path / "source"
    shutil.copytree(
        PROJECT,
        source,
        ignore=shutil.ignore_patterns(".*", "tests", "benchmarks", "screenshots", "*.egg-info"),
    )
    script = (
        "import setuptools, sys\n"
        "from packaging.version import Version\n"
        f"assert Version(setuptools.__version__) == Version({version!r})\n"
        "from setuptools import build_meta\n"
        "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))\n"
    )
    (tmp_path / "metadata").mkdir()
    completed = run_with(
        tmp_path / "setuptools", ["-c", script, str(tmp_path / "metadata")], cwd=source
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    [metadata] = (tmp_path / "metadata").glob("*.dist-info/METADATA")
    assert "License-Expression: Apache-2.0" in metadata.read_text()


@pytest.mark.slow
def test_the_hypothesis_floor_runs_the_property_tests(tmp_path):
    version = requirements("requirements-dev.txt")["hypothesis"]
    install_floor(tmp_path, f"hypothesis=={version}")
    completed = run_with(
        tmp_path,
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_properties.py",
         "-k", "not url", "-W", "ignore::DeprecationWarning"],
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    check = run_with(tmp_path, ["-c", "import hypothesis; print(hypothesis.__version__)"])
    assert Version(check.stdout.strip()) == Version(version)
