"""Chapter 7b: the learner's own hand, through the dataset's preprocessing, to every model."""

import numpy as np
import streamlit as st
from PIL import ImageDraw

from signviz import compare, export, figures, kinds, photo, ui

MODEL_PAGES = (
    "chapters/logistic_regression.py",
    "chapters/two_layer_network.py",
    "chapters/keras_network.py",
)


@st.cache_resource(max_entries=8, show_spinner=False)
def training_neighbours(_task, key: tuple):
    """`signviz.photo.nearest_distances` of a task's training images (0.2 s), once per task."""
    return photo.nearest_distances(_task.x_train)


task = ui.current_task()
first, second = task.label_names

st.title("7b. Your own hand")
st.markdown(
    f"""
The models so far only met the dataset's photos. Here you give them one of yours: show
**{first}** or **{second}** with your hand to the camera, or upload a photo. It goes
through the very same steps as every photo of the dataset (grayscale, contrast
stretched from darkest to brightest, shrunk to {task.image_shape[0]}×{task.image_shape[1]}
pixels), and every model trained in this session says which digit it sees, how sure
it is, and which pixels made it say so. Nothing you send is stored: the photo lives in
this browser session's memory only.
"""
)

# -- a saved model, brought back ------------------------------------------------------

with st.expander("Bring back a model you saved (.npz)"):
    st.markdown(
        "Each model chapter has a button that saves the trained model as an `.npz` file. "
        "Upload one here to add it to the models that answer below (and to chapter 7's "
        "comparison)."
    )
    saved = st.file_uploader("A saved model", type=["npz"], key="own_hand_model")
    if saved is not None:
        try:
            loaded = export.load_model(saved.getvalue())
        except export.ExportError as error:
            st.error(f"{saved.name} cannot be used: {error}", icon="🚫")
        else:
            pair = f"{loaded.digits[0]} against {loaded.digits[1]}"
            if loaded.digits != task.digits or loaded.image_shape != task.image_shape:
                st.warning(
                    f"{saved.name} was trained on {pair} with "
                    f"{loaded.image_shape[0]}×{loaded.image_shape[1]} images; the task now is "
                    f"{first} against {second} with {task.image_shape[0]}×"
                    f"{task.image_shape[1]} images. Choose its pair in the sidebar to use it.",
                    icon="↔️",
                )
            else:
                ui.remember_model(  # one uploaded model per kind
                    kinds.UPLOADED + loaded.kind, f"Uploaded: {saved.name}", loaded.model, task,
                    loaded.hyperparameters,
                )  # fmt: skip
                same_split = (loaded.random_state, loaded.test_size) == (
                    task.random_state,
                    task.test_size,
                )
                st.success(
                    f"{saved.name}: a {loaded.kind} model of {pair}, trained for "
                    f"{kinds.get(loaded.kind).units(int(np.max(loaded.model.n_iter_)))}, "
                    "now answers below."
                    + (
                        ""
                        if same_split
                        else f" It was trained on another split (seed {loaded.random_state}, "
                        f"{loaded.test_size:.0%} for testing): some of today's test images "
                        "may be among its training images, so its test accuracy flatters it."
                    ),
                    icon="📦",
                )

# -- the photo --------------------------------------------------------------------------

st.header("Your photo")
source = st.radio(
    "Take the photo with", ["an upload", "the camera"], horizontal=True, key="own_hand_source"
)
if source == "the camera":
    shot = st.camera_input(f"Show {first} or {second} with one hand", key="own_hand_camera")
else:
    shot = st.file_uploader(
        "A photo of one hand showing a digit (JPEG or PNG, up to 10 MB)",
        type=list(photo.SUFFIXES),
        key="own_hand_photo",
    )
if shot is None:
    st.info(
        "The dataset's photos show one hand in front of a plain background, filling most "
        "of the frame. Yours will be judged against them, so the closer it looks, the "
        "fairer the test.",
        icon="✋",
    )
    st.stop()
try:
    image = photo.read_photo(shot.getvalue())
except photo.PhotoError as error:
    st.error(f"{shot.name}: {error}", icon="🚫")
    st.stop()

st.markdown("The dataset's photos are square: choose the square of yours that holds the hand.")
side_column, x_column, y_column = st.columns(3)
side = side_column.slider("Size of the square", 0.2, 1.0, 1.0, 0.05, key="own_hand_side")
x = x_column.slider("Left ↔ right", 0.0, 1.0, 0.5, 0.05, key="own_hand_x")
y = y_column.slider("Top ↕ bottom", 0.0, 1.0, 0.5, 0.05, key="own_hand_y")
box = photo.crop_box(image.size, side, x, y)
pixels = photo.prepare(image, box, task.image_shape)

preview = image.convert("RGB")
preview.thumbnail((480, 480))
scale = preview.width / image.width
ImageDraw.Draw(preview).rectangle(
    [round(edge * scale) for edge in box], outline=(255, 64, 0), width=3
)
photo_column, processed_column = st.columns(2)
photo_column.image(preview, caption=f"Your photo, {image.width}×{image.height} pixels")
processed_column.plotly_chart(
    figures.image_figure(pixels, "What the models see", height=320), key="own_hand_processed"
)

# -- how far it is from the dataset ---------------------------------------------------------

flat = pixels.reshape(-1)
near = photo.familiarity(flat, task.x_train, training_neighbours(task, ui.task_key(task)))
if near.is_far:
    st.warning(
        f"This photo is far from every training image: the nearest lies at a distance of "
        f"{near.distance:.1f}, while 95 % of the training images have a neighbour within "
        f"{near.threshold:.1f} (half of them within {near.typical:.1f}). The models never "
        "saw anything like it, so read their answers, however sure, with suspicion: "
        "a plainer background, a hand that fills the square, or another crop may help.",
        icon="🧭",
    )
else:
    st.success(
        f"This photo lies within {near.distance:.1f} of a training image, no farther than "
        f"95 % of the training images lie from their nearest neighbour ({near.threshold:.1f}): "
        "the models are judging something like what they learned from.",
        icon="🧭",
    )

# -- what the models say --------------------------------------------------------------------

st.header("What the models say")
records = [record for record in ui.trained_models(task) if compare.is_trained(record.model)]
if not records:
    st.info(
        f"No model has been trained on {first} against {second} in this session yet: train "
        "one on a model page, or bring back a saved one above.",
        icon="🧪",
    )
    for page in MODEL_PAGES:
        st.page_link(page)
    st.stop()

answers = {}
for record in records:
    (probabilities,) = export.probabilities_by_digit(record.model, flat[None, :], task.digits)
    answer = max(probabilities, key=probabilities.get)
    answers[record.title] = answer
    st.markdown(
        f"**{record.title}** says **{answer}**, with probability {probabilities[answer]:.1%}."
    )
if len(set(answers.values())) > 1:
    st.warning(
        "The models disagree about this photo: at least one of them is wrong, and none "
        "can tell you which.",
        icon="⚖️",
    )
st.markdown(
    f"Why: in each map, red pixels pushed the model's score `z` towards **{second}**, blue "
    f"ones towards **{first}** (chapter 7 explains how each map is made)."
)
ui.explanation_maps(records, pixels, task.label_names, key="own-hand")
