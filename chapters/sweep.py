"""Chapter 8: try them: a grid of hyperparameters trained in parallel, filling in live."""

import os
from functools import partial

import streamlit as st

from signviz import diagnose, figures, kinds, sweep, ui

#: What the page proposes for each model: the two axes with their values, and shorter
#: trainings than the tutorial's so that a grid comes back in seconds.
DEFAULTS = {
    "two-layer": {
        "axes": {"learning_rate": [0.001, 0.01, 0.1, 1.0], "hidden_units": [1, 3, 8]},
        "fixed": {"n_iterations": 500},
    },
    "logreg": {
        "axes": {"learning_rate": [0.0001, 0.001, 0.01, 0.1], "n_iterations": [10, 150, 500]},
        "fixed": {},
    },
    "deep": {
        "axes": {"learning_rate": [0.0003, 0.001, 0.01, 0.1], "hidden_layer_sizes": [(4,), (8, 4)]},
        "fixed": {"n_epochs": 25},
    },
}
MAX_VALUES = 8  # per axis: at most 64 runs per learner's sweep on a shared server
HEATMAP_KEY = "sweep-heatmap"


@st.cache_resource(show_spinner="Starting the sweep's workers...")
def sweep_pool(scheduler: str | None) -> sweep.SweepPool:
    """One pool for the whole server: every learner's sweep waits in the same queue.

    On the Dask cluster at ``scheduler`` (``SIGNVIZ_DASK_SCHEDULER``) if one is named.
    """
    return sweep.SweepPool(scheduler=scheduler)


task = ui.current_task()

st.title("8. Try them: a hyperparameter sweep")
st.markdown(
    """
Which learning rate, how many hidden units, how long to train? The only honest answer
is to try, and compare. Here you choose two hyperparameters and a few values of each:
every combination trains from scratch on the sidebar's task, several at once on
separate processes, and the grid below fills in as each run finishes. Each cell's
colour is the test accuracy its settings reached.
"""
)

model = st.selectbox(
    "Model", list(DEFAULTS), format_func=lambda name: kinds.get(name).title, key="sweep_model",
    persist_state="session",
)  # fmt: skip
parameters = sweep.hyperparameters(model)
labels = {name: parameter.label for name, parameter in parameters.items()}
tutorial = sweep.tutorial_settings(model)
defaults = DEFAULTS[model]
default_x, default_y = list(defaults["axes"])

left, right = st.columns(2)
names = list(parameters)
x = left.selectbox(
    "Across (columns)", names, index=names.index(default_x), format_func=labels.get,
    key=f"sweep_{model}_x", persist_state="session",
)  # fmt: skip
others = [name for name in names if name != x]
y = right.selectbox(
    "Down (rows)", others,
    index=others.index(default_y) if default_y in others else 0,
    format_func=labels.get, key=f"sweep_{model}_y", persist_state="session",
)  # fmt: skip


def choices_of(name: str) -> list:
    choices = list(parameters[name].choices)
    if tutorial[name] not in choices:
        choices.append(tutorial[name])
    return choices


def axis_values(column, name: str) -> list:
    choices = choices_of(name)
    default = defaults["axes"].get(name, choices[: min(3, len(choices))])
    return column.multiselect(
        f"Values of the {labels[name]}", choices, default=default, max_selections=MAX_VALUES,
        format_func=sweep.format_value, key=f"sweep_{model}_{name}_values",
        persist_state="session",
    )  # fmt: skip


x_values = axis_values(left, x)
y_values = axis_values(right, y)

fixed = {}
with st.expander("The other settings (the same for every run)", expanded=False):
    rest = [name for name in names if name not in (x, y)]
    for column, name in zip(st.columns(max(len(rest), 1)), rest, strict=False):
        choices = choices_of(name)
        value = defaults["fixed"].get(name, tutorial[name])
        fixed[name] = column.selectbox(
            labels[name].capitalize(), choices, index=choices.index(value),
            format_func=sweep.format_value, key=f"sweep_{model}_{name}_fixed",
            persist_state="session",
        )  # fmt: skip
    st.caption("The defaults are the tutorial's, except shorter trainings so a grid is quick.")

try:
    pool = sweep_pool(os.environ.get(sweep.SCHEDULER_VARIABLE) or None)
except ValueError as error:  # SIGNVIZ_DASK_SCHEDULER names a cluster that does not answer
    st.error(f"The sweep's workers are not available: {error}.")
    st.stop()
job = st.session_state.get("sweep_job")
buttons = st.columns(4)
start = buttons[0].button("Sweep", type="primary", key="sweep_start", width="stretch")
stop = buttons[1].button("Stop", key="sweep_stop", width="stretch")
st.caption(f"{len(x_values) * len(y_values)} runs; they run on {pool.description}.")

if start:
    try:
        plan = sweep.Sweep(model, {x: x_values, y: y_values}, fixed)
    except ValueError as error:
        st.error(f"This grid cannot run: {error}.")
        plan = None
    if plan is not None:
        if job is not None:
            job.stop()  # one sweep per learner at a time
        try:
            job = pool.submit(plan, task)
        except ValueError as error:  # a Dask cluster that stopped answering
            st.error(f"The sweep could not start: {error}.")
            st.stop()
        st.session_state["sweep_job"] = job
        st.session_state.pop("sweep_run", None)  # the new grid's best run comes first
        st.session_state["sweep_context"] = {
            "x": x, "y": y, "labels": labels, "tutorial": tutorial, "task": task,
        }  # fmt: skip
if stop and job is not None:
    job.stop()


def is_running() -> bool:
    job = st.session_state.get("sweep_job")
    return job is not None and not job.done


def status(job) -> None:
    """Where the sweep stands: in the queue, running, stopped or failed."""
    found = diagnose.sweep_status(job)
    ui.notices(found.notices())
    if (progress := found.progress()) is not None:
        st.progress(*progress)


def pick_from_heatmap(cells: dict) -> None:
    """Make the run of the clicked cell the one to look at."""
    for point in st.session_state[HEATMAP_KEY].selection.points:
        index = cells.get(tuple(point.get("customdata", ())))
        if index is not None:
            st.session_state["sweep_run"] = index
            return


def chosen_run(results, summary):
    """The run to look at: the one clicked in the grid or chosen in the menu (the best
    run at first)."""
    by_index = {result.index: result for result in results}
    if st.session_state.get("sweep_run") not in by_index:
        st.session_state["sweep_run"] = diagnose.best_run(results).index
    index = st.selectbox(
        "Look at one run (or click a cell)", sorted(by_index), key="sweep_run",
        format_func=lambda index: figures.run_label(
            by_index[index], [summary.x, summary.y], labels
        ),
    )  # fmt: skip
    return by_index[index]


def show_run(result, run_task, model_kind: str) -> None:
    """One run: its numbers, its cost curve and what its first layer looks at."""
    columns = st.columns(4)
    columns[0].metric("Train accuracy", "—" if result.diverged else f"{result.train_accuracy:.2%}")
    columns[1].metric("Test accuracy", "—" if result.diverged else f"{result.test_accuracy:.2%}")
    columns[2].metric("Iterations", len(result.costs))
    columns[3].metric("Training time", f"{result.seconds:.2f} s")
    if result.diverged:
        st.error(result.model.divergence_message_, icon="💥")
    st.plotly_chart(
        figures.cost_curve(
            result.costs, title="This run's cost", diverged_at=result.diverged_at, log_y=True
        ),
        key="sweep-run-cost",
    )
    kind = kinds.get(model_kind)
    weights, what = kind.first_layer_weights(result.model), kind.unit_name
    if what == "weight":
        figure = figures.weight_heatmap(
            weights[0], run_task.image_shape, "This run's weights: red for 1, blue for 0"
        )
    else:
        figure = figures.weight_heatmaps(
            weights,
            run_task.image_shape,
            [f"{what} {unit + 1}" for unit in range(len(weights))],
            title=f"What each {what} of this run looks at",
        )
    st.plotly_chart(figure, key="sweep-run-weights")


@st.fragment(run_every=0.5 if is_running() else None)
def sweep_view(was_running: bool) -> None:
    """The grid and the curves, redrawn twice a second while runs come in."""
    job = st.session_state.get("sweep_job")
    if job is None:
        st.info("Choose the values to try and press **Sweep**: the grid fills in as runs finish.")
        return
    context = st.session_state["sweep_context"]
    run_task = context["task"]
    if ui.task_key(run_task) != ui.task_key(task):
        st.caption(
            f"This sweep ran on digits {run_task.digits[0]} and {run_task.digits[1]}; press "
            "**Sweep** to run it on the sidebar's task."
        )
    status(job)
    results = job.results
    summary = sweep.summarize(job.sweep, results, context["x"], context["y"])
    st.plotly_chart(
        figures.sweep_heatmap(summary, labels=context["labels"], tutorial=context["tutorial"]),
        key=HEATMAP_KEY,
        on_select=partial(pick_from_heatmap, diagnose.best_run_of_each_cell(results, summary)),
        selection_mode="points",
    )
    iterations = job.sweep.runs()[0].get(sweep.iterations_parameter(job.sweep.model))
    st.plotly_chart(
        figures.sweep_cost_curves(
            results,
            [summary.x, summary.y],
            labels=context["labels"],
            selected=st.session_state.get("sweep_run"),
            planned=iterations,
            title="Cost of every run (colour: test accuracy; red dots: diverged)",
        ),
        key="sweep-costs",
    )
    if results:
        grid = diagnose.sweep_grid(summary, job.sweep.fixed, context["tutorial"], context["labels"])
        st.markdown(grid.message())
    if results and job.done:  # drawn once the grid is complete: weights are heavy to redraw
        show_run(chosen_run(results, summary), run_task, job.sweep.model)
    elif results:
        st.caption("Once the sweep is done, click a cell to see its run's curve and weights.")
    if was_running and job.done:
        st.rerun()


sweep_view(is_running())
