"""Find the dataset, download it when no copy is found, and load it.

Where the images come from, in order:

1. a folder the learner names (the ``path`` argument, else the ``SIGNVIZ_DATA_DIR``
   environment variable): a copy of the public repository, its ``Dataset`` folder, or
   Kaggle's ``X.npy`` + ``Y.npy``;
2. the verified download in the cache folder (``SIGNVIZ_CACHE_DIR``, else the user
   cache);
3. a fresh download of the public repository, checked against a fingerprint;
4. scikit-learn's small 8x8 handwritten digits, with a message saying why.
"""

import contextlib
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pooch

from signviz.data.dataset import DIGIT_COUNTS, Dataset, DatasetError
from signviz.data.preprocess import read_image_folder, read_kaggle
from signviz.data.verify import DATASET_FINGERPRINT, verify_dataset

DATASET_COMMIT = "4b09433ef9d5c60602e8805bb54b8aa2428527f8"
DATASET_URL = (
    f"https://github.com/ardamavi/Sign-Language-Digits-Dataset/archive/{DATASET_COMMIT}.zip"
)
DATA_DIR_VARIABLE = "SIGNVIZ_DATA_DIR"
CACHE_DIR_VARIABLE = "SIGNVIZ_CACHE_DIR"
URL_VARIABLE = "SIGNVIZ_DATASET_URL"

_DOWNLOAD_FOLDER = f"Sign-Language-Digits-Dataset-{DATASET_COMMIT}"
_LAYOUTS = (
    "a copy of the public repository (with image folders Dataset/0 ... Dataset/9), "
    "its Dataset folder (with image folders 0 ... 9), or Kaggle's X.npy and Y.npy"
)


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
            return fallback_dataset("downloading was turned off")
        try:
            found = (download_dataset(cache_dir=cache, progressbar=progressbar), "download")
        except DatasetError as error:
            return fallback_dataset(str(error))
    folder, source = found
    if source == "kaggle":
        return read_kaggle(folder, label_order)
    return read_image_folder(folder, source, cache)


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


def fallback_dataset(reason: str) -> Dataset:
    """Scikit-learn's 8x8 handwritten digits, standing in for the missing photos.

    Parameters
    ----------
    reason : str
        Why the real dataset is missing; quoted in the message.

    Returns
    -------
    Dataset
        1797 images of shape (8, 8) with ``source="fallback"`` and a ``message`` that
        says how to get the real photos.
    """
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
