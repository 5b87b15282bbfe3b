"""A small tool for box-and-arrow diagrams, and the computation graph drawn with it.

- `Box`, `Arrow`, `box_diagram`: boxes joined by labelled arrows, each box with a hover
  text (used for the computation graph and for the data preparation of
  `signviz.figures.dataset`);
- `computation_graph`: logistic regression drawn as a computation graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import plotly.graph_objects as go

from signviz.figures.style import COLORS, apply_layout
from signviz.validation import check_whole_number

_BOX_FILL = "#f4f1fa"
_ARROW_COLOR = "#555555"
_TEXT_COLOR = "#262730"


class Box(NamedTuple):
    """One box of a `box_diagram`, in data coordinates.

    ``label`` is drawn in the box (Plotly's HTML subset: ``<br>``, ``<sub>``...);
    ``hover`` is shown when the pointer rests on it.
    """

    key: str
    x: float
    y: float
    label: str
    hover: str
    width: float = 1.2
    height: float = 0.8
    color: str = COLORS["highlight"]


class Arrow(NamedTuple):
    """An arrow of a `box_diagram` from the box ``start`` to the box ``end`` (their keys)."""

    start: str
    end: str
    label: str = ""


def box_diagram(
    boxes: Sequence[Box], arrows: Sequence[Arrow], *, title: str, height: int = 420
) -> go.Figure:
    """Boxes with text, joined by arrows that run from edge to edge.

    Parameters
    ----------
    boxes : sequence of Box
        Their keys must be unique.
    arrows : sequence of Arrow
        Each joins two keys of ``boxes``.
    title : str
    height : int, default 420

    Returns
    -------
    plotly.graph_objects.Figure
        One invisible marker per box carries its hover text (trace ``"boxes"``,
        with each box's label in ``text`` and its key in ``customdata``); the
        labels and arrows are annotations, the boxes shapes.
    """
    by_key = {box.key: box for box in boxes}
    if len(by_key) != len(boxes):
        raise ValueError("Every box of a diagram needs its own key.")
    for arrow in arrows:
        for key in (arrow.start, arrow.end):
            if key not in by_key:
                raise ValueError(
                    f"An arrow refers to the box {key!r}, which is not in the diagram."
                )
    figure = go.Figure(
        go.Scatter(
            x=[box.x for box in boxes],
            y=[box.y for box in boxes],
            mode="markers",
            marker={"size": 40, "opacity": 0, "symbol": "square"},
            text=[box.label for box in boxes],
            hovertext=[box.hover for box in boxes],
            hoverinfo="text",
            customdata=[box.key for box in boxes],
            name="boxes",
            showlegend=False,
        )
    )
    for box in boxes:
        _draw_box(figure, box)
    for arrow in arrows:
        _draw_arrow(figure, by_key[arrow.start], by_key[arrow.end], arrow.label)
    left = min(box.x - box.width / 2 for box in boxes) - 0.3
    right = max(box.x + box.width / 2 for box in boxes) + 0.3
    bottom = min(box.y - box.height / 2 for box in boxes) - 0.3
    top = max(box.y + box.height / 2 for box in boxes) + 0.3
    figure.update_xaxes(visible=False, range=[left, right], fixedrange=True)
    figure.update_yaxes(visible=False, range=[bottom, top], fixedrange=True)
    return apply_layout(figure, title, height=height)


def _draw_box(figure: go.Figure, box: Box) -> None:
    figure.add_shape(
        type="rect",
        x0=box.x - box.width / 2,
        x1=box.x + box.width / 2,
        y0=box.y - box.height / 2,
        y1=box.y + box.height / 2,
        line={"color": box.color, "width": 2},
        fillcolor=_BOX_FILL,
        layer="below",
    )
    figure.add_annotation(
        x=box.x, y=box.y, text=box.label, showarrow=False, font={"size": 13, "color": _TEXT_COLOR}
    )


def _draw_arrow(figure: go.Figure, start: Box, end: Box, label: str) -> None:
    tail = _edge_point(start, end.x, end.y)
    head = _edge_point(end, start.x, start.y)
    figure.add_annotation(
        x=head[0],
        y=head[1],
        ax=tail[0],
        ay=tail[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=1.5,
        arrowcolor=_ARROW_COLOR,
    )
    if label:
        figure.add_annotation(
            x=(tail[0] + head[0]) / 2,
            y=(tail[1] + head[1]) / 2,
            text=label,
            showarrow=False,
            font={"size": 11, "color": _ARROW_COLOR},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )


def _edge_point(box: Box, toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the line from the centre of ``box`` toward a point leaves the box."""
    dx, dy = toward_x - box.x, toward_y - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    scale = min(
        (box.width / 2) / abs(dx) if dx else math.inf,
        (box.height / 2) / abs(dy) if dy else math.inf,
    )
    return box.x + scale * dx, box.y + scale * dy


def computation_graph(
    n_pixels: int = 4096, *, shown_pixels: int = 3, height: int = 440
) -> go.Figure:
    """Logistic regression as a computation graph, from the pixels to the cost.

    Pixels ``x1 ... x_n`` (a few, then "…", then the last) are multiplied by their
    weights and summed with the bias into ``z``; the sigmoid turns ``z`` into the
    probability ``ŷ``; the label ``y`` and ``ŷ`` give the loss of this image; the
    mean loss over all images is the cost.

    Parameters
    ----------
    n_pixels : int, default 4096
        Pixels per image (the task's ``n_features``).
    shown_pixels : int, default 3
        Pixels drawn before the "…".
    height : int, default 440

    Returns
    -------
    plotly.graph_objects.Figure
        A `box_diagram` whose boxes include ``"z"``, ``"sigmoid"``, ``"y_hat"``,
        ``"loss"`` and ``"cost"``.
    """
    check_whole_number("n_pixels", n_pixels, minimum=1)
    check_whole_number("shown_pixels", shown_pixels, minimum=1)
    pixels = _pixel_boxes(int(n_pixels), int(shown_pixels))
    bias = Box("b", 0, pixels[-1].y - 1.1, "b", "the bias b: one number, added to z", 0.9, 0.7)
    middle = (pixels[0].y + bias.y) / 2
    boxes = [
        *pixels,
        bias,
        Box(
            "z",
            2.6,
            middle,
            "z = wᵀx + b",
            f"z = w₁x₁ + w₂x₂ + … + w<sub>{n_pixels}</sub>x<sub>{n_pixels}</sub> + b:"
            "<br>one number per image",
            1.7,
        ),
        Box("sigmoid", 4.7, middle, "sigmoid", "sigmoid(z) = 1 / (1 + e<sup>-z</sup>)", 1.4),
        Box("y_hat", 6.5, middle, "ŷ", "ŷ = sigmoid(z): the probability of label 1", 0.9),
        Box("y", 8.2, bias.y, "y", "the true label of the image: 0 or 1", 0.9, 0.7),
        Box(
            "loss",
            8.2,
            middle,
            "loss",
            "loss = -y log ŷ - (1 - y) log(1 - ŷ):<br>small when ŷ is close to y",
            1.2,
        ),
        Box(
            "cost",
            11.2,
            middle,
            "cost J",
            "J = the mean of the losses over all m training images:<br>"
            "gradient descent makes it smaller",
            1.4,
        ),
    ]
    arrows = [
        *(Arrow(box.key, "z", _weight_label(box.key)) for box in pixels),
        Arrow("b", "z"),
        Arrow("z", "sigmoid"),
        Arrow("sigmoid", "y_hat"),
        Arrow("y_hat", "loss"),
        Arrow("y", "loss"),
        Arrow("loss", "cost", "mean over m"),
    ]
    return box_diagram(
        boxes, arrows, title="The computation graph of logistic regression", height=height
    )


def _pixel_boxes(n_pixels: int, shown_pixels: int) -> list[Box]:
    if n_pixels <= shown_pixels + 1:
        indices = list(range(1, n_pixels + 1))
    else:
        indices = [*range(1, shown_pixels + 1), None, n_pixels]
    boxes = []
    for row, index in enumerate(indices):
        if index is None:
            label = "⋮"
            hover = f"pixels {shown_pixels + 1} to {n_pixels - 1}, each with its own weight"
            key = "more pixels"
        else:
            label = f"x<sub>{index}</sub>"
            hover = f"pixel {index} of {n_pixels}: a brightness between 0 and 1"
            key = f"x{index}"
        boxes.append(Box(key, 0, -row, label, hover, 0.9, 0.7, COLORS["neutral"]))
    return boxes


def _weight_label(pixel_key: str) -> str:
    return "" if pixel_key == "more pixels" else f"w<sub>{pixel_key[1:]}</sub>"
