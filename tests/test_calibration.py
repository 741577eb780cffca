"""Calibrating raters: rows to discuss, ratings for agreement, and too few to tell."""

from __future__ import annotations

import math

import pandas as pd

from empathy_training.agreement import (
    AGREEMENT_COLUMNS,
    AUTOMATIC,
    MIN_ITEMS_FOR_KAPPA,
    TOO_FEW_TO_TELL,
)
from empathy_training.batches import Batch, review_table
from empathy_training.calibration import (
    agreement_lines,
    agreement_ratings,
    disagreement_rows,
)
from empathy_training.feedback_reports import RaterNote


def table(levels: list[int | None], vignettes: list[str]) -> pd.DataFrame:
    graded = pd.DataFrame(
        {
            "vignette_id": vignettes,
            "response": ["x"] * len(levels),
            "hrq_level": pd.array(levels, dtype="Int64"),
            "error": ["" if level else "empty response" for level in levels],
        }
    )
    return review_table(
        Batch(
            name="t.csv",
            graded=graded,
            assessments=(None,) * len(levels),
            attempt_ids=tuple(10 + i if level else None for i, level in enumerate(levels)),
            trainees=tuple(f"T{i}" for i in range(len(levels))),
        )
    )


def test_rows_to_discuss() -> None:
    rows = table([3, 5, 2, None], ["v", "v", "w", "w"])
    ratings = {
        10: {"Ana": RaterNote("Ana", 3), "Ben": RaterNote("Ben", 3)},  # all agree
        11: {"Ana": RaterNote("Ana", 4), "Ben": RaterNote("Ben", 3)},  # raters 1 apart
        12: {"Ana": RaterNote("Ana", 4), "Ben": RaterNote("Ben", None)},  # Ana 2 from scorer
    }
    found = disagreement_rows(rows, ratings)
    assert list(found["row"]) == [2, 3]
    assert list(found["why"]) == [
        "Ana 4 vs Ben 3; Ben 3 vs automatic 5",
        "Ana 4 vs automatic 2",
    ]
    assert disagreement_rows(rows, {}).empty


def test_ratings_for_agreement_hold_the_scorer_and_each_rater() -> None:
    rows = table([3, 5, None], ["v", "w", "w"])
    ratings = {10: {"Ana": RaterNote("Ana", 2)}, 11: {"Ana": RaterNote("Ana", None)}}
    found = agreement_ratings(rows, ratings)
    assert found.to_dict("records") == [
        {"item": 10, "rater": AUTOMATIC, "level": 3, "vignette_id": "v"},
        {"item": 11, "rater": AUTOMATIC, "level": 5, "vignette_id": "w"},
        {"item": 10, "rater": "Ana", "level": 2, "vignette_id": "v"},
    ]
    assert list(agreement_ratings(pd.DataFrame(), {}).columns) == [
        "item",
        "rater",
        "level",
        "vignette_id",
    ]


def figures(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def test_kappa_on_too_few_items_is_too_few_to_tell() -> None:
    found = agreement_lines(
        figures(
            [
                # n = 2, the case a grader met: a kappa and an interval that say nothing
                dict(
                    scope="overall",
                    vignette_id="",
                    rater_a=AUTOMATIC,
                    rater_b="Ana",
                    n=2,
                    exact=0.5,
                    kappa=0.82,
                    ci_low=0.0,
                    ci_high=0.82,
                    note="too few",
                ),
                dict(
                    scope="vignette",
                    vignette_id="v",
                    rater_a=AUTOMATIC,
                    rater_b="Ana",
                    n=MIN_ITEMS_FOR_KAPPA - 1,
                    exact=1.0,
                    kappa=0.9,
                    ci_low=0.5,
                    ci_high=1.0,
                    note="",
                ),
                dict(
                    scope="vignette",
                    vignette_id="w",
                    rater_a=AUTOMATIC,
                    rater_b="Ana",
                    n=0,
                    exact=math.nan,
                    kappa=math.nan,
                    ci_low=math.nan,
                    ci_high=math.nan,
                    note="no items rated by both",
                ),
                dict(
                    scope="vignette",
                    vignette_id="x",
                    rater_a=AUTOMATIC,
                    rater_b="Ana",
                    n=MIN_ITEMS_FOR_KAPPA,
                    exact=0.7,
                    kappa=0.61,
                    ci_low=0.2,
                    ci_high=0.88,
                    note="",
                ),
                dict(
                    scope="vignette",
                    vignette_id="y",
                    rater_a=AUTOMATIC,
                    rater_b="Ana",
                    n=12,
                    exact=1.0,
                    kappa=math.nan,
                    ci_low=math.nan,
                    ci_high=math.nan,
                    note="kappa undefined: both raters used a single, identical level",
                ),
            ]
        ),
        label=str.upper,
    )
    assert [line.scope for line in found] == ["all responses", "V", "X", "Y"]  # w: nobody
    few, nine, enough, undefined = found
    assert (few.n, few.exact, few.kappa, few.interval) == (2, "50%", TOO_FEW_TO_TELL, "")
    assert few.too_few and nine.too_few and nine.kappa == TOO_FEW_TO_TELL
    assert f"needs {MIN_ITEMS_FOR_KAPPA} or more" in few.note
    assert (enough.kappa, enough.interval, enough.too_few) == ("0.61", "0.20 to 0.88", False)
    assert (undefined.kappa, undefined.interval) == ("–", "")
    assert "undefined" in undefined.note
