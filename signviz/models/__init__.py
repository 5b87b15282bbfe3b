"""The tutorial's models: from scratch in numpy, plus the Keras network.

- :class:`LogisticRegressionGD`: logistic regression by gradient descent.
- :class:`SoftmaxRegression`: its form for more than two classes (all ten digits).
- :class:`TwoLayerNetwork`: one tanh hidden layer, sigmoid output (softmax for more
  than two classes).
- :class:`DeepNetwork`: the tutorial's Keras network (8 and 4 relu units), by hand.
- :mod:`signviz.models.keras_network`: the Keras network itself. It imports
  TensorFlow, which takes seconds, so it is loaded only when first used.
"""

from signviz.models.activations import ACTIVATIONS, get_activation, sigmoid
from signviz.models.deep import DeepNetwork
from signviz.models.logistic import LogisticRegressionGD
from signviz.models.softmax import SoftmaxRegression
from signviz.models.two_layer import TwoLayerNetwork

__all__ = [
    "ACTIVATIONS",
    "DeepNetwork",
    "LogisticRegressionGD",
    "SoftmaxRegression",
    "TwoLayerNetwork",
    "get_activation",
    "sigmoid",
]
