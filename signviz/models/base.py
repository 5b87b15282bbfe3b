"""What every from-scratch model shares: the scikit-learn contract and safe training.

A model here is a scikit-learn estimator: the constructor only stores
hyperparameters; ``fit(X, y)`` starts afresh and trains for the planned number of
iterations; ``partial_fit(X, y, n_iterations=1)`` continues from where training
stopped, so a page can train a few iterations, redraw, and go on (or stop). Learned
state ends with an underscore: ``cost_history_``, ``n_iter_``, ``diverged_``...

Shapes follow scikit-learn: ``X`` is ``(n_samples, n_features)``, one flattened image
per row, and ``y`` is ``(n_samples,)`` of 0/1 labels (or 0 to 9 for the models that
tell several classes apart: their output layer is a softmax, one unit per class).
The tutorial's numpy code works on the transpose, ``(n_features, n_samples)``; the
kernels in each model take ``X.T`` (a view, no copy) so that their lines read like the tutorial's.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from signviz.models.activations import sigmoid, softmax
from signviz.resources import check_memory, network_memory
from signviz.validation import check_whole_number, is_whole_number

#: Training counts as diverged once the cost exceeds this many times the cost of the
#: initial parameters (or ln 2, the cost of guessing 50 % for every image, whichever is
#: larger).
DIVERGENCE_FACTOR = 10.0


class GradientModel(ClassifierMixin, BaseEstimator):
    """Base class of the from-scratch classifiers (labels 0 and 1, or 0 to K - 1).

    The base holds what every model shares: the checks on the data, the loop that
    records the cost and stops a diverging run, `partial_fit` and `train_steps`. A
    subclass writes what is its own:

    - ``_step(X, y)``: **one training iteration, read top to bottom**: forward
      propagation, cost, backward propagation (``_forward_backward``), then the update
      of every parameter by name. Returns the cost and the gradients it used;
    - ``_forward_backward(X, y)``: the cost of the current parameters and the gradient
      of each, keyed by the parameter's name in `named_parameters`;
    - ``named_parameters()``: the trainable arrays by name (the live arrays);
    - ``_initialize(n_features)``: create the parameters (and optimizer state);
    - ``_check_hyperparameters()``: raise ``ValueError`` for an invalid setting;
    - ``_layer_sizes(n_features)``: units of each layer, input first, for the memory
      estimate that `fit` checks before creating any parameter;
    - ``_output_logit(X)`` and ``_input_gradient(X, units)``: ``z`` of the output
      layer, ``(n_samples,)`` for one output unit or ``(n_samples, n_units)``, and the
      derivative of one unit's ``z`` with respect to each pixel (``units``, one per
      image, is None when there is a single output unit).

    A model that can tell more than two classes apart sets ``_multiclass = True`` and
    sizes its output layer with `_output_units`; the base turns labels into the targets
    of that layer (`_targets`) and its logits into probabilities and answers.
    """

    #: Whether the model accepts labels beyond 0 and 1 (a softmax output).
    _multiclass = False

    #: The hyperparameter that says how many iterations ``fit`` runs.
    _iterations_parameter = "n_iterations"
    #: Arrays of the parameters' size alive at once while training: the parameters,
    #: their gradients and temporaries (optimizers with state add to it).
    _copies_per_parameter = 4

    def memory_estimate(self, n_samples: int, n_features: int, itemsize: int = 8) -> int:
        """Bytes this model needs to train on ``n_samples`` images of ``n_features`` pixels.

        Parameters, gradients (and optimizer state), plus the activations of every layer
        for all images at once (see `signviz.resources.network_memory`), plus one byte
        per pixel for the check that the images hold no NaN. `fit` refuses a
        configuration whose estimate exceeds `signviz.resources.memory_limit` before
        allocating anything. ``itemsize`` is 8 for float64 data, 4 for float32.

        Returns
        -------
        int
        """
        return n_samples * n_features + network_memory(
            self._layer_sizes(n_features), n_samples, itemsize, self._copies_per_parameter
        )

    #: Whether ``cost_history_[k]`` is the full training cost of the parameters after
    #: ``k`` updates (full-batch gradient descent), so a live view can use it as is.

    cost_history_is_exact = True

    # -- the scikit-learn interface ------------------------------------------------

    def fit(self, X, y):
        """Train from a fresh initialization for the planned number of iterations.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Flattened images, one per row.
        y : array of shape (n_samples,) or (n_samples, 1)
            Labels, 0 or 1.

        Returns
        -------
        self
        """
        self._check_hyperparameters()
        X, y = self._check_training_data(X, y, starting=True)
        self._start(X, y)
        self._train(X, y, getattr(self, self._iterations_parameter))
        return self

    def partial_fit(self, X, y, n_iterations: int = 1):
        """Continue training for ``n_iterations`` more iterations (initializing first if needed).

        ``n`` calls with ``n_iterations=1`` give exactly the same model as one ``fit``
        of ``n`` iterations. Once training has diverged, further calls change nothing.

        Returns
        -------
        self
        """
        check_whole_number("n_iterations", n_iterations)
        if n_iterations < 0:
            raise ValueError(f"n_iterations cannot be negative, got {n_iterations}.")
        self._check_hyperparameters()
        starting = not hasattr(self, "n_iter_")
        X, y = self._check_training_data(X, y, starting=starting)
        if starting:
            self._start(X, y)
        self._train(X, y, int(n_iterations))
        return self

    def train_steps(self, X, y, n_iterations: int, after_each=None) -> int:
        """Take up to ``n_iterations`` updates, calling ``after_each()`` after each one.

        What a live trainer needs: the data is checked once (not at every update, as
        ``partial_fit`` does), and between two updates ``after_each`` can look at the
        model (nothing changes while it runs) and stop training by returning true.
        Initializes the model first if needed; stops early once training diverges.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
        n_iterations : int
        after_each : callable() -> bool, optional

        Returns
        -------
        int
            Updates taken.
        """
        self.partial_fit(X, y, n_iterations=0)  # checks the data, initializes if needed
        X, y = self._check_training_data(X, y, starting=False)
        return self._train(X, y, n_iterations, after_each)

    def cost_and_gradients(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """The cost of the current parameters on ``(X, y)`` and its gradient; changes nothing.

        What a gradient check compares with finite differences of the cost.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)

        Returns
        -------
        cost : float
            Mean cross-entropy.
        gradients : dict of str to array
            The derivative of the cost with respect to each parameter, keyed and shaped
            as `named_parameters`.
        """
        self._check_fitted()
        X, y = self._check_training_data(X, y, starting=False)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._forward_backward(X, y)

    def decision_function(self, X) -> np.ndarray:
        """The output layer's ``z`` for each sample.

        Returns
        -------
        array of shape (n_samples,) or (n_samples, n_classes)
            One output unit (two classes): its ``z``, positive means label 1. A softmax
            output: one score per class, the largest is the answer.
        """
        X = self._check_prediction_data(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._output_logit(X)

    def input_gradient(self, X, label: int | None = None) -> np.ndarray:
        """How an output's ``z`` responds to each pixel, ``(n_samples, n_features)``.

        One output unit: entry ``[i, j]`` is the derivative of
        ``decision_function(X)[i]`` with respect to pixel ``j`` of image ``i``: where
        brightening a pixel would push the answer towards label 1 (positive) or label
        0 (negative). A softmax output: the derivative of the score of class ``label``
        (by default, of the class each image is predicted to be), where brightening
        would make that class more (positive) or less likely. It is taken on ``z``
        rather than on the probability, whose slope vanishes for confident answers.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        label : int, optional
            The class whose score to differentiate (models with a softmax output only).
        """
        X = self._check_prediction_data(X)
        with np.errstate(over="ignore", invalid="ignore"):
            if self._output_units() == 1:
                if label is not None:
                    raise ValueError(
                        "label applies to models with one output per class; this model has "
                        "one output unit, whose z speaks for label 1."
                    )
                return self._input_gradient(X, None)
            if label is None:
                units = np.argmax(self._output_logit(X), axis=1)
            else:
                units = np.full(len(X), self._check_label(label))
            return self._input_gradient(X, units)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class, ``(n_samples, n_classes)``; rows sum to 1.

        With two classes and one output unit, column 1 is the tutorial's ``y_hat``.
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            probability = sigmoid(z)
            return np.column_stack([1.0 - probability, probability])
        return softmax(z, axis=1)

    def predict(self, X) -> np.ndarray:
        """Predicted labels, ``(n_samples,)``.

        One output unit: 1 where ``y_hat > 0.5``, as the tutorial. A softmax output:
        the most probable class.
        """
        probabilities = self.predict_proba(X)
        if self._output_units() == 1:
            return (probabilities[:, 1] > 0.5).astype(np.int64)
        return np.argmax(probabilities, axis=1).astype(np.int64)

    @property
    def n_classes_(self) -> int:
        """Number of classes the model tells apart (2 for the tutorial's task)."""
        self._check_fitted()
        return len(self.classes_)

    def _output_units(self) -> int:
        """Units of the output layer: one sigmoid unit for two classes, else one per class.

        Before training (for `memory_estimate`), two classes are assumed.
        """
        n_classes = len(getattr(self, "classes_", (0, 1)))
        return 1 if n_classes == 2 else n_classes

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """What the output layer should say, ``(n_units, m)``: the labels as a row for one
        sigmoid unit, one-hot columns (a 1 in the row of each image's class) for a softmax.
        """
        n_units = self._output_units()
        if n_units == 1:
            return y[np.newaxis, :]
        return (np.arange(n_units)[:, np.newaxis] == y).astype(y.dtype)

    @staticmethod
    def _logits_by_sample(z: np.ndarray) -> np.ndarray:
        """Output logits ``(n_units, m)`` as `decision_function` gives them: ``(m,)`` for
        one unit, else ``(m, n_units)``."""
        return z[0] if len(z) == 1 else z.T

    def _check_label(self, label) -> int:
        if not (is_whole_number(label) and 0 <= label < len(self.classes_)):
            raise ValueError(
                f"label must be a class from 0 to {len(self.classes_) - 1}, got {label!r}."
            )
        return int(label)

    # -- reporting -------------------------------------------------------------------

    @property
    def gradient_norm_(self) -> float:
        """Length of the last gradient, all parameters together: how steep the cost was.

        NaN before the first iteration. (Computed when asked: the live pages read it
        once per redraw, not once per iteration.)
        """
        gradients = getattr(self, "_last_gradients", None)
        return float("nan") if gradients is None else gradient_norm(gradients)

    @property
    def divergence_message_(self) -> str | None:
        """A sentence explaining a diverged run, or ``None`` while training is healthy."""
        if not getattr(self, "diverged_", False):
            return None
        if not math.isfinite(self.initial_cost_):
            # Blown up before any step: no learning rate is to blame.
            return (
                "Training could not start: the cost of the initial parameters is already "
                f"{self.initial_cost_}, before the first step. The initial weights are so large "
                "that z overflows the numbers the computer can hold. Start from smaller weights."
            )
        if math.isfinite(self.cost_at_divergence_):
            jump = f"{self.initial_cost_:.4g} to {self.cost_at_divergence_:.4g}"
            what = f"the cost jumped from {jump}"
        else:
            what = "the cost overflowed to infinity or NaN"
        return (
            f"Training diverged at iteration {self.diverged_at_}: {what}. "
            "The learning rate is too large: each step overshoots the minimum and lands "
            "higher up the other side. Try a smaller learning rate."
        )

    # -- the training loop -------------------------------------------------------------

    def _start(self, X: np.ndarray, y: np.ndarray) -> None:
        n_features = X.shape[1]
        self.classes_ = np.arange(_class_count(y))  # sizes the output layer
        hidden = tuple(self._layer_sizes(n_features)[1:-1])
        check_memory(
            self.memory_estimate(len(X), n_features, X.dtype.itemsize),
            f"training {type(self).__name__}"
            + (f" with hidden layers {hidden}" if hidden else "")
            + f" on {len(X)} images of {n_features} pixels",
        )
        self._reset_state(n_features, X.dtype, _class_count(y))
        self._initialize(n_features)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.initial_cost_ = self._forward_backward(X, y)[0]

    def _reset_state(self, n_features: int, dtype, n_classes: int = 2) -> None:
        """The learned state of a model that has taken no step yet (parameters aside)."""
        self.n_features_in_ = n_features
        self.classes_ = np.arange(n_classes)
        self.dtype_ = np.dtype(dtype)
        self.cost_history_: list[float] = []
        self.n_iter_ = 0
        self._last_gradients: dict[str, np.ndarray] | None = None
        self.diverged_ = False
        self.diverged_at_: int | None = None
        self.cost_at_divergence_ = float("nan")

    def _train(self, X: np.ndarray, y: np.ndarray, n_iterations: int, after_each=None) -> int:
        taken = 0
        # Overflow in a diverging run is expected; it is detected from the cost below.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while taken < n_iterations and not self.diverged_:
                cost, self._last_gradients = self._step(X, y)
                self._record(cost)
                taken += 1
                if after_each is not None and after_each():
                    break
        return taken

    def _record(self, cost: float) -> None:
        cost = float(cost)
        iteration = self.n_iter_
        self.n_iter_ += 1
        if math.isfinite(cost):
            self.cost_history_.append(cost)
        limit = DIVERGENCE_FACTOR * max(self.initial_cost_, math.log(2))
        if not math.isfinite(cost) or cost > limit:
            self.diverged_ = True
            self.diverged_at_ = iteration
            self.cost_at_divergence_ = cost

    # -- input checks ------------------------------------------------------------------

    def _check_training_data(self, X, y, *, starting: bool) -> tuple[np.ndarray, np.ndarray]:
        X = self._as_features(X, None if starting else self.dtype_)
        if not starting:
            self._check_feature_count(X)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(
                f"y must hold one label per image: X has {len(X)} rows but y has shape {y.shape}."
            )
        if len(y) == 0:
            raise ValueError("Cannot train on zero images.")
        if not self._multiclass:
            if not np.isin(y, (0, 1)).all():
                raise ValueError(
                    "Labels must be 0 or 1 (this is a binary classifier; for more classes "
                    "use SoftmaxRegression or TwoLayerNetwork)."
                )
        elif not (
            np.issubdtype(y.dtype, np.number)
            and np.isfinite(y).all()
            and (y == np.round(y)).all()
            and (y >= 0).all()
        ):
            raise ValueError("Labels must be whole numbers 0, 1, 2, ... (one per class).")
        elif not starting and (y >= len(self.classes_)).any():
            raise ValueError(
                f"Labels must be 0 to {len(self.classes_) - 1}: the model was trained on "
                f"{len(self.classes_)} classes, got label {int(y.max())}."
            )
        return X, y.astype(X.dtype)

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_iter_"):
            raise NotFittedError(
                f"This {type(self).__name__} has not been trained yet: "
                "call fit or partial_fit first."
            )

    def _check_prediction_data(self, X) -> np.ndarray:
        self._check_fitted()
        X = self._as_features(X, self.dtype_)
        self._check_feature_count(X)
        return X

    def _check_feature_count(self, X: np.ndarray) -> None:
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features per image, but the model was trained on "
                f"{self.n_features_in_}."
            )

    @staticmethod
    def _as_features(X, dtype) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                "X must be a 2-D array of shape (n_samples, n_features), one flattened image "
                f"per row; got an array of shape {X.shape}."
            )
        if dtype is None:
            dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        try:
            X = np.asarray(X, dtype=dtype)
        except (TypeError, ValueError):
            raise ValueError("X must hold numbers (pixel values).") from None
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values.")
        return X


def _class_count(y: np.ndarray) -> int:
    """Classes of labels ``y`` (checked whole numbers from 0): at least 2, up to the largest."""
    return max(2, int(y.max()) + 1)


def layer_parameters(weights: list, biases: list) -> dict[str, np.ndarray]:
    """A network's parameters by name, ``{"W1": weights[0], "b1": biases[0], ...}``.

    The names are the tutorial's: layer ``l`` (from 1) has weights ``Wl`` of shape
    ``(units out, units in)`` and biases ``bl`` of shape ``(units out, 1)``.
    """
    parameters = {}
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        parameters[f"W{layer}"] = W
        parameters[f"b{layer}"] = b
    return parameters


def gradient_norm(gradients: dict[str, np.ndarray]) -> float:
    """The Euclidean length of all gradients taken together: how steep the cost is here."""
    return math.sqrt(sum(float(np.vdot(gradient, gradient)) for gradient in gradients.values()))
