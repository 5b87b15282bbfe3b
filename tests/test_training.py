"""Training in chunks: the same model as one fit, redraws spaced out, stop and divergence."""

import time

import numpy as np
import pytest

from signviz.models import LogisticRegressionGD, TwoLayerNetwork
from signviz.training import cost_rises, train_in_chunks


class FakeClock:
    """A clock that advances by a set amount for each iteration trained and each redraw."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class TimedModel(LogisticRegressionGD):
    """Logistic regression whose every iteration takes ``seconds_per_iteration`` on ``clock``."""

    def __init__(self, clock=None, seconds_per_iteration=0.001, learning_rate=0.5):
        super().__init__(learning_rate=learning_rate)
        self.clock = clock
        self.seconds_per_iteration = seconds_per_iteration

    def partial_fit(self, X, y, n_iterations=1):
        self.clock.now += n_iterations * self.seconds_per_iteration
        return super().partial_fit(X, y, n_iterations)


@pytest.fixture
def toy():
    rng = np.random.default_rng(1)
    X = rng.random((30, 6))
    return X, (X[:, 0] > X[:, 1]).astype(int)


def test_chunks_give_the_same_model_as_one_fit(toy):
    X, y = toy
    seen = []
    model = TwoLayerNetwork(n_iterations=137, learning_rate=0.5)
    run = train_in_chunks(model, X, y, 137, lambda m: seen.append(m.n_iter_), interval=0.0001)
    reference = TwoLayerNetwork(n_iterations=137, learning_rate=0.5).fit(X, y)
    assert run.iterations == model.n_iter_ == 137
    assert model.cost_history_ == reference.cost_history_
    np.testing.assert_array_equal(model.hidden_weights_, reference.hidden_weights_)
    assert seen[0] == 1, "the first point is drawn at once"
    assert seen[-1] == 137, "the end is always drawn"
    assert seen == sorted(set(seen))
    assert run.redraws == len(seen)


def test_redraws_come_about_every_interval(toy):
    X, y = toy
    clock = FakeClock()
    model = TimedModel(clock, seconds_per_iteration=0.001)
    seen = []
    run = train_in_chunks(
        model, X, y, 2000, lambda m: seen.append(m.n_iter_), clock=clock, wall_clock=clock
    )
    # 2000 iterations of 1 ms at one redraw per 0.4 s: the first at once, then every 400.
    assert seen == [1, 401, 801, 1201, 1601, 2000]
    assert run.redraws == len(seen) == 6
    assert run.training_seconds == pytest.approx(2.0)


def test_slow_drawing_is_spaced_out_to_its_share(toy):
    X, y = toy
    clock = FakeClock()
    model = TimedModel(clock, seconds_per_iteration=0.001)

    def slow_draw(model):
        clock.now += 0.1  # each redraw costs 0.1 s: at most 10 %, so 0.9 s of training between

    run = train_in_chunks(
        model, X, y, 5000, slow_draw, clock=clock, wall_clock=clock, max_drawing_share=0.1
    )
    # Between the first redraw (at once) and the last (at the end), 0.9 s of training
    # for each 0.1 s of drawing.
    assert run.redraws == 7  # 1, 901, 1801, 2701, 3601, 4501, 5000
    assert run.drawing_seconds - 2 * 0.1 <= 0.1 / 0.9 * run.training_seconds


class CrowdedModel(LogisticRegressionGD):
    """Logistic regression on a crowded machine: each iteration also waits 5 ms for a core."""

    def partial_fit(self, X, y, n_iterations=1):
        time.sleep(0.005 * n_iterations)
        return super().partial_fit(X, y, n_iterations)


def test_waiting_for_a_core_does_not_add_redraws(toy):
    # 200 iterations waiting 1 s in all: on the wall clock that is four redraws' worth;
    # on the thread's CPU time it is a blink, so only the first and the last are drawn.
    X, y = toy
    seen = []
    run = train_in_chunks(CrowdedModel(), X, y, 200, lambda m: seen.append(m.n_iter_))
    assert seen == [1, 200]
    assert run.iterations == 200


class WallClock:
    """The wall clock of a thread that gets half a core: twice its CPU time."""

    def __init__(self, cpu_clock):
        self.cpu_clock = cpu_clock

    def __call__(self):
        return 2 * self.cpu_clock.now


def test_half_a_core_halves_the_redraws(toy):
    X, y = toy
    clock = FakeClock()
    model = TimedModel(clock, seconds_per_iteration=0.001)
    seen = []
    train_in_chunks(
        model,
        X,
        y,
        2000,
        lambda m: seen.append(m.n_iter_),
        clock=clock,
        wall_clock=WallClock(clock),
    )
    # 0.4 s of CPU between redraws alone; with half a core, 0.8 s: every 800 iterations.
    assert seen == [1, 801, 1601, 2000]


def test_on_progress_can_stop_training(toy):
    X, y = toy
    model = LogisticRegressionGD()
    run = train_in_chunks(model, X, y, 500, lambda m: m.n_iter_ >= 1)
    assert run.stopped
    assert model.n_iter_ == run.iterations == 1


def test_training_ends_when_the_model_diverges(toy):
    X, y = toy
    model = LogisticRegressionGD(learning_rate=1e6)
    X = X * 0 + np.linspace(0, 1, 6)  # identical images, opposite labels: no separation
    run = train_in_chunks(model, X, y, 500, interval=0.0)
    assert model.diverged_
    assert run.iterations == model.n_iter_ < 500


def test_continues_from_where_the_model_is(toy):
    X, y = toy
    model = LogisticRegressionGD().fit(X, y)
    run = train_in_chunks(model, X, y, 10)
    assert run.iterations == 10
    assert model.n_iter_ == 160


def test_bad_share_is_refused(toy):
    with pytest.raises(ValueError, match="max_drawing_share"):
        train_in_chunks(LogisticRegressionGD(), *toy, 5, max_drawing_share=1.5)


def test_cost_rises_finds_each_jump_once():
    costs = [1.0, 0.9, 0.8, 1.2, 1.5, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.39, 0.5, 0.3]
    # 0.8 -> 1.2 -> 1.5 is one jump (iterations 3 and 4); 0.39 -> 0.5 another.
    assert cost_rises(costs) == [3, 12]
    assert cost_rises(costs, by=0.3) == [3]
    assert cost_rises([0.7, 0.6, 0.5, 0.52]) == []  # a rise of 4 % is not a jump
    assert cost_rises([]) == cost_rises([1.0]) == []
