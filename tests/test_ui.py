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
