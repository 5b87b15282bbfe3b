"""The findings of signviz.diagnose: each claim a page will make, computed and checked."""

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from signviz import diagnose
from signviz.data import make_task
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork
from signviz.models.activations import sigmoid


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread, as in the app: on a shared machine OpenBLAS's threads only wait."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def task(real_dataset):
    """The tutorial's task as the app builds it (float32)."""
    return make_task(real_dataset, (0, 1), dtype=np.float32)


def two_layer_from_zero(task, activation, iterations=300):
    return TwoLayerNetwork(
        activation=activation, initialization="zeros", n_iterations=iterations
    ).fit(task.x_train, task.y_train)


# -- 1. zero initialization --------------------------------------------------------------


@pytest.mark.real_data
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zero_initialization_with_tanh_or_relu_is_a_constant_network(task, activation):
    model = two_layer_from_zero(task, activation)
    assert not np.any(model.weights_[0]) and not np.any(model.weights_[1])
    finding = diagnose.zero_initialization(model)
    assert finding.kind == "constant"
    assert finding.largest_hidden_weight == finding.largest_output_weight == 0.0
    # only b2 moved: every image gets sigmoid(b2), so the test accuracy is one class's share
    probabilities = model.predict_proba(task.x_test)[:, 1]
    np.testing.assert_allclose(probabilities, finding.constant_probability, rtol=1e-6)
    assert finding.output_bias == pytest.approx(float(model.biases_[1][0, 0]))
    assert model.cost_history_[-1] == pytest.approx(0.6931, abs=1e-4)
    share = np.mean(task.y_test == (finding.constant_probability > 0.5))
    assert model.score(task.x_test, task.y_test) == pytest.approx(share)
    message = finding.message()
    assert "constant" in message and f"{finding.constant_probability:.4f}" in message
    assert "identical" not in message.replace("not identical", "")


@pytest.mark.real_data
def test_zero_initialization_with_sigmoid_gives_identical_units(task):
    model = two_layer_from_zero(task, "sigmoid")
    assert np.any(model.weights_[0]) and np.any(model.weights_[1])
    finding = diagnose.zero_initialization(model)
    assert finding.kind == "identical_units"
    spread = np.abs(model.weights_[0] - model.weights_[0][0]).max()
    assert spread <= diagnose.IDENTICAL_WITHIN * np.abs(model.weights_[0]).max()
    assert "All 3 hidden units are identical" in finding.message()


def test_random_initialization_has_no_zero_finding(toy_images):
    X, y = toy_images
    model = TwoLayerNetwork(n_iterations=20).fit(X, y)
    assert diagnose.zero_initialization(model) is None


@pytest.mark.real_data
def test_the_zero_initialized_cost_barely_moves(task):
    model = two_layer_from_zero(task, "tanh")
    scale = diagnose.cost_scale(model.cost_history_)
    costs = np.array(model.cost_history_)
    assert scale.kind == "flat"
    assert scale.span == pytest.approx(costs.max() - costs.min())
    assert scale.span < 1e-4
    assert f"{scale.span:.2g}" in scale.message()
    assert "looks steep" in scale.message()
    # On a chart whose axis is fixed from the first cost, the flat curve is drawn flat.
    fixed = scale.message(stretched=False)
    assert f"spans only {scale.span:.2g}" in fixed and "flat line" in fixed
    assert "steep" not in fixed
    trained = TwoLayerNetwork(n_iterations=300).fit(task.x_train, task.y_train)
    assert diagnose.cost_scale(trained.cost_history_).kind == "moving"


# -- stuck near chance or still learning -------------------------------------------------


def test_stuck_only_when_the_cost_has_stopped_falling():
    falling = np.linspace(0.69, 0.5, 300)
    still = diagnose.stuck_near_chance(falling, 0.69)
    assert still.kind == "still_learning"
    assert still.recent_fall == pytest.approx((falling[-31] - falling[-1]) / falling[-31])
    assert "Still learning" in still.message() and "Stuck" not in still.message()
    flat = np.r_[np.linspace(0.9, 0.69, 100), np.full(200, 0.69)]
    stuck = diagnose.stuck_near_chance(flat, 0.55, initial_saturation=0.9, saturation=0.95)
    assert stuck.kind == "stuck" and stuck.recent_fall == 0.0
    assert "Stuck near chance" in stuck.message() and "95%" in stuck.message()
    assert diagnose.stuck_near_chance(falling, 0.9) is None


@pytest.mark.real_data
def test_a_sigmoid_network_still_falling_is_not_called_stuck(task):
    model = TwoLayerNetwork(activation="sigmoid", n_iterations=500).fit(task.x_train, task.y_train)
    accuracy = model.score(task.x_test, task.y_test)
    assert accuracy == pytest.approx(0.694, abs=0.01)  # low, as in the report...
    finding = diagnose.stuck_near_chance(model.cost_history_, accuracy)
    assert finding.kind == "still_learning"  # ...but the cost is still falling
    model.partial_fit(task.x_train, task.y_train, n_iterations=500)
    assert model.score(task.x_test, task.y_test) > 0.9  # and training longer fixes it


@pytest.mark.real_data
def test_a_dead_relu_network_is_stuck(task):
    model = TwoLayerNetwork(activation="relu", learning_rate=0.3, n_iterations=300).fit(
        task.x_train, task.y_train
    )
    accuracy = model.score(task.x_test, task.y_test)
    finding = diagnose.stuck_near_chance(
        model.cost_history_, accuracy, saturation=1.0, initial_saturation=0.0
    )
    assert finding.kind == "stuck" and abs(finding.recent_fall) < 1e-5
    assert "100% are now" in finding.message()


# -- cost jumps and the first logistic steps ---------------------------------------------


@pytest.mark.real_data
def test_the_tutorials_learning_rate_already_zigzags(task):
    costs = LogisticRegressionGD().fit(task.x_train, task.y_train).cost_history_
    jumps = diagnose.cost_jumps(costs)
    rises = np.flatnonzero(np.diff(costs) > 0) + 1
    assert jumps.rises == len(rises) == 50 and jumps.steps == 149
    assert jumps.last_rise == rises[-1] == 100
    assert costs[3] == pytest.approx(0.866, abs=1e-3)
    assert costs[5] == pytest.approx(2.64, abs=0.01)
    assert jumps.first_jump == 4 and jumps.cost_before == pytest.approx(costs[3])
    # printing every 10th cost, as the tutorial does, shows no rise before iteration 20
    assert costs[0] > costs[10] and "50 of the 149 steps" in jumps.message()


@pytest.mark.real_data
def test_every_y_hat_starts_near_one(task):
    start = diagnose.first_logistic_steps(task.x_train, 0.01)
    z = task.x_train.astype(float) @ np.full(task.n_features, 0.01)
    assert start.kind == "all_near_one" and start.share_near_one == 1.0
    assert (start.lowest_z, start.highest_z) == pytest.approx((z.min(), z.max()))
    assert 23 < start.lowest_z < 24 and 34 < start.highest_z < 35
    assert sigmoid(start.lowest_z) > 1 - 1e-9
    assert "between 23.0 and 34.2" in start.message()


def test_small_weights_do_not_start_near_one(toy_images):
    X, _ = toy_images
    assert diagnose.first_logistic_steps(X, 1e-6).kind == "mixed"


def test_no_jump_no_finding():
    assert diagnose.cost_jumps([3.0, 2.0, 1.0, 0.9]) is None


# -- what a logistic step changed --------------------------------------------------------


@pytest.mark.real_data
def test_the_first_step_is_minus_the_mean_label_0_image(task):
    X, y = task.x_train, task.y_train
    model = LogisticRegressionGD(n_iterations=1).fit(X, y)
    change = model.coef_[0].astype(float) - 0.01
    mean_0 = X[y == 0].mean(axis=0).astype(float)
    # every y_hat is 1 to within 1e-9, so dw = (m0 / m) * mean_0 and the step is its negative
    expected = -0.01 * np.mean(y == 0) * mean_0
    np.testing.assert_allclose(change, expected, rtol=1e-4, atol=1e-9)
    direction = diagnose.step_direction(change, X, y, ("0", "1"))
    assert direction.kind == "away_from_label_0"
    assert direction.with_minus_mean_0 == pytest.approx(1.0, abs=1e-6)
    assert direction.with_difference == pytest.approx(0.06, abs=0.01)
    assert "0.060" in direction.message() or "0.057" in direction.message()


@pytest.mark.real_data
def test_the_difference_between_the_digits_shows_after_a_few_steps(task):
    directions = diagnose.logistic_step_directions(task.x_train, task.y_train)
    at = directions.difference_shows_at
    assert directions.kind == "difference_shows" and at == 8
    assert directions.total_with_difference[at - 1] > directions.total_with_minus_mean_0[at - 1]
    assert np.all(
        directions.total_with_difference[: at - 1] <= directions.total_with_minus_mean_0[: at - 1]
    )
    assert directions.total_with_difference[-1] > 0.95  # by the end it is the difference
    # the per-step direction keeps alternating: some steps follow the difference, most not
    assert np.sum(directions.step_with_difference > 0.5) > 0
    assert f"from iteration {at} on" in directions.message(("0", "1"))


def test_step_direction_names_what_it_sees():
    X = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    y = np.array([0, 1])
    assert diagnose.step_direction([0.0, 1.0, 1.0, 0.0], X, y).kind == "towards_label_1"
    assert diagnose.step_direction([-1.0, 0.0, 1.0, 0.0], X, y).kind == "class_difference"
    assert diagnose.step_direction([1.0, 0.0, 0.0, 1.0], X, y).kind == "mixed"


# -- the tutorial's two-layer cost -------------------------------------------------------


@pytest.mark.real_data
def test_the_tutorials_two_layer_cost_at_iteration_0(task):
    model = TwoLayerNetwork(n_iterations=1)
    model.partial_fit(task.x_train, task.y_train, n_iterations=0)
    probabilities = model.predict_proba(task.x_train)[:, 1]
    costs = diagnose.tutorial_two_layer_cost(probabilities, task.y_train)
    y = task.y_train
    assert costs.tutorial == pytest.approx(np.mean(-y * np.log(probabilities)), rel=1e-6)
    assert costs.full == pytest.approx(model.initial_cost_, rel=1e-5)
    assert costs.tutorial == pytest.approx(0.31, abs=0.01)
    assert costs.full == pytest.approx(0.69, abs=0.01)
    assert "0.3108" in costs.message() and f"{costs.full:.4f}" in costs.message()


def test_the_tutorials_cost_rejects_bad_probabilities():
    with pytest.raises(ValueError, match="strictly between"):
        diagnose.tutorial_two_layer_cost([0.0, 0.5], [0, 1])
    with pytest.raises(ValueError, match="one probability per label"):
        diagnose.tutorial_two_layer_cost([0.5], [0, 1])


# -- Keras stuck -------------------------------------------------------------------------


def test_keras_stuck_speaks_of_dead_units_only_for_relu():
    relu = diagnose.keras_stuck([0.7, 0.694], "relu", (8, 4), dead_units=(3, 4))
    assert relu.kind == "near_chance"
    assert "layer 2: 4 of 4" in relu.message() and "a whole layer is dead" in relu.message()
    for activation in ("sigmoid", "tanh"):
        finding = diagnose.keras_stuck([0.7, 0.694], activation, (8, 4))
        assert "dead" not in finding.message().replace("never dies", "")
        assert "relu unit" not in finding.message()
    assert "at most 0.25" in diagnose.keras_stuck([0.694], "sigmoid", (8, 4)).message()


def test_a_loss_far_above_ln_2_is_not_called_near_it():
    finding = diagnose.keras_stuck([2.2], "sigmoid", (8, 4))
    assert finding.kind == "above_chance"
    assert "close to ln 2" not in finding.message() and "above ln 2" in finding.message()
    assert diagnose.keras_stuck([0.3], "relu", (8, 4)) is None


# -- cross-validation --------------------------------------------------------------------


def test_cross_validation_is_all_in_percent():
    summary = diagnose.cross_validation_summary([0.9224, 0.9741, 0.931])
    labels = summary.labels()
    assert labels["Fold 1"] == "92.24%"
    assert labels["Mean accuracy"] == f"{np.mean([0.9224, 0.9741, 0.931]):.2%}"
    assert labels["Standard deviation"] == f"{100 * np.std([0.9224, 0.9741, 0.931]):.2f} points"
    assert all("%" in value or "points" in value for value in labels.values())
    assert "`variance`" in summary.message()
    with pytest.raises(ValueError, match="fractions"):
        diagnose.cross_validation_summary([92.0])


# -- a blank explanation map -------------------------------------------------------------


def test_a_blank_map_is_explained_by_a_dead_layer(toy_images):
    X, y = toy_images
    model = DeepNetwork(hidden_layer_sizes=(4, 2), n_epochs=1).fit(X, y)
    model.biases_[1][:] = -1e3  # the second hidden layer is off for every image
    values = model.input_gradient(X[:1])[0]
    assert not np.any(values)
    finding = diagnose.blank_explanation(model, X[0], values)
    assert finding.kind == "dead_paths" and finding.active_units[1] == 0
    assert "exactly zero" in finding.message() and "layer 2: 0" in finding.message()
    model.biases_[1][:] = 0.0
    model.biases_[0][:] = 1.0  # every unit on: the gradient is not zero any more
    values = model.input_gradient(X[:1])[0]
    assert diagnose.blank_explanation(model, X[0], values) is None
    two_layer = TwoLayerNetwork(activation="relu", n_iterations=1).fit(X, y)
    two_layer.biases_[0][:] = -1e3  # one hidden layer, all of it off
    values = two_layer.input_gradient(X[:1])[0]
    finding = diagnose.blank_explanation(two_layer, X[0], values)
    assert finding.kind == "dead_paths" and finding.active_units == (0,)


@pytest.fixture
def toy_images(halves_toy):
    X, y = halves_toy
    return X[:40], y[:40]


def test_recent_fall_reads_the_window():
    assert diagnose.recent_fall([1.0, 0.5], 10) == 0.5
    assert math.isnan(diagnose.recent_fall([1.0], 10))


def test_dead_units_per_layer_and_a_whole_dead_layer():
    class Network:
        hidden_layer_sizes = (8, 4)

        def dead_units(self, X):
            return [2, 4] if len(X) else [0, 0]

    dead = diagnose.dead_units(Network(), [[0.0]])
    assert dead.counts == (2, 4) and dead.whole_layer
    assert dead.per_layer() == "layer 1: 2 of 8, layer 2: 4 of 4"
    assert "layer 1: 2 of 8, layer 2: 4 of 4." in dead.message()
    alive = diagnose.dead_units(Network(), [])
    assert not alive.whole_layer and alive.per_layer() == "layer 1: 0 of 8, layer 2: 0 of 4"


def test_keras_stuck_keeps_dead_units_of_relu_only():
    assert diagnose.keras_stuck([0.694], "tanh", (8, 4), dead_units=(8, 0)).dead_units is None
    relu = diagnose.keras_stuck([0.694], "relu", (8, 4), dead_units=(8, 0))
    assert relu.dead_units == (8, 0)
    assert "a whole layer is dead" in relu.message()


def test_cost_rises_finds_each_jump_once():
    costs = [1.0, 0.9, 0.8, 1.2, 1.5, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.39, 0.5, 0.3]
    # 0.8 -> 1.2 -> 1.5 is one jump (iterations 3 and 4); 0.39 -> 0.5 another.
    assert diagnose.cost_rises(costs) == [3, 12]
    assert diagnose.cost_rises(costs, by=0.3) == [3]
    assert diagnose.cost_rises([0.7, 0.6, 0.5, 0.52]) == []  # a rise of 4 % is not a jump
    assert diagnose.cost_rises([]) == diagnose.cost_rises([1.0]) == []


# -- the two-layer report ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("tanh", "tanh(0) = 0: no weight"),
        ("relu", "relu(0) = 0: no weight"),
        ("sigmoid", "σ(0) = 0.5"),
    ],
)
def test_zero_initialization_outcome_follows_the_activation_at_zero(activation, expected):
    outcome = diagnose.zero_initialization_outcome(activation)
    assert expected in outcome
    assert ("identical" in outcome) == (activation == "sigmoid")


def test_a_two_layer_report_renders_the_findings_of_its_run(toy_images):
    X, y = toy_images
    model = TwoLayerNetwork(initialization="zeros", n_iterations=30).fit(X, y)
    report = diagnose.two_layer_report(model, model.cost_history_, X, y, X, y)
    first = report.notices[0]
    assert (first.level, first.text) == ("warning", diagnose.zero_initialization(model).message())
    assert report.saturation == pytest.approx(model.saturation(X))
    assert report.initial_saturation == 0.0  # every hidden input 0 at the start

    model = TwoLayerNetwork(n_iterations=30, random_state=1).fit(X, y)
    jumping = [0.7, 0.6, 0.9, 0.5, 0.4, 0.3]
    report = diagnose.two_layer_report(model, jumping, X, y, X, y)
    texts = [notice.text for notice in report.notices]
    assert diagnose.cost_jumps(jumping).message() in texts
    assert all(notice.level != "warning" for notice in report.notices)
    initial = TwoLayerNetwork(random_state=1).partial_fit(X, y, n_iterations=0)
    start = diagnose.tutorial_two_layer_cost(initial.predict_proba(X)[:, 1], y)
    assert texts[-1] == start.message(at="the initial weights (iteration 0)")


def test_step_change_only_after_a_step_that_moved():
    from signviz.trainer import Frame

    def frame(iteration, weights):
        return Frame(iteration, 0.5, 0.5, 0.5, np.zeros(2, np.float32), np.float32(weights))

    before, after = frame(3, [0.0, 1.0, 2.0]), frame(13, [0.5, 1.0, 1.0])
    step = diagnose.step_change("Step 10", before, after, 0.25)
    np.testing.assert_allclose(step.change, [0.5, 0.0, -1.0])
    assert step.title() == "What the last 10 steps changed"
    assert "**0.25**" in step.message()
    one = diagnose.step_change("Step 1", before, frame(4, [0, 1, 2]), 1.0)
    assert one.steps == 1 and one.title() == "What the last step changed"
    assert diagnose.step_change("Train", before, after, 0.25) is None
    assert diagnose.step_change("Step 1", None, after, 0.25) is None
    assert diagnose.step_change("Step 1", after, after, 0.25) is None  # nothing moved


# -- a sweep's grid ----------------------------------------------------------------------


def sweep_results():
    from signviz.sweep import RunResult, Sweep

    plan = Sweep("two-layer", {"learning_rate": [0.01, 10.0], "hidden_units": [1, 3]})
    accuracy = {(0.01, 1): 0.8, (0.01, 3): 0.9, (10.0, 1): 0.95, (10.0, 3): math.nan}
    results = []
    for index, settings in enumerate(plan.runs()):
        value = accuracy[(settings["learning_rate"], settings["hidden_units"])]
        diverged = math.isnan(value)
        results.append(RunResult(index, settings, (0.7, 0.5), value, value, diverged, None, 1.0))
    return plan, results


def test_the_best_run_of_a_sweep_and_of_each_cell():
    from signviz.sweep import summarize

    plan, results = sweep_results()
    assert diagnose.best_run(results).test_accuracy == 0.95
    assert diagnose.best_run([results[-1]]) is results[-1]  # only a diverged one: that one
    summary = summarize(plan, results, "learning_rate", "hidden_units")
    cells = diagnose.best_run_of_each_cell(results, summary)
    for (column, row), index in cells.items():
        settings = results[index].settings
        assert settings["learning_rate"] == summary.x_values[column]
        assert settings["hidden_units"] == summary.y_values[row]
    assert len(cells) == 4


def test_a_sweep_grid_says_the_best_the_diverged_and_the_tutorials_cell():
    from signviz.sweep import summarize

    plan, results = sweep_results()
    summary = summarize(plan, results, "learning_rate", "hidden_units")
    tutorial = {"learning_rate": 0.01, "hidden_units": 3, "n_iterations": 2500}
    labels = {"learning_rate": "learning rate", "hidden_units": "hidden units"}
    labels["n_iterations"] = "iterations"
    grid = diagnose.sweep_grid(summary, {"n_iterations": 500}, tutorial, labels)
    message = grid.message()
    assert "Best test accuracy so far: **95.0%**, with learning rate 10 and hidden units 1." in (
        message
    )
    assert "1 of 4 finished runs diverged (grey)" in message
    assert "The tutorial's settings (framed in red) reached 90.0%." in message
    assert "every run here has iterations 500 (the tutorial: 2500)." in message
    elsewhere = diagnose.sweep_grid(summary, {}, tutorial | {"hidden_units": 8}, labels)
    assert "not on this grid" in elsewhere.message() and "Unlike" not in elsewhere.message()


def test_a_sweeps_status_in_words():
    from types import SimpleNamespace

    def job(**fields):
        defaults = dict(results=[1, 2], total=8, running=2, place_in_queue=None, done=False)
        return SimpleNamespace(**(defaults | dict(stopped=False, error=None) | fields))

    going = diagnose.sweep_status(job())
    assert going.notices() == [] and going.progress() == (0.25, "2 of 8 runs finished, 2 running")
    waiting = diagnose.sweep_status(job(place_in_queue=3)).notices()
    assert "2 sweeps ahead of yours" in waiting[0].text
    assert "yours is next" in diagnose.sweep_status(job(place_in_queue=1)).notices()[0].text
    stopped = diagnose.sweep_status(job(done=True, stopped=True))
    assert stopped.progress() is None
    assert stopped.notices()[0].text == "Stopped: 2 of 8 runs finished, and they are kept."
    assert diagnose.sweep_status(job(done=True, results=list(range(8)))).notices() == []
    failed = diagnose.sweep_status(job(done=True, error=OSError("no workers")))
    assert [(n.level, n.text) for n in failed.notices()] == [
        ("error", "The sweep failed: no workers")
    ]
