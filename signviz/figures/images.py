"""Images as figures: one photo, a mosaic of photos, and weights drawn as images.

A weight of logistic regression (or of one hidden unit) belongs to one pixel, so the
4096 weights can be drawn as a 64x64 picture of what the unit looks for.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import get_colorscale, unlabel_rgb

from signviz.figures.style import (
    COLORS,
    IMAGE_COLORSCALE,
    WEIGHT_COLORSCALE,
    apply_layout,
    grid,
    layout,
    symmetric_limit,
)


def image_figure(image: np.ndarray, title: str, *, height: int = 420) -> go.Figure:
    """One grayscale image, large, with each pixel's value on hover.

    Parameters
    ----------
    image : array of shape (height, width)
        Pixel values in [0, 1].
    title : str
    """
    image = _as_image(image)
    heatmap = go.Heatmap(
        z=image,
        colorscale=IMAGE_COLORSCALE,
        zmin=0,
        zmax=1,
        showscale=False,
        hovertemplate="row %{y}, column %{x}<br>value %{z:.3f}<extra></extra>",
    )
    return go.Figure(heatmap, layout=layout(title, height=height, **_image_axes()))


def weight_heatmap(
    weights: np.ndarray, image_shape: tuple[int, int], title: str, *, height: int = 420
) -> go.Figure:
    """Weights, one per pixel, drawn as an image: red pushes to label 1, blue to label 0.

    Parameters
    ----------
    weights : array of shape (n_pixels,) or (1, n_pixels)
        ``n_pixels = height * width`` of ``image_shape``.
    image_shape : tuple (height, width)
    title : str
    """
    pixels = _weights_as_image(weights, image_shape)
    limit = symmetric_limit(pixels)
    heatmap = go.Heatmap(
        z=pixels,
        colorscale=WEIGHT_COLORSCALE,
        zmid=0,
        zmin=-limit,
        zmax=limit,
        colorbar={"title": {"text": "weight"}, "thickness": 12},
        hovertemplate="row %{y}, column %{x}<br>weight %{z:.4g}<extra></extra>",
    )
    return go.Figure(heatmap, layout=layout(title, height=height, **_image_axes()))


def weight_heatmaps(
    weight_rows: np.ndarray,
    image_shape: tuple[int, int],
    titles: Sequence[str],
    *,
    title: str,
    columns: int = 4,
    tile_height: int = 200,
) -> go.Figure:
    """Small multiples: one weight image per row of ``weight_rows`` (one per hidden unit).

    All share one colour scale centred on 0, so their strengths can be compared.

    Parameters
    ----------
    weight_rows : array of shape (n_units, n_pixels)
    image_shape : tuple (height, width)
    titles : sequence of str, one per unit
    title : str
    columns : int, default 4
    """
    weight_rows = np.atleast_2d(np.asarray(weight_rows, dtype=float))
    if len(titles) != len(weight_rows):
        raise ValueError(
            f"Need one title per unit: {len(weight_rows)} units, {len(titles)} titles."
        )
    columns = max(1, min(columns, len(weight_rows)))
    rows = math.ceil(len(weight_rows) / columns)
    axes, panels = grid(rows, columns, titles, vertical_gap=0.3 / rows)
    limit = symmetric_limit(weight_rows)
    heatmaps = [
        go.Heatmap(
            z=_weights_as_image(weights, image_shape),
            coloraxis="coloraxis",
            name=unit,
            xaxis=x,
            yaxis=y,
            hovertemplate=f"{unit}<br>row %{{y}}, column %{{x}}"
            "<br>weight %{z:.4g}<extra></extra>",
        )
        for weights, unit, (x, y) in zip(weight_rows, titles, panels, strict=True)
    ]
    for x, y in panels:
        image_axes = _image_axes(anchor=x)
        axes[f"xaxis{x[1:]}"].update(image_axes["xaxis"])
        axes[f"yaxis{y[1:]}"].update(image_axes["yaxis"])
    coloraxis = {
        "colorscale": WEIGHT_COLORSCALE,
        "cmid": 0,
        "cmin": -limit,
        "cmax": limit,
        "colorbar": {"title": {"text": "weight"}, "thickness": 12},
    }
    return go.Figure(
        heatmaps,
        layout=layout(title, height=60 + rows * tile_height, coloraxis=coloraxis, **axes),
    )


def weight_images(
    weight_rows: np.ndarray, image_shape: tuple[int, int], *, pixel_size: int = 3, margin: int = 0
) -> list[np.ndarray]:
    """The pictures of `weight_heatmaps` as plain RGB images, for live previews.

    A browser shows an image at almost no cost, where redrawing a Plotly heatmap
    several times a second costs it more than the training being watched. Same colours
    as the heatmaps (one scale for all rows, centred on 0, white for 0); no hover.

    Parameters
    ----------
    weight_rows : array of shape (n_units, n_pixels)
    image_shape : tuple (height, width)
    pixel_size : int, default 3
        Each weight becomes a square of this many screen pixels, so that the browser
        does not blur the image when it enlarges it.
    margin : int, default 0
        White screen pixels added left and right of each image, to keep images apart
        where they are drawn edge to edge (``st.image`` with a list).

    Returns
    -------
    list of arrays of shape (height * pixel_size, width * pixel_size + 2 * margin, 3), uint8
    """
    if pixel_size < 1:
        raise ValueError(f"pixel_size must be at least 1, got {pixel_size}.")
    if margin < 0:
        raise ValueError(f"margin must be 0 or more, got {margin}.")
    weight_rows = np.atleast_2d(np.asarray(weight_rows, dtype=float))
    limit = symmetric_limit(weight_rows)
    positions, colors = _colorscale_table(WEIGHT_COLORSCALE)
    images = []
    for weights in weight_rows:
        where = (_weights_as_image(weights, image_shape) / limit + 1) / 2  # -limit..limit -> 0..1
        where = np.nan_to_num(where, nan=0.5, posinf=1.0, neginf=0.0)  # a diverged weight
        rgb = np.stack([np.interp(where, positions, channel) for channel in colors.T], axis=-1)
        pixels = np.round(rgb).astype(np.uint8)
        image = pixels.repeat(pixel_size, axis=0).repeat(pixel_size, axis=1)
        images.append(np.pad(image, ((0, 0), (margin, margin), (0, 0)), constant_values=255))
    return images


def image_grid(
    images: np.ndarray,
    *,
    title: str,
    captions: Sequence[str] | None = None,
    hover: Sequence[str] | None = None,
    highlight: Sequence[bool] | None = None,
    columns: int = 10,
    tile_height: int = 80,
) -> go.Figure:
    """A mosaic of grayscale images, with a caption in each tile and some framed in red.

    The mosaic is sent as one PNG, which keeps the figure small however many images
    it holds; an invisible marker over each tile carries its hover text and its index
    (``customdata``), so a click can select an image.

    Parameters
    ----------
    images : array of shape (n_images, height, width)
        Pixel values in [0, 1].
    title : str
    captions : sequence of str, optional
        Short text drawn in the corner of each tile (e.g. a probability).
    hover : sequence of str, optional
        Longer text shown when the pointer rests on a tile.
    highlight : sequence of bool, optional
        Tiles to frame in red (e.g. misclassified images).
    columns : int, default 10
    tile_height : int, default 80
        Height in screen pixels of one row of tiles.
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n_images, height, width), got {images.shape}.")
    count, height, width = images.shape
    for name, values in (("captions", captions), ("hover", hover), ("highlight", highlight)):
        if values is not None and len(values) != count:
            raise ValueError(f"{name} needs one entry per image: {len(values)} for {count}.")
    columns = max(1, min(columns, count)) if count else 1
    rows = max(1, math.ceil(count / columns))
    gap = max(1, height // 16)
    mosaic = np.ones((rows * (height + gap) - gap, columns * (width + gap) - gap))
    corners = []
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        mosaic[top : top + height, left : left + width] = np.clip(image, 0, 1)
        corners.append((top, left))
    figure = go.Figure(go.Image(source=_png_data_uri(mosaic), hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(
            x=[left + width / 2 for _, left in corners],
            y=[top + height / 2 for top, _ in corners],
            mode="markers",
            marker={"size": max(8, tile_height * 0.8), "opacity": 0, "symbol": "square"},
            customdata=list(range(count)),
            hovertext=list(hover) if hover is not None else None,
            hoverinfo="text" if hover is not None else "skip",
            showlegend=False,
            name="images",
        )
    )
    # Set all at once: adding annotations one by one costs time quadratic in their number.
    figure.update_layout(
        annotations=[
            {
                "x": left + 1,
                "y": top + 1,
                "text": captions[index],
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 10, "color": "black"},
                "bgcolor": "rgba(255, 255, 255, 0.75)",
            }
            for index, (top, left) in enumerate(corners)
            if captions is not None and captions[index]
        ],
        shapes=[
            {
                "type": "rect",
                "x0": left - 0.5,
                "y0": top - 0.5,
                "x1": left + width - 0.5,
                "y1": top + height - 0.5,
                "line": {"color": COLORS["wrong"], "width": 3},
            }
            for index, (top, left) in enumerate(corners)
            if highlight is not None and highlight[index]
        ],
    )
    figure.update_xaxes(visible=False, range=[-0.5, mosaic.shape[1] - 0.5])
    figure.update_yaxes(visible=False, range=[mosaic.shape[0] - 0.5, -0.5], scaleanchor="x")
    return apply_layout(figure, title, height=60 + rows * tile_height)


def _as_image(image) -> np.ndarray:
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"An image must be 2-D (height, width), got shape {image.shape}.")
    return image


def _weights_as_image(weights, image_shape) -> np.ndarray:
    weights = np.asarray(weights, dtype=float).reshape(-1)
    height, width = image_shape
    if weights.size != height * width:
        raise ValueError(
            f"{weights.size} weights cannot be drawn as a {height}x{width} image: "
            "there must be one weight per pixel."
        )
    return weights.reshape(height, width)


def _colorscale_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A Plotly colour scale as positions in [0, 1] and their colours, shape (n, 3)."""
    scale = get_colorscale(name)
    positions = np.array([position for position, _ in scale])
    colors = np.array([unlabel_rgb(color) for _, color in scale], dtype=float)
    return positions, colors


def _image_axes(anchor: str = "x") -> dict:
    """Axes that show an image as an image: no ticks, row 0 at the top, square pixels."""
    hidden = {"showticklabels": False, "showgrid": False, "zeroline": False}
    return {
        "xaxis": hidden,
        "yaxis": {**hidden, "autorange": "reversed", "scaleanchor": anchor},
    }


# Encoded mosaics, most recently used last: a task's test images make the same mosaic
# for every model and every learner (only the captions and frames differ), and
# encoding it was a tenth of the server's work when a classroom trained at once.
_PNG_CACHE: OrderedDict[tuple, str] = OrderedDict()
_PNG_CACHE_SIZE = 32
_PNG_CACHE_LOCK = threading.Lock()  # the script threads of all sessions share it


def _png_data_uri(gray: np.ndarray) -> str:
    """Encode a [0, 1] grayscale array as a PNG ``data:`` URI (the same pixels once)."""
    pixels = np.round(gray * 255).astype(np.uint8)
    key = (pixels.shape, hashlib.blake2b(pixels.tobytes(), digest_size=20).digest())
    with _PNG_CACHE_LOCK:
        if key in _PNG_CACHE:
            _PNG_CACHE.move_to_end(key)
            return _PNG_CACHE[key]
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    with _PNG_CACHE_LOCK:
        _PNG_CACHE[key] = uri
        while len(_PNG_CACHE) > _PNG_CACHE_SIZE:
            _PNG_CACHE.popitem(last=False)
    return uri
