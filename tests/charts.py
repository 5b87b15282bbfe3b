"""Reading Plotly figures back: from AppTest's chart elements or from figure JSON."""

import base64
import json

import numpy as np


def chart_specs(app) -> list[dict]:
    """The figure JSON of every Plotly chart an AppTest run drew, in page order."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def chart_titled(app, start: str) -> dict:
    """The one chart whose title starts with ``start``."""
    found = [spec for spec in chart_specs(app) if title(spec).startswith(start)]
    titles = [title(spec) for spec in chart_specs(app)]
    assert len(found) == 1, f"{len(found)} charts titled {start!r} among {titles}"
    return found[0]


def title(spec: dict) -> str:
    return spec.get("layout", {}).get("title", {}).get("text", "")


def values(data) -> np.ndarray:
    """An array from figure JSON: a plain list, or Plotly's typed-array encoding."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        if "shape" in data:
            array = array.reshape([int(side) for side in str(data["shape"]).split(",")])
        return array
    return np.asarray(data)


def figure_json(figure) -> dict:
    """A go.Figure as the JSON a browser receives."""
    return json.loads(figure.to_json())
