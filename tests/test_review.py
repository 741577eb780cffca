"""Reviewing a graded batch: filters, sorts, pages, next unrated, labels, the comment bank."""

from __future__ import annotations

import pandas as pd

from empathy_training.batches import NO_VIGNETTE, Batch, review_table
from empathy_training.feedback_reports import CommentBank
from empathy_training.models import Library
from empathy_training.review import (
    BANK_PROMPT,
    NO_ROADBLOCK,
    PAGE_SIZE,
    ReviewFilter,
    bank_choices,
    client_label,
    clip,
    filtered_sorted,
    next_unrated,
    page_count,
    page_rows,
    row_label,
)

ROWS = [
    # trainee, vignette, level, roadblocks, confidence, error, attempt
    ("Cy", "v-b", 3, "", 0.9, "", 11),
    ("ana", "v-a", 1, "advising;reassuring", 0.4, "", 12),
    ("Ben", "v-a", None, "", None, "empty response", None),
    ("Dee", "", 5, "reassuring", 0.7, "", 14),
]


def table() -> pd.DataFrame:
    graded = pd.DataFrame(
        {
            "vignette_id": [r[1] for r in ROWS],
            "client_statement": ["", "", "", "I can't sleep since the move."],
            "response": ["x"] * len(ROWS),
            "hrq_level": pd.array([r[2] for r in ROWS], dtype="Int64"),
            "roadblocks": [r[3] for r in ROWS],
            "confidence": pd.array([r[4] for r in ROWS], dtype="Float64"),
            "error": [r[5] for r in ROWS],
        }
    )
    batch = Batch(
        name="t.csv",
        graded=graded,
        assessments=(None,) * len(ROWS),
        attempt_ids=tuple(r[6] for r in ROWS),
        trainees=tuple(r[0] for r in ROWS),
    )
    return review_table(batch)


def positions(view: ReviewFilter, ratings: dict[int, dict[str, object]] | None = None) -> list[int]:
    return filtered_sorted(table(), view, ratings or {}, "Ana")


def test_filters() -> None:
    assert positions(ReviewFilter()) == [0, 1, 2, 3]
    assert positions(ReviewFilter(level=1)) == [1]
    assert positions(ReviewFilter(vignette_id="v-a")) == [1, 2]
    assert positions(ReviewFilter(vignette_id=NO_VIGNETTE)) == [3]
    assert positions(ReviewFilter(roadblock="reassuring")) == [1, 3]
    assert positions(ReviewFilter(roadblock="advis")) == []  # whole roadblock ids only
    assert positions(ReviewFilter(roadblock=NO_ROADBLOCK)) == [0, 2]
    assert positions(ReviewFilter(rows="error")) == [2]
    assert positions(ReviewFilter(rows="scored", vignette_id="v-a")) == [1]
    assert filtered_sorted(pd.DataFrame(), ReviewFilter(), {}, "Ana") == []


def test_sort_orders_are_stable() -> None:
    assert positions(ReviewFilter(sort="level")) == [2, 1, 0, 3]
    assert positions(ReviewFilter(sort="-level")) == [3, 0, 1, 2]
    assert positions(ReviewFilter(sort="confidence")) == [1, 3, 0, 2]
    assert positions(ReviewFilter(sort="trainee")) == [1, 2, 0, 3]  # ignoring case
    assert positions(ReviewFilter(sort="vignette")) == [3, 1, 2, 0]
    rated = {12: {"Ana": object()}}
    assert positions(ReviewFilter(sort="unrated"), rated) == [0, 3, 1, 2]


def test_pages_and_next_unrated() -> None:
    assert (page_count(0), page_count(PAGE_SIZE), page_count(PAGE_SIZE + 1)) == (1, 1, 2)
    view = list(range(PAGE_SIZE + 5))
    assert page_rows(view, 1) == list(range(PAGE_SIZE, PAGE_SIZE + 5))
    rows = table()
    rated = {11: {"Ana": object()}}
    assert next_unrated(rows, [0, 1, 2, 3], None, rated, "Ana") == 1
    assert next_unrated(rows, [0, 1, 2, 3], 1, rated, "Ana") == 3  # row 2 was not scored
    assert next_unrated(rows, [0, 1, 2, 3], 3, rated, "Ana") == 1  # round again
    assert next_unrated(rows, [0, 2], None, rated, "Ana") is None


def test_labels(library: Library) -> None:
    rows = table()
    assert row_label(rows, 0) == "1. Cy (level 3)"
    assert row_label(rows, 2) == "3. Ben (not scored)"
    assert client_label(rows.iloc[3], library) == "\u201cI can't sleep since the move.\u201d"
    assert client_label(rows.iloc[0], library) == "v-b"  # an id the library does not know
    vignette = library.vignettes[0]
    known = rows.iloc[0].copy()
    known["_vignette"] = vignette.id
    assert client_label(known, library) == vignette.title
    assert clip("  a  b\nc ", 10) == "a b c" and clip("abcdef", 4) == "abc…"


def test_the_comment_bank_offers_comments_for_the_level_and_roadblocks() -> None:
    bank = CommentBank(
        by_level={1: ("One.",), 3: ("Three.", "Three again."), 5: ("Five.",)},
        by_roadblock={"advising": "Hold the advice."},
    )
    assert [c for _, c in bank_choices(bank, 3, ["advising", "judging"])] == [
        "",
        "Three.",
        "Three again.",
        "Hold the advice.",
    ]
    first = bank_choices(bank, 0, [])
    assert first[0] == (BANK_PROMPT, "") and [c for _, c in first[1:]] == [
        "One.",
        "Three.",
        "Five.",
    ]
