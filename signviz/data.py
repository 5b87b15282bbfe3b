"""Find, download, verify and preprocess the Sign Language Digits; build two-digit tasks.

Where the images come from, in order:

1. a folder the learner names (the ``path`` argument, else the ``SIGNVIZ_DATA_DIR``
   environment variable): a copy of the public repository, its ``Dataset`` folder, or
   Kaggle's ``X.npy`` + ``Y.npy``;
2. the verified download in the cache folder (``SIGNVIZ_CACHE_DIR``, else the user
   cache);
3. a fresh download of the public repository, checked against a fingerprint;
4. scikit-learn's small 8x8 handwritten digits, with a message saying why.

Photos are turned into the tutorial's 64x64 grayscale arrays by `preprocess_image`,
and the result is cached as a ``.npz`` file so the next load is fast. Every load of a
photo folder hashes its files once and compares them with the published dataset
(`compare_with_published` says how a copy differs); the cache is keyed by that content
hash and checked before use. `make_task` then picks two digits and splits them into
training and test sets as the tutorial does.
"""

import contextlib
import hashlib
import math
import numbers
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch
from PIL import Image

from signviz.resources import check_memory

DATASET_COMMIT = "4b09433ef9d5c60602e8805bb54b8aa2428527f8"
DATASET_URL = (
    f"https://github.com/ardamavi/Sign-Language-Digits-Dataset/archive/{DATASET_COMMIT}.zip"
)
DATASET_FINGERPRINT = "dce3b97b234afb06dbdea67778d0e1ad5ead785e377633e727f9085b0281391f"
DIGIT_COUNTS = (205, 206, 206, 206, 207, 207, 207, 206, 208, 204)
"""Number of images of each digit 0..9 in the public dataset (2062 in all)."""
KAGGLE_COLUMN_DIGITS = (9, 0, 7, 6, 1, 8, 4, 3, 2, 5)
"""The digit of each one-hot column of Kaggle's ``Y.npy``."""
IMAGE_SIZE = (64, 64)
"""(height, width) of the preprocessed images, as in the tutorial."""
DATA_DIR_VARIABLE = "SIGNVIZ_DATA_DIR"
CACHE_DIR_VARIABLE = "SIGNVIZ_CACHE_DIR"
URL_VARIABLE = "SIGNVIZ_DATASET_URL"

_DOWNLOAD_FOLDER = f"Sign-Language-Digits-Dataset-{DATASET_COMMIT}"
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_PREPROCESSING_VERSION = 1  # bump when preprocess_image changes, to refresh cached arrays
_MIN_IMAGES_PER_DIGIT = 5
_LAYOUTS = (
    "a copy of the public repository (with image folders Dataset/0 ... Dataset/9), "
    "its Dataset folder (with image folders 0 ... 9), or Kaggle's X.npy and Y.npy"
)


class DatasetError(ValueError):
    """Something is wrong with a dataset on disk or a download; the message says what."""


@dataclass(frozen=True)
class Dataset:
    """Images of hands showing digits, with the true digit of each.

    Attributes
    ----------
    images : numpy.ndarray, shape (n_images, height, width), float32
        Pixel values in [0, 1]; read-only so one copy can be shared safely.
    digits : numpy.ndarray, shape (n_images,), int64
        The digit 0-9 each image shows; read-only.
    names : tuple of str, length n_images
        Where each image came from, e.g. ``"0/IMG_1118.JPG"``, ``"X.npy[204]"`` or
        ``"digits[17]"``.
    source : str
        ``"folder"``, ``"kaggle"``, ``"download"`` (the verified download in the
        cache) or ``"fallback"`` (scikit-learn's 8x8 digits).
    location : str or None
        The folder the images were read from; None for the fallback.
    message : str or None
        For the fallback: why the real dataset is missing and how to get it.
    notices : tuple of str
        What a learner should know about this copy: how it differs from the published
        dataset, or that a damaged cache was rebuilt. Empty for the verified dataset.
    """

    images: np.ndarray
    digits: np.ndarray
    names: tuple[str, ...]
    source: str
    location: str | None = None
    message: str | None = None
    notices: tuple[str, ...] = ()

    def __post_init__(self):
        if self.images.ndim != 3 or not len(self.images) == len(self.digits) == len(self.names):
            raise ValueError(
                "a Dataset needs images of shape (n_images, height, width) and one digit "
                f"and one name per image; got images of shape {self.images.shape}, "
                f"{len(self.digits)} digits and {len(self.names)} names"
            )
        _make_read_only(self.images, self.digits)

    @property
    def is_fallback(self) -> bool:
        """True when these are scikit-learn's 8x8 digits instead of the real photos."""
        return self.source == "fallback"

    @property
    def image_shape(self) -> tuple[int, int]:
        """(height, width) of every image."""
        return self.images.shape[1:]

    def counts(self) -> dict[int, int]:
        """Number of images of each digit 0-9 (zero for a digit that is absent)."""
        return dict(enumerate(np.bincount(self.digits, minlength=10).tolist()))


@dataclass(frozen=True)
class Task:
    """Two digits to tell apart, split into training and test sets.

    The first digit gets label 0 and the second label 1. Features are flattened images
    with one row per sample (scikit-learn's orientation); the tutorial's numpy code
    works on the transpose, ``x_train.T`` of shape (n_features, n_train).

    Attributes
    ----------
    digits : tuple of int
        (first, second).
    x_train : numpy.ndarray, shape (n_train, n_features), float64 (or float32)
    y_train : numpy.ndarray, shape (n_train,), int64
        Labels 0 (first digit) or 1 (second digit).
    x_test : numpy.ndarray, shape (n_test, n_features), float64 (or float32)
    y_test : numpy.ndarray, shape (n_test,), int64
    images_train : numpy.ndarray, shape (n_train, height, width), float32
        The same samples as images, for display.
    images_test : numpy.ndarray, shape (n_test, height, width), float32
    names_train : tuple of str, length n_train
    names_test : tuple of str, length n_test
    test_size : float
        Fraction of the samples kept for testing.
    random_state : int
        Seed of the split.
    source : str
        The dataset's source (``"fallback"`` for the 8x8 digits).

    All arrays are C-contiguous and read-only.
    """

    digits: tuple[int, int]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    images_train: np.ndarray
    images_test: np.ndarray
    names_train: tuple[str, ...]
    names_test: tuple[str, ...]
    test_size: float
    random_state: int
    source: str

    def __post_init__(self):
        _make_read_only(
            self.x_train,
            self.y_train,
            self.x_test,
            self.y_test,
            self.images_train,
            self.images_test,
        )

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return len(self.y_train)

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return len(self.y_test)

    @property
    def n_features(self) -> int:
        """Number of features (pixels) per sample."""
        return self.x_train.shape[1]

    @property
    def image_shape(self) -> tuple[int, int]:
        """(height, width) of every image."""
        return self.images_train.shape[1:]

    @property
    def label_names(self) -> tuple[str, str]:
        """What labels 0 and 1 stand for, e.g. ``("0", "1")``."""
        return str(self.digits[0]), str(self.digits[1])

    @property
    def is_fallback(self) -> bool:
        """True when the task was built from scikit-learn's 8x8 digits."""
        return self.source == "fallback"

    def tutorial_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shapes of the tutorial's arrays for this task, named as in its code.

        ``X`` and ``Y`` stack the images and labels of both digits; ``train_test_split``
        gives ``X_train``, ``X_test``, ``Y_train``, ``Y_test``; flattening each image
        gives ``X_train_flatten`` and ``X_test_flatten``; the tutorial's numpy code then
        works on transposes, one column per image: ``x_train``, ``x_test``, ``y_train``,
        ``y_test``.

        Returns
        -------
        dict of str to tuple of int
            For the tutorial's task (zeros and ones, 64x64, 15 % test): ``X`` (410, 64, 64),
            ``Y`` (410, 1), ``X_train`` (348, 64, 64), ``X_train_flatten`` (348, 4096),
            ``x_train`` (4096, 348), ``y_train`` (1, 348), and so on.
        """
        height, width = self.image_shape
        n_train, n_test, n_pixels = self.n_train, self.n_test, self.n_features
        n_images = n_train + n_test
        return {
            "X": (n_images, height, width),
            "Y": (n_images, 1),
            "X_train": (n_train, height, width),
            "X_test": (n_test, height, width),
            "Y_train": (n_train, 1),
            "Y_test": (n_test, 1),
            "X_train_flatten": (n_train, n_pixels),
            "X_test_flatten": (n_test, n_pixels),
            "x_train": (n_pixels, n_train),
            "x_test": (n_pixels, n_test),
            "y_train": (1, n_train),
            "y_test": (1, n_test),
        }


def _make_read_only(*arrays):
    for array in arrays:
        array.flags.writeable = False


# Finding and loading ---------------------------------------------------------------


def load_dataset(
    path=None, *, download=True, cache_dir=None, progressbar=False, label_order=None
) -> Dataset:
    """Load the Sign Language Digits as 64x64 grayscale images.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A folder holding the data (see `find_dataset` for the accepted layouts).
        Defaults to the ``SIGNVIZ_DATA_DIR`` environment variable, then the verified
        download in the cache.
    download : bool, default True
        Download the dataset when no copy is found.
    cache_dir : str or os.PathLike, optional
        Folder for the download and the preprocessed arrays. Defaults to
        ``SIGNVIZ_CACHE_DIR``, else the user cache (``pooch.os_cache("signviz")``).
    progressbar : bool, default False
        Show a progress bar while downloading.
    label_order : {"kaggle", "digits"}, optional
        For Kaggle-style arrays: the digit of each column of ``Y.npy``, Kaggle's order
        (9, 0, 7, 6, 1, 8, 4, 3, 2, 5) or plain digit order. Defaults to the
        ``SIGNVIZ_LABEL_ORDER`` environment variable, else it is recognized from the
        number of images in each column (an error if that matches neither layout).

    Returns
    -------
    Dataset
        Images of shape (n_images, 64, 64) (2062 images for the public dataset), or
        scikit-learn's (1797, 8, 8) digits with ``is_fallback`` True and a ``message``
        when nothing was configured, nothing is cached and the download failed.

    Raises
    ------
    DatasetError
        If a folder was named but holds no readable dataset.

    Notes
    -----
    A folder of photos is hashed on every load and compared with the published dataset;
    a copy that differs is used, with a note in ``notices`` that says how it differs.
    Damaged or stale cached arrays are rebuilt, also with a note.
    """
    cache = _cache_folder(cache_dir)
    found = _find(path, cache)
    if found is None:
        if not download:
            return _fallback("downloading was turned off")
        try:
            found = (download_dataset(cache_dir=cache, progressbar=progressbar), "download")
        except DatasetError as error:
            return _fallback(str(error))
    folder, source = found
    if source == "kaggle":
        return _read_kaggle(folder, label_order)
    return _read_image_folder(folder, source, cache)


def find_dataset(path=None, *, cache_dir=None) -> Path | None:
    """Find the dataset's folder without downloading anything.

    Accepted layouts: a copy of the public repository (containing
    ``Dataset/<digit>/*.JPG``), the ``Dataset`` folder itself (containing digit folders
    ``0`` ... ``9`` of .jpg, .jpeg or .png images), or Kaggle's ``X.npy`` + ``Y.npy``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The folder to use. Defaults to the ``SIGNVIZ_DATA_DIR`` environment variable,
        then the verified download in the cache.
    cache_dir : str or os.PathLike, optional
        The cache folder (defaults as in `load_dataset`).

    Returns
    -------
    pathlib.Path or None
        The folder holding the digit folders (or ``X.npy``); None if no folder was
        named and nothing has been downloaded.

    Raises
    ------
    DatasetError
        If the named folder does not exist or holds no recognizable data.
    """
    found = _find(path, _cache_folder(cache_dir))
    return None if found is None else found[0]


def _find(path, cache: Path) -> tuple[Path, str] | None:
    """The data folder and its source ("folder", "kaggle" or "download"), or None."""
    if path is not None:
        return _recognize(Path(path), f"the folder {path}")
    if os.environ.get(DATA_DIR_VARIABLE):
        value = Path(os.environ[DATA_DIR_VARIABLE])
        # Only the folder's own name: an app's visitors need not see the server's paths.
        return _recognize(value, f"the folder …/{value.name} named by {DATA_DIR_VARIABLE}")
    downloaded = cache / _DOWNLOAD_FOLDER / "Dataset"
    return (downloaded, "download") if downloaded.is_dir() else None


def _recognize(folder: Path, origin: str) -> tuple[Path, str]:
    if not folder.is_dir():
        raise DatasetError(f"{origin} is not an existing folder; expected {_LAYOUTS}")
    for candidate in (folder, folder / "Dataset"):
        if (candidate / "X.npy").is_file() and (candidate / "Y.npy").is_file():
            return candidate, "kaggle"
        if any((candidate / str(digit)).is_dir() for digit in range(10)):
            return candidate, "folder"
    raise DatasetError(f"{origin} holds no Sign Language Digits data; expected {_LAYOUTS}")


def _cache_folder(cache_dir) -> Path:
    return Path(
        cache_dir or os.environ.get(CACHE_DIR_VARIABLE) or pooch.os_cache("signviz")
    ).absolute()


# Reading images --------------------------------------------------------------------


def preprocess_image(image: Image.Image, size=IMAGE_SIZE) -> np.ndarray:
    """Turn a photo into the tutorial's grayscale array.

    Luma grayscale (Pillow's mode ``"F"``), contrast stretched so the darkest pixel
    is 0 and the brightest 255 (a constant image becomes all zeros), bilinear resize,
    divided by 255.

    Parameters
    ----------
    image : PIL.Image.Image
        Any size and mode (RGB, grayscale, ...).
    size : tuple of int, default (64, 64)
        (height, width) of the result.

    Returns
    -------
    numpy.ndarray, shape (height, width), float32
        Pixel values in [0, 1].
    """
    if len(size) != 2 or not all(_is_integer(side) and side >= 1 for side in size):
        raise ValueError(f"size should be (height, width) in whole pixels, got {size!r}")
    gray = np.asarray(image.convert("F"), dtype=np.float32)
    low, high = gray.min(), gray.max()
    stretched = (gray - low) * 255 / (high - low) if high > low else np.zeros_like(gray)
    height, width = size
    resized = Image.fromarray(stretched, mode="F").resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.clip(np.asarray(resized, dtype=np.float32) / 255, 0, 1)


def _image_files(dataset_dir: Path) -> list[tuple[str, int, Path]]:
    """(name, digit, path) of each image: digit folders in order, files sorted by name."""
    if not any((dataset_dir / str(digit)).is_dir() for digit in range(10)):
        raise DatasetError("the data folder has none of the digit folders 0 ... 9")
    files = []
    for digit in range(10):
        folder = dataset_dir / str(digit)
        if folder.is_dir():
            files += [
                (f"{digit}/{file.name}", digit, file)
                for file in sorted(folder.iterdir(), key=lambda file: file.name)
                if _is_image_file(file)
            ]
    return files


def _is_image_file(path: Path) -> bool:
    return (
        path.suffix.lower() in _IMAGE_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def _read_image_folder(dataset_dir: Path, source: str, cache: Path) -> Dataset:
    """Read a folder of digit folders: verified against the published files, cached by content.

    Every load hashes the image files once (the fingerprint of `dataset_fingerprint`);
    a copy that differs from the published dataset is still used, with a notice that
    says how it differs. The preprocessed arrays are cached under that content hash, so
    a file rewritten with the same size and time cannot bring back stale arrays, and
    the cache file is checked before it is trusted (see `_read_processed`).
    """
    files = _image_files(dataset_dir)
    if not files:
        raise DatasetError("the digit folders hold no .jpg, .jpeg or .png images")
    fingerprint = _fingerprint(files)
    notices = []
    if fingerprint != DATASET_FINGERPRINT:
        notices.append(_describe_difference(files))
    digits = np.array([digit for _, digit, _ in files], dtype=np.int64)
    cached = _processed_file(dataset_dir, fingerprint, cache)
    images, problem = _read_processed(cached, digits, fingerprint)
    if images is None:
        images = np.stack([_read_image(name, path) for name, _, path in files])
        _write_processed(cached, images, digits, fingerprint)
        if problem is not None:
            notices.append(
                f"The cached arrays {cached.relative_to(cache)} were rebuilt from the images: "
                f"{problem}."
            )
    return Dataset(
        images=images,
        digits=digits,
        names=tuple(name for name, _, _ in files),
        source=source,
        location=str(dataset_dir),
        notices=tuple(notices),
    )


#: Images larger than this many pixels are refused before they are decoded (the
#: dataset's photos have 10,000; Pillow itself refuses above about 179 million).
MAX_IMAGE_PIXELS = 25_000_000


def _read_image(name: str, path: Path) -> np.ndarray:
    """Decode and preprocess one image; any failure names the file (relative to the folder)."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DatasetError(
                    f"the image {name} has {width}×{height} pixels, more than the "
                    f"{MAX_IMAGE_PIXELS:,} an image may have"
                )
            image.load()  # decode everything now, so a truncated file fails here
            return preprocess_image(image)
    except DatasetError:
        raise
    except Exception as error:  # a damaged file can fail in many ways inside Pillow
        reason = str(error).replace(str(path), name) or type(error).__name__
        raise DatasetError(f"cannot read the image {name}: {reason}") from error


def _fingerprint(files) -> str:
    """`dataset_fingerprint` of these files: one pass over their bytes."""
    fingerprint = hashlib.sha256()
    for name, _, path in sorted(files):
        fingerprint.update(name.encode())
        fingerprint.update(path.read_bytes())
    return fingerprint.hexdigest()


def published_files() -> dict[str, str]:
    """Name -> first 16 hexadecimal digits of the SHA-256 of each published image."""
    listing = Path(__file__).with_name("published_files.txt").read_text()
    return {
        name: digest
        for digest, name in (line.split(" ", 1) for line in listing.splitlines())
        if not digest.startswith("#")
    }


def compare_with_published(dataset_dir) -> dict[str, list[str]]:
    """How a ``Dataset`` folder differs from the published one, file by file.

    Parameters
    ----------
    dataset_dir : str or os.PathLike
        The folder holding the digit folders.

    Returns
    -------
    dict of str to list of str
        ``"missing"``, ``"extra"`` and ``"changed"``: sorted image names such as
        ``"0/IMG_1118.JPG"``; all empty for the published dataset.
    """
    return _compare(_image_files(Path(dataset_dir)))


def _compare(files) -> dict[str, list[str]]:
    published = published_files()
    present = {name: path for name, _, path in files}
    changed = [
        name
        for name in sorted(present.keys() & published.keys())
        if hashlib.sha256(present[name].read_bytes()).hexdigest()[:16] != published[name]
    ]
    return {
        "missing": sorted(published.keys() - present.keys()),
        "extra": sorted(present.keys() - published.keys()),
        "changed": changed,
    }


def _describe_difference(files) -> str:
    difference = _compare(files)
    parts = []
    for kind, names in difference.items():
        if names:
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            parts.append(f"{len(names)} {kind} ({shown})")
    what = "; ".join(parts) or "the same files, in another order"
    return (
        f"These {len(files)} images are not exactly the published Sign Language Digits "
        f"({sum(DIGIT_COUNTS)} images): {what}. They are used as they are, so the numbers "
        "will differ from the tutorial's."
    )


def _processed_file(dataset_dir: Path, fingerprint: str, cache: Path) -> Path:
    """Where the preprocessed arrays of this folder's content are cached.

    The name is ``<folder key>-<content key>.npz``; the content key depends on the
    images' bytes (their fingerprint), not on file sizes or times.
    """
    folder = str(dataset_dir.resolve())
    content = (_PREPROCESSING_VERSION, IMAGE_SIZE, fingerprint)
    return cache / "processed" / f"{_digest(folder)}-{_digest(content)}.npz"


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def _checksum(images: np.ndarray, digits: np.ndarray) -> str:
    """CRC-32 of both arrays' bytes: catches damaged or swapped arrays in a few milliseconds."""
    crc = zlib.crc32(np.ascontiguousarray(images))
    return f"{zlib.crc32(np.ascontiguousarray(digits), crc):08x}"


def _read_processed(
    path: Path, digits: np.ndarray, fingerprint: str
) -> tuple[np.ndarray | None, str | None]:
    """The cached images, or None and why they cannot be trusted (None if never cached).

    A cache file holds the images, their digits, the fingerprint of the files they were
    made from and a checksum of the arrays; it is used only if all of them agree with
    the folder and the images have the expected shape, type and range of values.
    """
    if not path.is_file():
        return None, None
    try:
        with np.load(path, allow_pickle=False) as arrays:
            stored = {key: arrays[key] for key in _CACHE_KEYS}
    except KeyError as error:
        return None, f"it lacks {error}"
    except Exception as error:  # any damage: truncated, not a zip, wrong format...
        return None, f"it could not be read ({type(error).__name__})"
    images = stored["images"]
    expected_shape = (len(digits), *IMAGE_SIZE)
    checks = [
        (images.shape == expected_shape, f"its images have shape {images.shape}, "
         f"expected {expected_shape}"),
        (images.dtype == np.float32, f"its images are {images.dtype}, expected float32"),
        (str(stored["source"]) == fingerprint, "it was made from other files"),
        (np.array_equal(stored["digits"], digits), "its digits do not match the folders"),
        (str(stored["checksum"]) == _checksum(images, stored["digits"]), "its checksum is wrong"),
        (bool(np.all((images >= 0) & (images <= 1))), "its pixel values are not all in [0, 1]"),
    ]  # fmt: skip
    for passed, problem in checks:
        if not passed:
            return None, problem
    return images, None


_CACHE_KEYS = ("images", "digits", "source", "checksum")


def _write_processed(path: Path, images: np.ndarray, digits: np.ndarray, fingerprint: str):
    """Save atomically and drop older versions for the same folder.

    The cache only saves time: if it cannot be written, the next load preprocesses again.
    """
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    images=images,
                    digits=digits,
                    source=np.array(fingerprint),
                    checksum=np.array(_checksum(images, digits)),
                )
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        folder_key = path.name.split("-")[0]
        for stale in path.parent.glob(f"{folder_key}-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)


LABEL_ORDERS = {"kaggle": KAGGLE_COLUMN_DIGITS, "digits": tuple(range(10))}
"""The digit of each one-hot column of ``Y.npy`` in the two known layouts."""
LABEL_ORDER_VARIABLE = "SIGNVIZ_LABEL_ORDER"
_COLUMN_COUNTS = {
    order: tuple(DIGIT_COUNTS[digit] for digit in digits) for order, digits in LABEL_ORDERS.items()
}


def _read_kaggle(folder: Path, label_order: str | None) -> Dataset:
    images, one_hot = _load_npy(folder, "X.npy"), _load_npy(folder, "Y.npy")
    if images.ndim != 3 or one_hot.shape != (len(images), 10):
        raise DatasetError(
            "X.npy should have shape (n_images, height, width) and Y.npy (n_images, 10); "
            f"found {images.shape} and {one_hot.shape}"
        )
    if len(images) == 0 or min(images.shape[1:]) < 1:
        raise DatasetError(f"X.npy holds no pixels: its shape is {images.shape}")
    for name, array in (("X.npy", images), ("Y.npy", one_hot)):
        if array.dtype.kind not in "biuf":
            raise DatasetError(f"{name} should hold real numbers, but holds {array.dtype}")
    check_memory(8 * images.size, f"reading X.npy of shape {images.shape}")
    images = np.asarray(images)
    if not np.all((images >= 0) & (images <= 1)):
        raise DatasetError("X.npy should hold pixel values between 0 and 1 (none NaN)")
    one_hot = np.asarray(one_hot)
    if not (np.all((one_hot == 0) | (one_hot == 1)) and np.all(one_hot.sum(axis=1) == 1)):
        raise DatasetError("Y.npy should hold exactly one 1 per row (one-hot)")
    column_digits = np.array(LABEL_ORDERS[_label_order(one_hot, label_order)], dtype=np.int64)
    return Dataset(
        images=np.ascontiguousarray(images, dtype=np.float32),
        digits=column_digits[one_hot.argmax(axis=1)],
        names=tuple(f"X.npy[{index}]" for index in range(len(images))),
        source="kaggle",
        location=str(folder),
    )


def _label_order(one_hot: np.ndarray, label_order: str | None) -> str:
    """The layout of Y.npy's columns: as stated, else recognized from the column counts."""
    if label_order is None:
        label_order = os.environ.get(LABEL_ORDER_VARIABLE) or None
    if label_order is not None:
        if label_order not in LABEL_ORDERS:
            raise DatasetError(
                f"the label order should be one of {', '.join(LABEL_ORDERS)}, got {label_order!r}"
            )
        return label_order
    counts = tuple(int(count) for count in one_hot.sum(axis=0))
    for order, expected in _COLUMN_COUNTS.items():
        if counts == expected:
            return order
    raise DatasetError(
        f"cannot tell which digit each column of Y.npy stands for: its columns hold "
        f"{counts} images, neither Kaggle's layout {_COLUMN_COUNTS['kaggle']} (digits "
        f"{', '.join(map(str, KAGGLE_COLUMN_DIGITS))}) nor plain digit order "
        f"{_COLUMN_COUNTS['digits']}. Say which with --label-order kaggle or "
        f"--label-order digits (for the app: {LABEL_ORDER_VARIABLE}=kaggle or digits)"
    )


def _load_npy(folder: Path, name: str) -> np.ndarray:
    """Open an .npy file without reading it yet (its header gives shape and type)."""
    try:
        return np.load(folder / name, mmap_mode="r", allow_pickle=False)
    except Exception as error:  # empty, truncated, pickled, not an .npy file...
        raise DatasetError(f"cannot read {name}: {type(error).__name__}: {error}") from error


def _fallback(reason: str) -> Dataset:
    from sklearn.datasets import load_digits  # only here: scikit-learn is slow to import

    bundled = load_digits()
    message = (
        f"The Sign Language Digits dataset was not found and could not be downloaded "
        f"({reason}). Showing scikit-learn's 8x8 handwritten digits instead, so the "
        f"numbers will differ from the tutorial's. To use the real photos, run "
        f"`python -m signviz download`, or download the dataset yourself and set "
        f"{DATA_DIR_VARIABLE} to its folder."
    )
    return Dataset(
        images=(bundled.images / 16).astype(np.float32),
        digits=bundled.target.astype(np.int64),
        names=tuple(f"digits[{index}]" for index in range(len(bundled.target))),
        source="fallback",
        location=None,
        message=message,
    )


# Downloading and verifying ---------------------------------------------------------


def download_dataset(
    *,
    cache_dir=None,
    url=None,
    expected_fingerprint=DATASET_FINGERPRINT,
    expected_counts=DIGIT_COUNTS,
    progressbar=True,
    timeout=30,
) -> Path:
    """Download the public repository's archive, verify it and keep it in the cache.

    The archive is extracted beside the cache's other files into a temporary folder,
    verified with `verify_dataset`, and only then renamed to
    ``<cache>/Sign-Language-Digits-Dataset-<commit>``. The archive itself is deleted.
    On any failure nothing is left behind.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Defaults to ``SIGNVIZ_CACHE_DIR``, else the user cache.
    url : str, optional
        Defaults to ``SIGNVIZ_DATASET_URL``, else `DATASET_URL`.
    expected_fingerprint : str
        See `dataset_fingerprint`.
    expected_counts : tuple of int, length 10
        Expected number of images of each digit 0..9.
    progressbar : bool, default True
    timeout : float, default 30
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        The verified ``Dataset`` folder (containing the digit folders).

    Raises
    ------
    DatasetError
        If the download fails, the archive is corrupted or truncated, or its content
        does not match the expected counts or fingerprint.
    """
    cache = _cache_folder(cache_dir)
    url = url or os.environ.get(URL_VARIABLE) or DATASET_URL
    archive = cache / f"{_DOWNLOAD_FOLDER}.zip"
    destination = cache / _DOWNLOAD_FOLDER
    try:
        _fetch(url, archive, progressbar, timeout)
        with tempfile.TemporaryDirectory(prefix="extracting-", dir=cache) as temporary:
            root = _extract(archive, Path(temporary))
            verify_dataset(
                root / "Dataset",
                expected_fingerprint=expected_fingerprint,
                expected_counts=expected_counts,
            )
            shutil.rmtree(destination, ignore_errors=True)
            root.rename(destination)
    except OSError as error:  # a read-only cache, a file in its place, a full disk...
        raise DatasetError(
            f"the cache folder cannot hold the download ({error.strerror or error}); set "
            f"{CACHE_DIR_VARIABLE} to a writable folder"
        ) from error
    finally:
        # Never let this clean-up hide the error above (a read-only cache fails here too).
        with contextlib.suppress(OSError):
            archive.unlink(missing_ok=True)
    return destination / "Dataset"


def _fetch(url: str, archive: Path, progressbar: bool, timeout: float):
    downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=timeout)
    # pooch would suggest pinning the archive's hash; the content is verified instead.
    pooch.get_logger().setLevel("WARNING")
    try:
        pooch.retrieve(
            url, known_hash=None, fname=archive.name, path=archive.parent, downloader=downloader
        )
    except OSError as error:  # requests' errors are OSErrors too
        raise DatasetError(f"could not download {url}: {error}") from error


def _extract(archive: Path, destination: Path) -> Path:
    """Unzip; return the archive's top folder, the one containing ``Dataset``."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(destination)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DatasetError(f"the archive is corrupted or truncated ({error})") from error
    roots = [folder.parent for folder in destination.glob("*/Dataset") if folder.is_dir()]
    if len(roots) != 1:
        raise DatasetError("the archive does not hold one top folder with a Dataset folder")
    return roots[0]


def dataset_fingerprint(dataset_dir) -> str:
    """SHA-256 of the dataset's image files and their names.

    The image paths relative to the folder, with forward slashes (``0/IMG_1118.JPG``),
    are sorted as strings; for each in turn its UTF-8 bytes and then the file's bytes
    are fed into one SHA-256.

    Parameters
    ----------
    dataset_dir : str or os.PathLike
        The ``Dataset`` folder, containing the digit folders.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    dataset_dir = Path(dataset_dir)
    paths = {name: path for name, _, path in _image_files(dataset_dir)}
    fingerprint = hashlib.sha256()
    for name in sorted(paths):
        fingerprint.update(name.encode())
        fingerprint.update(paths[name].read_bytes())
    return fingerprint.hexdigest()


def verify_dataset(
    dataset_dir, *, expected_fingerprint=DATASET_FINGERPRINT, expected_counts=DIGIT_COUNTS
) -> None:
    """Check that a ``Dataset`` folder is exactly the published one.

    Parameters
    ----------
    dataset_dir : str or os.PathLike
        The ``Dataset`` folder, containing the digit folders.
    expected_fingerprint : str
        See `dataset_fingerprint`.
    expected_counts : tuple of int, length 10
        Expected number of images of each digit 0..9.

    Raises
    ------
    DatasetError
        Naming each digit with the wrong number of images, or giving the expected and
        actual fingerprints.
    """
    if len(expected_counts) != 10:
        raise ValueError(f"expected_counts needs 10 numbers, one per digit: {expected_counts}")
    dataset_dir = Path(dataset_dir)
    digits = [digit for _, digit, _ in _image_files(dataset_dir)]
    counts = np.bincount(np.array(digits, dtype=np.int64), minlength=10)
    wrong = [
        f"digit {digit} has {actual} images instead of {expected}"
        for digit, (actual, expected) in enumerate(zip(counts, expected_counts, strict=True))
        if actual != expected
    ]
    if wrong:
        raise DatasetError(
            f"{dataset_dir} holds {len(digits)} images instead of {sum(expected_counts)}: "
            + "; ".join(wrong)
        )
    fingerprint = dataset_fingerprint(dataset_dir)
    if fingerprint != expected_fingerprint:
        raise DatasetError(
            f"the images in {dataset_dir} differ from the published ones: their fingerprint "
            f"is {fingerprint}, expected {expected_fingerprint}"
        )


# Two-digit tasks -------------------------------------------------------------------


def make_task(
    dataset: Dataset,
    digits=(0, 1),
    *,
    test_size=0.15,
    random_state=42,
    max_per_digit=205,
    dtype=np.float64,
) -> Task:
    """Pick two digits and split their images into training and test sets.

    Takes up to ``max_per_digit`` images of each digit in dataset order, those of the
    first digit (label 0) before those of the second (label 1), then splits them as
    the tutorial's ``train_test_split(test_size=test_size, random_state=random_state)``
    does (not stratified; see `shuffle_split`). With the real data and digits (0, 1):
    205 + 205 images, 348 for training and 62 for testing, 4096 features each.

    Parameters
    ----------
    dataset : Dataset
    digits : tuple of int, default (0, 1)
        Two different digits 0-9: (label 0, label 1).
    test_size : float, default 0.15
        Fraction of the images kept for testing, between 0 and 1.
    random_state : int, default 42
        Seed of the split: the same seed gives the same split.
    max_per_digit : int, default 205
        At most this many images of each digit.
    dtype : numpy.float64 or numpy.float32, default float64
        Of the features. The models compute in their input's precision: float32 halves
        the memory and speeds training up, with the same results to the tutorial's
        digits (the app uses it); float64 suits checks against finite differences.

    Returns
    -------
    Task
        ``x_train`` has shape (n_train, height * width) and ``y_train`` (n_train,).

    Raises
    ------
    ValueError
        For digits that are not two different whole numbers 0-9, a test_size outside
        (0, 1), a max_per_digit below 1, too few images to split, or a split that
        leaves fewer than `MIN_TRAINING_IMAGES_PER_DIGIT` training images of a digit.
    """
    first, second = _check_digits(digits)
    _check_split_arguments(test_size, random_state, max_per_digit)
    if dtype not in (np.float32, np.float64, "float32", "float64"):
        raise ValueError(f"dtype should be float32 or float64, got {dtype!r}")
    chosen = [_images_of(dataset, digit, max_per_digit) for digit in (first, second)]
    indices = np.concatenate(chosen)
    labels = np.repeat(np.array([0, 1], dtype=np.int64), [len(part) for part in chosen])
    if math.ceil(test_size * len(indices)) >= len(indices):
        raise ValueError(
            f"test_size={test_size} would keep all {len(indices)} images for testing and "
            "none for training; choose a smaller test_size"
        )
    train, test = shuffle_split(len(indices), test_size, random_state)
    _check_training_labels(labels[train], (first, second), test_size, random_state)
    images = dataset.images[indices]
    features = images.reshape(len(indices), -1).astype(dtype)
    names = [dataset.names[index] for index in indices]
    return Task(
        digits=(first, second),
        x_train=features[train],
        y_train=labels[train],
        x_test=features[test],
        y_test=labels[test],
        images_train=images[train],
        images_test=images[test],
        names_train=tuple(names[index] for index in train),
        names_test=tuple(names[index] for index in test),
        test_size=test_size,
        random_state=random_state,
        source=dataset.source,
    )


def shuffle_split(n_samples: int, test_size: float, random_state: int):
    """Training and test indices, exactly as scikit-learn's ``train_test_split`` picks them.

    ``ceil(test_size * n_samples)`` samples go to the test set: the first ones of a
    permutation drawn by ``numpy.random.RandomState(random_state)``; the rest, in that
    order, to the training set. (Written here so that building a task does not import
    scikit-learn, which takes a second; a test checks it against scikit-learn.)

    Returns
    -------
    train, test : arrays of int
    """
    n_test = math.ceil(test_size * n_samples)
    permutation = np.random.RandomState(random_state).permutation(n_samples)
    return permutation[n_test:], permutation[:n_test]


MIN_TRAINING_IMAGES_PER_DIGIT = 2
"""A task whose training set has fewer images of either digit is refused."""


def _check_training_labels(labels: np.ndarray, digits, test_size, random_state) -> None:
    counts = np.bincount(labels, minlength=2)
    for label, (digit, count) in enumerate(zip(digits, counts, strict=True)):
        if count < MIN_TRAINING_IMAGES_PER_DIGIT:
            raise ValueError(
                f"with test_size={test_size} and seed {random_state} the training set holds "
                f"{count} image{'s' if count != 1 else ''} of digit {digit} (label {label}); "
                f"a model needs at least {MIN_TRAINING_IMAGES_PER_DIGIT} of each digit to "
                "learn from: choose a smaller test_size or another seed"
            )


def _check_digits(digits) -> tuple[int, int]:
    try:
        first, second = digits
    except (TypeError, ValueError):
        raise ValueError(f"digits should be a pair such as (0, 1), got {digits!r}") from None
    for digit in (first, second):
        if not (_is_integer(digit) and 0 <= digit <= 9):
            raise ValueError(f"each digit should be a whole number from 0 to 9, got {digit!r}")
    if first == second:
        raise ValueError(f"the two digits should differ, got {first} twice")
    return int(first), int(second)


def _check_split_arguments(test_size, random_state, max_per_digit):
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise ValueError(f"test_size should be a fraction such as 0.15, got {test_size!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size should be between 0 and 1 (exclusive), got {test_size}")
    if not (_is_integer(random_state) and random_state >= 0):
        raise ValueError(f"random_state should be a whole number such as 42, got {random_state!r}")
    if not (_is_integer(max_per_digit) and max_per_digit >= 1):
        raise ValueError(
            f"max_per_digit should be a whole number of at least 1, got {max_per_digit!r}"
        )


def _images_of(dataset: Dataset, digit: int, max_per_digit: int) -> np.ndarray:
    """Indices of the first ``max_per_digit`` images of ``digit``, in dataset order."""
    available = np.flatnonzero(dataset.digits == digit)
    chosen = available[:max_per_digit]
    if len(chosen) < _MIN_IMAGES_PER_DIGIT:
        limit = f" (max_per_digit={max_per_digit})" if len(chosen) < len(available) else ""
        raise ValueError(
            f"only {len(chosen)} images of digit {digit} can be used{limit}; a task needs "
            f"at least {_MIN_IMAGES_PER_DIGIT} of each digit"
        )
    return chosen


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
