"""The grading app's review table: labels, pages, filters, sort orders and Next unrated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.batches import NO_VIGNETTE
from empathy_training.models import Library
from empathy_training.review import CLIENT_LABEL_CHARS, PAGE_SIZE
from empathy_training.storage import Store

from grading_ui import DATA, XSS, grading_store, rate, scored, text_of, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def many_rows(count: int) -> bytes:
    lines = ["trainee,client_statement,response"]
    for i in range(count):
        text = "Don't worry, it will be fine." if i % 3 == 0 else f"You feel stuck, {i} times over."
        lines.append(f'T{i},I feel stuck.,"{text}"')
    return ("\n".join(lines) + "\n").encode()


def test_rows_name_what_they_respond_to(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    statement = "My knee hurts so much that I can't get to the allotment any more, " * 2
    csv = f'client_statement,response\n"{statement} {XSS}",You miss the allotment.\n'
    scored(app, "knees.csv", csv.encode())
    table = text_of(app.table.table_html.value)
    start = statement[: CLIENT_LABEL_CHARS - 1].replace("'", "&#x27;")
    assert f"\u201c{start}\u2026\u201d" in table
    assert NO_VIGNETTE not in table and "<script" not in app.table.table_html.value
    # On a narrow screen the header row hides and each cell says what it is.
    html = app.table.table_html.value
    assert "<tr class='et-head'>" in html and "data-label='Responds to'>\u201c" in html
    app.select(0)
    assert "The trainee&#x27;s response, with the words" in app.rating.row_card.value
    assert "Your response" not in app.rating.row_card.value


def test_paging_filtering_and_sorting(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "many.csv", many_rows(PAGE_SIZE * 2 + 10))
    table = app.table
    assert "page 1 of 3" in table.page_label.value and table.prev_button.disabled
    assert len(table.row_picker.options) == PAGE_SIZE
    table.next_button.click()
    table.next_button.click()
    assert "page 3 of 3" in table.page_label.value and table.next_button.disabled
    assert len(table.row_picker.options) == 10
    table.roadblock_filter.value = "reassuring"
    assert len(table.view) == 37 and "page 1 of 1" in table.page_label.value
    table.roadblock_filter.value = ""
    table.level_filter.value = 1
    assert all(app.state.table.iloc[p]["hrq_level"] == 1 for p in table.view)
    table.level_filter.value = 0
    table.sort_picker.value = "-level"
    levels = [int(app.state.table.iloc[p]["hrq_level"]) for p in table.view]
    assert levels == sorted(levels, reverse=True)
    table.error_filter.value = "error"
    assert table.view == [] and "No rows match" in table.table_html.value


def test_picking_a_row_opens_it_and_marks_it(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.table.row_picker.value = 2
    assert app.state.selected == 2 and "Row 3" in app.rating.row_card.value
    assert app.table.table_html.value.count("class='et-selected'") == 1
    # A row on another page, chosen from elsewhere, is offered in the picker too.
    app.table.error_filter.value = "error"
    assert app.table.row_picker.value == 2 and 2 not in app.table.view


def test_next_unrated_skips_rated_and_unscored_rows(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    rate(app, 0, 2)
    rate(app, 2, 3)
    app.table.sort_picker.value = "unrated"
    assert app.table.view == [1, 3, 4, 0, 2, 5]  # the unscored row cannot be rated: last
    app.table.sort_picker.value = "row"
    app.select(0)
    app.table.next_unrated_button.click()
    assert app.state.selected == 1
    app.table.next_unrated_button.click()
    assert app.state.selected == 3  # row 3 was rated
    for position in (3, 4, 1):
        rate(app, position, 3)
    app.table.next_unrated_button.click()  # row 6 was not scored: nothing left to rate
    assert "Every row in this view has your rating" in app.table.notice.value
