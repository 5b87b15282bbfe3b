"""Chapter 6: the tutorial's L-layer network with Keras, trained live, beside its numpy twin."""

import streamlit as st

from signviz import diagnose, figures, texts, ui
from signviz.models import DeepNetwork
from signviz.models.deep import KERAS_INITIALIZERS, KERAS_OPTIMIZERS, layer_summary

DEFAULT_SIZES = (8, 4)
BATCH_SIZES = [8, 16, 32, 64, 128, 256]

task = ui.current_task()
first, second = task.label_names

st.title("6. An L-layer network with Keras")
architecture = st.expander(
    "Architecture: hidden layers, units, activation, initial weights "
    "(the tutorial's: 8 and 4 relu units, 'uniform')"
)
columns = architecture.columns(3)
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
sizes = tuple(
    column.slider(
        f"Units in layer {index + 1}",
        min_value=1,
        max_value=64,
        value=DEFAULT_SIZES[index] if index < len(DEFAULT_SIZES) else 4,
        key=f"keras_units_{index}",
        persist_state="session",
    )
    for index, column in enumerate(architecture.columns(int(n_layers)))
)
columns = st.columns(5)
optimizer = columns[0].selectbox(
    "Optimizer", KERAS_OPTIMIZERS, key="keras_optimizer", persist_state="session"
)
with columns[1]:
    learning_rate = ui.learning_rate_slider(
        "keras_learning_rate", default=0.001, persist_state="session"
    )
epochs = columns[2].slider("Epochs", 1, 300, 100, key="keras_epochs", persist_state="session")
batch_size = columns[3].select_slider(
    "Batch size", BATCH_SIZES, value=32, key="keras_batch_size", persist_state="session"
)
seed = columns[4].number_input(
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


def first_layer(network):
    """What the page draws: each first-layer unit's weight per pixel, ``(units, pixels)``."""
    return network.model_.layers[0].get_weights()[0].T


trainer = ui.trainer("keras", task, first_layer)


def new_network():
    return ui.keras().KerasNetwork(**settings)


def draw(snapshot, frame) -> None:
    """The cost per epoch and what each first-layer unit looks at, at ``frame``."""
    st.plotly_chart(
        figures.cost_curve(
            snapshot.costs,
            title="Keras: cost after each epoch",
            planned=snapshot.planned,
            y_top=snapshot.first_cost,
            max_points=ui.LIVE_POINTS if trainer.active else None,
            x_title="epoch",
            marker_at=None if frame.iteration == snapshot.iteration else frame.iteration,
            height=300,
        ),
        key="keras-cost",
    )
    units = [f"unit {unit + 1}" for unit in range(len(frame.weights))]
    if trainer.active:
        ui.live_images(
            figures.weight_images(frame.weights, task.image_shape), caption=units, width=80
        )
    else:
        st.plotly_chart(
            figures.weight_heatmaps(
                frame.weights,
                task.image_shape,
                units,
                title="What each unit of the first layer looks at",
            ),
            key="keras-first-layer",
        )


snapshot = ui.live_training(
    trainer,
    "keras",
    draw,
    controls=lambda: ui.training_buttons(
        trainer,
        "keras",
        new_model=new_network,
        planned=epochs,
        learning_rate=learning_rate,
        unit="epoch",
    ),
    unit="epoch",
)
record = ui.keep_settled_model("keras", "Keras network", snapshot, task, settings)
ui.download_buttons(record)
if record is not None and not trainer.active:
    network = record.model
    st.metric("Training time", f"{snapshot.seconds:.1f} s")
    dead = network.dead_units(task.x_train)
    layers_dead = ", ".join(
        f"layer {layer}: {count} of {size}"
        for layer, (count, size) in enumerate(
            zip(dead, network.hidden_layer_sizes, strict=True), start=1
        )
    )
    stuck = diagnose.keras_stuck(
        snapshot.costs,
        network.activation,
        network.hidden_layer_sizes,
        dead_units=dead if network.activation == "relu" else None,
    )
    if stuck is not None:
        st.warning(stuck.message(), icon="🧊")
    st.caption(
        "Units that never fire on any training image (dead relus, whose weights stay "
        f"pale above): {layers_dead}."
    )
    st.markdown(texts.load("keras_test_set"))
    with st.expander("Keras's own summary of the model"):
        lines = []
        network.model_.summary(print_fn=lambda line, **_: lines.append(line))
        st.code("\n".join(lines), language=None)

with st.expander("The Keras words behind these settings"):
    st.markdown(texts.load("keras_glossary"))


def cross_validation(job, network, keras):
    def fold_done(fold, accuracy):
        job.report(("fold", fold, accuracy))
        return job.stop_requested  # Stop skips the folds still to come

    def epoch_done(epoch, logs):
        job.report(("epoch", epoch, logs))
        return job.stop_requested

    return keras.cross_validate(
        network, task.x_train, task.y_train, on_fold_end=fold_done, on_epoch_end=epoch_done
    )


def for_this_task(job) -> bool:
    return job is not None and ui.task_key(job.context["task"]) == ui.task_key(task)


st.subheader("3-fold cross-validation")
columns = st.columns(2)
if columns[0].button("Cross-validate", key="keras_cross_validate", width="stretch"):
    keras = ui.keras()
    started = ui.start_job(
        "keras-cv",
        lambda job: cross_validation(job, keras.KerasNetwork(**settings), keras),
        task=task,
    )
    if started is None:
        st.warning("A cross-validation is already going in this session: stop it first.")
if columns[1].button("Stop cross-validation", key="keras_stop_cv", width="stretch"):
    if (running := ui.job("keras-cv")) is not None:
        running.stop()


def validating() -> bool:
    job = ui.job("keras-cv")
    return job is not None and job.running


@st.fragment(run_every=0.5 if validating() else None)
def cross_validation_progress(was_running: bool) -> None:
    """Redraw the cross-validation's progress twice a second; refresh the page at its end."""
    validation = ui.job("keras-cv")
    if validation is not None and validation.running:
        folds = [item for item in validation.progress if item[0] == "fold"]
        epochs_done = sum(1 for item in validation.progress if item[0] == "epoch")
        st.progress(
            min(epochs_done / (3 * epochs), 1.0),
            text=f"Cross-validation: fold {len(folds) + 1} of 3, {epochs_done} epochs in all",
        )
    if was_running and not validating():
        st.rerun()


cross_validation_progress(validating())

validation = ui.job("keras-cv")
if for_this_task(validation) and validation.done:
    if validation.error is not None:
        st.error(f"Cross-validation failed: {validation.error}")
    else:
        result = validation.result
        st.markdown(
            "The training images are split into 3 parts; three networks each train on two "
            "parts and are scored on the third. The spread says how much the result "
            "depends on the luck of the split."
        )
        summary = diagnose.cross_validation_summary(result.fold_accuracies)
        labels = summary.labels()
        for column, (label, value) in zip(st.columns(len(labels)), labels.items(), strict=True):
            column.metric(label, value)
        st.caption(summary.message())

st.subheader("The numpy twin")
twin_compatible = optimizer == "adam" and initializer == "uniform"
if not twin_compatible:
    st.caption("The twin implements Adam with 'uniform' initial weights: choose those to compare.")
twin_trainer = ui.trainer("deep", task, lambda twin: twin.weights_[0])


def twin_controls() -> None:
    if st.session_state.pop("keras_twin_clicked", False) and twin_compatible:
        twin_trainer.train(
            DeepNetwork(
                hidden_layer_sizes=sizes,
                activation=activation,
                learning_rate=learning_rate,
                n_epochs=epochs,
                batch_size=batch_size,
                random_state=int(seed),
            ),
            epochs,
        )
    st.button(
        "Train the numpy twin",
        key="keras_train_twin",
        disabled=not twin_compatible or twin_trainer.active,
        on_click=st.session_state.__setitem__,
        args=("keras_twin_clicked", True),
    )


def draw_twin(snapshot, frame) -> None:
    curves = {"numpy twin": snapshot.costs}
    if trainer.snapshot.frame is not None:
        curves = {"Keras": trainer.snapshot.costs, **curves}
    st.plotly_chart(
        figures.cost_curves(curves, title="Cost per epoch: the library and the code by hand"),
        key="twin-comparison",
    )


twin_snapshot = ui.live_training(
    twin_trainer,
    "twin",
    draw_twin,
    controls=twin_controls,
    unit="epoch",
    predictions=False,
    hint="Press **Train the numpy twin** to train it on the settings above.",
)
ui.download_buttons(
    ui.keep_settled_model("deep", "Numpy twin (from scratch)", twin_snapshot, task, settings)
)
if twin_snapshot.model is not None and record is not None:
    columns = st.columns(2)
    columns[0].metric("Twin: time", f"{twin_snapshot.seconds:.2f} s")
    columns[1].metric("Keras: time", f"{snapshot.seconds:.2f} s")
    st.markdown(texts.load("keras_twin_differences"))

st.header("About this network")
st.markdown(
    """
Once every step is understood, a library can take over the writing. The tutorial's
last network is built with Keras: two hidden layers of 8 and 4 relu units and a
sigmoid output, weights drawn uniformly from ±0.05, trained with Adam on batches of 32
images for 100 epochs. Early layers can learn simple pixel patterns; later layers
combine them into the evidence the output needs.

Beside it runs its **numpy twin**: the same network written from scratch in this
project (forward, backward and Adam in a few dozen lines): what the library does for
you, written out so you can read every step of it.
"""
)
layers = layer_summary(task.n_features, sizes, activation)
st.dataframe(layers, hide_index=True)
st.caption(f"{sum(row['parameters'] for row in layers):,} parameters to learn.")

with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_keras_network"))
