"""Where the Streamlit app's own files are: ``app.py``, ``chapters/`` and ``.streamlit/``.

In a checkout of the project they sit at its top, beside this package. An installed
wheel carries them inside the package, as ``signviz/_app`` (see ``pyproject.toml``), so
that ``signviz app`` can start the app wherever signviz was installed.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def app_folder() -> Path:
    """The folder that holds ``app.py``: inside the installed package, else the checkout's top.

    Returns
    -------
    pathlib.Path
        An absolute path; ``app.py`` may be missing from it only in a broken install.
    """
    installed = _PACKAGE / "_app"
    return installed if (installed / "app.py").is_file() else _PACKAGE.parent
