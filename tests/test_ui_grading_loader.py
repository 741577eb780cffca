"""Loading responses in the grading app: upload, score, store, upload again, open."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from empathy_training.batches import NO_VIGNETTE, UPLOAD_PREFIX
from empathy_training.models import Library
from empathy_training.storage import Store
from empathy_training.uploads import MAX_UPLOAD_ROWS

from grading_ui import DATA, XSS, grading_store, rate, scored, unlocked, upload


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def held_files(app: object) -> list[tuple[str, bytes]]:
    """What the upload button holds (its count is what the button shows: "(1)")."""
    return [(f["name"], bytes(f["content"])) for f in app.loader.upload.value]  # type: ignore[attr-defined]


def test_upload_scores_rows_into_the_table_and_the_store(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    upload(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    loader = app.loader
    assert "Read 6 responses from week 1.csv" in loader.load_message.value
    assert held_files(app) == [("week 1.csv", b"")]  # one file, its bytes not kept in the page
    loader.score_button.click()
    assert "Scored 5 of 6 responses" in loader.load_message.value, list(app.state.table["error"])
    assert "1 row could not be scored" in loader.load_message.value
    assert loader.progress.value == loader.progress.max and loader.progress.bar_style == "success"
    html = app.table.table_html.value
    assert "6 of 6 rows" in app.table.page_label.value
    assert "Sam Okafor" in html and "The third inhaler this year" in html
    assert "<mark class='et-rb'>Don&#x27;t worry</mark>" in html  # evidence in the table
    assert "Not scored: empty response" in html
    assert "<script" not in html and "Jo &lt;script&gt;" in html
    # stored as a closed workshop named after the file, with trainees from the trainee column
    (workshop,) = store.workshops()
    assert workshop.name == f"{UPLOAD_PREFIX}week 1.csv" and workshop.closed
    assert {t.display_name for t in store.trainees(workshop.id)} == {
        "Sam Okafor",
        "Priya Nair",
        f"Jo {XSS}",
    }
    attempts = store.attempts(workshop_id=workshop.id)
    assert len(attempts) == 5 and attempts[0].assessment.hrq_level == 1
    assert attempts[0].vignette_id == "rlb-three-inhalers"
    assert loader.workshop_picker.value == workshop.id  # says what is open


def test_rows_without_trainee_column_are_named_by_row(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "pre.csv", b"client_statement,response\nI am tired.,You sound exhausted.\n")
    (workshop,) = store.workshops()
    assert [t.display_name for t in store.trainees(workshop.id)] == ["row 1"]
    assert store.attempts()[0].vignette_id == NO_VIGNETTE


def test_the_upload_button_and_progress_start_afresh_for_each_file(
    store: Store, library: Library
) -> None:
    app = unlocked(store, library)
    loader = app.loader
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    assert held_files(app) == [("week 1.csv", b"")]  # still "(1)": the file scored
    assert loader.progress.bar_style == "success" and loader.score_button.disabled

    upload(app, "week 2.csv", b"client_statement,response\nI am tired.,You sound tired.\n")
    assert held_files(app) == [("week 2.csv", b"")]
    assert (loader.progress.value, loader.progress.bar_style, loader.progress_label.value) == (
        0,
        "",
        "",
    )  # nothing of week 1's scoring is left showing
    assert not loader.score_button.disabled
    assert "Read 1 response from week 2.csv" in loader.load_message.value

    upload(app, "broken.csv", b"trainee,answer\nSam,hello\n")
    assert held_files(app) == []  # "(0)": the refused file is not held
    assert loader.score_button.disabled and "could not be read" in loader.load_message.value
    loader.score_pending()
    assert "Upload a CSV or Excel file first" in loader.load_message.value
    assert len(store.workshops()) == 1


def test_uploading_a_file_again_replaces_it_and_keeps_the_ratings_of_unchanged_rows(
    store: Store, library: Library
) -> None:
    first = (DATA / "responses.csv").read_bytes()
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", first)
    rate(app, 0, 2)
    rate(app, 1, 4)
    (workshop,) = store.workshops()
    before = {a.id for a in store.attempts(workshop_id=workshop.id)}

    # The same file again: nothing is added, nothing is lost.
    upload(app, "week 1.csv", first)
    assert "replaces the earlier upload of week 1.csv" in app.loader.load_message.value
    app.loader.score_button.click()
    assert "It replaces the earlier upload" in app.loader.load_message.value
    assert [w.id for w in store.workshops()] == [workshop.id]
    assert [label for label, _ in app.loader.workshop_picker.options if "week 1" in label] == [
        label for label, value in app.loader.workshop_picker.options if value == workshop.id
    ]
    assert {a.id for a in store.attempts(workshop_id=workshop.id)} == before
    assert [app.state.given(p)["Ana"].hrq_level for p in (0, 1)] == [2, 4]

    # A corrected file: the changed row is new and unrated; the others keep their ratings.
    changed = first.replace(b"Five nights of shouting", b"Five long nights of shouting")
    upload(app, "week 1.csv", changed)
    app.loader.score_button.click()
    assert len(store.workshops()) == 1 and len(app.state.table) == 6
    assert app.state.given(0)["Ana"].hrq_level == 2
    assert app.state.given(1) == {}
    assert "Five long nights" in app.state.table.loc[1, "response"]
    assert "Ana" in app.table.table_html.value  # Ana's column is still there
    # Reopened later, the upload shows the corrected rows.
    again = unlocked(store, library)
    again.loader.open_workshop(workshop.id)
    assert "Five long nights" in again.state.table.loc[1, "response"]
    assert len(again.state.table) == 6

    # A file of another name is another upload.
    scored(app, "week 2.csv", first)
    assert len(store.workshops()) == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", b"trainee,answer\nSam,hello\n", "no &#x27;response&#x27; column"),
        ("nokey.csv", b"trainee,response\nSam,hello\n", "needs a &#x27;client_statement&#x27;"),
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", b"response,client_statement\n", "header but no responses"),
        ("fake.xlsx", b"this is not a workbook", "not a readable XLSX workbook"),
        ("notes.txt", b"response\nhello\n", "unknown file type"),
        ("latin1.csv", "response,client_statement\ncaf\u00e9,x\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_get_a_clear_message(
    store: Store, library: Library, name: str, content: bytes, expected: str
) -> None:
    app = unlocked(store, library)
    upload(app, name, content)
    shown = app.loader.load_message.value
    assert "could not be read" in shown and expected in shown, shown
    assert name in shown and "uploaded-file" not in shown  # the user's file name, not a temp path
    assert app.loader.score_button.disabled and store.workshops() == []
    assert held_files(app) == []


def test_too_many_rows_are_refused_with_a_clear_message(store: Store, library: Library) -> None:
    rows = 50_000
    content = ("client_statement,response\n" + "I feel low.,You feel low.\n" * rows).encode()
    app = unlocked(store, library)
    upload(app, "big.csv", content)
    shown = app.loader.load_message.value
    assert f"more than {MAX_UPLOAD_ROWS:,} responses" in shown
    assert "empathy-training grade" in shown
    assert app.loader.score_button.disabled and store.workshops() == []


def workbook_bytes(rows: list[list[object]], *, merge: str | None = None, sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    for extra in range(1, sheets):
        book.create_sheet(f"Other {extra}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_merged_cells_are_explained_and_nothing_crashes(store: Store, library: Library) -> None:
    content = workbook_bytes(
        [
            ["trainee", "client_statement", "response"],
            ["Sam", "I can't sleep.", "You can't sleep."],
            ["Kim", "I'm worried.", "You sound worried."],
            ["Kim", None, "It's a lot."],
        ],
        merge="B3:B4",
        sheets=2,
    )
    app = unlocked(store, library)
    upload(app, "merged.xlsx", content)
    shown = app.loader.load_message.value
    assert "Read 3 responses" in shown
    assert "1 merged range (B3:B4)" in shown and "first cell only" in shown
    assert "2 sheets; only the first" in shown
    app.loader.score_button.click()
    assert "Scored 3 of 3" in app.loader.load_message.value  # the emptied statement scores too


def test_formulas_are_not_run(store: Store, library: Library) -> None:
    # openpyxl saves no calculated value, so the formula cell reads as empty: never as "2",
    # never as the formula text.
    content = workbook_bytes(
        [
            ["client_statement", "response"],
            ["I'm tired.", "=1+1"],
            ["I'm tired.", "You sound worn out."],
        ]
    )
    app = unlocked(store, library)
    upload(app, "formulas.xlsx", content)
    shown = app.loader.load_message.value
    assert "1 cell holds a formula (first: B2 =1+1)" in shown and "not run" in shown
    app.loader.score_button.click()
    assert "Scored 1 of 2" in app.loader.load_message.value
    assert "Not scored: empty response" in app.table.table_html.value
    assert "=1+1" not in app.table.table_html.value


def test_open_asks_for_a_choice_and_names_what_it_opened(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    app.loader.open_button.click()
    assert "Choose a workshop or upload first" in app.loader.load_message.value
    workshop = store.create_workshop("Ward 4", [library.vignettes[0].id])
    app.loader.refresh_workshops()
    app.loader.workshop_picker.value = workshop.id
    app.loader.open_button.click()
    assert "Opened Ward 4: 0 responses" in app.loader.load_message.value
