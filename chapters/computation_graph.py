"""Chapter 2: logistic regression as a computation graph; sigmoid, activations, loss."""

import numpy as np
import streamlit as st

from signviz import figures, texts, ui
from signviz.models.activations import ACTIVATIONS, binary_cross_entropy, sigmoid

#: The tutorial's worked example of the sigmoid, and the z that really gives 0.9.
TUTORIAL_Z_PROBABILITY = float(sigmoid(4.0))
NINETY_PERCENT_Z = float(np.log(0.9 / 0.1))

task = ui.current_task()
first, second = task.label_names
n_pixels = task.n_features

st.title("2. The computation graph")
st.markdown(
    f"""
Logistic regression is the smallest neural network: a single unit. A computation graph
draws it as a chain of simple operations, each box feeding the next. Follow one image
from left to right: every one of its {n_pixels} pixels is multiplied by a weight of its
own, the products and a bias add up to one number z, the sigmoid turns z into ŷ, the
probability that the image shows **{second}**, and comparing ŷ with the true label gives
a loss. The cost is the average loss over all training images. Hover over a box to read
what it computes.
"""
)
st.plotly_chart(figures.computation_graph(n_pixels), key="computation_graph_diagram")
st.latex(
    rf"z = w^T x + b = b + w_1 x_1 + w_2 x_2 + \dots + w_{{{n_pixels}}} x_{{{n_pixels}}}"
    r"\qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}"
)
st.latex(
    r"\mathcal{L}(\hat y, y) = -y \log \hat y - (1 - y) \log (1 - \hat y)"
    r"\qquad J = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}\big(\hat y^{(i)}, y^{(i)}\big)"
)
st.markdown(
    f"""
The **parameters** are what training changes: the weights w, one per pixel (a column of
shape ({n_pixels}, 1)), and the bias b, one number. Everything else in the graph is
computed from them and the image. Going from left to right is *forward propagation*;
gradient descent (chapter 3) then walks back from the cost to learn how each parameter
should change.

{texts.load("cost_is_a_mean")}
"""
)

st.header("The sigmoid: any number becomes a probability")
z = st.slider(
    "z", -10.0, 10.0, 4.0, 0.1, key="computation_graph_z", persist_state="session",
    help="The weighted sum of one image's pixels plus the bias.",
)  # fmt: skip
y_hat = float(sigmoid(z))
prediction = second if y_hat > 0.5 else first
probability, predicted, if_one, if_zero = st.columns(4)
probability.metric("ŷ = sigmoid(z)", f"{y_hat:.3f}")
predicted.metric("Prediction", f"{prediction} (label {int(y_hat > 0.5)})")
if_one.metric("Loss if y = 1", f"{float(binary_cross_entropy(z, 1.0)):.3f}")
if_zero.metric("Loss if y = 0", f"{float(binary_cross_entropy(z, 0.0)):.3f}")
st.plotly_chart(figures.sigmoid_point(z), key="computation_graph_sigmoid")
st.markdown(
    f"""
However large or small z gets, the sigmoid squeezes it between 0 and 1, and it is
smooth, so it has a slope everywhere for gradient descent to follow. z = 0 gives exactly
0.5, no opinion; the model predicts label 1 when ŷ is above 0.5. With z = 4 the sigmoid
gives {TUTORIAL_Z_PROBABILITY:.3f}: the model is about {TUTORIAL_Z_PROBABILITY:.0%} sure the
image shows **{second}**. (The tutorial's example says that z = 4 gives "almost 0.9", a
90 % probability. That is a slip, easy to make: sigmoid(4) is {TUTORIAL_Z_PROBABILITY:.3f},
and 0.9 is what z = {NINETY_PERCENT_Z:.1f} gives.)
"""
)

st.header("Activation functions and their slopes")
names = st.multiselect(
    "Activations to draw", list(ACTIVATIONS), default=list(ACTIVATIONS),
    key="computation_graph_activations", persist_state="session",
)  # fmt: skip
if names:
    st.plotly_chart(figures.activation_curves(names), key="computation_graph_activation_chart")
else:
    st.info("Choose at least one activation to draw.")
st.latex(
    r"\sigma'(z) = \sigma(z)\,\big(1 - \sigma(z)\big) \qquad"
    r"\tanh'(z) = 1 - \tanh^2(z) \qquad"
    r"\mathrm{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}"
)
st.markdown(
    """
Learning follows slopes, so the dashed curves matter as much as the solid ones. The
sigmoid's slope is never above 0.25 and nearly 0 once |z| passes 5: a unit that is very
sure of itself barely learns. tanh has the same S shape stretched to (-1, 1), centred on
zero and up to four times steeper, which is why the two-layer network of chapter 5 uses
it in its hidden layer. relu is the simplest of all: slope 1 for every positive z, 0
otherwise; deep networks use it because its slope does not fade for large z.
"""
)

st.header("The loss: how wrong is one answer?")
st.plotly_chart(figures.loss_curves(y_hat if 0 < y_hat < 1 else None), key="computation_graph_loss")
st.markdown(
    """
For an image whose label is 1 the loss is $-\\log \\hat y$; for label 0 it is
$-\\log(1 - \\hat y)$. A right answer given with confidence costs almost nothing. A
wrong answer given with confidence costs more and more, without any upper bound, as ŷ
heads to the wrong end: being sure and wrong is punished far harder than being unsure.
The purple points are the losses of the ŷ from the slider above.
"""
)

with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_computation_graph"))

st.info(
    "**Try this:** slide z to 0 and read ŷ = 0.5 and two equal losses of 0.693. Then slide "
    "z to -8: if the image is really label 1, the loss jumps to about 8. Finally, find the "
    "z where the sigmoid's slope (the dashed blue curve) is largest.",
    icon="🧪",
)
