"""Chapter 5: a two-layer network from scratch: a hidden layer between pixels and answer."""

import inspect

import streamlit as st

from signviz import diagnose, figures, kinds, texts, ui
from signviz.models import TwoLayerNetwork
from signviz.models import two_layer as kernels

KIND = "two-layer"
INIT_SCALES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
LIVE_UNITS_LIMIT = 16  # more hidden units than this are drawn once training ends

task = ui.current_task()
first, second = task.label_names

st.title("5. A two-layer network")

columns = st.columns(3)
hidden_units = columns[0].slider(
    "Hidden units", 1, 64, 3, key="two_layer_hidden_units", persist_state="session"
)
activation = columns[1].selectbox(
    "Hidden activation", ["tanh", "sigmoid", "relu"], key="two_layer_activation",
    persist_state="session",
)  # fmt: skip
with columns[2]:
    learning_rate = ui.learning_rate_slider("two_layer_learning_rate", persist_state="session")
columns = st.columns(3)
iterations = columns[0].slider(
    "Iterations", 1, 10000, 2500, key="two_layer_iterations", persist_state="session"
)
init_scale = columns[1].select_slider(
    "Initial weight scale", INIT_SCALES, value=0.1, key="two_layer_init_scale",
    persist_state="session", format_func=lambda value: f"{value:g}",
    help="Initial weights are random normal numbers times this scale.",
)  # fmt: skip
seed = columns[2].number_input(
    "Seed", 0, 2**31 - 1, 42, key="two_layer_seed", persist_state="session",
    help="Seed of the random initial weights.",
)  # fmt: skip
left, right = st.columns(2)
zero_init = left.toggle(
    "Start every weight at zero", key="two_layer_zero_init", persist_state="session",
    help=f"What the tutorial warns against. {diagnose.zero_initialization_outcome(activation)}. "
    "Switch the activation to see the other case.",
)  # fmt: skip

show_change = right.toggle(
    "Draw what training changed",
    key="two_layer_show_change", persist_state="session",
    help="The weights minus their initial values: random initial weights look like noise "
    "and can hide what was learned.",
)  # fmt: skip

trainer = ui.trainer(
    KIND, task, kinds.get(KIND).first_layer_weights, min_seconds=ui.MIN_RUN_SECONDS
)


def how_it_learns() -> None:
    """The chapter's explanation, below the live part (a projector shows that part first)."""
    st.header("How it learns")
    st.markdown(texts.load("two_layer_how_it_learns"))
    st.latex(texts.hidden_forward_latex(activation))
    st.latex(
        r"Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]} \qquad "
        r"\hat Y = A^{[2]} = \sigma\big(Z^{[2]}\big)"
    )
    st.latex(texts.hidden_backward_latex(activation))
    with st.expander("Show the code of forward and backward propagation"):
        st.code(inspect.getsource(kernels.forward) + "\n\n" + inspect.getsource(kernels.backward))
    st.markdown(texts.load("two_layer_why_tanh"))
    st.markdown(texts.load("two_layer_initialization"))
    with st.expander("The tutorial's names"):
        st.markdown(texts.load("names_two_layer_network"))


def new_model() -> TwoLayerNetwork:
    return TwoLayerNetwork(
        hidden_units=hidden_units,
        activation=activation,
        learning_rate=learning_rate,
        n_iterations=iterations,
        init_scale=init_scale,
        initialization="zeros" if zero_init else "random",
        random_state=int(seed),
    )


def units_title() -> str:
    if show_change:
        return "How each hidden unit's weights changed in training"
    return "What each hidden unit looks at (its weight per pixel)"


def draw(snapshot, frame) -> None:
    """The cost curve and the hidden units' weights, at ``frame``.

    While training, the weights are plain images: a browser shows those at almost no
    cost, where redrawing heatmaps a few times a second costs it more than training.
    The interactive heatmaps (hover for each weight) come when training pauses or ends.
    """
    weights = frame.weights
    if show_change:
        weights = weights - snapshot.start.weights
    units = [f"unit {unit + 1}" for unit in range(len(weights))]
    st.plotly_chart(
        figures.cost_curve(
            snapshot.costs,
            planned=snapshot.planned,
            diverged_at=snapshot.diverged_at,
            log_y=True,
            y_top=snapshot.first_cost,
            max_points=ui.LIVE_POINTS if trainer.active else None,
            marker_at=None if frame.iteration == snapshot.iteration else frame.iteration,
            height=280,
        ),
        key="two-layer-cost",
    )
    if not trainer.active:
        st.plotly_chart(
            figures.weight_heatmaps(weights, task.image_shape, units, title=units_title()),
            key="two-layer-units",
        )
    elif len(weights) <= LIVE_UNITS_LIMIT:
        st.markdown(f"**{units_title()}** (red: positive, blue: negative, white: 0)")
        images = figures.weight_images(weights, task.image_shape, margin=6)
        ui.live_images(images, caption=units, width=120)


snapshot = ui.live_training(
    trainer,
    "two_layer",
    draw,
    controls=lambda: ui.training_buttons(
        trainer, "two_layer", new_model=new_model, planned=iterations, learning_rate=learning_rate
    ),
)
record = ui.keep_settled_model(KIND, snapshot, task)
ui.download_buttons(record)
if record is None or trainer.active:
    how_it_learns()
    st.stop()

model = record.model
report = diagnose.two_layer_report(
    model, snapshot.costs, task.x_train, task.y_train, task.x_test, task.y_test
)
st.metric(
    "Saturated hidden outputs",
    f"{report.saturation:.0%}",
    delta=f"{report.saturation - report.initial_saturation:+.0%} since the start",
    delta_color="off",
    help="Outputs where the activation is flat, so almost no gradient flows back.",
)
ui.notices(report.notices)

st.subheader("Inside the network, for one test image")
index = st.slider("Test image", 0, task.n_test - 1, 0, key="two_layer_image")
image_column, bars_column = st.columns(2)
image_column.plotly_chart(
    figures.image_figure(
        task.images_test[index],
        f"{task.names_test[index]}: shows {task.label_names[task.y_test[index]]}",
        height=320,
    ),
    key="two-layer-image",
)
bars_column.plotly_chart(
    figures.hidden_activation_bars(
        model.hidden_activations(task.x_test[index : index + 1])[0],
        float(model.predict_proba(task.x_test[index : index + 1])[0, 1]),
        label_names=task.label_names,
        title="Hidden units' outputs and the answer",
    ),
    key="two-layer-activations",
)
how_it_learns()
