"""Saving a trained model as .npz and loading it back; every malformed file is refused."""

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from signviz import data, export
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork


@pytest.fixture(scope="module")
def task():
    """scikit-learn's 8x8 digits, 3 against 8: small and fast, no download."""
    return data.make_task(data.fallback_dataset("test"), (3, 8), test_size=0.2, random_state=7)


def trained(kind, task):
    model = {
        "logreg": LogisticRegressionGD(learning_rate=0.1, n_iterations=30),
        "sklearn": LogisticRegression(max_iter=200),
        "two-layer": TwoLayerNetwork(hidden_units=5, learning_rate=0.5, n_iterations=30),
        "deep": DeepNetwork(hidden_layer_sizes=(6, 3), n_epochs=3, learning_rate=0.01),
    }[kind]
    return model.fit(task.x_train, task.y_train)


@pytest.mark.parametrize("kind", export.KINDS)
def test_round_trip_gives_identical_predictions(kind, task):
    model = trained(kind, task)
    loaded = export.load_model(export.save_model(model, task))
    assert loaded.kind == kind
    assert loaded.digits == (3, 8)
    assert loaded.image_shape == (8, 8)
    assert (loaded.random_state, loaded.test_size) == (7, 0.2)
    np.testing.assert_array_equal(
        loaded.model.predict_proba(task.x_test), model.predict_proba(task.x_test)
    )
    assert loaded.cost_history == list(getattr(model, "cost_history_", []))
    assert int(np.max(loaded.model.n_iter_)) == int(np.max(model.n_iter_))
    probabilities = loaded.probabilities(task.x_test[:2])
    assert [set(p) for p in probabilities] == [{3, 8}, {3, 8}]
    assert probabilities[0][8] == pytest.approx(model.predict_proba(task.x_test[:1])[0, 1])


@pytest.mark.parametrize("kind", ["logreg", "two-layer", "deep"])
def test_a_loaded_model_keeps_training(kind, task):
    loaded = export.load_model(export.save_model(trained(kind, task), task)).model
    before = loaded.n_iter_
    loaded.partial_fit(task.x_train, task.y_train, n_iterations=2)
    assert loaded.n_iter_ == before + 2
    assert len(loaded.cost_history_) == before + 2


#: How a two-layer network's arrays were named in files saved before they were named
#: W1, b1, W2, b2 like every network's.
NAMES_BEFORE = {
    "W1": "hidden_weights_",
    "b1": "hidden_bias_",
    "W2": "output_weights_",
    "b2": "output_bias_",
}


def test_a_two_layer_file_saved_with_the_former_array_names_still_loads(task):
    model = trained("two-layer", task)
    raw = export.save_model(model, task)
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        assert set(archive.files) == {"header", *NAMES_BEFORE}

    def former_names(header, arrays):
        for name, before in NAMES_BEFORE.items():
            arrays[before] = arrays.pop(name)

    loaded = export.load_model(rewrite(raw, former_names)).model
    np.testing.assert_array_equal(
        loaded.predict_proba(task.x_test), model.predict_proba(task.x_test)
    )
    for layer in range(2):
        np.testing.assert_array_equal(loaded.weights_[layer], model.weights_[layer])
        np.testing.assert_array_equal(loaded.biases_[layer], model.biases_[layer])

    def half_renamed(header, arrays):
        former_names(header, arrays)
        arrays["b2"] = arrays.pop("output_bias_")

    with pytest.raises(
        export.ExportError, match=r"as two-layer networks were saved before.*lacks output_bias_"
    ):
        export.load_model(rewrite(raw, half_renamed))


def test_saving_refuses_untrained_diverged_and_foreign_models(task):
    with pytest.raises(export.ExportError, match="not been trained"):
        export.save_model(LogisticRegressionGD(), task)
    with pytest.raises(export.ExportError, match=r"cannot be saved as \.npz"):
        export.save_model(object(), task)
    model = trained("logreg", task)
    model.coef_[0, 0] = np.nan
    with pytest.raises(export.ExportError, match="NaN"):
        export.save_model(model, task)


def rewrite(raw: bytes, change) -> bytes:
    """The saved file with its header or arrays changed by ``change(header, arrays)``."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(arrays.pop("header").tobytes())
    change(header, arrays)
    buffer = io.BytesIO()
    encoded = json.dumps(header).encode()
    np.savez(buffer, header=np.frombuffer(encoded, dtype=np.uint8), **arrays)
    return buffer.getvalue()


def set_header(**values):
    return lambda header, arrays: header.update(values)


def change_array(name, value):
    return lambda header, arrays: arrays.__setitem__(name, value)


def nan_in(name):
    def change(header, arrays):
        arrays[name] = arrays[name].copy()
        arrays[name].flat[0] = np.nan

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_header(kind="svm"), "kind should be one of"),
        (set_header(kind="deep"), "settings are"),
        (set_header(digits=[3, 3]), "two different digits"),
        (set_header(preprocessing_version=99), "preprocessing_version"),
        (set_header(format="other"), "does not say it is a signviz model"),
        (set_header(format_version=2), "format version 2"),
        (set_header(image_shape=[16, 16]), r"coef_ has shape \(1, 64\)"),
        (set_header(cost_history=[1.0, "x"]), "cost_history"),
        (set_header(hyperparameters={"hidden_units": -3}), "settings are"),
        (change_array("coef_", np.zeros((1, 63))), r"needs \(1, 64\)"),
        (change_array("coef_", np.zeros((1, 64), dtype=np.int64)), "float32 or all float64"),
        (change_array("extra", np.zeros(3)), "unexpected extra"),
        (nan_in("coef_"), "NaN or infinite"),
        (lambda header, arrays: arrays.pop("intercept_"), "lacks intercept_"),
    ],
)
def test_malformed_files_are_refused_with_a_message(change, message, task):
    raw = export.save_model(trained("logreg", task), task)
    with pytest.raises(export.ExportError, match=message):
        export.load_model(rewrite(raw, change))


@pytest.mark.parametrize("kind", export.KINDS)
def test_odd_values_in_any_header_field_raise_only_export_errors(kind, task):
    raw = export.save_model(trained(kind, task), task)
    with np.load(io.BytesIO(raw)) as archive:
        header = json.loads(archive["header"].tobytes())
    odd = [None, True, -1, 0, 1.5, 1e308, "x", [], [1], {}, {"a": 1}, 2**70, [[1]]]
    fields = [(False, name) for name in header] + [
        (True, name) for name in header["hyperparameters"]
    ]
    for in_settings, name in fields:
        for value in odd:

            def change(new_header, arrays, in_settings=in_settings, name=name, value=value):
                target = new_header["hyperparameters"] if in_settings else new_header
                target[name] = value

            try:
                export.load_model(rewrite(raw, change))
            except export.ExportError:
                pass


def test_refused_hyperparameters_of_a_network(task):
    raw = export.save_model(trained("two-layer", task), task)

    def bad_activation(header, arrays):
        header["hyperparameters"]["activation"] = "wiggle"

    with pytest.raises(export.ExportError, match="settings are refused"):
        export.load_model(rewrite(raw, bad_activation))

    def more_units(header, arrays):
        header["hyperparameters"]["hidden_units"] = 9

    with pytest.raises(export.ExportError, match=r"W1 has shape \(5, 64\)"):
        export.load_model(rewrite(raw, more_units))


def test_pickle_inside_is_never_loaded(task):
    raw = export.save_model(trained("logreg", task), task)
    pickled = rewrite(raw, change_array("coef_", np.array([{"a": 1}], dtype=object)))
    with pytest.raises(export.ExportError, match="pickled"):
        export.load_model(pickled)


def test_truncated_empty_foreign_and_huge_files_are_refused(task, tmp_path):
    raw = export.save_model(trained("logreg", task), task)
    with pytest.raises(export.ExportError, match="damaged or truncated"):
        export.load_model(raw[: len(raw) // 2])
    with pytest.raises(export.ExportError, match="empty"):
        export.load_model(b"")
    with pytest.raises(export.ExportError, match=r"not an \.npz model"):
        export.load_model(b"\x89PNG\r\n\x1a\n not a model")
    with pytest.raises(export.ExportError, match="more than the 64 MB"):
        export.load_model(raw + bytes(export.MAX_FILE_BYTES))
    big = tmp_path / "big.npz"
    big.write_bytes(bytes(export.MAX_FILE_BYTES + 1))
    with pytest.raises(export.ExportError, match="more than the 64 MB"):
        export.load_model(big)
    with pytest.raises(export.ExportError, match="Cannot read"):
        export.load_model(tmp_path / "missing.npz")
    no_header = io.BytesIO()
    np.savez(no_header, coef_=np.zeros((1, 64)))
    with pytest.raises(export.ExportError, match="no signviz header"):
        export.load_model(no_header.getvalue())
    # A zip archive that is not an npz (a stray file inside).
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("header.npy", b"garbage")
    with pytest.raises(export.ExportError, match="not numpy arrays"):
        export.load_model(other.getvalue())
    # A zip bomb: small on disk, huge once unpacked.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("header.npy", bytes(export.MAX_FILE_BYTES + 1))
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(export.ExportError, match="unpacks to 64 MB"):
        export.load_model(bomb.getvalue())


def test_probabilities_by_digit_names_each_class():
    class TenClasses:
        def predict_proba(self, X):
            return np.full((len(X), 10), 0.1)

    rows = export.probabilities_by_digit(TenClasses(), np.zeros((2, 4)), range(10))
    assert rows == [dict.fromkeys(range(10), 0.1)] * 2


def test_cost_history_csv_holds_every_cost_exactly():
    costs = [0.6931471805599453, 0.5, 1e-17]
    text = export.cost_history_csv(costs)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["step", "cost"]
    assert [(int(step), float(cost)) for step, cost in rows[1:]] == list(enumerate(costs))
    assert export.cost_history_csv([]) == "step,cost\n"


@pytest.mark.slow
def test_a_keras_network_is_saved_as_a_keras_file(task, tmp_path):
    import keras

    from signviz.models.keras_network import KerasNetwork

    model = KerasNetwork(hidden_layer_sizes=(4,), n_epochs=2).fit(task.x_train, task.y_train)
    path = tmp_path / "network.keras"
    path.write_bytes(export.keras_file(model))
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(task.x_test, verbose=0)[:, 0], model.predict_proba(task.x_test)[:, 1],
        rtol=1e-6,
    )  # fmt: skip
    with pytest.raises(export.ExportError, match="not been trained"):
        export.keras_file(KerasNetwork())
