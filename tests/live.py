"""Pages that train in the background, driven through AppTest: click, wait, look."""

from streamlit.testing.v1 import AppTest

TIMEOUT = 300


def finish(app: AppTest) -> AppTest:
    """Wait until every trainer of the session is idle, then run the page again."""
    trainers = app.session_state["trainers"] if "trainers" in app.session_state else {}
    for trainer in trainers.values():
        assert trainer.wait(TIMEOUT), "a training did not finish"
        snapshot = trainer.snapshot
        # A run that failed in its thread, or a worker that believed its session gone,
        # would leave a half-trained model on the page: say so here, with the reason.
        assert snapshot.state not in ("failed", "ended"), (trainer.name, snapshot.message)
    app.run()
    assert not app.exception
    return app


def press(app: AppTest, key: str) -> AppTest:
    """Click the button ``key`` and wait for the training it starts to end."""
    app.button(key=key).click().run()
    assert not app.exception
    return finish(app)


def trainer(app: AppTest, kind: str):
    return app.session_state["trainers"][kind]
