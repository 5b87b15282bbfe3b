"""The app's navigation, the task in the sidebar, and the model pages, through AppTest."""

import time
from pathlib import Path

import numpy as np
import pytest
from charts import chart_specs, chart_titled, title, values
from live import finish, press, trainer
from streamlit.testing.v1 import AppTest

from signviz import trainer as trainer_module
from signviz.models import LogisticRegressionGD, TwoLayerNetwork
from signviz.trainer import CoreLimiter
from signviz.training import cost_rises

APP = str(Path(__file__).resolve().parents[1] / "app.py")

pytestmark = pytest.mark.real_data


def open_page(app, page):
    app.switch_page(f"chapters/{page}.py").run()
    assert not app.exception
    return app


def metrics(app) -> dict:
    """Each metric's value by label (the first, where two share a label)."""
    shown = {}
    for metric in app.metric:
        shown.setdefault(metric.label, metric.value)
    return shown


def points(spec) -> int:
    return len(values(spec["data"][0]["y"]))


def test_start_page_links_every_chapter(app):
    links = [link.proto.page for link in app.get("page_link")]
    assert len(links) == 9
    assert "**0** (label 0) against **1** (label 1)" in app.markdown[0].value
    assert "348 training images" in app.markdown[0].value


def test_logistic_regression_shows_the_tutorials_numbers(app):
    open_page(app, "logistic_regression")
    assert "Press **Train**" in app.info[0].value
    press(app, "logreg_train")
    shown = metrics(app)
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    assert f"{costs[0]:.4g}" == "14.01"  # the cost of the initial weights
    assert f"{costs[10]:.3g}" == "2.56"  # after 10 updates
    assert shown["Test accuracy"] == "93.55%"
    assert shown["Train accuracy"] == "91.95%"
    assert shown["Iteration"] == "150"
    assert shown["Cost now"] == f"{costs[-1]:.4g}"
    assert len(costs) == 151  # the cost after 0, 1, ..., 150 updates
    weights = chart_titled(app, "Weights: red for 1")["data"][0]
    assert values(weights["z"]).shape == (64, 64)
    assert weights["zmid"] == 0
    predictions = chart_titled(app, "Test images with P(1): 58 of 62 right")
    assert len(predictions["layout"]["annotations"]) == 62
    assert len(predictions["layout"]["shapes"]) == 4  # the four mistakes, framed


def test_logistic_regression_follows_the_controls(app):
    open_page(app, "logistic_regression")
    app.slider(key="logreg_iterations").set_value(40)
    app.select_slider(key="logreg_learning_rate").set_value(0.001)
    press(app, "logreg_train")
    assert points(chart_titled(app, "Cost while training")) == 41
    assert metrics(app)["Iteration"] == "40"


def test_step_buttons_advance_the_same_model(app):
    open_page(app, "logistic_regression")
    press(app, "logreg_step_1")
    shown = metrics(app)
    assert shown["Iteration"] == "1"
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    assert len(costs) == 2
    # "Cost now" is the cost of the updated parameters, not the initial 14.01.
    assert shown["Cost now"] == f"{costs[1]:.4g}" != f"{costs[0]:.4g}"
    assert not any(title(spec) == "Change of each weight" for spec in chart_specs(app))
    press(app, "logreg_step_10")
    assert metrics(app)["Iteration"] == "11"
    assert points(chart_titled(app, "Cost while training")) == 12
    change = values(chart_titled(app, "Change of each weight")["data"][0]["z"])
    assert np.abs(change).max() > 0
    assert any("The gradient's size was" in block.value for block in app.markdown)


def test_a_diverging_learning_rate_is_a_message_not_a_crash(app):
    open_page(app, "logistic_regression")
    app.select_slider(key="logreg_learning_rate").set_value(10.0)
    press(app, "logreg_train")
    assert not app.exception
    assert "Training diverged at iteration 1" in app.error[0].value
    cost = chart_titled(app, "Cost while training")
    assert points(cost) == 2  # the start, and the jump
    assert [trace["name"] for trace in cost["data"]] == ["cost", "diverged"]


def test_scikit_learn_is_shown_beside(app):
    open_page(app, "logistic_regression")
    assert values(chart_titled(app, "scikit-learn's weights")["data"][0]["z"]).shape == (64, 64)
    test_accuracies = [m.value for m in app.metric if m.label == "Test accuracy"]
    assert float(test_accuracies[-1].rstrip("%")) >= 93


def test_two_layer_network_trains_live(app):
    open_page(app, "two_layer_network")
    app.slider(key="two_layer_hidden_units").set_value(4)
    app.slider(key="two_layer_iterations").set_value(300)
    app.select_slider(key="two_layer_learning_rate").set_value(0.03)
    press(app, "two_layer_train")
    assert not app.exception
    assert points(chart_titled(app, "Cost while training")) == 301
    units = chart_titled(app, "What each hidden unit looks at")
    assert [trace["name"] for trace in units["data"]] == [f"unit {i}" for i in range(1, 5)]
    bars = chart_titled(app, "Hidden units' outputs and the answer")
    assert len(values(bars["data"][0]["y"])) == 4
    assert float(metrics(app)["Test accuracy"].rstrip("%")) >= 75  # chance is about 50


def jump_caption(app: AppTest) -> str | None:
    return next((c.value for c in app.caption if "The cost jumped up" in c.value), None)


def test_two_layer_network_explains_the_jumps_of_its_cost(app):
    open_page(app, "two_layer_network")
    app.slider(key="two_layer_iterations").set_value(100)
    press(app, "two_layer_train")
    assert jump_caption(app) is None  # a smooth start: nothing to explain
    # The tutorial's settings: the cost jumps up a few times before iteration 1500.
    app.slider(key="two_layer_iterations").set_value(1500)
    press(app, "two_layer_train")
    assert not app.exception
    caption = jump_caption(app)
    models = app.session_state["trained_models"]
    costs = next(r.model.cost_history_ for r in models.values() if r.kind == "two-layer")
    assert len(costs) == 1500  # the model's own record: the cost before each update
    first = cost_rises(costs)[0]
    assert costs[first] > 1.1 * costs[first - 1]
    assert f"at iteration {first}" in caption


def test_zero_initialization_keeps_hidden_units_identical(app):
    open_page(app, "two_layer_network")
    app.toggle(key="two_layer_zero_init").set_value(True)
    app.select_slider(key="two_layer_learning_rate").set_value(0.1)
    app.slider(key="two_layer_iterations").set_value(50)
    press(app, "two_layer_train")
    assert "All 3 hidden units are identical" in app.warning[0].value
    grids = [values(trace["z"]) for trace in chart_titled(app, "What each hidden unit")["data"]]
    for grid in grids[1:]:
        np.testing.assert_array_equal(grid, grids[0])


def test_two_layer_network_explains_a_stuck_run_and_a_diverged_one(app):
    open_page(app, "two_layer_network")
    app.select_slider(key="two_layer_init_scale").set_value(10.0)
    app.slider(key="two_layer_iterations").set_value(50)
    press(app, "two_layer_train")
    assert "Stuck near chance" in app.warning[0].value
    app.select_slider(key="two_layer_init_scale").set_value(0.1)
    app.select_slider(key="two_layer_learning_rate").set_value(10.0)
    press(app, "two_layer_train")
    assert not app.exception
    assert "Training diverged" in app.error[0].value


def test_trained_models_survive_page_switches(app):
    open_page(app, "logistic_regression")
    press(app, "logreg_train")
    open_page(app, "two_layer_network")
    open_page(app, "logistic_regression")
    assert metrics(app)["Test accuracy"] == "93.55%"


def test_the_task_comes_from_the_sidebar(app):
    app.selectbox(key="first_digit").set_value(3)
    app.selectbox(key="second_digit").set_value(8).run()
    assert "training and" in app.sidebar.caption[0].value
    assert "test images of 3 and 8" in app.sidebar.caption[0].value
    open_page(app, "logistic_regression")
    app.slider(key="logreg_iterations").set_value(20)
    press(app, "logreg_train")
    assert not app.exception
    assert chart_titled(app, "Weights: red for 8, blue for 3")
    app.selectbox(key="second_digit").set_value(3).run()
    assert "differ" in app.sidebar.error[0].value
    assert "Choose two different digits" in app.info[0].value
    assert not app.exception


def test_a_shared_link_opens_its_task(real_dataset):
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params.update(first_digit="2", second_digit="5", test_size="0.2", seed="7")
    app.run()
    assert not app.exception
    assert "**2** (label 0) against **5** (label 1)" in app.markdown[0].value
    assert "328 training and 82 test images of 2 and 5" in app.sidebar.caption[0].value
    task = app.session_state["task"]
    assert (task.digits, task.test_size, task.random_state) == ((2, 5), 0.2, 7)


@pytest.mark.usefixtures("fallback")
def test_without_the_dataset_the_app_runs_on_the_fallback():
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    assert "8x8 handwritten digits" in app.warning[0].value
    open_page(app, "logistic_regression")
    press(app, "logreg_train")
    assert not app.exception
    assert values(chart_titled(app, "Weights: red for 1")["data"][0]["z"]).shape == (8, 8)


def test_two_layer_network_can_draw_what_training_changed(app):
    open_page(app, "two_layer_network")
    task = app.session_state["task"]
    app.slider(key="two_layer_iterations").set_value(20)
    press(app, "two_layer_train")
    trained = values(chart_titled(app, "What each hidden unit looks at")["data"][0]["z"])
    app.toggle(key="two_layer_show_change").set_value(True).run()
    change = values(chart_titled(app, "How each hidden unit's weights changed")["data"][0]["z"])
    record = app.session_state["trained_models"]
    model = next(r.model for r in record.values() if r.kind == "two-layer")
    initial = TwoLayerNetwork().partial_fit(task.x_train, task.y_train, n_iterations=0)
    np.testing.assert_allclose(trained, model.hidden_weights_[0].reshape(64, 64))
    np.testing.assert_allclose(
        change,
        (model.hidden_weights_[0] - initial.hidden_weights_[0]).reshape(64, 64),
        rtol=1e-5,
        atol=1e-7,
    )
    assert np.abs(change).max() < np.abs(trained).max()


def button_states(app, prefix: str) -> dict:
    """Which of the shared commands are enabled, by label."""
    labels = ("train", "pause", "continue", "step_1", "step_10", "reset")
    return {label: not app.button(key=f"{prefix}_{label}").disabled for label in labels}


@pytest.mark.parametrize(
    ("page", "prefix", "iterations_key", "long_run"),
    [
        ("logistic_regression", "logreg", "logreg_iterations", 5000),
        ("two_layer_network", "two_layer", "two_layer_iterations", 10000),
    ],
)
def test_the_buttons_follow_the_training(app, page, prefix, iterations_key, long_run):
    open_page(app, page)
    assert button_states(app, prefix) == {
        "train": True, "pause": False, "continue": False,
        "step_1": True, "step_10": True, "reset": False,
    }  # fmt: skip
    app.slider(key=iterations_key).set_value(long_run)
    app.button(key=f"{prefix}_train").click().run()  # paced: a few seconds at least
    running = button_states(app, prefix)
    assert trainer(app, page_kind(page)).active
    assert app.session_state[f"{prefix}_redraw_took"] > 0  # the live part timed its run
    assert running == {
        "train": True, "pause": True, "continue": False,
        "step_1": False, "step_10": False, "reset": True,
    }  # fmt: skip
    app.button(key=f"{prefix}_pause").click().run()
    paused_at = trainer(app, page_kind(page)).snapshot.iteration
    finish(app)
    assert 0 <= paused_at < long_run
    assert button_states(app, prefix) == {
        "train": True, "pause": False, "continue": True,
        "step_1": True, "step_10": True, "reset": True,
    }  # fmt: skip
    shown = int(metrics(app)["Iteration"])
    assert shown == trainer(app, page_kind(page)).snapshot.iteration < long_run
    app.slider(key=iterations_key).set_value(shown + 5)
    press(app, f"{prefix}_continue")
    assert metrics(app)["Iteration"] == str(shown + 5)
    assert not button_states(app, prefix)["continue"], "nothing left to continue to"
    press(app, f"{prefix}_reset")
    assert button_states(app, prefix)["reset"] is False
    assert "Press **Train**" in app.info[0].value
    assert not any(spec for spec in chart_specs(app) if title(spec) == "Cost while training")


def page_kind(page: str) -> str:
    return {"logistic_regression": "logreg", "two_layer_network": "two-layer"}[page]


def test_the_history_slider_shows_iteration_k(app, real_dataset):
    open_page(app, "logistic_regression")
    press(app, "logreg_train")
    slider = next(s for s in app.select_slider if s.label.startswith("Look back"))
    options = [int(option) for option in slider.options]
    assert options[0] == 0 and options[-1] == 150 and len(options) <= 200
    k = options[len(options) // 3]
    slider.set_value(k).run()
    assert not app.exception
    task = app.session_state["task"]
    model = LogisticRegressionGD().partial_fit(task.x_train, task.y_train, n_iterations=k)
    shown = metrics(app)
    assert shown["Iteration"] == str(k)
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    assert shown[f"Cost at iteration {k}"] == f"{costs[k]:.4g}"
    assert shown["Train accuracy"] == f"{model.score(task.x_train, task.y_train):.2%}"
    assert shown["Test accuracy"] == f"{model.score(task.x_test, task.y_test):.2%}"
    marker = chart_titled(app, "Cost while training")["data"][-1]
    assert marker["name"] == "shown" and values(marker["x"]).tolist() == [k]
    weights = values(chart_titled(app, "Weights: red for 1")["data"][0]["z"])
    np.testing.assert_allclose(weights, model.coef_.reshape(64, 64), rtol=1e-4, atol=1e-6)
    right = int(np.sum(model.predict(task.x_test) == task.y_test))
    assert chart_titled(app, f"Test images with P(1): {right} of 62 right")


def test_over_the_cap_a_learner_waits_in_line(app, monkeypatch):
    limiter = CoreLimiter(1)
    monkeypatch.setattr(trainer_module, "_SERVER_LIMITER", limiter)
    assert limiter.acquire(-1, keep_waiting=lambda: True)  # another session trains
    try:
        open_page(app, "logistic_regression")
        app.button(key="logreg_train").click().run()
        deadline = time.monotonic() + 30
        while trainer(app, "logreg").snapshot.state != "queued" and time.monotonic() < deadline:
            time.sleep(0.05)
        app.run()
        assert "Waiting for a free core: you are number 1 in line" in app.info[0].value
        assert not app.exception
    finally:
        limiter.release(-1)
    finish(app)
    assert metrics(app)["Iteration"] == "150"
