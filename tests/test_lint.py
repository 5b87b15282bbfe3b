"""The code stays ruff-clean: lint and format are part of the test suite."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=" ".join)
def test_ruff(command):
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
