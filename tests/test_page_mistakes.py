"""The "Mistakes & comparison" page through AppTest, with models trained on their own pages."""

import numpy as np
import pytest
from charts import chart_specs, chart_titled, title, values
from live import press
from pages import new_app, open_page
from sklearn.metrics import confusion_matrix

from signviz import ui

GALLERY_TITLE = " test images wrong for "


def train_through_the_pages(app, logreg_iterations=40, two_layer_iterations=100):
    """Train logistic regression (which also fits scikit-learn's) and the two-layer network."""
    open_page(app, "logistic_regression")
    app.slider(key="logreg_iterations").set_value(logreg_iterations)
    press(app, "logreg_train")
    open_page(app, "two_layer_network")
    app.slider(key="two_layer_iterations").set_value(two_layer_iterations)
    press(app, "two_layer_train")
    assert not app.exception


def records(app) -> list:
    return list(app.session_state["trained_models"].values())


def wrong_answers(app) -> dict:
    """Which test images each model of the session gets wrong, from its own predictions."""
    task = app.session_state["task"]
    return {
        record.title: record.model.predict(task.x_test) != task.y_test for record in records(app)
    }


def gallery(app) -> list[int]:
    """The test images the gallery shows, in order, identified by their names on hover."""
    task = app.session_state["task"]
    (spec,) = [spec for spec in chart_specs(app) if GALLERY_TITLE in title(spec)]
    markers = spec["data"][1]
    assert list(markers["customdata"]) == list(range(len(markers["hovertext"])))
    names = [text.split("<br>")[0].rsplit(": shows ", 1)[0] for text in markers["hovertext"]]
    return [task.names_test.index(name) for name in names]


def surest_wrong(app, index: int, titles) -> float:
    """The largest probability that one of ``titles``'s models gave to a wrong answer."""
    task = app.session_state["task"]
    sure = []
    for record in records(app):
        if record.title in titles:
            probability = record.model.predict_proba(task.x_test[index : index + 1])[0]
            if np.argmax(probability) != task.y_test[index]:
                sure.append(probability.max())
    return max(sure)


def assert_gallery_shows(app, expected: np.ndarray, titles) -> None:
    """The gallery holds exactly the ``expected`` images, the most confidently wrong first."""
    shown = gallery(app)
    assert sorted(shown) == np.flatnonzero(expected).tolist()
    confidence = [surest_wrong(app, index, titles) for index in shown]
    assert confidence == sorted(confidence, reverse=True)
    options = app.selectbox(key="mistakes_image").options
    task = app.session_state["task"]
    assert [option.split(" ")[1] for option in options] == [task.names_test[i] for i in shown]


@pytest.fixture
def trained(app):
    """Logistic regression, scikit-learn's and the two-layer network, then the page."""
    train_through_the_pages(app)
    return open_page(app, "mistakes")


@pytest.mark.real_data
def test_without_a_model_the_page_says_where_to_train_one(app):
    open_page(app, "mistakes")
    assert "No model has been trained on 0 against 1" in app.info[0].value
    links = [link.proto.page for link in app.get("page_link")]
    assert links == ["logistic_regression", "two_layer_network", "keras_network"]
    assert not app.get("plotly_chart")


@pytest.mark.real_data
def test_the_comparison_lists_every_model_with_its_confusion_matrix(trained):
    task = trained.session_state["task"]
    titles = [record.title for record in records(trained)]
    assert set(titles) == {
        "Logistic regression (from scratch)",
        "scikit-learn LogisticRegression",
        "Two-layer network (from scratch)",
    }
    table = trained.dataframe[0].value
    assert list(table["model"]) == titles
    iterations = [int(np.max(record.model.n_iter_)) for record in records(trained)]
    assert iterations[1:] == [40, 100]  # scikit-learn's solver stops when it has converged
    assert list(table["trained for"]) == [f"{count} iterations" for count in iterations]
    for record, test_accuracy in zip(records(trained), table["test accuracy"], strict=True):
        predictions = record.model.predict(task.x_test)
        assert test_accuracy == pytest.approx(np.mean(predictions == task.y_test))
        heatmap = chart_titled(trained, f"{record.title}<br>")["data"][0]
        counts = values(heatmap["z"])
        np.testing.assert_array_equal(counts, confusion_matrix(task.y_test, predictions))
        assert counts.sum() == 62
        assert list(heatmap["x"]) == list(heatmap["y"]) == ["0", "1"]


@pytest.mark.real_data
def test_the_gallery_holds_the_images_each_model_gets_wrong(trained):
    trained.radio(key="mistakes_mode").set_value("this model").run()
    wrong = wrong_answers(trained)
    # At first, the model with the most mistakes.
    assert trained.selectbox(key="mistakes_model").value == "Logistic regression (from scratch)"
    for name, expected in wrong.items():
        trained.selectbox(key="mistakes_model").set_value(name).run()
        assert not trained.exception
        if expected.any():
            assert_gallery_shows(trained, expected, {name})
        else:
            assert trained.success[0].value == f"No test image is wrong for {name}."
    assert not wrong["scikit-learn LogisticRegression"].any()  # 62 of 62 on zeros and ones


@pytest.mark.real_data
def test_the_gallery_of_images_wrong_for_some_models_but_not_all(trained):
    trained.radio(key="mistakes_mode").set_value("some").run()
    wrong = np.array(list(wrong_answers(trained).values()))
    expected = wrong.any(axis=0) & ~wrong.all(axis=0)
    assert expected.sum() > 10
    assert_gallery_shows(trained, expected, set(wrong_answers(trained)))


@pytest.mark.real_data
def test_the_gallery_of_images_wrong_for_all_models(trained):
    trained.radio(key="mistakes_mode").set_value("all").run()
    assert trained.success[0].value == "No test image is wrong for every model."
    models = trained.session_state["trained_models"]
    (scikit_learn,) = [key for key in models if key[1] == "sklearn"]
    del models[scikit_learn]  # it gets every test image right: leave the two weaker ones
    trained.run()
    wrong = np.array(list(wrong_answers(trained).values()))
    assert len(wrong) == 2 and wrong.all(axis=0).any()
    assert_gallery_shows(trained, wrong.all(axis=0), set(wrong_answers(trained)))


@pytest.mark.real_data
def test_picking_an_image_shows_one_explanation_per_model(trained):
    trained.radio(key="mistakes_mode").set_value("some").run()
    picked = gallery(trained)[2]
    trained.selectbox(key="mistakes_image").set_value(picked).run()
    assert not trained.exception
    task = trained.session_state["task"]
    x = task.x_test[picked]
    assert chart_titled(trained, f"Shows {task.label_names[task.y_test[picked]]}")
    maps = [spec for spec in chart_specs(trained) if ": z = " in title(spec)]
    assert len(maps) == len(records(trained)) == 3
    for record in records(trained):
        spec = chart_titled(trained, f"{record.title}: z = ")
        z = record.model.decision_function(x[np.newaxis, :])[0]
        assert title(spec) == f"{record.title}: z = {z:.3g}"
        shown_image, shown_map = spec["data"]
        np.testing.assert_allclose(values(shown_image["z"]), task.images_test[picked], atol=1e-6)
        if hasattr(record.model, "coef_"):
            expected = record.model.coef_[0] * x
            np.testing.assert_allclose(
                expected.sum() + record.model.intercept_[0], z, rtol=1e-5
            )  # float32
        else:
            expected = record.model.input_gradient(x[np.newaxis, :])[0]
        np.testing.assert_allclose(values(shown_map["z"]), expected.reshape(64, 64))
        assert shown_map["zmid"] == 0 and shown_map["zmin"] == -shown_map["zmax"]


@pytest.mark.real_data
@pytest.mark.slow
def test_a_keras_network_joins_the_comparison(app):
    train_through_the_pages(app)
    open_page(app, "keras_network")
    app.slider(key="keras_epochs").set_value(3)
    press(app, "keras_train")
    open_page(app, "mistakes")
    assert "Keras network" in list(app.dataframe[0].value["model"])
    assert list(app.dataframe[0].value["trained for"])[-1] == "3 epochs"
    task = app.session_state["task"]
    network = app.session_state["trained_models"][(ui.task_key(task), "keras")].model
    confusion = values(chart_titled(app, "Keras network<br>")["data"][0]["z"])
    np.testing.assert_array_equal(
        confusion, confusion_matrix(task.y_test, network.predict(task.x_test))
    )
    picked = app.selectbox(key="mistakes_image").value
    gradient = network.input_gradient(task.x_test[picked : picked + 1])[0]
    shown_map = chart_titled(app, "Keras network: z = ")["data"][1]
    np.testing.assert_allclose(values(shown_map["z"]), gradient.reshape(64, 64), rtol=1e-5)


@pytest.mark.usefixtures("fallback")
def test_the_page_works_on_the_fallback_digits():
    app = new_app()
    assert "8x8 handwritten digits" in app.warning[0].value
    train_through_the_pages(app, logreg_iterations=1, two_layer_iterations=1)
    open_page(app, "mistakes")
    task = app.session_state["task"]
    for record in records(app):
        counts = values(chart_titled(app, f"{record.title}<br>")["data"][0]["z"])
        assert counts.sum() == task.n_test
    shown = gallery(app)
    assert shown
    maps = [spec for spec in chart_specs(app) if ": z = " in title(spec)]
    assert len(maps) == 3
    for spec in maps:
        assert values(spec["data"][1]["z"]).shape == (8, 8)


def test_the_last_chapter_ends_with_the_conclusion_even_before_training():
    app = new_app()
    open_page(app, "mistakes")
    text = "\n".join(markdown.value for markdown in app.markdown)
    assert "### Conclusion" in text
    assert "The tutorial's names" in [expander.label for expander in app.expander]
    assert "`y_prediction_test`" in text
