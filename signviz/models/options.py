"""The choices the Keras network offers, listed without importing TensorFlow.

The Keras page's widgets and `signviz.models.keras_network` both read these
tuples, so the page can offer the choices before TensorFlow (seconds to import) is
loaded. The tutorial's choice comes first in each. The activations are the names of
`signviz.models.activations.ACTIVATIONS`, shared with the numpy networks.
"""

KERAS_OPTIMIZERS = ("adam", "sgd", "rmsprop")
"""Optimizers by Keras name; `signviz.models.deep.DeepNetwork` implements Adam."""
KERAS_INITIALIZERS = ("uniform", "glorot_uniform", "he_normal", "zeros")
"""Kernel initializers by Keras name; ``"uniform"`` is the tutorial's (uniform in ±0.05)."""
