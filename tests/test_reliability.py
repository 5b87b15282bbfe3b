"""Issue 16: each defect found by probing as a hostile user would, reproduced and fixed.

The numbers in the test names are the issue's. Every test here failed before its fix.
"""

import errno
import json
import os
import pathlib
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from signviz import data
from signviz.__main__ import main, to_json
from signviz.data import (
    DATA_DIR_VARIABLE,
    DATASET_FINGERPRINT,
    KAGGLE_COLUMN_DIGITS,
    URL_VARIABLE,
    DatasetError,
    load_dataset,
    make_task,
    preprocess_image,
    verify,
)
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork
from signviz.resources import (
    MEMORY_LIMIT_VARIABLE,
    ResourceLimitError,
    memory_limit,
    parse_size,
)
from tests.test_data import synthetic_dataset, write_dataset_folder


@pytest.fixture
def image_root(tmp_path):
    return write_dataset_folder(tmp_path / "repository")


@pytest.fixture
def offline(monkeypatch):
    """No dataset configured and a download URL nothing answers."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(URL_VARIABLE, f"http://127.0.0.1:{port}/archive.zip")


def one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


# 1. A cache that cannot be written still falls back --------------------------------


def test_1_a_read_only_cache_falls_back(offline, isolated_cache, monkeypatch):
    original = pathlib.Path.unlink

    def read_only(path, *arguments, **keywords):
        if str(path).startswith(str(isolated_cache)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return original(path, *arguments, **keywords)

    monkeypatch.setattr(pathlib.Path, "unlink", read_only)
    dataset = load_dataset()
    assert dataset.is_fallback
    assert "could not be downloaded" in dataset.message


def test_1_a_cache_that_is_a_file_falls_back_in_the_cli(offline, tmp_path, monkeypatch, capsys):
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("")
    monkeypatch.setenv(data.CACHE_DIR_VARIABLE, str(not_a_folder))
    assert main(["train", "logreg", "--iterations", "2", "--json"]) == 0
    captured = capsys.readouterr()
    assert "8x8 handwritten digits" in captured.err
    assert json.loads(captured.out)["n_train"] > 0


# 4. Corrupted cache files are rebuilt, with a note ----------------------------------


def damage_empty(cached, images, digits):
    cached.write_bytes(b"")


def damage_too_few(cached, images, digits):
    np.savez(cached, images=images[:5])


def damage_nan(cached, images, digits):
    np.savez(cached, images=np.full_like(images, np.nan), digits=digits)


def damage_small(cached, images, digits):
    np.savez(cached, images=np.zeros((len(images), 8, 8), np.float32), digits=digits)


def damage_scaled(cached, images, digits):
    with np.load(cached) as arrays:
        stored = dict(arrays)
    stored["images"] = stored["images"] * 1000
    np.savez(cached, **stored)


def damage_reversed(cached, images, digits):
    with np.load(cached) as arrays:
        stored = dict(arrays)
    stored["images"] = stored["images"][::-1]
    np.savez(cached, **stored)


@pytest.mark.parametrize(
    "damage",
    [damage_empty, damage_too_few, damage_nan, damage_small, damage_scaled, damage_reversed],
)
def test_4_a_damaged_cache_is_rebuilt_with_a_note(image_root, isolated_cache, damage):
    fresh = load_dataset(image_root)
    [cached] = (isolated_cache / "processed").glob("*.npz")
    damage(cached, fresh.images, fresh.digits)
    rebuilt = load_dataset(image_root)
    np.testing.assert_array_equal(rebuilt.images, fresh.images)
    [note] = [note for note in rebuilt.notices if "cached arrays" in note]
    assert "rebuilt" in note
    assert str(isolated_cache) not in note  # named relative to the cache
    again = load_dataset(image_root)  # the rebuilt cache is trusted again, silently
    assert not [note for note in again.notices if "cached arrays" in note]


# 5. The data is verified on every load ----------------------------------------------


@pytest.fixture
def published_small(image_root, monkeypatch):
    """Pretend ``image_root`` is the published dataset (its fingerprint and file list)."""
    import hashlib

    folder = image_root / "Dataset"
    files = verify.image_files(folder)
    listing = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for name, _, path in files}
    monkeypatch.setattr(verify, "DATASET_FINGERPRINT", verify.fingerprint_files(files))
    monkeypatch.setattr(verify, "published_files", lambda: listing)
    return folder


def test_5_the_published_copy_loads_without_a_notice(published_small):
    assert load_dataset(published_small).notices == ()


def test_5_a_copy_that_differs_is_used_with_a_notice_saying_how(published_small):
    (published_small / "0" / "IMG_00.JPG").unlink()
    (published_small / "1" / "IMG_10.JPG").unlink()
    (published_small / "2" / "IMG_20.JPG").write_bytes(
        (published_small / "2" / "IMG_21.JPG").read_bytes()
    )
    Image.new("RGB", (30, 30), (10, 200, 30)).save(published_small / "2" / "new.png")
    dataset = load_dataset(published_small)
    assert len(dataset.images) == 17
    [note] = dataset.notices
    assert "2 missing (0/IMG_00.JPG, 1/IMG_10.JPG)" in note
    assert "1 extra (2/new.png)" in note
    assert "1 changed (2/IMG_20.JPG)" in note
    assert str(published_small) not in note


def test_5_the_cli_shows_the_notice(published_small, capsys):
    (published_small / "0" / "IMG_00.JPG").unlink()
    assert main(["train", "logreg", "--iterations", "2", "--data", str(published_small)]) == 0
    assert "1 missing (0/IMG_00.JPG)" in capsys.readouterr().err


def write_raw_png(path, colour):
    """An uncompressed PNG: its size depends only on its dimensions."""
    Image.new("RGB", (20, 20), colour).save(path, compress_level=0)


def test_5_a_file_rewritten_with_the_same_size_and_time_is_read_again(tmp_path):
    folder = tmp_path / "Dataset"
    for digit in (0, 1):
        (folder / str(digit)).mkdir(parents=True)
        for index in range(6):
            write_raw_png(folder / str(digit) / f"{index}.png", (40 * index, 100 * digit, 90))
    before = load_dataset(folder)
    target = folder / "0" / "3.png"
    status = target.stat()
    ramp = np.tile(np.arange(20, dtype=np.uint8) * 12, (20, 1))
    Image.fromarray(np.stack([ramp, ramp.T, ramp], axis=-1)).save(target, compress_level=0)
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert target.stat().st_size == status.st_size
    assert target.stat().st_mtime_ns == status.st_mtime_ns
    after = load_dataset(folder)
    index = after.names.index("0/3.png")
    np.testing.assert_array_equal(after.images[index], preprocess_image(Image.open(target)))
    assert not np.array_equal(after.images[index], before.images[index])


@pytest.mark.real_data
def test_5_the_real_dataset_minus_ten_images_is_described(real_dataset, tmp_path):
    source = pathlib.Path(real_dataset.location)
    copy = tmp_path / "Dataset"
    removed = sorted(real_dataset.names[::206][:10])
    for name in real_dataset.names:
        if name not in removed:
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).symlink_to(source / name)
    files = verify.image_files(copy)
    assert verify.fingerprint_files(files) != DATASET_FINGERPRINT
    assert data.compare_with_published(copy) == {"missing": removed, "extra": [], "changed": []}
    note = verify.describe_difference(files)
    assert note.startswith("These 2052 images are not exactly the published")
    assert f"10 missing ({', '.join(removed[:3])} and 7 more)" in note


@pytest.mark.real_data
def test_5_the_real_dataset_is_verified_on_every_load(real_dataset):
    assert verify.fingerprint_files(verify.image_files(pathlib.Path(real_dataset.location))) == (
        DATASET_FINGERPRINT
    )
    assert real_dataset.notices == ()


# 6. Inputs that crashed: a decompression bomb, X.npy of strings, empty or complex ---


def png_header_only(path, width, height):
    """A PNG whose header claims ``width`` x ``height`` pixels (no image data follows)."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))


@pytest.mark.parametrize(
    ("side", "problem"),
    [(30000, "exceeds limit of"), (6000, r"has 6000×6000 pixels, more than the 25,000,000")],
    ids=["Pillow's limit", "signviz's limit"],
)
def test_6_a_huge_image_is_refused_naming_it(image_root, capsys, side, problem):
    png_header_only(image_root / "Dataset" / "1" / "bomb.png", side, side)
    with pytest.raises(DatasetError, match=rf"1/bomb\.png.*{problem}"):
        load_dataset(image_root)
    assert main(["train", "logreg", "--data", str(image_root)]) == 2
    line = one_line_error(capsys)
    assert "1/bomb.png" in line and str(image_root) not in line


def test_6_an_unreadable_image_is_named_relative_to_the_data_folder(image_root):
    (image_root / "Dataset" / "2" / "broken.jpg").write_bytes(b"not an image at all")
    with pytest.raises(DatasetError, match=r"cannot read the image 2/broken\.jpg") as caught:
        load_dataset(image_root)
    assert str(image_root) not in str(caught.value)


def write_kaggle(folder, images, columns=None):
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(range(len(images)) if columns is None else columns)
    np.save(folder / "X.npy", images)
    np.save(folder / "Y.npy", np.eye(10)[[column % 10 for column in columns]])
    return folder


@pytest.mark.parametrize(
    ("images", "problem"),
    [
        (np.full((6, 8, 8), "a"), "should hold real numbers, but holds <U1"),
        (np.zeros((6, 0, 8)), r"holds no pixels: its shape is \(6, 0, 8\)"),
        (np.zeros((6, 8, 8), complex), "should hold real numbers, but holds complex128"),
        (np.full((6, 8, 8), np.nan), "between 0 and 1"),
    ],
    ids=["strings", "no pixels", "complex", "nan"],
)
def test_6_a_bad_kaggle_x_is_refused_with_exit_2(tmp_path, capsys, images, problem):
    folder = write_kaggle(tmp_path / "kaggle", images)
    with pytest.raises(DatasetError, match=problem):
        load_dataset(folder, label_order="kaggle")
    assert main(["train", "logreg", "--data", str(folder), "--label-order", "kaggle"]) == 2
    assert "X.npy" in one_line_error(capsys)


def test_6_an_empty_or_pickled_npy_is_refused(tmp_path, capsys):
    folder = write_kaggle(tmp_path / "kaggle", np.zeros((6, 8, 8)))
    (folder / "X.npy").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"cannot read X\.npy"):
        load_dataset(folder, label_order="kaggle")
    np.save(folder / "Y.npy", np.array([{"a": 1}] * 6), allow_pickle=True)
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(folder, label_order="kaggle")


# 7. Keras divergence, and strict JSON ----------------------------------------------


def test_7_json_output_has_no_nan():
    text = to_json({"costs": [0.5, float("nan"), float("inf")], "loss": -float("inf")})
    assert json.loads(text) == {"costs": [0.5, None, None], "loss": None}


@pytest.mark.slow
def test_7_keras_divergence_is_reported_in_valid_json(tiny_kaggle, capsys):
    arguments = ["train", "keras", "--learning-rate", "1e308", "--epochs", "3", "--json"]
    assert main([*arguments, "--data", tiny_kaggle]) == 0
    output = capsys.readouterr().out

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    result = json.loads(output, parse_constant=refuse)
    assert result["diverged"] is True
    assert result["diverged_at"] == 0
    assert all(cost is not None for cost in result["costs"])


# 8. --iterations follows one rule for every model -----------------------------------


@pytest.mark.parametrize("model", ["logreg", "sklearn", "two-layer", "deep"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_8_iterations_below_one_is_refused_by_every_model(tiny_kaggle, capsys, model, value):
    assert main(["train", model, "--iterations", value, "--data", tiny_kaggle]) == 2
    assert f"--iterations must be a positive whole number, got {value}" in one_line_error(capsys)


# 9. Memory bounds and Ctrl-C --------------------------------------------------------


def test_9_a_network_too_large_is_refused_before_allocating(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "1G")
    X = np.zeros((348, 4096), dtype=np.float32)
    y = np.arange(348) % 2
    for model in (
        TwoLayerNetwork(hidden_units=100_000),
        DeepNetwork(hidden_layer_sizes=(100_000,)),
    ):
        tracemalloc.start()
        with pytest.raises(ResourceLimitError, match=r"needs about \d.* GB of memory, more than"):
            model.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 10 * 2**20  # refused before the weights were created
        assert not hasattr(model, "n_iter_")


@pytest.mark.slow
def test_9_a_keras_network_too_large_is_refused_before_building(monkeypatch):
    from signviz.models.keras_network import KerasNetwork

    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "1G")
    model = KerasNetwork(hidden_layer_sizes=(100_000,))
    with pytest.raises(ResourceLimitError, match=r"Keras network with hidden layers \(100000,\)"):
        model.fit(np.zeros((348, 4096)), np.arange(348) % 2)
    assert not hasattr(model, "model_")


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegressionGD(n_iterations=2),
        TwoLayerNetwork(hidden_units=400, n_iterations=2),
        DeepNetwork(hidden_layer_sizes=(300, 40), n_epochs=1),
    ],
    ids=["logistic", "two-layer", "deep"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_9_the_memory_estimate_matches_what_training_allocates(model, dtype):
    rng = np.random.default_rng(0)
    X = rng.random((300, 4096)).astype(dtype)
    y = np.arange(300) % 2
    tracemalloc.start()
    model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    estimate = model.memory_estimate(*X.shape, X.dtype.itemsize)
    assert 0.9 * peak <= estimate <= 2 * peak


def test_9_the_cli_refuses_in_one_line_with_both_sizes(tiny_kaggle, capsys, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "100M")
    arguments = ["train", "two-layer", "--hidden-units", "100000", "--iterations", "2"]
    assert main([*arguments, "--data", tiny_kaggle]) == 2
    line = one_line_error(capsys)
    assert "hidden layers (100000,)" in line
    assert f"limit of 100 MB ({MEMORY_LIMIT_VARIABLE}=100M)" in line


def test_9_the_memory_limit_setting_is_checked(monkeypatch):
    assert parse_size("2G") == 2 * 2**30 and parse_size("512m") == 512 * 2**20
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "lots")
    with pytest.raises(ValueError, match="should be a size such as 2G"):
        memory_limit()


def test_9_ctrl_c_reports_the_iterations_so_far(tiny_kaggle, capsys, monkeypatch):
    iterate = LogisticRegressionGD._step
    calls = []

    def interrupted_at_the_fifth(self, X, y):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return iterate(self, X, y)

    monkeypatch.setattr(LogisticRegressionGD, "_step", interrupted_at_the_fifth)
    assert main(["train", "logreg", "--data", tiny_kaggle, "--json"]) == 130
    captured = capsys.readouterr()
    assert captured.err.strip() == "signviz: stopped at iteration 4"
    result = json.loads(captured.out)
    assert result["interrupted"] is True
    assert len(result["costs"]) == 4
    assert 0 <= result["test_accuracy"] <= 1


def test_9_ctrl_c_while_loading_is_one_line(capsys, monkeypatch):
    def interrupted(*arguments, **keywords):
        raise KeyboardInterrupt

    monkeypatch.setattr(data, "load_dataset", interrupted)
    assert main(["train", "logreg"]) == 130
    assert one_line_error(capsys) == "signviz: stopped"


# 10. A training set needs both digits -----------------------------------------------


def test_10_a_split_leaving_one_digit_out_of_training_is_refused():
    dataset = synthetic_dataset(per_digit=(20, 20))
    refused = 0
    for seed in range(40):
        try:
            task = make_task(dataset, (0, 1), test_size=0.95, random_state=seed)
        except ValueError as error:
            assert "a model needs at least 2 of each digit" in str(error)
            assert f"seed {seed}" in str(error)
            refused += 1
        else:
            assert np.bincount(task.y_train, minlength=2).min() >= 2
    assert refused > 0


@pytest.mark.real_data
def test_10_the_issues_example_exits_2(real_dataset, capsys, monkeypatch):
    monkeypatch.setattr(data, "load_dataset", lambda *arguments, **keywords: real_dataset)
    arguments = ["train", "logreg", "--test-size", "0.995", "--seed", "0"]
    assert main([*arguments, "--data", real_dataset.location]) == 2
    assert "training set holds 0 images of digit 1" in one_line_error(capsys)


# 11. No server paths for visitors ---------------------------------------------------


def test_11_a_deployed_app_hides_error_details():
    import tomllib

    config = tomllib.loads(
        (pathlib.Path(__file__).parents[1] / ".streamlit/config.toml").read_text()
    )
    assert config["client"]["showErrorDetails"] == "none"


# 13. The column order of Y.npy is recognized, or must be stated ---------------------


def full_size_labels(order):
    """One-hot rows in blocks, column by column, with the real dataset's counts."""
    digits = data.LABEL_ORDERS[order]
    counts = [data.DIGIT_COUNTS[digit] for digit in digits]
    return np.repeat(np.arange(10), counts)


@pytest.mark.parametrize("order", ["kaggle", "digits"])
def test_13_the_layout_is_recognized_from_the_counts(tmp_path, order, monkeypatch):
    monkeypatch.delenv(data.LABEL_ORDER_VARIABLE, raising=False)
    columns = full_size_labels(order)
    folder = write_kaggle(tmp_path / "kaggle", np.zeros((len(columns), 2, 2)), columns)
    dataset = load_dataset(folder)
    assert dataset.counts() == dict(enumerate(data.DIGIT_COUNTS))
    expected = np.array(data.LABEL_ORDERS[order])[columns]
    np.testing.assert_array_equal(dataset.digits, expected)


def test_13_an_unknown_layout_is_refused_until_stated(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(data.LABEL_ORDER_VARIABLE, raising=False)
    columns = np.repeat(np.arange(10), 30)
    folder = write_kaggle(tmp_path / "kaggle", np.zeros((300, 2, 2)), columns)
    with pytest.raises(DatasetError, match=r"its columns hold \(30, 30,.*--label-order kaggle"):
        load_dataset(folder)
    assert main(["train", "logreg", "--data", str(folder), "--iterations", "2"]) == 2
    assert "SIGNVIZ_LABEL_ORDER" in one_line_error(capsys)
    assert load_dataset(folder, label_order="digits").digits[:31].tolist() == [0] * 30 + [1]
    monkeypatch.setenv(data.LABEL_ORDER_VARIABLE, "kaggle")
    assert load_dataset(folder).digits[0] == KAGGLE_COLUMN_DIGITS[0]
    monkeypatch.setenv(data.LABEL_ORDER_VARIABLE, "sorted")
    with pytest.raises(DatasetError, match="one of kaggle, digits"):
        load_dataset(folder)


@pytest.fixture
def tiny_kaggle(tmp_path, monkeypatch):
    """Kaggle-style arrays of 30 zeros and 30 ones (8x8), in Kaggle's column order."""
    rng = np.random.default_rng(0)
    images = 0.3 * rng.random((60, 8, 8))
    images[:30, :, :4] += 0.7
    images[30:, :, 4:] += 0.7
    columns = [KAGGLE_COLUMN_DIGITS.index(digit) for digit in [0] * 30 + [1] * 30]
    monkeypatch.setenv(data.LABEL_ORDER_VARIABLE, "kaggle")
    return str(write_kaggle(tmp_path / "tiny", images, columns))
