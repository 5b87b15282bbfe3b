"""Comparing trained models and explaining their answers: which images fool them, and why.

Every function here is pure: trained models and arrays in, arrays out. A model is
anything with scikit-learn's ``predict_proba`` (the from-scratch models, scikit-learn's
``LogisticRegression``, :class:`~signviz.models.keras_network.KerasNetwork`).

Throughout, a model's answer is label 1 when its probability of label 1 is above 0.5
(the tutorial's rule), and **the confidence of a wrong answer** is the probability the
model gave to that wrong answer: ``max(p, 1 - p)``, between 0.5 (a coin toss) and 1
(certain). It orders mistakes exactly as ``|p - 0.5|`` does. For an image that several
models get wrong, its confidence is the largest among those models: the image counts
as badly as its worst mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.metrics import confusion_matrix
from sklearn.utils.validation import check_is_fitted

from signviz.diagnose import Notice

#: The gallery's filters: images wrong for one chosen model, for every model, or for
#: at least one model but not all of them.
THIS_MODEL, ALL_MODELS, SOME_MODELS = "this model", "all", "some"
MODES = (THIS_MODEL, ALL_MODELS, SOME_MODELS)

#: What an explanation map holds.
CONTRIBUTION, GRADIENT = "contribution", "gradient"


def is_trained(model) -> bool:
    """Whether ``model`` has been fitted (a training stopped before its first step has not)."""
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def probabilities(models: Mapping[str, object], X) -> dict[str, np.ndarray]:
    """Each model's probability of label 1 for every image.

    Parameters
    ----------
    models : mapping of str to trained model
        A name for each model (used as the key of the result) and the model.
    X : array of shape (n_samples, n_features)
        Flattened images, one per row.

    Returns
    -------
    dict of str to array of shape (n_samples,)
        ``y_hat`` of each model, by name.
    """
    return {
        name: np.asarray(model.predict_proba(X), dtype=float)[:, 1]
        for name, model in models.items()
    }


def answer(probability: float) -> int:
    """A model's answer: label 1 when its probability of label 1 is above 0.5."""
    return int(probability > 0.5)


def wrong_answers(probabilities: Mapping[str, np.ndarray], labels) -> dict[str, np.ndarray]:
    """For each model, which images it gets wrong.

    Parameters
    ----------
    probabilities : mapping of str to array of shape (n_samples,)
        Each model's probability of label 1, as returned by :func:`probabilities`.
    labels : array of shape (n_samples,)
        The true labels, 0 or 1.

    Returns
    -------
    dict of str to bool array of shape (n_samples,)
        True where the model's answer (label 1 when ``p > 0.5``) differs from the label.
    """
    labels = _check_labels(labels)
    wrong = {}
    for name, probability in probabilities.items():
        probability = np.asarray(probability, dtype=float)
        if probability.shape != labels.shape:
            raise ValueError(
                f"The probabilities of {name!r} have shape {probability.shape}; "
                f"need one per label, {labels.shape}."
            )
        wrong[name] = (probability > 0.5).astype(int) != labels
    return wrong


def wrong_confidence(probabilities: Mapping[str, np.ndarray], labels) -> np.ndarray:
    """How sure the most confident wrong model was, for each image.

    Parameters
    ----------
    probabilities : mapping of str to array of shape (n_samples,)
        Each model's probability of label 1.
    labels : array of shape (n_samples,)
        The true labels, 0 or 1.

    Returns
    -------
    array of shape (n_samples,)
        The largest ``max(p, 1 - p)`` among the models that get the image wrong, in
        [0.5, 1]; 0 for an image that no model gets wrong.
    """
    wrong = wrong_answers(probabilities, labels)
    confidence = np.zeros(len(_check_labels(labels)))
    for name, probability in probabilities.items():
        probability = np.asarray(probability, dtype=float)
        sure = np.maximum(probability, 1.0 - probability)
        confidence = np.where(wrong[name], np.fmax(confidence, sure), confidence)
    return confidence


def misclassified(
    probabilities: Mapping[str, np.ndarray], labels, mode: str, model: str | None = None
) -> np.ndarray:
    """The images that the models get wrong, the most confidently wrong first.

    Parameters
    ----------
    probabilities : mapping of str to array of shape (n_samples,)
        Each model's probability of label 1, by name.
    labels : array of shape (n_samples,)
        The true labels, 0 or 1.
    mode : {"this model", "all", "some"}
        ``"this model"``: the images ``model`` gets wrong; ``"all"``: the images every
        model gets wrong; ``"some"``: the images at least one model gets wrong but not
        all of them (so none with a single model).
    model : str, optional
        The model's name; required with ``mode="this model"``, ignored otherwise.

    Returns
    -------
    array of int, shape (n_mistakes,)
        Indices into ``labels``, sorted by decreasing confidence of the wrong answer
        (for ``"this model"``, that model's; otherwise the largest among the models
        that got the image wrong; see :func:`wrong_confidence`), ties by index.

    Raises
    ------
    ValueError
        For an unknown mode or model, no models, or arrays of mismatched lengths.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}: choose one of {list(MODES)}.")
    if not probabilities:
        raise ValueError("Need the probabilities of at least one model.")
    if mode == THIS_MODEL:
        if model not in probabilities:
            raise ValueError(f"Unknown model {model!r}: choose one of {list(probabilities)}.")
        probabilities = {model: probabilities[model]}
    wrong = np.array(list(wrong_answers(probabilities, labels).values()))  # (models, samples)
    wrong_count = wrong.sum(axis=0)
    if mode == SOME_MODELS:
        selected = (wrong_count > 0) & (wrong_count < len(wrong))
    else:
        selected = wrong_count == len(wrong)
    indices = np.flatnonzero(selected)
    confidence = wrong_confidence(probabilities, labels)[indices]
    return indices[np.argsort(-confidence, kind="stable")]


@dataclass(frozen=True)
class Gallery:
    """The test images a filter picks, with the words for what they are.

    Attributes
    ----------
    mode : {"this model", "all", "some"}
    model : str or None
        The model chosen with ``"this model"``.
    model_names : tuple of str
        Every model compared.
    indices : array of int, shape (n_shown,)
        The images, the most confidently wrong first (see `misclassified`).
    confidence : array of float, shape (n_samples,)
        For each image, how sure the wrong model (the chosen one, or the most confident
        of them) was of its wrong answer; 0 where none is wrong.
    wrong : dict of str to bool array of shape (n_samples,)
        For each model, the images it gets wrong.
    """

    mode: str
    model: str | None
    model_names: tuple[str, ...]
    indices: np.ndarray
    confidence: np.ndarray
    wrong: dict

    def description(self) -> str:
        """What the images are: ``"wrong for every model"``..."""
        if self.mode == SOME_MODELS:
            return "wrong for some models but not all"
        if self.mode == ALL_MODELS and len(self.model_names) > 1:
            return "wrong for every model"
        return f"wrong for {self.model or self.model_names[0]}"

    def empty_notice(self) -> Notice:
        """Why no image is shown (for an empty gallery): good news, or a filter that
        needs a second model."""
        if self.mode == SOME_MODELS and len(self.model_names) == 1:
            return Notice(
                "info",
                "With a single model, no image can be wrong for some models but not all: "
                "train another model to compare their mistakes.",
            )
        return Notice("success", f"No test image is {self.description()}.", "🎯")

    def whose_confidence(self) -> str:
        """Whose confidence a tile shows."""
        if self.model or len(self.model_names) == 1:
            return "the model"
        return "the most confident wrong model"


def gallery(
    probabilities: Mapping[str, np.ndarray], labels, mode: str, model: str | None = None
) -> Gallery:
    """The images of `misclassified`, with each image's confidence and what to call them.

    Parameters are those of `misclassified`.
    """
    indices = misclassified(probabilities, labels, mode, model)
    chosen = model if mode == THIS_MODEL else None
    considered = {chosen: probabilities[chosen]} if chosen else probabilities
    return Gallery(
        mode=mode,
        model=chosen,
        model_names=tuple(probabilities),
        indices=indices,
        confidence=wrong_confidence(considered, labels),
        wrong=wrong_answers(probabilities, labels),
    )


def least_accurate(evaluations: Mapping[str, Evaluation]) -> str:
    """The name of the model with the lowest test accuracy (the first of equals)."""
    return min(evaluations, key=lambda name: evaluations[name].test_accuracy)


class Explanation(NamedTuple):
    """What drove one model's answer for one image, one value per pixel.

    Attributes
    ----------
    values : array of shape (n_features,)
        The map: positive values push the answer towards label 1, negative ones
        towards label 0.
    kind : {"contribution", "gradient"}
        ``"contribution"``: each pixel's share ``w * x`` of a linear model's ``z``
        (with the bias, they add up to ``z``). ``"gradient"``: how much a network's
        ``z`` would change per unit of brightness added to each pixel.
    """

    values: np.ndarray
    kind: str


def explanation(model, x) -> Explanation:
    """Each pixel's part in ``model``'s answer for the image ``x``.

    A linear model (anything with ``coef_``: our ``LogisticRegressionGD`` and
    scikit-learn's ``LogisticRegression``) gets its contributions ``w * x``: its output
    ``z`` is exactly their sum plus the bias. A network (anything else with
    ``input_gradient``) gets the gradient of its output ``z`` with respect to the
    pixels: a network's ``z`` is no sum of per-pixel parts, but its slope says which
    pixels it is sensitive to right at this image.

    Parameters
    ----------
    model : trained model
    x : array of shape (n_features,)
        One flattened image.

    Returns
    -------
    Explanation
        ``(values, kind)``, with ``values`` of shape (n_features,).

    Raises
    ------
    ValueError
        If ``x`` is not one flattened image of the model's size, or the model is
        neither linear nor a network.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one flattened image, shape (n_features,); got {x.shape}.")
    if hasattr(model, "coef_"):
        weights = np.asarray(model.coef_, dtype=float).reshape(-1)
        if weights.shape != x.shape:
            raise ValueError(
                f"The image has {x.size} pixels but the model has {weights.size} weights."
            )
        return Explanation(weights * x, CONTRIBUTION)
    if hasattr(model, "input_gradient"):
        gradient = np.asarray(model.input_gradient(x[np.newaxis, :]), dtype=float)
        return Explanation(gradient.reshape(-1), GRADIENT)
    raise ValueError(
        f"Cannot explain a {type(model).__name__}: it has neither coef_ nor input_gradient."
    )


@dataclass(frozen=True)
class Evaluation:
    """How well one trained model does on a task.

    Attributes
    ----------
    train_accuracy, test_accuracy : float
        Share of right answers, in [0, 1].
    confusion : array of int, shape (2, 2)
        The test set's confusion matrix: ``confusion[true, predicted]`` counts the
        images of label ``true`` the model answers ``predicted`` for.
    iterations : int
        Training iterations (or epochs) done; for a solver that reports one count per
        class, the largest.
    """

    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray
    iterations: int


def evaluate(model, x_train, y_train, x_test, y_test) -> Evaluation:
    """Accuracies, the test confusion matrix and the iteration count of a trained model.

    Parameters
    ----------
    model : trained model
    x_train : array of shape (n_train, n_features)
    y_train : array of shape (n_train,)
    x_test : array of shape (n_test, n_features)
    y_test : array of shape (n_test,)

    Returns
    -------
    Evaluation
    """
    y_train, y_test = _check_labels(y_train), _check_labels(y_test)
    predicted_train = np.asarray(model.predict(x_train))
    predicted_test = np.asarray(model.predict(x_test))
    return Evaluation(
        train_accuracy=float(np.mean(predicted_train == y_train)),
        test_accuracy=float(np.mean(predicted_test == y_test)),
        confusion=confusion_matrix(y_test, predicted_test, labels=[0, 1]),
        iterations=int(np.max(getattr(model, "n_iter_", 0))),
    )


def _check_labels(labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (n_samples,), got {labels.shape}.")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1.")
    return labels.astype(int)
