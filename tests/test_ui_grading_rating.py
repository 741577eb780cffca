"""The grading app's rating panel: levels, roadblocks, comments, the comment bank, blind mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.models import Library
from empathy_training.storage import Store

from grading_ui import DATA, XSS, grading_store, scored, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def test_rate_a_response_and_find_it_in_the_store(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Dr Lee")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    app.table.row_picker.value = 0
    panel = app.rating
    assert "Row 1" in panel.row_card.value and "Level 1 of 5" in panel.row_card.value
    panel.level_buttons.value = 2
    panel.roadblocks_box.value = ("reassuring",)
    panel.comment_box.value = f"Hold the reassurance {XSS}"
    (rating,) = store.ratings()
    assert rating.rater == "Dr Lee" and rating.hrq_level == 2
    assert rating.roadblocks == ("reassuring",)
    assert rating.comment == f"Hold the reassurance {XSS}"  # autosaved as typed
    assert rating.rubric_version.startswith("reflection ")
    assert "Saved as Dr Lee" in panel.save_status.value
    assert "<script" not in app.table.table_html.value + panel.row_card.value
    # reopening the page finds the rating again
    again = unlocked(store, library, rater_name="Dr Lee")
    again.loader.open_workshop(store.workshops()[0].id)
    again.select(0)
    assert again.rating.level_buttons.value == 2
    assert again.rating.comment_box.value.startswith("Hold")


def test_comment_bank_adds_to_the_comment(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    panel = app.rating
    app.select(2)
    panel.level_buttons.value = 3
    bank = [value for _, value in panel.bank_picker.options if value]
    assert bank == list(panel.comment_bank.for_level(3))
    panel.bank_picker.value = bank[0]
    assert panel.comment_box.value == bank[0] and panel.bank_picker.value == ""
    panel.roadblocks_box.value = ("advising",)
    advice = panel.comment_bank.by_roadblock["advising"]
    assert advice in [value for _, value in panel.bank_picker.options]
    panel.bank_picker.value = advice
    assert panel.comment_box.value == f"{bank[0]} {advice}"
    assert store.ratings()[0].comment == f"{bank[0]} {advice}"


def test_nothing_typed_is_lost_before_a_rater_name(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    panel = app.rating
    app.select(1)
    assert "Type your name as rater" in panel.save_status.value
    assert panel.level_buttons.disabled and panel.comment_box.disabled  # no rating without a name
    # Whatever reaches the controls before a name is given is kept, and saved with the name.
    panel.level_buttons.value = 4
    panel.comment_box.value = "Lovely"
    assert "Type your name as rater" in panel.save_status.value and store.ratings() == []
    panel.blind_box.value = True  # redrawing the panel keeps the unsaved input
    assert panel.comment_box.value == "Lovely"
    panel.rater_box.value = "Ana"
    (rating,) = store.ratings()
    assert (rating.rater, rating.hrq_level, rating.comment) == ("Ana", 4, "Lovely")
    assert not panel.level_buttons.disabled


def test_changing_rater_shows_that_raters_own_rating(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    panel = app.rating
    app.select(1)
    panel.level_buttons.value = 4
    panel.rater_box.value = "Ben"
    assert panel.level_buttons.value == 0 and panel.comment_box.value == ""
    assert [r.rater for r in store.ratings()] == ["Ana"]  # Ana's level was not copied to Ben
    panel.rater_box.value = "Ana"
    assert panel.level_buttons.value == 4


def test_unscored_rows_cannot_be_rated(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    panel = app.rating
    app.select(5)
    assert "Not scored" in panel.row_card.value and panel.level_buttons.disabled
    panel.save_button.click()
    assert "cannot be rated" in panel.save_status.value and store.ratings() == []
