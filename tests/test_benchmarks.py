"""The benchmark harness: ratios, targets, the table and the JSON (no timing asserted)."""

import json

from benchmarks.harness import Result, interleaved, table, write_json


def test_ratios_and_targets():
    slow = Result.at_most("a", 2.6, 2.0, "ms", 1.3)
    assert slow.ratio == 1.3 and slow.met and slow.target == "<= 1.3"
    assert not Result.at_most("b", 2.7, 2.0, "ms", 1.3).met
    fast = Result.at_least("c", 9.0, 3.0, "ms", 3)
    assert fast.ratio == 3 and fast.met and fast.target == ">= 3"
    assert not Result.at_least("d", 8.0, 3.0, "ms", 3).met


def test_interleaved_takes_each_measures_median_in_turns():
    calls = []
    values = {"a": iter([5.0, 1.0, 3.0]), "b": iter([2.0, 9.0, 4.0])}

    def measure(name):
        def run():
            calls.append(name)
            return next(values[name])

        return run

    assert interleaved(measure("a"), measure("b"), rounds=3) == [3.0, 4.0]
    assert calls == ["a", "b", "a", "b", "a", "b"]


def test_table_and_json(tmp_path):
    results = [Result.at_most("1. Logistic regression", 0.31, 0.25, "ms", 1.3)]
    lines = table(results).splitlines()
    assert lines[0].split("|")[1].strip() == "figure"
    assert "| 0.31 ms" in lines[2] and "1.24" in lines[2] and "yes" in lines[2]
    path = tmp_path / "results" / "latest.json"
    write_json(path, results)
    written = json.loads(path.read_text())
    assert written["results"][0]["ratio"] == 0.31 / 0.25
    assert {"cpu", "cores", "python", "numpy"} <= set(written["machine"])


def test_figures_sort_by_their_number():
    from benchmarks.__main__ import figure_order

    names = ["9a. x", "10a. y", "2. z", "11. w", "1. v", "8b. u"]
    ordered = sorted((Result.at_most(name, 1, 1, "s", 1) for name in names), key=figure_order)
    assert [result.figure for result in ordered] == [
        "1. v", "2. z", "8b. u", "9a. x", "10a. y", "11. w",
    ]  # fmt: skip


def test_runs_packed_longest_first_on_the_first_free_worker():
    from benchmarks.sweep import packed

    assert packed([1.0, 2.0, 3.0], 1) == 6.0
    assert packed([1.0, 1.0, 3.0], 2) == 3.0  # the two short runs share one worker
    assert packed([3.0, 3.0, 2.0, 2.0, 2.0], 2) == 7.0  # longest first is not always best
