"""Is a copy of the dataset the published one? Fingerprints, file lists and checks.

`dataset_fingerprint` hashes a folder of photos; `verify_dataset` checks a download
against the published fingerprint and image counts; `compare_with_published` names the
files that are missing, extra or changed, using the list shipped beside this module
(``published_files.txt``: the first 16 hexadecimal digits of each image's SHA-256).
"""

import hashlib
from pathlib import Path

import numpy as np

from signviz.data.dataset import DIGIT_COUNTS, DatasetError

DATASET_FINGERPRINT = "dce3b97b234afb06dbdea67778d0e1ad5ead785e377633e727f9085b0281391f"
"""`dataset_fingerprint` of the published dataset's ``Dataset`` folder."""

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def image_files(dataset_dir: Path) -> list[tuple[str, int, Path]]:
    """The image files of a folder of digit folders, in the order they are read.

    Parameters
    ----------
    dataset_dir : pathlib.Path
        The folder holding the digit folders ``0`` ... ``9`` (some may be missing).

    Returns
    -------
    list of (str, int, pathlib.Path)
        ``(name, digit, path)`` of each .jpg, .jpeg or .png file, e.g.
        ``("0/IMG_1118.JPG", 0, path)``: digit folders in order, files sorted by name.

    Raises
    ------
    DatasetError
        If the folder has none of the digit folders.
    """
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


def fingerprint_files(files) -> str:
    """`dataset_fingerprint` of files listed by `image_files`: one pass over their bytes.

    Parameters
    ----------
    files : list of (str, int, pathlib.Path)
        As returned by `image_files`.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
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
    return _compare(image_files(Path(dataset_dir)))


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


def describe_difference(files) -> str:
    """A sentence for the learner on how these files differ from the published dataset.

    Parameters
    ----------
    files : list of (str, int, pathlib.Path)
        As returned by `image_files`.

    Returns
    -------
    str
        How many images are missing, extra or changed, naming the first three of each.
    """
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
    return fingerprint_files(image_files(Path(dataset_dir)))


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
    digits = [digit for _, digit, _ in image_files(dataset_dir)]
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
