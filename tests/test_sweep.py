"""Sweeps: the grid, its limits, runs in worker processes and on a Dask cluster, equal to
the same runs one by one; stopping; one pool shared fairly, with places in its queue."""

import gc
import json
import math
import os
import pickle
import time
from types import SimpleNamespace

import numpy as np
import pytest

from signviz import sweep as sw
from signviz.models import TwoLayerNetwork


def make_task(n_samples=120, n_features=64, seed=0):
    """Left half brighter than the right half means label 1; 20 images kept for testing."""
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features))
    y = (X[:, : n_features // 2].mean(axis=1) > X[:, n_features // 2 :].mean(axis=1)).astype(int)
    return SimpleNamespace(x_train=X[:-20], y_train=y[:-20], x_test=X[-20:], y_test=y[-20:])


@pytest.fixture(scope="module")
def task():
    return make_task()


#: Three learning rates (the last one diverges) by two sizes of hidden layer.
GRID = {"learning_rate": [0.01, 0.5, 50.0], "hidden_units": [1, 3]}


@pytest.fixture(scope="module")
def small_sweep():
    return sw.Sweep("two-layer", GRID, {"n_iterations": 150})


@pytest.fixture(scope="module")
def one_by_one(small_sweep, task):
    return sw.run_sequentially(small_sweep, task)


def assert_same_runs(results, reference):
    assert [result.index for result in results] == [run.index for run in reference]
    for result, expected in zip(results, reference, strict=True):
        assert result.settings == expected.settings
        assert result.costs == expected.costs
        assert result.diverged == expected.diverged
        assert result.diverged_at == expected.diverged_at
        for name in ("train_accuracy", "test_accuracy"):
            got, want = getattr(result, name), getattr(expected, name)
            assert got == want or (math.isnan(got) and math.isnan(want))
        np.testing.assert_array_equal(result.model.weights_[0], expected.model.weights_[0])


# -- the grid ----------------------------------------------------------------------------


def test_the_grid_is_every_combination_in_order(small_sweep):
    runs = small_sweep.runs()
    assert len(small_sweep) == len(runs) == 6
    assert runs[0] == {"n_iterations": 150, "learning_rate": 0.01, "hidden_units": 1}
    assert runs[1] == {"n_iterations": 150, "learning_rate": 0.01, "hidden_units": 3}
    assert runs[-1] == {"n_iterations": 150, "learning_rate": 50.0, "hidden_units": 3}
    values = {(run["learning_rate"], run["hidden_units"]) for run in runs}
    assert len(values) == 6


def test_numpy_values_and_lists_become_plain_values():
    sweep = sw.Sweep(
        "deep", {"hidden_layer_sizes": [[8, 4], [4]], "learning_rate": np.array([0.01, 0.1])}
    )
    assert sweep.grid == {"hidden_layer_sizes": ((8, 4), (4,)), "learning_rate": (0.01, 0.1)}
    assert type(sweep.grid["learning_rate"][0]) is float


@pytest.mark.parametrize(
    ("model", "grid", "fixed", "message"),
    [
        ("keras", {"learning_rate": [0.1]}, {}, "unknown model 'keras'"),
        ("two-layer", {}, {}, "at least one hyperparameter"),
        ("two-layer", {"layers": [1]}, {}, "two-layer has no hyperparameter 'layers'"),
        ("logreg", {"hidden_units": [1, 2]}, {}, "logreg has no hyperparameter 'hidden_units'"),
        ("two-layer", {"learning_rate": []}, {}, "learning_rate has no values"),
        ("two-layer", {"learning_rate": 0.1}, {}, "needs a list of values"),
        ("two-layer", {"learning_rate": [0.1, 0.1]}, {}, "lists a value twice"),
        ("two-layer", {"learning_rate": [0.1]}, {"learning_rate": 1}, "both varied and fixed"),
        ("two-layer", {"learning_rate": [-1.0]}, {}, "learning_rate must be a positive number"),
        ("two-layer", {"activation": ["tanh", "cosine"]}, {}, "cosine"),
        ("two-layer", {"hidden_units": [1]}, {"seed": 1}, "no hyperparameter 'seed'"),
    ],
)
def test_bad_grids_are_refused_with_a_clear_message(model, grid, fixed, message):
    with pytest.raises(ValueError, match=message):
        sw.Sweep(model, grid, fixed)


def test_a_sweep_has_at_most_a_few_hundred_runs():
    largest = sw.Sweep(
        "two-layer", {"random_state": list(range(sw.MAX_RUNS // 8)), "hidden_units": range(1, 9)}
    )
    assert len(largest) == sw.MAX_RUNS == 400
    with pytest.raises(ValueError, match=r"20 x 21 = 420 runs is too many: .* at most 400"):
        sw.Sweep("two-layer", {"random_state": range(20), "hidden_units": range(1, 22)})


def test_tutorial_settings_are_the_models_defaults():
    assert sw.tutorial_settings("two-layer")["learning_rate"] == 0.01
    assert sw.tutorial_settings("two-layer")["hidden_units"] == 3
    assert sw.tutorial_settings("logreg")["n_iterations"] == 150
    assert sw.iterations_parameter("deep") == "n_epochs"
    assert sw.format_value((8, 4)) == "8,4" and sw.format_value(0.001) == "0.001"


# -- one run -------------------------------------------------------------------------------


def test_a_run_records_what_training_did(one_by_one, task):
    healthy, diverged = one_by_one[1], one_by_one[5]
    model = TwoLayerNetwork(learning_rate=0.01, hidden_units=3, n_iterations=150)
    model.fit(task.x_train, task.y_train)
    assert healthy.settings == model.get_params()
    assert healthy.costs == tuple(model.cost_history_) and len(healthy.costs) == 150
    assert healthy.test_accuracy == model.score(task.x_test, task.y_test)
    assert healthy.train_accuracy == model.score(task.x_train, task.y_train)
    assert not healthy.diverged and healthy.diverged_at is None
    assert healthy.seconds > 0
    assert diverged.diverged and diverged.diverged_at == len(diverged.costs) - 1 < 150


def test_runs_as_json_have_no_nan(one_by_one):
    text = json.dumps([run.as_dict() for run in one_by_one], allow_nan=False)
    runs = json.loads(text)
    assert runs[2]["settings"]["learning_rate"] == 0.5
    assert set(runs[0]) == {
        "index", "settings", "costs", "train_accuracy", "test_accuracy", "diverged",
        "diverged_at", "seconds",
    }  # fmt: skip
    nan_run = sw.RunResult(0, {"hidden_layer_sizes": (8, 4)}, (1.0, math.inf), *[math.nan] * 2,
                           True, 1, 0.5)  # fmt: skip
    as_json = nan_run.as_dict()
    assert as_json["costs"] == [1.0, None] and as_json["test_accuracy"] is None
    assert as_json["settings"]["hidden_layer_sizes"] == [8, 4]


# -- in parallel ---------------------------------------------------------------------------


def test_worker_processes_give_the_same_numbers_as_one_by_one(small_sweep, task, one_by_one):
    arrived = []
    results = sw.run_sweep(small_sweep, task, workers=2, on_result=arrived.append)
    assert sorted(result.index for result in arrived) == list(range(6))
    assert_same_runs(results, one_by_one)


def test_stopping_keeps_the_finished_runs(task):
    sweep = sw.Sweep("two-layer", {"random_state": list(range(8))}, {"n_iterations": 400})
    results = sw.run_sweep(sweep, task, workers=1, on_result=lambda result: True)
    # The first run to finish stops the sweep; a second may have started meanwhile.
    assert 1 <= len(results) <= 2
    for result in results:
        (expected,) = sw.run_sequentially(
            sw.Sweep("two-layer", {"random_state": [result.index]}, {"n_iterations": 400}), task
        )
        assert result.costs == expected.costs


def test_a_stopped_job_is_done_once_its_running_runs_end(task):
    sweep = sw.Sweep("two-layer", {"random_state": list(range(6))}, {"n_iterations": 300})
    with sw.SweepPool(workers=1) as pool:
        job = pool.submit(sweep, task)
        wait_until(lambda: job.running == 1)
        job.stop()
        assert job.waiting == 0 and job.stopped
        assert job.wait(timeout=60)
        assert len(job.results) == 1 and list(job) == job.results
        assert pool.busy == 0


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_one_pool_shares_its_workers_fairly_and_tells_each_sweep_its_place():
    task = make_task(n_samples=220, n_features=512)
    slow = {"n_iterations": 300, "hidden_units": 8}
    with sw.SweepPool(workers=1) as pool:
        first = pool.submit(sw.Sweep("two-layer", {"random_state": [0, 1, 2]}, slow), task)
        wait_until(lambda: first.running == 1)
        second = pool.submit(sw.Sweep("two-layer", {"random_state": [3]}, slow), task)
        third = pool.submit(sw.Sweep("two-layer", {"random_state": [4]}, slow), task)
        assert first.place_in_queue is None  # it has a run going
        assert (second.place_in_queue, third.place_in_queue) == (1, 2)
        for job in (first, second, third):
            assert job.wait(timeout=120)
        # The late sweeps did not wait for the first one's whole grid: each got the next
        # free worker, in the order they came, before the first sweep's next run.
        assert first.results[0].seconds > 0
        assert second.finished_at < third.finished_at < first.finished_at
        assert (second.place_in_queue, third.place_in_queue) == (None, None)


def test_a_sweep_nobody_holds_leaves_the_queue(task):
    slow = {"n_iterations": 300}
    with sw.SweepPool(workers=1) as pool:
        kept = pool.submit(sw.Sweep("two-layer", {"random_state": [0, 1]}, slow), task)
        wait_until(lambda: kept.running == 1)
        forgotten = pool.submit(sw.Sweep("two-layer", {"random_state": [2, 3, 4]}, slow), task)
        del forgotten  # as when a learner's session ends
        gc.collect()
        assert kept.wait(timeout=60)
        time.sleep(0.2)
        assert pool.busy == 0 and len(kept.results) == 2


def test_the_pool_says_where_its_runs_go():
    with sw.SweepPool(workers=2) as pool:
        assert pool.capacity == 2
        assert pool.description == "2 worker processes on this machine"
    with pytest.raises(ValueError, match="at least one worker"):
        sw.SweepPool(workers=-1)


def test_a_dask_cluster_gives_the_same_numbers(small_sweep, task, one_by_one, monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv(sw.SCHEDULER_VARIABLE, cluster.scheduler_address)
        monkeypatch.setattr(sw, "CONNECT_TIMEOUT", "2s")  # the wait once the cluster is gone
        with sw.SweepPool.from_environment() as pool:
            assert pool.capacity == 2
            assert cluster.scheduler_address in pool.description
            job = pool.submit(small_sweep, task)
            arrived = list(job)
            cluster.close()  # a cluster that goes away is a clear error, not a hang
            with pytest.raises(ValueError, match=r"the Dask cluster at tcp://\S+ did not answer"):
                pool.submit(small_sweep, task)
        assert sorted(result.index for result in arrived) == list(range(6))
        assert_same_runs(sorted(arrived, key=lambda result: result.index), one_by_one)


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sw, "CONNECT_TIMEOUT", "0.5s")
    with pytest.raises(
        ValueError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        sw.SweepPool(scheduler="tcp://127.0.0.1:9")


def test_the_longest_expected_runs_start_first(task):
    sweep = sw.Sweep("two-layer", {"n_iterations": [50, 100], "hidden_units": [1, 4]})
    n_features = task.x_train.shape[1]
    costs = [sw.expected_cost("two-layer", settings, n_features) for settings in sweep.runs()]
    assert costs == [50 * (n_features + 1), 50 * 4 * (n_features + 1), 100 * (n_features + 1),
                     100 * 4 * (n_features + 1)]  # fmt: skip
    assert sw.expected_cost("deep", {"hidden_layer_sizes": (8, 4), "n_epochs": 10}, 64) == (
        10 * (64 * 8 + 8 * 4 + 4)
    )
    with sw.SweepPool(workers=1) as pool:
        job = pool.submit(sweep, task)
        assert job.wait(timeout=60)
    # One worker takes them one at a time: 4 units for 100 iterations, then the two runs
    # of equal cost (4 x 50, 1 x 100) in grid order, then 1 unit for 50 iterations.
    assert [result.index for result in job.results] == [3, 1, 2, 0]


def test_a_task_goes_to_the_workers_once_not_with_every_run(task, tmp_path):
    arrays = sw.task_arrays(task)
    key = sw.SharedTask.digest(arrays)
    shared = sw.SharedTask(arrays, str(tmp_path), key)
    # What each run sends instead of the arrays: a few hundred bytes, not the task.
    assert len(pickle.dumps(shared)) < 1000 < sum(array.nbytes for array in arrays)
    assert sw.SharedTask.digest(tuple(np.copy(array) for array in arrays)) == key
    assert sw.SharedTask.digest((task.x_test, task.y_test, task.x_train, task.y_train)) != key
    copy = pickle.loads(pickle.dumps(shared))  # as a worker receives it
    loaded = copy.load()
    for got, sent in zip(loaded, arrays, strict=True):
        np.testing.assert_array_equal(got, sent)
    del copy
    gc.collect()
    assert os.path.exists(shared.path)  # a worker's copy does not remove the file
    os.remove(shared.path)
    assert pickle.loads(pickle.dumps(shared)).load() is loaded  # read once, then kept
    del shared
    gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_the_pool_writes_a_task_once_and_removes_it_when_closed(task):
    with sw.SweepPool(workers=1) as pool:
        shared = pool._engine.place(sw.task_arrays(task))
        assert os.path.exists(shared.path)
        job = pool.submit(
            sw.Sweep("two-layer", {"hidden_units": [1, 2]}, {"n_iterations": 5}), task
        )
        assert pool._engine.place(sw.task_arrays(make_task())) is shared  # equal task, one file
        assert job.wait(timeout=60) and len(job.results) == 2
    assert not os.path.exists(os.path.dirname(shared.path))


def imported_in_this_process(module):
    import sys

    return module in sys.modules


# Sent by value, as a script's function is: a worker imports nothing (not this test
# module, which imports the models) to run it.
imported_in_this_process.__module__ = "__main__"


def test_workers_import_the_models_before_their_first_run():
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor(max_workers=1).shutdown(wait=True)  # no worker is left
    with sw.SweepPool(workers=2) as pool:
        executor = pool._engine._worker_pool()
        # New workers that have had no run: they imported the models as they started.
        answers = [executor.submit(imported_in_this_process, "signviz.models") for _ in range(2)]
        assert [answer.result(timeout=60) for answer in answers] == [True, True]


def test_without_room_for_the_task_file_runs_carry_the_task(small_sweep, task, one_by_one):
    with sw.SweepPool(workers=2) as pool:
        pool._engine._folder = "/nonexistent/signviz-sweep"  # writing there fails
        assert pool._engine.place(sw.task_arrays(task)) == sw.task_arrays(task)
        job = pool.submit(small_sweep, task)
        assert job.wait(timeout=120)
    assert_same_runs(sorted(job.results, key=lambda result: result.index), one_by_one)
