"""Issue 16 in a real browser: a shared link keeps its task across pages; a bad URL value
gets a notice, not a traceback."""

import re

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LINK = "dataset?first_digit=3&second_digit=8&seed=7"


def test_3_a_shared_link_keeps_its_task_on_the_first_navigation(page):
    # Before the fix the first click in the navigation dropped the seed from the URL and
    # the seed box fell back to 42 (sometimes the digits too).
    page.goto(f"{page.base_url}/{LINK}")
    link = page.get_by_role("link", name=re.compile("Logistic regression"))
    link.wait_for()
    link.click()  # at once: the first page may still be running
    page.get_by_role("heading", name=re.compile("4. Logistic regression")).first.wait_for()
    page.wait_for_selector(IDLE)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('seed') === '7'", timeout=20_000
    )
    query = dict(re.findall(r"(\w+)=(\w+)", page.url.split("?", 1)[1]))
    assert query == {"first_digit": "3", "second_digit": "8", "seed": "7"}
    seed = page.get_by_role("spinbutton", name="Seed")
    page.wait_for_function("(box) => box.value === '7'", arg=seed.element_handle(), timeout=20_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(re.compile(r"test images of 3 and 8")).wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_2_an_infinite_seed_in_the_url_gets_a_notice(page):
    page.goto(f"{page.base_url}/dataset?first_digit=3&seed=inf")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("The link's seed=inf was not understood").wait_for()
    sidebar.get_by_text(re.compile(r"test images of 3 and 1")).wait_for()
    page.wait_for_selector(IDLE)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "seed" not in page.url.split("?", 1)[-1]
