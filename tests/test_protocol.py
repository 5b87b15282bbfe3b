"""The simulated learner (benchmarks/protocol.py) against real `streamlit run` servers.

A tiny app of known timings shows that the client measures what it claims: five charts
drawn 0.2 s apart arrive in order and at least that far apart, a repeated drawing is
served from the learner's message cache, an exception in the script counts as an error,
and a fragment's ``run_every`` timer runs. Then one learner works through this app's
logistic-regression chapter. Timings are checked for order and known minimums only.
"""

import asyncio
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.protocol import Learner, health_latencies, loopback_url
from benchmarks.server import PROJECT
from benchmarks.serving import AppServer


def run(coroutine):
    """``asyncio.run`` in a thread of its own: when the browser tests ran first in this
    process, Playwright's event loop is still running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


TINY_APP = textwrap.dedent(
    """
    import time

    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    st.title("Five charts")
    if st.button("Draw", key="draw"):
        for index in range(5):
            if index:
                time.sleep(0.2)
            # 2000 floats: a message of more than 10 kB, which the client caches.
            figure = go.Figure(go.Scatter(y=np.linspace(0, index + 1, 2000)))
            st.plotly_chart(figure, key=f"chart-{index}")
    if st.button("Fail", key="fail"):
        raise ValueError("a failure on purpose")
    st.button("Tick", key="tick", on_click=lambda: st.session_state.update(ticking=True))


    @st.fragment(run_every=0.2 if st.session_state.get("ticking") else None)
    def ticks():
        if st.session_state.get("ticking"):
            st.session_state.ticks = st.session_state.get("ticks", 0) + 1
            st.checkbox(f"tick {st.session_state.ticks}", key=f"tick-{st.session_state.ticks}")


    ticks()
    """
)


def key_is(key):
    return lambda arrival: arrival.element_id.endswith(f"-{key}")


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-app")
    (folder / "tiny.py").write_text(TINY_APP)
    with AppServer("tiny.py", cwd=folder) as server:
        yield server


def test_only_this_machine_is_reachable():
    assert loopback_url("http://127.0.0.1:8501") == ("127.0.0.1", 8501)
    for url in ("http://example.com:8501", "http://10.0.0.2:8501", "ws://127.0.0.1:8501"):
        with pytest.raises(ValueError, match="only connects to this machine"):
            Learner(url)


def test_five_charts_arrive_in_order_and_at_their_pace(tiny_server):
    async def scenario():
        async with Learner(tiny_server.url) as learner:
            opened = await learner.open()
            assert [a.kind for a in learner.arrivals][:1] == ["heading"]
            pressed = await learner.press("draw")
            charts = [await learner.wait_for(key_is(f"chart-{i}"), pressed) for i in range(5)]
            first_drawing = len(learner.arrivals)
            again = await learner.press("Draw")  # by its label this time
            await learner.wait_for(key_is("chart-4"), again)
            return learner, opened, pressed, charts, first_drawing

    learner, opened, pressed, charts, first_drawing = run(scenario())
    assert learner.errors == []
    assert learner.connected_at < opened < pressed < charts[0]
    assert charts == sorted(charts)
    # The app sleeps 0.2 s between charts: 0.8 s in all, less a flush of the server's queue.
    assert charts[-1] - charts[0] >= 0.7
    # The second drawing's charts came as references to the first's, as for a browser.
    assert learner.references >= 5
    repeated = [a.element_id for a in learner.arrivals[first_drawing:] if a.kind == "plotly_chart"]
    assert [chart.rsplit("-", 1)[-1] for chart in repeated] == ["0", "1", "2", "3", "4"]


def test_an_exception_in_the_script_is_an_error(tiny_server):
    async def scenario():
        async with Learner(tiny_server.url) as learner:
            await learner.open()
            pressed = await learner.press("fail")
            await learner.wait_for(lambda arrival: arrival.kind == "exception", pressed)
            return learner

    learner = run(scenario())
    assert learner.errors == ["the script raised ValueError: a failure on purpose"]
    assert learner.received["new_session"] == 2 and learner.received["script_finished"] >= 1


def test_a_fragment_timer_reruns_the_fragment(tiny_server):
    async def scenario():
        async with Learner(tiny_server.url) as learner:
            await learner.open()
            with pytest.raises(LookupError, match="no button 'Tock'"):
                await learner.press("Tock")
            pressed = await learner.press("tick")
            # A run of the fragment that the next timer's request interrupts counts
            # without drawing its checkbox (on a busy machine), so any third or later.
            third = await learner.wait_for(lambda arrival: tick(arrival) >= 3, pressed)
            return learner, pressed, third

    def tick(arrival) -> int:
        before, _, number = arrival.element_id.rpartition("-tick-")
        return int(number) if before and number.isdigit() else 0

    learner, pressed, third = run(scenario())
    assert learner.errors == []
    # The press's run drew tick 1; the fragment's next runs were asked for by the
    # learner's timer, 0.2 s apart.
    assert third - pressed >= 0.4
    assert learner.received["auto_rerun"] == 1 and learner.received["new_session"] >= 4


def test_health_is_polled_until_told_to_stop(tiny_server):
    async def scenario():
        stop = asyncio.Event()
        polling = asyncio.create_task(health_latencies(tiny_server.url, stop, interval=0.05))
        await asyncio.sleep(0.5)
        stop.set()
        return await polling

    latencies, failures = run(scenario())
    assert failures == 0 and len(latencies) >= 2 and all(latency > 0 for latency in latencies)


@pytest.mark.real_data
def test_a_learner_trains_logistic_regression_in_the_app(real_dataset):
    from benchmarks.classroom import LOGISTIC, TASK, is_chart

    async def scenario(url):
        async with Learner(url, query_string=TASK, timeout=120) as learner:
            opened = await learner.open(LOGISTIC.page)
            pressed = await learner.press(LOGISTIC.train_key)
            first_chart = await learner.wait_for(is_chart, pressed)
            final = await learner.wait_for(key_is(LOGISTIC.final_chart_key), pressed)
            return learner, opened, pressed, first_chart, final

    with AppServer("app.py", cwd=PROJECT) as server:
        learner, opened, pressed, first_chart, final = run(scenario(server.url))
    assert learner.errors == []
    assert learner.connected_at < opened < pressed < first_chart <= final
    # The chapter was the one asked for: its Train button and scikit-learn's weights.
    ids = [a.element_id for a in learner.arrivals]
    assert any(i.endswith("-logreg_train") for i in ids)
    assert any(i.endswith("-sklearn-weights") for i in ids)
