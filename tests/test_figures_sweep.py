"""A sweep's grid summary and its figures, on results made by hand."""

import math

import numpy as np
import pytest
from charts import figure_json, values

from signviz import figures
from signviz.sweep import RunResult, Sweep, summarize

SWEEP = Sweep(
    "two-layer",
    {"learning_rate": [0.01, 0.1, 10.0], "hidden_units": [1, 3], "random_state": [0, 1]},
)


def result(index, accuracy=None, diverged=False, costs=(0.7, 0.5, 0.3)):
    settings = SWEEP.runs()[index]
    accuracy = math.nan if accuracy is None else accuracy
    return RunResult(index, settings, costs, accuracy, accuracy, diverged, None, 1.0)


def by_settings(learning_rate, hidden_units, seed):
    runs = SWEEP.runs()
    return runs.index(
        {"learning_rate": learning_rate, "hidden_units": hidden_units, "random_state": seed}
    )


@pytest.fixture
def partial():
    """Some runs finished: seeds pooled, one cell half diverged, one all diverged."""
    return [
        result(by_settings(0.01, 1, 0), 0.8),
        result(by_settings(0.01, 1, 1), 0.9),
        result(by_settings(0.1, 3, 0), 0.95),
        result(by_settings(10.0, 3, 0), diverged=True, costs=(0.7, 9.0)),
        result(by_settings(10.0, 3, 1), diverged=True, costs=(0.7, 12.0)),
        result(by_settings(10.0, 1, 0), 0.5, diverged=True),
        result(by_settings(10.0, 1, 1), 0.6),
    ]


def test_summary_pools_the_runs_of_each_cell(partial):
    summary = summarize(SWEEP, partial, "learning_rate", "hidden_units")
    assert summary.test_accuracy.shape == (2, 3)  # rows: hidden units; columns: rates
    np.testing.assert_allclose(summary.test_accuracy[0], [0.85, np.nan, 0.6])
    np.testing.assert_allclose(summary.test_accuracy[1], [np.nan, 0.95, np.nan])
    np.testing.assert_array_equal(summary.finished, [[2, 0, 2], [0, 1, 2]])
    np.testing.assert_array_equal(summary.diverged, [[0, 0, 1], [0, 0, 2]])
    np.testing.assert_array_equal(summary.planned, np.full((2, 3), 2))
    assert summary.best() == (0.1, 3, 0.95)
    assert summary.cell(0.01, 3) == (1, 0) and summary.cell(0.3, 3) is None
    one_row = summarize(SWEEP, partial, "hidden_units")
    assert one_row.y_values == (None,)
    np.testing.assert_allclose(one_row.test_accuracy, [[(0.8 + 0.9 + 0.6) / 3, 0.95]])


def test_summary_refuses_axes_outside_the_grid(partial):
    with pytest.raises(ValueError, match="'activation' is not one of the sweep's axes"):
        summarize(SWEEP, partial, "activation")
    with pytest.raises(ValueError, match="two different"):
        summarize(SWEEP, partial, "hidden_units", "hidden_units")
    assert summarize(SWEEP, [], "hidden_units").best() is None


def test_heatmap_marks_waiting_and_diverged_cells_not_as_zero(partial):
    summary = summarize(SWEEP, partial, "learning_rate", "hidden_units")
    figure = figure_json(
        figures.sweep_heatmap(
            summary,
            labels={"learning_rate": "learning rate", "hidden_units": "hidden units"},
            tutorial={"learning_rate": 0.01, "hidden_units": 3, "random_state": 42},
        )
    )
    accuracy, diverged, clicks, tutorial = figure["data"]
    assert accuracy["x"] == ["0.01", "0.1", "10"] and accuracy["y"] == ["1", "3"]
    z = accuracy["z"]
    assert z[0][0] == pytest.approx(0.85) and z[1][1] == pytest.approx(0.95)
    assert z[1][0] is None and z[1][2] is None  # waiting, and all diverged: no colour
    assert accuracy["text"][0] == ["85.0%", "…", "60.0%<br>1 of 2 diverged"]
    assert accuracy["text"][1] == ["…", "95.0%<br>(1 of 2 runs)", "diverged"]
    assert diverged["z"] == [[None, None, None], [None, None, 1.0]]
    assert (accuracy["zmin"], accuracy["zmax"]) == (0, 1)
    assert clicks["customdata"] == [[0, 0], [2, 0], [1, 1], [2, 1]]
    assert (tutorial["x"], tutorial["y"]) == (["0.01"], ["3"])
    assert tutorial["name"] == "the tutorial's settings"
    assert figure["layout"]["xaxis"]["title"]["text"] == "learning rate"


def test_heatmap_without_the_tutorials_cell_frames_nothing(partial):
    summary = summarize(SWEEP, partial, "learning_rate", "hidden_units")
    figure = figures.sweep_heatmap(summary, tutorial={"learning_rate": 0.3, "hidden_units": 3})
    assert [trace.name for trace in figure.data] == ["test accuracy", "diverged", "select a cell"]


def test_cost_curves_one_per_finished_run(partial):
    names = ["learning_rate", "hidden_units"]
    figure = figure_json(figures.sweep_cost_curves(partial, names, selected=0, planned=3))
    curves = figure["data"]
    assert len(curves) == len(partial)
    assert curves[-1]["line"]["color"] == "black"  # the selected run, drawn last
    assert curves[-1]["name"] == "learning_rate 0.01, hidden_units 1"
    diverged = [curve for curve in curves if curve["line"].get("dash") == "dot"]
    assert len(diverged) == 3
    assert list(values(curves[0]["y"])) == [0.7, 0.5, 0.3]
    assert figure["layout"]["xaxis"]["range"] == [0, 2]
    assert figure["layout"]["yaxis"]["type"] == "log"


def test_long_cost_curves_are_thinned_for_the_browser():
    long = result(0, 0.9, costs=tuple(np.linspace(1, 0.1, 2500)))
    curve = figure_json(figures.sweep_cost_curves([long], ["learning_rate"], max_points=250))
    x = values(curve["data"][0]["x"])
    assert len(x) <= 251 and x[0] == 0 and x[-1] == 2499
    np.testing.assert_allclose(values(curve["data"][0]["y"]), np.linspace(1, 0.1, 2500)[x])
