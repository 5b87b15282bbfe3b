"""Chapter 4: logistic regression from scratch, trained live, beside scikit-learn's."""

import inspect

import streamlit as st

from signviz import figures, ui
from signviz.models import LogisticRegressionGD
from signviz.models.logistic import forward_backward

KIND = "logreg"
TITLE = "Logistic regression (from scratch)"

task = ui.current_task()
first, second = task.label_names

st.title("4. Logistic regression")
st.markdown(
    f"""
The simplest neural network has no hidden layer: one unit that weighs every pixel,
adds a bias, and squashes the total into a probability that the image shows a
**{second}**. Training starts with every weight at 0.01 and repeats four steps:
forward propagation, the cost, backward propagation (the gradient), and an update
against the gradient.
"""
)
st.latex(r"z = w^T x + b \qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}")
st.latex(
    r"J(w, b) = \frac{1}{m} \sum_{i=1}^{m} \Big[-y^{(i)} \log \hat y^{(i)}"
    r" - \big(1 - y^{(i)}\big) \log\big(1 - \hat y^{(i)}\big)\Big]"
)
st.latex(
    r"\frac{\partial J}{\partial w} = \frac{1}{m} X (\hat y - y)^T \qquad"
    r"\frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} \big(\hat y^{(i)} - y^{(i)}\big)"
    r"\qquad w \leftarrow w - \alpha \frac{\partial J}{\partial w}"
)
with st.expander("Show the code of one iteration"):
    st.code(inspect.getsource(forward_backward), language="python")

left, middle, right = st.columns(3)
with left:
    learning_rate = ui.learning_rate_slider("logreg_learning_rate", persist_state="session")
iterations = middle.slider(
    "Iterations", 1, 5000, 150, key="logreg_iterations", persist_state="session",
    help="How many gradient-descent steps Train takes (the tutorial: 150).",
)  # fmt: skip
initial_weight = right.number_input(
    "Initial weight", value=0.01, step=0.01, format="%.3f", key="logreg_initial_weight",
    persist_state="session", help="Every weight starts here; the bias starts at 0.",
)  # fmt: skip

buttons = st.columns(4)
train = buttons[0].button("Train", type="primary", key="logreg_train", width="stretch")
buttons[1].button("Stop", key="logreg_stop", width="stretch")  # its click ends a running loop
step_one = buttons[2].button("Step 1", key="logreg_step_1", width="stretch")
step_ten = buttons[3].button("Step 10", key="logreg_step_10", width="stretch")

status = st.container()
cost_slot, weights_slot = (column.empty() for column in st.columns(2))


def draw(model, planned: int, live: bool) -> None:
    """Draw the cost curve and the weights into their slots."""
    suffix = f"live-{model.n_iter_}" if live else "final"
    cost_slot.plotly_chart(
        figures.cost_curve(
            model.cost_history_, planned=max(planned, model.n_iter_), diverged_at=model.diverged_at_
        ),
        key=f"logreg-cost-{suffix}",
    )
    weights_slot.plotly_chart(
        figures.weight_heatmap(
            model.coef_, task.image_shape, f"Weights: red for {second}, blue for {first}"
        ),
        key=f"logreg-weights-{suffix}",
    )


def new_model(planned: int) -> ui.TrainedModel:
    model = LogisticRegressionGD(learning_rate, iterations, initial_weight)
    return ui.remember_model(KIND, TITLE, model, task, {"planned": planned})


if train:
    record = new_model(iterations)
    ui.train_live(record, iterations, lambda model: draw(model, iterations, live=True))
elif step_one or step_ten:
    record = ui.trained_model(KIND, task)
    if record is None or record.model.diverged_:
        record = new_model(0)
    model = record.model
    before = model.coef_.copy() if hasattr(model, "coef_") else None
    model.set_params(learning_rate=learning_rate)
    ui.train_live(record, 1 if step_one else 10, lambda model: None)
    st.session_state["logreg_change"] = None if before is None else model.coef_ - before

record = ui.trained_model(KIND, task)
if record is None:
    status.info("Press **Train** to watch the cost fall, or **Step 1** to take one step at a time.")
else:
    model = record.model
    draw(model, record.settings["planned"], live=False)
    with status:
        ui.show_training_status(record, record.settings["planned"])
        columns = st.columns(5)
        columns[0].metric("Iteration", model.n_iter_)
        columns[1].metric("Cost at the start", f"{model.initial_cost_:.4g}")
        if model.cost_history_:
            columns[2].metric("Cost now", f"{model.cost_history_[-1]:.4g}")
        columns[3].metric("Train accuracy", f"{model.score(task.x_train, task.y_train):.2%}")
        columns[4].metric("Test accuracy", f"{model.score(task.x_test, task.y_test):.2%}")
    if (step_one or step_ten) and st.session_state.get("logreg_change") is not None:
        st.subheader("What the last step changed")
        st.markdown(
            f"The gradient's size was **{model.gradient_norm_:.4g}**; each weight moved by "
            "the learning rate times its slope. Pixels where the two digits differ move most."
        )
        st.plotly_chart(
            figures.weight_heatmap(
                st.session_state["logreg_change"], task.image_shape, "Change of each weight"
            ),
            key="logreg-change",
        )
    ui.show_test_predictions(model, task, key="logreg-predictions")

st.header("The same with scikit-learn")
st.markdown(
    "scikit-learn's `LogisticRegression(random_state=42, max_iter=150)` on the same split. "
    "It uses a smarter optimizer (L-BFGS) and penalizes large weights (L2 regularization), "
    "so its numbers differ from ours."
)
reference = ui.scikit_learn_logistic(task)
sklearn_record = ui.remember_model(
    "sklearn", "scikit-learn LogisticRegression", reference.model, task
)
sklearn_record.seconds = reference.seconds
columns = st.columns(3)
columns[0].metric("Train accuracy", f"{reference.model.score(task.x_train, task.y_train):.2%}")
columns[1].metric("Test accuracy", f"{reference.model.score(task.x_test, task.y_test):.2%}")
columns[2].metric("Fitting time", f"{reference.seconds:.2f} s")
if not reference.converged:
    st.caption("Its solver stopped at the 150-iteration limit, slightly short of its optimum.")
st.plotly_chart(
    figures.weight_heatmap(reference.model.coef_, task.image_shape, "scikit-learn's weights"),
    key="sklearn-weights",
)
