"""One look for every figure: colours, fonts, margins."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

#: Colours with a fixed meaning across the app.
COLORS = {
    "train": "#1f77b4",  # blue
    "test": "#ff7f0e",  # orange
    "cost": "#1f77b4",
    "wrong": "#d62728",  # red: a misclassified image, a diverged run
    "right": "#2ca02c",  # green
    "highlight": "#9467bd",  # purple: the point being explained
    "neutral": "#7f7f7f",
}

#: Weights: blue pushes towards label 0, red towards label 1, white is no opinion.
WEIGHT_COLORSCALE = "RdBu_r"
IMAGE_COLORSCALE = "gray"

#: Per-model colours, for charts that overlay models.
MODEL_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def apply_layout(figure: go.Figure, title: str, *, x_title=None, y_title=None, height=None):
    """Give ``figure`` the app's title style, axis titles and compact margins; returns it."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
        hoverlabel={"namelength": -1},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    return figure


def symmetric_limit(values) -> float:
    """The colour range [-limit, limit] that fits every finite value (1 if all are 0)."""
    finite = np.abs(np.asarray(values)[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 0.0
    return limit if limit > 0 else 1.0
