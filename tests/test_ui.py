"""The Streamlit glue's interventions: Keras state survives script runs, sessions share
the cores, tasks are float32."""

import numpy as np
import pytest
from streamlit.runtime.scriptrunner import script_runner
from threadpoolctl import threadpool_info

from signviz import ui


@pytest.mark.slow
def test_streamlit_no_longer_clears_keras_state_after_a_run():
    global_state = pytest.importorskip("keras.src.backend.common.global_state")
    global_state.set_global_attribute("signviz_probe", "kept")
    ui.keep_keras_state_between_runs()
    script_runner._clean_problem_modules()  # what Streamlit calls after every script run
    assert global_state.get_global_attribute("signviz_probe") == "kept"


def test_the_app_runs_numpys_blas_on_one_thread_per_session():
    # numpy's own BLAS, the one the from-scratch models use (not scipy's, loaded later).
    blas = [
        pool
        for pool in threadpool_info()
        if pool["user_api"] == "blas" and "numpy" in pool["filepath"]
    ]
    assert blas
    assert all(pool["num_threads"] == 1 for pool in blas)


def test_the_app_trains_on_float32_tasks(real_dataset):
    task = ui._make_task(real_dataset, ("real",), 0, 1, 0.15, 42)
    assert task.x_train.dtype == np.float32
    assert task.x_train.shape == (348, 4096)


def test_a_live_fragment_redraws_slower_than_its_own_runs_take(monkeypatch):
    from signviz import trainer

    monkeypatch.setattr(trainer, "_SERVER_LIMITER", trainer.CoreLimiter(4))
    assert ui.redraw_every(0.0) == trainer.REDRAW_SECONDS  # alone and quick: six or seven a second
    assert ui.redraw_every(0.05) == trainer.REDRAW_SECONDS
    # A run of 0.3 s would be interrupted by a shorter timer: the interval leaves it room.
    assert ui.redraw_every(0.3) == pytest.approx(ui.REDRAW_MARGIN * 0.3)
    assert ui.redraw_every(0.3) > 0.3
    assert ui.redraw_every(60.0) == ui.MAX_GUARDED_REDRAW_SECONDS  # still redraws, rarely


def test_scikit_learns_view_is_built_once_per_task(real_dataset):
    task = ui._make_task(real_dataset, ("real",), 0, 1, 0.15, 42)
    shown = ui.scikit_learn_view(task)
    model = ui.scikit_learn_logistic(task).model
    assert shown.train_accuracy == model.score(task.x_train, task.y_train)
    assert shown.test_accuracy == model.score(task.x_test, task.y_test)
    np.testing.assert_allclose(
        np.asarray(shown.weights_figure.data[0].z).reshape(-1), model.coef_[0], rtol=1e-6
    )
    assert ui.scikit_learn_view(task) is shown  # every learner of the task: the same one
    other = ui._make_task(real_dataset, ("real",), 2, 3, 0.15, 42)
    assert ui.scikit_learn_view(other) is not shown


def test_the_prediction_grid_is_shared_by_equal_models_only(real_dataset):
    task = ui._make_task(real_dataset, ("real",), 0, 1, 0.15, 42)
    key = ui.task_key(task)
    probabilities = np.linspace(0, 1, task.n_test).astype(np.float32)
    grid = ui._prediction_grid(task, key, probabilities)
    assert ui._prediction_grid(task, key, probabilities.copy()) is grid  # same answers
    changed = probabilities.copy()
    changed[0] = 0.9  # another model: image 0 now answered differently
    other = ui._prediction_grid(task, key, changed)
    assert other is not grid
    assert other.layout.annotations[0].text == "0.90" and grid.layout.annotations[0].text == "0.00"


def test_notices_are_shown_at_their_level():
    from streamlit.testing.v1 import AppTest

    def page():
        from signviz import diagnose, ui

        ui.notices(
            [
                diagnose.Notice("warning", "stuck", "🧊"),
                diagnose.Notice("info", "queued"),
                diagnose.Notice("success", "none wrong", "🎯"),
                diagnose.Notice("error", "failed"),
                diagnose.Notice("caption", "a detail"),
            ]
        )

    app = AppTest.from_function(page).run()
    assert not app.exception
    assert [w.value for w in app.warning] == ["stuck"] and app.warning[0].icon == "🧊"
    assert [i.value for i in app.info] == ["queued"]
    assert [s.value for s in app.success] == ["none wrong"]
    assert [e.value for e in app.error] == ["failed"]
    assert [c.value for c in app.caption] == ["a detail"]


def test_the_status_query_counts_the_servers_training_workers():
    from streamlit.testing.v1 import AppTest

    from signviz.models import LogisticRegressionGD
    from signviz.trainer import CoreLimiter, Trainer, live_workers

    def status_page():
        from signviz import ui

        ui.server_status()

    def shown_and_counted(app) -> tuple[int, int, int]:
        """The number the page shows, between the counts just before and after its run
        (other tests' workers may end meanwhile)."""
        before = live_workers()
        app.run()
        after = live_workers()
        caption = app.sidebar.caption[0].value
        assert caption.startswith("Training workers running on this server: ")
        return min(before, after), int(caption.rsplit(": ", 1)[1]), max(before, after)

    app = AppTest.from_function(status_page).run()
    assert not app.sidebar.caption, "only asked for"
    app.query_params["status"] = ""
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 8), dtype=np.float32), np.arange(40) % 2
    trainer = Trainer(X, y, X, y, lambda model: model.coef_[0], limiter=CoreLimiter(2))
    trainer.train(LogisticRegressionGD(n_iterations=10**6), 10**6)
    try:
        low, shown, high = shown_and_counted(app)
        assert 1 <= low <= shown <= high, "this trainer's worker is counted"
    finally:
        trainer.pause()
        assert trainer.wait(10)
    low, shown_after, high = shown_and_counted(app)
    assert low <= shown_after <= high


def test_live_images_are_sent_as_lossless_png(monkeypatch):
    import io

    from PIL import Image

    sent = {}
    monkeypatch.setattr(
        ui.st, "image", lambda images, **options: sent.update(images=images, **options)
    )
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (12, 9, 3), dtype=np.uint8) for _ in range(2)]
    ui.live_images(images, caption=["unit 1", "unit 2"], width=80)
    assert sent["caption"] == ["unit 1", "unit 2"] and sent["width"] == 80
    for image, png in zip(images, sent["images"], strict=True):
        assert png.startswith(b"\x89PNG")
        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), image)
