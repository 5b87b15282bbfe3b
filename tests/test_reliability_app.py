"""Issue 16 in the app: URL values it cannot use, and data notices, through AppTest."""

import pytest
from pages import new_app
from streamlit.testing.v1 import AppTest

from signviz import ui


def open_with(query: dict) -> AppTest:
    return new_app(query)


def sidebar_warnings(app: AppTest) -> list[str]:
    return [warning.value for warning in app.sidebar.warning]


def task_caption(app: AppTest) -> str:
    return next(caption.value for caption in app.sidebar.caption if "test images" in caption.value)


@pytest.mark.parametrize(
    ("key", "value", "used"),
    [
        ("seed", "inf", "seed=42"),
        ("seed", "-inf", "seed=42"),
        ("seed", "Infinity", "seed=42"),
        ("seed", "1e400", "seed=42"),
        ("seed", "abc", "seed=42"),
        ("seed", "1.5", "seed=42"),
        ("seed", "-3", "seed=42"),
        ("seed", "99999999999", "seed=42"),
        ("test_size", "0.33", "test_size=0.15"),
        ("first_digit", "11", "first_digit=0"),
        ("second_digit", "one", "second_digit=1"),
    ],
)
def test_2_3_a_url_value_the_task_cannot_use_is_named_with_what_is_used(
    real_dataset, key, value, used
):
    app = open_with({key: value})
    assert not app.exception
    [warning] = sidebar_warnings(app)
    assert f"The link's {key}={value} was not understood" in warning
    assert f"using {used} instead" in warning
    assert key not in app.query_params
    assert "348 training and 62 test images of 0 and 1" in task_caption(app)


def test_3_the_other_values_of_a_link_are_kept(real_dataset):
    app = open_with({"first_digit": "3", "second_digit": "8", "seed": "inf", "test_size": "0.2"})
    assert not app.exception
    [warning] = sidebar_warnings(app)
    assert "seed=inf" in warning
    task = app.session_state["task"]
    assert (task.digits, task.test_size, task.random_state) == ((3, 8), 0.2, 42)


def test_3_a_valid_link_opens_its_task_without_notice(real_dataset):
    app = open_with({"first_digit": "3", "second_digit": "8", "seed": "7", "test_size": "0.2"})
    assert not app.exception
    assert sidebar_warnings(app) == []
    task = app.session_state["task"]
    assert (task.digits, task.test_size, task.random_state) == ((3, 8), 0.2, 7)


def test_3_the_notice_goes_once_the_task_changes(real_dataset):
    app = open_with({"seed": "abc"})
    assert sidebar_warnings(app)
    app.sidebar.number_input(key="seed").set_value(5).run()
    assert not app.exception
    assert sidebar_warnings(app) == []
    assert app.session_state["task"].random_state == 5


def test_3_a_value_given_twice_is_refused(real_dataset):
    app = new_app({"seed": ["3", "4"]})
    assert not app.exception
    [warning] = sidebar_warnings(app)
    assert "given more than once" in warning


@pytest.mark.parametrize(
    ("key", "values", "problem"),
    [
        ("seed", ["7"], None),
        ("seed", [str(ui.MAX_SEED + 1)], "above the largest seed"),
        ("seed", ["٣"], "not a whole number"),  # a digit, but not an ASCII one
        ("test_size", ["0.5"], None),
        ("test_size", ["0.50"], "not one of"),
        ("first_digit", ["9"], None),
        ("first_digit", [" 9"], "not a digit"),
        ("second_digit", [], "more than once"),
    ],
)
def test_url_value_problem(key, values, problem):
    found = ui.url_value_problem(key, values)
    assert found is None if problem is None else problem in found


def test_5_the_app_shows_how_the_data_differs(real_dataset, monkeypatch):
    import streamlit as st

    from signviz import data

    changed = data.Dataset(
        images=real_dataset.images,
        digits=real_dataset.digits,
        names=real_dataset.names,
        source="folder",
        notices=("These 2062 images are not exactly the published Sign Language Digits",),
    )
    monkeypatch.setattr(data, "load_dataset", lambda *arguments, **keywords: changed)
    st.cache_resource.clear()
    try:
        app = open_with({})
        assert not app.exception
        assert any("not exactly the published" in warning.value for warning in app.warning)
    finally:
        st.cache_resource.clear()
