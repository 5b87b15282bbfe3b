"""The Streamlit glue's one intervention in Streamlit: Keras state survives script runs."""

import pytest
from streamlit.runtime.scriptrunner import script_runner

from signviz import ui


@pytest.mark.slow
def test_streamlit_no_longer_clears_keras_state_after_a_run():
    global_state = pytest.importorskip("keras.src.backend.common.global_state")
    global_state.set_global_attribute("signviz_probe", "kept")
    ui.keep_keras_state_between_runs()
    script_runner._clean_problem_modules()  # what Streamlit calls after every script run
    assert global_state.get_global_attribute("signviz_probe") == "kept"
