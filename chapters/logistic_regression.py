"""Chapter 4: logistic regression from scratch, trained live, beside scikit-learn's."""

import inspect

import numpy as np
import streamlit as st

from signviz import diagnose, figures, kinds, texts, ui
from signviz.models import LogisticRegressionGD
from signviz.models.logistic import forward_backward

KIND = "logreg"

task = ui.current_task()
first, second = task.label_names

st.title("4. Logistic regression")

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

trainer = ui.trainer(
    KIND, task, lambda model: kinds.get(KIND).first_layer_weights(model)[0],
    min_seconds=ui.MIN_RUN_SECONDS,
)  # fmt: skip


@st.cache_data(max_entries=16, show_spinner="Following the direction of every step...")
def step_directions(_task, task_key, learning_rate, initial_weight):
    """How the steps of the tutorial's 150 iterations turn, for these settings (cached)."""
    return diagnose.logistic_step_directions(
        _task.x_train, _task.y_train, learning_rate=learning_rate, initial_weight=initial_weight
    )


def new_model() -> LogisticRegressionGD:
    return LogisticRegressionGD(learning_rate, iterations, initial_weight)


def draw(snapshot, frame) -> None:
    """The cost curve and the weights, at ``frame``."""
    cost_column, weights_column = st.columns([3, 2])
    cost_column.plotly_chart(
        figures.cost_curve(
            snapshot.costs,
            planned=snapshot.planned,
            diverged_at=snapshot.diverged_at,
            y_top=snapshot.first_cost,
            max_points=ui.LIVE_POINTS if trainer.active else None,
            marker_at=None if frame.iteration == snapshot.iteration else frame.iteration,
            height=300,
        ),
        key="logreg-cost",
    )
    weights_column.plotly_chart(
        figures.weight_heatmap(
            frame.weights[np.newaxis, :],
            task.image_shape,
            f"Weights: red for {second}, blue for {first}",
            height=300,
        ),
        key="logreg-weights",
    )


snapshot = ui.live_training(
    trainer,
    "logreg",
    draw,
    controls=lambda: ui.training_buttons(
        trainer, "logreg", new_model=new_model, planned=iterations, learning_rate=learning_rate
    ),
)
record = ui.keep_settled_model(KIND, snapshot, task)
ui.download_buttons(record)
settled = record is not None and not trainer.active
if settled and snapshot.diverged_at is None and (jumps := diagnose.cost_jumps(snapshot.costs)):
    start = diagnose.first_logistic_steps(task.x_train, record.model.initial_weight)
    st.info(f"{jumps.message()}\n\n{start.message()}", icon="📈")
command, before = ui.last_command("logreg")
before = before or snapshot.start  # a step from no model starts a new one, at iteration 0
if settled and (
    step := diagnose.step_change(command, before, snapshot.frame, record.model.gradient_norm_)
):
    st.subheader(step.title())
    st.markdown(step.message())
    if step.steps == 1:  # one gradient, so one error pattern behind it
        direction = diagnose.step_direction(
            step.change, task.x_train, task.y_train, task.label_names
        )
        st.markdown(direction.message())
    st.plotly_chart(
        figures.weight_heatmap(
            step.change[np.newaxis, :], task.image_shape, "Change of each weight"
        ),
        key="logreg-change",
    )
    model = record.model
    directions = step_directions(
        task, ui.task_key(task), float(model.learning_rate), float(model.initial_weight)
    )
    st.markdown(
        f"**The tutorial's 150 iterations with these settings** (learning rate "
        f"{model.learning_rate:g}, every weight starting at {model.initial_weight:g}). "
        + directions.message(task.label_names)
    )

st.header("How it learns")
st.markdown(texts.load("logistic_how_it_learns", label_1=second))
st.latex(r"z = w^T x + b \qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}")
st.latex(
    r"J(w, b) = \frac{1}{m} \sum_{i=1}^{m} \Big[-y^{(i)} \log \hat y^{(i)}"
    r" - \big(1 - y^{(i)}\big) \log\big(1 - \hat y^{(i)}\big)\Big]"
)
st.markdown(texts.load("cost_is_a_mean"))
st.latex(
    r"\frac{\partial J}{\partial w} = \frac{1}{m} X (\hat y - y)^T \qquad"
    r"\frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} \big(\hat y^{(i)} - y^{(i)}\big)"
    r"\qquad w \leftarrow w - \alpha \frac{\partial J}{\partial w}"
)
with st.expander("Show the code of one iteration"):
    st.code(inspect.getsource(forward_backward), language="python")

st.header("The same with scikit-learn")
st.markdown(
    "scikit-learn's `LogisticRegression(random_state=42, max_iter=150)` on the same split. "
    "It uses a smarter optimizer (L-BFGS) and penalizes large weights (L2 regularization), "
    "so its numbers differ from ours."
)
reference = ui.scikit_learn_logistic(task)
sklearn_record = ui.remember_model("sklearn", kinds.get("sklearn").title, reference.model, task)
sklearn_record.seconds = reference.seconds
shown = ui.scikit_learn_view(task)  # the same for every learner: built once per task
columns = st.columns(3)
columns[0].metric("Train accuracy", f"{shown.train_accuracy:.2%}")
columns[1].metric("Test accuracy", f"{shown.test_accuracy:.2%}")
columns[2].metric("Fitting time", f"{reference.seconds:.2f} s")
solver_iterations, limit = int(np.max(reference.model.n_iter_)), reference.model.max_iter
if reference.converged:
    st.caption(
        f"Its solver needed {solver_iterations} iterations (of at most {limit}) to meet its "
        "stopping tolerance: L-BFGS steers each step with an estimate of the cost's curvature, "
        "not only its slope, so it needs far fewer steps than plain gradient descent."
    )
else:
    st.caption(
        f"Its solver used all {limit} iterations it was allowed and stopped before meeting its "
        "stopping tolerance: its weights are close to its optimum, not at it."
    )
st.plotly_chart(shown.weights_figure, key="sklearn-weights")

st.markdown(texts.load("logistic_summary", n_test=task.n_test))
with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_logistic_regression"))
