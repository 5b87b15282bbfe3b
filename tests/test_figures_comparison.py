"""Figures of the comparison page: confusion matrices and explanation maps, read as JSON."""

import numpy as np
import pytest
from charts import figure_json, values
from plotly.colors import get_colorscale

from signviz.figures import confusion_matrix, explanation_map
from signviz.figures.style import WEIGHT_COLORSCALE


def test_confusion_matrix_holds_the_counts_with_the_digits_as_labels():
    matrix = np.array([[29, 2], [5, 26]])
    spec = figure_json(confusion_matrix(matrix, ("3", "8"), title="Two-layer network"))
    (heatmap,) = spec["data"]
    np.testing.assert_array_equal(values(heatmap["z"]), matrix)
    assert list(heatmap["x"]) == ["3", "8"] and list(heatmap["y"]) == ["3", "8"]
    assert heatmap["texttemplate"] == "%{z}"  # each cell shows its count
    layout = spec["layout"]
    assert layout["title"]["text"] == "Two-layer network"
    assert layout["xaxis"]["title"]["text"] == "predicted digit"
    assert layout["yaxis"]["title"]["text"] == "true digit"
    assert layout["xaxis"]["type"] == layout["yaxis"]["type"] == "category"
    assert layout["yaxis"]["autorange"] == "reversed"  # the first digit's row on top


def test_confusion_matrix_needs_two_labels():
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        confusion_matrix(np.ones((3, 3)), ("0", "1"), title="")


def test_explanation_shows_the_image_and_the_map_centred_on_zero():
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 1, size=(3, 5))  # not square: the shape comes from the image
    contributions = rng.normal(0, 1, size=15) + 0.5
    spec = figure_json(
        explanation_map(
            image, contributions, kind="contribution", label_names=("0", "1"), title="Ours"
        )
    )
    shown_image, shown_map = spec["data"]
    np.testing.assert_allclose(values(shown_image["z"]), image)
    np.testing.assert_allclose(values(shown_map["z"]), contributions.reshape(3, 5))
    np.testing.assert_allclose(values(shown_map["customdata"]), image)  # pixel values on hover
    assert shown_map["zmid"] == 0
    assert shown_map["zmin"] == pytest.approx(-np.abs(contributions).max())
    assert shown_map["zmax"] == pytest.approx(np.abs(contributions).max())
    assert "contribution w·x" in shown_map["hovertemplate"]
    titles = [annotation["text"] for annotation in spec["layout"]["annotations"]]
    assert titles == ["the image", "contribution w·x: red for 1, blue for 0"]
    assert spec["layout"]["title"]["text"] == "Ours"


def test_explanation_uses_the_weights_diverging_colours():
    figure = explanation_map(
        np.zeros((2, 2)), np.array([1.0, -2, 0, 0]), kind="gradient", label_names=("4", "5"),
        title="",
    )  # fmt: skip
    colours = [colour for _, colour in figure.data[1].colorscale]
    assert colours == [colour for _, colour in get_colorscale(WEIGHT_COLORSCALE)]
    assert figure.data[1].zmin == -2 and figure.data[1].zmax == 2
    assert "gradient of z" in figure.data[1].hovertemplate


def test_an_all_zero_map_still_has_a_colour_range():
    figure = explanation_map(
        np.zeros((2, 2)), np.zeros(4), kind="gradient", label_names=("0", "1"), title=""
    )
    assert (figure.data[1].zmin, figure.data[1].zmid, figure.data[1].zmax) == (-1, 0, 1)


@pytest.mark.parametrize(
    ("image", "map_values", "kind", "message"),
    [
        (np.zeros(4), np.zeros(4), "gradient", "must be 2-D"),
        (np.zeros((2, 2)), np.zeros(5), "gradient", "one per pixel"),
        (np.zeros((2, 2)), np.zeros(4), "saliency", "Unknown kind"),
    ],
)
def test_explanation_rejects_mismatched_input(image, map_values, kind, message):
    with pytest.raises(ValueError, match=message):
        explanation_map(image, map_values, kind=kind, label_names=("0", "1"), title="")
