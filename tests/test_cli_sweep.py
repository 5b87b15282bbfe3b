"""``python -m signviz sweep``: the table, the JSON, the progress bar and bad grids."""

import json

import pytest
from test_cli import tiny_data  # noqa: F401 -- the fixture: a tiny Kaggle-style dataset

from signviz import sweep
from signviz.__main__ import main


def strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_has_one_object_per_run(tiny_data, capsys):  # noqa: F811
    status = main(
        ["sweep", "two-layer", "--data", tiny_data, "--learning-rates", "0.1,1,500",
         "--hidden-units", "1,4", "--iterations", "60", "--jobs", "2", "--json"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0
    runs = strict_json(captured.out)["runs"]
    assert [run["index"] for run in runs] == list(range(6))
    settings = [(run["settings"]["learning_rate"], run["settings"]["hidden_units"]) for run in runs]
    assert settings == [(0.1, 1), (0.1, 4), (1.0, 1), (1.0, 4), (500.0, 1), (500.0, 4)]
    for run in runs:
        assert run["settings"]["n_iterations"] == 60
        assert {"costs", "train_accuracy", "test_accuracy", "diverged", "seconds"} <= set(run)
        assert run["seconds"] > 0
    healthy = [run for run in runs if not run["diverged"]]
    assert len(healthy) >= 4 and all(len(run["costs"]) == 60 for run in healthy)
    assert all(0 <= run["test_accuracy"] <= 1 for run in healthy)
    assert runs[4]["diverged"] and len(runs[4]["costs"]) < 60
    assert "6/6" in captured.err  # the progress bar, on stderr


def test_table_lists_every_run(tiny_data, capsys):  # noqa: F811
    status = main(
        ["sweep", "logreg", "--data", tiny_data, "--learning-rates", "0.01,0.5",
         "--iterations", "20", "--jobs", "1"]
    )  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split() == [
        "learning_rate", "train", "acc", "test", "acc", "final", "cost", "diverged", "seconds"
    ]  # fmt: skip
    assert [line.split()[0] for line in lines[1:]] == ["0.01", "0.5"]
    cells = [line.split() for line in lines[1:]]
    assert all(row[2] == row[4] == "%" and row[6] == "no" for row in cells)
    assert all(0 < float(row[1]) <= 100 and float(row[7]) >= 0 for row in cells)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["sweep", "cnn", "--seeds", "1"], "invalid choice: 'cnn'"),
        (["sweep", "two-layer"], "give values to try"),
        (["sweep", "logreg", "--hidden-units", "1,2"], "--hidden-units does not apply to logreg"),
        (["sweep", "two-layer", "--learning-rates", "0.1,fast"], "numbers separated by commas"),
        (["sweep", "two-layer", "--seeds", "1,1"], "random_state lists a value twice"),
        (["sweep", "two-layer", "--learning-rates", "-1"], "learning_rate must be a positive"),
        (["sweep", "two-layer", "--seeds", "1", "--jobs", "0"], "positive whole number"),
        (
            [
                "sweep",
                "two-layer",
                "--seeds",
                ",".join(map(str, range(21))),
                "--hidden-units",
                ",".join(map(str, range(1, 21))),
            ],
            "20 x 21 = 420 runs is too many",
        ),
    ],
)
def test_bad_grids_exit_2_with_one_line(arguments, message, capsys):
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error
    assert error.startswith("signviz: error: ")


def test_an_unreachable_cluster_exits_2_with_one_line(tiny_data, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", "0.5s")
    status = main(
        ["sweep", "logreg", "--data", tiny_data, "--learning-rates", "0.1",
         "--dask-scheduler", "tcp://127.0.0.1:9"]
    )  # fmt: skip
    error = capsys.readouterr().err
    assert status == 2
    assert (
        error.strip()
        .splitlines()[-1]
        .startswith("signviz: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    )
