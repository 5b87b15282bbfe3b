"""The tutorial's Keras network and its cross-validation, on small data (imports TensorFlow)."""

import numpy as np
import pytest
from sklearn.model_selection import cross_val_score

pytestmark = pytest.mark.slow
keras_network = pytest.importorskip("signviz.models.keras_network")


def test_the_tutorials_model():
    model = keras_network.build_model(4096)
    dense = model.layers
    assert [layer.units for layer in dense] == [8, 4, 1]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "sigmoid"]
    assert model.count_params() == (4096 * 8 + 8) + (8 * 4 + 4) + (4 + 1)
    kernel = dense[0].get_weights()[0]
    assert kernel.shape == (4096, 8)
    assert np.abs(kernel).max() <= 0.05  # 'uniform': uniform in [-0.05, 0.05]
    assert kernel.std() == pytest.approx(0.1 / np.sqrt(12), rel=0.05)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.loss == "binary_crossentropy"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"activation": "swish"}, "activation"),
        ({"optimizer": "lion"}, "optimizer"),
        ({"kernel_initializer": "ones"}, "initializer"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden layer"),
    ],
)
def test_bad_settings_raise_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        keras_network.build_model(16, **options)


def test_training_is_reproducible_and_reports_each_epoch(halves_toy):
    X, y = halves_toy
    seen = []
    first = keras_network.KerasNetwork(hidden_layer_sizes=(4,), n_epochs=4, batch_size=16).fit(
        X, y, validation_data=(X, y), on_epoch_end=lambda epoch, logs: seen.append((epoch, logs))
    )
    again = keras_network.KerasNetwork(hidden_layer_sizes=(4,), n_epochs=4, batch_size=16).fit(X, y)
    assert first.n_iter_ == 4
    assert [epoch for epoch, _ in seen] == [0, 1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(seen[0][1])
    assert first.cost_history_ == [logs["loss"] for _, logs in seen]
    np.testing.assert_allclose(first.cost_history_, again.cost_history_, rtol=1e-6)
    probabilities = first.predict_proba(X)
    assert probabilities.shape == (60, 2)
    np.testing.assert_array_equal(first.predict(X), (probabilities[:, 1] > 0.5).astype(int))


def test_a_callback_can_stop_training_and_keep_what_was_learned(halves_toy):
    X, y = halves_toy
    network = keras_network.KerasNetwork(n_epochs=50).fit(
        X, y, on_epoch_end=lambda epoch, logs: epoch == 2
    )
    assert network.n_iter_ == 3
    assert len(network.history_["loss"]) == 3
    assert network.predict(X).shape == (60,)


def test_cross_validation_uses_cross_val_scores_folds(halves_toy):
    X, y = halves_toy
    estimator = keras_network.KerasNetwork(hidden_layer_sizes=(4,), n_epochs=3)
    folds = []
    result = keras_network.cross_validate(
        estimator, X, y, on_fold_end=lambda fold, accuracy: folds.append((fold, accuracy))
    )
    assert [fold for fold, _ in folds] == [0, 1, 2]
    assert result.fold_accuracies == tuple(accuracy for _, accuracy in folds)
    expected = cross_val_score(estimator, X, y, cv=3)
    np.testing.assert_allclose(result.fold_accuracies, expected, atol=1e-6)
    assert result.mean == pytest.approx(np.mean(expected))
    assert result.std == pytest.approx(np.std(expected))


def test_input_gradient_agrees_with_the_numpy_twin(halves_toy):
    from signviz.models import DeepNetwork

    X, y = halves_toy
    network = keras_network.KerasNetwork(hidden_layer_sizes=(5, 3), n_epochs=3).fit(X, y)
    twin = DeepNetwork(hidden_layer_sizes=(5, 3)).partial_fit(X, y, n_iterations=0)
    for layer, (kernel, bias) in enumerate(layer.get_weights() for layer in network.model_.layers):
        twin.weights_[layer][...] = kernel.T
        twin.biases_[layer][...] = bias[:, np.newaxis]
    np.testing.assert_allclose(network.decision_function(X), twin.decision_function(X), atol=1e-5)
    gradient = network.input_gradient(X[:6])
    assert gradient.shape == (6, 16)
    np.testing.assert_allclose(gradient, twin.input_gradient(X[:6]), atol=1e-5)
    np.testing.assert_allclose(
        network.predict_proba(X)[:, 1], twin.predict_proba(X)[:, 1], atol=1e-5
    )


def test_the_network_offers_exactly_the_listed_options():
    from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS

    assert tuple(keras_network.OPTIMIZERS) == KERAS_OPTIMIZERS
    assert keras_network.INITIALIZERS == KERAS_INITIALIZERS
    for name in KERAS_INITIALIZERS:
        keras_network.make_initializer(name, seed=0)


def test_first_layer_weights_and_summary_need_no_keras_internals(halves_toy):
    X, y = halves_toy
    network = keras_network.KerasNetwork(hidden_layer_sizes=(5, 3), n_epochs=1)
    with pytest.raises(keras_network.NotFittedError):
        network.first_layer_weights()
    network.fit(X, y)
    weights = network.first_layer_weights()
    assert weights.shape == (5, 16)  # (units, features), like DeepNetwork.weights_[0]
    np.testing.assert_array_equal(weights, network.model_.layers[0].get_weights()[0].T)
    summary = network.summary()
    assert f"{16 * 5 + 5 + 5 * 3 + 3 + 3 + 1}" in summary.replace(",", "")  # all parameters


def test_a_cross_validation_job_reports_typed_events_and_stops(halves_toy):
    from signviz import cross_validation

    class Job:
        def __init__(self, stop_after_folds):
            self.events, self.stop_after_folds = [], stop_after_folds

        def report(self, event):
            self.events.append(event)

        @property
        def stop_requested(self):
            done = sum(isinstance(e, cross_validation.FoldDone) for e in self.events)
            return done >= self.stop_after_folds

    X, y = halves_toy
    network = keras_network.KerasNetwork(hidden_layer_sizes=(4,), n_epochs=2)
    job = Job(stop_after_folds=99)
    result = cross_validation.run(job, network, X, y, n_folds=2)
    epochs = [e for e in job.events if isinstance(e, cross_validation.EpochDone)]
    folds = [e for e in job.events if isinstance(e, cross_validation.FoldDone)]
    assert [(e.fold, e.epoch) for e in epochs] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(np.isfinite(e.loss) for e in epochs)
    assert tuple(e.accuracy for e in folds) == result.fold_accuracies
    assert cross_validation.progress(job.events, 2, 2).fraction == 1.0

    stopped = Job(stop_after_folds=1)
    result = cross_validation.run(stopped, network, X, y)
    assert len(result.fold_accuracies) == 1  # Stop skips the folds still to come


def test_the_weights_a_frame_reads_follow_every_batch_and_every_new_model(halves_toy):
    X, y = halves_toy
    network = keras_network.KerasNetwork(hidden_layer_sizes=(4,), n_epochs=1, batch_size=16)
    network.train_steps(X, y, 1)
    before = network.first_layer_weights()
    np.testing.assert_array_equal(before, network.model_.get_weights()[0].T)
    network.train_steps(X, y, 1)  # four more batches: new weights, read again
    after = network.first_layer_weights()
    np.testing.assert_array_equal(after, network.model_.get_weights()[0].T)
    assert not np.array_equal(before, after)
    z = network._output_logit(X)
    np.testing.assert_allclose(z, network.decision_function(X), rtol=1e-5, atol=1e-6)
    steps = int(network.model_.optimizer.iterations)
    network.set_params(n_epochs=2).fit(X, y)  # a fresh model, as many optimizer steps
    assert int(network.model_.optimizer.iterations) == steps
    np.testing.assert_array_equal(network.first_layer_weights(), network.model_.get_weights()[0].T)
