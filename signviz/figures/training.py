"""Figures of training and of what a trained model says: cost curves, predictions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from signviz.figures.images import image_grid
from signviz.figures.style import COLORS, MODEL_COLORS, apply_layout, grid, layout


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
        would look as steep as a fall of 10. (On a log axis, a span in decades.)
    """
    costs = np.asarray(costs, dtype=float)
    traces = [
        go.Scatter(
            x=np.arange(len(costs)),
            y=costs,
            mode="lines+markers" if len(costs) <= 60 else "lines",
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
    x_axis = {} if planned is None else {"range": [0, max(planned - 1, 1)]}
    y_axis = {"type": "log"} if log_y else {}
    finite = costs[np.isfinite(costs) & ((costs > 0) | (not log_y))]
    if min_span is not None and finite.size:
        shown = np.log10(finite) if log_y else finite
        low, high = float(shown.min()), float(shown.max())
        if high - low < min_span:
            middle = (low + high) / 2
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
    """Several cost curves on one chart, one colour each (e.g. Keras and its numpy twin).

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


def history_chart(
    history: dict[str, Sequence[float]],
    *,
    planned: int,
    title: str,
    held_out: str = "validation",
) -> go.Figure:
    """Loss and accuracy per epoch, for training and held-out images, side by side.

    Parameters
    ----------
    history : dict
        Keras's history: lists named ``loss``, ``accuracy`` and, with validation data,
        ``val_loss`` and ``val_accuracy``, one value per epoch.
    planned : int
        Epochs the run will have in all (fixes the x axes while it grows).
    held_out : str, default "validation"
        The legend's name for the ``val_`` series: say "test" when Keras's
        ``validation_data`` are the test images, as on the Keras page.
    """
    axes, panels = grid(1, 2, ("loss", "accuracy"), horizontal_gap=0.08)
    traces = []
    for metric, (x, y) in zip(("loss", "accuracy"), panels, strict=True):
        axes[f"xaxis{x[1:]}"].update(title={"text": "epoch"}, range=[0, max(planned - 1, 1)])
        for prefix, name, color in (("", "training", "train"), ("val_", held_out, "test")):
            series = history.get(prefix + metric)
            if series is None:
                continue
            traces.append(
                go.Scatter(
                    x=np.arange(len(series)),
                    y=np.asarray(series, dtype=float),
                    xaxis=x,
                    yaxis=y,
                    mode="lines+markers" if len(series) <= 60 else "lines",
                    marker={"size": 4},
                    name=f"{name} {metric}",
                    legendgroup=name,
                    showlegend=metric == "loss",
                    line={"color": COLORS[color], "width": 2},
                    hovertemplate=f"{name}<br>epoch %{{x}}<br>{metric} %{{y:.4g}}<extra></extra>",
                )
            )
    axes["yaxis2"].update(range=[0, 1.02])
    return go.Figure(
        traces,
        layout=layout(title, height=380, legend={"orientation": "h", "y": -0.25}, **axes),
    )
