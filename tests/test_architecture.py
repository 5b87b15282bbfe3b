"""The core stays free of Streamlit, and of TensorFlow until a Keras model is wanted; the
app starts without scikit-learn or TensorFlow."""

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


def test_the_apps_glue_starts_without_scikit_learn_or_tensorflow():
    # What app.py imports for the first page: each of these takes a second or more to
    # import, so they wait until a chapter needs them (figure 5 of the benchmarks).
    script = (
        "import sys\n"
        "import signviz.ui\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sklearn', 'scipy', 'tensorflow', 'keras'}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
