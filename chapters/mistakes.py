"""Chapter 7: every model trained so far, side by side, and the test images they get wrong."""

from functools import partial

import streamlit as st

from signviz import compare, figures, kinds, texts, ui

MODEL_PAGES = (
    "chapters/logistic_regression.py",
    "chapters/two_layer_network.py",
    "chapters/keras_network.py",
)
MODE_LABELS = {
    compare.THIS_MODEL: "wrong for this model",
    compare.ALL_MODELS: "wrong for all models",
    compare.SOME_MODELS: "wrong for some, not all",
}
GALLERY_KEY = "mistakes_gallery"
IMAGE_KEY = "mistakes_image"
CONFUSION_COLUMNS = 2


def ending() -> None:
    """The tutorial's names for this chapter, and the conclusion of the whole course."""
    with st.expander("The tutorial's names"):
        st.markdown(texts.load("names_mistakes"))
    st.markdown(texts.load("conclusion"))


task = ui.current_task()
first, second = task.label_names

st.title("7. Mistakes & comparison")
st.markdown(texts.load("mistakes_intro", label_0=first, label_1=second))

records = ui.trained_models(task)
untrained = [record.title for record in records if not compare.is_trained(record.model)]
records = [record for record in records if compare.is_trained(record.model)]
if not records:
    st.info(
        f"No model has been trained on {first} against {second} in this session yet. "
        "Train one on a model page (each keeps its model while you move around the app), "
        "then come back here to compare them.",
        icon="🧪",
    )
    for page in MODEL_PAGES:
        st.page_link(page)
    ending()
    st.stop()
if untrained:
    st.caption(f"Left out, as they stopped before their first step: {', '.join(untrained)}.")

models = {record.title: record.model for record in records}
evaluations = {
    record.title: compare.evaluate(
        record.model, task.x_train, task.y_train, task.x_test, task.y_test
    )
    for record in records
}

st.header("Side by side")
rows = []
for record in records:
    evaluation = evaluations[record.title]
    rows.append(
        {
            "model": record.title,
            "train accuracy": evaluation.train_accuracy,
            "test accuracy": evaluation.test_accuracy,
            "training time": record.seconds,
            "trained for": kinds.get(record.kind).units(evaluation.iterations),
        }
    )
st.dataframe(
    rows,
    hide_index=True,
    column_config={
        "train accuracy": st.column_config.NumberColumn(format="percent"),
        "test accuracy": st.column_config.NumberColumn(format="percent"),
        "training time": st.column_config.NumberColumn(format="%.2f s"),
    },
)
st.markdown(
    f"Each confusion matrix sorts the {task.n_test} test images by the digit they show "
    "(rows) and the digit the model answered (columns): the diagonal holds the right "
    "answers, the other two cells the two kinds of mistakes."
)
for start in range(0, len(records), CONFUSION_COLUMNS):
    row = records[start : start + CONFUSION_COLUMNS]
    for column, record in zip(st.columns(CONFUSION_COLUMNS), row, strict=False):
        evaluation = evaluations[record.title]
        right = int(evaluation.confusion.trace())
        column.plotly_chart(
            figures.confusion_matrix(
                evaluation.confusion,
                task.label_names,
                title=f"{record.title}<br><sup>{right} of {task.n_test} test images right</sup>",
            ),
            key=f"mistakes-confusion-{record.kind}",
        )

st.header("The images they get wrong")
probabilities = compare.probabilities(models, task.x_test)
mode = st.radio(
    "Show the test images", compare.MODES, format_func=MODE_LABELS.get, horizontal=True,
    key="mistakes_mode", persist_state="session",
)  # fmt: skip
model_name = None
if mode == compare.THIS_MODEL:
    model_name = st.selectbox(
        "Model", list(models), index=list(models).index(compare.least_accurate(evaluations)),
        key="mistakes_model", persist_state="session",
        help="At first, the model with the most test mistakes.",
    )  # fmt: skip
found = compare.gallery(probabilities, task.y_test, mode, model_name)
shown, wrong, confidence = found.indices.tolist(), found.wrong, found.confidence
if not shown:
    ui.notices([found.empty_notice()])
    ending()
    st.stop()


def hover_text(index: int) -> str:
    """Every model's probability and answer for one test image."""
    lines = [f"{task.names_test[index]}: shows {task.label_names[task.y_test[index]]}"]
    for name, probability in probabilities.items():
        answer = task.label_names[compare.answer(probability[index])]
        verdict = "wrong" if wrong[name][index] else "right"
        lines.append(f"{name}: P({second}) = {probability[index]:.3f}, says {answer} ({verdict})")
    return "<br>".join(lines)


def pick_from_gallery(shown: list[int]) -> None:
    """Make the image clicked in the gallery the one to explain."""
    points = st.session_state[GALLERY_KEY].selection.points
    positions = [point["customdata"] for point in points if "customdata" in point]
    if positions:
        st.session_state[IMAGE_KEY] = shown[int(positions[0])]


st.plotly_chart(
    figures.image_grid(
        task.images_test[shown],
        title=f"{len(shown)} test images {found.description()}",
        captions=[
            f"{task.label_names[task.y_test[index]]} · {confidence[index]:.0%}" for index in shown
        ],
        hover=[hover_text(index) for index in shown],
    ),
    key=GALLERY_KEY,
    on_select=partial(pick_from_gallery, shown),
    selection_mode="points",
)
st.caption(
    "The most confidently wrong come first. Each tile: the digit the image really shows, "
    f"then how sure {found.whose_confidence()} was of its wrong answer (50 % is a coin "
    "toss). Rest the pointer on a tile for every model's probability; click it to explain "
    "it below."
)

st.header("Why did they answer that?")
names = {
    index: f"{rank}. {task.names_test[index]} (shows {task.label_names[task.y_test[index]]})"
    for rank, index in enumerate(shown, start=1)
}
picked = st.selectbox("Image to explain", shown, format_func=names.get, key=IMAGE_KEY)
image_column, answers_column = st.columns([2, 3])
image_column.plotly_chart(
    figures.image_figure(
        task.images_test[picked], f"Shows {task.label_names[task.y_test[picked]]}", height=320
    ),
    key="mistakes-image",
)
with answers_column:
    for name, probability in probabilities.items():
        answer = task.label_names[compare.answer(probability[picked])]
        mark = "❌" if wrong[name][picked] else "✅"
        st.markdown(f"{mark} **{name}** says **{answer}**: P({second}) = {probability[picked]:.3f}")

st.markdown(texts.load("mistakes_maps", label_0=first, label_1=second))
ui.explanation_maps(records, task.images_test[picked], task.label_names, key="mistakes")

ending()
