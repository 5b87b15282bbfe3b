"""Figures of images, weights, training and predictions: what they draw, checked in their JSON."""

import base64
import io

import numpy as np
import pytest
from charts import figure_json, values
from PIL import Image

from signviz import figures


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.random((7, 6, 5))


def decode_png(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_image_grid_draws_every_tile_once(images):
    figure = figure_json(
        figures.image_grid(
            images,
            title="Seven",
            captions=[f"c{i}" for i in range(7)],
            hover=[f"h{i}" for i in range(7)],
            highlight=[i in (2, 5) for i in range(7)],
            columns=3,
        )
    )
    mosaic, markers = figure["data"]
    pixels = decode_png(mosaic["source"])
    gap = 1
    assert pixels.shape == (3 * 6 + 2 * gap, 3 * 5 + 2 * gap)  # 3 rows of 3 columns
    # Tile 4 (row 1, column 1) holds image 4, rounded to 8 bits.
    tile = pixels[7:13, 6:11]
    np.testing.assert_allclose(tile / 255, images[4], atol=1 / 255)
    assert list(values(markers["customdata"])) == list(range(7))
    assert markers["hovertext"] == [f"h{i}" for i in range(7)]
    assert [a["text"] for a in figure["layout"]["annotations"]] == [f"c{i}" for i in range(7)]
    frames = figure["layout"]["shapes"]
    assert [(shape["x0"], shape["y0"]) for shape in frames] == [(11.5, -0.5), (11.5, 6.5)]
    assert figure["layout"]["title"]["text"] == "Seven"


def test_a_mosaic_is_encoded_once_for_every_grid_of_the_same_images(images, monkeypatch):
    from signviz.figures import images as module

    encoded = []
    encode = module.Image.fromarray
    monkeypatch.setattr(module, "_PNG_CACHE", module.OrderedDict())
    monkeypatch.setattr(
        module.Image, "fromarray", lambda *a, **k: encoded.append(1) or encode(*a, **k)
    )
    first = figure_json(figures.image_grid(images, title="a", captions=["x"] * 7))
    second = figure_json(figures.image_grid(images, title="b", highlight=[True] * 7))
    assert first["data"][0]["source"] == second["data"][0]["source"] and len(encoded) == 1
    # Other pixels make another picture; the oldest pictures make way for new ones.
    other = figure_json(figures.image_grid(images[::-1], title="c"))
    assert (
        decode_png(other["data"][0]["source"]).tolist()
        != decode_png(first["data"][0]["source"]).tolist()
    )
    monkeypatch.setattr(module, "_PNG_CACHE_SIZE", 2)
    for index in range(3):
        figures.image_grid(images * (0.9 - index / 10), title="d")
    assert len(module._PNG_CACHE) == 2 and len(encoded) == 5


def test_image_grid_checks_its_input(images):
    with pytest.raises(ValueError, match="one entry per image"):
        figures.image_grid(images, title="x", captions=["only one"])
    with pytest.raises(ValueError, match="n_images, height, width"):
        figures.image_grid(images[0], title="x")


def test_weight_heatmap_is_centred_on_zero():
    weights = np.linspace(-1, 3, 12)
    figure = figure_json(figures.weight_heatmap(weights, (3, 4), "w"))
    heatmap = figure["data"][0]
    np.testing.assert_array_equal(values(heatmap["z"]), weights.reshape(3, 4))
    assert (heatmap["zmin"], heatmap["zmid"], heatmap["zmax"]) == (-3, 0, 3)
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # row 0 at the top, as an image
    with pytest.raises(ValueError, match="one weight per pixel"):
        figures.weight_heatmap(weights, (5, 5), "w")


def test_weight_heatmaps_share_one_scale():
    rows = np.arange(24, dtype=float).reshape(4, 6) - 10
    figure = figure_json(
        figures.weight_heatmaps(rows, (2, 3), ["a", "b", "c", "d"], title="units", columns=3)
    )
    assert [trace["name"] for trace in figure["data"]] == ["a", "b", "c", "d"]
    assert {trace["coloraxis"] for trace in figure["data"]} == {"coloraxis"}
    assert figure["layout"]["coloraxis"]["cmin"] == -13
    assert figure["layout"]["coloraxis"]["cmax"] == 13
    np.testing.assert_array_equal(values(figure["data"][3]["z"]), rows[3].reshape(2, 3))
    with pytest.raises(ValueError, match="one title per unit"):
        figures.weight_heatmaps(rows, (2, 3), ["a"], title="units")


def test_weight_images_colour_like_the_heatmaps():
    rows = np.array([[-2.0, 0.0, 1.0, 2.0], [0.5, -1.0, np.nan, np.inf]])
    first, second = figures.weight_images(rows, (2, 2), pixel_size=3)
    assert first.shape == second.shape == (6, 6, 3)
    assert first.dtype == np.uint8
    # One scale for all rows (+-2): -2 at the blue end, 0 white, 2 at the red end.
    assert tuple(first[0, 0]) == (5, 48, 97)
    assert tuple(first[0, 3]) == (247, 247, 247)
    assert tuple(first[3, 3]) == (103, 0, 31)
    # +1 is halfway between white and the red end: the scale's stop at 0.75.
    assert tuple(first[3, 0]) == (229, 131, 104)
    # Each weight is a block of pixel_size x pixel_size pixels.
    assert (first[:3, :3] == first[0, 0]).all()
    # A weight that diverged is white (NaN) or the end of the scale (inf), not garbage.
    assert tuple(second[3, 0]) == (247, 247, 247)
    assert tuple(second[3, 3]) == (103, 0, 31)
    with pytest.raises(ValueError, match="one weight per pixel"):
        figures.weight_images(rows, (3, 3))


def test_weight_images_can_keep_a_white_margin():
    rows = np.array([[-2.0, 0.0, 1.0, 2.0]])
    (plain,) = figures.weight_images(rows, (2, 2), pixel_size=3)
    (apart,) = figures.weight_images(rows, (2, 2), pixel_size=3, margin=4)
    assert apart.shape == (6, 6 + 2 * 4, 3)
    np.testing.assert_array_equal(apart[:, 4:-4], plain)
    assert (apart[:, :4] == 255).all() and (apart[:, -4:] == 255).all()
    with pytest.raises(ValueError, match="margin must be 0 or more"):
        figures.weight_images(rows, (2, 2), margin=-1)


def test_cost_curve_has_a_point_per_iteration():
    costs = [3.0, 2.0, 1.5, 1.2]
    figure = figure_json(figures.cost_curve(costs, planned=100, log_y=True))
    trace = figure["data"][0]
    np.testing.assert_array_equal(values(trace["x"]), [0, 1, 2, 3])
    np.testing.assert_array_equal(values(trace["y"]), costs)
    assert figure["layout"]["xaxis"]["range"] == [0, 100]  # costs after 0 to 100 updates
    assert figure["layout"]["yaxis"]["type"] == "log"
    assert figure["layout"]["xaxis"]["title"]["text"] == "iteration"


def test_cost_curve_shows_a_flat_cost_flat():
    flat = [0.693147, 0.69313, 0.693096]
    figure = figure_json(figures.cost_curve(flat, min_span=0.1))
    low, high = figure["layout"]["yaxis"]["range"]
    assert high - low == pytest.approx(0.1)
    assert low < min(flat) and max(flat) < high
    log = figure_json(figures.cost_curve(flat, log_y=True, min_span=0.5))
    low, high = log["layout"]["yaxis"]["range"]  # in decades on a log axis
    assert high - low == pytest.approx(0.5) and low < np.log10(min(flat)) < high
    falling = figure_json(figures.cost_curve([3.0, 2.0, 1.0], min_span=0.1))
    assert "range" not in falling["layout"]["yaxis"]  # a curve taller than the span: untouched


def test_cost_curve_axes_stay_fixed_for_a_run_and_label_whole_decades():
    early = figure_json(figures.cost_curve([0.69, 0.6], planned=2500, log_y=True, y_top=0.69))
    late = figure_json(
        figures.cost_curve(np.geomspace(0.69, 0.05, 2000), planned=2500, log_y=True, y_top=0.69)
    )
    for figure in (early, late):
        axis = figure["layout"]["yaxis"]
        # From three decades below the first cost to just above it, ticks at decades only.
        np.testing.assert_allclose(axis["range"], [np.log10(0.00069) - 0.05, np.log10(0.69) + 0.05])
        assert axis["dtick"] == 1 and "showgrid" in axis["minor"]
        assert figure["layout"]["xaxis"]["range"] == [0, 2500]
    linear = figure_json(figures.cost_curve([14.0, 2.6, 0.5], planned=150, y_top=14.0))
    assert linear["layout"]["yaxis"]["range"] == [0, pytest.approx(14.0 * 1.05)]
    # A cost above the first one (a jump, a divergence) widens the axis: the curve stays in.
    jump = figure_json(figures.cost_curve([14.0, 30.0], planned=150, y_top=14.0))
    assert jump["layout"]["yaxis"]["range"][1] == pytest.approx(30.0 * 1.05)


def test_cost_curve_marks_the_iteration_looked_at():
    figure = figure_json(figures.cost_curve([3.0, 2.0, 1.5], marker_at=1))
    marker = figure["data"][-1]
    assert marker["name"] == "shown"
    assert list(values(marker["x"])) == [1] and list(values(marker["y"])) == [2.0]


def test_cost_curve_marks_divergence():
    figure = figure_json(figures.cost_curve([14.0, 485.9], diverged_at=1))
    marker = figure["data"][1]
    assert marker["name"] == "diverged"
    assert list(values(marker["x"])) == [1] and list(values(marker["y"])) == [485.9]


def test_prediction_grid_frames_the_mistakes(images):
    probabilities = np.array([0.1, 0.9, 0.6, 0.4, 0.2, 0.8, 0.51])
    labels = np.array([0, 1, 0, 1, 0, 1, 1])
    figure = figure_json(
        figures.prediction_grid(images, probabilities, labels, label_names=("3", "8"))
    )
    assert figure["layout"]["title"]["text"].endswith("5 of 7 right")
    assert len(figure["layout"]["shapes"]) == 2  # images 2 and 3 are wrong
    assert [a["text"] for a in figure["layout"]["annotations"]][:2] == ["0.10", "0.90"]
    assert "shows 3; the model says 8" in figure["data"][1]["hovertext"][2]


def test_hidden_activation_bars():
    figure = figure_json(
        figures.hidden_activation_bars(
            np.array([0.5, -1.0, 0.99]), 0.83, label_names=("0", "1"), title="inside"
        )
    )
    hidden, output = figure["data"]
    np.testing.assert_allclose(values(hidden["y"]), [0.5, -1.0, 0.99])
    assert list(hidden["x"]) == ["unit 1", "unit 2", "unit 3"]
    assert list(values(output["y"])) == [0.83]


def test_a_live_cost_curve_can_be_thinned_to_what_a_chart_shows():
    costs = np.linspace(1.0, 0.1, 2501)
    trace = figure_json(figures.cost_curve(costs, planned=2500, max_points=500))["data"][0]
    x = values(trace["x"])
    assert len(x) == 500 and x[0] == 0 and x[-1] == 2500
    np.testing.assert_array_equal(values(trace["y"]), costs[x])
    short = figure_json(figures.cost_curve(costs[:30], max_points=500))["data"][0]
    assert len(values(short["x"])) == 30
