"""The tutorial's L-layer network built with Keras, and its 3-fold cross-validation.

Importing this module imports TensorFlow, which takes seconds: the rest of signviz
never imports it at start-up, only when a Keras model is actually wanted.

The tutorial's model::

    Dense(8, relu) -> Dense(4, relu) -> Dense(1, sigmoid)
    kernel_initializer='uniform', optimizer='adam', loss='binary_crossentropy',
    100 epochs, batches of 32, scored by 3-fold cross-validation on the training set.

The tutorial wrapped it in the old ``keras.wrappers.scikit_learn.KerasClassifier``;
:class:`KerasNetwork` plays the same part, a scikit-learn estimator, so that
:func:`cross_validate` splits the data exactly as ``cross_val_score(..., cv=3)`` does.

Every run is reproducible without touching TensorFlow's global random state (which
other users of the same server share): the initializers and the shuffling of the
batches get their own seeds.
"""

from __future__ import annotations

import math
import os
import time
import weakref
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter quiet

import keras
import numpy as np
import tensorflow as tf
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import check_cv

from signviz.cross_validation import CrossValidation
from signviz.models.activations import ACTIVATIONS
from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS
from signviz.resources import check_memory, network_memory
from signviz.validation import check_positive

OPTIMIZERS = dict(
    zip(
        KERAS_OPTIMIZERS,
        (keras.optimizers.Adam, keras.optimizers.SGD, keras.optimizers.RMSprop),
        strict=True,
    )
)

#: Weight initializers a learner can pick; 'uniform' is the tutorial's (uniform in ±0.05).
INITIALIZERS = KERAS_INITIALIZERS


def make_initializer(name: str, seed: int) -> keras.initializers.Initializer:
    """A Keras initializer by name, seeded when it is random."""
    if name not in INITIALIZERS:
        raise ValueError(f"Unknown kernel initializer {name!r}: choose one of {INITIALIZERS}.")
    initializer = keras.initializers.get(name)
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
        initializer = type(initializer).from_config(config)
    return initializer


def build_model(
    n_features: int,
    hidden_layer_sizes=(8, 4),
    activation: str = "relu",
    kernel_initializer: str = "uniform",
    optimizer: str = "adam",
    learning_rate: float = 0.001,
    seed: int = 42,
) -> keras.Sequential:
    """The tutorial's Keras model, compiled with binary cross-entropy and accuracy.

    Parameters
    ----------
    n_features : int
        Pixels per image (the tutorial's ``input_dim``, 4096).
    hidden_layer_sizes : sequence of int, default (8, 4)
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Activation of the hidden layers; the output is always one sigmoid unit.
    kernel_initializer : str, default "uniform"
    optimizer : {"adam", "sgd", "rmsprop"}, default "adam"
    learning_rate : float, default 0.001
    seed : int, default 42
        Seed of the initial weights (layer ``l`` uses ``seed + l``).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}: choose one of {list(ACTIVATIONS)}.")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {optimizer!r}: choose one of {list(OPTIMIZERS)}.")
    check_positive("learning_rate", learning_rate)
    check_positive("n_features", n_features, integer=True)
    for size in hidden_layer_sizes:
        check_positive("every hidden layer size", size, integer=True)
    layers = [keras.Input(shape=(int(n_features),))]
    sizes = [*hidden_layer_sizes, 1]
    for index, units in enumerate(sizes):
        is_output = index == len(sizes) - 1
        layers.append(
            keras.layers.Dense(
                int(units),
                activation="sigmoid" if is_output else activation,
                kernel_initializer=make_initializer(kernel_initializer, seed + index),
                name="output" if is_output else f"hidden_{index + 1}",
            )
        )
    model = keras.Sequential(layers, name="tutorial_network")
    model.compile(
        optimizer=OPTIMIZERS[optimizer](learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def training_batches(X, y, batch_size: int, seed: int) -> tf.data.Dataset:
    """The training images in shuffled batches, reshuffled every epoch from ``seed``."""
    dataset = tf.data.Dataset.from_tensor_slices((X, y))
    return dataset.shuffle(len(X), seed=seed, reshuffle_each_iteration=True).batch(batch_size)


class EpochCallback(keras.callbacks.Callback):
    """Calls ``on_epoch_end(epoch, logs)`` after every epoch; a true result stops training.

    ``logs`` holds that epoch's ``loss`` and ``accuracy`` (and ``val_loss``,
    ``val_accuracy`` with validation data). Stopping sets ``model.stop_training``, so
    the model keeps what it learned so far.
    """

    def __init__(self, on_epoch_end: Callable[[int, dict], bool | None]):
        super().__init__()
        self._on_epoch_end = on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        if self._on_epoch_end(epoch, dict(logs or {})):
            self.model.stop_training = True


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops training at the first batch whose loss is NaN or infinite.

    Keras's own ``TerminateOnNaN`` does the same but prints to standard output, which
    would break the command line's JSON.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True


class KerasNetwork(ClassifierMixin, BaseEstimator):
    """The tutorial's Keras network as a scikit-learn estimator.

    Parameters
    ----------
    hidden_layer_sizes, activation, kernel_initializer, optimizer, learning_rate
        As :func:`build_model`.
    n_epochs : int, default 100
    batch_size : int, default 32
    random_state : int, default 42
        Seed of the initial weights and of the batch order.

    Attributes
    ----------
    model_ : keras.Sequential
        The trained Keras model.
    history_ : dict of str to list of float
        Per-epoch ``loss`` and ``accuracy`` (and ``val_...`` with validation data).
    cost_history_ : list of float
        ``history_["loss"]`` up to the first epoch whose loss was not finite, named as
        in the from-scratch models.
    n_iter_ : int
        Epochs completed (fewer than ``n_epochs`` if training was stopped).
    diverged_ : bool
        Whether the loss became NaN or infinite (training then stops).
    diverged_at_ : int or None
        The epoch (from 0) where it did.
    fit_seconds_ : float
        Wall time of the training.
    """

    def __init__(
        self,
        hidden_layer_sizes=(8, 4),
        activation: str = "relu",
        kernel_initializer: str = "uniform",
        optimizer: str = "adam",
        learning_rate: float = 0.001,
        n_epochs: int = 100,
        batch_size: int = 32,
        random_state: int = 42,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y, *, validation_data=None, on_epoch_end=None):
        """Build a fresh model and train it.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            Labels, 0 or 1.
        validation_data : tuple (X_val, y_val), optional
            Scored after every epoch (``val_loss``, ``val_accuracy``).
        on_epoch_end : callable(epoch, logs) -> bool, optional
            Called after every epoch; returning true stops training there.

        Returns
        -------
        self
        """
        check_positive("n_epochs", self.n_epochs, integer=True)
        check_positive("batch_size", self.batch_size, integer=True)
        X, y = _as_arrays(X, y)
        self._build(X)
        if validation_data is not None:
            validation_data = _as_arrays(*validation_data)
        callbacks = [EpochCallback(on_epoch_end)] if on_epoch_end is not None else []
        callbacks.append(StopOnNonFiniteLoss())  # a diverged run learns nothing more
        started = time.perf_counter()
        try:
            self.model_.fit(
                training_batches(X, y, int(self.batch_size), self.random_state),
                epochs=int(self.n_epochs),
                validation_data=validation_data,
                callbacks=callbacks,
                shuffle=False,  # the batches come shuffled, from their own seed
                verbose=0,
            )
        finally:  # also when interrupted (Ctrl-C): keep the epochs done so far
            self.fit_seconds_ = time.perf_counter() - started
            self._keep_history(getattr(self.model_, "history", None))
        return self

    def _build(self, X: np.ndarray) -> None:
        """A fresh network for ``X``'s features, once its memory is known to fit."""
        self._check_memory(X)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        self.model_ = build_model(
            X.shape[1],
            self.hidden_layer_sizes,
            self.activation,
            self.kernel_initializer,
            self.optimizer,
            self.learning_rate,
            self.random_state,
        )

    def _keep_history(self, history) -> None:
        recorded = history.history if history is not None else {}
        self.history_ = {key: [float(v) for v in values] for key, values in recorded.items()}
        losses = self.history_.get("loss", [])
        self.n_iter_ = len(losses)
        finite = [math.isfinite(loss) for loss in losses]
        self.diverged_ = not all(finite)
        self.diverged_at_ = finite.index(False) if self.diverged_ else None
        self.cost_history_ = losses[: self.diverged_at_]

    @property
    def divergence_message_(self) -> str | None:
        """A sentence explaining a diverged run, or ``None`` while training is healthy."""
        if not getattr(self, "diverged_", False):
            return None
        return (
            f"Training diverged at epoch {self.diverged_at_}: the loss became NaN or infinite, "
            "so training stopped. The learning rate is too large: each step overshoots. "
            "Try a smaller learning rate."
        )

    def _check_memory(self, X: np.ndarray) -> None:
        """Refuse, before building anything, a network too large for the memory limit."""
        try:
            sizes = [*self.hidden_layer_sizes]
        except TypeError:
            sizes = self.hidden_layer_sizes
            raise ValueError(
                f"hidden_layer_sizes must be a sequence like (8, 4), got {sizes!r}."
            ) from None
        for size in sizes:
            check_positive("every hidden layer size", size, integer=True)
        n_samples, n_features = X.shape
        # Parameters, gradients, Adam's two moments, temporaries and the initializer's
        # copy of each weight (8 arrays of the parameters' size); one batch of
        # activations; and the copy of X that TensorFlow's dataset holds.
        needed = (
            network_memory([n_features, *sizes, 1], min(n_samples, int(self.batch_size)), 4, 8)
            + 4 * X.size
        )
        check_memory(
            needed,
            f"training a Keras network with hidden layers {tuple(map(int, sizes))} on "
            f"{n_samples} images of {n_features} pixels",
        )

    #: Keras's per-epoch loss is the mean over the epoch's batches, not the cost of the
    #: weights at the epoch's end: a live trainer measures that itself.
    cost_history_is_exact = False

    def train_steps(self, X, y, n_iterations: int, after_each=None) -> int:
        """Train ``n_iterations`` more epochs on the same model (building it first if needed).

        The interface of :meth:`signviz.models.base.GradientModel.train_steps`, for
        :class:`signviz.trainer.Trainer`: ``after_each()`` is called after every epoch,
        with ``n_iter_`` and ``cost_history_`` already up to date, and a true result
        stops training there. One call is one ``model.fit``; the batch order is seeded
        by ``random_state`` and the epoch it starts from.

        Returns
        -------
        int
            Epochs trained.
        """
        check_positive("batch_size", self.batch_size, integer=True)
        X, y = _as_arrays(X, y)
        if not hasattr(self, "model_"):
            self._build(X)
            self.history_ = {"loss": [], "accuracy": []}
            self.cost_history_ = self.history_["loss"]
            self.n_iter_ = 0
            self.fit_seconds_ = 0.0
            self.diverged_, self.diverged_at_ = False, None
        if n_iterations <= 0 or self.diverged_:
            return 0
        first = self.n_iter_

        def epoch_done(epoch, logs) -> bool:
            for key in ("loss", "accuracy"):
                self.history_[key].append(float(logs.get(key, float("nan"))))
            self.n_iter_ += 1
            return bool(after_each()) if after_each is not None else False

        started = time.perf_counter()
        self.model_.fit(
            training_batches(X, y, int(self.batch_size), self.random_state + first),
            initial_epoch=first,
            epochs=first + int(n_iterations),
            callbacks=[EpochCallback(epoch_done), StopOnNonFiniteLoss()],
            shuffle=False,
            verbose=0,
        )
        self.fit_seconds_ += time.perf_counter() - started
        finite = [math.isfinite(loss) for loss in self.history_["loss"]]
        if not all(finite):
            self.diverged_, self.diverged_at_ = True, finite.index(False)
        return self.n_iter_ - first

    def apply_learning_rate(self) -> None:
        """Give the optimizer the current ``learning_rate`` (changed between two runs)."""
        if hasattr(self, "model_"):
            self.model_.optimizer.learning_rate.assign(self.learning_rate)

    def copy_trained(self) -> KerasNetwork:
        """A copy with the same weights, that further training of this one leaves alone."""
        twin = clone(self)
        for name in (
            "n_features_in_",
            "classes_",
            "n_iter_",
            "fit_seconds_",
            "diverged_",
            "diverged_at_",
        ):
            if hasattr(self, name):
                setattr(twin, name, getattr(self, name))
        if hasattr(self, "model_"):
            twin.model_ = keras.models.clone_model(self.model_)
            twin.model_.set_weights(self.model_.get_weights())
            twin.history_ = {key: list(values) for key, values in self.history_.items()}
            twin.cost_history_ = twin.history_.get("loss", [])
        return twin

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of label 0 and label 1, ``(n_samples, 2)``."""
        # Calling the model directly: no per-call tracing, and these sets are small.
        outputs = self.model_(self._as_tensor(X), training=False)
        probability = np.asarray(outputs, dtype=np.float64).reshape(-1)
        return np.column_stack([1.0 - probability, probability])

    def predict(self, X) -> np.ndarray:
        """Predicted labels, 1 where the probability exceeds 0.5."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(np.int64)

    def decision_function(self, X) -> np.ndarray:
        """The output unit's ``z`` (before the sigmoid) for each sample, ``(n_samples,)``."""
        return self._logit(self._as_tensor(X)).numpy().reshape(-1).astype(np.float64)

    def input_gradient(self, X) -> np.ndarray:
        """How each image's ``z`` responds to its pixels, ``(n_samples, n_features)``.

        As :meth:`signviz.models.DeepNetwork.input_gradient`, computed by TensorFlow's
        automatic differentiation.
        """
        inputs = self._as_tensor(X)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            logits = self._logit(inputs)
        # Each image's z depends on its own pixels only: the gradient of their sum
        # holds every image's gradient in its row.
        return tape.gradient(logits, inputs).numpy().astype(np.float64)

    def dead_units(self, X) -> list[int]:
        """How many units of each hidden layer output 0 for every image in ``X``.

        See :meth:`signviz.models.DeepNetwork.dead_units`: a relu unit that never fires
        never learns again, and a layer of them stops the loss for good.
        """
        hidden = self._as_tensor(X)
        counts = []
        for layer in self.model_.layers[:-1]:
            hidden = layer(hidden)
            counts.append(int(np.sum(np.all(hidden.numpy() == 0, axis=0))))
        return counts

    def first_layer_weights(self) -> np.ndarray:
        """Each first-layer unit's weight on each input, ``(units, n_features)``: what a
        unit looks at (Keras keeps the transpose, one column per unit)."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This KerasNetwork has not been trained yet: call fit first.")
        return np.asarray(self._current_weights()[0]).T

    def summary(self) -> str:
        """Keras's own table of the layers, their output shapes and parameter counts."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This KerasNetwork has not been trained yet: call fit first.")
        lines = []
        self.model_.summary(print_fn=lambda line, **_: lines.append(line))
        return "\n".join(lines)

    def _output_logit(self, X) -> np.ndarray:
        """``z`` of the output for checked data, ``(n_samples,)``, computed by numpy from the
        current weights in float32, as Keras computes it. A live trainer asks for it after
        every epoch: a call into TensorFlow, and tracing a graph for every new model, cost
        more than this arithmetic."""
        weights = self._current_weights()  # kernel, bias of each layer, in order
        forward = ACTIVATIONS[self.activation].forward
        hidden = np.asarray(X, dtype=np.float32)
        for kernel, bias in zip(weights[:-2:2], weights[1:-2:2], strict=True):
            hidden = forward(hidden @ kernel + bias)
        return (hidden @ weights[-2] + weights[-1]).reshape(-1).astype(np.float64)

    def _current_weights(self) -> list[np.ndarray]:
        """Every layer's kernel and bias as numpy arrays, in order, read from TensorFlow
        once per optimizer step: a live trainer's frame asks for them three times (the
        train and test sets' logits, the first layer's picture), and reading them is
        most of a frame's cost. A new model, or a batch trained since, reads again."""
        step = int(self.model_.optimizer.iterations)
        cached = getattr(self, "_weights_read", None)
        if cached is None or cached[0]() is not self.model_ or cached[1] != step:
            cached = (weakref.ref(self.model_), step, self.model_.get_weights())
            self._weights_read = cached
        return cached[2]

    def _as_tensor(self, X):
        if not hasattr(self, "model_"):
            raise NotFittedError("This KerasNetwork has not been trained yet: call fit first.")
        return tf.convert_to_tensor(np.asarray(X, dtype=np.float32))

    def _logit(self, inputs):
        hidden = inputs
        for layer in self.model_.layers[:-1]:
            hidden = layer(hidden)
        output = self.model_.layers[-1]
        return tf.matmul(hidden, output.kernel) + output.bias


def cross_validate(
    estimator: KerasNetwork,
    X,
    y,
    n_splits: int = 3,
    on_fold_end: Callable[[int, float], bool | None] | None = None,
    on_epoch_end: Callable[[int, dict], bool | None] | None = None,
) -> CrossValidation:
    """K-fold cross-validation, as the tutorial's ``cross_val_score(..., cv=3)``.

    The folds are scikit-learn's (``check_cv``: stratified, not shuffled), so the
    accuracies are those ``cross_val_score`` would give. ``on_fold_end(fold, accuracy)``
    lets a page show each fold as it finishes (a true result skips the remaining
    folds), and ``on_epoch_end`` is passed to every fold's training.
    """
    X, y = _as_arrays(X, y)
    folds = check_cv(n_splits, y, classifier=True)
    accuracies = []
    for fold, (train, test) in enumerate(folds.split(X, y)):
        fitted = clone(estimator).fit(X[train], y[train], on_epoch_end=on_epoch_end)
        accuracies.append(float(fitted.score(X[test], y[test])))
        if on_fold_end is not None and on_fold_end(fold, accuracies[-1]):
            break
    return CrossValidation(tuple(accuracies))


def _as_arrays(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(
            f"Expected X of shape (n_samples, n_features) and one label per row; "
            f"got X {X.shape} and y {y.shape}."
        )
    return X, y
