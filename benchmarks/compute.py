"""Benchmarks of the computations: the models against their bare arithmetic, Keras against
the deep network from scratch, live drawing against no drawing, the dataset cache against
preprocessing."""

from __future__ import annotations

import io
import tempfile
import threading
import time
from contextlib import contextmanager

import numpy as np
import plotly.io
from PIL import Image

from benchmarks.harness import Result, interleaved, seconds_per_call
from signviz import data, figures
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork
from signviz.trainer import CoreLimiter, Trainer, redraw_seconds
from signviz.ui import LIVE_POINTS

ITERATIONS = 200


def logistic_regression(task) -> Result:
    """1. One iteration of our logistic regression against its two matrix products."""
    X, y = task.x_train, task.y_train
    model = LogisticRegressionGD().partial_fit(X, y, n_iterations=0)
    w, dz = model.coef_[0].copy(), np.full(len(X), 0.5, dtype=X.dtype)

    def bare_products():
        w @ X.T  # z = w^T X
        X.T @ dz  # dw = X (y_hat - y)^T

    model_time, bare_time = interleaved(
        seconds_per_call(lambda: model.partial_fit(X, y, n_iterations=ITERATIONS)),
        seconds_per_call(bare_products, ITERATIONS),
    )
    return Result.at_most(
        "1. Logistic regression, time per iteration vs its matrix products",
        model_time / ITERATIONS * 1e3,
        bare_time * 1e3,
        "ms",
        1.3,
    )


def two_layer_network(task) -> Result:
    """2. One iteration of the two-layer network against its matrix products."""
    X, y = task.x_train, task.y_train
    model = TwoLayerNetwork().partial_fit(X, y, n_iterations=0)
    W1, W2 = (weights.copy() for weights in model.weights_)
    rng = np.random.default_rng(0)
    A1, dZ2 = np.tanh(W1 @ X.T), rng.random((1, len(X)), dtype=X.dtype)
    dZ1 = rng.random(A1.shape, dtype=X.dtype)

    def bare_products():
        W1 @ X.T  # Z1
        W2 @ A1  # Z2
        dZ2 @ A1.T  # dW2
        W2.T @ dZ2  # dA1
        dZ1 @ X  # dW1

    model_time, bare_time = interleaved(
        seconds_per_call(lambda: model.partial_fit(X, y, n_iterations=ITERATIONS)),
        seconds_per_call(bare_products, ITERATIONS),
    )
    return Result.at_most(
        "2. Two-layer network, time per iteration vs its matrix products",
        model_time / ITERATIONS * 1e3,
        bare_time * 1e3,
        "ms",
        1.3,
    )


def keras_against_twin(task) -> list[Result]:
    """3. Keras's fit against the deep network from scratch, and the Keras page's live path
    against fit."""
    from signviz.models.keras_network import KerasNetwork

    X, y = task.x_train, task.y_train
    epochs = 100  # the tutorial's
    keras = KerasNetwork(n_epochs=epochs).fit(X, y)
    keras_epoch = keras.fit_seconds_ / epochs
    started = time.perf_counter()
    twin = DeepNetwork(n_epochs=epochs).fit(X, y)
    twin_epoch = (time.perf_counter() - started) / epochs
    accuracies = (
        f"test accuracy: Keras {keras.score(task.x_test, task.y_test):.1%}, "
        f"twin {twin.score(task.x_test, task.y_test):.1%}"
    )
    speed = Result.at_least(
        "3a. Keras fit vs deep network from scratch, per epoch (100 epochs, batches of 32)",
        keras_epoch * 1e3,
        twin_epoch * 1e3,
        "ms",
        3,
        accuracies,
    )

    live_epochs = 40

    def plain_fit() -> float:
        started = time.perf_counter()
        KerasNetwork(n_epochs=live_epochs).fit(X, y)
        return time.perf_counter() - started

    def live_fit() -> float:
        """As the Keras page trains: the trainer's worker, a redraw four times a second."""
        trainer = Trainer(X, y, task.x_test, task.y_test, lambda network: first_layer(network))
        started = time.perf_counter()
        with watching(trainer, cost_redraw(live_epochs, log_y=False)):
            trainer.train(KerasNetwork(n_epochs=live_epochs), live_epochs)
            trainer.wait()
        return time.perf_counter() - started

    live, plain = interleaved(live_fit, plain_fit, rounds=5)
    overhead = Result.at_most(
        "3b. Keras page's live trainer and redraws vs plain fit (40 epochs)",
        live,
        plain,
        "s",
        1.1,
    )
    return [speed, overhead]


def first_layer(network):
    return network.model_.layers[0].get_weights()[0].T


def cost_redraw(planned: int, *, log_y: bool, image_shape=None):
    """A page's live redraw from a snapshot: the cost curve, serialized as
    ``st.plotly_chart`` sends it, and each drawn unit's weights as an image, encoded as
    ``signviz.ui.live_images`` does (when ``image_shape`` is given)."""

    def draw(snapshot) -> None:
        if snapshot.frame is None:
            return
        cost = figures.cost_curve(
            snapshot.costs,
            planned=planned,
            log_y=log_y,
            y_top=snapshot.first_cost,
            max_points=LIVE_POINTS,
        )
        plotly.io.to_json(cost, validate=False)
        if image_shape is not None:
            for image in figures.weight_images(snapshot.frame.weights, image_shape):
                Image.fromarray(image).save(io.BytesIO(), format="PNG", compress_level=1)

    return draw


@contextmanager
def watching(trainer: Trainer, draw):
    """Redraw from the trainer's latest snapshot as often as a page's fragment does, in a
    thread of its own."""
    done = threading.Event()

    def redraw() -> None:
        while not done.wait(redraw_seconds(trainer.limiter)):
            draw(trainer.snapshot)

    drawer = threading.Thread(target=redraw)
    drawer.start()
    try:
        yield
    finally:
        done.set()
        drawer.join()


def live_two_layer(task, iterations: int, limiter: CoreLimiter):
    """Train the two-layer network through a trainer, redrawn live; returns the trainer."""
    trainer = Trainer(
        task.x_train, task.y_train, task.x_test, task.y_test,
        lambda model: model.weights_[0], limiter=limiter,
    )  # fmt: skip
    draw = cost_redraw(iterations, log_y=True, image_shape=task.image_shape)
    with watching(trainer, draw):
        trainer.train(TwoLayerNetwork(n_iterations=iterations), iterations)
        trainer.wait()
    return trainer


def live_drawing(task) -> Result:
    """4. The two-layer network's default training through the live trainer, redrawn four
    times a second as its page does (without the page's pacing, which a 2500-iteration run
    does not need), against a plain fit."""
    X, y = task.x_train, task.y_train
    iterations = 2500
    limiter = CoreLimiter()

    def live() -> float:
        started = time.perf_counter()
        live_two_layer(task, iterations, limiter)
        return time.perf_counter() - started

    def plain() -> float:
        started = time.perf_counter()
        TwoLayerNetwork(n_iterations=iterations).fit(X, y)
        return time.perf_counter() - started

    live_time, plain_time = interleaved(live, plain, rounds=3)
    return Result.at_most(
        "4. Two-layer training (2500 iterations) drawn live vs no UI",
        live_time,
        plain_time,
        "s",
        1.2,
    )


def concurrent_trainings(task) -> Result:
    """8b. Four live two-layer trainings in one process, as four sessions run in the
    server, against one alone: the server's side of figure 8, without browsers."""
    iterations = 2500
    limiter = CoreLimiter()

    def trainings(count: int) -> float:
        threads = [
            threading.Thread(target=live_two_layer, args=(task, iterations, limiter))
            for _ in range(count)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    four, one = interleaved(lambda: trainings(4), lambda: trainings(1), rounds=2)
    return Result.at_most(
        "8b. Four live trainings in one process (the server's side) vs one alone",
        four,
        one,
        "s",
        4,
    )


def dataset_cache(location: str) -> Result:
    """6. Loading the processed arrays from the cache against preprocessing the photos."""

    def load(cache_dir) -> float:
        started = time.perf_counter()
        data.load_dataset(location, download=False, cache_dir=cache_dir)
        return time.perf_counter() - started

    first, cached = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache_dir:
            first.append(load(cache_dir))
            cached.append(min(load(cache_dir) for _ in range(3)))
    return Result.at_most(
        "6. Dataset load from the cache vs first preprocessing (2062 photos)",
        float(np.median(cached)),
        float(np.median(first)),
        "s",
        0.1,
    )
