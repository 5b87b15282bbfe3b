"""Chapter 8 in headless Chromium: the grid fills in live, and a click opens a cell's run."""

import re

from test_app_in_browser import FIND_CHART, IDLE

#: What the sweep's heatmap shows now: how many cells have a result, and the labels.
HEATMAP_STATE = f"""
() => {{
    const chart = ({FIND_CHART})('Test accuracy of each setting');
    if (!chart) return null;
    const text = chart.data[0].text.flat();
    return {{
        filled: text.filter((cell) => !cell.startsWith('…')).length,
        cells: text.length,
    }};
}}
"""

#: Where the browser draws the click marker of cell (column, row), in page pixels.
CELL_POSITION = f"""
([column, row]) => {{
    const chart = ({FIND_CHART})('Test accuracy of each setting');
    const markers = chart._fullData.find((trace) => trace.name === 'select a cell');
    const at = markers.customdata.findIndex((cell) => cell[0] === column && cell[1] === row);
    const x = chart._fullLayout.xaxis, y = chart._fullLayout.yaxis;
    const frame = chart.getBoundingClientRect();
    return {{
        x: frame.left + x._offset + x.l2p(x.d2l(markers.x[at])),
        y: frame.top + y._offset + y.l2p(y.d2l(markers.y[at])),
    }};
}}
"""


def test_the_grid_fills_in_live_and_a_click_opens_a_run(page):
    page.goto(page.base_url + "/sweep")
    page.get_by_role("heading", name="8. Try them: a hyperparameter sweep").wait_for()
    page.locator(IDLE).wait_for()
    page.get_by_role("button", name="Sweep", exact=True).click()
    seen = set()
    while True:  # watch the cells fill in, as a learner would
        page.wait_for_timeout(150)
        state = page.evaluate(HEATMAP_STATE)
        if state is None:
            continue
        seen.add(state["filled"])
        if state["filled"] == state["cells"] == 12:
            break
    assert any(0 < filled < 12 for filled in seen), f"never seen partly filled: {seen}"
    page.get_by_text(re.compile(r"^Best test accuracy so far")).wait_for()
    page.get_by_text("Look at one run (or click a cell)").wait_for()  # the sweep is done
    page.locator(IDLE).wait_for()

    # Learning rate 0.1 (column 2) with 8 hidden units (row 2).
    target = page.evaluate(CELL_POSITION, [2, 2])
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(  # the menu's value sits in its input
        """() => [...document.querySelectorAll('[data-testid="stSelectbox"] input')]
            .some((input) => input.value === 'learning rate 0.1, hidden units 8')"""
    )
    page.wait_for_function(
        f"() => ({FIND_CHART})('What each hidden unit of this run looks at')?.data.length === 8"
    )
