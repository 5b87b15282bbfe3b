"""Chapter 6 through AppTest: Keras trained live in the background, stopped, cross-validated."""

from pathlib import Path

import numpy as np
import pytest
from charts import chart_titled, values
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 300

pytestmark = pytest.mark.slow


def keras_page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("chapters/keras_network.py").run()
    assert not app.exception
    return app


def finish(app: AppTest, name: str = "keras"):
    """Wait for this session's background job, then redraw the page."""
    job = app.session_state["jobs"][name]
    assert job.wait(TIMEOUT), f"the {name} job did not finish"
    app.run()
    assert not app.exception
    return job


def history(app: AppTest) -> dict:
    chart = chart_titled(app, "Keras, epoch by epoch")
    return {trace["name"]: values(trace["y"]) for trace in chart["data"]}


@pytest.mark.real_data
def test_training_draws_one_point_per_epoch(real_dataset):
    app = keras_page()
    assert app.dataframe[0].value["parameters"].sum() == 4096 * 8 + 8 + 8 * 4 + 4 + 4 + 1
    app.slider(key="keras_epochs").set_value(4)
    app.button(key="keras_train").click().run()
    job = finish(app)
    assert job.error is None
    curves = history(app)
    assert set(curves) == {
        "training loss", "validation loss", "training accuracy", "validation accuracy",
    }  # fmt: skip
    assert all(len(curve) == 4 for curve in curves.values())
    np.testing.assert_allclose(curves["training loss"], job.result.cost_history_)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Epochs"] == "4"
    network = job.result
    assert metrics["Test accuracy"] == f"{network.score(*_test_set(app)):.2%}"
    units = chart_titled(app, "What each unit of the first layer looks at")["data"]
    assert len(units) == 8
    assert values(units[0]["z"]).shape == (64, 64)


def _test_set(app):
    task = app.session_state["task"]
    return task.x_test, task.y_test


@pytest.mark.real_data
def test_stop_keeps_the_partial_history(real_dataset):
    app = keras_page()
    app.slider(key="keras_epochs").set_value(300)
    app.button(key="keras_train").click().run()
    job = app.session_state["jobs"]["keras"]
    while job.running and len(job.progress) < 2:
        job.wait(0.05)
    app.button(key="keras_train").click().run()  # a second run while one goes on
    assert "already going" in app.warning[0].value
    app.button(key="keras_stop").click().run()
    finish(app)
    epochs = job.result.n_iter_
    assert 2 <= epochs < 300
    assert f"Stopped after {epochs} of 300 epochs" in app.info[0].value
    assert len(history(app)["training loss"]) == epochs


@pytest.mark.real_data
def test_cross_validation_shows_three_folds(real_dataset):
    app = keras_page()
    app.slider(key="keras_epochs").set_value(3)
    app.button(key="keras_cross_validate").click().run()
    job = finish(app, "keras-cv")
    result = job.result
    shown = {metric.label: metric.value for metric in app.metric}
    assert [shown[f"Fold {fold}"] for fold in (1, 2, 3)] == [
        f"{accuracy:.2%}" for accuracy in result.fold_accuracies
    ]
    assert shown["Mean accuracy"] == f"{result.mean:.4f}"
    assert shown["Standard deviation"] == f"{result.std:.4f}"


@pytest.mark.real_data
def test_the_numpy_twin_trains_beside_keras(real_dataset):
    app = keras_page()
    app.slider(key="keras_epochs").set_value(3)
    app.button(key="keras_train").click().run()
    finish(app)
    app.button(key="keras_train_twin").click().run()
    assert not app.exception
    curves = chart_titled(app, "Cost per epoch: the library and the code by hand")["data"]
    assert [curve["name"] for curve in curves] == ["Keras", "numpy twin"]
    assert all(len(values(curve["y"])) == 3 for curve in curves)
    app.selectbox(key="keras_optimizer").set_value("sgd").run()
    assert any("The twin implements Adam" in caption.value for caption in app.caption)


@pytest.mark.usefixtures("fallback")
def test_the_page_works_on_the_fallback_data():
    app = keras_page()
    app.slider(key="keras_epochs").set_value(2)
    app.button(key="keras_train").click().run()
    finish(app)
    units = chart_titled(app, "What each unit of the first layer looks at")["data"]
    assert values(units[0]["z"]).shape == (8, 8)
