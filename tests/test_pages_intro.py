"""Chapters 1-3 through AppTest: the dataset, the computation graph, gradient descent."""

from pathlib import Path

import numpy as np
import pytest
from charts import chart_specs, chart_titled, title, values
from pages import metrics, open_app, open_page
from streamlit.testing.v1 import AppTest

from signviz import data, descent
from signviz.data import DATA_DIR_VARIABLE


def alerts(app: AppTest) -> str:
    """The text of every success, info, warning and error box, one per line."""
    boxes = [*app.success, *app.info, *app.warning, *app.error]
    return "\n".join(box.value for box in boxes)


def box_labels(spec: dict) -> dict:
    """A box diagram's labels by box key."""
    (boxes,) = [trace for trace in spec["data"] if trace["name"] == "boxes"]
    return dict(zip(boxes["customdata"], boxes["text"], strict=True))


def shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


@pytest.fixture
def real_data(real_dataset, monkeypatch):
    """The app reads the same real photos as the ``real_dataset`` fixture."""
    monkeypatch.setenv(DATA_DIR_VARIABLE, real_dataset.location)
    return real_dataset


# -- 1. the dataset --------------------------------------------------------------------


@pytest.mark.real_data
def test_the_dataset_page_shows_the_tutorials_shapes(real_data):
    app = open_app("dataset")
    titles = [title(spec) for spec in chart_specs(app)]
    assert titles[:3] == [
        "The first 8 images of each digit",
        "Images of each digit: 0 and 1 are the task's",
        "From images to the matrices the numpy code uses",
    ]
    (bars,) = chart_titled(app, "Images of each digit")["data"]
    assert values(bars["y"]).tolist() == list(data.DIGIT_COUNTS)
    labels = box_labels(chart_titled(app, "From images to the matrices"))
    assert labels["X"] == "<b>X</b><br>(410, 64, 64)"
    assert labels["Y"] == "<b>Y</b><br>(410, 1)"
    assert labels["X_train_flatten"] == "<b>X_train_flatten</b><br>(348, 4096)"
    assert labels["x_train"] == "<b>x_train</b><br>(4096, 348)"
    assert labels["y_train"] == "<b>y_train</b><br>(1, 348)"
    assert labels["x_test"] == "<b>x_test</b><br>(4096, 62)"
    text = "\n".join(markdown.value for markdown in app.markdown)
    assert "`X` has shape (410, 64, 64)" in text
    assert "348 images to learn from, 62 kept aside" in text
    assert "64 · 64 = 4096 pixels" in text
    assert "`x_train` has shape\n   (4096, 348)" in text
    assert "Apache-2.0" in text and "Anadolu High School" in text


@pytest.mark.real_data
def test_other_digits_change_the_dataset_page(real_data):
    app = open_app("dataset")
    assert chart_titled(app, "Images of each digit: 0 and 1 are the task's")
    app.selectbox(key="second_digit").set_value(7).run()
    assert not app.exception
    counts = chart_titled(app, "Images of each digit: 0 and 7 are the task's")
    colors = counts["data"][0]["marker"]["color"]
    assert colors[7] == colors[0] != colors[1]
    captions = [note["text"] for note in chart_titled(app, "The first 8")["layout"]["annotations"]]
    assert captions.count("7 → label 1") == 8 and captions.count("1") == 8
    folders = {option.split("/")[0] for option in app.selectbox(key="dataset_image").options}
    assert folders == {"0", "7"}
    assert app.selectbox(key="dataset_image").value.split("/")[0] in folders


@pytest.mark.real_data
def test_another_test_size_changes_the_shapes(real_data):
    app = open_app("dataset")
    app.select_slider(key="test_size").set_value(0.25).run()
    assert not app.exception
    task = data.make_task(real_data, test_size=0.25)
    assert task.n_train != 348
    labels = box_labels(chart_titled(app, "From images to the matrices"))
    assert labels["x_train"] == f"<b>x_train</b><br>(4096, {task.n_train})"
    assert labels["x_test"] == f"<b>x_test</b><br>(4096, {task.n_test})"
    text = "\n".join(markdown.value for markdown in app.markdown)
    assert f"{task.n_train} images to learn from, {task.n_test} kept aside" in text


@pytest.mark.real_data
def test_choosing_an_image_shows_it_large(real_data):
    app = open_app("dataset")
    task = data.make_task(real_data)
    app.radio(key="dataset_split").set_value("test").run()
    assert not app.exception
    assert len(app.selectbox(key="dataset_image").options) == task.n_test == 62
    index = 5
    name, label = task.names_test[index], int(task.y_test[index])
    app.selectbox(key="dataset_image").set_value(name).run()
    assert not app.exception
    spec = chart_titled(app, f"{name}: the digit {task.digits[label]}, label {label}")
    np.testing.assert_allclose(values(spec["data"][0]["z"]), task.images_test[index], atol=1e-6)
    assert any(f"column {index} of `x_test`" in caption.value for caption in app.main.caption)


def test_the_dataset_page_follows_the_fallback_data(fallback):
    assert fallback.is_fallback
    app = open_app("dataset")
    task = data.make_task(fallback)
    shapes = task.tutorial_shapes()
    labels = box_labels(chart_titled(app, "From images to the matrices"))
    for name in ("X", "X_train_flatten", "x_train", "y_test"):
        assert labels[name] == f"<b>{name}</b><br>{shape_text(shapes[name])}"
    assert shapes["x_train"] == (64, task.n_train)
    (bars,) = chart_titled(app, "Images of each digit")["data"]
    assert values(bars["y"]).tolist() == list(fallback.counts().values())
    image = chart_titled(app, task.names_train[0])
    assert values(image["data"][0]["z"]).shape == (8, 8)


# -- 2. the computation graph ----------------------------------------------------------


def test_the_computation_graph_page_draws_the_graph_and_the_sigmoid():
    app = open_app("computation_graph")
    n_pixels = data.make_task(data.load_dataset()).n_features
    labels = box_labels(chart_titled(app, "The computation graph of logistic regression"))
    assert {"z", "sigmoid", "y_hat", "loss", "cost"} <= set(labels)
    assert labels[f"x{n_pixels}"] == f"x<sub>{n_pixels}</sub>"
    assert metrics(app)["ŷ = sigmoid(z)"] == "0.982"
    (point,) = [
        trace for trace in chart_titled(app, "sigmoid(4)")["data"] if trace["name"] == "your z"
    ]
    assert values(point["y"])[0] == pytest.approx(0.982, abs=5e-4)
    activations = chart_titled(app, "Activations")
    assert len(activations["data"]) == 6
    loss = chart_titled(app, "The loss of one image")
    assert "your ŷ" in [trace["name"] for trace in loss["data"]]


def test_the_z_slider_moves_the_point_and_the_losses():
    app = open_app("computation_graph")
    app.slider(key="computation_graph_z").set_value(0.0).run()
    assert not app.exception
    shown = metrics(app)
    assert shown["ŷ = sigmoid(z)"] == "0.500"
    assert shown["Loss if y = 1"] == shown["Loss if y = 0"] == "0.693"
    assert title(chart_titled(app, "sigmoid(")) == "sigmoid(0) = 0.500"

    app.slider(key="computation_graph_z").set_value(4.0).run()
    assert metrics(app)["ŷ = sigmoid(z)"] == "0.982"
    assert metrics(app)["Loss if y = 0"] == "4.018"


def test_choosing_activations():
    app = open_app("computation_graph")
    app.multiselect(key="computation_graph_activations").set_value(["relu"]).run()
    assert not app.exception
    names = [trace["name"] for trace in chart_titled(app, "Activations")["data"]]
    assert names == ["relu(z)", "relu'(z)"]
    app.multiselect(key="computation_graph_activations").set_value([]).run()
    assert not app.exception
    assert not [spec for spec in chart_specs(app) if title(spec).startswith("Activations")]
    assert "Choose at least one activation" in alerts(app)


# -- 3. gradient descent ---------------------------------------------------------------


def descent_table(app: AppTest):
    (table,) = [frame for frame in app.dataframe if "iteration" in frame.value.columns]
    return table.value


def test_the_gradient_descent_page_starts_with_the_tutorials_learning_rate():
    app = open_app("gradient_descent")
    assert app.slider(key="gradient_descent_learning_rate").value == 1.0
    assert "**Converging.**" in alerts(app)
    table = descent_table(app)
    expected = descent.gradient_descent(5.0, 1.0, 12)
    assert len(table) == 13
    np.testing.assert_allclose(table["w"], expected.weights)
    np.testing.assert_allclose(table["cost J(w)"], expected.costs)
    animation = chart_titled(app, "Gradient descent, learning rate 1: converging")
    assert len(animation["frames"]) == 13
    assert {button["label"] for button in animation["layout"]["updatemenus"][0]["buttons"]} == {
        "▶ Play",
        "❚❚ Pause",
    }


@pytest.mark.parametrize(
    ("learning_rate", "message"),
    [
        (0.05, "**Crawling.**"),
        (3.0, "**Overshooting.**"),
        (4.5, "**Diverging.**"),
    ],
)
def test_the_learning_rate_changes_the_regime_and_the_steps(learning_rate, message):
    app = open_app("gradient_descent")
    before = descent_table(app)["w"].to_numpy()
    app.slider(key="gradient_descent_learning_rate").set_value(learning_rate).run()
    assert not app.exception
    assert message in alerts(app) and "**Converging.**" not in alerts(app)
    after = descent_table(app)["w"].to_numpy()
    np.testing.assert_allclose(after, descent.gradient_descent(5.0, learning_rate, 12).weights)
    assert not np.allclose(after, before)
    assert title(chart_specs(app)[0]).startswith(
        f"Gradient descent, learning rate {learning_rate:g}"
    )


def test_the_presets_set_the_learning_rate():
    app = open_app("gradient_descent")
    for regime in descent.Regime:
        app.button(key=f"gradient_descent_preset_{regime}").click().run()
        assert not app.exception
        value = descent.example_learning_rate(regime)
        assert app.slider(key="gradient_descent_learning_rate").value == value
        assert f"**{regime.value.capitalize()}.**" in alerts(app)


def test_a_run_that_leaves_the_chart_stops_early():
    app = open_app("gradient_descent")
    app.slider(key="gradient_descent_learning_rate").set_value(5.0)
    app.slider(key="gradient_descent_steps").set_value(40).run()
    assert not app.exception
    assert "left the chart and was stopped" in alerts(app)
    run = descent.gradient_descent(5.0, 5.0, 40)
    assert run.diverged and len(descent_table(app)) == len(run.weights) < 41


def test_the_settings_survive_a_page_switch():
    app = open_app("gradient_descent")
    app.slider(key="gradient_descent_learning_rate").set_value(3.0)
    app.number_input(key="gradient_descent_start").set_value(-4.0).run()
    open_page(app, "dataset")
    open_page(app, "gradient_descent")
    assert app.slider(key="gradient_descent_learning_rate").value == 3.0
    assert descent_table(app)["w"].iloc[0] == -4.0


# -- issue 11: the tutorial's missing sections, its names, and what it got wrong ----------


def page_text(app: AppTest) -> str:
    """Every Markdown block and caption of the page, one after the other."""
    return "\n".join(
        [markdown.value for markdown in app.markdown] + [caption.value for caption in app.caption]
    )


def expander_labels(app: AppTest) -> list[str]:
    return [expander.label for expander in app.expander]


@pytest.mark.real_data
def test_the_introduction_chapter_has_the_tutorials_introduction(real_data):
    app = open_app("introduction")
    assert app.title[0].value == "0. What deep learning is"
    assert [header.value for header in app.header] == [
        "Deep learning and machine learning",
        "Why use it, and when",
        "Artificial neural networks in one page",
        "Hyperparameters",
    ]
    text = page_text(app)
    n_task = 410
    assert f"whole dataset has {len(real_data.images):,} images" in text
    assert f"the current task uses {n_task}" in text
    assert f"about {n_task / 1_000_000:.2%} of that million" in text
    for term in ("logistic regression repeated", "2-layer network", "*hidden*", "features"):
        assert term in text, term
    assert "learning rate α" in text and "hyperparameters" in text.lower()
    assert not app.exception


def test_the_start_page_links_the_introduction():
    app = open_app("start")
    links = [link.proto.page for link in app.get("page_link")]
    assert links[0] == "introduction" and len(links) == 10
    promise = 'every chapter from 1 to 7 has an expander, "The\ntutorial\'s names"'
    assert any(promise in block.value for block in app.markdown)
    chapters = Path(__file__).resolve().parents[1] / "chapters"
    for page in links[1:8]:  # chapters 1 to 7, in the start page's order
        source = (chapters / f"{page}.py").read_text()
        assert 'st.expander("The tutorial\'s names")' in source, page
        assert 'texts.load("names_' in source, page


@pytest.mark.real_data
def test_the_dataset_page_says_only_what_the_readme_says(real_data):
    app = open_app("dataset")
    text = page_text(app)
    assert "218 students of" not in text and "each signed" not in text
    total = sum(data.DIGIT_COUNTS)
    assert f"holds {total} colour photos" in text
    caption = (
        f"218 participating students and 10 samples per student, which would make 2180; "
        f"the published folders hold {total} photos, {min(data.DIGIT_COUNTS)} to "
        f"{max(data.DIGIT_COUNTS)} per digit"
    )
    assert caption in text.replace("\n", " ")
    assert total == 2062 and (min(data.DIGIT_COUNTS), max(data.DIGIT_COUNTS)) == (204, 208)
    assert "The tutorial's names" in expander_labels(app)
    assert "`X_train_flatten`" in text


def test_the_computation_graph_page_corrects_the_sigmoid_example():
    app = open_app("computation_graph")
    text = page_text(app)
    assert "rounds" not in text
    assert f"sigmoid(4) is {1 / (1 + np.exp(-4)):.3f}" in text
    z_ninety = np.log(9)
    assert f"0.9 is what z = {z_ninety:.1f} gives" in text
    assert 1 / (1 + np.exp(-round(z_ninety, 1))) == pytest.approx(0.9, abs=0.002)
    assert "**mean** loss" in text and "*sum* (soma)" in text
    assert "The tutorial's names" in expander_labels(app)
    assert "`initialize_weights_and_bias(dimension)`" in text


def test_starting_at_the_minimum_moves_nothing():
    app = open_app("gradient_descent")
    app.number_input(key="gradient_descent_start").set_value(1.3).run()
    assert not app.exception
    assert "**Already at the minimum.**" in alerts(app)
    assert "99 %" not in alerts(app)
    assert np.all(descent_table(app)["w"] == 1.3)


def test_the_gradient_descent_page_sets_the_tutorials_walk_beside_a_bowl():
    app = open_app("gradient_descent")
    text = page_text(app)
    assert "an illustration with easy numbers, not the tutorial's own curve" in text
    walk = descent.TutorialWalk()
    (table,) = [frame for frame in app.dataframe if "tutorial's slope" in frame.value.columns]
    np.testing.assert_allclose(table.value["bowl's slope"], walk.table()["bowl's slope"])
    assert f"slope {walk.bowl.slope(1.3):.3f}, not 0.01" in text.replace("\n", " ")
    assert "The tutorial's names" in expander_labels(app)


@pytest.mark.real_data
def test_the_gradient_descent_page_shows_the_tutorials_own_zigzag(real_data):
    from signviz import diagnose
    from signviz.models import LogisticRegressionGD

    app = open_app("gradient_descent")
    text = page_text(app).replace("\n", " ")
    assert "0.1 already makes the cost zigzag" not in text
    task = data.make_task(real_data, dtype=np.float32)
    costs = LogisticRegressionGD().fit(task.x_train, task.y_train).cost_history_
    jumps = diagnose.cost_jumps(costs)
    assert f"the cost rises after {jumps.rises} of its {jumps.steps} steps" in text
    assert (jumps.rises, jumps.steps, jumps.last_rise) == (50, 149, 100)
    assert f"({costs[0]:.2f}, then {costs[10]:.2f})" in text
    assert "(14.01, then 2.56)" in text
    assert "z starts between 23.0 and 34.2" in text


def test_the_new_sections_render_on_the_fallback_data(fallback):
    assert fallback.is_fallback
    app = open_app("introduction")
    assert f"whole dataset has {len(fallback.images):,} images" in page_text(app)
    open_page(app, "gradient_descent")
    assert "The same zigzag in chapter 4" in [header.value for header in app.header]
    open_page(app, "mistakes")
    assert "### Conclusion" in page_text(app)
