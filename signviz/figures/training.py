"""Figures of training and of what a trained model says: cost curves, predictions."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from signviz.figures.images import image_grid
from signviz.figures.style import COLORS, MODEL_COLORS, apply_layout, layout


def cost_curve(
    costs: Sequence[float],
    *,
    title: str = "Cost while training",
    planned: int | None = None,
    diverged_at: int | None = None,
    log_y: bool = False,
    x_title: str = "iteration",
    height: int = 360,
    min_span: float | None = None,
    y_top: float | None = None,
    marker_at: int | None = None,
    max_points: int | None = None,
) -> go.Figure:
    """The cost at each iteration: one point per iteration, in order.

    Parameters
    ----------
    costs : sequence of float
        ``cost_history_`` of a model; point ``i`` is the cost at iteration ``i``.
    title : str
    planned : int, optional
        Iterations the run will have in all: the x axis is fixed to them, so a curve
        drawn live grows across a steady chart instead of rescaling.
    diverged_at : int, optional
        Marks where training diverged.
    log_y : bool, default False
        A logarithmic cost axis (helps when the cost falls by orders of magnitude).
    x_title : str, default "iteration"
    min_span : float, optional
        The cost axis spans at least this much, centred on the curve: plotly would
        otherwise stretch any curve to the chart's full height, so a fall of 1e-4
        would look as steep as a fall of 10. (On a log axis, a span in decades; unused
        when ``y_top`` fixes the axis.)
    y_top : float, optional
        Fixes the y axis for a whole run: from 0 (or, on a log axis, three decades
        below) to this cost, usually the run's first; it grows only if the cost
        climbs above it.
    marker_at : int, optional
        Marks the cost at this iteration (the one a scrub slider looks at).
    max_points : int, optional
        Draw at most this many points, evenly spaced, the first and the last among them:
        a chart a few hundred pixels wide shows no more, and a live chart redrawn five
        times a second sends and renders less.

    A log axis labels whole decades only (0.01, 0.1, 1), with a grid line at every
    unit between them: labels such as "7, 6, 5, 4" without their decade mislead.
    """
    costs = np.asarray(costs, dtype=float)
    shown = np.arange(len(costs))
    if max_points is not None and len(costs) > max_points:
        shown = np.unique(np.linspace(0, len(costs) - 1, max_points).round().astype(int))
    traces = [
        go.Scatter(
            x=shown,
            y=costs[shown],
            mode="lines+markers" if len(shown) <= 60 else "lines",
            line={"color": COLORS["cost"], "width": 2},
            marker={"size": 5},
            name="cost",
            hovertemplate=f"{x_title} %{{x}}<br>cost %{{y:.5g}}<extra></extra>",
        )
    ]
    if diverged_at is not None and len(costs):
        last = min(diverged_at, len(costs) - 1)
        traces.append(
            go.Scatter(
                x=[last],
                y=[costs[last]],
                mode="markers+text",
                marker={"color": COLORS["wrong"], "size": 12, "symbol": "x"},
                text=["diverged"],
                textposition="top left",
                name="diverged",
                hovertemplate="diverged at %{x}<br>cost %{y:.5g}<extra></extra>",
            )
        )
    if marker_at is not None and 0 <= marker_at < len(costs):
        traces.append(
            go.Scatter(
                x=[marker_at],
                y=[costs[marker_at]],
                mode="markers",
                marker={"color": COLORS["highlight"], "size": 12, "symbol": "circle-open-dot"},
                name="shown",
                hovertemplate=f"shown: {x_title} %{{x}}<br>cost %{{y:.5g}}<extra></extra>",
            )
        )
    x_axis = {} if planned is None else {"range": [0, max(planned, 1)]}
    y_axis = {}
    if log_y:
        y_axis = {"type": "log", "dtick": 1, "minor": {"dtick": "D1", "showgrid": True}}
    finite = costs[np.isfinite(costs)]
    if y_top is not None and math.isfinite(y_top) and y_top > 0:
        top = max(y_top, float(finite.max()) if finite.size else y_top)
        if log_y:
            bottom = min(top / 1000, float(finite[finite > 0].min()) if (finite > 0).any() else top)
            y_axis["range"] = [math.log10(bottom) - 0.05, math.log10(top) + 0.05]
        else:
            y_axis["range"] = [0, top * 1.05]
    if min_span is not None and "range" not in y_axis and finite.size:
        values = np.log10(finite[finite > 0]) if log_y else finite
        if values.size and values.max() - values.min() < min_span:
            middle = float(values.min() + values.max()) / 2
            y_axis["range"] = [middle - min_span / 2, middle + min_span / 2]
    return go.Figure(
        traces,
        layout=layout(
            title,
            x_title=x_title,
            y_title="cost",
            height=height,
            showlegend=False,
            xaxis=x_axis,
            yaxis=y_axis,
        ),
    )


def prediction_grid(
    images: np.ndarray,
    probabilities: np.ndarray,
    labels: np.ndarray,
    *,
    label_names: tuple[str, str],
    names: Sequence[str] | None = None,
    title: str = "Test images and the model's answers",
    columns: int = 10,
) -> go.Figure:
    """Each image with the predicted probability of label 1; mistakes framed in red.

    Parameters
    ----------
    images : array of shape (n_images, height, width)
    probabilities : array of shape (n_images,)
        ``y_hat``, the model's probability of label 1 for each image.
    labels : array of shape (n_images,)
        The true labels, 0 or 1.
    label_names : tuple of str
        What labels 0 and 1 stand for (the two digits).
    names : sequence of str, optional
        The images' file names, shown on hover.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    labels = np.asarray(labels)
    if not len(images) == len(probabilities) == len(labels):
        raise ValueError("Need one probability and one label per image.")
    predictions = (probabilities > 0.5).astype(int)
    wrong = predictions != labels
    hover = [
        f"{names[index] if names is not None else f'image {index}'}<br>"
        f"shows {label_names[labels[index]]}; the model says {label_names[predictions[index]]}"
        f"<br>P({label_names[1]}) = {probabilities[index]:.3f}"
        for index in range(len(labels))
    ]
    return image_grid(
        images,
        title=f"{title}: {int(np.sum(~wrong))} of {len(labels)} right",
        captions=[f"{probability:.2f}" for probability in probabilities],
        hover=hover,
        highlight=wrong,
        columns=columns,
    )


def hidden_activation_bars(
    activations: np.ndarray, probability: float, *, label_names: tuple[str, str], title: str
) -> go.Figure:
    """What each hidden unit outputs for one image, and the network's final answer.

    Parameters
    ----------
    activations : array of shape (hidden_units,)
    probability : float
        The output ``y_hat``: the probability of label 1.
    label_names : tuple of str
    title : str
    """
    activations = np.asarray(activations, dtype=float)
    units = [f"unit {index + 1}" for index in range(len(activations))]
    figure = go.Figure(
        [
            go.Bar(
                x=units,
                y=activations,
                marker_color=COLORS["train"],
                name="hidden units",
                hovertemplate="%{x}: %{y:.3f}<extra></extra>",
            ),
            go.Bar(
                x=[f"output: P({label_names[1]})"],
                y=[probability],
                marker_color=COLORS["highlight"],
                name="output",
                hovertemplate="P(" + label_names[1] + ") = %{y:.3f}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(showlegend=False)
    return apply_layout(figure, title, y_title="activation", height=320)


def cost_curves(
    curves: dict[str, Sequence[float]],
    *,
    title: str,
    x_title: str = "epoch",
    height: int = 360,
) -> go.Figure:
    """Several cost curves on one chart, one colour each (e.g. Keras and the deep network
    from scratch).

    Parameters
    ----------
    curves : dict of str to sequence of float
        A name and its costs, one per iteration or epoch.
    """
    traces = [
        go.Scatter(
            x=np.arange(len(costs)),
            y=np.asarray(costs, dtype=float),
            mode="lines",
            name=name,
            line={"color": MODEL_COLORS[index % len(MODEL_COLORS)], "width": 2},
            hovertemplate=f"{name}<br>{x_title} %{{x}}<br>cost %{{y:.4g}}<extra></extra>",
        )
        for index, (name, costs) in enumerate(curves.items())
    ]
    return go.Figure(
        traces,
        layout=layout(
            title,
            x_title=x_title,
            y_title="cost",
            height=height,
            legend={"orientation": "h", "y": -0.2},
        ),
    )
