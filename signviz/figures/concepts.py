"""Figures of the ideas behind the models: graphs, activations, losses, gradient descent.

- `box_diagram`: boxes joined by arrows (used for the computation graph and for the
  data preparation);
- `computation_graph`: logistic regression drawn as a computation graph;
- `activation_curves`, `sigmoid_point`: activation functions, their
  derivatives, and one point on the sigmoid;
- `loss_curves`: the loss of one image against the predicted probability;
- `descent_animation`: gradient descent on one weight, step by step, as an
  animation the browser plays by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from signviz.descent import DescentRun
from signviz.figures.style import COLORS, MODEL_COLORS, apply_layout
from signviz.models.activations import ACTIVATIONS, get_activation, sigmoid
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
        (box.width / 2) / abs(dx) if dx else np.inf,
        (box.height / 2) / abs(dy) if dy else np.inf,
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


def activation_curves(
    names: Sequence[str] = tuple(ACTIVATIONS),
    *,
    z_range: tuple[float, float] = (-5.0, 5.0),
    n_points: int = 401,
    height: int = 420,
) -> go.Figure:
    """Activation functions (solid) and their derivatives (dashed) on one chart.

    Parameters
    ----------
    names : sequence of str, default all of ``ACTIVATIONS``
        Which activations to draw: ``"sigmoid"``, ``"tanh"``, ``"relu"``.
    z_range : tuple (low, high), default (-5, 5)
    n_points : int, default 401
        Points per curve.
    height : int, default 420

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per activation, named ``"<name>(z)"`` and ``"<name>'(z)"``.
    """
    if not names:
        raise ValueError("Choose at least one activation to draw.")
    low, high = _check_range(z_range)
    z = np.linspace(low, high, n_points)
    figure = go.Figure()
    for index, name in enumerate(names):
        activation = get_activation(name)
        color = MODEL_COLORS[index % len(MODEL_COLORS)]
        output = activation.forward(z)
        for label, values, dash in (
            (f"{name}(z)", output, "solid"),
            (f"{name}'(z)", activation.derivative(output), "dash"),
        ):
            figure.add_trace(
                go.Scatter(
                    x=z,
                    y=values,
                    mode="lines",
                    name=label,
                    legendgroup=name,
                    line={"color": color, "dash": dash, "width": 2.5 if dash == "solid" else 2},
                    hovertemplate=f"z = %{{x:.2f}}<br>{label} = %{{y:.3f}}<extra></extra>",
                )
            )
    figure.update_layout(legend={"orientation": "h", "y": -0.15})
    figure.update_yaxes(range=[-1.2, 2.2])  # relu grows without bound: keep the others readable
    return apply_layout(
        figure,
        "Activations (solid) and their slopes (dashed)",
        x_title="z",
        y_title="activation or slope",
        height=height,
    )


def sigmoid_point(
    z: float, *, z_range: tuple[float, float] = (-10.0, 10.0), height: int = 380
) -> go.Figure:
    """The sigmoid curve with the point ``(z, sigmoid(z))`` marked and its value written.

    Parameters
    ----------
    z : float
        Where to mark the curve; the range widens to include it.
    z_range : tuple (low, high), default (-10, 10)
    height : int, default 380

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"sigmoid"`` (the curve) and ``"your z"`` (the one point).
    """
    z = float(z)
    if not np.isfinite(z):
        raise ValueError(f"z must be a finite number, got {z!r}.")
    low, high = _check_range(z_range)
    low, high = min(low, z - 1), max(high, z + 1)
    curve_z = np.linspace(low, high, 401)
    value = float(sigmoid(z))
    figure = go.Figure(
        [
            go.Scatter(
                x=curve_z,
                y=sigmoid(curve_z),
                mode="lines",
                name="sigmoid",
                line={"color": COLORS["cost"], "width": 2.5},
                hovertemplate="z = %{x:.2f}<br>sigmoid(z) = %{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                x=[z],
                y=[value],
                mode="markers+text",
                name="your z",
                marker={"color": COLORS["highlight"], "size": 14},
                text=[f"sigmoid({z:g}) = {value:.3f}"],
                textposition="bottom right" if z > 0 else "top left",
                hovertemplate="z = %{x:.2f}<br>ŷ = sigmoid(z) = %{y:.4f}<extra></extra>",
            ),
        ]
    )
    figure.add_hline(y=0.5, line={"dash": "dot", "color": COLORS["neutral"]})
    figure.add_annotation(
        x=low, y=0.5, text="0.5: above, predict label 1", showarrow=False, xanchor="left",
        yanchor="bottom", font={"size": 11, "color": COLORS["neutral"]},
    )  # fmt: skip
    figure.add_shape(
        type="line", x0=z, x1=z, y0=0, y1=value, line={"dash": "dash", "color": COLORS["highlight"]}
    )
    figure.update_layout(showlegend=False)
    figure.update_yaxes(range=[-0.05, 1.05])
    return apply_layout(
        figure,
        f"sigmoid({z:g}) = {value:.3f}",
        x_title="z",
        y_title="ŷ = sigmoid(z)",
        height=height,
    )


def loss_curves(y_hat: float | None = None, *, height: int = 400) -> go.Figure:
    """The loss of one image against the predicted probability ``ŷ``, for each label.

    ``-log ŷ`` when the label is 1 and ``-log(1 - ŷ)`` when it is 0: zero for a
    confident right answer, without bound for a confident wrong one.

    Parameters
    ----------
    y_hat : float, optional
        A prediction strictly between 0 and 1 to mark on both curves.
    height : int, default 400

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"label y = 1: -log ŷ"`` and ``"label y = 0: -log(1 - ŷ)"``, plus
        ``"your ŷ"`` when ``y_hat`` is given.
    """
    probabilities = np.linspace(0.001, 0.999, 999)
    curves = {
        "label y = 1: -log ŷ": (-np.log(probabilities), MODEL_COLORS[0]),
        "label y = 0: -log(1 - ŷ)": (-np.log1p(-probabilities), MODEL_COLORS[1]),
    }
    figure = go.Figure(
        [
            go.Scatter(
                x=probabilities,
                y=losses,
                mode="lines",
                name=name,
                line={"color": color, "width": 2.5},
                hovertemplate=f"{name}<br>ŷ = %{{x:.3f}}<br>loss = %{{y:.3f}}<extra></extra>",
            )
            for name, (losses, color) in curves.items()
        ]
    )
    if y_hat is not None:
        y_hat = float(y_hat)
        if not 0 < y_hat < 1:
            raise ValueError(f"y_hat must be strictly between 0 and 1, got {y_hat!r}.")
        losses = [-np.log(y_hat), -np.log1p(-y_hat)]
        figure.add_trace(
            go.Scatter(
                x=[y_hat, y_hat],
                y=losses,
                mode="markers",
                name="your ŷ",
                marker={"color": COLORS["highlight"], "size": 12},
                customdata=["if y = 1", "if y = 0"],
                hovertemplate="ŷ = %{x:.3f}, %{customdata}:<br>loss = %{y:.3f}<extra></extra>",
            )
        )
    figure.add_annotation(
        x=0.02, y=float(-np.log(0.02)), text="sure it is 0, but it is 1:<br>a huge loss",
        showarrow=True, arrowhead=2, ax=70, ay=10, xanchor="left",
    )  # fmt: skip
    figure.update_layout(legend={"orientation": "h", "y": -0.2})
    return apply_layout(
        figure, "The loss of one image", x_title="prediction ŷ", y_title="loss", height=height
    )


def descent_animation(run: DescentRun, *, height: int = 520) -> go.Figure:
    """Gradient descent on one weight, as an animation with play, pause and a step slider.

    Every step is drawn on the cost curve (faint); the frame of iteration ``k`` shows
    the current point, the tangent there (its slope is ``J'(w)``) and the jump to
    the next weight, ``w - learning_rate * J'(w)``. The browser plays the frames: no
    rerun is needed to move between steps.

    Parameters
    ----------
    run : DescentRun
        From `signviz.descent.gradient_descent`.
    height : int, default 520

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"cost J(w)"``, ``"every step"``, ``"tangent"``, ``"jump"`` and
        ``"current"``; one frame per row of ``run`` (named ``"0"``, ``"1"``...)
        updating the last three; Play and Pause buttons and a slider over the frames.
    """
    weights, costs = run.weights, run.costs
    cost_function = run.cost_function
    low, high = _descent_range(weights, cost_function.minimum_weight)
    curve_w = np.linspace(low, high, 400)
    curve_cost = cost_function.costs(curve_w)
    half_width = 0.12 * (high - low)
    hover = "iteration %{customdata}<br>w = %{x:.4g}<br>cost = %{y:.4g}<extra></extra>"
    figure = go.Figure(
        [
            go.Scatter(
                x=curve_w,
                y=curve_cost,
                mode="lines",
                name="cost J(w)",
                line={"color": COLORS["cost"], "width": 2.5},
                hovertemplate="w = %{x:.3g}<br>J(w) = %{y:.4g}<extra></extra>",
            ),
            go.Scatter(
                x=weights,
                y=costs,
                mode="lines+markers",
                name="every step",
                line={"color": COLORS["neutral"], "width": 1, "dash": "dot"},
                marker={"color": COLORS["neutral"], "size": 7, "opacity": 0.6},
                customdata=run.iterations,
                hovertemplate=hover,
            ),
            *_descent_frame_traces(run, 0, half_width),
        ]
    )
    figure.frames = [
        go.Frame(
            name=str(index), data=_descent_frame_traces(run, index, half_width), traces=[2, 3, 4]
        )
        for index in range(len(weights))
    ]
    span = float(curve_cost.max() - cost_function.minimum_cost)
    figure.update_xaxes(range=[low, high])
    figure.update_yaxes(
        range=[cost_function.minimum_cost - 0.08 * span, curve_cost.max() + 0.05 * span]
    )
    _add_player(figure, len(weights))
    if run.diverged:
        figure.add_annotation(
            x=weights[-1], y=costs[-1], text="diverged: the next step flies off the chart",
            font={"color": COLORS["wrong"]}, arrowcolor=COLORS["wrong"], showarrow=True,
            arrowhead=2, ax=0, ay=-40,
        )  # fmt: skip
    title = f"Gradient descent, learning rate {run.learning_rate:g}: {run.regime.value}"
    apply_layout(figure, title, x_title="weight w", y_title="cost J(w)", height=height)
    figure.update_layout(margin={"b": 120}, showlegend=False)
    return figure


def _descent_frame_traces(run: DescentRun, index: int, half_width: float) -> list[go.Scatter]:
    """The tangent, the jump and the current point at iteration ``index``."""
    weight, cost, slope = run.weights[index], run.costs[index], run.slopes[index]
    tangent_w = np.array([weight - half_width, weight + half_width])
    has_next = index + 1 < len(run.weights)
    jump_w = run.weights[index : index + 2] if has_next else []
    jump_cost = run.costs[index : index + 2] if has_next else []
    return [
        go.Scatter(
            x=tangent_w,
            y=cost + slope * (tangent_w - weight),
            mode="lines",
            name="tangent",
            line={"color": COLORS["test"], "width": 2},
            hovertemplate=(
                f"tangent at w = {weight:.4g}<br>slope J'(w) = {slope:.4g}<extra></extra>"
            ),
        ),
        go.Scatter(
            x=jump_w,
            y=jump_cost,
            mode="lines+markers",
            name="jump",
            line={"color": COLORS["highlight"], "width": 2, "dash": "dash"},
            marker={"symbol": ["circle", "arrow"], "size": [1, 16], "angleref": "previous"},
            hovertemplate=(
                f"step: w - {run.learning_rate:g} · {slope:.4g}<br>"
                "w = %{x:.4g}, cost = %{y:.4g}<extra></extra>"
            ),
        ),
        go.Scatter(
            x=[weight],
            y=[cost],
            mode="markers+text",
            name="current",
            marker={"color": COLORS["highlight"], "size": 14},
            text=[f"iteration {index}: w = {weight:.3g}"],
            textposition="top center",
            hovertemplate=(
                f"iteration {index}<br>w = {weight:.4g}<br>slope = {slope:.4g}<br>"
                f"cost = {cost:.4g}<extra></extra>"
            ),
        ),
    ]


def _add_player(figure: go.Figure, n_frames: int) -> None:
    """Play and Pause buttons and a slider over the frames ``"0"`` ... ``n_frames - 1``."""
    still = {
        "mode": "immediate",
        "frame": {"duration": 0, "redraw": False},
        "transition": {"duration": 0},
    }
    playing = {
        "fromcurrent": True,
        "frame": {"duration": 900, "redraw": False},
        "transition": {"duration": 400, "easing": "cubic-in-out"},
    }
    figure.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0,
                "y": -0.12,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 30, "r": 10},
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, playing]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.22,
                "len": 0.78,
                "y": -0.12,
                "yanchor": "top",
                "pad": {"t": 20},
                "currentvalue": {"prefix": "iteration "},
                "steps": [
                    {"label": str(index), "method": "animate", "args": [[str(index)], still]}
                    for index in range(n_frames)
                ],
            }
        ],
    )


def _descent_range(weights: np.ndarray, minimum_weight: float) -> tuple[float, float]:
    """The weights to show: every step and the minimum, with a margin."""
    low = min(float(weights.min()), minimum_weight)
    high = max(float(weights.max()), minimum_weight)
    margin = max(0.15 * (high - low), 0.5)
    return low - margin, high + margin


def _check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(value) for value in value_range)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"A range must be two finite numbers, low < high; got {value_range!r}.")
    return low, high
