"""Chapter 6: the tutorial's L-layer network with Keras, trained live, beside the same
network from scratch."""

from functools import partial

import streamlit as st

from signviz import cross_validation, diagnose, figures, kinds, texts, ui
from signviz.models.deep import layer_summary, like_keras
from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS

DEFAULT_SIZES = (8, 4)
BATCH_SIZES = [8, 16, 32, 64, 128, 256]

task = ui.current_task()

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
trainer = ui.trainer("keras", task, kinds.get("keras").first_layer_weights)


def new_network():
    return ui.load_keras_network().KerasNetwork(**settings)


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
record = ui.keep_settled_model("keras", snapshot, task, settings)
ui.download_buttons(record)
if record is not None and not trainer.active:
    network = record.model
    st.metric("Training time", f"{snapshot.seconds:.1f} s")
    dead = diagnose.dead_units(network, task.x_train)
    stuck = diagnose.keras_stuck(
        snapshot.costs, network.activation, network.hidden_layer_sizes, dead.counts
    )
    if stuck is not None:
        st.warning(stuck.message(), icon="🧊")
    st.caption(dead.message())
    st.markdown(texts.load("keras_test_set"))
    with st.expander("Keras's own summary of the model"):
        st.code(network.summary(), language=None)

with st.expander("The Keras words behind these settings"):
    st.markdown(texts.load("keras_glossary"))


def for_this_task(job) -> bool:
    return job is not None and ui.task_key(job.context["task"]) == ui.task_key(task)


st.subheader("Cross-validation")
columns = st.columns(3)
n_folds = columns[0].number_input(
    "Folds", 2, 10, cross_validation.N_FOLDS, key="keras_folds", persist_state="session",
    help=f"The tutorial: {cross_validation.N_FOLDS}.",
)  # fmt: skip
if columns[1].button("Cross-validate", key="keras_cross_validate", width="stretch"):
    work = partial(
        cross_validation.run,
        network=ui.load_keras_network().KerasNetwork(**settings),
        X=task.x_train,
        y=task.y_train,
        n_folds=int(n_folds),
    )
    started = ui.start_job(
        "keras-cv",
        work,
        task=task,
        n_folds=int(n_folds),
        n_epochs=epochs,
    )
    if started is None:
        st.warning("A cross-validation is already going in this session: stop it first.")
if columns[2].button("Stop cross-validation", key="keras_stop_cv", width="stretch"):
    if (running := ui.job("keras-cv")) is not None:
        running.stop()


def validating() -> bool:
    job = ui.job("keras-cv")
    return job is not None and job.running


@st.fragment(run_every=0.5 if validating() else None)
def cross_validation_progress(was_running: bool) -> None:
    """Redraw the cross-validation's progress twice a second; refresh the page at its end."""
    job = ui.job("keras-cv")
    if job is not None and job.running:
        done = cross_validation.progress(
            job.progress, job.context["n_folds"], job.context["n_epochs"]
        )
        st.progress(done.fraction, text=done.message())
    if was_running and not validating():
        st.rerun()


cross_validation_progress(validating())

validation = ui.job("keras-cv")
if for_this_task(validation) and validation.done:
    if validation.error is not None:
        st.error(f"Cross-validation failed: {validation.error}")
    else:
        summary = diagnose.cross_validation_summary(validation.result.fold_accuracies)
        st.markdown(texts.load("keras_cross_validation", n_folds=validation.context["n_folds"]))
        labels = summary.labels()
        for column, (label, value) in zip(st.columns(len(labels)), labels.items(), strict=True):
            column.metric(label, value)
        st.caption(summary.message())

st.subheader("The same network from scratch")
try:
    from_scratch = like_keras(settings)
except ValueError as reason:
    from_scratch = None
    st.caption(str(reason))
deep_trainer = ui.trainer("deep", task, kinds.get("deep").first_layer_weights)


def deep_controls() -> None:
    if st.session_state.pop("keras_deep_clicked", False) and from_scratch is not None:
        deep_trainer.train(from_scratch, epochs)
    st.button(
        "Train it from scratch",
        key="keras_train_deep",
        disabled=from_scratch is None or deep_trainer.active,
        on_click=st.session_state.__setitem__,
        args=("keras_deep_clicked", True),
    )


def draw_both(snapshot, frame) -> None:
    curves = {"from scratch": snapshot.costs}
    if trainer.snapshot.frame is not None:
        curves = {"Keras": trainer.snapshot.costs, **curves}
    st.plotly_chart(
        figures.cost_curves(curves, title="Cost per epoch: the library and the code by hand"),
        key="deep-comparison",
    )


deep_snapshot = ui.live_training(
    deep_trainer,
    "deep",
    draw_both,
    controls=deep_controls,
    unit="epoch",
    predictions=False,
    hint="Press **Train it from scratch** to train it on the settings above.",
)
ui.download_buttons(ui.keep_settled_model("deep", deep_snapshot, task, settings))
if deep_snapshot.model is not None and record is not None:
    columns = st.columns(2)
    columns[0].metric("From scratch: time", f"{deep_snapshot.seconds:.2f} s")
    columns[1].metric("Keras: time", f"{snapshot.seconds:.2f} s")
    st.markdown(texts.load("keras_from_scratch_differences"))

st.header("About this network")
st.markdown(texts.load("keras_about"))
layers = layer_summary(task.n_features, sizes, activation)
st.dataframe(layers, hide_index=True)
st.caption(f"{sum(row['parameters'] for row in layers):,} parameters to learn.")

with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_keras_network"))
