"""Property-based tests (Hypothesis) where inputs are open-ended: the command line's
options, the URL's task values, and datasets made of broken arrays and files.

Each runs a few seconds with the default profile; ``SIGNVIZ_HYPOTHESIS_PROFILE=long``
searches longer (see tests/conftest.py).
"""

import contextlib
import io
import os
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from signviz import data
from signviz.__main__ import main
from signviz.data import KAGGLE_COLUMN_DIGITS, DatasetError, load_dataset

FEW = max(1, settings.default.max_examples // 5)  # for examples that take a second each


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> str:
    """Kaggle-style arrays: 20 zeros and 20 ones, 6x6 pixels."""
    folder = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(1)
    images = rng.random((40, 6, 6)) * 0.5
    images[20:, :, 3:] += 0.5
    columns = [KAGGLE_COLUMN_DIGITS.index(digit) for digit in [0] * 20 + [1] * 20]
    np.save(folder / "X.npy", images)
    np.save(folder / "Y.npy", np.eye(10)[columns])
    return str(folder)


def run_cli(arguments: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(arguments)
    return status, out.getvalue(), err.getvalue()


def is_costly(option: str, text: str) -> bool:
    """Values that are valid but would train for minutes (not what this test looks for)."""
    if option in ("--iterations", "--hidden-units"):
        with contextlib.suppress(ValueError):
            return int(text) > 200
    if option == "--layers":
        with contextlib.suppress(ValueError):
            return sum(int(part) for part in text.split(",")) > 200
    return False


OPTIONS = (
    "--digits", "--learning-rate", "--iterations", "--hidden-units", "--layers", "--seed",
    "--test-size", "--label-order", "--data",
)  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["0", "1", "-1", "2", "nan", "inf", "-inf", "1e308", "1e-320", "0.5", "8,4",
                     "8,,4", "kaggle", "digits", "", " ", "7 1", "99999999999999999999"]),
    st.integers(-5, 300).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)  # fmt: skip


@given(
    model=st.sampled_from(["logreg", "sklearn", "two-layer", "deep"]),
    option=st.sampled_from(OPTIONS),
    values=st.lists(TEXT, min_size=1, max_size=2),
)
def test_any_option_value_exits_0_or_2_without_a_traceback(tiny, model, option, values):
    assume(not any(is_costly(option, value) for value in values))
    arguments = ["train", model, "--iterations", "3"]
    if option != "--data":
        arguments += ["--data", tiny]
    if option != "--label-order":
        arguments += ["--label-order", "kaggle"]
    arguments += (
        [f"{option}={values[0]}", *values[1:]]
        if option != "--digits"
        else [option, *values, *(["1"] if len(values) == 1 else [])]
    )
    status, out, err = run_cli(arguments)
    assert status in (0, 2), err
    assert "Traceback" not in err
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("signviz: error:"), err
        assert out == ""


# The URL's task values, through AppTest ------------------------------------------


@settings(max_examples=FEW)
@given(
    key=st.sampled_from(["first_digit", "second_digit", "test_size", "seed"]),
    value=st.one_of(
        st.text(max_size=10),
        st.sampled_from(["inf", "-inf", "nan", "1e400", "0x10", "3", "0.2", "2147483648"]),
    ),
)
def test_any_url_value_gives_a_page_without_exception(real_dataset, key, value):
    from pages import new_app  # here: the core's tests run without Streamlit

    from signviz import ui

    app = new_app({key: value})
    assert not app.exception
    task = app.session_state["task"]
    warnings = [warning.value for warning in app.sidebar.warning]
    if ui.url_value_problem(key, [value]) is None:
        assert not warnings
        used = {"first_digit": task.digits[0], "second_digit": task.digits[1],
                "test_size": task.test_size, "seed": task.random_state}[key]  # fmt: skip
        assert float(used) == float(value)
    else:
        assert any(f"The link's {key}=" in warning for warning in warnings)


# Datasets made of broken arrays and files ----------------------------------------

DTYPES = st.one_of(
    hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.boolean_dtypes(),
    hnp.complex_number_dtypes(), hnp.unicode_string_dtypes(max_len=2),
)  # fmt: skip


@given(
    images=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, max_side=5)),
    labels=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, max_side=11)),
    order=st.sampled_from([None, "kaggle", "digits"]),
)
def test_kaggle_arrays_load_or_raise_a_dataset_error(images, labels, order):
    with tempfile.TemporaryDirectory() as folder:
        np.save(Path(folder) / "X.npy", images)
        np.save(Path(folder) / "Y.npy", labels)
        with mock.patch.dict(os.environ, {data.LABEL_ORDER_VARIABLE: ""}):
            try:
                dataset = load_dataset(folder, label_order=order)
            except DatasetError as error:
                assert folder not in str(error)  # named relative to the data folder
                return
    assert dataset.images.dtype == np.float32
    assert np.all((dataset.images >= 0) & (dataset.images <= 1))
    assert len(dataset.images) == len(dataset.digits) == len(labels)
    assert set(dataset.digits.tolist()) <= set(range(10))


@given(
    x_bytes=st.binary(max_size=300),
    y_bytes=st.one_of(st.binary(max_size=300), st.just(None)),
)
def test_any_bytes_as_npy_files_raise_a_dataset_error(x_bytes, y_bytes):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "X.npy").write_bytes(x_bytes)
        if y_bytes is None:
            np.save(Path(folder) / "Y.npy", np.eye(10)[[0, 1]])
        else:
            (Path(folder) / "Y.npy").write_bytes(y_bytes)
        with pytest.raises(DatasetError):
            load_dataset(folder, label_order="kaggle")


VALID_IMAGE = io.BytesIO()
Image.new("RGB", (12, 9), (30, 120, 200)).save(VALID_IMAGE, "PNG")


@settings(max_examples=FEW * 2)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=200).map(lambda tail: VALID_IMAGE.getvalue()[:40] + tail),
    ),
    suffix=st.sampled_from([".png", ".jpg", ".JPEG"]),
)
def test_any_bytes_as_an_image_load_or_name_the_file(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        for digit in (0, 1):
            (Path(folder) / str(digit)).mkdir()
            (Path(folder) / str(digit) / "good.png").write_bytes(VALID_IMAGE.getvalue())
        (Path(folder) / "1" / f"odd{suffix}").write_bytes(content)
        with mock.patch.dict(os.environ, {data.CACHE_DIR_VARIABLE: folder + "-cache"}):
            try:
                dataset = load_dataset(folder)
            except DatasetError as error:
                assert f"1/odd{suffix}" in str(error)
                assert folder not in str(error)
                return
    assert len(dataset.images) == 3


@settings(max_examples=FEW * 2)
@given(content=st.binary(max_size=400))
def test_any_bytes_as_the_cache_file_are_rebuilt(tmp_path_factory, content):
    folder = tmp_path_factory.getbasetemp() / "cached-folder"
    cache = tmp_path_factory.getbasetemp() / "cached-folder-cache"
    if not folder.exists():
        for digit in (0, 1):
            (folder / str(digit)).mkdir(parents=True)
            (folder / str(digit) / "a.png").write_bytes(VALID_IMAGE.getvalue())
    expected = load_dataset(folder, cache_dir=cache).images
    [cached] = (cache / "processed").glob("*.npz")
    cached.write_bytes(content)
    dataset = load_dataset(folder, cache_dir=cache)
    np.testing.assert_array_equal(dataset.images, expected)
    assert any("rebuilt" in note for note in dataset.notices)
