"""What every benchmark shares: results, fair timing, the table and the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Result:
    """One benchmark figure: a measured value, its reference from the same run, the ratio."""

    figure: str
    value: float
    reference: float
    unit: str
    target: str
    ratio: float
    met: bool
    note: str = ""

    @classmethod
    def at_most(cls, figure, value, reference, unit, limit, note="") -> Result:
        """A result whose ratio ``value / reference`` should stay at or below ``limit``."""
        ratio = value / reference
        return cls(figure, value, reference, unit, f"<= {limit:g}", ratio, ratio <= limit, note)

    @classmethod
    def at_least(cls, figure, value, reference, unit, limit, note="") -> Result:
        """A result whose ratio ``value / reference`` should reach at least ``limit``."""
        ratio = value / reference
        return cls(figure, value, reference, unit, f">= {limit:g}", ratio, ratio >= limit, note)


def interleaved(*measures: Callable[[], float], rounds: int = 5) -> list[float]:
    """Call the measures in turn, ``rounds`` times, and return each one's median.

    Alternating them spreads the machine's slow moments over all of them alike.
    """
    samples = [[] for _ in measures]
    for _ in range(rounds):
        for index, measure in enumerate(measures):
            samples[index].append(measure())
    return [statistics.median(values) for values in samples]


def seconds_per_call(function: Callable[[], object], calls: int = 1) -> Callable[[], float]:
    """A measure: the wall time of ``calls`` calls of ``function``, per call."""

    def measure() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        return (time.perf_counter() - started) / calls

    return measure


def machine() -> dict:
    """What these numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "system": platform.platform(),
    }


def format_number(value: float, unit: str) -> str:
    return f"{value:.3g} {unit}".strip()


def table(results: list[Result]) -> str:
    """The results as a Markdown table (it reads well in a terminal too)."""
    rows = [("figure", "measured", "reference", "ratio", "target", "met")]
    for result in results:
        rows.append(
            (
                result.figure,
                format_number(result.value, result.unit),
                format_number(result.reference, result.unit),
                f"{result.ratio:.2f}",
                result.target,
                "yes" if result.met else "NO",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def write_json(path, results: list[Result]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine(), "results": [asdict(result) for result in results]}
    path.write_text(json.dumps(document, indent=2) + "\n")
