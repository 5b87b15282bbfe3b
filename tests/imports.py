"""What importing a module costs: the modules a fresh interpreter loads with it."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def loaded_by(*modules: str, among: tuple[str, ...]) -> list[str]:
    """The modules among ``among`` (names or packages, e.g. ``"sklearn"``) that a fresh
    Python has loaded once it has imported ``modules``, sorted."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=PROJECT
    )
    assert completed.returncode == 0, completed.stderr
    return [
        name
        for name in json.loads(completed.stdout)
        if any(name == wanted or name.startswith(f"{wanted}.") for wanted in among)
    ]
