"""The figures of chapters 1-3: what each draws, checked in the JSON a browser receives."""

import numpy as np
import plotly.graph_objects as go
import pytest
from charts import figure_json, values
from imports import loaded_by

from signviz import data, figures
from signviz.descent import QuadraticCost, gradient_descent
from signviz.figures.diagrams import Arrow, Box, box_diagram
from signviz.models.activations import ACTIVATIONS

#: Images per digit 0..9 of the synthetic dataset: uneven on purpose.
SYNTHETIC_COUNTS = (12, 6, 9, 7, 10, 8, 11, 5, 6, 9)


@pytest.fixture
def synthetic_dataset():
    """A small dataset of random 8x8 'images', digits in blocks, uneven counts."""
    rng = np.random.default_rng(0)
    digits = np.repeat(np.arange(10), SYNTHETIC_COUNTS)
    images = rng.random((len(digits), 8, 8)).astype(np.float32)
    names = tuple(f"synthetic[{index}]" for index in range(len(digits)))
    return data.Dataset(images=images, digits=digits, names=names, source="folder")


def traces_by_name(figure) -> dict:
    return {trace["name"]: trace for trace in figure_json(figure)["data"]}


def annotation_texts(figure) -> list[str]:
    annotations = figure_json(figure)["layout"].get("annotations", [])
    return [annotation.get("text", "") for annotation in annotations]


# -- the computation graph -------------------------------------------------------------


def test_the_computation_graph_names_every_step_of_logistic_regression():
    figure = figures.computation_graph(4096)
    boxes = traces_by_name(figure)["boxes"]
    labels = dict(zip(boxes["customdata"], boxes["text"], strict=True))
    assert labels["z"].startswith("z")
    assert labels["sigmoid"] == "sigmoid"
    assert labels["y_hat"] == "ŷ"
    assert labels["loss"] == "loss"
    assert labels["cost"].startswith("cost")
    assert [labels[key] for key in ("x1", "x2", "x3", "more pixels", "x4096")] == [
        "x<sub>1</sub>",
        "x<sub>2</sub>",
        "x<sub>3</sub>",
        "⋮",
        "x<sub>4096</sub>",
    ]
    texts = annotation_texts(figure)
    assert "w<sub>4096</sub>" in texts and "mean over m" in texts
    arrows = [a for a in figure_json(figure)["layout"]["annotations"] if a.get("showarrow")]
    # 5 pixel boxes and the bias into z, then z -> sigmoid -> ŷ -> loss <- y, loss -> cost
    assert len(arrows) == 11


def test_the_computation_graph_follows_the_number_of_pixels():
    labels = traces_by_name(figures.computation_graph(64))["boxes"]["text"]
    assert "x<sub>64</sub>" in labels and "x<sub>4096</sub>" not in labels
    few = traces_by_name(figures.computation_graph(4))["boxes"]["text"]
    assert "⋮" not in few and "x<sub>4</sub>" in few


@pytest.mark.parametrize("n_pixels", [0, -3, 2.5, True])
def test_the_computation_graph_rejects_a_bad_number_of_pixels(n_pixels):
    with pytest.raises(ValueError, match="n_pixels must be a whole number"):
        figures.computation_graph(n_pixels)


def test_box_diagram_arrows_run_from_edge_to_edge():
    boxes = [Box("a", 0, 0, "A", "first", width=2, height=1), Box("b", 5, 0, "B", "second")]
    figure = box_diagram(boxes, [Arrow("a", "b", "goes to")], title="Two boxes")
    (arrow,) = [a for a in figure_json(figure)["layout"]["annotations"] if a.get("showarrow")]
    assert (arrow["ax"], arrow["ay"]) == (1, 0)  # the right edge of a
    assert (arrow["x"], arrow["y"]) == (4.4, 0)  # the left edge of b (width 1.2)
    assert "goes to" in annotation_texts(figure)
    assert len(figure_json(figure)["layout"]["shapes"]) == 2


def test_box_diagram_rejects_duplicate_keys_and_unknown_arrows():
    box = Box("a", 0, 0, "A", "first")
    with pytest.raises(ValueError, match="its own key"):
        box_diagram([box, box], [], title="Twice")
    with pytest.raises(ValueError, match="refers to the box 'c'"):
        box_diagram([box], [Arrow("a", "c")], title="Dangling")


# -- activations, the sigmoid, the loss ------------------------------------------------


def test_the_activation_chart_has_a_curve_and_a_derivative_per_activation():
    figure = figures.activation_curves()
    traces = traces_by_name(figure)
    assert list(traces) == [
        "sigmoid(z)",
        "sigmoid'(z)",
        "tanh(z)",
        "tanh'(z)",
        "relu(z)",
        "relu'(z)",
    ]
    for name, activation in ACTIVATIONS.items():
        z = values(traces[f"{name}(z)"]["x"])
        output = values(traces[f"{name}(z)"]["y"])
        slope = values(traces[f"{name}'(z)"]["y"])
        np.testing.assert_allclose(output, activation.forward(z))
        numerical = np.gradient(output, z)
        smooth = np.abs(z) > 0.1  # away from relu's kink
        np.testing.assert_allclose(slope[smooth][1:-1], numerical[smooth][1:-1], atol=2e-3)
        assert traces[f"{name}'(z)"]["line"]["dash"] == "dash"
        assert traces[f"{name}(z)"]["legendgroup"] == traces[f"{name}'(z)"]["legendgroup"]


def test_the_activation_chart_draws_only_the_chosen_ones():
    assert list(traces_by_name(figures.activation_curves(["tanh"]))) == [
        "tanh(z)",
        "tanh'(z)",
    ]
    with pytest.raises(ValueError, match="Unknown activation 'softmax'"):
        figures.activation_curves(["softmax"])
    with pytest.raises(ValueError, match="at least one activation"):
        figures.activation_curves([])


def test_the_sigmoid_point_at_z_4_is_about_0_98():
    figure = figures.sigmoid_point(4.0)
    point = traces_by_name(figure)["your z"]
    assert values(point["x"]).tolist() == [4.0]
    assert values(point["y"])[0] == pytest.approx(0.98201, abs=1e-5)
    assert point["text"] == ["sigmoid(4) = 0.982"]
    assert figure_json(figure)["layout"]["title"]["text"] == "sigmoid(4) = 0.982"


def test_the_sigmoid_curve_widens_to_show_a_far_z():
    curve = traces_by_name(figures.sigmoid_point(25.0))["sigmoid"]
    assert values(curve["x"]).max() >= 25
    with pytest.raises(ValueError, match="z must be a finite number"):
        figures.sigmoid_point(float("nan"))


def test_the_loss_curves_punish_a_confident_wrong_answer_without_bound():
    figure = figures.loss_curves(0.98)
    traces = traces_by_name(figure)
    if_one = traces["label y = 1: -log ŷ"]
    if_zero = traces["label y = 0: -log(1 - ŷ)"]
    y_hat = values(if_one["x"])
    np.testing.assert_allclose(values(if_one["y"]), -np.log(y_hat))
    np.testing.assert_allclose(values(if_zero["y"]), -np.log(1 - y_hat))
    assert values(if_one["y"])[0] > 6.9  # ŷ = 0.001 for a label 1
    assert values(if_zero["y"])[-1] > 6.9  # ŷ = 0.999 for a label 0
    assert np.all(np.diff(values(if_one["y"])) < 0)
    np.testing.assert_allclose(
        values(traces["your ŷ"]["y"]), [-np.log(0.98), -np.log(0.02)], rtol=1e-12
    )


def test_the_loss_curves_reject_a_prediction_outside_0_1():
    assert "your ŷ" not in traces_by_name(figures.loss_curves())
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        figures.loss_curves(1.0)


# -- gradient descent ----------------------------------------------------------------


def test_the_descent_animation_has_one_frame_per_step_and_a_player():
    run = gradient_descent(5.0, 1.0, 6)
    spec = figure_json(figures.descent_animation(run))
    assert [trace["name"] for trace in spec["data"]] == [
        "cost J(w)",
        "every step",
        "tangent",
        "jump",
        "current",
    ]
    assert [frame["name"] for frame in spec["frames"]] == [str(index) for index in range(7)]
    (player,) = spec["layout"]["updatemenus"]
    buttons = {button["label"]: button for button in player["buttons"]}
    assert set(buttons) == {"▶ Play", "❚❚ Pause"}
    assert buttons["▶ Play"]["method"] == "animate" and buttons["▶ Play"]["args"][0] is None
    assert buttons["❚❚ Pause"]["args"][0] == [None]
    (slider,) = spec["layout"]["sliders"]
    assert [step["args"][0] for step in slider["steps"]] == [[str(index)] for index in range(7)]
    assert "converging" in spec["layout"]["title"]["text"]


def test_each_frame_shows_the_point_its_tangent_and_the_jump_to_the_next():
    run = gradient_descent(5.0, 3.0, 4)
    spec = figure_json(figures.descent_animation(run))
    everything = spec["data"][1]
    np.testing.assert_allclose(values(everything["x"]), run.weights)
    np.testing.assert_allclose(values(everything["y"]), run.costs)
    for index, frame in enumerate(spec["frames"]):
        assert frame["traces"] == [2, 3, 4]
        tangent, jump, current = frame["data"]
        assert values(current["x"]).tolist() == [run.weights[index]]
        assert values(current["y"])[0] == pytest.approx(run.costs[index])
        tangent_x, tangent_y = values(tangent["x"]), values(tangent["y"])
        slope = (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0])
        assert slope == pytest.approx(run.slopes[index])
        if index + 1 < len(run.weights):
            np.testing.assert_allclose(values(jump["x"]), run.weights[index : index + 2])
        else:
            assert len(values(jump["x"])) == 0


def test_the_descent_axes_hold_every_step_and_the_minimum():
    bowl = QuadraticCost()
    run = gradient_descent(5.0, 4.5, 10, bowl)  # diverging: the steps spread out
    layout = figure_json(figures.descent_animation(run))["layout"]
    low, high = layout["xaxis"]["range"]
    assert low < min(run.weights.min(), bowl.minimum_weight)
    assert high > max(run.weights.max(), bowl.minimum_weight)
    assert layout["yaxis"]["range"][1] > run.costs.max()


def test_a_diverged_run_is_marked():
    run = gradient_descent(5.0, 10.0, 30)
    assert run.diverged
    figure = figures.descent_animation(run)
    assert len(figure.frames) == len(run.weights)
    assert any("diverged" in text for text in annotation_texts(figure))
    assert not any(
        "diverged" in text
        for text in annotation_texts(figures.descent_animation(gradient_descent()))
    )


# -- the dataset -----------------------------------------------------------------------


def test_the_class_count_bars_equal_the_datasets_counts(synthetic_dataset):
    figure = figures.class_counts(synthetic_dataset.counts(), highlight=(3, 7))
    (bars,) = figure_json(figure)["data"]
    assert values(bars["x"]).tolist() == list(range(10))
    assert values(bars["y"]).tolist() == list(SYNTHETIC_COUNTS)
    colors = bars["marker"]["color"]
    assert {index for index, color in enumerate(colors) if color == colors[3]} == {3, 7}
    assert colors[0] != colors[3]


@pytest.mark.real_data
def test_the_class_count_bars_of_the_real_dataset(real_dataset):
    (bars,) = figure_json(figures.class_counts(real_dataset.counts()))["data"]
    assert values(bars["y"]).tolist() == list(data.DIGIT_COUNTS)


def test_class_counts_reject_nonsense():
    with pytest.raises(ValueError, match="no images"):
        figures.class_counts({})
    with pytest.raises(ValueError, match="cannot be negative"):
        figures.class_counts({0: 3, 1: -1})


def test_the_sample_grid_shows_the_first_images_of_each_digit(synthetic_dataset):
    figure = figures.digit_samples(
        synthetic_dataset.images,
        synthetic_dataset.digits,
        per_digit=6,
        names=synthetic_dataset.names,
        labels={4: 0, 9: 1},
    )
    tiles = values(figure.data[1].customdata).tolist()
    assert len(tiles) == 10 * 6
    starts = np.concatenate([[0], np.cumsum(SYNTHETIC_COUNTS)[:-1]])
    for digit, start in enumerate(starts):
        row = tiles[digit * 6 : digit * 6 + 6]
        shown = min(6, SYNTHETIC_COUNTS[digit])
        assert row[:shown] == list(range(start, start + shown))
        assert row[shown:] == [-1] * (6 - shown)  # digit 7 has only 5 images
    captions = annotation_texts(figure)
    assert captions.count("4 → label 0") == 6 and captions.count("9 → label 1") == 6
    assert captions.count("2") == 6
    assert "synthetic[12]" in figure.data[1].hovertext[6]


def test_the_sample_grid_rejects_mismatched_inputs(synthetic_dataset):
    with pytest.raises(ValueError, match="one digit each"):
        figures.digit_samples(synthetic_dataset.images, synthetic_dataset.digits[:-1])
    with pytest.raises(ValueError, match="per_digit must be a whole number"):
        figures.digit_samples(synthetic_dataset.images, synthetic_dataset.digits, per_digit=0)


def test_the_preparation_shapes_follow_the_task(synthetic_dataset):
    task = data.make_task(synthetic_dataset, (0, 4), test_size=0.25, random_state=1)
    shapes = task.tutorial_shapes()
    n_images = 12 + 10
    assert shapes["X"] == (n_images, 8, 8) and shapes["Y"] == (n_images, 1)
    assert task.n_train + task.n_test == n_images
    assert shapes["X_train_flatten"] == (task.n_train, 64)
    assert shapes["x_train"] == (64, task.n_train) and shapes["y_train"] == (1, task.n_train)
    assert shapes["x_test"] == (64, task.n_test) and shapes["y_test"] == (1, task.n_test)
    assert shapes["x_train"] == task.x_train.T.shape


@pytest.mark.real_data
def test_the_preparation_shapes_of_the_tutorial(real_dataset):
    shapes = data.make_task(real_dataset).tutorial_shapes()
    assert shapes == {
        "X": (410, 64, 64),
        "Y": (410, 1),
        "X_train": (348, 64, 64),
        "X_test": (62, 64, 64),
        "Y_train": (348, 1),
        "Y_test": (62, 1),
        "X_train_flatten": (348, 4096),
        "X_test_flatten": (62, 4096),
        "x_train": (4096, 348),
        "x_test": (4096, 62),
        "y_train": (1, 348),
        "y_test": (1, 62),
    }


def test_the_preparation_diagram_writes_every_shape(synthetic_dataset):
    shapes = data.make_task(synthetic_dataset, (1, 2)).tutorial_shapes()
    figure = figures.preparation_diagram(shapes)
    assert isinstance(figure, go.Figure)
    texts = annotation_texts(figure)
    for name, shape in shapes.items():
        assert f"<b>{name}</b><br>({', '.join(map(str, shape))})" in texts
    with pytest.raises(ValueError, match="shapes lacks x_test"):
        figures.preparation_diagram(
            {key: value for key, value in shapes.items() if key != "x_test"}
        )


def test_importing_the_figures_loads_no_model_code_nor_scipy():
    # The app's glue imports the figures at start-up: they must not bring the models
    # (hence scikit-learn) or SciPy with them. The activation curves load them when drawn.
    heavy = ("signviz.models", "signviz.descent", "sklearn", "scipy")
    assert loaded_by("signviz.figures", among=heavy) == []
