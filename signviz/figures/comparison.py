"""Figures that compare trained models: confusion matrices and explanation maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from signviz.figures.style import (
    COLORS,
    IMAGE_COLORSCALE,
    WEIGHT_COLORSCALE,
    apply_layout,
    symmetric_limit,
)

#: What an explanation map holds, by kind (see :func:`signviz.compare.explanation`).
MAP_NAMES = {"contribution": "contribution w·x", "gradient": "gradient of z"}


def confusion_matrix(
    matrix: np.ndarray, label_names: tuple[str, str], *, title: str, height: int = 300
) -> go.Figure:
    """A 2x2 confusion matrix as a heatmap, each cell showing its count.

    Parameters
    ----------
    matrix : array of int, shape (2, 2)
        ``matrix[true, predicted]``: how many images of label ``true`` the model
        answered ``predicted`` for (scikit-learn's ``confusion_matrix``).
    label_names : tuple of str
        The digits that labels 0 and 1 stand for.
    title : str
    """
    matrix = np.asarray(matrix)
    if matrix.shape != (2, 2):
        raise ValueError(f"A confusion matrix of two labels has shape (2, 2), got {matrix.shape}.")
    names = [str(name) for name in label_names]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=names,
            y=names,
            colorscale=[[0, "white"], [1, COLORS["train"]]],
            zmin=0,
            showscale=False,
            texttemplate="%{z}",
            textfont={"size": 18},
            xgap=2,
            ygap=2,
            hovertemplate="shows %{y}, answered %{x}<br>%{z} images<extra></extra>",
        )
    )
    figure.update_xaxes(type="category", side="bottom")
    figure.update_yaxes(type="category", autorange="reversed")
    return apply_layout(
        figure, title, x_title="predicted digit", y_title="true digit", height=height
    )


def explanation_map(
    image: np.ndarray,
    values: np.ndarray,
    *,
    kind: str,
    label_names: tuple[str, str],
    title: str,
    height: int = 340,
) -> go.Figure:
    """An image beside a map of what drove a model's answer for it.

    The map uses the weights' diverging colours, centred on 0: red pixels push the
    answer towards label 1, blue ones towards label 0, white ones do nothing.

    Parameters
    ----------
    image : array of shape (height, width)
        Pixel values in [0, 1].
    values : array of shape (height * width,) or (height, width)
        One value per pixel (from :func:`signviz.compare.explanation`).
    kind : {"contribution", "gradient"}
        What ``values`` are: names the map and its hover text.
    label_names : tuple of str
        The digits that labels 0 and 1 stand for.
    title : str
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"An image must be 2-D (height, width), got shape {image.shape}.")
    if kind not in MAP_NAMES:
        raise ValueError(f"Unknown kind of map {kind!r}: choose one of {list(MAP_NAMES)}.")
    values = np.asarray(values, dtype=float)
    if values.size != image.size:
        raise ValueError(
            f"{values.size} values cannot be drawn over a {image.shape[0]}x{image.shape[1]} "
            "image: there must be one per pixel."
        )
    grid = values.reshape(image.shape)
    limit = symmetric_limit(grid)
    map_name = MAP_NAMES[kind]
    first, second = label_names
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("the image", f"{map_name}: red for {second}, blue for {first}"),
        horizontal_spacing=0.04,
    )
    figure.add_trace(
        go.Heatmap(
            z=image,
            colorscale=IMAGE_COLORSCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            name="image",
            hovertemplate="row %{y}, column %{x}<br>pixel %{z:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Heatmap(
            z=grid,
            customdata=image,
            colorscale=WEIGHT_COLORSCALE,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            name=map_name,
            colorbar={"title": {"text": map_name}, "thickness": 12},
            hovertemplate=f"row %{{y}}, column %{{x}}<br>pixel %{{customdata:.3f}}"
            f"<br>{map_name} %{{z:.3g}}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    figure.update_yaxes(scaleanchor="x", row=1, col=1)
    figure.update_yaxes(scaleanchor="x2", row=1, col=2)
    return apply_layout(figure, title, height=height)
