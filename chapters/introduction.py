"""Chapter 0: what deep learning is, what a neural network is, and what hyperparameters are."""

import streamlit as st

from signviz import texts, ui

#: The tutorial's rule of thumb for "a lot of data".
BIG_DATA = 1_000_000

task = ui.current_task()
dataset = ui.load_dataset()
n_task = task.n_train + task.n_test
n_images = len(dataset.images)

st.title("0. What deep learning is")
st.markdown(
    """
**Deep learning** (aprendizado profundo) is a branch of machine learning in which the
model learns its own *features*, the measurements it bases its answers on, directly
from the raw data. Here the raw data are the pixels of a photo, and nobody tells the
models which pixels matter: they find out while training.
"""
)

st.header("Deep learning and machine learning")
st.markdown(
    """
Machine learning is the larger field, and deep learning is one part of it.

- In **classical machine learning**, a person designs the features first (for a hand,
  say: how many fingers are stretched, how wide the outline is), and a model learns
  how to weigh them.
- In **deep learning**, the model gets the raw data and learns the features itself,
  layer by layer: early layers pick up simple patterns, later layers combine them.

Both meet in this app: logistic regression (chapter 4) is a classic machine-learning
model, yet fed raw pixels it is also the smallest possible neural network.
"""
)

st.header("Why use it, and when")
st.markdown(
    f"""
With little data, classical methods with well-chosen features do as well as deep
networks, and are cheaper. As the amount of data grows, their accuracy levels off,
while deep networks keep improving: that is the reason to use them. How much data is
"big"? There is no sharp line; the tutorial's rule of thumb is about a million
examples ({BIG_DATA:,}).

This app's whole dataset has {n_images:,} images, and the current task uses {n_task}
of them, about {n_task / BIG_DATA:.2%} of that million: small data. That is why the
networks here stay small and why a single unit already does well; the point is to see
every step, not to beat a benchmark.

Deep learning is used wherever data are plentiful and features are hard to write by
hand: speech recognition, image classification, natural language processing
(translation, text generation) and recommendation systems.
"""
)

st.header("Artificial neural networks in one page")
st.markdown(
    """
A neural network is **logistic regression repeated**: take several logistic-regression
units, feed their outputs to another unit, and repeat at least twice. Each unit weighs
its inputs, adds a bias and applies an activation function, exactly as in chapter 2.

- **Layers.** The *input layer* is the pixels themselves; the *output layer* gives the
  answer. A network has at least one layer in between.
- **Hidden layers.** The training data show the inputs and the right answers, but
  nothing says what the layers in between should output: their values are never seen
  in the data, hence *hidden* (camada oculta). Training decides them.
- **Counting layers.** The input layer computes nothing, so it is not counted: one
  hidden layer plus the output layer make a **2-layer network** (chapter 5).
- **"Deep".** Deep means many hidden layers, and "many" keeps changing: a few hidden
  layers were the limit of the hardware decades ago, twenty counted as deep not long
  ago, and today's largest networks have hundreds, some over a thousand. It is a
  relative word; the useful question is always "how deep?".
"""
)

st.header("Hyperparameters")
st.markdown(texts.load("hyperparameters"))

st.info(
    "**Try this:** keep this page's table of hyperparameters in mind; in every later "
    "chapter, change one of them at a time and watch what it does to the cost curve.",
    icon="🧪",
)
