"""Shared fixtures: every test gets its own cache folder; the real dataset when present
(and the ``real_data`` mark on every test that uses it); no dataset at all; the app
opened on the real data. The page tests' helpers are in ``pages.py``, ``charts.py``
and ``live.py``."""

import os
import socket

import numpy as np
import pooch
import pytest
from hypothesis import HealthCheck, settings

from signviz.data import (
    CACHE_DIR_VARIABLE,
    DATA_DIR_VARIABLE,
    URL_VARIABLE,
    Dataset,
    find_dataset,
    load_dataset,
)

# Property-based tests (Hypothesis): a few seconds each by default; a longer search with
# SIGNVIZ_HYPOTHESIS_PROFILE=long. No deadline: a shared machine's timings are noisy.
HYPOTHESIS_PROFILE_VARIABLE = "SIGNVIZ_HYPOTHESIS_PROFILE"
_quiet = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=25, **_quiet)
settings.register_profile("long", max_examples=500, **_quiet)
settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_VARIABLE, "default"))

# The app hides error details from its visitors (.streamlit/config.toml); a failing test
# should show them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")

# The learner's settings, read before any test changes the environment.
_USER_DATA_DIR = os.environ.get(DATA_DIR_VARIABLE) or None
_USER_CACHE_DIR = os.environ.get(CACHE_DIR_VARIABLE) or pooch.os_cache("signviz")


def pytest_collection_modifyitems(items):
    """Mark ``real_data`` every test that loads the real dataset, so that
    ``-m "not real_data"`` leaves out exactly those.

    That is a test that asks for ``real_dataset``, even through another fixture (the
    ``app`` fixture, a module's ``task``...), and a page test (one whose module opens
    the app with the helpers of ``pages.py``) that does not ask for the ``fallback``
    digits: the app it opens loads the real dataset.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        opens_the_app = (
            any(hasattr(item.module, helper) for helper in ("new_app", "open_app"))
            and item.module.__name__ != "pages"
        )
        if "real_dataset" in fixtures or (opens_the_app and "fallback" not in fixtures):
            item.add_marker(pytest.mark.real_data)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Point SIGNVIZ_CACHE_DIR at a fresh folder and forget any SIGNVIZ_DATASET_URL.

    SIGNVIZ_DATA_DIR is kept; tests that need it absent remove it themselves.
    """
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(cache))
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    return cache


@pytest.fixture
def halves_toy() -> tuple[np.ndarray, np.ndarray]:
    """60 random 'images' of 16 pixels in [0, 1], ``(60, 16)``, and their labels ``(60,)``:
    1 where the first 8 pixels add up to more than the last 8 (a linear rule)."""
    rng = np.random.default_rng(0)
    X = rng.random((60, 16))
    y = (X[:, :8].sum(axis=1) > X[:, 8:].sum(axis=1)).astype(int)
    return X, y


@pytest.fixture(scope="session")
def real_dataset(tmp_path_factory):
    """The real Sign Language Digits, from SIGNVIZ_DATA_DIR or the user's download.

    Nothing is downloaded and the preprocessed arrays go to a temporary cache.
    """
    folder = find_dataset(_USER_DATA_DIR, cache_dir=_USER_CACHE_DIR)
    if folder is None:
        pytest.skip(
            f"the real dataset is not available: set {DATA_DIR_VARIABLE} "
            "or run `python -m signviz download`"
        )
    return load_dataset(folder, download=False, cache_dir=tmp_path_factory.mktemp("real-cache"))


@pytest.fixture
def fallback(monkeypatch) -> Dataset:
    """No dataset anywhere and no network, so the app falls back to the 8x8 digits.

    The download points at a local port nothing listens on; the app's cached
    resources are dropped before and after. Yields the fallback dataset.
    """
    import streamlit as st  # here, not at the top: the core's tests run without Streamlit

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(URL_VARIABLE, f"http://127.0.0.1:{port}/dataset.zip")
    st.cache_resource.clear()
    yield load_dataset()
    st.cache_resource.clear()


@pytest.fixture
def app(real_dataset):
    """The app on the real data, opened at its start page (through Streamlit's AppTest)."""
    from pages import new_app  # here: the core's tests run without Streamlit

    app = new_app()
    assert not app.exception
    return app
