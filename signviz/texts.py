"""The chapters' longer prose, kept as Markdown files in ``chapters/text/``.

A page shows one with a single line, ``st.markdown(texts.load("keras_glossary"))``.
Keeping the prose out of the code lets a chapter's widgets and its explanations be
edited apart. A text may hold fields written ``{{name}}``, filled from the keyword
arguments of `load` (so the numbers in it come from the task, not from the file);
every field must be given, and no argument may go unused.
"""

from __future__ import annotations

import re

from signviz.app_files import app_folder

#: Where the Markdown files live (in the checkout or, once installed, in the package).
TEXT_DIR = app_folder() / "chapters" / "text"
_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def available() -> list[str]:
    """The names of every text, sorted (file names without ``.md``)."""
    return sorted(path.stem for path in TEXT_DIR.glob("*.md"))


def fields(name: str) -> set[str]:
    """The names of the ``{{fields}}`` a text needs."""
    return set(_FIELD.findall(_read(name)))


def load(name: str, **values) -> str:
    """A text, its ``{{fields}}`` filled in.

    Parameters
    ----------
    name : str
        The file's name in ``chapters/text/``, without ``.md``.
    **values
        One value per field, shown with ``str()``.

    Returns
    -------
    str
        Markdown.

    Raises
    ------
    ValueError
        For an unknown text, a missing field or an unused value.
    """
    text = _read(name)
    needed = set(_FIELD.findall(text))
    missing, unused = needed - set(values), set(values) - needed
    if missing or unused:
        problems = []
        if missing:
            problems.append(f"needs {', '.join(sorted(missing))}")
        if unused:
            problems.append(f"has no field {', '.join(sorted(unused))}")
        raise ValueError(f"Text {name!r} {' and '.join(problems)}.")
    return _FIELD.sub(lambda match: str(values[match.group(1)]), text).strip()


def _read(name: str) -> str:
    path = TEXT_DIR / f"{name}.md"
    if not re.fullmatch(r"[a-z0-9_]+", str(name)) or not path.is_file():
        raise ValueError(f"Unknown text {name!r}: choose one of {', '.join(available())}.")
    return path.read_text(encoding="utf-8")


#: ``g'`` of each hidden activation, written with the hidden layer's output ``A^{[1]}``.
ACTIVATION_DERIVATIVES = {
    "tanh": r"1 - \big(A^{[1]}\big)^2",
    "sigmoid": r"A^{[1]} \odot \big(1 - A^{[1]}\big)",
    "relu": r"\mathbb{1}\big[A^{[1]} > 0\big]",
}


#: Each hidden activation as written in the forward equation.
ACTIVATION_SYMBOLS = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\operatorname{relu}"}


def hidden_forward_latex(activation: str) -> str:
    """The hidden layer's forward equation with ``activation`` applied to ``Z^{[1]}``.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu"}

    Returns
    -------
    str
        LaTeX for ``st.latex``.
    """
    return (
        r"Z^{[1]} = W^{[1]} X + b^{[1]} \qquad A^{[1]} = "
        + _for_activation(ACTIVATION_SYMBOLS, activation)
        + r"\big(Z^{[1]}\big)"
    )


def hidden_backward_latex(activation: str) -> str:
    """The two-layer network's backward equations with ``activation``'s own derivative.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu"}

    Returns
    -------
    str
        LaTeX for ``st.latex``.
    """
    return (
        r"dZ^{[2]} = A^{[2]} - Y \qquad dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot \Big("
        + _for_activation(ACTIVATION_DERIVATIVES, activation)
        + r"\Big) \qquad dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}"
    )


def _for_activation(table: dict[str, str], activation: str) -> str:
    """``table[activation]``, or a ValueError that lists the activations there are."""
    if activation not in table:
        choices = ", ".join(sorted(table))
        raise ValueError(f"Unknown activation {activation!r}: choose one of {choices}.")
    return table[activation]
