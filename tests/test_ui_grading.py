"""The grading app driven from Python, with the real scorer, grader and a real SQLite file."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from empathy_training.models import Library
from empathy_training.passcode import set_passcode
from empathy_training.scoring import score_response
from empathy_training.storage import Store
from empathy_training.ui.gate import MAX_PASSCODE_TRIES
from empathy_training.ui.grading import (
    CLIENT_LABEL_CHARS,
    MAX_UPLOAD_ROWS,
    NO_VIGNETTE,
    PAGE_SIZE,
    UPLOAD_PREFIX,
    GradingApp,
    grading_app,
)

DATA = Path(__file__).parent / "data" / "grading-ui"
PASSCODE = "tea-and-biscuits"
XSS = "<script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'grading.db'}") as store:
        set_passcode(store, PASSCODE)
        yield store


def unlocked(store: Store, library: Library, **kwargs: object) -> GradingApp:
    app = GradingApp(store, library, **kwargs)  # type: ignore[arg-type]
    app.passcode_box.value = PASSCODE
    app.unlock_button.click()
    assert app.unlocked, app.status.value
    return app


def upload(app: GradingApp, name: str, content: bytes) -> None:
    """What the browser does when a file is chosen in the upload button."""
    app.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2024, 5, 1),
        },
    )


def scored(app: GradingApp, name: str, content: bytes) -> None:
    upload(app, name, content)
    assert not app.score_button.disabled, app.load_message.value
    app.score_button.click()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def link(html: str, suffix: str) -> bytes:
    match = re.search(
        rf"download='[^']*{re.escape(suffix)}' href='data:[^;]+;base64,([^']+)'", html
    )
    assert match, f"no {suffix} link in {html[:300]}"
    return base64.b64decode(match.group(1))


# --- the gate ----------------------------------------------------------------------------


def test_locked_without_a_passcode(tmp_path: Path, library: Library) -> None:
    with Store(f"sqlite:///{tmp_path / 'none.db'}") as bare:
        app = GradingApp(bare, library)
        assert "no supervisor passcode was set" in app.status.value
        assert app.main.children == () and app.gate.layout.display == "none"
        assert not app.unlock("anything")
        assert not app.unlocked and app.main.children == ()


def test_wrong_passcodes_keep_it_shut(store: Store, library: Library) -> None:
    app = GradingApp(store, library)
    app.passcode_box.value = "wrong"
    app.unlock_button.click()
    assert "not the supervisor passcode" in app.status.value and app.main.children == ()
    assert app.passcode_box.value == ""  # not left in the page
    for _ in range(MAX_PASSCODE_TRIES):
        app.unlock("wrong")
    assert app.unlock_button.disabled
    assert not app.unlock(PASSCODE) and "Too many" in app.status.value
    with pytest.raises(PermissionError):
        app.read_upload("x.csv", b"response,client_statement\nhi,there\n")


# --- loading and scoring -----------------------------------------------------------------


def test_upload_scores_rows_into_the_table_and_the_store(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    upload(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    assert "Read 6 responses from week 1.csv" in app.load_message.value
    assert app.upload.value == ()  # the bytes are not kept in the page
    app.score_button.click()
    assert "Scored 5 of 6 responses" in app.load_message.value, list(app.table["error"])
    assert "1 row could not be scored" in app.load_message.value
    assert app.progress.value == app.progress.max and app.progress.bar_style == "success"
    html = app.table_html.value
    assert "6 of 6 rows" in app.page_label.value
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


def test_rows_without_trainee_column_are_named_by_row(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "pre.csv", b"client_statement,response\nI am tired.,You sound exhausted.\n")
    (workshop,) = store.workshops()
    assert [t.display_name for t in store.trainees(workshop.id)] == ["row 1"]
    assert store.attempts()[0].vignette_id == NO_VIGNETTE


def test_rows_name_what_they_respond_to(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    statement = "My knee hurts so much that I can't get to the allotment any more, " * 2
    csv = f'client_statement,response\n"{statement} {XSS}",You miss the allotment.\n'
    scored(app, "knees.csv", csv.encode())
    table = text_of(app.table_html.value)
    start = statement[: CLIENT_LABEL_CHARS - 1].replace("'", "&#x27;")
    assert f"\u201c{start}\u2026\u201d" in table
    assert NO_VIGNETTE not in table and "<script" not in app.table_html.value
    assert app.workshop_picker.value == store.workshops()[0].id
    app.select(0)
    assert "The trainee&#x27;s response, with the words" in app.row_card.value
    assert "Your response" not in app.row_card.value


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
    shown = app.load_message.value
    assert "could not be read" in shown and expected in shown, shown
    assert name in shown and "uploaded-file" not in shown  # the user's file name, not a temp path
    assert app.score_button.disabled and store.workshops() == []


def test_too_many_rows_are_refused_with_a_clear_message(store: Store, library: Library) -> None:
    rows = 50_000
    content = ("client_statement,response\n" + "I feel low.,You feel low.\n" * rows).encode()
    app = unlocked(store, library)
    upload(app, "big.csv", content)
    shown = app.load_message.value
    assert f"more than {MAX_UPLOAD_ROWS:,} responses" in shown
    assert "empathy-training grade" in shown
    assert app.score_button.disabled and store.workshops() == []


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
    shown = app.load_message.value
    assert "Read 3 responses" in shown
    assert "1 merged range (B3:B4)" in shown and "first cell only" in shown
    assert "2 sheets; only the first" in shown
    app.score_button.click()
    assert "Scored 3 of 3" in app.load_message.value  # the emptied statement scores generically


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
    shown = app.load_message.value
    assert "1 cell holds a formula (first: B2 =1+1)" in shown and "not run" in shown
    app.score_button.click()
    assert "Scored 1 of 2" in app.load_message.value
    assert "Not scored: empty response" in app.table_html.value
    assert "=1+1" not in app.table_html.value


# --- the review table --------------------------------------------------------------------


def many_rows(count: int) -> bytes:
    lines = ["trainee,client_statement,response"]
    for i in range(count):
        text = "Don't worry, it will be fine." if i % 3 == 0 else f"You feel stuck, {i} times over."
        lines.append(f'T{i},I feel stuck.,"{text}"')
    return ("\n".join(lines) + "\n").encode()


def test_paging_filtering_and_sorting(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "many.csv", many_rows(PAGE_SIZE * 2 + 10))
    assert "page 1 of 3" in app.page_label.value and app.prev_button.disabled
    assert len(app.row_picker.options) == PAGE_SIZE
    app.next_button.click()
    app.next_button.click()
    assert "page 3 of 3" in app.page_label.value and app.next_button.disabled
    assert len(app.row_picker.options) == 10
    app.roadblock_filter.value = "reassuring"
    reassured = len(app.view)
    assert reassured == 37 and "page 1 of 1" in app.page_label.value
    app.roadblock_filter.value = ""
    app.level_filter.value = 1
    assert all(app.table.iloc[p]["hrq_level"] == 1 for p in app.view)
    app.level_filter.value = 0
    app.sort_picker.value = "-level"
    levels = [int(app.table.iloc[p]["hrq_level"]) for p in app.view]
    assert levels == sorted(levels, reverse=True)
    app.error_filter.value = "error"
    assert app.view == [] and "No rows match" in app.table_html.value


# --- rating ------------------------------------------------------------------------------


def test_rate_a_response_and_find_it_in_the_store(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Dr Lee")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.row_picker.value = 0
    assert "Row 1" in app.row_card.value and "Level 1 of 5" in app.row_card.value
    app.level_buttons.value = 2
    app.roadblocks_box.value = ("reassuring",)
    app.comment_box.value = f"Hold the reassurance {XSS}"
    (rating,) = store.ratings()
    assert rating.rater == "Dr Lee" and rating.hrq_level == 2
    assert rating.roadblocks == ("reassuring",)
    assert rating.comment == f"Hold the reassurance {XSS}"  # autosaved as typed
    assert rating.rubric_version.startswith("reflection ")
    assert "Saved as Dr Lee" in app.save_status.value
    assert "<script" not in app.table_html.value + app.row_card.value
    # reopening the page finds the rating again
    again = unlocked(store, library, rater_name="Dr Lee")
    again.open_workshop(store.workshops()[0].id)
    again.select(0)
    assert again.level_buttons.value == 2 and again.comment_box.value.startswith("Hold")


def test_comment_bank_adds_to_the_comment(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(2)
    app.level_buttons.value = 3
    bank = [value for _, value in app.bank_picker.options if value]
    assert bank == list(app.comment_bank.for_level(3))
    app.bank_picker.value = bank[0]
    assert app.comment_box.value == bank[0] and app.bank_picker.value == ""
    app.roadblocks_box.value = ("advising",)
    advice = app.comment_bank.by_roadblock["advising"]
    assert advice in [value for _, value in app.bank_picker.options]
    app.bank_picker.value = advice
    assert app.comment_box.value == f"{bank[0]} {advice}"
    assert store.ratings()[0].comment == f"{bank[0]} {advice}"


def test_nothing_typed_is_lost_before_a_rater_name(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(1)
    assert "Type your name as rater" in app.save_status.value
    assert app.level_buttons.disabled and app.comment_box.disabled  # no rating without a name
    # Whatever reaches the controls before a name is given is kept, and saved with the name.
    app.level_buttons.value = 4
    app.comment_box.value = "Lovely"
    assert "Type your name as rater" in app.save_status.value and store.ratings() == []
    app.blind_box.value = True  # redrawing the panel keeps the unsaved input
    assert app.comment_box.value == "Lovely"
    app.rater_box.value = "Ana"
    (rating,) = store.ratings()
    assert (rating.rater, rating.hrq_level, rating.comment) == ("Ana", 4, "Lovely")
    assert not app.level_buttons.disabled


def test_changing_rater_shows_that_raters_own_rating(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(1)
    app.level_buttons.value = 4
    app.rater_box.value = "Ben"
    assert app.level_buttons.value == 0 and app.comment_box.value == ""
    assert [r.rater for r in store.ratings()] == ["Ana"]  # Ana's level was not copied to Ben
    app.rater_box.value = "Ana"
    assert app.level_buttons.value == 4


def test_unscored_rows_cannot_be_rated(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(5)
    assert "Not scored" in app.row_card.value and app.level_buttons.disabled
    app.save_button.click()
    assert "cannot be rated" in app.save_status.value and store.ratings() == []


def test_second_rater_blind_then_disagreements_and_agreement(
    store: Store, library: Library
) -> None:
    first = unlocked(store, library, rater_name="Ana")
    scored(first, "week 1.csv", (DATA / "responses.csv").read_bytes())
    for position, level in zip(range(5), (1, 3, 3, 1, 5), strict=True):
        first.select(position)
        first.level_buttons.value = level
    first.comment_box.value = "Ana's private comment"

    second = unlocked(store, library, rater_name="Ben", blind=True)
    second.workshop_picker.value = store.workshops()[0].id
    second.open_button.click()
    assert "Opened" in second.load_message.value
    second.select(4)
    assert second.level_buttons.value == 0  # Ben starts from nothing
    assert "Ana" not in second.table_html.value + second.others.value + second.row_card.value
    assert "hidden" in second.others.value
    assert "hidden" in second.disagreements.value and second.agreement.value == ""
    for position, level in zip(range(5), (2, 3, 3, 1, 2), strict=True):
        second.select(position)
        second.level_buttons.value = level
    downloads = second.prepare_downloads()
    csv = next(v for k, v in downloads.items() if k.endswith(".csv")).decode("utf-8-sig")
    assert "Ben (level)" in csv and "Ana" not in csv  # blind downloads hold only Ben's own

    second.blind_box.value = False
    second.select(4)
    assert "Ana" in second.others.value and "Ana&#x27;s private comment" in second.others.value
    disagreements = text_of(second.disagreements.value)
    assert "2 rows to discuss" in disagreements
    assert "Ana 1 vs Ben 2" in disagreements  # raters one level apart
    assert "Ana 5 vs Ben 2; Ben 2 vs automatic 5" in disagreements  # and the scorer 3 apart
    rows = second.disagreement_rows()
    assert list(rows["row"]) == [1, 5]
    agreement = text_of(second.agreement.value)
    assert "automatic &amp; Ana" in agreement or "automatic & Ana" in agreement
    assert "Ana & Ben" in agreement.replace("&amp;", "&")


def test_downloads_hold_results_ratings_and_reports(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(0)
    app.level_buttons.value = 2
    app.comment_box.value = '=HYPERLINK("x") Try a reflection first.'
    app.downloads_button.click()
    html = app.downloads.value
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
    with zipfile.ZipFile(io.BytesIO(link(html, ".zip"))) as archive:
        names = sorted(archive.namelist())
        assert names == ["Jo-script-alert-1-script.html", "Priya-Nair.html", "Sam-Okafor.html"]
        sam = archive.read("Sam-Okafor.html").decode()
    assert "Level 1 of 5" in sam and "Ana, rater" in sam and "Try a reflection first." in sam
    assert "<mark class='et-rb'>Don&#x27;t worry</mark>" in sam and "<script" not in sam


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
    app.open_workshop(workshop.id)
    assert "Opened Ward 4: 2 responses" in app.load_message.value
    assert "Kim" in app.table_html.value
    app.select(1)
    app.level_buttons.value = 3
    assert store.ratings()[0].attempt_id == store.attempts(workshop_id=workshop.id)[1].id
    assert app.prepare_downloads()


def test_pre_post_between_two_uploads(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "pre.csv", (DATA / "pre.csv").read_bytes())
    scored(app, "post.csv", (DATA / "post.csv").read_bytes())
    pre, post = (w.id for w in store.workshops())
    app.tabs.selected_index = 3
    app.pre_picker.value = pre
    app.post_picker.value = post
    app.compare_button.click()
    result = app.last_prepost
    assert result is not None and result.n_paired == 3  # Ana (as 'ana'), Ben, Cy
    assert result.unmatched_pre == ("Di",) and result.unmatched_post == ("Ed",)
    assert result.mean_change > 0
    assert "3 trainees on both occasions" in app.prepost_summary.value
    assert "Only before: Di" in app.prepost_summary.value
    assert bytes(app.prepost_chart.value).startswith(PNG)
    assert "<td>Ana</td>" in app.prepost_table.value
    app.pre_picker.value = post
    app.compare_button.click()
    assert "two different occasions" in app.prepost_summary.value


def test_pre_post_between_workshops_counts_the_last_answer(store: Store, library: Library) -> None:
    vignette = library.vignettes[0]
    occasions = []
    answers = {
        "before": [("Sam", "Don't worry about it."), ("Kim", "Read the leaflet.")],
        "after": [
            ("Sam", "Don't worry about it."),
            ("Sam", "You're confused because each inhaler works differently."),  # a retry
            ("Kim", "You're confused because each inhaler works differently."),
        ],
    }
    for name, rows in answers.items():
        workshop = store.create_workshop(name, [vignette.id])
        for trainee, text in rows:
            store.record_attempt(
                store.trainee(trainee, workshop.id).id,
                vignette_id=vignette.id,
                module_id=vignette.module_id,
                response=text,
                assessment=score_response(text, vignette=vignette),
                workshop_id=workshop.id,
            )
        occasions.append(workshop.id)
    app = unlocked(store, library)
    result = app.compare(*occasions)
    table = result.per_trainee.set_index("trainee")
    assert table.loc["Sam", "n_post"] == 1  # the retry replaced the first answer
    assert table.loc["Sam", "post"] == table.loc["Kim", "post"] >= 3


def test_grading_app_factory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'factory.db'}"
    app = grading_app(url)
    assert isinstance(app, GradingApp) and "no supervisor passcode" in app.status.value
    app.store.close()


def test_whole_numbers_are_written_as_whole_numbers(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.select(0)
    app.level_buttons.value = 3
    # The same rows reopened from the store, where levels came back as 3.0.
    again = unlocked(store, library, rater_name="Ana")
    again.open_workshop(store.workshops()[0].id)
    files = again.prepare_downloads()
    csv = next(v for k, v in files.items() if k.endswith(".csv"))
    cells = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("hrq_level", "validation_level", "epitome_er", "attempt_id", "Ana (level)"):
        assert all(c == "" or c.isdigit() for c in cells[column]), (column, list(cells[column]))
    assert cells.loc[5, "hrq_level"] == "" and cells.loc[5, "attempt_id"] == ""  # not scored
    assert list(cells["Ana (level)"]) == ["3", "", "", "", "", ""]
