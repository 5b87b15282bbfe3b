"""Gradient descent on one weight, as an animation the browser plays by itself.

`descent_animation` turns a `signviz.descent.DescentRun` into a figure with one frame
per step and a play / pause button and slider; no server round trip per frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from signviz.figures.style import COLORS, apply_layout

if TYPE_CHECKING:
    from signviz.descent import DescentRun


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
