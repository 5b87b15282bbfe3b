"""A learner's own photo: read it safely, crop it square, preprocess it like the dataset.

`read_photo` turns uploaded bytes into a decoded Pillow image, or raises `PhotoError`
with a sentence for the learner (not an image, not JPEG/PNG, truncated, too many
pixels: the dataset loader's `signviz.data.MAX_IMAGE_PIXELS`). Nothing touches the
disk. `crop_box` picks the square to keep; `prepare` crops and calls the dataset's
own `signviz.data.preprocess_image`. `Familiarity` says how far the result lies from
the training images, so a page can say honestly when a photo looks like none of them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from signviz import data

#: Formats accepted (Pillow's names).
FORMATS = ("JPEG", "PNG")
#: File suffixes the upload widget offers.
SUFFIXES = ("jpg", "jpeg", "png")
#: The largest photo file read, in bytes (the app's upload limit is the same).
MAX_FILE_BYTES = 10 * 2**20
#: A photo counts as far from the dataset when its nearest training image is farther
#: than this fraction of training images are from their own nearest neighbour.
FAMILIAR_QUANTILE = 0.95


class PhotoError(ValueError):
    """An upload that is not a usable JPEG or PNG photo; the message says why."""


def read_photo(raw: bytes) -> Image.Image:
    """Decode a JPEG or PNG photo held in memory, turned upright by its EXIF tag.

    Parameters
    ----------
    raw : bytes
        The file's content.

    Returns
    -------
    PIL.Image.Image
        Fully decoded.

    Raises
    ------
    PhotoError
        Not an image, another format, more than `signviz.data.MAX_IMAGE_PIXELS`
        pixels (checked before decoding), or a damaged or truncated file.
    """
    if not raw:
        raise PhotoError("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoError(_too_many_pixels("The image")) from None
    except UnidentifiedImageError:
        raise PhotoError("This file is not an image that can be read (JPEG or PNG).") from None
    except Exception as error:  # Pillow raises many kinds for a damaged header
        raise PhotoError(f"This file is not a readable image ({type(error).__name__}).") from None
    if image.format not in FORMATS:
        raise PhotoError(f"This is a {image.format} image; only JPEG and PNG photos are accepted.")
    width, height = image.size
    if width * height > data.MAX_IMAGE_PIXELS:
        raise PhotoError(_too_many_pixels(f"The image has {width}×{height} pixels and"))
    try:
        image.load()
        return ImageOps.exif_transpose(image)
    except Exception:  # a truncated or corrupt file fails while decoding
        raise PhotoError(
            "The image is damaged or truncated: it could not be decoded to the end."
        ) from None


def _too_many_pixels(subject: str) -> str:
    return (
        f"{subject} is larger than the {data.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels a photo "
        "may have (a file that small but that large is a decompression bomb). Send a "
        "smaller photo."
    )


def crop_box(size: tuple[int, int], side: float = 1.0, x: float = 0.5, y: float = 0.5):
    """The square to keep of an image of ``size`` (width, height), as a Pillow box.

    Parameters
    ----------
    size : (width, height)
    side : float in (0, 1]
        The square's side as a fraction of the image's shorter side.
    x, y : float in [0, 1]
        Where the square's centre lies, as a fraction of the room it can move in
        (0: left or top edge, 1: right or bottom edge).

    Returns
    -------
    tuple of int
        (left, top, right, bottom), a square inside the image.
    """
    width, height = size
    if not 0 < side <= 1 or not 0 <= x <= 1 or not 0 <= y <= 1:
        raise ValueError(f"side must be in (0, 1] and x, y in [0, 1], got {side}, {x}, {y}")
    length = max(1, round(side * min(width, height)))
    left = round(x * (width - length))
    top = round(y * (height - length))
    return left, top, left + length, top + length


def prepare(image: Image.Image, box, shape=data.IMAGE_SIZE) -> np.ndarray:
    """Crop ``image`` to ``box`` and preprocess it exactly as the dataset's photos.

    Returns
    -------
    numpy.ndarray, shape (height, width), float32
        Pixel values in [0, 1] (see `signviz.data.preprocess_image`).
    """
    return data.preprocess_image(image.crop(box), size=tuple(shape))


@dataclass(frozen=True)
class Familiarity:
    """How close a photo lies to the training images, in pixel space.

    Attributes
    ----------
    distance : float
        Euclidean distance from the photo to its nearest training image.
    typical : float
        The median distance from a training image to its nearest other training image.
    threshold : float
        The `FAMILIAR_QUANTILE` quantile of those nearest-neighbour distances: only 5 %
        of the training images lie farther than this from every other one.
    """

    distance: float
    typical: float
    threshold: float

    @property
    def is_far(self) -> bool:
        """True when the photo is farther from every training image than the threshold."""
        return self.distance > self.threshold


def nearest_distances(x_train: np.ndarray) -> np.ndarray:
    """Each training image's distance to its nearest other training image.

    Parameters
    ----------
    x_train : array of shape (n_train, n_features)

    Returns
    -------
    numpy.ndarray, shape (n_train,)
    """
    X = np.asarray(x_train, dtype=np.float64)
    squared = (X * X).sum(axis=1)
    distances = squared[:, None] + squared[None, :] - 2 * X @ X.T
    np.fill_diagonal(distances, np.inf)
    return np.sqrt(np.maximum(distances.min(axis=1), 0))


def familiarity(x: np.ndarray, x_train: np.ndarray, train_nearest=None) -> Familiarity:
    """How far the flattened photo ``x`` (``(n_features,)``) lies from ``x_train``.

    ``train_nearest`` is `nearest_distances(x_train)` if already computed.
    """
    if train_nearest is None:
        train_nearest = nearest_distances(x_train)
    X = np.asarray(x_train, dtype=np.float64)
    distance = float(np.sqrt(((X - np.asarray(x, dtype=np.float64)) ** 2).sum(axis=1)).min())
    return Familiarity(
        distance=distance,
        typical=float(np.median(train_nearest)),
        threshold=float(np.quantile(train_nearest, FAMILIAR_QUANTILE, method="higher")),
    )
