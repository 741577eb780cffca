"""The grading app in Voila and a real headless Chromium, as a grader uses it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from empathy_training.storage import Store

from browser import chromium, chromium_available, screenshot, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

PASSCODE = "grading-passcode-7"
XSS = "<img src=x onerror=alert(1)>"
RATER = "Dr Lee"
COMMENT = "Good reflection of the feeling; try a shorter summary next time."
STATEMENT = "My knee hurts so much that I can't get to the allotment any more."
ROWS = [
    ("Ana", STATEMENT, "You're fed up that your knee keeps you from the allotment you love."),
    ("Ben", STATEMENT, f"You should just rest it more. {XSS}"),
    ("Cleo", STATEMENT, ""),
    ("Dev", STATEMENT, "Missing the allotment sounds really hard for you."),
]


def write_upload(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trainee", "client_statement", "response"])
        writer.writerows(ROWS)
    return path


def upload_file(page: Any, path: Path) -> None:
    """Choose a file in the upload button, as a grader does."""
    with page.expect_file_chooser(timeout=60_000) as chosen:
        page.locator(".widget-upload").click()
    chosen.value.set_files(str(path))


def uploads_listed(page: Any, name: str) -> list[str]:
    """The stored uploads of this file name offered under Or open."""
    options = page.get_by_label("Or open").locator("option")
    options.first.wait_for(state="attached", timeout=60_000)
    labels = options.all_inner_texts()
    return [o for o in labels if f"Graded upload: {name}" in o.replace("\xa0", " ")]


def test_grader_scores_an_upload_rates_a_row_and_downloads_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'grading.db'}"
    upload = write_upload(tmp_path / "ward-4-test.csv")
    with served(db, "--passcode", PASSCODE) as base, chromium() as browser:
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, accept_downloads=True
        )
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}grading")

        # The gate: nothing of the app exists until the passcode checks.
        # The kernel's first start on a busy machine has taken over a minute.
        page.get_by_label("Supervisor passcode").fill(PASSCODE, timeout=120_000)
        page.get_by_role("button", name="Unlock").click()
        page.get_by_text("Unlocked.").wait_for(timeout=60_000)

        # Upload through the FileUpload widget, then score.
        button = page.get_by_role("button", name="Upload CSV or XLSX")
        assert button.inner_text().strip() == "Upload CSV or XLSX (0)"
        upload_file(page, upload)
        page.get_by_text("Read 4 responses from ward-4-test.csv").wait_for(timeout=30_000)
        assert button.inner_text().strip() == "Upload CSV or XLSX (1)"  # the file it holds
        page.get_by_role("button", name="Score all").click()
        page.get_by_text("Scored 3 of 4 responses from ward-4-test.csv").wait_for(timeout=60_000)
        assert len(uploads_listed(page, "ward-4-test.csv")) == 1
        assert button.inner_text().strip() == "Upload CSV or XLSX (1)"

        # The same file again (a grader unsure it went in): it replaces, not duplicates.
        upload_file(page, upload)
        page.get_by_text("Scoring it replaces the earlier upload of ward-4-test.csv").wait_for(
            timeout=30_000
        )
        page.get_by_role("button", name="Score all").click()
        page.get_by_text("It replaces the earlier upload of that name").wait_for(timeout=60_000)
        assert len(uploads_listed(page, "ward-4-test.csv")) == 1
        assert button.inner_text().strip() == "Upload CSV or XLSX (1)"

        table = page.locator("table.et-grades").first
        table.wait_for(timeout=60_000)
        rows = table.locator("tr")
        assert rows.count() == 1 + len(ROWS)
        for name, _, _ in ROWS:
            assert table.get_by_role("cell", name=name, exact=True).count() == 1
        ben = rows.filter(has_text="Ben")
        assert XSS in ben.inner_text()  # shown as text, not as an element
        cleo = rows.filter(has_text="Cleo")
        assert "Not scored: empty response" in cleo.inner_text()
        for name in ("Ana", "Ben", "Dev"):
            assert rows.filter(has_text=name).locator(".et-level").count() == 1
        assert page.locator("img[src='x']").count() == 0
        screenshot(page, "grading-1-table", table)

        # Rate Ana's response: rater name, a level and a comment, saved as typed.
        page.get_by_label("Your name (rater)").fill(RATER)
        page.get_by_label("Your name (rater)").press("Enter")
        picker = page.get_by_label("Rate row")
        ana_label = next(o for o in picker.locator("option").all_inner_texts() if "Ana" in o)
        picker.select_option(label=ana_label)
        page.get_by_role("heading", name="Row 1").wait_for(timeout=60_000)
        page.get_by_role("button", name="4", exact=True).click()
        page.get_by_text(f"Saved as {RATER}").wait_for(timeout=60_000)
        page.get_by_label("Comment", exact=True).fill(COMMENT)
        page.get_by_label("Comment", exact=True).blur()
        table.get_by_role("columnheader", name=RATER).wait_for(timeout=60_000)
        panel = page.locator(".widget-hbox").filter(has=page.get_by_role("heading", name="Row 1"))
        screenshot(page, "grading-2-rating", panel.last)
        page.locator(".widget-tab").first.evaluate("tabs => tabs.scrollIntoView()")
        screenshot(page, "grading-1280")

        # The table gains the rater's column, showing the level given.
        ana = rows.filter(has_text="Ana")
        assert ana.locator(".et-level").last.inner_text() == "4"
        assert ana.locator(".et-level").count() == 2  # the automatic level and the rater's

        # The comment reaches the store as typed.
        store = Store(db)
        try:
            ratings = store.ratings()
            for _ in range(300):
                if ratings and ratings[0].comment == COMMENT:
                    break
                page.wait_for_timeout(100)
                ratings = store.ratings()
        finally:
            store.close()
        (rating,) = ratings
        assert (rating.rater, rating.hrq_level, rating.comment) == (RATER, 4, COMMENT)

        # Download the results CSV, from a link that looks like a button.
        page.get_by_role("tab", name="Downloads").click()
        page.get_by_role("button", name="Prepare downloads").click()
        link = page.get_by_role("link", name="Download results (CSV)")
        link.wait_for(timeout=60_000)
        assert page.get_by_role("link", name="Download results (Excel)").count() == 1
        assert page.get_by_role("link", name="Download feedback reports (zip)").count() == 1
        look = link.evaluate(
            "a => { const s = getComputedStyle(a); "
            "return [s.color, s.backgroundColor, s.cursor, s.paddingLeft, s.borderRadius] }"
        )
        assert look[0] == "rgb(255, 255, 255)" and look[1] not in ("", "rgba(0, 0, 0, 0)"), look
        assert look[2:] == ["pointer", "14px", "4px"], look  # a button's padding and corners
        screenshot(page, "grading-3-downloads", page.locator("ul.et-downloads"))
        with page.expect_download(timeout=30_000) as downloading:
            link.click()
        saved = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(saved)
        assert saved.name.startswith("ward-4-test-results-")
        results = pd.read_csv(saved, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        level_column = f"{RATER} (level)"
        assert level_column in results.columns
        by_trainee = results.set_index("trainee")
        assert by_trainee.loc["Ana", level_column] == "4"
        assert by_trainee.loc["Ana", f"{RATER} (comment)"] == COMMENT
        assert by_trainee.loc["Ben", level_column] == ""
        assert by_trainee.loc["Ben", "response"] == ROWS[1][2]
        assert by_trainee.loc["Cleo", "error"] == "empty response"

        assert page.locator("img[src='x']").count() == 0
        assert dialogs == []

        # On a phone: the stored upload opens, and each row reads as a card.
        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.goto(f"{base}grading")
        phone.get_by_label("Supervisor passcode").fill(PASSCODE, timeout=120_000)
        unlock = phone.get_by_role("button", name="Unlock").bounding_box()
        assert unlock is not None and unlock["x"] + unlock["width"] <= 390  # not cut off
        phone.get_by_role("button", name="Unlock").click()
        phone.get_by_text("Unlocked.").wait_for(timeout=60_000)
        (listed,) = uploads_listed(phone, "ward-4-test.csv")
        phone.get_by_label("Or open").select_option(label=listed)
        phone.get_by_role("button", name="Open").click()
        phone.get_by_text("Opened Graded upload: ward-4-test.csv: 4 responses").wait_for(
            timeout=30_000
        )
        phone.get_by_label("Your name (rater)").fill(RATER)
        phone.get_by_label("Your name (rater)").press("Enter")
        cards = phone.locator("table.et-grades").first
        cards.locator("td[data-label='Trainee']").first.wait_for(timeout=60_000)
        assert cards.locator("tr.et-head").is_hidden()  # each cell names itself instead
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        phone.locator(".widget-tab").first.evaluate("tabs => tabs.scrollIntoView()")
        screenshot(phone, "grading-390")
