"""A trained model to take home and bring back: a ``.npz`` file with a JSON header.

The file is a numpy ``.npz`` archive (no pickle anywhere: it is read with
``allow_pickle=False``) holding

- ``header``: UTF-8 JSON as ``uint8`` bytes: the format version, the model's kind,
  the digits it tells apart (label 0 first), the preprocessing version, the task's
  seed and test size, the image shape, the hyperparameters and the cost history;
- one float array per trained parameter, named as in the model's
  ``named_parameters()``: ``coef_`` and ``intercept_`` for logistic regression,
  ``W1``, ``b1``, ``W2``... for the networks. (Files saved before the two-layer
  network's parameters took those names hold ``hidden_weights_``, ``hidden_bias_``,
  ``output_weights_`` and ``output_bias_``; they load as before.)

`load_model` trusts nothing in the file: the kind, every hyperparameter (through the
model's own checks), every array's name, shape and dtype, finite values and the
file's size are checked, and anything that does not fit raises `ExportError` with a
sentence saying what. A loaded model gives exactly the predictions of the saved one.
Training can continue from it; the numpy Adam network then starts its moment
estimates afresh (they are not saved).

The model kinds are those of the command line: ``logreg``, ``sklearn``,
``two-layer`` and ``deep``.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signviz import data, kinds

FORMAT = "signviz-model"
FORMAT_VERSION = 1
#: The largest file `load_model` reads (a two-layer network with 1,000 hidden units
#: on 64×64 images takes about 33 MB).
MAX_FILE_BYTES = 64 * 2**20
#: The largest header, in bytes (the cost history of 100,000 iterations fits).
MAX_HEADER_BYTES = 4 * 2**20
#: The kinds of model (`signviz.kinds`) saved to ``.npz`` files.
KINDS = tuple(name for name, kind in kinds.KINDS.items() if kind.file_suffix == ".npz")
_HEADER = "header"


class ExportError(ValueError):
    """A model that cannot be saved, or a file that is not a usable signviz model."""


@dataclass
class ExportedModel:
    """A model read back from a file, with what its header says about it.

    Attributes
    ----------
    kind : str
        One of `KINDS`.
    model : estimator
        Ready to predict: ``predict_proba(X)`` with ``X`` of shape
        ``(n_samples, n_features)``.
    digits : tuple of int
        The digits of labels 0 and 1.
    image_shape : tuple of int
        (height, width) of the images it was trained on.
    test_size : float
    random_state : int
        The task's split.
    cost_history : list of float
    hyperparameters : dict
    """

    kind: str
    model: object
    digits: tuple[int, ...]
    image_shape: tuple[int, int]
    test_size: float
    random_state: int
    cost_history: list[float] = field(default_factory=list)
    hyperparameters: dict = field(default_factory=dict)

    def probabilities(self, X) -> list[dict[int, float]]:
        """Each image's probability of every digit, e.g. ``[{0: 0.1, 1: 0.9}]``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)

        Returns
        -------
        list of dict of int to float, length n_samples
        """
        return probabilities_by_digit(self.model, X, self.digits)


def probabilities_by_digit(model, X, digits) -> list[dict[int, float]]:
    """``model.predict_proba(X)`` as one ``{digit: probability}`` per image.

    Column ``k`` of ``predict_proba`` is the probability of label ``k``, which stands for
    ``digits[k]`` (so a ten-class model with ``digits = range(10)`` fits as well).

    Parameters
    ----------
    model : classifier with ``predict_proba``
    X : array of shape (n_samples, n_features)
    digits : sequence of int, one per class

    Returns
    -------
    list of dict of int to float, length n_samples
    """
    table = np.asarray(model.predict_proba(X), dtype=np.float64)
    return [{int(digit): float(p) for digit, p in zip(digits, row, strict=True)} for row in table]


def model_kind(model) -> str:
    """The kind (one of `KINDS`) of a trained model; `ExportError` for any other model."""
    kind = kinds.kind_of(model)
    if kind is not None and kind.name in KINDS:
        return kind.name
    raise ExportError(
        f"A {type(model).__name__} cannot be saved as .npz; the kinds that can are "
        f"{', '.join(KINDS)} (a Keras network is saved as .keras)."
    )


def save_model(model, task: data.Task) -> bytes:
    """The ``.npz`` file of a model trained on ``task``, as bytes.

    Parameters
    ----------
    model : LogisticRegressionGD, sklearn LogisticRegression, TwoLayerNetwork or DeepNetwork
        Trained on ``task`` (``n_features`` pixels per image).
    task : signviz.data.Task

    Returns
    -------
    bytes

    Raises
    ------
    ExportError
        Untrained model, another kind of model, or parameters that are not finite
        (a diverged run).
    """
    kind = model_kind(model)
    if not hasattr(model, "n_iter_"):
        raise ExportError("The model has not been trained yet: there is nothing to save.")
    parameters = _parameters_of(kind, model)
    for name, array in parameters.items():
        if not np.isfinite(array).all():
            raise ExportError(
                f"The parameter {name} holds NaN or infinite values (training diverged): "
                "such a model cannot be saved."
            )
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "digits": [int(digit) for digit in task.digits],
        "preprocessing_version": data.PREPROCESSING_VERSION,
        "image_shape": [int(side) for side in task.image_shape],
        "random_state": int(task.random_state),
        "test_size": float(task.test_size),
        "n_iter": int(np.max(model.n_iter_)),
        "initial_cost": _finite_or_none(getattr(model, "initial_cost_", None)),
        "cost_history": [float(cost) for cost in getattr(model, "cost_history_", [])],
        "hyperparameters": _hyperparameters(kind, model),
    }
    encoded = json.dumps(header, allow_nan=False).encode()
    buffer = io.BytesIO()
    np.savez(
        buffer,
        **{_HEADER: np.frombuffer(encoded, dtype=np.uint8)},
        **{name: np.ascontiguousarray(array) for name, array in parameters.items()},
    )
    return buffer.getvalue()


def cost_history_csv(costs) -> str:
    """The cost history as CSV text: a header line ``step,cost``, then one row per step.

    Parameters
    ----------
    costs : sequence of float, length n_steps
        ``cost_history_`` of a model (one cost per iteration or epoch).

    Returns
    -------
    str
    """
    return "step,cost\n" + "".join(f"{step},{float(cost)!r}\n" for step, cost in enumerate(costs))


def keras_file(model) -> bytes:
    """A trained `signviz.models.keras_network.KerasNetwork`'s network as ``.keras`` bytes.

    Keras writes only to a named file, so it goes through a temporary folder that is
    removed at once.
    """
    import tempfile

    if not hasattr(model, "model_"):
        raise ExportError("The Keras network has not been trained yet: there is nothing to save.")
    with tempfile.TemporaryDirectory(prefix="signviz-") as folder:
        path = Path(folder) / "model.keras"
        model.model_.save(path)
        return path.read_bytes()


def load_model(source: bytes | str | Path) -> ExportedModel:
    """Read and check a file written by `save_model` (its bytes, or its path).

    Raises
    ------
    ExportError
        With a sentence saying what does not fit: not an ``.npz`` file, truncated,
        too large, pickled or object arrays, a missing or malformed header, an unknown
        kind, hyperparameters the model refuses, missing or extra arrays, a shape or
        dtype that does not fit, NaN or infinite values.
    """
    raw = _read_bytes(source)
    if not raw.startswith(b"PK\x03\x04"):
        raise ExportError("The file is not an .npz model (an .npz file is a zip archive).")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_FILE_BYTES:
            raise ExportError(
                f"The file unpacks to {unpacked / 2**20:.0f} MB, more than the "
                f"{MAX_FILE_BYTES // 2**20} MB a saved model may have."
            )
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            names = list(archive.files)
            if _HEADER not in names:
                raise ExportError("The file has no signviz header: it is not a saved model.")
            content = {name: archive[name] for name in names}
        if not all(isinstance(array, np.ndarray) for array in content.values()):
            raise ExportError("The file holds members that are not numpy arrays.")
        header = _parse_header(content.pop(_HEADER))
        arrays = content
    except ExportError:
        raise
    except ValueError as error:
        if "pickle" in str(error).lower() or "object" in str(error).lower():
            raise ExportError(
                "The file holds pickled Python objects, which are never loaded (they can "
                "run code): it was not written by signviz."
            ) from None
        raise ExportError(f"The file is not a readable .npz model: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise ExportError(
            f"The file is damaged or truncated, or not an .npz file ({type(error).__name__})."
        ) from None
    return _build(header, arrays)


# -- internals -----------------------------------------------------------------------

#: scikit-learn's LogisticRegression: the settings kept (the rest stay at defaults).
_SKLEARN_SETTINGS = ("C", "max_iter", "random_state", "tol")


#: The two-layer network's array names in files saved before its parameters were
#: named as every network's (``W1``, ``b1``, ...): such a file still loads.
_TWO_LAYER_NAMES_BEFORE = {
    "hidden_weights_": "W1",
    "hidden_bias_": "b1",
    "output_weights_": "W2",
    "output_bias_": "b2",
}


def _finite_or_none(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _parameters_of(kind: str, model) -> dict[str, np.ndarray]:
    if kind == "sklearn":
        return {"coef_": model.coef_, "intercept_": model.intercept_}
    return {name: np.asarray(array) for name, array in model.named_parameters().items()}


def _hyperparameters(kind: str, model) -> dict:
    params = model.get_params()
    if kind == "sklearn":
        params = {name: params[name] for name in _SKLEARN_SETTINGS}
    return {
        name: list(value) if isinstance(value, tuple) else value for name, value in params.items()
    }


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ExportError(_too_large(size))
            raw = path.read_bytes()
        except OSError as error:
            raise ExportError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ExportError(_too_large(len(raw)))
    if not raw:
        raise ExportError("The file is empty.")
    return raw


def _too_large(size: int) -> str:
    return (
        f"The file has {size / 2**20:.1f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
        "a saved model may have."
    )


def _parse_header(array: np.ndarray) -> dict:
    if array.dtype != np.uint8 or array.ndim != 1 or array.size > MAX_HEADER_BYTES:
        raise ExportError("The file's header is not a short text: it is not a saved model.")
    try:
        header = json.loads(array.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExportError("The file's header is not valid JSON.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExportError("The file's header does not say it is a signviz model.")
    if header.get("format_version") != FORMAT_VERSION:
        raise ExportError(
            f"The file is in format version {header.get('format_version')!r}; this signviz "
            f"reads version {FORMAT_VERSION}."
        )
    return header


def _field(header: dict, name: str, check, what: str):
    value = header.get(name)
    if not check(value):
        raise ExportError(f"The header's {name} should be {what}, got {value!r}.")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _build(header: dict, arrays: dict[str, np.ndarray]) -> ExportedModel:
    kind = _field(header, "kind", lambda v: v in KINDS, f"one of {', '.join(KINDS)}")
    digits = _field(
        header,
        "digits",
        lambda v: (
            isinstance(v, list)
            and len(v) == 2
            and all(_is_int(d) and 0 <= d <= 9 for d in v)
            and len(set(v)) == 2
        ),
        "two different digits from 0 to 9",
    )
    version = data.PREPROCESSING_VERSION
    _field(header, "preprocessing_version", lambda v: v == version, f"{version}")
    shape = _field(
        header,
        "image_shape",
        lambda v: (
            isinstance(v, list) and len(v) == 2 and all(_is_int(s) and 1 <= s <= 256 for s in v)
        ),
        "[height, width] in pixels",
    )
    random_state = _field(header, "random_state", lambda v: _is_int(v) and v >= 0, "a seed")
    test_size = _field(header, "test_size", lambda v: _is_number(v) and 0 < v < 1, "in (0, 1)")
    n_iter = _field(
        header, "n_iter", lambda v: _is_int(v) and 0 <= v < 2**31, "a whole number below 2**31"
    )
    costs = _field(
        header,
        "cost_history",
        lambda v: isinstance(v, list) and all(_is_number(c) for c in v),
        "a list of finite numbers",
    )
    hyperparameters = _field(header, "hyperparameters", lambda v: isinstance(v, dict), "a dict")
    n_features = shape[0] * shape[1]
    model = _make_model(kind, hyperparameters)
    if kind == "two-layer" and set(_TWO_LAYER_NAMES_BEFORE) & set(arrays):
        if not set(_TWO_LAYER_NAMES_BEFORE) <= set(arrays):
            raise ExportError(
                "The file names its arrays as two-layer networks were saved before "
                f"({', '.join(_TWO_LAYER_NAMES_BEFORE)}), but lacks "
                f"{', '.join(sorted(set(_TWO_LAYER_NAMES_BEFORE) - set(arrays)))}."
            )
        arrays = {_TWO_LAYER_NAMES_BEFORE.get(name, name): array for name, array in arrays.items()}
    expected = _expected_shapes(kind, model, n_features)
    missing, extra = set(expected) - set(arrays), set(arrays) - set(expected)
    if missing or extra:
        raise ExportError(
            f"A {kind} model holds the arrays {', '.join(expected)}; the file "
            + (f"lacks {', '.join(sorted(missing))}" if missing else "")
            + (" and " if missing and extra else "")
            + (f"has the unexpected {', '.join(sorted(extra))}" if extra else "")
            + "."
        )
    dtypes = {arrays[name].dtype for name in expected}
    if len(dtypes) != 1 or not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)}:
        raise ExportError(
            "The parameters must all be float32 or all float64, got "
            f"{', '.join(sorted(str(d) for d in dtypes))}."
        )
    for name, shape_expected in expected.items():
        if arrays[name].shape != shape_expected:
            raise ExportError(
                f"The array {name} has shape {arrays[name].shape}; a {kind} model on "
                f"{shape[0]}×{shape[1]} images needs {shape_expected}."
            )
        if not np.isfinite(arrays[name]).all():
            raise ExportError(f"The array {name} holds NaN or infinite values.")
    _restore(kind, model, arrays, n_features, n_iter, costs, header.get("initial_cost"))
    return ExportedModel(
        kind=kind,
        model=model,
        digits=tuple(digits),
        image_shape=tuple(shape),
        test_size=float(test_size),
        random_state=random_state,
        cost_history=[float(c) for c in costs],
        hyperparameters=hyperparameters,
    )


def _make_model(kind: str, hyperparameters: dict):
    cls = kinds.get(kind).model_class()
    if kind == "sklearn":
        if set(hyperparameters) != set(_SKLEARN_SETTINGS):
            raise ExportError(f"A sklearn model's settings are {', '.join(_SKLEARN_SETTINGS)}.")
        model = cls(**hyperparameters)
        try:
            model._validate_params()
        except Exception as error:  # scikit-learn's InvalidParameterError, a ValueError
            raise ExportError(f"The file's settings are refused: {error}") from None
        return model
    allowed = set(cls().get_params())
    if set(hyperparameters) != allowed:
        raise ExportError(
            f"A {kind} model's settings are {', '.join(sorted(allowed))}; the file has "
            f"{', '.join(sorted(hyperparameters))}."
        )
    settings = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in hyperparameters.items()
    }
    seed = settings.get("random_state")
    if seed is not None and not (_is_int(seed) and 0 <= seed < 2**32):
        raise ExportError(
            f"The file's random_state should be a seed from 0 to 2**32 - 1, got {seed!r}."
        )
    model = cls(**settings)
    try:
        model._check_hyperparameters()
    except (TypeError, ValueError) as error:
        raise ExportError(f"The file's settings are refused: {error}") from None
    return model


def _expected_shapes(kind: str, model, n_features: int) -> dict[str, tuple[int, ...]]:
    if kind in ("logreg", "sklearn"):
        return {"coef_": (1, n_features), "intercept_": (1,)}
    sizes = model._layer_sizes(n_features)
    shapes = {}
    for layer in range(1, len(sizes)):
        shapes[f"W{layer}"] = (sizes[layer], sizes[layer - 1])
        shapes[f"b{layer}"] = (sizes[layer], 1)
    return shapes


def _restore(kind, model, arrays, n_features, n_iter, costs, initial_cost) -> None:
    model.n_features_in_ = n_features
    model.classes_ = np.array([0, 1])
    if kind == "sklearn":
        model.coef_ = np.array(arrays["coef_"], dtype=np.float64)
        model.intercept_ = np.array(arrays["intercept_"], dtype=np.float64)
        model.n_iter_ = np.array([n_iter], dtype=np.int32)
        return
    model._reset_state(n_features, next(iter(arrays.values())).dtype)
    if kind == "logreg":
        model.coef_, model.intercept_ = np.array(arrays["coef_"]), np.array(arrays["intercept_"])
    else:
        layers = range(1, len(arrays) // 2 + 1)
        model.weights_ = [np.array(arrays[f"W{layer}"]) for layer in layers]
        model.biases_ = [np.array(arrays[f"b{layer}"]) for layer in layers]
    if kind == "deep":
        model._start_optimizer(np.random.default_rng(model.random_state))
    model.cost_history_ = [float(c) for c in costs]
    model.n_iter_ = n_iter
    model.initial_cost_ = (
        float(initial_cost) if _is_number(initial_cost) else (costs[0] if costs else math.log(2))
    )
