"""The app's navigation, the task in the sidebar, and the model pages, through AppTest."""

import time

import numpy as np
import pytest
from charts import chart_specs, chart_titled, title, values
from live import finish, press, trainer
from pages import metrics, new_app, open_page
from streamlit.testing.v1 import AppTest

from signviz import diagnose, texts
from signviz import trainer as trainer_module
from signviz.models import LogisticRegressionGD, TwoLayerNetwork
from signviz.trainer import CoreLimiter

pytestmark = pytest.mark.real_data


def points(spec) -> int:
    return len(values(spec["data"][0]["y"]))


def test_start_page_links_every_chapter(app):
    links = [link.proto.page for link in app.get("page_link")]
    assert len(links) == 10
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
    # The sawtooth of the first steps is explained, with numbers measured on this run.
    task = app.session_state["task"]
    explained = next(block.value for block in app.info if "The cost rose after" in block.value)
    jumps = diagnose.cost_jumps(costs)
    assert f"rose after {jumps.rises} of the 150 steps" in explained
    assert jumps.rises == int(np.sum(np.diff(costs) > 0)) > 10
    low, high = (0.01 * task.x_train.sum(axis=1).min(), 0.01 * task.x_train.sum(axis=1).max())
    assert f"z starts between {low:.1f} and {high:.1f}" in explained
    assert low > 20  # every y_hat starts within 1e-9 of 1


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
    task = app.session_state["task"]
    # The first step lowers the weights of a typical 0 (every y_hat is near 1).
    change = values(chart_titled(app, "Change of each weight")["data"][0]["z"]).reshape(-1)
    one_step = LogisticRegressionGD().partial_fit(task.x_train, task.y_train, n_iterations=1)
    np.testing.assert_allclose(change, one_step.coef_[0] - 0.01, rtol=1e-4, atol=1e-9)
    mean_0 = task.x_train[task.y_train == 0].mean(axis=0)
    correlation = np.corrcoef(change, -mean_0)[0, 1]
    assert correlation > 0.999
    said = next(block.value for block in app.markdown if "This change is" in block.value)
    assert said.startswith("This change is the mean **0** image, subtracted")
    assert f"correlation {correlation:.3f} with minus the mean **0** image" in said
    press(app, "logreg_step_10")
    assert metrics(app)["Iteration"] == "11"
    assert points(chart_titled(app, "Cost while training")) == 12
    change = values(chart_titled(app, "Change of each weight")["data"][0]["z"])
    assert np.abs(change).max() > 0
    assert any("The gradient's size was" in block.value for block in app.markdown)
    assert app.subheader[0].value == "What the last 10 steps changed"
    directions = diagnose.logistic_step_directions(task.x_train, task.y_train)
    at = directions.difference_shows_at
    assert 1 < at <= 150
    assert any(f"from iteration {at} on" in block.value for block in app.markdown)


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
    model = app.session_state["trained_models"][next(iter(app.session_state["trained_models"]))]
    solver_iterations = int(np.max(model.model.n_iter_))
    assert solver_iterations < 150  # it converged (28 iterations on this task)
    assert any(
        f"Its solver needed {solver_iterations} iterations (of at most 150)" in caption.value
        for caption in app.caption
    )
    # The chapter's summary, with the task's own test size, and the tutorial's names.
    assert texts.load("logistic_summary", n_test=62) in [block.value for block in app.markdown]
    assert "the 62 images" in texts.load("logistic_summary", n_test=62)
    assert any(expander.label == "The tutorial's names" for expander in app.expander)
    assert texts.load("cost_is_a_mean") in [block.value for block in app.markdown]


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
    return next((c.value for c in app.caption if "The cost rose after" in c.value), None)


def two_layer_model(app: AppTest):
    models = app.session_state["trained_models"]
    return next(record.model for record in models.values() if record.kind == "two-layer")


def test_two_layer_network_explains_the_jumps_of_its_cost(app):
    open_page(app, "two_layer_network")
    app.slider(key="two_layer_iterations").set_value(100)
    press(app, "two_layer_train")
    assert jump_caption(app) is None  # a smooth start: nothing to explain
    # The tutorial's cost (the -y log y_hat term only) beside ours, at iteration 0.
    task = app.session_state["task"]
    start = TwoLayerNetwork().partial_fit(task.x_train, task.y_train, n_iterations=0)
    p = start.predict_proba(task.x_train)[:, 1].astype(float)
    y = task.y_train
    tutorial, full = np.mean(-y * np.log(p)), np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    assert tutorial == pytest.approx(0.31, abs=0.01) and full == pytest.approx(0.69, abs=0.01)
    note = next(c.value for c in app.caption if "tutorial's printout" in c.value)
    assert f"For the initial weights (iteration 0) that gives {tutorial:.4f}" in note
    assert (
        f"the full cross-entropy, which this page shows and the gradients follow, is {full:.4f}"
        in note
    )
    # The tutorial's settings: the cost jumps up a few times before iteration 1500.
    app.slider(key="two_layer_iterations").set_value(1500)
    press(app, "two_layer_train")
    assert not app.exception
    caption = jump_caption(app)
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    assert len(costs) == 1501  # the cost after 0, 1, ..., 1500 updates
    rises = np.flatnonzero(np.diff(costs) > 0) + 1
    first = next(i for i in rises if costs[i] > 1.1 * costs[i - 1])
    assert f"The cost rose after {len(rises)} of the 1500 steps" in caption
    assert (
        f"the first large jump, at iteration {first}, took it from {costs[first - 1]:.4g}"
        in caption
    )


def unit_grids(app: AppTest) -> list:
    return [values(trace["z"]) for trace in chart_titled(app, "What each hidden unit")["data"]]


def test_zero_initialization_shows_the_case_of_the_chosen_activation(app):
    open_page(app, "two_layer_network")
    app.toggle(key="two_layer_zero_init").set_value(True)
    app.select_slider(key="two_layer_learning_rate").set_value(0.1)
    app.slider(key="two_layer_iterations").set_value(50)
    assert "tanh(0) = 0: no weight ever moves" in app.toggle(key="two_layer_zero_init").help
    press(app, "two_layer_train")
    # tanh: a constant network, blank unit images, only the output bias moved.
    model = two_layer_model(app)
    assert not np.any(model.weights_[0]) and not np.any(model.weights_[1])
    b2 = float(model.biases_[1][0, 0])
    warning = app.warning[0].value
    assert warning.startswith("**The network is a constant.**")
    assert f"to {b2:.4g}" in warning and f"σ(b2) = {1 / (1 + np.exp(-b2)):.4f}" in warning
    assert all(not np.any(grid) for grid in unit_grids(app))
    # The 7e-5 fall is drawn flat on an axis fixed over three decades, and said to be tiny.
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    span = costs.max() - costs.min()
    assert span < 1e-4
    low, high = chart_titled(app, "Cost while training")["layout"]["yaxis"]["range"]
    assert high - low > 3  # decades: the curve fills a ten-thousandth of the height at most
    assert any(f"spans only {span:.2g}" in c.value and "flat line" in c.value for c in app.caption)
    # sigmoid: the weights move, and every unit stays identical to the first.
    app.selectbox(key="two_layer_activation").set_value("sigmoid")
    press(app, "two_layer_train")
    assert "σ(0) = 0.5" in app.toggle(key="two_layer_zero_init").help
    assert "All 3 hidden units are identical" in app.warning[0].value
    grids = unit_grids(app)
    assert np.abs(grids[0]).max() > 0
    for grid in grids[1:]:
        np.testing.assert_allclose(grid, grids[0], rtol=1e-5, atol=1e-9)


def test_two_layer_network_explains_a_stuck_run_and_a_diverged_one(app):
    open_page(app, "two_layer_network")
    app.select_slider(key="two_layer_init_scale").set_value(10.0)
    app.slider(key="two_layer_iterations").set_value(50)
    press(app, "two_layer_train")
    task = app.session_state["task"]
    model = two_layer_model(app)
    accuracy = model.score(task.x_test, task.y_test)
    costs = values(chart_titled(app, "Cost while training")["data"][0]["y"])
    fall = (costs[-11] - costs[-1]) / costs[-11]  # over the last 10 iterations
    expected = "Stuck near chance" if fall < 0.001 else "Still learning"
    shown = [block.value for block in (*app.warning, *app.info)]
    finding = next(text for text in shown if expected in text)
    assert f"{accuracy:.1%}" in finding
    app.select_slider(key="two_layer_init_scale").set_value(0.1)
    app.select_slider(key="two_layer_learning_rate").set_value(10.0)
    press(app, "two_layer_train")
    assert not app.exception
    assert "Training diverged" in app.error[0].value


def test_two_layer_equations_follow_the_activation(app):
    open_page(app, "two_layer_network")
    shown = [block.value.strip("$\n") for block in app.latex]
    assert texts.hidden_forward_latex("tanh") in shown
    assert texts.hidden_backward_latex("tanh") in shown
    app.selectbox(key="two_layer_activation").set_value("relu").run()
    shown = [block.value.strip("$\n") for block in app.latex]
    assert texts.hidden_forward_latex("relu") in shown
    assert texts.hidden_backward_latex("relu") in shown
    assert texts.hidden_backward_latex("tanh") not in shown
    markdown = [block.value for block in app.markdown]
    assert texts.load("two_layer_why_tanh") in markdown
    assert texts.load("two_layer_initialization") in markdown
    assert any(expander.label == "The tutorial's names" for expander in app.expander)


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
    app = new_app({"first_digit": "2", "second_digit": "5", "test_size": "0.2", "seed": "7"})
    assert not app.exception
    assert "**2** (label 0) against **5** (label 1)" in app.markdown[0].value
    assert "328 training and 82 test images of 2 and 5" in app.sidebar.caption[0].value
    task = app.session_state["task"]
    assert (task.digits, task.test_size, task.random_state) == ((2, 5), 0.2, 7)


@pytest.mark.usefixtures("fallback")
def test_without_the_dataset_the_app_runs_on_the_fallback():
    app = new_app()
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
    np.testing.assert_allclose(trained, model.weights_[0][0].reshape(64, 64))
    np.testing.assert_allclose(
        change,
        (model.weights_[0][0] - initial.weights_[0][0]).reshape(64, 64),
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
