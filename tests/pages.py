"""The app through Streamlit's AppTest: open it, go to a chapter, read what it shows.

Shared by the page tests (and by the ``app`` fixture of ``conftest.py``) so that each
test file does not carry its own copy.
"""

from pathlib import Path

from streamlit.testing.v1 import AppTest

#: The app's entry point.
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def new_app(query: dict | None = None, *, run: bool = True) -> AppTest:
    """The app at its start page, with ``query`` as URL parameters; run once unless told."""
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if run:
        app.run()
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    """Switch to ``chapters/<page>.py``, run it and check it raised nothing."""
    app.switch_page(f"chapters/{page}.py").run()
    assert not app.exception
    return app


def open_app(page: str) -> AppTest:
    """A fresh app, opened at ``chapters/<page>.py`` with the default task."""
    app = new_app()
    assert not app.exception
    return open_page(app, page)


def metrics(app: AppTest) -> dict:
    """Each metric's value by label (the first, where two share a label)."""
    shown = {}
    for metric in app.metric:
        shown.setdefault(metric.label, metric.value)
    return shown
