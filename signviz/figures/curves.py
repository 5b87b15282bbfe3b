"""Curves of the functions behind the models: activations, the sigmoid, the loss.

- `activation_curves`: activation functions and their derivatives;
- `sigmoid_point`: the sigmoid with one point marked;
- `loss_curves`: the loss of one image against the predicted probability.

The curves are drawn from the very functions the models compute with
(`signviz.models.activations`). That module needs SciPy, a second to import, so it is
imported when a curve is drawn rather than with `signviz.figures`: the app's first page
draws none of these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from signviz.figures.style import COLORS, MODEL_COLORS, apply_layout


def activation_curves(
    names: Sequence[str] | None = None,
    *,
    z_range: tuple[float, float] = (-5.0, 5.0),
    n_points: int = 401,
    height: int = 420,
) -> go.Figure:
    """Activation functions (solid) and their derivatives (dashed) on one chart.

    Parameters
    ----------
    names : sequence of str, optional
        Which activations to draw: ``"sigmoid"``, ``"tanh"``, ``"relu"``; by default all
        of `signviz.models.activations.ACTIVATIONS`.
    z_range : tuple (low, high), default (-5, 5)
    n_points : int, default 401
        Points per curve.
    height : int, default 420

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per activation, named ``"<name>(z)"`` and ``"<name>'(z)"``.
    """
    from signviz.models.activations import ACTIVATIONS, get_activation  # see the docstring

    names = tuple(ACTIVATIONS) if names is None else names
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
    from signviz.models.activations import sigmoid  # see the module's docstring

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


def _check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(value) for value in value_range)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"A range must be two finite numbers, low < high; got {value_range!r}.")
    return low, high
