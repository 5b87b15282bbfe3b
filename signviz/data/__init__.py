"""The Sign Language Digits: find, download, verify and preprocess them; build tasks.

The package follows the path of the data, one module per step:

- `signviz.data.download`: `load_dataset` finds a copy (a named folder, the cache or a
  fresh download) and falls back to scikit-learn's 8x8 digits, with a message, when
  there is none;
- `signviz.data.verify`: fingerprints and the published file list, to say whether a
  copy is the published one and how it differs;
- `signviz.data.preprocess`: photos to the tutorial's 64x64 grayscale arrays, cached as
  a ``.npz`` keyed by the images' content; Kaggle's ``X.npy`` + ``Y.npy``;
- `signviz.data.tasks`: `make_task` picks two digits (or all ten) and splits them into
  training and test sets as the tutorial does, giving a `Task`;
- `signviz.data.dataset`: `Dataset`, what `load_dataset` returns, and `DatasetError`.

Everything public is importable from ``signviz.data`` itself.
"""

from signviz.data.dataset import DIGIT_COUNTS, Dataset, DatasetError
from signviz.data.download import (
    CACHE_DIR_VARIABLE,
    DATA_DIR_VARIABLE,
    DATASET_COMMIT,
    DATASET_URL,
    URL_VARIABLE,
    download_dataset,
    fallback_dataset,
    find_dataset,
    load_dataset,
)
from signviz.data.preprocess import (
    IMAGE_SIZE,
    KAGGLE_COLUMN_DIGITS,
    LABEL_ORDER_VARIABLE,
    LABEL_ORDERS,
    MAX_IMAGE_PIXELS,
    PREPROCESSING_VERSION,
    preprocess_image,
)
from signviz.data.tasks import (
    ALL_DIGITS,
    MIN_TRAINING_IMAGES_PER_DIGIT,
    Task,
    make_task,
    shuffle_split,
    stratified_split,
)
from signviz.data.verify import (
    DATASET_FINGERPRINT,
    compare_with_published,
    dataset_fingerprint,
    published_files,
    verify_dataset,
)

__all__ = [
    "ALL_DIGITS",
    "CACHE_DIR_VARIABLE",
    "DATASET_COMMIT",
    "DATASET_FINGERPRINT",
    "DATASET_URL",
    "DATA_DIR_VARIABLE",
    "DIGIT_COUNTS",
    "IMAGE_SIZE",
    "KAGGLE_COLUMN_DIGITS",
    "LABEL_ORDERS",
    "LABEL_ORDER_VARIABLE",
    "MAX_IMAGE_PIXELS",
    "MIN_TRAINING_IMAGES_PER_DIGIT",
    "PREPROCESSING_VERSION",
    "URL_VARIABLE",
    "Dataset",
    "DatasetError",
    "Task",
    "compare_with_published",
    "dataset_fingerprint",
    "download_dataset",
    "fallback_dataset",
    "find_dataset",
    "load_dataset",
    "make_task",
    "preprocess_image",
    "published_files",
    "shuffle_split",
    "stratified_split",
    "verify_dataset",
]
