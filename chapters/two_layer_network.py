"""Chapter 5: a two-layer network from scratch: a hidden layer between pixels and answer."""

import inspect

import numpy as np
import streamlit as st

from signviz import figures, ui
from signviz.models import TwoLayerNetwork
from signviz.models import two_layer as kernels
from signviz.training import cost_rises

KIND = "two-layer"
INIT_SCALES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
LIVE_UNITS_LIMIT = 16  # more hidden units than this are drawn once training ends

task = ui.current_task()
first, second = task.label_names

st.title("5. A two-layer network")
st.markdown(
    """
Put a layer of hidden units between the pixels and the answer. Each hidden unit is a
logistic regression of its own, with tanh instead of the sigmoid; the output unit is a
logistic regression on the hidden units' outputs. The network can now combine simple
pixel patterns into better evidence, and it learns both layers at once by sending the
gradient back through the output to every hidden weight.
"""
)
st.latex(r"Z^{[1]} = W^{[1]} X + b^{[1]} \qquad A^{[1]} = \tanh\big(Z^{[1]}\big)")
st.latex(r"Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]} \qquad \hat Y = A^{[2]} = \sigma\big(Z^{[2]}\big)")
st.latex(
    r"dZ^{[2]} = A^{[2]} - Y \qquad dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot \big(1 - (A^{[1]})^2\big)"
    r"\qquad dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}"
)
with st.expander("Show the code of forward and backward propagation"):
    st.code(inspect.getsource(kernels.forward) + "\n\n" + inspect.getsource(kernels.backward))

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
zero_init = st.toggle(
    "Start every weight at zero", key="two_layer_zero_init", persist_state="session",
    help="What the tutorial warns against: see what happens to the hidden units.",
)  # fmt: skip

show_change = st.toggle(
    "Draw what training changed (weights minus their initial values)",
    key="two_layer_show_change", persist_state="session",
    help="Random initial weights look like noise and can hide what was learned.",
)  # fmt: skip

buttons = st.columns(4)
train = buttons[0].button("Train", type="primary", key="two_layer_train", width="stretch")
buttons[1].button("Stop", key="two_layer_stop", width="stretch")  # its click ends a running loop

status = st.container()
cost_slot = st.empty()
units_heading = st.empty()  # the live images' heading, written once per training
units_slot = st.empty()


def units_title() -> str:
    if show_change:
        return "How each hidden unit's weights changed in training"
    return "What each hidden unit looks at (its weight per pixel)"


def draw(model, settings: dict, live: bool) -> None:
    """Draw the cost curve and the hidden units' weights.

    While training, the weights are plain images: a browser shows those at almost no
    cost, where redrawing heatmaps a few times a second costs it more than training.
    The interactive heatmaps (hover for each weight) come when training ends.
    """
    suffix = f"live-{model.n_iter_}" if live else "final"
    planned = settings["planned"]
    weights = model.hidden_weights_
    if show_change:
        weights = weights - settings["initial_hidden_weights"]
    units = [f"unit {unit + 1}" for unit in range(model.hidden_units)]
    cost_slot.plotly_chart(
        figures.cost_curve(
            model.cost_history_, planned=planned, diverged_at=model.diverged_at_, log_y=True
        ),
        key=f"two-layer-cost-{suffix}",
    )
    if not live:
        units_heading.empty()
        units_slot.plotly_chart(
            figures.weight_heatmaps(weights, task.image_shape, units, title=units_title()),
            key=f"two-layer-units-{suffix}",
        )
    elif model.hidden_units <= LIVE_UNITS_LIMIT:
        # A white margin on each side keeps the images apart (st.image sets them edge to edge).
        images = [
            np.pad(image, ((0, 0), (6, 6), (0, 0)), constant_values=255)
            for image in figures.weight_images(weights, task.image_shape)
        ]
        units_slot.image(images, caption=units, width=172)


if train:
    model = TwoLayerNetwork(
        hidden_units=hidden_units,
        activation=activation,
        learning_rate=learning_rate,
        n_iterations=iterations,
        init_scale=init_scale,
        initialization="zeros" if zero_init else "random",
        random_state=int(seed),
    )
    model.partial_fit(task.x_train, task.y_train, n_iterations=0)  # initialize, to measure
    settings = {
        "planned": iterations,
        "initial_saturation": model.saturation(task.x_train),
        "initial_hidden_weights": model.hidden_weights_.copy(),
    }
    record = ui.remember_model(KIND, "Two-layer network (from scratch)", model, task, settings)
    if hidden_units <= LIVE_UNITS_LIMIT:
        units_heading.markdown(f"**{units_title()}** (red: positive, blue: negative, white: 0)")
    ui.train_live(record, iterations, lambda model: draw(model, settings, live=True))

record = ui.trained_model(KIND, task)
if record is None:
    status.info("Press **Train**: the cost curve and the hidden units' weights grow as it learns.")
    st.stop()

model = record.model
draw(model, record.settings, live=False)
test_accuracy = model.score(task.x_test, task.y_test)
with status:
    ui.show_training_status(record, record.settings["planned"])
    columns = st.columns(4)
    columns[0].metric("Train accuracy", f"{model.score(task.x_train, task.y_train):.2%}")
    columns[1].metric("Test accuracy", f"{test_accuracy:.2%}")
    if model.cost_history_:
        columns[2].metric("Cost now", f"{model.cost_history_[-1]:.4g}")
    saturation = model.saturation(task.x_train)
    columns[3].metric(
        "Saturated hidden outputs",
        f"{saturation:.0%}",
        delta=f"{saturation - record.settings['initial_saturation']:+.0%} since the start",
        delta_color="off",
        help="Outputs where the activation is flat, so almost no gradient flows back.",
    )
    if np.allclose(model.hidden_weights_, model.hidden_weights_[0]) and model.hidden_units > 1:
        st.warning(
            f"All {model.hidden_units} hidden units are identical. They started equal, so "
            "each received exactly the same gradient at every step, and they always will: "
            "the network has the power of a single unit. Random initial weights break this "
            "symmetry.",
            icon="🪞",
        )
    elif test_accuracy < 0.7 and not model.diverged_:
        st.warning(
            f"Stuck near chance. {record.settings['initial_saturation']:.0%} of the hidden "
            f"outputs were saturated at the start and {saturation:.0%} are now: where the "
            "activation is flat its slope is almost zero, and so is every gradient that must "
            "pass through it. Large initial weights, or steps so large that they throw the "
            "units there, cause it: try a smaller initial weight scale or learning rate, or "
            "another seed.",
            icon="🧊",
        )
    rises = cost_rises(model.cost_history_)
    if rises and not model.diverged_:
        more = ""
        if len(rises) > 1:
            more = f" and {len(rises) - 1} more time" + ("s" if len(rises) > 2 else "")
        st.caption(
            f"The cost jumped up at iteration {rises[0]}{more}, then came back down: a step "
            "went too far for a steep part of the cost, like the overshooting steps of "
            "chapter 3 on one weight, and the next steps made up for it. A smaller learning "
            "rate gives a smoother curve, and slower training."
        )

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
ui.show_test_predictions(model, task, key="two-layer-predictions")
