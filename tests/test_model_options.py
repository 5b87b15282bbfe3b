"""The Keras network's choices can be listed without importing TensorFlow."""

import subprocess
import sys

from signviz.models.options import KERAS_INITIALIZERS, KERAS_OPTIMIZERS


def test_the_options_load_without_tensorflow():
    code = (
        "import sys, signviz.models.options; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_tutorials_choices_come_first():
    assert KERAS_OPTIMIZERS[0] == "adam"
    assert KERAS_INITIALIZERS[0] == "uniform"
    assert len(set(KERAS_OPTIMIZERS)) == len(KERAS_OPTIMIZERS)
    assert len(set(KERAS_INITIALIZERS)) == len(KERAS_INITIALIZERS)
