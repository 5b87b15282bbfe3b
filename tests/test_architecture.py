"""What the layout promises (data -> models -> figures -> ui -> chapters): the core stays
free of Streamlit, and of TensorFlow until a Keras model is wanted; Streamlit is imported
only by ``signviz/ui.py`` and the app's pages; the core imports nothing from the app;
figures import no model code; the app starts without scikit-learn or TensorFlow."""

import ast
import pkgutil
from pathlib import Path

from imports import loaded_by

import signviz

PACKAGE = Path(signviz.__file__).parent

#: The only modules allowed to import heavy or UI libraries.
GLUE = {"signviz.ui", "signviz.models.keras_network"}


def core_modules():
    names = [module.name for module in pkgutil.walk_packages(signviz.__path__, prefix="signviz.")]
    return sorted(set(names) - GLUE)


def test_the_core_imports_neither_streamlit_nor_tensorflow():
    modules = core_modules()
    assert {"signviz.data", "signviz.models.logistic", "signviz.__main__"} <= set(modules)
    assert loaded_by(*modules, among=("streamlit", "tensorflow", "keras")) == []


def test_the_apps_glue_starts_without_scikit_learn_or_tensorflow():
    # What app.py imports for the first page: each of these takes a second or more to
    # import, so they wait until a chapter needs them (figure 5 of the benchmarks).
    heavy = ("sklearn", "scipy", "tensorflow", "keras")
    assert loaded_by("signviz.ui", among=heavy) == []


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at its top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def importers(folder: Path, wanted) -> list[str]:
    """The files below ``folder`` that import a module for which ``wanted(name)`` is true."""
    return sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in folder.rglob("*.py")
        if any(wanted(name) for name in imported_modules(path))
    )


def top(name: str) -> str:
    return name.split(".")[0]


def test_only_ui_imports_streamlit_in_the_package():
    # The chapters and app.py import it too; they are the app, not the package.
    assert importers(PACKAGE, lambda name: top(name) == "streamlit") == ["signviz/ui.py"]


def test_the_package_imports_nothing_from_the_app():
    assert importers(PACKAGE, lambda name: top(name) in ("chapters", "app")) == []


def test_figures_import_no_model_code():
    # A figure draws arrays it is given; the activation functions (the curves a figure
    # of the sigmoid or tanh plots) are the one part of signviz.models it may use.
    def model_code(name: str) -> bool:
        return (name == "signviz.models" or name.startswith("signviz.models.")) and not (
            name.startswith("signviz.models.activations")
            or name in ("signviz.models.ACTIVATIONS", "signviz.models.get_activation")
        )

    assert importers(PACKAGE / "figures", model_code) == []


def test_the_checks_see_the_imports_they_look_for(tmp_path):
    # The rules above pass on an empty list: make sure the reader does find imports,
    # at the top of a file and inside a function.
    source = tmp_path / "example.py"
    source.write_text(
        "import streamlit as st\n"
        "from signviz.models import TwoLayerNetwork\n"
        "def later():\n"
        "    from chapters import sweep\n"
    )
    found = imported_modules(source)
    assert {"streamlit", "signviz.models.TwoLayerNetwork", "chapters.sweep"} <= found
    assert importers(PACKAGE, lambda name: name == "signviz.models.activations")
