"""The core stays free of Streamlit, and of TensorFlow until a Keras model is wanted."""

import pkgutil
import subprocess
import sys

import signviz

#: The only modules allowed to import heavy or UI libraries.
GLUE = {"signviz.ui", "signviz.models.keras_network"}


def core_modules():
    names = [module.name for module in pkgutil.walk_packages(signviz.__path__, prefix="signviz.")]
    return sorted(set(names) - GLUE)


def test_the_core_imports_neither_streamlit_nor_tensorflow():
    modules = core_modules()
    assert {"signviz.data", "signviz.models.logistic", "signviz.__main__"} <= set(modules)
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('streamlit', 'tensorflow', 'keras')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
