"""The one place where signviz meets Streamlit: cached loading, the task, live training.

Pages stay short by calling these helpers:

- `select_task` draws the sidebar's task controls (kept in the URL) and returns the
  task every page works on; `current_task` gives it to a page;
- `remember_model` / `trained_models` keep each trained model in the browser
  session, one per kind and task, so moving between pages keeps them;
- `trainer`, `training_buttons` and `live_training` give every model chapter the same
  live training: a worker per session and chapter, the same buttons, a page that
  redraws from the worker's snapshots.

The dataset and each task are loaded once per server process and shared by every
session (their arrays are read-only), never copied per user.
"""

from __future__ import annotations

import importlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import script_runner
from threadpoolctl import threadpool_limits

from signviz import data, figures, kinds
from signviz.jobs import BackgroundJob
from signviz.trainer import Frame, Snapshot, Trainer, live_workers, redraw_seconds

#: A live page's redraws come at least this many times the fragment's own longest
#: recent run apart (see `live_training`).
REDRAW_MARGIN = 1.5
#: ... but never more than this many seconds apart.
MAX_GUARDED_REDRAW_SECONDS = 5.0

# Every browser session runs its scripts in a thread of one server process. When
# several sessions train at once, OpenBLAS's own worker threads fight over the cores:
# four two-layer trainings took 30 times longer together than one alone. With one
# BLAS thread per call, the sessions share the cores instead (four take twice as long
# as one on two cores), at some cost to a lone training, which float32 tasks win back.
threadpool_limits(limits=1, user_api="blas")

DIGITS = list(range(10))
TEST_SIZES = [round(0.05 * step, 2) for step in range(1, 11)]  # 0.05 ... 0.5
#: Learning rates on a log scale, for every learning-rate control.
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


@st.cache_resource(
    show_spinner="Loading the Sign Language Digits (the first time, this downloads the "
    "2062 photos and prepares them: about a minute)..."
)
def load_dataset() -> data.Dataset:
    """The dataset, loaded once per server process and shared by all sessions."""
    return data.load_dataset()


@st.cache_resource(max_entries=32, show_spinner="Preparing the task...")
def _make_task(
    _dataset: data.Dataset, source: tuple, first: int, second: int, test_size: float, seed: int
) -> data.Task:
    return data.make_task(
        _dataset, (first, second), test_size=test_size, random_state=seed, dtype=np.float32
    )


#: The task's controls as URL query parameters, with the value each takes by default.
TASK_DEFAULTS = {"first_digit": 0, "second_digit": 1, "test_size": 0.15, "seed": 42}
MAX_SEED = 2**31 - 1
_URL_NOTICES = "task_url_notices"


def url_value_problem(key: str, values: list[str]) -> str | None:
    """Why a URL query value cannot set the task control ``key`` (None when it can).

    A control bound to the URL reads its value from there on a session's first run;
    Streamlit drops a value it cannot use without a word (and a seed of ``inf`` even
    breaks the page), so `select_task` checks each value first, with this function.

    Parameters
    ----------
    key : str
        One of `TASK_DEFAULTS`.
    values : list of str
        Every value the URL gives for it (``?seed=1&seed=2`` gives two).
    """
    if len(values) != 1:
        return "it is given more than once"
    value = values[0]
    if key in ("first_digit", "second_digit"):
        return None if value in [str(digit) for digit in DIGITS] else "not a digit from 0 to 9"
    if key == "test_size":
        accepted = [f"{size:g}" for size in TEST_SIZES]
        return None if value in accepted else f"not one of {', '.join(accepted)}"
    if not (value.isascii() and value.isdigit()):
        return f"not a whole number from 0 to {MAX_SEED}"
    return None if int(value) <= MAX_SEED else f"above the largest seed, {MAX_SEED}"


def _check_url_values() -> None:
    """Drop the URL's unusable task values before any control reads them, then rerun.

    What was dropped is kept in the session so that the next run can say so.
    """
    bad = {}
    for key in TASK_DEFAULTS:
        values = st.query_params.get_all(key)
        problem = url_value_problem(key, values) if values else None
        if problem is not None:
            bad[key] = (values[0] if len(values) == 1 else values, problem)
    if not bad:
        return
    for key in bad:
        del st.query_params[key]
    st.session_state[_URL_NOTICES] = {"dropped": bad, "task": None}
    st.rerun()  # a session's first run seeds the controls from the URL it started with


def _show_url_notices(task_values: tuple) -> None:
    """Say which URL values were ignored and what is used instead, until the task changes."""
    notices = st.session_state.get(_URL_NOTICES)
    if not notices:
        return
    if notices["task"] is None:
        notices["task"] = task_values
    elif notices["task"] != task_values:
        del st.session_state[_URL_NOTICES]
        return
    used = dict(zip(TASK_DEFAULTS, task_values, strict=True))
    for key, (value, problem) in notices["dropped"].items():
        st.sidebar.warning(
            f"The link's {key}={value} was not understood ({problem}); "
            f"using {key}={used[key]:g} instead.",
            icon="🔗",
        )


def select_task() -> data.Task | None:
    """Draw the sidebar's task controls and return the task (None if it is invalid).

    The controls are bound to the URL's query parameters, so a shared link opens the
    same digits, test size and seed. A value the controls cannot use is ignored with a
    notice in the sidebar that names it and what is used instead.
    """
    _check_url_values()
    # On a page switch the browser remounts these controls at their defaults and
    # drops their URL parameters unless the server marks their values as set: a
    # shared link would lose its seed (and sometimes the whole task) on the first
    # click in the navigation. Setting each kept value again marks it, so the
    # browser shows it and the URL keeps it. (Streamlit logs once per process that
    # these controls have a default and a value set through st.session_state.)
    for key, default in TASK_DEFAULTS.items():
        if st.session_state.get(key, default) != default:
            st.session_state[key] = st.session_state[key]
    with st.sidebar:
        st.subheader("Task")
        left, right = st.columns(2)
        first = left.selectbox(
            "Label 0", DIGITS, index=0, key="first_digit", bind="query-params",
            help="The digit the models should answer 0 for.",
        )  # fmt: skip
        second = right.selectbox(
            "Label 1", DIGITS, index=1, key="second_digit", bind="query-params",
            help="The digit the models should answer 1 for. The tutorial's homework: "
            "try any other pair.",
        )  # fmt: skip
        test_size = st.select_slider(
            "Test size", TEST_SIZES, value=0.15, key="test_size", bind="query-params",
            format_func=lambda value: f"{value:g}",
            help="The share of the images kept aside to test the models (the tutorial: 0.15).",
        )  # fmt: skip
        seed = st.number_input(
            "Seed", min_value=0, max_value=2**31 - 1, value=42, step=1, key="seed",
            bind="query-params",
            help="Fixes the random split into training and test images (the tutorial's "
            "random_state=42). The models' random initial weights have their own seeds, on "
            "chapters 5 and 6.",
        )  # fmt: skip
    _show_url_notices((first, second, test_size, seed))
    st.session_state["task"] = None  # until the controls make a valid one
    try:
        dataset = load_dataset()
    except ValueError as error:  # a DatasetError, or arrays too large for the memory limit
        st.error(f"The dataset could not be loaded: {error}")
        return None
    if dataset.is_fallback:
        st.warning(dataset.message, icon="⚠️")
    for note in dataset.notices:  # a copy that differs from the published one, a rebuilt cache
        st.warning(note, icon="⚠️")
    try:
        source = (dataset.source, dataset.location, len(dataset.digits))
        task = _make_task(dataset, source, int(first), int(second), float(test_size), int(seed))
    except ValueError as error:
        st.sidebar.error(str(error).capitalize())
        return None
    st.sidebar.caption(
        f"{task.n_train} training and {task.n_test} test images of "
        f"{task.digits[0]} and {task.digits[1]}, "
        f"{task.image_shape[0]}×{task.image_shape[1]} pixels."
    )
    st.session_state["task"] = task
    return task


@st.cache_resource(max_entries=16, show_spinner="Fitting scikit-learn's LogisticRegression...")
def _scikit_learn_logistic(_task: data.Task, key: tuple):
    # Imported here, not at start-up: scikit-learn takes a second to import.
    from signviz.models.reference import fit_scikit_learn_logistic

    return fit_scikit_learn_logistic(_task.x_train, _task.y_train, random_state=42)


def scikit_learn_logistic(task: data.Task):
    """The tutorial's scikit-learn model on ``task``: fitted once per task, shared."""
    return _scikit_learn_logistic(task, task_key(task))


@dataclass(frozen=True)
class ScikitLearnView:
    """What chapter 4 shows of scikit-learn's model: the same for every learner of a task."""

    train_accuracy: float
    test_accuracy: float
    weights_figure: Any  # a plotly Figure; st.plotly_chart copies it, never changes it


@st.cache_resource(max_entries=16, show_spinner=False)
def _scikit_learn_view(_task: data.Task, key: tuple) -> ScikitLearnView:
    from signviz import figures

    model = _scikit_learn_logistic(_task, key).model
    return ScikitLearnView(
        train_accuracy=float(model.score(_task.x_train, _task.y_train)),
        test_accuracy=float(model.score(_task.x_test, _task.y_test)),
        weights_figure=figures.weight_heatmap(
            model.coef_, _task.image_shape, "scikit-learn's weights"
        ),
    )


def scikit_learn_view(task: data.Task) -> ScikitLearnView:
    """scikit-learn's accuracies and weights figure on ``task``, computed once per task.

    Every learner of a room sees the same ones: building them once per task instead of
    on every page run saves the server about 15 ms per run and learner.
    """
    return _scikit_learn_view(task, task_key(task))


def current_task() -> data.Task:
    """The task chosen in the sidebar; stops the page with a hint if there is none."""
    task = st.session_state.get("task")
    if task is None:
        st.info("Choose two different digits in the sidebar to start.")
        st.stop()
    return task


def task_key(task: data.Task) -> tuple:
    """What identifies a task: its digits, test size, seed and the data it came from."""
    return (task.digits, task.test_size, task.random_state, task.source, task.n_features)


# -- trained models ------------------------------------------------------------------


@dataclass
class TrainedModel:
    """A model trained in this session, with what the comparison page needs to know."""

    kind: str
    title: str
    model: Any
    task: data.Task
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)

    @property
    def iterations(self) -> int:
        """Iterations or epochs trained (scikit-learn keeps one count per class: the most)."""
        return int(np.max(getattr(self.model, "n_iter_", 0)))


def remember_model(kind: str, title: str, model, task: data.Task, settings=None) -> TrainedModel:
    """Keep ``model`` as this session's model of ``kind`` for ``task`` (replacing any)."""
    record = TrainedModel(kind, title, model, task, settings=dict(settings or {}))
    st.session_state.setdefault("trained_models", {})[(task_key(task), kind)] = record
    return record


def trained_model(kind: str, task: data.Task) -> TrainedModel | None:
    """This session's model of ``kind`` for ``task``, if one was trained."""
    return st.session_state.get("trained_models", {}).get((task_key(task), kind))


def trained_models(task: data.Task) -> list[TrainedModel]:
    """Every model trained in this session on ``task``, in the order they were trained."""
    key = task_key(task)
    models = st.session_state.get("trained_models", {})
    return [record for (record_task, _), record in models.items() if record_task == key]


def download_buttons(record: TrainedModel | None) -> None:
    """Buttons to take a settled model home: the model (``.npz``; a Keras network as
    ``.keras``) and its cost history (``.csv``). The files are made only when clicked.
    Nothing while no model is settled; a note for a diverged one."""
    from signviz import export

    if record is None or not hasattr(record.model, "n_iter_"):
        return
    if getattr(record.model, "diverged_", False):
        st.caption("This run diverged: its weights are not worth saving.")
        return
    stem = f"signviz-{record.kind}-{'-'.join(map(str, record.task.digits))}"
    if kinds.get(record.kind).file_suffix == ".keras":
        model_file, suffix = partial(export.keras_file, record.model), ".keras"
    else:
        model_file, suffix = partial(export.save_model, record.model, record.task), ".npz"
    model_column, costs_column = st.columns(2)
    model_column.download_button(
        f"Download the model ({suffix})", data=model_file, file_name=stem + suffix,
        mime="application/octet-stream", on_click="ignore", icon="💾",
        key=f"download-model-{record.kind}",
    )  # fmt: skip
    costs_column.download_button(
        "Download the cost history (.csv)",
        data=partial(export.cost_history_csv, list(getattr(record.model, "cost_history_", []))),
        file_name=stem + "-costs.csv", mime="text/csv", on_click="ignore", icon="📉",
        key=f"download-costs-{record.kind}",
    )  # fmt: skip


def explanation_maps(records: list[TrainedModel], image: np.ndarray, label_names, key: str):
    """Each model's explanation map of one image (see `signviz.compare.explanation`).

    Parameters
    ----------
    records : list of TrainedModel
        Trained models.
    image : array of shape (height, width)
        The image, pixel values in [0, 1], as the models see it.
    label_names : (str, str)
        What labels 0 and 1 stand for.
    key : str
        Prefix of the charts' keys, one per page.
    """
    from signviz import compare, diagnose, figures

    x = np.asarray(image, dtype=float).reshape(-1)
    for record in records:
        values, kind = compare.explanation(record.model, x)
        z = float(record.model.decision_function(x[None, :])[0])
        st.plotly_chart(
            figures.explanation_map(
                image, values, kind=kind, label_names=label_names,
                title=f"{record.title}: z = {z:.3g}",
            ),
            key=f"{key}-explanation-{record.kind}",
        )  # fmt: skip
        if kind == compare.CONTRIBUTION:
            bias = float(np.ravel(record.model.intercept_)[0])
            st.caption(
                f"The pixels add up to {values.sum():.3g} and the bias is {bias:.3g}: "
                f"z = {values.sum() + bias:.3g}."
            )
        elif (blank := diagnose.blank_explanation(record.model, x, values)) is not None:
            st.caption(blank.message())


def notices(found) -> None:
    """Show findings (`signviz.diagnose.Notice`), each at its level."""
    for notice in found:
        if notice.level == "caption":
            st.caption(notice.text)
        else:
            getattr(st, notice.level)(notice.text, icon=notice.icon)


# -- live training -------------------------------------------------------------------

#: A Train or Continue run of the numpy models lasts at least this long, paced by the
#: trainer: the tutorial's 150 iterations take 0.04 s of computing, over before a
#: learner could see the cost fall.
MIN_RUN_SECONDS = 3.0
#: Points of a cost curve drawn while training runs (the chart is about 550 pixels wide
#: on a 1024-pixel projector: one point per two pixels); all of them once it pauses or
#: ends. Every redraw sends them and the browser draws them again.
LIVE_POINTS = 300
#: The buttons of every model chapter, in their order.
COMMANDS = ("Train", "Pause", "Continue", "Step 1", "Step 10", "Reset")


def session_is_alive() -> Callable[[], bool]:
    """A callable that stays true while this browser session is connected.

    A worker calls it between updates: once the tab is closed or reloaded, Streamlit's
    runtime no longer counts the session as active and the worker stops. (Under
    AppTest there is no runtime: the session never ends.)
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), context.session_id
    return lambda: runtime.is_active_session(session_id)


def trainer(kind: str, task: data.Task, weights: Callable[[Any], np.ndarray], **options) -> Trainer:
    """This session's trainer for the chapter of ``kind`` (one per chapter and session).

    A new task gives a new trainer; the old one is paused first, so a session never
    trains two models of one chapter at once. ``options`` go to `signviz.trainer.Trainer`.
    """
    trainers = st.session_state.setdefault("trainers", {})
    current = trainers.get(kind)
    if current is None or current.context.get("task") != task_key(task):
        if current is not None:
            current.pause()
        current = Trainer(
            task.x_train, task.y_train, task.x_test, task.y_test, weights,
            is_alive=session_is_alive(), name=f"signviz-{kind}", **options,
        )  # fmt: skip
        current.context["task"] = task_key(task)
        trainers[kind] = current
    return current


def training_buttons(
    trainer: Trainer,
    key: str,
    *,
    new_model: Callable[[], Any],
    planned: int,
    learning_rate: float,
    unit: str = "iteration",
) -> None:
    """The row of commands every model chapter shares, each enabled only when it applies.

    A click only records the command (in its callback); this function carries it out
    when the page (or the live fragment) runs next, with the settings the page has just
    read, then draws the buttons in the states that follow from it.
    """
    actions = {
        "Train": lambda: trainer.train(new_model(), planned),
        "Pause": trainer.pause,
        "Continue": lambda: trainer.resume(planned, learning_rate),
        "Step 1": lambda: trainer.step(1, learning_rate, new_model=new_model()),
        "Step 10": lambda: trainer.step(10, learning_rate, new_model=new_model()),
        "Reset": trainer.reset,
    }
    clicked = st.session_state.pop(f"{key}_clicked", None)
    if clicked in actions:
        # What the model was before the click: the page can show what a step changed.
        st.session_state[f"{key}_last_command"] = (clicked, trainer.snapshot.frame)
        actions[clicked]()

    snapshot = trainer.snapshot
    active = trainer.active
    has_model = snapshot.frame is not None and snapshot.state != "ended"
    can_go_on = has_model and not active and snapshot.state != "diverged"
    helps = {
        "Train": f"A new model from the settings above, trained for {planned} {unit}s.",
        "Pause": "Stop after the current update; the model keeps what it learned.",
        "Continue": f"Go on with this model up to {planned} {unit}s, at the learning rate "
        "above (raise the slider to go further).",
        "Step 1": f"One more {unit} on this model (a new one if there is none).",
        "Step 10": f"Ten more {unit}s on this model.",
        "Reset": "Forget the model.",
    }
    disabled = {
        "Train": False,
        "Pause": not active,
        "Continue": not can_go_on or snapshot.iteration >= planned,
        "Step 1": active,
        "Step 10": active,
        "Reset": not has_model and not active,
    }
    for column, command in zip(st.columns(len(COMMANDS)), COMMANDS, strict=True):
        column.button(
            command,
            key=f"{key}_{command.lower().replace(' ', '_')}",
            type="primary" if command == "Train" else "secondary",
            width="stretch",
            disabled=disabled[command],
            help=helps[command],
            on_click=st.session_state.__setitem__,
            args=(f"{key}_clicked", command),
        )


def live_training(
    trainer: Trainer,
    key: str,
    draw: Callable[[Snapshot, Frame], None],
    *,
    controls: Callable[[], None],
    unit: str = "iteration",
    predictions: bool = True,
    hint: str | None = None,
) -> Snapshot:
    """Draw the buttons, the state, the metrics and the page's charts from the latest snapshot.

    While a training runs this part of the page is a fragment that redraws itself from
    what the worker published, six or seven times a second (fewer when the server trains
    more than one model per two cores: `signviz.trainer.redraw_seconds`), and the rest of the
    page is not re-run; when it starts or ends, the whole page runs again. Once training pauses or
    ends, a slider goes back through the recorded history: the metrics, ``draw`` and
    the test predictions show the model as it was at the chosen iteration.
    ``draw(snapshot, frame)`` draws the chart(s) for ``frame`` (the latest one, or the
    one chosen on the slider: ``frame.iteration < snapshot.iteration``). Returns the
    snapshot drawn.
    """
    was_active = trainer.active
    task = current_task()

    def rerun_if_changed(drawn: Snapshot) -> None:
        # A training started or ended since the page last ran (the fragment's redraws
        # must start or stop), or a short one (a step) ended while this was drawn: the
        # whole page runs again, from the state the model has now.
        now = trainer.snapshot
        state = (drawn.run, drawn.iteration, drawn.state)
        changed = state != (now.run, now.iteration, now.state)
        if trainer.active != was_active or (changed and not was_active):
            st.rerun()

    took_key = f"{key}_redraw_took"
    every = redraw_every(st.session_state.get(took_key, 0.0)) if was_active else None

    @st.fragment(run_every=every)
    def view() -> None:
        started = time.perf_counter()
        try:
            _view()
        finally:
            took = time.perf_counter() - started
            if every is None:
                # Not a redraw: this run may have carried out a command (building a Keras
                # model takes seconds), which says nothing about how long a redraw takes.
                st.session_state.pop(took_key, None)
            else:
                # The longest recent redraw, forgotten slowly (a busy moment passes).
                st.session_state[took_key] = max(took, 0.75 * st.session_state.get(took_key, 0.0))
        if every is not None and redraw_every(st.session_state[took_key]) > 1.25 * every:
            # This fragment ran for most of its interval (a crowded server): its redraws
            # would follow each other with no pause. The page runs again, and its
            # fragment gets a longer interval.
            st.rerun()

    def _view() -> None:
        controls()
        snapshot = trainer.snapshot
        frame = snapshot.frame
        if snapshot.state == "queued":
            st.info(
                f"Waiting for a free core: you are number {snapshot.place} in line. "
                "Training starts by itself.",
                icon="⏳",
            )
        elif snapshot.state == "failed":
            st.error(f"Training stopped: {snapshot.message}")
        elif snapshot.state == "diverged":
            st.error(snapshot.message, icon="💥")
        elif snapshot.state == "ended":
            st.warning("This session ended; its training was stopped.")
        if frame is None and trainer.active:
            st.info("Starting...", icon="⏳")
        elif frame is None:
            st.info(
                hint
                or f"Press **Train** to watch the cost fall, or **Step 1** to take one {unit} "
                "at a time."
            )
        if frame is None:
            rerun_if_changed(snapshot)
            return
        frames = snapshot.scrub_frames
        if not was_active and not trainer.active and len(frames) > 1:
            chosen = st.select_slider(
                f"Look back: the model at {unit}",
                [f.iteration for f in frames],
                value=frames[-1].iteration,
                key=f"{key}_scrub_{snapshot.run}_{snapshot.iteration}",
                help=f"{len(frames)} moments of this run were kept: move back to see the "
                "cost, the weights, the accuracies and the test answers as they were then.",
            )
            frame = snapshot.frame_at(chosen) or frame
        latest = frame.iteration == snapshot.iteration
        # The metrics beside the charts, not above them: a projector's 768 pixels show
        # the buttons and the whole cost chart together.
        charts, numbers = st.columns([4, 1])
        numbers.metric(unit.capitalize(), frame.iteration)
        numbers.metric(
            "Cost now" if latest else f"Cost at {unit} {frame.iteration}",
            f"{frame.cost:.4g}",
            help=f"The training cost of the parameters after {frame.iteration} {unit}s: "
            "the chart's point at that " + unit + ".",
        )
        numbers.metric("Train accuracy", f"{frame.train_accuracy:.2%}")
        numbers.metric("Test accuracy", f"{frame.test_accuracy:.2%}")
        with charts:
            draw(snapshot, frame)
        if predictions and not trainer.active and not was_active:
            _predictions_at(frame, task, key)
        rerun_if_changed(snapshot)

    view()
    return trainer.snapshot


def live_images(images: list[np.ndarray], *, caption: list[str], width: int) -> None:
    """``st.image`` for pictures redrawn several times a second (RGB arrays, uint8).

    Encoded here as PNG at zlib's fastest level: about as small as Streamlit's own PNG
    (these pictures are flat blocks of colour) for a third of its time, and Streamlit
    passes encoded bytes on without encoding them again.
    """
    from PIL import Image

    encoded = []
    for image in images:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
        encoded.append(buffer.getvalue())
    st.image(encoded, caption=caption, width=width)


def server_status() -> None:
    """With ``?status`` in a page's address, the sidebar says how many training workers
    this server runs now: a closed tab or a reload must leave none behind (the browser
    tests read it; a teacher can too)."""
    if "status" in st.query_params:
        st.sidebar.caption(f"Training workers running on this server: {live_workers()}")


def redraw_every(took: float) -> float:
    """Seconds between two redraws of a live fragment whose recent runs took ``took`` s.

    `signviz.trainer.redraw_seconds`, but at least `REDRAW_MARGIN` times ``took`` (up to
    `MAX_GUARDED_REDRAW_SECONDS`). A fragment slower than its interval was reported to
    never draw (its timer interrupting each run). Streamlit 1.67 no longer interrupts a
    fragment for its own timer (``_fragment_run_should_not_preempt_script`` in its
    script requests): it queues one more run right after. Either way such a page
    redraws back to back, taking a core's share for one learner; with this margin a
    redraw always has time to finish, and the server rests between two.
    """
    return max(redraw_seconds(), min(MAX_GUARDED_REDRAW_SECONDS, REDRAW_MARGIN * took))


@st.cache_resource(max_entries=64, show_spinner=False)
def _prediction_grid(_task: data.Task, key: tuple, probabilities: np.ndarray):
    return figures.prediction_grid(
        _task.images_test,
        probabilities,
        _task.y_test,
        label_names=_task.label_names,
        names=_task.names_test,
        title=f"Test images with P({_task.label_names[1]})",
    )


def _predictions_at(frame: Frame, task: data.Task, key: str) -> None:
    """The test images, each with the probability of the second digit at ``frame``.

    The figure is built once per task and set of probabilities: a room of learners
    training with the same settings gets the same model, and building this figure (62
    captions and frames to validate) was the largest part of a page run.
    """
    second = task.label_names[1]
    st.plotly_chart(
        _prediction_grid(task, task_key(task), frame.test_probabilities),
        key=f"{key}-predictions",
    )
    st.caption(
        f"Each tile shows the probability of {second} at iteration {frame.iteration}; "
        "red frames mark mistakes."
    )


def forget_model(kind: str, task: data.Task) -> None:
    """Drop this session's model of ``kind`` for ``task`` (after a Reset)."""
    st.session_state.get("trained_models", {}).pop((task_key(task), kind), None)


def keep_settled_model(kind: str, snapshot: Snapshot, task, settings=None):
    """Remember the model of a paused or finished run for the other chapters, under its
    kind's title (`signviz.kinds`); forget it after a Reset. Returns the record, or None."""
    if snapshot.frame is None:
        forget_model(kind, task)
        return None
    if snapshot.model is None:  # still running: keep the last settled one
        return trained_model(kind, task)
    record = trained_model(kind, task)
    if record is None or record.model is not snapshot.model:
        record = remember_model(kind, kinds.get(kind).title, snapshot.model, task, settings)
    record.seconds = snapshot.seconds
    return record


# -- background jobs -----------------------------------------------------------------


def job(name: str) -> BackgroundJob | None:
    """This session's job called ``name`` (running or finished), if any."""
    return st.session_state.get("jobs", {}).get(name)


def start_job(name: str, work: Callable[[BackgroundJob], Any], **context) -> BackgroundJob | None:
    """Start ``work`` in the background, unless this session already has a job running.

    One job at a time per session: a learner's second click cannot start a second
    training beside the first, and no session's job touches another's models.
    """
    jobs = st.session_state.setdefault("jobs", {})
    if any(existing.running for existing in jobs.values()):
        return None
    jobs[name] = BackgroundJob(
        work, name=f"signviz-{name}", context=context, is_alive=session_is_alive()
    ).start()
    return jobs[name]


def last_command(key: str) -> tuple[str, Frame | None]:
    """The last button pressed in the row ``key``, and the frame shown before the click."""
    return st.session_state.get(f"{key}_last_command", ("", None))


def load_keras_network():
    """`signviz.models.keras_network`, imported on first use with a notice (TensorFlow is
    slow to import). Bind it to a name other than ``keras``: it is not the library."""
    with st.spinner("Loading TensorFlow and Keras (the first time takes a few seconds)..."):
        module = importlib.import_module("signviz.models.keras_network")
    keep_keras_state_between_runs()
    return module


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit does it to keep old-style Keras apps from piling up global state. Here
    it would clear TensorFlow's kernel cache under every training running in another
    session or in the background, after every redraw, which made training ten times
    slower or worse; it would also reset global state under someone else's model.
    signviz keeps no Keras state globally (every model, seed and batch order belongs to
    its own session), so there is nothing for that clean-up to do.
    """
    script_runner.__dict__["_clean_problem_modules"] = _no_clean_up


def _no_clean_up() -> None:
    """Replaces Streamlit's clean-up of Keras and matplotlib state (signviz keeps none)."""


def learning_rate_slider(key: str, default: float = 0.01, **options) -> float:
    """A learning-rate control on a log scale, from 0.0001 to 10."""
    return st.select_slider(
        "Learning rate",
        LEARNING_RATES,
        value=default,
        key=key,
        format_func=lambda value: f"{value:g}",
        help="The size of each gradient-descent step. Too small crawls; too large "
        "overshoots the minimum and diverges.",
        **options,
    )
