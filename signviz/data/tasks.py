"""Tasks: two digits of a `Dataset` split as the tutorial does, or all ten digits.

`make_task` returns a `Task`: training and test features, labels and images, all
read-only. `shuffle_split` reproduces scikit-learn's ``train_test_split`` without
importing scikit-learn; the ten-digit task uses a stratified split instead.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from signviz.data.dataset import Dataset, make_read_only
from signviz.validation import is_whole_number

_MIN_IMAGES_PER_DIGIT = 5

#: What ``make_task(digits=ALL_DIGITS)`` takes for the ten-class task.
ALL_DIGITS = "all"
TEN_DIGITS = tuple(range(10))


@dataclass(frozen=True)
class Task:
    """Digits to tell apart, split into training and test sets.

    Two digits: the first gets label 0 and the second label 1. All ten digits: each
    image's label is its digit, 0-9. Features are flattened images
    with one row per sample (scikit-learn's orientation); the tutorial's numpy code
    works on the transpose, ``x_train.T`` of shape (n_features, n_train).

    Attributes
    ----------
    digits : tuple of int
        (first, second), or the ten digits (0, 1, ..., 9).
    x_train : numpy.ndarray, shape (n_train, n_features), float64 (or float32)
    y_train : numpy.ndarray, shape (n_train,), int64
        Labels 0 (first digit) or 1 (second digit); with ten digits, the digit.
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

    digits: tuple[int, ...]
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
        make_read_only(
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
    def n_classes(self) -> int:
        """Number of classes: 2 for a pair of digits, 10 for all ten."""
        return len(self.digits)

    @property
    def label_names(self) -> tuple[str, ...]:
        """What each label stands for, e.g. ``("3", "8")``; ``("0", ..., "9")`` for ten."""
        return tuple(str(digit) for digit in self.digits)

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


def make_task(
    dataset: Dataset,
    digits=(0, 1),
    *,
    test_size=0.15,
    random_state=42,
    max_per_digit=205,
    dtype=np.float64,
) -> Task:
    """Pick two digits (or all ten) and split their images into training and test sets.

    Takes up to ``max_per_digit`` images of each digit in dataset order, those of the
    first digit (label 0) before those of the second (label 1), then splits them as
    the tutorial's ``train_test_split(test_size=test_size, random_state=random_state)``
    does (not stratified; see `shuffle_split`). With the real data and digits (0, 1):
    205 + 205 images, 348 for training and 62 for testing, 4096 features each.

    With ``digits="all"`` the task has ten classes and each label is the digit itself.
    The same cap applies to every digit, and the split is stratified (scikit-learn's
    ``train_test_split(..., stratify=labels)``): each digit's share of the training
    and test sets is its share of the task, within one image; the same seed gives the
    same split. With the real data: 2049 images (digit 9 has only 204), 1741 for
    training and 308 for testing.

    Parameters
    ----------
    dataset : Dataset
    digits : tuple of int or "all", default (0, 1)
        Two different digits 0-9: (label 0, label 1). Or ``"all"`` for the ten-class
        task; the ten digits 0-9 in any order mean the same (each label is its digit,
        so their order does not matter, and ``Task.digits`` lists them sorted).
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
        For digits that are neither two different whole numbers 0-9 nor "all" (or the
        ten digits), a test_size outside
        (0, 1), a max_per_digit below 1, too few images to split, or a split that
        leaves fewer than `MIN_TRAINING_IMAGES_PER_DIGIT` training images of a digit.
    """
    digits = _check_digits(digits)
    _check_split_arguments(test_size, random_state, max_per_digit)
    if dtype not in (np.float32, np.float64, "float32", "float64"):
        raise ValueError(f"dtype should be float32 or float64, got {dtype!r}")
    chosen = [_images_of(dataset, digit, max_per_digit) for digit in digits]
    indices = np.concatenate(chosen)
    classes = np.arange(len(digits), dtype=np.int64)  # with ten digits, the digits themselves
    labels = np.repeat(classes, [len(part) for part in chosen])
    if math.ceil(test_size * len(indices)) >= len(indices):
        raise ValueError(
            f"test_size={test_size} would keep all {len(indices)} images for testing and "
            "none for training; choose a smaller test_size"
        )
    if len(digits) == 2:
        train, test = shuffle_split(len(indices), test_size, random_state)
    else:
        train, test = stratified_split(labels, test_size, random_state)
    _check_training_labels(labels[train], digits, test_size, random_state)
    images = dataset.images[indices]
    features = images.reshape(len(indices), -1).astype(dtype)
    names = [dataset.names[index] for index in indices]
    return Task(
        digits=digits,
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


def stratified_split(labels: np.ndarray, test_size: float, random_state: int):
    """Training and test indices that keep each label's share, as scikit-learn splits them.

    ``train_test_split(..., test_size=test_size, random_state=random_state,
    stratify=labels)`` on the indices: ``ceil(test_size * n_samples)`` go to the test
    set, and each label's count in either set is within one image of its proportional
    share. Imports scikit-learn (about a second, the first time).

    Parameters
    ----------
    labels : array of int, shape (n_samples,)

    Returns
    -------
    train, test : arrays of int
        Indices into ``labels``.
    """
    from sklearn.model_selection import train_test_split

    try:
        train, test = train_test_split(
            np.arange(len(labels)),
            test_size=test_size,
            random_state=random_state,
            stratify=labels,
        )
    except ValueError as error:  # too few images of a digit to put one on each side
        raise ValueError(
            f"cannot split with test_size={test_size} keeping every digit on both sides "
            f"({error}); choose another test_size"
        ) from None
    return train, test


MIN_TRAINING_IMAGES_PER_DIGIT = 2
"""A task whose training set has fewer images of either digit is refused."""


def _check_training_labels(labels: np.ndarray, digits, test_size, random_state) -> None:
    counts = np.bincount(labels, minlength=len(digits))
    for label, (digit, count) in enumerate(zip(digits, counts, strict=True)):
        if count < MIN_TRAINING_IMAGES_PER_DIGIT:
            raise ValueError(
                f"with test_size={test_size} and seed {random_state} the training set holds "
                f"{count} image{'s' if count != 1 else ''} of digit {digit} (label {label}); "
                f"a model needs at least {MIN_TRAINING_IMAGES_PER_DIGIT} of each digit to "
                "learn from: choose a smaller test_size or another seed"
            )


def _check_digits(digits) -> tuple[int, ...]:
    if isinstance(digits, str):
        if digits != ALL_DIGITS:
            raise ValueError(f'digits should be a pair such as (0, 1) or "all", got {digits!r}')
        return TEN_DIGITS
    if _is_all_ten(digits):
        return TEN_DIGITS
    try:
        first, second = digits
    except (TypeError, ValueError):
        raise ValueError(f"digits should be a pair such as (0, 1), got {digits!r}") from None
    for digit in (first, second):
        if not (is_whole_number(digit) and 0 <= digit <= 9):
            raise ValueError(f"each digit should be a whole number from 0 to 9, got {digit!r}")
    if first == second:
        raise ValueError(f"the two digits should differ, got {first} twice")
    return int(first), int(second)


def _is_all_ten(digits) -> bool:
    try:
        values = list(digits)
    except TypeError:
        return False
    return (
        len(values) == 10
        and all(is_whole_number(value) for value in values)
        and (sorted(int(value) for value in values) == list(TEN_DIGITS))
    )


def _check_split_arguments(test_size, random_state, max_per_digit):
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise ValueError(f"test_size should be a fraction such as 0.15, got {test_size!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size should be between 0 and 1 (exclusive), got {test_size}")
    if not (is_whole_number(random_state) and random_state >= 0):
        raise ValueError(f"random_state should be a whole number such as 42, got {random_state!r}")
    if not (is_whole_number(max_per_digit) and max_per_digit >= 1):
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
