"""Tests of signviz.data: finding, downloading, verifying, preprocessing, tasks."""

import functools
import hashlib
import math
import socket
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import train_test_split

from signviz.data import (
    DATA_DIR_VARIABLE,
    DATASET_COMMIT,
    DATASET_FINGERPRINT,
    DIGIT_COUNTS,
    KAGGLE_COLUMN_DIGITS,
    URL_VARIABLE,
    Dataset,
    DatasetError,
    dataset_fingerprint,
    download_dataset,
    find_dataset,
    load_dataset,
    make_task,
    preprocess_image,
    shuffle_split,
    verify_dataset,
)

TOP_FOLDER = f"Sign-Language-Digits-Dataset-{DATASET_COMMIT}"
SIZES = ((100, 100), (80, 120), (120, 80))  # (width, height) of the generated photos


# Helpers ----------------------------------------------------------------------------


def write_photo(path, seed, size=(100, 100)):
    """Save a random RGB photo: noise over a gradient, so every photo differs."""
    width, height = size
    random = np.random.default_rng(seed)
    gradient = np.linspace(0, 200, width)[None, :, None] * random.uniform(0.2, 1, size=3)
    noise = random.uniform(0, 55, size=(height, width, 3))
    Image.fromarray((gradient + noise).astype(np.uint8)).save(path, "JPEG")


def write_dataset_folder(root, digits=(0, 1, 2), per_digit=6):
    """Create ``root/Dataset/<digit>/IMG_<n>.JPG`` (the public layout); return ``root``."""
    for digit in digits:
        folder = root / "Dataset" / str(digit)
        folder.mkdir(parents=True)
        for index in range(per_digit):
            size = SIZES[index % len(SIZES)]
            write_photo(folder / f"IMG_{digit}{index}.JPG", seed=10 * digit + index, size=size)
    return root


def recipe_fingerprint(dataset_dir):
    """The documented fingerprint recipe, written independently of signviz."""
    names = sorted(
        path.relative_to(dataset_dir).as_posix()
        for path in dataset_dir.glob("*/*")
        if path.suffix.lower() in {".jpg", ".jpeg", ".png"}
    )
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode("utf-8"))
        digest.update((dataset_dir / name).read_bytes())
    return digest.hexdigest()


def write_archive(path, dataset_root):
    """Zip ``dataset_root/Dataset`` as GitHub does, under ``TOP_FOLDER/``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted((dataset_root / "Dataset").rglob("*")):
            archive.write(file, f"{TOP_FOLDER}/{file.relative_to(dataset_root).as_posix()}")
    return path


def cache_content(cache):
    return sorted(path.name for path in cache.rglob("*")) if cache.exists() else []


def synthetic_dataset(per_digit=(20, 20, 20), shape=(4, 3)):
    """A Dataset whose every pixel holds the image's index, to trace samples."""
    digits = np.repeat(np.arange(len(per_digit)), per_digit)
    count = len(digits)
    images = np.broadcast_to(np.arange(count, dtype=np.float32)[:, None, None], (count, *shape))
    return Dataset(
        images=np.ascontiguousarray(images / count),
        digits=digits.astype(np.int64),
        names=tuple(f"{digit}/IMG_{index:03d}.JPG" for index, digit in enumerate(digits)),
        source="folder",
    )


@pytest.fixture
def image_root(tmp_path):
    """A small dataset in the public repository's layout (3 digits x 6 photos)."""
    return write_dataset_folder(tmp_path / "repository")


@pytest.fixture
def http_server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``(folder, base_url)``."""
    folder = tmp_path / "served"
    folder.mkdir()

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *arguments):
            pass

    handler = functools.partial(QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        thread.join()


@pytest.fixture
def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/archive.zip"


# Preprocessing ----------------------------------------------------------------------


def test_preprocess_gives_float32_in_the_requested_shape():
    image = Image.new("RGB", (120, 80), (10, 200, 30))
    image.paste((250, 250, 250), (0, 0, 60, 80))
    assert preprocess_image(image).shape == (64, 64)
    result = preprocess_image(image, size=(32, 48))
    assert result.shape == (32, 48)
    assert result.dtype == np.float32
    assert result.min() >= 0
    assert result.max() <= 1


def test_preprocess_stretches_contrast_to_the_full_range():
    dull = np.full((100, 100), 100, dtype=np.uint8)
    dull[:, 50:] = 110  # a dark left half and a barely brighter right half
    result = preprocess_image(Image.fromarray(dull))
    np.testing.assert_allclose(result[:, :30], 0, atol=1e-6)
    np.testing.assert_allclose(result[:, -30:], 1, atol=1e-6)


def test_preprocess_turns_a_constant_image_into_zeros():
    result = preprocess_image(Image.new("RGB", (100, 100), (90, 90, 90)))
    assert result.dtype == np.float32
    assert not result.any()


def test_preprocess_uses_luma_grayscale():
    # Stripes of pure red, green and blue; luma = 0.299 R + 0.587 G + 0.114 B.
    stripes = np.zeros((64, 63, 3), dtype=np.uint8)
    for channel in range(3):
        stripes[:, 21 * channel : 21 * (channel + 1), channel] = 255
    result = preprocess_image(Image.fromarray(stripes))
    red, green, blue = 0.299 * 255, 0.587 * 255, 0.114 * 255
    expected = [(red - blue) / (green - blue), 1, 0]
    assert result[32, [10, 31, 52]] == pytest.approx(expected, abs=1e-4)


def test_preprocess_rejects_a_bad_size():
    with pytest.raises(ValueError, match="height, width"):
        preprocess_image(Image.new("L", (10, 10)), size=(64, 0))


# Finding and reading folders --------------------------------------------------------


@pytest.mark.parametrize("layout", ["repository", "Dataset"])
def test_load_reads_both_folder_layouts(image_root, layout):
    folder = image_root if layout == "repository" else image_root / "Dataset"
    dataset = load_dataset(folder)
    assert dataset.source == "folder"
    assert dataset.location == str(image_root / "Dataset")
    assert dataset.images.shape == (18, 64, 64)
    assert dataset.images.dtype == np.float32
    assert dataset.images.flags.c_contiguous
    assert 0 <= dataset.images.min() and dataset.images.max() <= 1
    assert dataset.digits.dtype == np.int64
    assert dataset.digits.tolist() == [0] * 6 + [1] * 6 + [2] * 6
    assert dataset.names[:2] == ("0/IMG_00.JPG", "0/IMG_01.JPG")
    assert dataset.names[-1] == "2/IMG_25.JPG"
    assert dataset.counts() == {0: 6, 1: 6, 2: 6, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0}
    assert dataset.image_shape == (64, 64)
    assert not dataset.is_fallback
    assert dataset.message is None


def test_images_match_preprocess_image(image_root):
    dataset = load_dataset(image_root)
    with Image.open(image_root / "Dataset" / "1" / "IMG_14.JPG") as photo:
        expected = preprocess_image(photo)
    np.testing.assert_array_equal(dataset.images[dataset.names.index("1/IMG_14.JPG")], expected)


def test_files_are_sorted_by_name_and_any_image_suffix_counts(image_root):
    digit_folder = image_root / "Dataset" / "1"
    write_photo(digit_folder / "A.png", seed=1)
    Image.new("RGB", (50, 50), (1, 2, 3)).save(digit_folder / "B.jpeg", "JPEG")
    (digit_folder / "notes.txt").write_text("not an image")
    names = load_dataset(image_root).names
    ones = [name for name in names if name.startswith("1/")]
    assert ones == sorted(ones)
    assert {"1/A.png", "1/B.jpeg"} <= set(ones)
    assert len(ones) == 8


def test_arrays_are_read_only(image_root):
    dataset = load_dataset(image_root)
    for array in (dataset.images, dataset.digits):
        assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        dataset.images[0, 0, 0] = 1


def test_environment_variable_is_used(image_root, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(image_root))
    assert find_dataset() == image_root / "Dataset"
    assert load_dataset().location == str(image_root / "Dataset")


def test_explicit_path_wins_over_the_environment_variable(image_root, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "missing"))
    assert find_dataset(image_root) == image_root / "Dataset"


@pytest.mark.parametrize("origin", ["argument", "environment"])
def test_a_named_folder_that_is_missing_or_empty_is_an_error(tmp_path, monkeypatch, origin):
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, problem in [(tmp_path / "missing", "not an existing folder"), (empty, "no Sign")]:
        if origin == "environment":
            monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
            arguments = ()
        else:
            arguments = (folder,)
        with pytest.raises(DatasetError, match=problem) as caught:
            load_dataset(*arguments)
        if origin == "environment":  # the app's visitors see this: no server path
            assert f"…/{folder.name} named by {DATA_DIR_VARIABLE}" in str(caught.value)
            assert str(tmp_path) not in str(caught.value)
        else:
            assert str(folder) in str(caught.value)
        assert "X.npy" in str(caught.value)  # says what was expected


def test_digit_folders_without_images_are_an_error(tmp_path):
    (tmp_path / "Dataset" / "3").mkdir(parents=True)
    with pytest.raises(DatasetError, match="hold no"):
        load_dataset(tmp_path)


def test_nothing_configured_and_nothing_cached_finds_nothing(monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    assert find_dataset() is None


@pytest.mark.parametrize("damage", ["truncated", "not an image"])
def test_an_unreadable_image_is_an_error_naming_the_file(image_root, damage):
    photo = image_root / "Dataset" / "2" / "IMG_23.JPG"
    content = photo.read_bytes()
    photo.write_bytes(content[: len(content) // 2] if damage == "truncated" else b"hello")
    with pytest.raises(DatasetError, match=r"IMG_23\.JPG"):
        load_dataset(image_root)


# The preprocessed-array cache -------------------------------------------------------


def test_second_load_is_served_from_the_cache(image_root, isolated_cache, monkeypatch):
    files_before = sorted(image_root.rglob("*"))
    first = load_dataset(image_root)
    assert sorted(image_root.rglob("*")) == files_before  # nothing written beside the data
    assert len(list((isolated_cache / "processed").glob("*.npz"))) == 1

    def no_decoding(*arguments):
        raise AssertionError("a cached load decoded an image")

    monkeypatch.setattr("signviz.data.preprocess._read_image", no_decoding)
    second = load_dataset(image_root)
    np.testing.assert_array_equal(second.images, first.images)
    assert second.names == first.names
    assert not second.images.flags.writeable


@pytest.mark.parametrize(("change", "count"), [("IMG_09.JPG", 19), ("IMG_00.JPG", 18)])
def test_changing_the_folder_invalidates_the_cache(image_root, isolated_cache, change, count):
    load_dataset(image_root)
    write_photo(image_root / "Dataset" / "0" / change, seed=99, size=(90, 90))  # add or replace
    dataset = load_dataset(image_root)
    assert len(dataset.images) == count
    np.testing.assert_array_equal(
        dataset.images[dataset.names.index(f"0/{change}")],
        preprocess_image(Image.open(image_root / "Dataset" / "0" / change)),
    )  # preprocessed again, not the stale arrays
    assert len(list((isolated_cache / "processed").glob("*.npz"))) == 1  # stale one removed


def test_an_unwritable_cache_only_costs_time(image_root, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert load_dataset(image_root, cache_dir=not_a_folder).images.shape == (18, 64, 64)


def test_an_unreadable_cache_file_is_rebuilt(image_root, isolated_cache):
    expected = load_dataset(image_root).images
    [cached] = (isolated_cache / "processed").glob("*.npz")
    cached.write_bytes(b"garbage")
    np.testing.assert_array_equal(load_dataset(image_root).images, expected)


# Kaggle's arrays --------------------------------------------------------------------


def write_kaggle(folder, columns, seed=0):
    folder.mkdir(parents=True)
    images = np.random.default_rng(seed).uniform(0, 1, size=(len(columns), 64, 64))
    np.save(folder / "X.npy", images)
    np.save(folder / "Y.npy", np.eye(10)[columns])
    return images


def test_kaggle_arrays_map_columns_to_digits(tmp_path):
    columns = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4, 1]
    images = write_kaggle(tmp_path / "kaggle", columns)
    dataset = load_dataset(tmp_path / "kaggle", label_order="kaggle")
    assert dataset.source == "kaggle"
    assert dataset.digits.tolist() == [9, 0, 7, 6, 1, 8, 4, 3, 2, 5, 1, 0]
    assert dataset.digits.tolist() == [KAGGLE_COLUMN_DIGITS[column] for column in columns]
    assert dataset.digits.dtype == np.int64
    assert dataset.images.dtype == np.float32
    np.testing.assert_allclose(dataset.images, images, rtol=1e-6)
    assert dataset.names[10] == "X.npy[10]"
    assert not dataset.images.flags.writeable
    assert not dataset.digits.flags.writeable


def test_kaggle_arrays_are_checked(tmp_path):
    write_kaggle(tmp_path / "kaggle", [0, 1, 2])
    np.save(tmp_path / "kaggle" / "Y.npy", np.ones((3, 10)))
    with pytest.raises(DatasetError, match="one-hot"):
        load_dataset(tmp_path / "kaggle")
    np.save(tmp_path / "kaggle" / "Y.npy", np.eye(10)[[0, 1]])
    with pytest.raises(DatasetError, match="shape"):
        load_dataset(tmp_path / "kaggle")
    np.save(tmp_path / "kaggle" / "Y.npy", np.eye(10)[[0, 1, 2]])
    np.save(tmp_path / "kaggle" / "X.npy", np.full((3, 64, 64), 255.0))
    with pytest.raises(DatasetError, match="between 0 and 1"):
        load_dataset(tmp_path / "kaggle")


# Fingerprint and verification -------------------------------------------------------


def test_fingerprint_follows_the_documented_recipe(image_root):
    dataset_dir = image_root / "Dataset"
    fingerprint = dataset_fingerprint(dataset_dir)
    assert fingerprint == recipe_fingerprint(dataset_dir)
    (dataset_dir / "1" / "IMG_12.JPG").rename(dataset_dir / "1" / "IMG_99.JPG")
    assert dataset_fingerprint(dataset_dir) != fingerprint  # names count, not just bytes


def test_verify_names_the_digit_with_the_wrong_count(image_root):
    dataset_dir = image_root / "Dataset"
    counts = (6, 6, 6, 0, 0, 0, 0, 0, 0, 0)
    verify_dataset(
        dataset_dir, expected_fingerprint=recipe_fingerprint(dataset_dir), expected_counts=counts
    )
    with pytest.raises(DatasetError, match="digit 1 has 6 images instead of 7"):
        verify_dataset(
            dataset_dir,
            expected_fingerprint="unused",
            expected_counts=(6, 7, 6, 0, 0, 0, 0, 0, 0, 0),
        )
    with pytest.raises(DatasetError, match="fingerprint"):
        verify_dataset(dataset_dir, expected_fingerprint="0" * 64, expected_counts=counts)


# Downloading through a local HTTP server --------------------------------------------


@pytest.fixture
def served_archive(http_server, image_root):
    """A good archive on the local server: (url, expected fingerprint, expected counts)."""
    folder, base_url = http_server
    write_archive(folder / "good.zip", image_root)
    counts = (6, 6, 6, 0, 0, 0, 0, 0, 0, 0)
    return f"{base_url}/good.zip", recipe_fingerprint(image_root / "Dataset"), counts


def test_download_verifies_and_keeps_the_dataset(served_archive, isolated_cache, monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    url, fingerprint, counts = served_archive
    folder = download_dataset(
        url=url, expected_fingerprint=fingerprint, expected_counts=counts, progressbar=False
    )
    assert folder == isolated_cache / TOP_FOLDER / "Dataset"
    # Only the verified folder: no archive, no temporary extraction folder.
    assert [path.name for path in isolated_cache.iterdir()] == [TOP_FOLDER]
    assert find_dataset() == folder
    dataset = load_dataset()
    assert dataset.source == "download"
    assert dataset.images.shape == (18, 64, 64)


def test_download_url_comes_from_the_environment(served_archive, isolated_cache, monkeypatch):
    url, fingerprint, counts = served_archive
    monkeypatch.setenv(URL_VARIABLE, url)
    folder = download_dataset(
        expected_fingerprint=fingerprint, expected_counts=counts, progressbar=False
    )
    assert folder.is_dir()


@pytest.mark.parametrize("damage", ["corrupted", "truncated"])
def test_a_damaged_archive_is_an_error_and_leaves_nothing(
    http_server, image_root, isolated_cache, damage
):
    folder, base_url = http_server
    good = write_archive(image_root / "good.zip", image_root).read_bytes()
    damaged = np.random.default_rng(0).bytes(len(good)) if damage == "corrupted" else good
    (folder / "bad.zip").write_bytes(damaged[: len(good) // 2])
    with pytest.raises(DatasetError, match="corrupted or truncated"):
        download_dataset(url=f"{base_url}/bad.zip", progressbar=False)
    assert cache_content(isolated_cache) == []


def test_a_mismatched_fingerprint_is_an_error_and_leaves_nothing(served_archive, isolated_cache):
    url, _, counts = served_archive
    with pytest.raises(DatasetError, match="fingerprint") as caught:
        download_dataset(
            url=url, expected_fingerprint="0" * 64, expected_counts=counts, progressbar=False
        )
    assert "0" * 64 in str(caught.value)
    assert cache_content(isolated_cache) == []


def test_a_wrong_count_is_an_error_naming_the_digit(served_archive, isolated_cache):
    url, fingerprint, _ = served_archive
    with pytest.raises(DatasetError, match="digit 2 has 6 images instead of 5"):
        download_dataset(
            url=url,
            expected_fingerprint=fingerprint,
            expected_counts=(6, 6, 5, 0, 0, 0, 0, 0, 0, 0),
            progressbar=False,
        )
    assert cache_content(isolated_cache) == []


def test_a_missing_file_on_the_server_is_an_error(http_server, isolated_cache):
    _, base_url = http_server
    with pytest.raises(DatasetError, match="could not download"):
        download_dataset(url=f"{base_url}/missing.zip", progressbar=False)
    assert cache_content(isolated_cache) == []


# Fallback ---------------------------------------------------------------------------


def test_fallback_when_nothing_is_available(monkeypatch, closed_port_url):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(URL_VARIABLE, closed_port_url)
    dataset = load_dataset()
    assert dataset.is_fallback
    assert dataset.source == "fallback"
    assert dataset.location is None
    assert dataset.images.shape == (1797, 8, 8)
    assert dataset.image_shape == (8, 8)
    assert dataset.images.dtype == np.float32
    assert 0 <= dataset.images.min() and dataset.images.max() == 1
    assert not dataset.images.flags.writeable
    assert dataset.names[17] == "digits[17]"
    assert "could not download" in dataset.message
    assert DATA_DIR_VARIABLE in dataset.message
    assert "python -m signviz download" in dataset.message
    task = make_task(dataset, (3, 8))
    assert task.image_shape == (8, 8)
    assert task.n_features == 64
    assert task.is_fallback


def test_fallback_when_the_download_does_not_verify(served_archive, monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(URL_VARIABLE, served_archive[0])
    dataset = load_dataset()  # the test archive does not have the real counts
    assert dataset.is_fallback
    assert "instead of" in dataset.message


def test_no_download_means_fallback_without_network(monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    dataset = load_dataset(download=False)
    assert dataset.is_fallback
    assert "turned off" in dataset.message


def test_a_named_folder_never_falls_back(tmp_path):
    with pytest.raises(DatasetError):
        load_dataset(tmp_path / "missing")


# Tasks ------------------------------------------------------------------------------


def test_task_takes_the_first_digit_first_then_splits_like_the_tutorial():
    dataset = synthetic_dataset(per_digit=(20, 20, 20))
    task = make_task(dataset, (2, 0), test_size=0.25, random_state=7, max_per_digit=12)
    # What the tutorial does by hand: X = twos then zeros, y = 0s then 1s, then split.
    chosen = list(range(40, 52)) + list(range(12))
    features = dataset.images[chosen].reshape(24, -1)
    labels = np.array([0] * 12 + [1] * 12)
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.25, random_state=7
    )
    np.testing.assert_array_equal(task.x_train, x_train)
    np.testing.assert_array_equal(task.x_test, x_test)
    np.testing.assert_array_equal(task.y_train, y_train)
    np.testing.assert_array_equal(task.y_test, y_test)
    assert task.digits == (2, 0)
    assert task.label_names == ("2", "0")


def test_task_keeps_images_names_and_labels_together():
    dataset = synthetic_dataset()
    task = make_task(dataset, (1, 2))
    for images, features, names, labels in [
        (task.images_train, task.x_train, task.names_train, task.y_train),
        (task.images_test, task.x_test, task.names_test, task.y_test),
    ]:
        np.testing.assert_array_equal(images.reshape(len(images), -1), features)
        indices = [dataset.names.index(name) for name in names]
        np.testing.assert_array_equal(dataset.images[indices], images)
        np.testing.assert_array_equal(dataset.digits[indices], np.where(labels == 0, 1, 2))


def test_task_shapes_types_and_sizes():
    task = make_task(synthetic_dataset(shape=(4, 3)), (0, 1), test_size=0.15)
    assert task.n_test == math.ceil(0.15 * 40) == 6
    assert task.n_train == 34
    assert task.x_train.shape == (34, 12)
    assert task.x_test.shape == (6, 12)
    assert task.n_features == 12
    assert task.image_shape == (4, 3)
    assert task.images_train.shape == (34, 4, 3)
    assert task.x_train.dtype == np.float64
    assert task.y_train.dtype == np.int64
    assert task.images_train.dtype == np.float32
    assert len(task.names_train) == 34 and isinstance(task.names_test, tuple)
    assert set(task.y_train.tolist()) | set(task.y_test.tolist()) == {0, 1}
    assert (task.test_size, task.random_state, task.source) == (0.15, 42, "folder")
    for array in (task.x_train, task.y_train, task.x_test, task.y_test, task.images_test):
        assert array.flags.c_contiguous
        assert not array.flags.writeable


def test_task_is_deterministic_given_the_seed():
    dataset = synthetic_dataset()
    first = make_task(dataset, random_state=3)
    again = make_task(dataset, random_state=3)
    other = make_task(dataset, random_state=4)
    assert first.names_train == again.names_train
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert first.names_train != other.names_train


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"digits": (1, 1)}, "differ"),
        ({"digits": (0, 10)}, "0 to 9"),
        ({"digits": (-1, 0)}, "0 to 9"),
        ({"digits": (0.5, 1)}, "whole number"),
        ({"digits": ("0", 1)}, "whole number"),
        ({"digits": (True, 0)}, "whole number"),
        ({"digits": (0,)}, "pair"),
        ({"digits": (0, 1, 2)}, "pair"),
        ({"digits": 7}, "pair"),
        ({"test_size": 0}, "between 0 and 1"),
        ({"test_size": 1}, "between 0 and 1"),
        ({"test_size": 1.5}, "between 0 and 1"),
        ({"test_size": -0.1}, "between 0 and 1"),
        ({"test_size": "0.2"}, "fraction"),
        ({"max_per_digit": 0}, "at least 1"),
        ({"max_per_digit": 2.5}, "whole number"),
        ({"max_per_digit": 3}, "max_per_digit=3"),
        ({"random_state": None}, "random_state"),
        ({"digits": (0, 3)}, "only 3 images of digit 3"),
        ({"digits": (0, 4)}, "only 0 images of digit 4"),
        ({"test_size": 0.95, "max_per_digit": 5}, "none for training"),
    ],
)
def test_bad_task_arguments_are_explained(arguments, problem):
    dataset = synthetic_dataset(per_digit=(20, 20, 20, 3))
    with pytest.raises(ValueError, match=problem):
        make_task(dataset, **arguments)


# The real dataset -------------------------------------------------------------------


@pytest.mark.real_data
def test_real_dataset_has_the_published_fingerprint(real_dataset):
    if real_dataset.source == "kaggle":
        pytest.skip("Kaggle's arrays have no image files to fingerprint")
    assert dataset_fingerprint(real_dataset.location) == DATASET_FINGERPRINT
    verify_dataset(real_dataset.location)


@pytest.mark.real_data
def test_real_dataset_has_the_published_counts(real_dataset):
    assert len(real_dataset.images) == 2062
    assert tuple(real_dataset.counts().values()) == DIGIT_COUNTS
    assert real_dataset.images.shape == (2062, 64, 64)
    assert real_dataset.images.dtype == np.float32
    assert 0 <= real_dataset.images.min() and real_dataset.images.max() <= 1


@pytest.mark.real_data
def test_real_task_matches_the_tutorial_sizes(real_dataset):
    task = make_task(real_dataset, (0, 1))
    assert task.n_train + task.n_test == 410
    assert task.images_train.shape[1:] == (64, 64)
    assert (task.n_train, task.n_test, task.n_features) == (348, 62, 4096)
    assert task.x_train.T.shape == (4096, 348)


def test_shuffle_split_is_scikit_learns_split():
    from sklearn.model_selection import train_test_split

    for n_samples, test_size, seed in [(410, 0.15, 42), (37, 0.3, 0), (1000, 0.05, 7)]:
        train, test = train_test_split(np.arange(n_samples), test_size=test_size, random_state=seed)
        ours = shuffle_split(n_samples, test_size, seed)
        np.testing.assert_array_equal(ours[0], train)
        np.testing.assert_array_equal(ours[1], test)


def test_tasks_in_single_precision():
    dataset = synthetic_dataset()
    single = make_task(dataset, (0, 1), dtype=np.float32)
    double = make_task(dataset, (0, 1))
    assert single.x_train.dtype == np.float32 and double.x_train.dtype == np.float64
    np.testing.assert_array_equal(single.x_train, double.x_train.astype(np.float32))
    with pytest.raises(ValueError, match="float32 or float64"):
        make_task(dataset, (0, 1), dtype=np.int64)
