"""Chapter 8, "Try them", through AppTest: the controls, a small sweep filling the grid."""

import math
import re

import numpy as np
import pytest
from charts import chart_titled, values
from joblib import cpu_count
from pages import open_page

from signviz.sweep import summarize

pytestmark = pytest.mark.real_data


def wait_for(app, timeout=120):
    job = app.session_state["sweep_job"]
    assert job.wait(timeout)
    app.run()
    assert not app.exception
    return job


def test_the_chapter_offers_the_tutorials_models_and_a_grid(app):
    open_page(app, "sweep")
    assert app.title[0].value == "8. Try them: a hyperparameter sweep"
    assert "press **Sweep**" in app.info[0].value
    assert app.selectbox(key="sweep_model").value == "two-layer"
    assert app.selectbox(key="sweep_two-layer_x").value == "learning_rate"
    assert app.selectbox(key="sweep_two-layer_y").value == "hidden_units"
    assert app.multiselect(key="sweep_two-layer_hidden_units_values").value == [1, 3, 8]
    assert app.selectbox(key="sweep_two-layer_n_iterations_fixed").value == 500
    workers = cpu_count()
    assert f"12 runs; they run on {workers} worker processes on this machine." in [
        caption.value for caption in app.caption
    ]


def test_a_small_sweep_fills_the_heatmap(app):
    open_page(app, "sweep")
    app.multiselect(key="sweep_two-layer_learning_rate_values").set_value([0.01, 10.0])
    app.multiselect(key="sweep_two-layer_hidden_units_values").set_value([1, 3])
    app.selectbox(key="sweep_two-layer_n_iterations_fixed").set_value(50)
    app.button(key="sweep_start").click().run()
    assert not app.exception
    heatmap = chart_titled(app, "Test accuracy of each setting")
    assert heatmap["data"][0]["x"] == ["0.01", "10"]
    job = wait_for(app)
    assert len(job.results) == 4 and not job.stopped

    heatmap = chart_titled(app, "Test accuracy of each setting")
    summary = summarize(job.sweep, job.results, "learning_rate", "hidden_units")
    accuracy, diverged = heatmap["data"][0], heatmap["data"][1]
    shown = np.array(
        [[math.nan if cell is None else cell for cell in row] for row in accuracy["z"]]
    )
    np.testing.assert_allclose(shown, summary.test_accuracy)
    assert "…" not in str(accuracy["text"])  # every cell filled
    # A learning rate of 10 throws the network of 3 hidden units off: grey, not 0 %.
    assert summary.diverged[1, 1] == 1 and summary.diverged[:, 0].sum() == 0
    for row in range(2):
        for column in range(2):
            gone = bool(summary.diverged[row, column])
            assert (accuracy["text"][row][column] == "diverged") == gone
            assert diverged["z"][row][column] == (1.0 if gone else None)
    assert heatmap["data"][-1]["name"] == "the tutorial's settings"
    assert (heatmap["data"][-1]["x"], heatmap["data"][-1]["y"]) == (["0.01"], ["3"])

    costs = chart_titled(app, "Cost of every run")
    assert len(costs["data"]) == 4
    text = " ".join(block.value for block in app.markdown)
    best = summary.best()[2]
    assert f"Best test accuracy so far: **{best:.1%}**" in text
    tutorial_cell = summary.test_accuracy[summary.cell(0.01, 3)]
    assert f"The tutorial's settings (framed in red) reached {tutorial_cell:.1%}." in text
    assert "iterations 50 (the tutorial: 2500)" in text
    assert f"{summary.diverged.sum()} of 4 finished runs diverged (grey)" in text

    # The run shown first is the best one; choosing another shows its curve and weights.
    best_run = max(job.results, key=lambda run: (not run.diverged, run.test_accuracy))
    assert app.selectbox(key="sweep_run").value == best_run.index
    tutorial_run = next(
        run
        for run in job.results
        if run.settings["learning_rate"] == 0.01 and run.settings["hidden_units"] == 3
    )
    app.selectbox(key="sweep_run").set_value(tutorial_run.index).run()
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Test accuracy"] == f"{tutorial_run.test_accuracy:.2%}"
    assert shown["Train accuracy"] == f"{tutorial_run.train_accuracy:.2%}"
    assert shown["Iterations"] == "50"
    assert values(chart_titled(app, "This run's cost")["data"][0]["y"]).tolist() == pytest.approx(
        list(tutorial_run.costs)
    )
    units = chart_titled(app, "What each hidden unit of this run looks at")
    assert len(units["data"]) == 3
    np.testing.assert_allclose(
        values(units["data"][0]["z"]).ravel(), tutorial_run.model.weights_[0][0], rtol=1e-6
    )


def test_stop_keeps_what_finished_and_bad_grids_are_explained(app):
    open_page(app, "sweep")
    app.multiselect(key="sweep_two-layer_hidden_units_values").set_value([])
    app.button(key="sweep_start").click().run()
    assert not app.exception
    assert "This grid cannot run: hidden_units has no values to try." in app.error[0].value

    app.multiselect(key="sweep_two-layer_hidden_units_values").set_value([1, 2, 3, 4, 8])
    app.multiselect(key="sweep_two-layer_learning_rate_values").set_value([0.03, 0.1, 0.3, 1.0])
    app.selectbox(key="sweep_two-layer_n_iterations_fixed").set_value(1000)
    app.button(key="sweep_start").click().run()
    app.button(key="sweep_stop").click().run()
    job = wait_for(app)
    assert job.stopped and len(job.results) < job.total == 20
    assert f"Stopped: {len(job.results)} of 20 runs finished, and they are kept." in (
        app.info[0].value
    )
    text = " ".join(block.value for block in app.markdown)
    assert "The tutorial's values of these two settings are not on this grid." in text


def test_an_unreachable_cluster_is_explained_not_a_traceback(app, monkeypatch):
    from signviz import sweep

    monkeypatch.setenv(sweep.SCHEDULER_VARIABLE, "tcp://127.0.0.1:9")
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", "0.5s")
    open_page(app, "sweep")
    assert app.error[0].value.startswith(
        "The sweep's workers are not available: cannot reach the Dask scheduler at "
        "tcp://127.0.0.1:9"
    )


def test_a_learner_waiting_for_a_core_sees_their_place(app, monkeypatch):
    from signviz import sweep

    # As if three other learners' sweeps were ahead of this one in the server's queue.
    monkeypatch.setattr(sweep.SweepPool, "place_in_queue", lambda pool, job: 4)
    open_page(app, "sweep")
    app.button(key="sweep_start").click().run()
    job = app.session_state["sweep_job"]
    try:
        assert not app.exception
        assert not job.done  # twelve runs of 500 iterations take seconds
        progress = re.fullmatch(
            r"(\d+) of 12 runs finished, (\d+) running", app.get("progress")[0].proto.text
        )
        assert progress and int(progress[1]) < 12 and int(progress[2]) <= cpu_count()
        assert app.info[0].value == (
            "Every worker is busy with other learners' runs: 3 sweeps ahead of yours in the queue."
        )
    finally:
        job.stop()
        job.wait(60)
