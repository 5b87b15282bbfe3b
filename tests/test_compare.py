"""The comparison core: explanation maps, the filters of mistakes, and each model's scores."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix

from signviz import compare
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork

LABELS = np.array([0, 1, 0, 1, 0, 1])
#: Hand-made probabilities of label 1. Model "a" is wrong on images 0, 1, 2, 5 (sure at
#: 0.6, 0.95, 0.85, 0.55); "b" on images 0, 3, 5 (sure at 0.7, 0.9, 0.8); both are right
#: on image 4.
PROBABILITIES = {
    "a": np.array([0.6, 0.05, 0.85, 0.8, 0.1, 0.45]),
    "b": np.array([0.7, 0.95, 0.3, 0.1, 0.4, 0.2]),
}


@pytest.fixture
def images():
    """Small synthetic "images": 60 rows of 12 pixels in [0, 1], label 1 brighter on the left."""
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(60, 12))
    y = (X[:, :6].mean(axis=1) + rng.normal(0, 0.05, 60) > 0.5).astype(int)
    return X, y


def linear_models(X, y):
    return {
        "ours": LogisticRegressionGD(learning_rate=0.5, n_iterations=50).fit(X, y),
        "scikit-learn": LogisticRegression().fit(X, y),
    }


@pytest.mark.parametrize("name", ["ours", "scikit-learn"])
def test_contributions_and_the_bias_add_up_to_z(images, name):
    X, y = images
    model = linear_models(X, y)[name]
    for x, z in zip(X[:5], model.decision_function(X[:5]), strict=True):
        values, kind = compare.explanation(model, x)
        assert kind == compare.CONTRIBUTION
        np.testing.assert_allclose(values, model.coef_[0] * x)
        np.testing.assert_allclose(values.sum() + model.intercept_[0], z)


def test_our_contributions_are_the_models_own(images):
    X, y = images
    model = linear_models(X, y)["ours"]
    np.testing.assert_allclose(compare.explanation(model, X[3]).values, model.contributions(X)[3])


@pytest.mark.parametrize(
    "network",
    [
        TwoLayerNetwork(hidden_units=4, learning_rate=0.1, n_iterations=30),
        DeepNetwork(hidden_layer_sizes=(5, 3), n_epochs=3, batch_size=16),
    ],
    ids=["two-layer", "deep"],
)
def test_a_networks_map_is_its_input_gradient(images, network):
    X, y = images
    network.fit(X, y)
    for x in X[:3]:
        values, kind = compare.explanation(network, x)
        assert kind == compare.GRADIENT
        assert values.shape == (12,)
        np.testing.assert_array_equal(values, network.input_gradient(x[np.newaxis, :])[0])


@pytest.mark.slow
def test_a_keras_networks_map_is_its_input_gradient(images):
    from signviz.models.keras_network import KerasNetwork

    X, y = images
    network = KerasNetwork(hidden_layer_sizes=(4,), n_epochs=2).fit(X, y)
    values, kind = compare.explanation(network, X[0])
    assert kind == compare.GRADIENT
    np.testing.assert_allclose(values, network.input_gradient(X[:1])[0])


def test_explanation_rejects_what_it_cannot_explain(images):
    X, y = images
    model = linear_models(X, y)["ours"]
    with pytest.raises(ValueError, match="one flattened image"):
        compare.explanation(model, X[:2])
    with pytest.raises(ValueError, match="13 pixels"):
        compare.explanation(model, np.ones(13))
    with pytest.raises(ValueError, match="neither coef_ nor input_gradient"):
        compare.explanation(object(), X[0])


def test_probabilities_are_each_models_probability_of_label_1(images):
    X, y = images
    models = linear_models(X, y)
    found = compare.probabilities(models, X)
    assert list(found) == ["ours", "scikit-learn"]
    for name, model in models.items():
        np.testing.assert_array_equal(found[name], model.predict_proba(X)[:, 1])


def test_wrong_answers_follow_the_half_threshold():
    wrong = compare.wrong_answers(PROBABILITIES, LABELS)
    np.testing.assert_array_equal(wrong["a"], [True, True, True, False, False, True])
    np.testing.assert_array_equal(wrong["b"], [True, False, False, True, False, True])


def test_confidence_is_the_surest_wrong_models_probability_of_its_answer():
    confidence = compare.wrong_confidence(PROBABILITIES, LABELS)
    np.testing.assert_allclose(confidence, [0.7, 0.95, 0.85, 0.9, 0.0, 0.8])


@pytest.mark.parametrize(
    ("mode", "model", "expected"),
    [
        ("this model", "a", [1, 2, 0, 5]),  # sure at 0.95, 0.85, 0.6, 0.55
        ("this model", "b", [3, 5, 0]),  # 0.9, 0.8, 0.7
        ("all", None, [5, 0]),  # the surer wrong model: 0.8 (b), 0.7 (b)
        ("some", None, [1, 3, 2]),  # 0.95 (a only), 0.9 (b only), 0.85 (a only)
    ],
)
def test_misclassified_filters_and_sorts_most_confidently_wrong_first(mode, model, expected):
    found = compare.misclassified(PROBABILITIES, LABELS, mode, model)
    np.testing.assert_array_equal(found, expected)


def test_misclassified_breaks_ties_by_index():
    probabilities = {"a": np.array([0.25, 0.75, 0.75, 0.25])}
    found = compare.misclassified(probabilities, [0, 0, 0, 1], "this model", "a")
    np.testing.assert_array_equal(found, [1, 2, 3])


def test_a_single_model_has_no_images_wrong_for_some_but_not_all():
    only_a = {"a": PROBABILITIES["a"]}
    assert compare.misclassified(only_a, LABELS, "some").size == 0
    np.testing.assert_array_equal(compare.misclassified(only_a, LABELS, "all"), [1, 2, 0, 5])


def test_models_without_mistakes_give_an_empty_gallery():
    perfect = {"a": LABELS * 0.8 + 0.1, "b": LABELS * 0.6 + 0.2}
    for mode, model in (("this model", "a"), ("all", None), ("some", None)):
        assert compare.misclassified(perfect, LABELS, mode, model).size == 0


@pytest.mark.parametrize(
    ("probabilities", "mode", "model", "message"),
    [
        (PROBABILITIES, "most", None, "Unknown mode 'most'"),
        (PROBABILITIES, "this model", "c", "Unknown model 'c'"),
        (PROBABILITIES, "this model", None, "Unknown model None"),
        ({}, "all", None, "at least one model"),
        ({"a": np.array([0.1, 0.9])}, "all", None, "need one per label"),
    ],
)
def test_misclassified_rejects_bad_requests(probabilities, mode, model, message):
    with pytest.raises(ValueError, match=message):
        compare.misclassified(probabilities, LABELS, mode, model)


def test_labels_must_be_zero_or_one():
    with pytest.raises(ValueError, match="0 or 1"):
        compare.wrong_answers(PROBABILITIES, [0, 1, 2, 1, 0, 1])


def test_evaluate_reports_accuracies_the_confusion_matrix_and_iterations(images):
    X, y = images
    X_train, y_train, X_test, y_test = X[:40], y[:40], X[40:], y[40:]
    for model in linear_models(X_train, y_train).values():
        evaluation = compare.evaluate(model, X_train, y_train, X_test, y_test)
        assert evaluation.train_accuracy == model.score(X_train, y_train)
        assert evaluation.test_accuracy == model.score(X_test, y_test)
        np.testing.assert_array_equal(
            evaluation.confusion, confusion_matrix(y_test, model.predict(X_test))
        )
        assert evaluation.confusion.sum() == len(y_test)
        assert isinstance(evaluation.iterations, int)
        assert evaluation.iterations == np.max(model.n_iter_)  # scikit-learn's is an array


def test_a_confusion_matrix_keeps_both_labels_when_one_is_never_predicted():
    model = LogisticRegressionGD(n_iterations=1).fit(np.ones((4, 2)), [1, 1, 1, 0])
    evaluation = compare.evaluate(model, np.ones((4, 2)), [1, 1, 1, 0], np.ones((2, 2)), [0, 0])
    np.testing.assert_array_equal(evaluation.confusion, [[0, 2], [0, 0]])


def test_a_model_stopped_before_its_first_step_is_not_trained(images):
    X, y = images
    assert not compare.is_trained(LogisticRegressionGD())
    assert compare.is_trained(LogisticRegressionGD(n_iterations=1).fit(X, y))
    assert compare.is_trained(TwoLayerNetwork().partial_fit(X, y, n_iterations=0))


def test_a_gallery_says_what_its_images_are():
    chosen = compare.gallery(PROBABILITIES, LABELS, "this model", "b")
    np.testing.assert_array_equal(chosen.indices, [3, 5, 0])
    np.testing.assert_allclose(chosen.confidence, [0.7, 0.0, 0.0, 0.9, 0.0, 0.8])  # b's only
    assert chosen.description() == "wrong for b" and chosen.whose_confidence() == "the model"
    both = compare.gallery(PROBABILITIES, LABELS, "all", "b")  # the model only counts alone
    assert both.model is None and both.description() == "wrong for every model"
    assert both.whose_confidence() == "the most confident wrong model"
    np.testing.assert_allclose(both.confidence, compare.wrong_confidence(PROBABILITIES, LABELS))
    assert compare.gallery(PROBABILITIES, LABELS, "some").description() == (
        "wrong for some models but not all"
    )
    only_a = compare.gallery({"a": PROBABILITIES["a"]}, LABELS, "all")
    assert only_a.description() == "wrong for a" and only_a.whose_confidence() == "the model"


def test_an_empty_gallery_says_why():
    alone = compare.gallery({"a": PROBABILITIES["a"]}, LABELS, "some").empty_notice()
    assert alone.level == "info" and "With a single model" in alone.text
    perfect = {"a": LABELS * 0.8 + 0.1, "b": LABELS * 0.6 + 0.2}
    notice = compare.gallery(perfect, LABELS, "all").empty_notice()
    assert (notice.level, notice.text) == ("success", "No test image is wrong for every model.")


def test_the_answer_and_the_least_accurate_model():
    assert [compare.answer(p) for p in (0.2, 0.5, 0.51)] == [0, 0, 1]
    evaluations = {
        name: compare.Evaluation(0.9, accuracy, np.zeros((2, 2), int), 1)
        for name, accuracy in (("a", 0.8), ("b", 0.7), ("c", 0.7))
    }
    assert compare.least_accurate(evaluations) == "b"
