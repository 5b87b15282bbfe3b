"""Chapter 7b, "Your own hand", through AppTest: a photo, the models' answers, saved models."""

from functools import partial

import numpy as np
import pytest
from charts import chart_specs, chart_titled, title, values
from live import press
from pages import open_page
from PIL import Image
from test_photo import encode, hand_photo, png_header

from signviz import data, export, photo

pytestmark = pytest.mark.real_data


def train_logistic_regression(app, iterations=None):
    """Train logistic regression on its page; return the session's record of it."""
    open_page(app, "logistic_regression")
    if iterations is not None:
        app.slider(key="logreg_iterations").set_value(iterations)
    press(app, "logreg_train")
    (record,) = [r for r in app.session_state["trained_models"].values() if r.kind == "logreg"]
    return record


def upload(app, key, name, content, mime):
    app.file_uploader(key=key).set_value((name, content, mime)).run()
    assert not app.exception
    return app


def texts(app) -> list[str]:
    return [element.value for kind in ("markdown", "info", "success", "warning", "error")
            for element in getattr(app, kind)]  # fmt: skip


def test_a_photo_goes_through_the_dataset_preprocessing(app):
    open_page(app, "own_hand")
    assert app.title[0].value == "7b. Your own hand"
    assert any("plain background" in info.value for info in app.info)
    task = app.session_state["task"]
    raw = hand_photo(task, 0)
    upload(app, "own_hand_photo", "hand.jpg", raw, "image/jpeg")
    expected = data.preprocess_image(photo.read_photo(raw))  # the whole square photo
    shown = values(chart_titled(app, "What the models see")["data"][0]["z"])
    np.testing.assert_allclose(np.asarray(shown, dtype=float).reshape(64, 64), expected, atol=1e-6)
    near = photo.familiarity(expected.reshape(-1), task.x_train)
    assert not near.is_far  # a dataset photo, enlarged and turned, is still familiar
    (success,) = [s.value for s in app.success if "training image" in s.value]
    assert f"within {near.distance:.1f} of a training image" in success
    assert f"({near.threshold:.1f})" in success
    assert any("No model has been trained" in info.value for info in app.info)


def test_every_trained_model_answers_right_with_its_probability(app):
    model = train_logistic_regression(app).model
    open_page(app, "own_hand")
    task = app.session_state["task"]
    records = list(app.session_state["trained_models"].values())  # scikit-learn's too
    right = np.flatnonzero(model.predict(task.x_test) == task.y_test)
    index = int(right[0])
    raw = hand_photo(task, index, degrees=-3.0, size=256)
    upload(app, "own_hand_photo", "hand.jpg", raw, "image/jpeg")
    digit = task.digits[task.y_test[index]]
    pixels = photo.prepare(photo.read_photo(raw), photo.crop_box((256, 256)), task.image_shape)
    for record in records:
        (probabilities,) = export.probabilities_by_digit(
            record.model, pixels.reshape(1, -1), task.digits
        )
        answer = max(probabilities, key=probabilities.get)
        line = (
            f"**{record.title}** says **{answer}**, with probability {probabilities[answer]:.1%}."
        )
        assert line in texts(app)
    logreg_title = next(record.title for record in records if record.kind == "logreg")
    assert f"**{logreg_title}** says **{digit}**" in "\n".join(texts(app))
    maps = [spec for spec in chart_specs(app) if ": z = " in title(spec)]
    assert len(maps) == len(records)


def test_a_photo_unlike_the_dataset_is_called_far(app):
    open_page(app, "own_hand")
    task = app.session_state["task"]
    stripes = np.zeros((90, 90), dtype=np.uint8)
    stripes[:, ::2] = 255
    raw = encode(Image.fromarray(stripes), "PNG")
    upload(app, "own_hand_photo", "stripes.png", raw, "image/png")
    pixels = photo.prepare(photo.read_photo(raw), (0, 0, 90, 90), task.image_shape)
    near = photo.familiarity(pixels.reshape(-1), task.x_train)
    assert near.is_far
    (warning,) = [w.value for w in app.warning if "far from every training image" in w.value]
    assert f"a distance of {near.distance:.1f}" in warning
    assert f"within {near.threshold:.1f}" in warning


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("note.png", b"just some text", "not an image that can be read"),
        ("cut.png", encode(Image.new("RGB", (99, 99), (1, 2, 3)))[:-30],
         "damaged or truncated"),
        ("bomb.png", png_header(30000, 30000), "decompression bomb"),
    ],
)  # fmt: skip
def test_bad_uploads_get_a_message(app, name, content, message):
    open_page(app, "own_hand")
    upload(app, "own_hand_photo", name, content, "image/png")
    (error,) = [e.value for e in app.error]
    assert error.startswith(f"{name}: ") and message in error


def test_a_saved_model_comes_back(app):
    record = train_logistic_regression(app, iterations=30)
    task = app.session_state["task"]
    saved = export.save_model(record.model, task)
    open_page(app, "own_hand")
    upload(app, "own_hand_model", "mine.npz", saved, "application/octet-stream")
    assert any("mine.npz: a logreg model of 0 against 1, trained for 30 iterations" in s.value
               for s in app.success)  # fmt: skip
    models = app.session_state["trained_models"]
    (key,) = [key for key in models if key[1] == "uploaded-logreg"]
    back = models[key]
    assert key[0][0] == task.digits
    np.testing.assert_array_equal(
        back.model.predict_proba(task.x_test), record.model.predict_proba(task.x_test)
    )
    app.switch_page("chapters/mistakes.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    uploaded = table[table["model"] == "Uploaded: mine.npz"]
    assert uploaded["trained for"].tolist() == ["30 iterations"]
    expected = np.mean(record.model.predict(task.x_test) == task.y_test)
    assert uploaded["test accuracy"].tolist() == [pytest.approx(expected)]
    open_page(app, "own_hand")
    upload(app, "own_hand_model", "broken.npz", saved[:100], "application/octet-stream")
    assert any(e.value.startswith("broken.npz cannot be used: ") for e in app.error)


def download_labels(app) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_model_chapters_offer_downloads_once_a_model_is_trained(app):
    app.switch_page("chapters/two_layer_network.py").run()
    assert download_labels(app) == []
    app.slider(key="two_layer_iterations").set_value(20)
    press(app, "two_layer_train")
    assert download_labels(app) == [
        "Download the model (.npz)",
        "Download the cost history (.csv)",
    ]


def test_the_camera_and_the_crop(app):
    open_page(app, "own_hand")
    task = app.session_state["task"]
    app.radio(key="own_hand_source").set_value("the camera").run()
    assert not app.exception
    wide = Image.new("L", (400, 200), 90)
    wide.paste(Image.fromarray((task.images_test[1] * 255).astype(np.uint8)).resize((200, 200)),
               (200, 0))  # fmt: skip
    raw = encode(wide.convert("RGB"), "JPEG", quality=95)
    app.camera_input(key="own_hand_camera").set_value(("shot.jpg", raw, "image/jpeg")).run()
    assert not app.exception
    image = photo.read_photo(raw)
    for side, x in ((1.0, 0.5), (1.0, 1.0), (0.6, 0.0)):
        app.slider(key="own_hand_side").set_value(side)
        app.slider(key="own_hand_x").set_value(x).run()
        assert not app.exception
        expected = photo.prepare(image, photo.crop_box(image.size, side, x, 0.5))
        shown = values(chart_titled(app, "What the models see")["data"][0]["z"])
        np.testing.assert_allclose(np.asarray(shown, float).reshape(64, 64), expected, atol=1e-6)
    # The right half holds the hand: as the dataset's photo, pixel for pixel close.
    app.slider(key="own_hand_side").set_value(1.0)
    app.slider(key="own_hand_x").set_value(1.0).run()
    assert [s.value for s in app.success if "lies within" in s.value]


def answers(app, raw) -> set:
    image = photo.read_photo(raw)
    x = photo.prepare(image, photo.crop_box(image.size)).reshape(1, -1)
    return {
        int(record.model.predict(x)[0]) for record in app.session_state["trained_models"].values()
    }


def test_models_that_disagree_are_called_out(app):
    record = train_logistic_regression(app, iterations=30)
    task = app.session_state["task"]
    contrary = export.load_model(export.save_model(record.model, task)).model
    contrary.coef_ *= -1  # every pixel now votes for the other digit
    contrary.intercept_ *= -1
    open_page(app, "own_hand")
    upload(app, "own_hand_model", "contrary.npz", export.save_model(contrary, task), "x/y")
    raw = hand_photo(task, 0)
    upload(app, "own_hand_photo", "hand.jpg", raw, "image/jpeg")
    assert answers(app, raw) == {0, 1}
    assert any("The models disagree" in w.value for w in app.warning)
    # The uploaded model replaced by a copy of the trained one, and a photo on which
    # the remaining models (it, and scikit-learn's) agree: no warning.
    upload(app, "own_hand_model", "same.npz", export.save_model(record.model, task), "x/y")
    raw = next(
        raw for raw in map(partial(hand_photo, task), range(task.n_test))
        if len(answers(app, raw)) == 1
    )  # fmt: skip
    upload(app, "own_hand_photo", "agreed.jpg", raw, "image/jpeg")
    assert not any("The models disagree" in w.value for w in app.warning)


def test_a_saved_model_of_another_task_is_explained(app, real_dataset):
    from signviz.models import LogisticRegressionGD

    open_page(app, "own_hand")
    other_seed = data.make_task(real_dataset, (0, 1), random_state=7)
    model = LogisticRegressionGD(n_iterations=5).fit(other_seed.x_train, other_seed.y_train)
    upload(app, "own_hand_model", "seed7.npz", export.save_model(model, other_seed), "x/y")
    (success,) = [s.value for s in app.success if "seed7.npz" in s.value]
    assert "trained for 5 iterations" in success
    assert "another split (seed 7, 15% for testing)" in success
    other_pair = data.make_task(real_dataset, (3, 8))
    model = LogisticRegressionGD(n_iterations=5).fit(other_pair.x_train, other_pair.y_train)
    upload(app, "own_hand_model", "pair38.npz", export.save_model(model, other_pair), "x/y")
    (warning,) = [w.value for w in app.warning if "pair38.npz" in w.value]
    assert "was trained on 3 against 8" in warning and "Choose its pair" in warning
    assert [key[1] for key in app.session_state["trained_models"]] == ["uploaded-logreg"]
