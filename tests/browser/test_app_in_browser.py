"""The whole app in headless Chromium, used as a learner would use it.

Every wait is on a condition (an element, a chart holding the expected data, the app
being idle), never a fixed sleep. Expected numbers are computed here with signviz
from the same data the server loads, so the tests hold for any dataset.
"""

import re
import time

import pytest
from conftest import SCREENSHOTS, TIMINGS
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from signviz import data
from signviz.models import LogisticRegressionGD

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

#: The JavaScript that finds a Plotly chart by the start of its title (Streamlit's theme
#: wraps titles in <b> tags: they are left out).
FIND_CHART = """
(prefix) => [...document.querySelectorAll('.js-plotly-plot')].find(
    (chart) => ((chart.layout && chart.layout.title && chart.layout.title.text) || '')
        .replace(/<[^>]+>/g, '').startsWith(prefix))
"""

#: Where the browser draws tile ``index`` of the mistakes gallery, in page pixels.
GALLERY_TILE = """
(index) => {
    const gallery = [...document.querySelectorAll('.js-plotly-plot')].find(
        (chart) => / test images wrong for /.test(chart.layout.title.text));
    const markers = gallery._fullData[1];
    const x = gallery._fullLayout.xaxis, y = gallery._fullLayout.yaxis;
    const frame = gallery.getBoundingClientRect();
    return {
        x: frame.left + x._offset + x.l2p(markers.x[index]),
        y: frame.top + y._offset + y.l2p(markers.y[index]),
    };
}
"""


@pytest.fixture(scope="module")
def task():
    """The default task, as the server builds it."""
    return data.make_task(data.load_dataset(download=False), (0, 1))


def hover_gallery_tile(page, index: int) -> dict:
    """Rest the pointer on a tile of the mistakes gallery until its hover text shows."""
    for _ in range(20):
        target = page.evaluate(GALLERY_TILE, index)
        page.mouse.move(target["x"], target["y"])
        try:
            page.locator(".hoverlayer .hovertext").first.wait_for(timeout=500)
            return target
        except PlaywrightTimeout:
            continue
    pytest.fail("the gallery's tile never showed its hover text under the pointer")


def open_chapter(page, path: str, heading: str) -> None:
    page.goto(f"{page.base_url}/{path}")
    page.get_by_role("heading", name=heading).wait_for()
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    page.wait_for_selector(IDLE)


def exceptions(page) -> int:
    return page.locator('[data-testid="stException"]').count()


def console_errors(page) -> list[str]:
    """Console errors, less Streamlit's own 404 probes of ``<page>/_stcore/`` on a
    direct link to a page (streamlit/streamlit#7074): it then retries at the root."""
    return [
        message
        for message in page.console_messages
        if message.startswith(("error", "pageerror"))
        and not ("404" in message and "/_stcore/" in message)
    ]


def chart(page, title: str) -> dict | None:
    """What the browser drew for the chart titled ``title...``: traces and SVG/canvas parts."""
    return page.evaluate(
        f"""(prefix) => {{
            const chart = ({FIND_CHART})(prefix);
            if (!chart) return null;
            return {{
                traces: chart._fullData.map((trace) => ({{
                    name: trace.name, type: trace.type,
                    points: trace.y ? trace.y.length : (trace.z ? trace.z.length : 0),
                }})),
                lines: chart.querySelectorAll('.scatterlayer path.js-line').length,
                heatmaps: chart.querySelectorAll('.heatmaplayer .hm').length,
            }};
        }}""",
        title,
    )


def click_and_wait_for_points(page, button: str, title: str, points: int) -> None:
    """Click ``button``, then wait until the run it starts has ended with the chart titled
    ``title`` redrawn (new data, not the chart from before) with ``points`` points, drawn
    as an SVG line."""
    page.evaluate(
        f"""(prefix) => {{
            const chart = ({FIND_CHART})(prefix);
            window.signvizDataBefore = chart ? chart.data : null;
        }}""",
        title,
    )
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        f"""([prefix, points]) => {{
            const chart = ({FIND_CHART})(prefix);
            const app = document.querySelector('[data-testid="stApp"]');
            return chart && chart.data !== window.signvizDataBefore
                && chart._fullData[0].y.length === points
                && chart.querySelector('.scatterlayer path.js-line') !== null
                && app.dataset.testScriptState === 'notRunning';
        }}""",
        arg=[title, points],
    )


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def press_on_slider(page, label: str, key: str, times: int = 1) -> str:
    """Move a slider with the keyboard, as a learner can; returns its new value."""
    slider = page.get_by_role("slider", name=label)
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)
    wait_until_idle(page)
    return slider.get_attribute("aria-valuetext")


def test_a_shared_link_opens_its_task(page):
    page.goto(f"{page.base_url}/dataset?first_digit=3&second_digit=8&seed=7")
    page.get_by_role("heading", name="1. The dataset").wait_for()
    wait_until_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(re.compile(r"test images of 3 and 8")).wait_for()
    page.wait_for_function(f"() => ({FIND_CHART})('Images of each digit: 3 and 8')")
    assert page.get_by_role("spinbutton", name="Seed").input_value() == "7"
    assert exceptions(page) == 0


def test_every_chapter_loads_cleanly(page):
    page.goto(page.base_url)
    page.get_by_role("heading", name="Deep learning, one hand sign at a time").wait_for()
    links = page.locator('[data-testid="stSidebarNavLink"]')
    titles = [links.nth(index).inner_text().strip() for index in range(links.count())]
    assert len(titles) == 11
    for index, title in enumerate(titles):
        page.locator('[data-testid="stSidebarNavLink"]').nth(index).click()
        page.locator("h1").first.wait_for()
        wait_until_idle(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"chapter-{index}.png", full_page=True)
        assert exceptions(page) == 0, title
    assert console_errors(page) == []


def test_changing_the_task_in_the_sidebar(page):
    open_chapter(page, "dataset", "1. The dataset")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
    page.get_by_role("option", name="7", exact=True).click()
    page.get_by_text(re.compile(r"test images of 0 and 7")).wait_for()
    wait_until_idle(page)
    page.wait_for_function(f"() => ({FIND_CHART})('Images of each digit: 0 and 7')", polling="raf")
    assert exceptions(page) == 0


def test_logistic_regression_trains_live_and_steps(page, task):
    open_chapter(page, "logistic_regression", "4. Logistic regression")
    started = time.monotonic()
    click_and_wait_for_points(page, "Train", "Cost while training", 151)
    TIMINGS["Train press to finished chart (default logistic regression)"] = (
        time.monotonic() - started
    )

    assert press_on_slider(page, "Learning rate", "ArrowRight") == "0.03"
    click_and_wait_for_points(page, "Train", "Cost while training", 151)
    expected = LogisticRegressionGD(learning_rate=0.03).fit(task.x_train, task.y_train)
    assert metric(page, "Test accuracy") == f"{expected.score(task.x_test, task.y_test):.2%}"
    drawn = chart(page, "Cost while training")
    assert drawn["traces"][0]["points"] == 151 and drawn["lines"] == 1
    assert chart(page, "Weights: red for")["heatmaps"] == 1

    click_and_wait_for_points(page, "Step 1", "Cost while training", 152)
    assert metric(page, "Iteration") == "151"
    # Drawn by the run of the whole page that follows the step's end.
    page.wait_for_function(f"() => ({FIND_CHART})('Change of each weight')")
    wait_until_idle(page)
    assert chart(page, "Change of each weight")["heatmaps"] == 1
    assert exceptions(page) == 0


def test_two_layer_network_with_four_hidden_units(page):
    open_chapter(page, "two_layer_network", "5. A two-layer network")
    assert press_on_slider(page, "Hidden units", "ArrowRight") == "4"
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Inside the network, for one test image").wait_for(timeout=120_000)
    wait_until_idle(page)
    units = chart(page, "What each hidden unit looks at")
    assert [trace["name"] for trace in units["traces"]] == [f"unit {n}" for n in range(1, 5)]
    assert units["heatmaps"] == 4
    assert exceptions(page) == 0


def test_gradient_descent_animation_plays(page):
    open_chapter(page, "gradient_descent", "3. Gradient descent")
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        f"""() => {{
            const chart = ({FIND_CHART})('Gradient descent');
            return chart._fullLayout.sliders[0].active >= 3;
        }}"""
    )
    assert exceptions(page) == 0


def test_keras_chart_grows_epoch_by_epoch(page):
    open_chapter(page, "keras_network", "6. An L-layer network with Keras")
    # A click on the slider's track, a tenth of the way along: about 30 epochs.
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Epochs")
    box = slider.locator('[role="group"] > [data-orientation="horizontal"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] / 2)
    page.wait_for_function(
        """() => document.querySelector('input[aria-label="Epochs"]').value !== '100'"""
    )
    wait_until_idle(page)
    epochs = int(page.get_by_role("slider", name="Epochs").get_attribute("aria-valuetext"))
    assert 10 <= epochs <= 60
    page.get_by_role("button", name="Train", exact=True).click()
    # Seen part-way, then complete: the chart grows while Keras trains.
    page.wait_for_function(
        f"""(epochs) => {{
            const chart = ({FIND_CHART})('Keras: cost after each epoch');
            return chart && chart._fullData.length > 0
                && chart._fullData[0].y.length > 1 && chart._fullData[0].y.length < epochs;
        }}""",
        arg=epochs,
        timeout=120_000,
    )
    page.get_by_text("Training time").wait_for(timeout=180_000)
    wait_until_idle(page)
    history = chart(page, "Keras: cost after each epoch")
    assert history["traces"][0]["points"] == epochs + 1  # before the first epoch, then each
    assert history["lines"] == 1
    assert exceptions(page) == 0


def test_opening_a_misclassified_image(page):
    open_chapter(page, "logistic_regression", "4. Logistic regression")
    click_and_wait_for_points(page, "Train", "Cost while training", 151)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Mistakes").click()
    page.get_by_role("heading", name="Why did they answer that?").wait_for()
    wait_until_idle(page)
    maps = """() => [...document.querySelectorAll('.js-plotly-plot')]
        .map((c) => c.layout.title.text.replace(/<[^>]+>/g, ''))
        .filter((title) => / z = /.test(title))"""
    first_maps = page.evaluate(maps)
    # Click the second tile of the gallery, where the chart draws it: rest on it until its
    # hover text shows (the page may still be settling), then click. A click the chart
    # takes while it is being redrawn is lost, as it would be for a person: click again.
    for _ in range(3):
        target = hover_gallery_tile(page, 1)
        page.mouse.click(target["x"], target["y"])
        try:
            page.wait_for_function(
                f"""(before) => {{
                    const now = ({maps})();
                    return now.length === 2 && now.join() !== before.join();
                }}""",
                arg=first_maps,
                timeout=20_000,
            )
            break
        except PlaywrightTimeout:
            continue
    else:
        pytest.fail("clicking a tile of the gallery never explained its image")
    wait_until_idle(page)
    assert len(page.evaluate(maps)) == 2  # ours and scikit-learn's, for the clicked image
    assert exceptions(page) == 0
