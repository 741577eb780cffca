"""The grading app's downloads: results as CSV and Excel, feedback reports, links as buttons."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.storage import Store

from grading_ui import DATA, grading_store, link, rate, scored, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def test_downloads_hold_results_ratings_and_reports(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    rate(app, 0, 2)
    app.rating.comment_box.value = '=HYPERLINK("x") Try a reflection first.'
    app.downloads.downloads_button.click()
    html = app.downloads.downloads.value
    results = pd.read_csv(
        io.BytesIO(link(html, "results-" + datetime.now().strftime("%Y-%m-%d") + ".csv"))
    )
    assert len(results) == 6
    assert {"trainee", "response", "hrq_level", "error", "attempt_id"} <= set(results.columns)
    assert {"Ana (level)", "Ana (roadblocks)", "Ana (comment)"} <= set(results.columns)
    assert results.loc[0, "Ana (level)"] == 2
    assert results.loc[0, "Ana (comment)"].startswith("'=HYPERLINK")  # never a formula
    workbook = load_workbook(io.BytesIO(link(html, ".xlsx")))
    sheet = workbook.active
    assert sheet is not None and sheet.max_row == 7
    header = [c.value for c in sheet[1]]
    comment = sheet.cell(row=2, column=header.index("Ana (comment)") + 1)
    assert comment.data_type == "s"
    level = sheet.cell(row=2, column=header.index("hrq_level") + 1)
    assert level.value == 1 and isinstance(level.value, int)
    with zipfile.ZipFile(io.BytesIO(link(html, ".zip"))) as archive:
        names = sorted(archive.namelist())
        assert names == ["Jo-script-alert-1-script.html", "Priya-Nair.html", "Sam-Okafor.html"]
        sam = archive.read("Sam-Okafor.html").decode()
    assert "Level 1 of 5" in sam and "Ana, rater" in sam and "Try a reflection first." in sam
    assert "<mark class='et-rb'>Don&#x27;t worry</mark>" in sam and "<script" not in sam


def whole_number_cells(csv: bytes) -> dict[str, list[str]]:
    table = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = ["hrq_level", "validation_level", "epitome_er", "attempt_id", "Ana (level)"]
    return {c: list(table[c]) for c in columns}


def test_whole_numbers_are_written_as_whole_numbers(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    rate(app, 0, 3)
    fresh = whole_number_cells(app.downloads.prepare()[next(iter(app.downloads.prepare()))])
    # The same rows reopened from the store (where levels once came back as 3.0).
    again = unlocked(store, library, rater_name="Ana")
    again.loader.open_workshop(store.workshops()[0].id)
    files = again.downloads.prepare()
    reopened = whole_number_cells(next(v for k, v in files.items() if k.endswith(".csv")))
    assert reopened == fresh
    for column, cells in reopened.items():
        assert all(cell == "" or cell.isdigit() for cell in cells), (column, cells)
    assert reopened["hrq_level"][5] == "" and reopened["attempt_id"][5] == ""  # not scored
    assert reopened["Ana (level)"] == ["3", "", "", "", "", ""]


def test_a_workshop_can_be_graded_too(store: Store, library: Library) -> None:
    vignette = library.vignettes[0]
    workshop = store.create_workshop("Ward 4", [vignette.id])
    for name, text in (("Sam", "Don't worry about it."), ("Kim", "You're confused by them.")):
        trainee = store.trainee(name, workshop.id)
        store.record_attempt(
            trainee.id,
            vignette_id=vignette.id,
            module_id=vignette.module_id,
            response=text,
            assessment=score_response(text, vignette=vignette),
            workshop_id=workshop.id,
        )
    app = unlocked(store, library, rater_name="Ana")
    app.loader.open_workshop(workshop.id)
    assert "Opened Ward 4: 2 responses" in app.loader.load_message.value
    assert "Kim" in app.table.table_html.value
    rate(app, 1, 3)
    assert store.ratings()[0].attempt_id == store.attempts(workshop_id=workshop.id)[1].id
    files = app.downloads.prepare()
    csv = next(v for k, v in files.items() if k.startswith("ward-4-results-"))
    assert whole_number_cells(csv)["Ana (level)"] == ["", "3"]


def test_download_links_are_styled_as_buttons(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    app.downloads.downloads_button.click()
    assert "Load and score some responses first" in app.downloads.downloads.value
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.downloads.downloads_button.click()
    html = app.downloads.downloads.value
    assert html.count("<a class='et-download' download=") == 3
    for what in ("results (CSV)", "results (Excel)", "feedback reports (zip)"):
        assert f">Download {what}</a>" in html  # what it is; the file name beside it
    assert "week-1-results-" in html
    assert "<ul class='et-downloads'>" in html and "a.et-download{" in app.widget.children[0].value
