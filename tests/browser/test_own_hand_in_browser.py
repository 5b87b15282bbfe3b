"""Chapter 7b in Chromium: download a trained model, upload a photo and the model back."""

import pytest
from test_app_in_browser import exceptions, open_chapter, wait_until_idle

from signviz import data, export, photo


@pytest.fixture(scope="module")
def hand(real_dataset):
    """A test photo of the default task, enlarged, turned and re-encoded, with its digit."""
    from test_photo import hand_photo

    task = data.make_task(real_dataset)
    return hand_photo(task, 0, size=320, degrees=3.0), task.digits[task.y_test[0]]


def uploader(page, label: str):
    return page.get_by_test_id("stFileUploader").filter(has_text=label).locator("input[type=file]")


def test_upload_a_photo_and_a_downloaded_model(page, hand):
    photo_bytes, digit = hand
    open_chapter(page, "logistic_regression", "4. Logistic regression")
    page.get_by_role("button", name="Train", exact=True).click()
    model_button = page.get_by_role("button", name="Download the model (.npz)")
    model_button.wait_for(timeout=120_000)
    with page.expect_download() as download:
        model_button.click()
    saved = open(download.value.path(), "rb").read()
    assert export.load_model(saved).digits == (0, 1)

    page.locator('[data-testid="stSidebarNavLink"]', has_text="Your own hand").click()
    page.get_by_role("heading", name="7b. Your own hand").wait_for()
    wait_until_idle(page)
    uploader(page, "A photo of one hand").set_input_files(
        files=[{"name": "hand.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes}]
    )
    answer = page.get_by_text(f"Logistic regression (from scratch) says {digit}, with")
    answer.wait_for()
    page.get_by_text("What the models see").first.wait_for()

    page.get_by_text("Bring back a model you saved (.npz)").click()
    uploader(page, "A saved model").set_input_files(
        files=[{"name": "mine.npz", "mimeType": "application/octet-stream", "buffer": saved}]
    )
    page.get_by_text("Uploaded: mine.npz says").wait_for()
    wait_until_idle(page)
    assert exceptions(page) == 0


def test_a_photo_over_the_upload_limit_is_refused_by_the_server(page):
    open_chapter(page, "own_hand", "7b. Your own hand")
    too_large = bytes(photo.MAX_FILE_BYTES + 1)
    uploader(page, "A photo of one hand").set_input_files(
        files=[{"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": too_large}]
    )
    page.get_by_text("huge.jpg").wait_for()  # marked as refused, never sent to the app
    page.wait_for_timeout(2000)
    wait_until_idle(page)
    assert page.get_by_text("plain background").count() == 1  # still waiting for a photo
    assert page.get_by_text("What the models see").count() == 0
    assert exceptions(page) == 0
