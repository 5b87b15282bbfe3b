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


def layout(title: str, *, x_title=None, y_title=None, height=None, **more) -> dict:
    """The app's layout for a figure: title style, axis titles, compact margins.

    Building a figure in one call, ``go.Figure(data, layout=layout(...))``, is several
    times faster than setting its properties one by one: plotly validates each call.
    ``more`` adds or overrides any other layout property.
    """
    settings = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "height": height,
        "hoverlabel": {"namelength": -1},
    }
    for axis, axis_title in (("xaxis", x_title), ("yaxis", y_title)):
        if axis_title is not None:
            settings[axis] = {"title": {"text": axis_title}}
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(settings.get(key), dict):
            settings[key] = {**settings[key], **value}
        else:
            settings[key] = value
    return settings


def apply_layout(figure: go.Figure, title: str, *, x_title=None, y_title=None, height=None):
    """Give an existing ``figure`` the app's `layout` in one update; returns it."""
    figure.update_layout(layout(title, x_title=x_title, y_title=y_title, height=height))
    return figure


def grid(
    rows: int, columns: int, titles, *, horizontal_gap: float = 0.02, vertical_gap: float = 0.1
) -> tuple[dict, list[tuple[str, str]]]:
    """Axes for ``rows`` x ``columns`` small panels, filled row by row, each with a title.

    A lighter ``make_subplots``: returns the layout entries (axes with their domains, one
    annotation per title) and each panel's ``(xaxis, yaxis)`` references for its traces.
    """
    width = (1 - horizontal_gap * (columns - 1)) / columns
    height = (1 - vertical_gap * (rows - 1)) / rows
    settings, references, annotations = {}, [], []
    for index, panel_title in enumerate(titles):
        row, column = divmod(index, columns)
        suffix = "" if index == 0 else str(index + 1)
        left = column * (width + horizontal_gap)
        top = 1 - row * (height + vertical_gap)
        settings[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}"}
        settings[f"yaxis{suffix}"] = {"domain": [top - height, top], "anchor": f"x{suffix}"}
        references.append((f"x{suffix}", f"y{suffix}"))
        annotations.append(
            {
                "text": panel_title,
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    settings["annotations"] = annotations
    return settings, references


def symmetric_limit(values) -> float:
    """The colour range [-limit, limit] that fits every finite value (1 if all are 0)."""
    finite = np.abs(np.asarray(values)[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 0.0
    return limit if limit > 0 else 1.0
