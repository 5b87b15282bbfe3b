"""Chapter 1: the photos, and how the tutorial turns them into matrices."""

import streamlit as st

from signviz import data, figures, texts, ui

task = ui.current_task()
dataset = ui.load_dataset()
first, second = task.digits
height, width = task.image_shape
shapes = task.tutorial_shapes()
SCHOOL = "Turkey Ankara Ayrancı Anadolu High School"
#: What the dataset's own README states about how it was made.
README_STUDENTS, README_SAMPLES_PER_STUDENT = 218, 10
PUBLISHED = sum(data.DIGIT_COUNTS)

st.title("1. The dataset")
st.markdown(
    f"""
The **Sign Language Digits** dataset holds {PUBLISHED} colour photos, 100 by 100 pixels
each, of hands showing the digits 0 to 9 in sign language, prepared by students of
{SCHOOL} and published on GitHub
([ardamavi/Sign-Language-Digits-Dataset](https://github.com/ardamavi/Sign-Language-Digits-Dataset))
under the Apache-2.0 license. signviz turns each photo into the tutorial's grayscale
array: brightness only, contrast stretched, shrunk to 64 by 64, every pixel between 0
(black) and 1 (white).
"""
)
st.caption(
    f"What is known of its making: the dataset's README lists {README_STUDENTS} participating "
    f"students and {README_SAMPLES_PER_STUDENT} samples per student, which would make "
    f"{README_STUDENTS * README_SAMPLES_PER_STUDENT}; the published folders hold {PUBLISHED} "
    f"photos, {min(data.DIGIT_COUNTS)} to {max(data.DIGIT_COUNTS)} per digit. The README does "
    "not say why some are missing, nor which photos come from which student."
)
where = f"from `{dataset.location}`" if dataset.location else "from scikit-learn"
st.caption(
    f"Loaded now: {len(dataset.images)} images of {height} by {width} pixels, {where} "
    f"(source: {dataset.source})."
)

st.plotly_chart(
    figures.digit_samples(
        dataset.images,
        dataset.digits,
        names=dataset.names,
        labels={first: 0, second: 1},
        title="The first 8 images of each digit",
    ),
    key="dataset_samples",
)
st.plotly_chart(
    figures.class_counts(
        dataset.counts(),
        highlight=task.digits,
        title=f"Images of each digit: {first} and {second} are the task's",
    ),
    key="dataset_counts",
)
st.markdown(
    f"""
Every digit has about the same number of images, so no class dominates. A model here
answers one yes-or-no question: does the image show **{second}** (label 1) rather than
**{first}** (label 0)? Change the two digits in the sidebar to ask another question.
"""
)

st.header("From photos to matrices")
st.markdown(
    f"""
A model never sees a hand, only numbers. The tutorial's preparation, for this task:

1. **Stack** the images of both digits: `X` has shape {shapes["X"]}, one {height} by {width}
   grid per image; `Y` has shape {shapes["Y"]}, one label per image.
2. **Split** them at random (test size {task.test_size:.0%}, seed {task.random_state}):
   {task.n_train} images to learn from, {task.n_test} kept aside to check the models on
   images they never saw.
3. **Flatten** each image into one row of {height} · {width} = {task.n_features} pixels:
   `X_train_flatten` has shape {shapes["X_train_flatten"]}. The model ignores which pixel
   is next to which; it only weighs each one.
4. **Transpose**, so that each image is a *column*: `x_train` has shape
   {shapes["x_train"]} and `y_train` {shapes["y_train"]}. With one image per column, the
   single product wᵀx computes the z of every image at once (chapter 2).
"""
)
st.plotly_chart(figures.preparation_diagram(shapes), key="dataset_preparation")

st.header("One image up close")
column_set, column_image = st.columns([1, 2])
split = column_set.radio(
    "Set", ["training", "test"], horizontal=True, key="dataset_split", persist_state="session",
    help="The training images teach the models; the test images only check them.",
)  # fmt: skip
names, images, labels = (
    (task.names_train, task.images_train, task.y_train)
    if split == "training"
    else (task.names_test, task.images_test, task.y_test)
)
label_of = dict(zip(names, labels, strict=True))
name = column_image.selectbox(
    f"Image ({len(names)} in the {split} set)", names, key="dataset_image",
    persist_state="session", format_func=lambda option: f"{option} (label {label_of[option]})",
)  # fmt: skip
index = names.index(name)
label = int(labels[index])
st.plotly_chart(
    figures.image_figure(
        images[index], f"{name}: the digit {task.digits[label]}, label {label}", height=460
    ),
    key="dataset_image_figure",
)
first_pixels = ", ".join(f"{value:.2f}" for value in images[index].reshape(-1)[:6])
matrix = "x_train" if split == "training" else "x_test"
st.caption(
    f"To the model this image is column {index} of `{matrix}`: {task.n_features} numbers, "
    f"starting {first_pixels}, …; its label is {label}."
)

with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_dataset"))

st.info(
    "**Try this:** hover over the large image to read single pixels, the numbers the model "
    "really gets. Pick another pair of digits in the sidebar and watch the shapes above "
    "follow, or raise the test size and see the training set shrink.",
    icon="🧪",
)
