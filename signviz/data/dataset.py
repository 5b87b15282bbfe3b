"""The two kinds of data every other module passes around: `Dataset` and `DatasetError`.

A `Dataset` is what `signviz.data.load_dataset` returns: every image of the Sign Language
Digits (or of the 8x8 fallback) with its digit and where it came from.
"""

from dataclasses import dataclass

import numpy as np

DIGIT_COUNTS = (205, 206, 206, 206, 207, 207, 207, 206, 208, 204)
"""Number of images of each digit 0..9 in the public dataset (2062 in all)."""


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
        make_read_only(self.images, self.digits)

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


def make_read_only(*arrays: np.ndarray) -> None:
    """Mark arrays read-only, so that one copy can be shared between pages and models.

    Parameters
    ----------
    *arrays : numpy.ndarray
        Any shapes; changed in place.
    """
    for array in arrays:
        array.flags.writeable = False
