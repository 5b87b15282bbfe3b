"""Run the benchmarks: ``python -m benchmarks [--only NAME ...] [--json PATH]``.

Prints a table (figure, measured value, reference measured in the same run, ratio,
target) and writes the same as JSON. The computations run as the app runs them: the
tutorial's task in float32, one BLAS thread. The dataset comes from ``SIGNVIZ_DATA_DIR`` or
the user cache; the browser figures need the system's Chromium.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import classroom, compute, server
from benchmarks import sweep as sweep_benchmarks
from benchmarks.harness import machine, table, write_json
from signviz import data

DEFAULT_JSON = Path(__file__).parent / "results" / "latest.json"
GROUPS = (
    "models",
    "keras",
    "live",
    "data",
    "sweep",
    "startup",
    "memory",
    "concurrency",
    "classroom",
    "redraws",
)


def figure_order(result) -> tuple:
    """Sort figures by their number, then by the rest of their name (9 before 10a)."""
    number = result.figure.split(".")[0].rstrip("abcdefgh")
    return (int(number) if number.isdigit() else 0, result.figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=GROUPS, metavar="NAME",
                        help=" | ".join(GROUPS))  # fmt: skip
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    arguments = parser.parse_args(argv)

    folder = data.find_dataset()
    if folder is None:
        parser.error("no dataset: set SIGNVIZ_DATA_DIR or run `python -m signviz download`")
    # As the app computes (signviz.ui): the tutorial's task in float32, one BLAS thread.
    threadpool_limits(limits=1, user_api="blas")
    dataset = data.load_dataset(folder, download=False)
    task = data.make_task(dataset, (0, 1), dtype=np.float32)
    for key, value in machine().items():
        print(f"{key}: {value}")

    results = []
    for group in arguments.only:
        print(f"running {group}...", file=sys.stderr, flush=True)
        if group == "models":
            results += [compute.logistic_regression(task), compute.two_layer_network(task)]
        elif group == "keras":
            results += compute.keras_against_twin(task)
        elif group == "live":
            results += [compute.live_drawing(task), compute.concurrent_trainings(task)]
        elif group == "data":
            results.append(compute.dataset_cache(str(folder)))
        elif group == "classroom":
            results += classroom.classroom()
        elif group == "sweep":
            results += sweep_benchmarks.sweep_speedup(task)
            results.append(sweep_benchmarks.shared_pool(task))
        else:
            with server.chromium() as browser:
                measure = {
                    "startup": server.startup,
                    "memory": server.memory_per_session,
                    "concurrency": server.concurrency,
                    "redraws": server.redraws,
                }[group]
                results.append(measure(browser))
    results.sort(key=figure_order)
    print(table(results))
    write_json(arguments.json, results)
    met = sum(result.met for result in results)
    print(f"{met} of {len(results)} targets met; written to {arguments.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
