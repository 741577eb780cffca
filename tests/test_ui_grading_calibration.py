"""The grading app's calibration tab: blind rating, disagreements, agreement, too few to tell."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.agreement import MIN_ITEMS_FOR_KAPPA
from empathy_training.models import Library
from empathy_training.storage import Store

from grading_ui import DATA, grading_store, rate, scored, text_of, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def test_second_rater_blind_then_disagreements_and_agreement(
    store: Store, library: Library
) -> None:
    first = unlocked(store, library, rater_name="Ana")
    scored(first, "week 1.csv", (DATA / "responses.csv").read_bytes())
    for position, level in zip(range(5), (1, 3, 3, 1, 5), strict=True):
        rate(first, position, level)
    first.rating.comment_box.value = "Ana's private comment"

    second = unlocked(store, library, rater_name="Ben", blind=True)
    second.loader.workshop_picker.value = store.workshops()[0].id
    second.loader.open_button.click()
    assert "Opened" in second.loader.load_message.value
    second.select(4)
    panel, calibration = second.rating, second.calibration
    assert panel.level_buttons.value == 0  # Ben starts from nothing
    shown = second.table.table_html.value + panel.others.value + panel.row_card.value
    assert "Ana" not in shown and "hidden" in panel.others.value
    assert "hidden" in calibration.disagreements.value and calibration.agreement.value == ""
    for position, level in zip(range(5), (2, 3, 3, 1, 2), strict=True):
        rate(second, position, level)
    downloads = second.downloads.prepare()
    csv = next(v for k, v in downloads.items() if k.endswith(".csv")).decode("utf-8-sig")
    assert "Ben (level)" in csv and "Ana" not in csv  # blind downloads hold only Ben's own

    panel.blind_box.value = False
    second.select(4)
    assert "Ana" in panel.others.value and "Ana&#x27;s private comment" in panel.others.value
    disagreements = text_of(calibration.disagreements.value)
    assert "2 rows to discuss" in disagreements
    assert "Ana 1 vs Ben 2" in disagreements  # raters one level apart
    assert "Ana 5 vs Ben 2; Ben 2 vs automatic 5" in disagreements  # and the scorer 3 apart
    agreement = text_of(calibration.agreement.value).replace("&amp;", "&")
    assert "automatic & Ana" in agreement and "Ana & Ben" in agreement


def test_kappa_on_too_few_responses_reads_too_few_to_tell(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    rate(app, 0, 2)
    rate(app, 1, 3)
    app.tabs.selected_index = 1
    html = app.calibration.agreement.value
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    assert rows and all("too few to tell" in row for row in rows)
    overall = next(row for row in rows if "all responses" in row)
    assert "data-label='n'>2<" in overall  # the n is shown, the kappa and its interval are not
    assert not re.search(r"\d\.\d\d", html)
    assert f"needs {MIN_ITEMS_FOR_KAPPA} or more" in overall
    # Per vignette: only the vignettes both rated, each too few to tell.
    assert "The third inhaler this year" in html and "Five nights on the ward" in html


def test_kappa_is_shown_once_enough_responses_are_rated(store: Store, library: Library) -> None:
    rows = ["trainee,client_statement,response"] + [
        f"T{i},I feel stuck.,{text}"
        for i, text in enumerate(
            ["You feel stuck.", "Have you tried a walk?", "Don't worry about it."] * 4
        )
    ]
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "twelve.csv", ("\n".join(rows) + "\n").encode())
    for position in range(MIN_ITEMS_FOR_KAPPA):
        automatic = int(app.state.table.loc[position, "hrq_level"])
        rate(app, position, automatic if position % 4 else min(5, automatic + 1))
    app.tabs.selected_index = 1
    rows = re.findall(r"<tr>(.*?)</tr>", app.calibration.agreement.value)
    overall = next(row for row in rows if "all responses" in row)
    assert "too few to tell" not in overall
    assert f"data-label='n'>{MIN_ITEMS_FOR_KAPPA}<" in overall
    kappa = r"-?\d\.\d\d"
    assert re.search(
        rf"data-label='Kappa'>{kappa}<.*data-label='95% CI'>{kappa} to {kappa}<", overall
    )
