"""Agreement statistics against hand-computed cases and, in tests only, scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from empathy_training.agreement import (
    AGREEMENT_COLUMNS,
    AUTOMATIC,
    MIN_ITEMS_FOR_KAPPA,
    TOO_FEW_NOTE,
    agreement_table,
    bootstrap_ci,
    exact_agreement,
    ratings_from_table,
    weighted_kappa,
)


def pairs_from_confusion(confusion: list[list[int]], categories: list[int]) -> tuple[list, list]:
    """Two raters' ratings that give this confusion matrix (rows: rater a, columns: rater b)."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(confusion):
        for j, count in enumerate(row):
            a += [categories[i]] * count
            b += [categories[j]] * count
    return a, b


def test_two_by_two_by_hand() -> None:
    # Ten items, two categories:     b=1  b=2
    #                          a=1    4    1
    #                          a=2    1    4
    # observed agreement po = 8/10 = 0.8; every marginal is 5/10, so chance pe = 0.5;
    # kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6. With two categories every weighting is the same.
    a, b = pairs_from_confusion([[4, 1], [1, 4]], [1, 2])
    assert exact_agreement(a, b) == pytest.approx(0.8)
    for weights in ("quadratic", "linear", None):
        assert weighted_kappa(a, b, categories=(1, 2), weights=weights) == pytest.approx(0.6)


def test_three_by_three_quadratic_by_hand() -> None:
    # Ten items, three ordered categories:   b=1 b=2 b=3
    #                                  a=1    2   1   0
    #                                  a=2    0   2   1
    #                                  a=3    1   0   3
    # Quadratic disagreement weights ((i - j) / 2)^2: 0.25 one step apart, 1 two steps apart.
    # Observed weighted disagreement: (1 x 0.25 + 1 x 0.25 + 1 x 1) / 10 = 0.15.
    # Marginals: a = (.3, .3, .4), b = (.3, .3, .4). Chance weighted disagreement:
    #   0.25 x (.3x.3 + .3x.3 + .3x.4 + .4x.3) + 1 x (.3x.4 + .4x.3) = 0.105 + 0.24 = 0.345.
    # kappa = 1 - 0.15 / 0.345 = 1 - 10/23 = 13/23.
    a, b = pairs_from_confusion([[2, 1, 0], [0, 2, 1], [1, 0, 3]], [1, 2, 3])
    assert weighted_kappa(a, b, categories=(1, 2, 3)) == pytest.approx(13 / 23)
    # Linear weights (|i - j| / 2): observed (0.5 + 0.5 + 1) / 10 = 0.2; chance
    # 0.5 x 0.42 + 1 x 0.24 = 0.45; kappa = 1 - 0.2 / 0.45 = 5/9.
    assert weighted_kappa(a, b, categories=(1, 2, 3), weights="linear") == pytest.approx(5 / 9)
    # Unweighted: po = 7/10, pe = .09 + .09 + .16 = .34, kappa = (.7 - .34) / .66 = 6/11.
    assert weighted_kappa(a, b, categories=(1, 2, 3), weights=None) == pytest.approx(6 / 11)
    assert exact_agreement(a, b) == pytest.approx(0.7)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("weights", ["quadratic", "linear", None])
def test_matches_scikit_learn_on_random_ratings(seed: int, weights: str | None) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    a = rng.integers(1, 6, n)
    noise = rng.integers(-2, 3, n) * (rng.random(n) < 0.5)
    b = np.clip(a + noise, 1, 5)
    expected = cohen_kappa_score(a, b, weights=weights, labels=[1, 2, 3, 4, 5])
    assert weighted_kappa(list(a), list(b), weights=weights) == pytest.approx(expected)  # type: ignore[arg-type]


def test_perfect_and_chance_level_agreement() -> None:
    a = [1, 2, 3, 4, 5, 3, 2]
    assert weighted_kappa(a, a) == pytest.approx(1.0)
    assert exact_agreement(a, a) == 1.0
    # Rater b always says 3: no agreement beyond chance.
    assert weighted_kappa(a, [3] * len(a)) == pytest.approx(0.0)


def test_degenerate_cases_give_nan_not_a_crash() -> None:
    assert math.isnan(weighted_kappa([3, 3, 3], [3, 3, 3]))  # one category only
    assert math.isnan(weighted_kappa([2], [4]))  # n < 2
    assert math.isnan(weighted_kappa([], []))
    assert math.isnan(exact_agreement([], []))
    assert bootstrap_ci([1], [2], weighted_kappa) == (pytest.approx(math.nan, nan_ok=True),) * 2


def test_bad_input_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="not one of"):
        weighted_kappa([1, 6], [1, 2])
    with pytest.raises(ValueError, match="differ in length"):
        weighted_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="weights"):
        weighted_kappa([1, 2], [1, 2], weights="cubic")  # type: ignore[arg-type]
    # Levels read from a spreadsheet as floats are accepted.
    assert weighted_kappa([1.0, 2.0, 3.0], [1, 2, 3]) == pytest.approx(1.0)


def test_bootstrap_interval_is_reproducible_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(3)
    a = list(rng.integers(1, 6, 80))
    b = [min(5, max(1, x + int(rng.integers(-1, 2)))) for x in a]
    low, high = bootstrap_ci(a, b, weighted_kappa, n=500, seed=7)
    assert (low, high) == bootstrap_ci(a, b, weighted_kappa, n=500, seed=7)
    assert low < weighted_kappa(a, b) < high
    assert 0 < high - low < 0.5
    wider = bootstrap_ci(a, b, weighted_kappa, n=500, seed=7, level=0.99)
    assert wider[0] <= low and wider[1] >= high
    exact_low, exact_high = bootstrap_ci(a, b, exact_agreement, n=200)
    assert 0 <= exact_low <= exact_agreement(a, b) <= exact_high <= 1


def ratings_frame(levels: dict[str, list[int | None]], vignettes: list[str]) -> pd.DataFrame:
    rows = [
        {"item": i, "rater": rater, "level": level, "vignette_id": vignettes[i]}
        for rater, values in levels.items()
        for i, level in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_agreement_table_pairs_scopes_and_figures() -> None:
    rng = np.random.default_rng(11)
    auto = [int(x) for x in rng.integers(1, 6, 40)]
    ana = [min(5, max(1, x + int(rng.integers(-1, 2)))) for x in auto]
    ben: list[int | None] = [min(5, max(1, x + int(rng.integers(-1, 2)))) for x in ana]
    ben[0] = None  # Ben skipped one item
    vignettes = ["v-a" if i % 2 else "v-b" for i in range(40)]
    table = agreement_table(
        ratings_frame({AUTOMATIC: auto, "Ana": ana, "Ben": ben}, vignettes), n_boot=300
    )
    assert list(table.columns) == list(AGREEMENT_COLUMNS)
    # three pairs, each overall and for two vignettes; the automatic scorer comes first
    assert len(table) == 9
    overall = table[table["scope"] == "overall"].set_index(["rater_a", "rater_b"])
    assert set(overall.index) == {(AUTOMATIC, "Ana"), (AUTOMATIC, "Ben"), ("Ana", "Ben")}
    assert overall.loc[(AUTOMATIC, "Ana"), "n"] == 40
    assert overall.loc[(AUTOMATIC, "Ben"), "n"] == 39
    assert overall.loc[(AUTOMATIC, "Ana"), "kappa"] == pytest.approx(weighted_kappa(auto, ana))
    assert overall.loc[(AUTOMATIC, "Ana"), "exact"] == pytest.approx(exact_agreement(auto, ana))
    # The table's vectorised bootstrap draws the same resamples as bootstrap_ci.
    low, high = bootstrap_ci(auto, ana, weighted_kappa, n=300, seed=0)
    assert overall.loc[(AUTOMATIC, "Ana"), "ci_low"] == pytest.approx(low)
    assert overall.loc[(AUTOMATIC, "Ana"), "ci_high"] == pytest.approx(high)
    per_vignette = table[(table["scope"] == "vignette") & (table["rater_a"] == AUTOMATIC)]
    v_a = per_vignette[(per_vignette["vignette_id"] == "v-a") & (per_vignette["rater_b"] == "Ana")]
    odd = range(1, 40, 2)
    assert v_a["kappa"].iloc[0] == pytest.approx(
        weighted_kappa([auto[i] for i in odd], [ana[i] for i in odd])
    )


def test_agreement_table_degenerate_cases_have_notes() -> None:
    frame = pd.DataFrame(
        [
            {"item": 1, "rater": AUTOMATIC, "level": 3},
            {"item": 2, "rater": AUTOMATIC, "level": 3},
            {"item": 3, "rater": AUTOMATIC, "level": 2},
            {"item": 1, "rater": "Ana", "level": 3},
            {"item": 2, "rater": "Ana", "level": 3},
            {"item": 3, "rater": "Cy", "level": 4},
        ]
    )
    table = agreement_table(frame, n_boot=50).set_index(["rater_a", "rater_b"])
    same = table.loc[(AUTOMATIC, "Ana")]
    assert same["n"] == 2 and same["exact"] == 1.0
    assert math.isnan(same["kappa"]) and "single" in same["note"]
    one = table.loc[(AUTOMATIC, "Cy")]
    assert one["n"] == 1 and math.isnan(one["kappa"]) and "fewer than 2" in one["note"]
    none = table.loc[("Ana", "Cy")]
    assert none["n"] == 0 and math.isnan(none["exact"]) and "no items" in none["note"]


def test_agreement_table_edge_inputs() -> None:
    empty = agreement_table(pd.DataFrame(columns=["item", "rater", "level"]))
    assert empty.empty and list(empty.columns) == list(AGREEMENT_COLUMNS)
    with pytest.raises(ValueError, match="lacks the column"):
        agreement_table(pd.DataFrame({"item": [1], "level": [2]}))
    with pytest.raises(ValueError, match="outside"):
        agreement_table(pd.DataFrame({"item": [1], "rater": ["Ana"], "level": [9]}))
    # A rater who changed their mind: the last rating counts.
    frame = pd.DataFrame(
        {
            "item": [1, 2, 1, 2, 1],
            "rater": [AUTOMATIC, AUTOMATIC, "Ana", "Ana", "Ana"],
            "level": [2, 4, 1, 4, 2],
        }
    )
    row = agreement_table(frame, n_boot=20).iloc[0]
    assert row["exact"] == 1.0


def test_ratings_from_an_exported_table() -> None:
    # As read back from a CSV the grading app exported: every cell is text.
    graded = pd.DataFrame(
        {
            "vignette_id": ["v1", "v1", "v2"],
            "hrq_level": ["3", "", "5"],
            "Ana (level)": ["3", "2", ""],
            "Ana (comment)": ["ok", "", ""],
            "Dr B. (level)": [4.0, None, 5.0],
        }
    )
    ratings = ratings_from_table(graded)
    assert list(ratings.columns) == ["item", "rater", "level", "vignette_id"]
    assert ratings.to_dict("records") == [
        {"item": 0, "rater": AUTOMATIC, "level": 3, "vignette_id": "v1"},
        {"item": 2, "rater": AUTOMATIC, "level": 5, "vignette_id": "v2"},
        {"item": 0, "rater": "Ana", "level": 3, "vignette_id": "v1"},
        {"item": 1, "rater": "Ana", "level": 2, "vignette_id": "v1"},
        {"item": 0, "rater": "Dr B.", "level": 4, "vignette_id": "v1"},
        {"item": 2, "rater": "Dr B.", "level": 5, "vignette_id": "v2"},
    ]
    table = agreement_table(ratings, n_boot=50)
    assert set(zip(table["rater_a"], table["rater_b"], strict=True)) == {
        (AUTOMATIC, "Ana"),
        (AUTOMATIC, "Dr B."),
        ("Ana", "Dr B."),
    }
    with pytest.raises(ValueError, match=r"Column 'Ana \(level\)', row 2: 'three'"):
        ratings_from_table(graded.assign(**{"Ana (level)": ["3", "three", ""]}))
    no_vignette = ratings_from_table(graded.drop(columns=["vignette_id"]))
    assert "vignette_id" not in no_vignette.columns and len(no_vignette) == 6


def test_a_pair_rated_on_too_few_items_says_so() -> None:
    levels = [1, 2, 3, 4, 5, 3, 2, 4, 5, 1, 2, 3]
    frame = pd.DataFrame(
        [
            {"item": i, "rater": r, "level": v}
            for r in (AUTOMATIC, "Ana")
            for i, v in enumerate(levels)
        ]
    )
    few = agreement_table(frame[frame["item"] < MIN_ITEMS_FOR_KAPPA - 1], n_boot=50).iloc[0]
    assert few["n"] == MIN_ITEMS_FOR_KAPPA - 1 and few["note"] == TOO_FEW_NOTE
    enough = agreement_table(frame[frame["item"] < MIN_ITEMS_FOR_KAPPA], n_boot=50).iloc[0]
    assert enough["n"] == MIN_ITEMS_FOR_KAPPA and enough["note"] == ""
    assert "too few to tell" in TOO_FEW_NOTE and str(MIN_ITEMS_FOR_KAPPA) in TOO_FEW_NOTE
