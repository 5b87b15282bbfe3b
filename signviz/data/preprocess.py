"""Photos (or Kaggle's arrays) to the tutorial's 64x64 grayscale arrays, with a cache.

`preprocess_image` turns one photo into an array. `read_image_folder` reads a folder of
digit folders, compares it with the published dataset (`signviz.data.verify`) and keeps
the arrays in a ``.npz`` file keyed by the images' content, checked before each use.
`read_kaggle` reads Kaggle's ``X.npy`` + ``Y.npy``, whose columns come in one of two
digit orders.
"""

import contextlib
import hashlib
import os
import tempfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from signviz.data import verify
from signviz.data.dataset import DIGIT_COUNTS, Dataset, DatasetError
from signviz.resources import check_memory
from signviz.validation import is_whole_number

IMAGE_SIZE = (64, 64)
"""(height, width) of the preprocessed images, as in the tutorial."""
KAGGLE_COLUMN_DIGITS = (9, 0, 7, 6, 1, 8, 4, 3, 2, 5)
"""The digit of each one-hot column of Kaggle's ``Y.npy``."""
PREPROCESSING_VERSION = 1
"""Bumped when `preprocess_image` changes, so that cached arrays are rebuilt."""


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
    if len(size) != 2 or not all(is_whole_number(side) and side >= 1 for side in size):
        raise ValueError(f"size should be (height, width) in whole pixels, got {size!r}")
    gray = np.asarray(image.convert("F"), dtype=np.float32)
    low, high = gray.min(), gray.max()
    stretched = (gray - low) * 255 / (high - low) if high > low else np.zeros_like(gray)
    height, width = size
    resized = Image.fromarray(stretched, mode="F").resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.clip(np.asarray(resized, dtype=np.float32) / 255, 0, 1)


def read_image_folder(dataset_dir: Path, source: str, cache: Path) -> Dataset:
    """Read a folder of digit folders: verified against the published files, cached by content.

    Every load hashes the image files once (the fingerprint of `dataset_fingerprint`);
    a copy that differs from the published dataset is still used, with a notice that
    says how it differs. The preprocessed arrays are cached under that content hash, so
    a file rewritten with the same size and time cannot bring back stale arrays, and
    the cache file is checked before it is trusted (see `_read_processed`).

    Parameters
    ----------
    dataset_dir : pathlib.Path
        The folder holding the digit folders.
    source : str
        ``"folder"`` or ``"download"``, recorded in the `Dataset`.
    cache : pathlib.Path
        The cache folder; the arrays go to its ``processed`` folder.

    Returns
    -------
    Dataset
        Images of shape (n_images, 64, 64), with ``notices`` saying how the copy differs
        from the published one or that a damaged cache was rebuilt.

    Raises
    ------
    DatasetError
        If the folder holds no images or an image cannot be read.
    """
    files = verify.image_files(dataset_dir)
    if not files:
        raise DatasetError("the digit folders hold no .jpg, .jpeg or .png images")
    fingerprint = verify.fingerprint_files(files)
    notices = []
    if fingerprint != verify.DATASET_FINGERPRINT:
        notices.append(verify.describe_difference(files))
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


def _processed_file(dataset_dir: Path, fingerprint: str, cache: Path) -> Path:
    """Where the preprocessed arrays of this folder's content are cached.

    The name is ``<folder key>-<content key>.npz``; the content key depends on the
    images' bytes (their fingerprint), not on file sizes or times.
    """
    folder = str(dataset_dir.resolve())
    content = (PREPROCESSING_VERSION, IMAGE_SIZE, fingerprint)
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


def read_kaggle(folder: Path, label_order: str | None) -> Dataset:
    """Read Kaggle's ``X.npy`` (images) and ``Y.npy`` (one-hot digits).

    Parameters
    ----------
    folder : pathlib.Path
        The folder holding both files.
    label_order : {"kaggle", "digits"} or None
        The digit of each column of ``Y.npy`` (see `LABEL_ORDERS`); None reads
        ``SIGNVIZ_LABEL_ORDER``, else recognizes the order from the column counts.

    Returns
    -------
    Dataset
        Images of shape (n_images, height, width), float32.

    Raises
    ------
    DatasetError
        For files that cannot be read or hold the wrong shapes, types or values.
    """
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
