"""The live trainer, without Streamlit: commands, exact state, snapshots, history, limits."""

import threading
import time

import numpy as np
import pytest

from signviz.models import LogisticRegressionGD, TwoLayerNetwork
from signviz.trainer import (
    MAX_REDRAW_SECONDS,
    REDRAW_SECONDS,
    CoreLimiter,
    Trainer,
    live_workers,
    redraw_seconds,
    wait_until,
)


@pytest.fixture
def toy():
    rng = np.random.default_rng(3)
    X = rng.random((60, 16)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(int)
    return X[:45], y[:45], X[45:], y[45:]


def make_trainer(toy, **options) -> Trainer:
    options.setdefault("limiter", CoreLimiter(4))
    return Trainer(*toy, weights=lambda model: model.coef_[0], **options)


def reach(trainer: Trainer, state: str, timeout: float = 30) -> None:
    """Wait until ``trainer``'s snapshot says ``state`` (it runs in its own thread)."""
    deadline = time.monotonic() + timeout
    while trainer.snapshot.state != state:
        assert time.monotonic() < deadline, f"{trainer.name} never reached {state!r}"
        time.sleep(0.01)


def slow_model(iterations=10**6):
    """A logistic regression paced by the trainer: slow enough to pause mid-run."""
    return LogisticRegressionGD(learning_rate=0.1, n_iterations=iterations)


def test_train_runs_exactly_the_planned_iterations(toy):
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 37)
    assert trainer.wait(30)
    snapshot = trainer.snapshot
    reference = LogisticRegressionGD(learning_rate=0.5, n_iterations=37).fit(*toy[:2])
    assert snapshot.state == "done" and snapshot.iteration == 37
    np.testing.assert_allclose(snapshot.frame.weights, reference.coef_[0], rtol=1e-6)
    # costs[k] is the cost after k updates: the model's own record, then the cost now.
    assert len(snapshot.costs) == 38
    np.testing.assert_allclose(snapshot.costs[:37], reference.cost_history_, rtol=1e-6)
    assert snapshot.costs[-1] == pytest.approx(
        LogisticRegressionGD(learning_rate=0.5, n_iterations=38).fit(*toy[:2]).cost_history_[-1],
        rel=1e-5,
    )
    assert snapshot.frame.test_accuracy == pytest.approx(reference.score(*toy[2:]))
    assert snapshot.model.n_iter_ == 37 and snapshot.model is not reference


def test_step_one_shows_the_cost_of_the_updated_parameters(toy):
    trainer = make_trainer(toy)
    trainer.step(1, new_model=LogisticRegressionGD(learning_rate=0.5))
    assert trainer.wait(30)
    snapshot = trainer.snapshot
    assert snapshot.iteration == 1
    assert len(snapshot.costs) == 2
    assert snapshot.costs[1] < snapshot.costs[0]  # the step went downhill
    assert snapshot.frame.cost == snapshot.costs[-1]
    trainer.step(10)
    trainer.wait(30)
    assert trainer.snapshot.iteration == 11 and len(trainer.snapshot.costs) == 12


def test_pause_holds_and_continue_resumes(toy):
    trainer = make_trainer(toy, min_seconds=50.0)  # paced: 1000 iterations take 50 s
    trainer.train(slow_model(), 1000)
    deadline = time.monotonic() + 30
    while trainer.snapshot.iteration < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    trainer.pause()
    assert trainer.wait(10)
    paused = trainer.snapshot
    assert paused.state == "paused"
    assert 5 <= paused.iteration < 1000
    assert paused.model.n_iter_ == paused.iteration == len(paused.costs) - 1
    time.sleep(0.5)
    assert trainer.snapshot is paused, "nothing changes after a pause"
    trainer.min_seconds = 0.0  # no pacing: three iterations
    trainer.resume(paused.iteration + 3, learning_rate=0.2)
    assert trainer.wait(30)
    assert trainer.snapshot.iteration == paused.iteration + 3
    assert trainer.snapshot.learning_rate == 0.2
    assert trainer.snapshot.state == "done"


def test_pause_at_n_stops_exactly_there(toy):
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 25)
    trainer.wait(30)
    time.sleep(0.3)
    assert trainer.snapshot.iteration == trainer.snapshot.model.n_iter_ == 25
    trainer.step(10)
    trainer.wait(30)
    assert trainer.snapshot.iteration == 35


def test_reset_forgets_and_a_new_train_starts_afresh(toy):
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 20)
    trainer.wait(30)
    run = trainer.snapshot.run
    trainer.reset()
    trainer.wait(30)
    assert trainer.snapshot.state == "empty" and trainer.snapshot.frame is None
    assert trainer.snapshot.run == run + 1
    trainer.resume(50)  # nothing to continue: ignored
    trainer.wait(30)
    assert trainer.snapshot.state == "empty"
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 5)
    trainer.wait(30)
    assert trainer.snapshot.iteration == 5 and trainer.snapshot.run == run + 2


def test_snapshots_are_consistent_while_running(toy):
    trainer = Trainer(
        *toy, weights=lambda model: model.weights_[0], limiter=CoreLimiter(4), min_seconds=2.0
    )
    trainer.train(TwoLayerNetwork(hidden_units=2, learning_rate=0.5), 400)
    seen = []
    while trainer.active:
        seen.append(trainer.snapshot)
        time.sleep(0.02)
    trainer.wait(30)
    seen.append(trainer.snapshot)
    running = [s for s in seen if s.state == "running"]
    assert len({s.iteration for s in running}) >= 5, "seen descending, not only at the end"
    for snapshot in [s for s in seen if s.frame is not None]:
        assert len(snapshot.costs) == snapshot.iteration + 1
        assert not snapshot.costs.flags.writeable and not snapshot.frame.weights.flags.writeable
        # The weights shown are the model's at that iteration: retrain to it and compare.
        reference = TwoLayerNetwork(hidden_units=2, learning_rate=0.5, n_iterations=1)
        reference.partial_fit(*toy[:2], n_iterations=snapshot.iteration)
        np.testing.assert_allclose(snapshot.frame.weights, reference.weights_[0], rtol=1e-5)
    assert seen[-1].iteration == 400


def test_history_is_bounded_and_evenly_spaced(toy):
    trainer = make_trainer(toy, history_size=20)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 100)
    trainer.wait(30)
    history = trainer.snapshot.history
    iterations = [frame.iteration for frame in history]
    assert 10 <= len(history) <= 20
    assert iterations[0] == 0
    assert len(set(np.diff(iterations))) == 1, iterations
    assert all(frame.weights.dtype == np.float32 for frame in history)
    # A frame is the model as it was: compare with a model trained to that iteration.
    frame = history[len(history) // 2]
    reference = LogisticRegressionGD(learning_rate=0.5).partial_fit(
        *toy[:2], n_iterations=frame.iteration
    )
    np.testing.assert_allclose(frame.weights, reference.coef_[0], rtol=1e-5)
    assert frame.cost == pytest.approx(trainer.snapshot.costs[frame.iteration], rel=1e-5)
    assert frame.test_accuracy == pytest.approx(reference.score(*toy[2:]))
    # Going on keeps the bound.
    trainer.resume(1000)
    trainer.wait(30)
    assert len(trainer.snapshot.history) <= 20
    assert trainer.snapshot.scrub_frames[-1].iteration == 1000


def test_divergence_keeps_the_curve_up_to_it(toy):
    trainer = make_trainer(toy)
    X = np.tile(np.linspace(0, 1, 16, dtype=np.float32), (45, 1))
    trainer.x_train = X
    trainer.train(LogisticRegressionGD(learning_rate=1e6), 50)
    trainer.wait(30)
    snapshot = trainer.snapshot
    assert snapshot.state == "diverged"
    assert "diverged" in snapshot.message
    assert np.isfinite(snapshot.costs).all()
    assert len(snapshot.costs) == snapshot.diverged_at + 1


def test_a_bad_setting_is_a_message(toy):
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=-1), 5)
    trainer.wait(30)
    assert trainer.snapshot.state == "failed"
    assert "learning_rate" in trainer.snapshot.message


def test_an_ended_session_stops_the_worker(toy):
    alive = threading.Event()
    alive.set()
    trainer = make_trainer(toy, is_alive=alive.is_set, min_seconds=100.0, grace=0.5)
    trainer.train(slow_model(), 1000)
    reach(trainer, "running")
    assert trainer.worker_alive
    alive.clear()  # the tab closed
    ended_at = time.monotonic()
    assert trainer.wait(10)
    assert time.monotonic() - ended_at < 10
    assert not trainer.worker_alive
    assert trainer.snapshot.state == "ended" and trainer.snapshot.history == ()
    trainer.train(slow_model(), 10)  # an ended trainer takes no more commands
    assert not trainer.worker_alive


def test_the_cap_queues_trainings_and_gives_their_place(toy):
    limiter = CoreLimiter(1)
    first = make_trainer(toy, limiter=limiter)  # unpaced: it keeps its core until paused
    second = make_trainer(toy, limiter=limiter)
    third = make_trainer(toy, limiter=limiter)
    first.train(slow_model(), 10**6)  # seconds of computing: paused long before its end
    reach(first, "running")
    second.train(LogisticRegressionGD(learning_rate=0.5), 5)
    reach(second, "queued")
    third.train(LogisticRegressionGD(learning_rate=0.5), 5)
    reach(third, "queued")
    assert (second.snapshot.place, third.snapshot.place) == (1, 2)
    assert limiter.running == 1 and limiter.waiting == 2
    assert second.snapshot.iteration == 0
    first.pause()
    assert second.wait(30) and third.wait(30)
    assert second.snapshot.iteration == third.snapshot.iteration == 5
    assert limiter.running == limiter.waiting == 0


def test_pausing_a_queued_training_leaves_the_line(toy):
    limiter = CoreLimiter(1)
    first = make_trainer(toy, limiter=limiter)  # unpaced: it keeps its core until paused
    second = make_trainer(toy, limiter=limiter)
    first.train(slow_model(), 10**6)  # seconds of computing: paused long before its end
    reach(first, "running")
    second.train(LogisticRegressionGD(learning_rate=0.5), 5)
    reach(second, "queued")
    second.pause()
    assert second.wait(10)
    assert second.snapshot.state == "paused" and limiter.waiting == 0
    first.pause()
    first.wait(10)


def test_no_worker_outlives_its_work(toy):
    before = live_workers()
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 5)
    trainer.wait(30)
    assert live_workers() == before


def test_bad_capacity_is_refused():
    with pytest.raises(ValueError, match="capacity"):
        CoreLimiter(0)


def test_a_new_run_never_shows_the_previous_runs_numbers(toy):
    trainer = make_trainer(toy)
    trainer.train(LogisticRegressionGD(learning_rate=0.5), 30)
    trainer.wait(30)
    previous = trainer.snapshot
    trainer.train(LogisticRegressionGD(learning_rate=0.01), 30)
    # At once, before the worker has published anything of the new run:
    assert trainer.snapshot.run == previous.run + 1
    assert trainer.snapshot.frame is None or trainer.snapshot.frame.iteration <= 30
    seen = []
    while trainer.active:
        seen.append(trainer.snapshot)
    trainer.wait(30)
    seen.append(trainer.snapshot)
    assert all(snapshot.run == previous.run + 1 for snapshot in seen)
    assert all(snapshot.learning_rate in (None, 0.01) for snapshot in seen)
    trainer.pause()  # a Pause with nothing running changes nothing
    assert trainer.snapshot.run == previous.run + 1 and trainer.snapshot.frame is not None


def test_redraws_slow_down_when_trainings_outnumber_the_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    limiter = CoreLimiter(8)
    assert redraw_seconds(limiter) == REDRAW_SECONDS  # alone: six or seven a second
    limiter.acquire(0, keep_waiting=lambda: True)
    assert redraw_seconds(limiter) == REDRAW_SECONDS
    for ticket in range(1, 4):
        limiter.acquire(ticket, keep_waiting=lambda: True)
    # Four trainings on two cores: four pages redraw as often as one alone, together.
    assert redraw_seconds(limiter) == pytest.approx(4 * REDRAW_SECONDS)
    limiter.lend(0)  # a light run still counts: its page redraws as often
    assert limiter.running == 3 and limiter.training == 4
    assert redraw_seconds(limiter) == pytest.approx(4 * REDRAW_SECONDS)
    monkeypatch.setattr("os.cpu_count", lambda: 8)  # the same four on eight cores
    assert redraw_seconds(limiter) == REDRAW_SECONDS
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    for ticket in range(4, 8):
        limiter.acquire(ticket, keep_waiting=lambda: True)
    limiter.lend(4)
    for ticket in range(8, 30):  # light runs are admitted even with every core taken
        limiter.acquire(ticket, keep_waiting=lambda: True)
        limiter.lend(ticket)
    assert limiter.running == 6 and limiter.training == 30
    assert redraw_seconds(limiter) == MAX_REDRAW_SECONDS  # a room: at most a second apart


def test_a_light_run_gives_its_core_back_and_still_counts():
    limiter = CoreLimiter(1)
    assert limiter.acquire(1, keep_waiting=lambda: True)
    assert not limiter.acquire(2, keep_waiting=lambda: False)  # full: no waiting allowed
    limiter.lend(1)
    assert (limiter.running, limiter.training) == (0, 1)
    assert limiter.acquire(2, keep_waiting=lambda: False)
    limiter.release(1)
    limiter.release(2)
    assert (limiter.running, limiter.training, limiter.waiting) == (0, 0, 0)


def test_a_paced_run_that_mostly_waits_lets_the_next_one_train(toy):
    limiter = CoreLimiter(1)
    paced = make_trainer(toy, limiter=limiter, min_seconds=100.0)  # 1000 iterations in 100 s
    paced.train(slow_model(), 1000)
    reach(paced, "running")
    deadline = time.monotonic() + 30
    while limiter.running == 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert paced.snapshot.state == "running"  # still training, without holding the core
    assert (limiter.running, limiter.training) == (0, 1)
    other = make_trainer(toy, limiter=limiter)
    other.train(LogisticRegressionGD(learning_rate=0.5), 5)
    assert other.wait(30) and other.snapshot.iteration == 5
    assert paced.snapshot.state == "running"
    paced.pause()
    assert paced.wait(30) and limiter.training == 0


class _Clock:
    """A clock that jumps ahead on every reading, as it does for a preempted thread."""

    def __init__(self, readings):
        self.readings = iter(readings)

    def __call__(self) -> float:
        return next(self.readings)


class _StrictEvent(threading.Event):
    """An event whose waits are recorded, and refused when negative (like `time.sleep`)."""

    def __init__(self):
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None):
        if timeout is not None and timeout < 0:
            raise ValueError("sleep length must be non-negative")
        self.waits.append(timeout)
        return self.is_set()


def test_pacing_never_waits_a_negative_time(monkeypatch):
    # The clock passes the target between two readings: a wait computed from a second
    # reading would be negative (a run on a busy machine once failed that way).
    monkeypatch.setattr(time, "perf_counter", _Clock([0.0, 0.99, 1.01]))
    event = _StrictEvent()
    assert wait_until(1.0, event) is False
    assert event.waits == [1.0, pytest.approx(0.01)]


def test_pacing_stops_at_once_when_interrupted():
    event = threading.Event()
    threading.Timer(0.05, event.set).start()
    started = time.perf_counter()
    assert wait_until(started + 30, event) is True
    assert time.perf_counter() - started < 10  # far from the 30 s target


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_a_keras_frame_is_what_tensorflow_computes(toy, activation):
    """The trainer measures a Keras network in numpy, from its weights: the cost,
    accuracies and probabilities it shows are those of TensorFlow's own forward pass."""
    keras_network = pytest.importorskip("signviz.models.keras_network")
    x_train, y_train, x_test, y_test = toy
    trainer = Trainer(
        *toy, weights=lambda network: network.first_layer_weights(),
        limiter=CoreLimiter(4),
    )  # fmt: skip
    network = keras_network.KerasNetwork(
        hidden_layer_sizes=(5, 3), activation=activation, batch_size=16, learning_rate=0.05
    )
    trainer.step(3, new_model=network)
    assert trainer.wait(60)
    snapshot = trainer.snapshot
    assert snapshot.iteration == 3 and len(snapshot.costs) == 4
    model = snapshot.model
    z_train = model.decision_function(x_train)  # through TensorFlow
    expected_cost = np.mean(np.logaddexp(0, z_train) - y_train * z_train)
    assert snapshot.frame.cost == pytest.approx(expected_cost, rel=1e-5)
    assert snapshot.costs[-1] == snapshot.frame.cost
    assert snapshot.frame.train_accuracy == pytest.approx(model.score(x_train, y_train))
    assert snapshot.frame.test_accuracy == pytest.approx(model.score(x_test, y_test))
    np.testing.assert_allclose(
        snapshot.frame.test_probabilities, model.predict_proba(x_test)[:, 1], rtol=1e-5, atol=1e-6
    )
