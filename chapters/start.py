"""Start here: what signviz is and how to walk through it."""

import streamlit as st

from signviz import ui

task = ui.current_task()

st.title("Deep learning, one hand sign at a time")
st.markdown(
    f"""
These pages teach how a neural network learns, by letting you train one. The data are
photos of hands showing the digits 0 to 9 in sign language; a model sees only their
pixels and must say which of two digits each photo shows. Right now that is
**{task.digits[0]}** (label 0) against **{task.digits[1]}** (label 1): change the pair
in the sidebar whenever you like. Every model in every chapter trains on the same
{task.n_train} training images and is tested on the same {task.n_test} it never saw.

Work through the chapters in order:
"""
)
for path, label, icon in [
    ("introduction", "0. What deep learning is: networks, layers, hyperparameters", "💡"),
    ("dataset", "1. The dataset: from photos to arrays of numbers", "🖐️"),
    ("computation_graph", "2. The computation graph: weights, sigmoid, loss and cost", "🕸️"),
    ("gradient_descent", "3. Gradient descent, on a single weight", "⛰️"),
    ("logistic_regression", "4. Logistic regression from scratch, beside scikit-learn", "📈"),
    ("two_layer_network", "5. A two-layer network with a hidden layer", "🧠"),
    (
        "keras_network",
        "6. An L-layer network with Keras, beside the same network from scratch",
        "🏗️",
    ),
    ("mistakes", "7. Mistakes: which images fool which model, and why", "🔍"),
    ("own_hand", "7b. Your own hand: show the models a photo of yours", "🤚"),
    ("sweep", "8. Try them: a grid of hyperparameters, trained side by side", "🎛️"),
]:
    st.page_link(f"chapters/{path}.py", label=label, icon=icon)
st.markdown(
    """
Every number can be changed. Make the learning rate too large and watch training
diverge; start a network's weights at zero and watch its hidden units never learn to
differ. Breaking things on purpose is the fastest way to see why they are built the way
they are.

The chapters follow the Portuguese *Tutorial de Deep Learning com Keras*, in its order.
To keep its code open beside the app: every chapter from 1 to 7 has an expander, "The
tutorial's names", with a table that maps each of the tutorial's functions and
variables in that chapter to what you see there.
"""
)
