"""Figures of what the dataset holds and of how the tutorial prepares it for a task.

- `class_counts`: how many images of each digit, the task's digits highlighted;
- `digit_samples`: the first few images of each digit, one row per digit;
- `preparation_diagram`: the shapes of the tutorial's arrays (`Task.tutorial_shapes`),
  from the stacked images to the transposed training matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from signviz.figures.diagrams import Arrow, Box, box_diagram
from signviz.figures.images import image_grid
from signviz.figures.style import COLORS, apply_layout
from signviz.validation import check_whole_number


def class_counts(
    counts: Mapping[int, int],
    *,
    highlight: Sequence[int] = (),
    title: str = "Images of each digit",
    height: int = 340,
) -> go.Figure:
    """One bar per digit: how many images show it; the ``highlight`` digits in colour.

    Parameters
    ----------
    counts : mapping of int to int
        Digit to number of images (``Dataset.counts()``).
    highlight : sequence of int, optional
        Digits to colour (the task's two digits); the others are grey.
    title : str
    height : int, default 340

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace, ``x`` the digits in increasing order and ``y`` their counts.
    """
    if not counts:
        raise ValueError("counts is empty: there are no images to count.")
    digits = sorted(counts)
    values = [int(counts[digit]) for digit in digits]
    if any(value < 0 for value in values):
        raise ValueError(f"A count cannot be negative, got {dict(counts)}.")
    chosen = set(highlight)
    figure = go.Figure(
        go.Bar(
            x=digits,
            y=values,
            text=values,
            textposition="outside",
            marker={
                "color": [COLORS["highlight"] if d in chosen else COLORS["neutral"] for d in digits]
            },
            customdata=["in the task" if d in chosen else "" for d in digits],
            hovertemplate="digit %{x}: %{y} images %{customdata}<extra></extra>",
            name="images",
        )
    )
    figure.update_xaxes(tickmode="array", tickvals=digits)
    figure.update_yaxes(range=[0, max(values) * 1.15 or 1])
    return apply_layout(figure, title, x_title="digit", y_title="images", height=height)


def digit_samples(
    images: np.ndarray,
    digits: np.ndarray,
    *,
    per_digit: int = 8,
    names: Sequence[str] | None = None,
    labels: Mapping[int, int] | None = None,
    title: str = "The first images of each digit",
) -> go.Figure:
    """The first ``per_digit`` images of each digit, one row per digit, as an `image_grid`.

    Parameters
    ----------
    images : array of shape (n_images, height, width)
        Pixel values in [0, 1].
    digits : array of shape (n_images,)
        The digit each image shows.
    per_digit : int, default 8
        Images per row; a digit with fewer images has its row completed with blank
        tiles, so that every row shows one digit.
    names : sequence of str, optional
        One per image, shown on hover.
    labels : mapping of int to int, optional
        The task's label of some digits (``{first: 0, second: 1}``), written in their
        captions.
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
        An `image_grid` of ``n_digits * per_digit`` tiles (``customdata`` of its
        marker trace: the index of each tile's image in ``images``, -1 for a blank).
    """
    images = np.asarray(images)
    digits = np.asarray(digits)
    if images.ndim != 3 or len(digits) != len(images):
        raise ValueError(
            "images must have shape (n_images, height, width) with one digit each; got "
            f"images of shape {images.shape} and {len(digits)} digits."
        )
    if names is not None and len(names) != len(images):
        raise ValueError(f"names needs one entry per image: {len(names)} for {len(images)}.")
    check_whole_number("per_digit", per_digit, minimum=1)
    labels = dict(labels or {})
    chosen = [_first_indices(digits, digit, per_digit) for digit in np.unique(digits)]
    tiles = [index for row in chosen for index in row]
    blank = np.ones(images.shape[1:], dtype=float)
    figure = image_grid(
        np.stack([images[index] if index >= 0 else blank for index in tiles]),
        title=title,
        captions=[_caption(int(digits[index]), labels) if index >= 0 else "" for index in tiles],
        hover=[_hover(index, digits, names) for index in tiles],
        columns=per_digit,
        tile_height=max(40, min(80, 700 // per_digit)),
    )
    figure.data[1].customdata = tiles
    return figure


def _first_indices(digits: np.ndarray, digit: int, count: int) -> list[int]:
    indices = np.flatnonzero(digits == digit)[:count].tolist()
    return indices + [-1] * (count - len(indices))


def _caption(digit: int, labels: Mapping[int, int]) -> str:
    return f"{digit} → label {labels[digit]}" if digit in labels else str(digit)


def _hover(index: int, digits: np.ndarray, names: Sequence[str] | None) -> str:
    if index < 0:
        return "no more images of this digit"
    where = f"<br>{names[index]}" if names is not None else ""
    return f"digit {int(digits[index])}{where}"


#: Where each array of `Task.tutorial_shapes` sits in `preparation_diagram`: (column, row).
_PREPARATION_LAYOUT = {
    "X": (0, 2.5),
    "Y": (0, 0.5),
    "X_train": (1, 3),
    "X_test": (1, 2),
    "Y_train": (1, 1),
    "Y_test": (1, 0),
    "X_train_flatten": (2, 3),
    "X_test_flatten": (2, 2),
    "x_train": (3, 3),
    "x_test": (3, 2),
    "y_train": (3, 1),
    "y_test": (3, 0),
}
_PREPARATION_ARROWS = [
    ("X", "X_train", "split"),
    ("X", "X_test", ""),
    ("Y", "Y_train", "split"),
    ("Y", "Y_test", ""),
    ("X_train", "X_train_flatten", "flatten"),
    ("X_test", "X_test_flatten", ""),
    ("X_train_flatten", "x_train", "transpose"),
    ("X_test_flatten", "x_test", ""),
    ("Y_train", "y_train", "transpose"),
    ("Y_test", "y_test", ""),
]
_PREPARATION_HOVER = {
    "X": "every image of both digits, stacked",
    "Y": "one label per image: 0 for the first digit, 1 for the second",
    "X_train": "the images the models learn from",
    "X_test": "the images kept aside to test the models",
    "Y_train": "the labels of the training images",
    "Y_test": "the labels of the test images",
    "X_train_flatten": "each training image as one row of pixels",
    "X_test_flatten": "each test image as one row of pixels",
    "x_train": "one column per training image: what the numpy code multiplies by w",
    "x_test": "one column per test image",
    "y_train": "the training labels as one row",
    "y_test": "the test labels as one row",
}


def preparation_diagram(shapes: Mapping[str, tuple[int, ...]], *, height: int = 400) -> go.Figure:
    """The tutorial's data preparation as a diagram: each array with its shape.

    Parameters
    ----------
    shapes : mapping of str to tuple of int
        From `signviz.data.Task.tutorial_shapes`.
    height : int, default 400

    Returns
    -------
    plotly.graph_objects.Figure
        A `box_diagram`: one box per array, labelled with its name and shape.
    """
    missing = sorted(set(_PREPARATION_LAYOUT) - set(shapes))
    if missing:
        raise ValueError(f"shapes lacks {', '.join(missing)}: use Task.tutorial_shapes().")
    boxes = [
        Box(
            name,
            column * 3.6,
            row,
            f"<b>{name}</b><br>{_shape_text(shapes[name])}",
            f"{name} {_shape_text(shapes[name])}: {_PREPARATION_HOVER[name]}",
            width=2.4,
            height=0.75,
            color=_box_color(name),
        )
        for name, (column, row) in _PREPARATION_LAYOUT.items()
    ]
    arrows = [Arrow(start, end, label) for start, end, label in _PREPARATION_ARROWS]
    return box_diagram(
        boxes, arrows, title="From images to the matrices the numpy code uses", height=height
    )


def _box_color(name: str) -> str:
    if name in ("X", "Y"):
        return COLORS["neutral"]
    return COLORS["test"] if "test" in name else COLORS["train"]


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ")"
