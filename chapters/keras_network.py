"""Chapter 6: the tutorial's L-layer network with Keras, trained live, beside its numpy twin."""

import streamlit as st

from signviz import figures, ui
from signviz.models import DeepNetwork
from signviz.models.deep import KERAS_INITIALIZERS, KERAS_OPTIMIZERS, layer_summary

DEFAULT_SIZES = (8, 4)
BATCH_SIZES = [8, 16, 32, 64, 128, 256]

task = ui.current_task()
first, second = task.label_names

st.title("6. An L-layer network with Keras")
st.markdown(
    """
Once every step is understood, a library can take over the writing. The tutorial's
last network is built with Keras: two hidden layers of 8 and 4 relu units and a
sigmoid output, weights drawn uniformly from ±0.05, trained with Adam on batches of 32
images for 100 epochs. Early layers can learn simple pixel patterns; later layers
combine them into the evidence the output needs.

Beside it runs its **numpy twin**: the same network written from scratch in this
project (forward, backward and Adam in a few dozen lines), so you can see the library
do exactly what you could write yourself.
"""
)

columns = st.columns(4)
n_layers = columns[0].number_input(
    "Hidden layers", 1, 5, len(DEFAULT_SIZES), key="keras_n_layers", persist_state="session"
)
activation = columns[1].selectbox(
    "Activation", ["relu", "tanh", "sigmoid"], key="keras_activation", persist_state="session"
)
initializer = columns[2].selectbox(
    "Initial weights", KERAS_INITIALIZERS, key="keras_initializer", persist_state="session",
    help="'uniform' draws every weight from [-0.05, 0.05], as the tutorial.",
)  # fmt: skip
optimizer = columns[3].selectbox(
    "Optimizer", KERAS_OPTIMIZERS, key="keras_optimizer", persist_state="session"
)
sizes = tuple(
    column.slider(
        f"Units in layer {index + 1}",
        min_value=1,
        max_value=64,
        value=DEFAULT_SIZES[index] if index < len(DEFAULT_SIZES) else 4,
        key=f"keras_units_{index}",
        persist_state="session",
    )
    for index, column in enumerate(st.columns(int(n_layers)))
)
columns = st.columns(4)
with columns[0]:
    learning_rate = ui.learning_rate_slider(
        "keras_learning_rate", default=0.001, persist_state="session"
    )
epochs = columns[1].slider("Epochs", 1, 300, 100, key="keras_epochs", persist_state="session")
batch_size = columns[2].select_slider(
    "Batch size", BATCH_SIZES, value=32, key="keras_batch_size", persist_state="session"
)
seed = columns[3].number_input(
    "Seed", 0, 2**31 - 1, 42, key="keras_seed", persist_state="session",
    help="Seed of the initial weights and of the order of the batches.",
)  # fmt: skip
settings = {
    "hidden_layer_sizes": sizes,
    "activation": activation,
    "kernel_initializer": initializer,
    "optimizer": optimizer,
    "learning_rate": learning_rate,
    "n_epochs": epochs,
    "batch_size": batch_size,
    "random_state": int(seed),
}

layers = layer_summary(task.n_features, sizes, activation)
st.dataframe(layers, hide_index=True)
st.caption(f"{sum(row['parameters'] for row in layers):,} parameters to learn.")

buttons = st.columns(4)
train = buttons[0].button("Train", type="primary", key="keras_train", width="stretch")
stop = buttons[1].button("Stop", key="keras_stop", width="stretch")
cross_validate = buttons[2].button("Cross-validate", key="keras_cross_validate", width="stretch")
train_twin = buttons[3].button("Train the numpy twin", key="keras_train_twin", width="stretch")


def fit(job, network):
    return network.fit(
        task.x_train,
        task.y_train,
        validation_data=(task.x_test, task.y_test),
        on_epoch_end=lambda epoch, logs: job.report(logs) or job.stop_requested,
    )


def cross_validation(job, network, keras):
    def fold_done(fold, accuracy):
        job.report(("fold", fold, accuracy))
        return job.stop_requested  # Stop skips the folds still to come

    return keras.cross_validate(
        network,
        task.x_train,
        task.y_train,
        on_fold_end=fold_done,
        on_epoch_end=lambda epoch, logs: job.report(("epoch", epoch, logs)),
    )


def for_this_task(job) -> bool:
    return job is not None and ui.task_key(job.context["task"]) == ui.task_key(task)


if train or cross_validate:
    keras = ui.keras()
    network = keras.KerasNetwork(**settings)
    if train:
        started = ui.start_job("keras", lambda job: fit(job, network), task=task, settings=settings)
    else:
        started = ui.start_job(
            "keras-cv", lambda job: cross_validation(job, network, keras), task=task
        )
    if started is None:
        st.warning("A Keras run is already going in this session: stop it first.")
if stop:
    for name in ("keras", "keras-cv"):
        if (running := ui.job(name)) is not None and running.running:
            running.stop()


def is_running() -> bool:
    return any(job is not None and job.running for job in (ui.job("keras"), ui.job("keras-cv")))


@st.fragment(run_every=0.5 if is_running() else None)
def live_progress(was_running: bool) -> None:
    """Redraw the running job's progress twice a second; refresh the page when it ends."""
    training = ui.job("keras")
    if for_this_task(training):
        logs = training.progress
        planned = training.context["settings"]["n_epochs"]
        history = {key: [epoch[key] for epoch in logs] for key in (logs[0] if logs else {})}
        if training.running:
            st.progress(len(logs) / planned, text=f"Keras: epoch {len(logs)} of {planned}")
        st.plotly_chart(
            figures.history_chart(
                history, planned=planned, title="Keras, epoch by epoch (validation: test images)"
            ),
            key="keras-history",
        )
    validation = ui.job("keras-cv")
    if validation is not None and validation.running:
        folds = [item for item in validation.progress if item[0] == "fold"]
        epochs_done = sum(1 for item in validation.progress if item[0] == "epoch")
        st.progress(
            min(epochs_done / (3 * epochs), 1.0),
            text=f"Cross-validation: fold {len(folds) + 1} of 3, {epochs_done} epochs in all",
        )
    if was_running and not is_running():
        st.rerun()


live_progress(is_running())

training = ui.job("keras")
if for_this_task(training) and training.done:
    if training.error is not None:
        st.error(f"Keras could not train this network: {training.error}")
    else:
        network = training.result
        record = ui.remember_model(
            "keras", "Keras network", network, task, training.context["settings"]
        )
        record.seconds = network.fit_seconds_
        planned = training.context["settings"]["n_epochs"]
        if network.n_iter_ < planned:
            st.info(f"Stopped after {network.n_iter_} of {planned} epochs; the model keeps them.")
        columns = st.columns(4)
        columns[0].metric("Epochs", network.n_iter_)
        columns[1].metric("Train accuracy", f"{network.score(task.x_train, task.y_train):.2%}")
        columns[2].metric("Test accuracy", f"{network.score(task.x_test, task.y_test):.2%}")
        columns[3].metric("Training time", f"{network.fit_seconds_:.1f} s")
        if network.cost_history_ and network.cost_history_[-1] > 0.6:
            dead = network.dead_units(task.x_train)
            layers_dead = ", ".join(
                f"{count} of {size}"
                for count, size in zip(dead, network.hidden_layer_sizes, strict=True)
            )
            st.warning(
                f"The loss is stuck near {network.cost_history_[-1]:.2f}, close to ln 2 = 0.69: "
                "the cost of answering 50 % for every image. Dead units per hidden layer: "
                f"{layers_dead}. "
                "A relu unit whose input is negative for every image outputs 0 and passes no "
                "gradient back, so it never recovers; when a whole layer dies, nothing can "
                "learn. Try another seed, a smaller learning rate, or another activation.",
                icon="🧊",
            )
        kernel = network.model_.layers[0].get_weights()[0]
        dead = network.dead_units(task.x_train)
        st.caption(
            "Units that never fire on any training image (dead relus, whose weights stay "
            "pale below): "
            + ", ".join(
                f"layer {layer}: {count} of {size}"
                for layer, (count, size) in enumerate(
                    zip(dead, network.hidden_layer_sizes, strict=True), start=1
                )
            )
            + "."
        )
        st.plotly_chart(
            figures.weight_heatmaps(
                kernel.T,
                task.image_shape,
                [f"unit {unit + 1}" for unit in range(kernel.shape[1])],
                title="What each unit of the first layer looks at",
            ),
            key="keras-first-layer",
        )
        ui.show_test_predictions(network, task, key="keras-predictions")
        with st.expander("Keras's own summary of the model"):
            lines = []
            network.model_.summary(print_fn=lambda line, **_: lines.append(line))
            st.code("\n".join(lines), language=None)

validation = ui.job("keras-cv")
if for_this_task(validation) and validation.done:
    st.subheader("3-fold cross-validation")
    if validation.error is not None:
        st.error(f"Cross-validation failed: {validation.error}")
    else:
        result = validation.result
        st.markdown(
            "The training images are split into 3 parts; three networks each train on two "
            "parts and are scored on the third. The spread says how much the result "
            "depends on the luck of the split."
        )
        columns = st.columns(len(result.fold_accuracies) + 2)
        for fold, accuracy in enumerate(result.fold_accuracies):
            columns[fold].metric(f"Fold {fold + 1}", f"{accuracy:.2%}")
        columns[-2].metric("Mean accuracy", f"{result.mean:.4f}")
        columns[-1].metric("Standard deviation", f"{result.std:.4f}")

st.subheader("The numpy twin")
twin_compatible = optimizer == "adam" and initializer == "uniform"
if not twin_compatible:
    st.caption("The twin implements Adam with 'uniform' initial weights: choose those to compare.")
if train_twin and twin_compatible:
    twin = DeepNetwork(
        hidden_layer_sizes=sizes,
        activation=activation,
        learning_rate=learning_rate,
        n_epochs=epochs,
        batch_size=batch_size,
        random_state=int(seed),
    )
    record = ui.remember_model("deep", "Numpy twin (from scratch)", twin, task, settings)
    slot = st.empty()
    ui.train_live(
        record,
        epochs,
        lambda model: slot.plotly_chart(
            figures.cost_curve(model.cost_history_, planned=epochs, x_title="epoch"),
            key=f"twin-live-{model.n_iter_}",
        ),
    )
    slot.empty()

twin_record = ui.trained_model("deep", task)
keras_record = ui.trained_model("keras", task)
if twin_record is None:
    st.caption("Press **Train the numpy twin** to train it on the settings above.")
else:
    twin = twin_record.model
    curves = {"numpy twin": twin.cost_history_}
    if keras_record is not None:
        curves = {"Keras": keras_record.model.cost_history_, **curves}
    st.plotly_chart(
        figures.cost_curves(curves, title="Cost per epoch: the library and the code by hand"),
        key="twin-comparison",
    )
    columns = st.columns(4)
    columns[0].metric("Twin: test accuracy", f"{twin.score(task.x_test, task.y_test):.2%}")
    columns[1].metric("Twin: time", f"{twin_record.seconds:.2f} s")
    if keras_record is not None:
        keras_model = keras_record.model
        columns[2].metric(
            "Keras: test accuracy", f"{keras_model.score(task.x_test, task.y_test):.2%}"
        )
        columns[3].metric("Keras: time", f"{keras_record.seconds:.2f} s")
