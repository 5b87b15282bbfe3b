"""Chapter 6 through AppTest: Keras trained live in the background, paused, continued,
cross-validated, beside the same network from scratch."""

import numpy as np
import pytest
from charts import chart_titled, values
from live import finish, press, trainer
from pages import metrics, open_app
from streamlit.testing.v1 import AppTest

from signviz import texts

TIMEOUT = 300

pytestmark = pytest.mark.slow


def keras_page() -> AppTest:
    return open_app("keras_network")


def finish_job(app: AppTest, name: str = "keras-cv"):
    """Wait for this session's background job, then redraw the page."""
    job = app.session_state["jobs"][name]
    assert job.wait(TIMEOUT), f"the {name} job did not finish"
    app.run()
    assert not app.exception
    return job


@pytest.mark.real_data
def test_training_draws_one_point_per_epoch(real_dataset):
    app = keras_page()
    assert app.dataframe[0].value["parameters"].sum() == 4096 * 8 + 8 + 8 * 4 + 4 + 4 + 1
    app.slider(key="keras_epochs").set_value(4)
    press(app, "keras_train")
    snapshot = trainer(app, "keras").snapshot
    assert snapshot.state == "done" and snapshot.message is None
    costs = values(chart_titled(app, "Keras: cost after each epoch")["data"][0]["y"])
    assert len(costs) == 5  # before the first epoch, then after each
    np.testing.assert_allclose(costs, snapshot.costs)
    network = snapshot.model
    # The cost shown after the last epoch is the trained network's cost on the training set.
    task = app.session_state["task"]
    probability = np.clip(network.predict_proba(task.x_train)[:, 1], 1e-7, 1 - 1e-7)
    cost = -np.mean(
        task.y_train * np.log(probability) + (1 - task.y_train) * np.log(1 - probability)
    )
    assert costs[-1] == pytest.approx(cost, rel=1e-3)
    shown = metrics(app)
    assert shown["Epoch"] == "4"
    assert shown["Test accuracy"] == f"{network.score(task.x_test, task.y_test):.2%}"
    units = chart_titled(app, "What each unit of the first layer looks at")["data"]
    assert len(units) == 8
    assert values(units[0]["z"]).shape == (64, 64)
    markdown = [block.value for block in app.markdown]
    assert texts.load("keras_test_set") in markdown
    assert texts.load("keras_glossary") in markdown
    assert texts.load("names_keras_network") in markdown
    labels = [expander.label for expander in app.expander]
    assert "The Keras words behind these settings" in labels
    assert "The tutorial's names" in labels
    assert not any("validation" in metric.label.lower() for metric in app.metric)


@pytest.mark.real_data
def test_a_loss_stuck_at_chance_is_explained_for_its_activation(real_dataset):
    app = keras_page()
    app.selectbox(key="keras_activation").set_value("sigmoid")
    app.select_slider(key="keras_learning_rate").set_value(0.0001)
    app.slider(key="keras_epochs").set_value(1)
    press(app, "keras_train")
    loss = trainer(app, "keras").snapshot.costs[-1]
    assert abs(loss - np.log(2)) < 0.1  # one slow epoch: still answering about 50 %
    warning = app.warning[0].value
    assert f"stuck near {loss:.2f}, close to ln 2 = 0.693" in warning
    assert "A sigmoid unit never dies" in warning and "at most 0.25" in warning
    assert "relu" not in warning.replace("or relu", "")


@pytest.mark.real_data
def test_pause_keeps_the_epochs_trained_and_continue_goes_on(real_dataset):
    app = keras_page()
    app.slider(key="keras_epochs").set_value(300)
    app.button(key="keras_train").click().run()
    keras_trainer = trainer(app, "keras")
    while keras_trainer.snapshot.iteration < 2:
        keras_trainer.wait(0.05)
    assert not app.button(key="keras_pause").disabled
    app.button(key="keras_pause").click().run()
    finish(app)
    epochs = keras_trainer.snapshot.iteration
    assert 2 <= epochs < 300
    assert metrics(app)["Epoch"] == str(epochs)
    assert len(values(chart_titled(app, "Keras: cost after")["data"][0]["y"])) == epochs + 1
    assert app.button(key="keras_pause").disabled
    app.slider(key="keras_epochs").set_value(epochs + 2)
    press(app, "keras_continue")
    assert metrics(app)["Epoch"] == str(epochs + 2)
    press(app, "keras_step_1")
    assert metrics(app)["Epoch"] == str(epochs + 3)


@pytest.mark.real_data
def test_cross_validation_shows_each_fold(real_dataset):
    app = keras_page()
    assert app.number_input(key="keras_folds").value == 3  # the tutorial's
    folds = 2  # fewer than the tutorial's, to see the control count
    app.number_input(key="keras_folds").set_value(folds)
    app.slider(key="keras_epochs").set_value(3)
    app.button(key="keras_cross_validate").click().run()
    job = finish_job(app, "keras-cv")
    result = job.result
    assert len(result.fold_accuracies) == folds
    shown = {metric.label: metric.value for metric in app.metric}
    assert [shown[f"Fold {fold}"] for fold in range(1, folds + 1)] == [
        f"{accuracy:.2%}" for accuracy in result.fold_accuracies
    ]
    assert texts.load("keras_cross_validation", n_folds=folds) in [b.value for b in app.markdown]
    # The mean and the spread in the folds' unit, percent, not as fractions.
    accuracies = np.array(result.fold_accuracies)
    assert shown["Mean accuracy"] == f"{accuracies.mean():.2%}"
    assert shown["Standard deviation"] == f"{100 * accuracies.std():.2f} points"
    note = next(c.value for c in app.caption if "variance" in c.value)
    assert f"standard deviation {100 * accuracies.std():.2f} percentage points" in note
    assert f"{accuracies.std() ** 2:.6f}" in note  # the true variance, named as such


@pytest.mark.real_data
def test_the_deep_network_from_scratch_trains_beside_keras(real_dataset):
    app = keras_page()
    app.slider(key="keras_epochs").set_value(3)
    press(app, "keras_train")
    press(app, "keras_train_deep")
    curves = chart_titled(app, "Cost per epoch: the library and the code by hand")["data"]
    assert [curve["name"] for curve in curves] == ["Keras", "from scratch"]
    assert all(len(values(curve["y"])) == 4 for curve in curves)
    markdown = [block.value for block in app.markdown]
    assert texts.load("keras_from_scratch_differences") in markdown
    assert not any("exactly what you could write" in block for block in markdown)
    app.selectbox(key="keras_optimizer").set_value("sgd").run()
    assert any("implements adam with 'uniform'" in caption.value for caption in app.caption)
    assert app.button(key="keras_train_deep").disabled


@pytest.mark.usefixtures("fallback")
def test_the_page_works_on_the_fallback_data():
    app = keras_page()
    app.slider(key="keras_epochs").set_value(2)
    press(app, "keras_train")
    units = chart_titled(app, "What each unit of the first layer looks at")["data"]
    assert values(units[0]["z"]).shape == (8, 8)
