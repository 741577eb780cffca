"""Pre/post change on hand-built data; the effect size checked against a paired t-test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from empathy_training.prepost import PER_TRAINEE_COLUMNS, normalise_name, prepost, prepost_chart

PNG = b"\x89PNG\r\n\x1a\n"


def occasion(levels: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"trainee": name, "hrq_level": level}
            for name, values in levels.items()
            for level in values
        ]
    )


def test_change_per_trainee_and_cohort_by_hand() -> None:
    # Means before: Ana 1.5, Ben 2, Cy 2, Di 3; after: Ana 2.5, Ben 3, Cy 4, Di 3.
    # Changes 1, 1, 2, 0: mean 1; sd = sqrt((0 + 0 + 1 + 1) / 3) = sqrt(2/3); d_z = 1 / sd.
    pre = occasion({"Ana": [1, 2], "Ben": [2], "Cy": [2], "Di": [3], "Ed": [4]})
    post = occasion({" ana ": [2, 3], "BEN": [3], "Cy": [4], "Di": [3], "Fay": [5]})
    result = prepost(pre, post)
    assert list(result.per_trainee.columns) == list(PER_TRAINEE_COLUMNS)
    table = result.per_trainee.set_index("trainee")
    assert list(table.index) == ["Ana", "Ben", "Cy", "Di"]  # the pre-test spelling
    assert table.loc["Ana", "pre"] == 1.5 and table.loc["Ana", "post"] == 2.5
    assert table.loc["Ana", "n_pre"] == 2 and table.loc["Cy", "change"] == 2.0
    assert result.n_paired == 4
    assert result.mean_pre == pytest.approx(2.125) and result.mean_post == pytest.approx(3.125)
    assert result.mean_change == pytest.approx(1.0)
    assert result.sd_change == pytest.approx(math.sqrt(2 / 3))
    assert result.d_z == pytest.approx(1 / math.sqrt(2 / 3))
    # Hedges' J with 3 degrees of freedom: 1 - 3 / (4 x 3 - 1) = 8/11.
    assert result.g_z == pytest.approx(result.d_z * 8 / 11)
    assert result.unmatched_pre == ("Ed",) and result.unmatched_post == ("Fay",)
    assert any("left out" in note for note in result.notes)
    assert any("rough" in note for note in result.notes)
    low, high = result.change_ci
    assert 0 <= low <= 1 <= high <= 2
    assert result.d_z_ci[0] <= result.d_z <= result.d_z_ci[1]
    assert "4 trainees" in result.summary() and "+1.00" in result.summary()
    assert result.to_dict()["per_trainee"][0]["trainee"] == "Ana"


def test_effect_size_matches_a_paired_t_test() -> None:
    rng = np.random.default_rng(5)
    names = [f"T{i}" for i in range(30)]
    before = rng.integers(1, 4, 30)
    after = np.clip(before + rng.integers(0, 3, 30), 1, 5)
    result = prepost(
        occasion({n: [int(b)] for n, b in zip(names, before, strict=True)}),
        occasion({n: [int(a)] for n, a in zip(names, after, strict=True)}),
    )
    t = stats.ttest_rel(after, before).statistic
    assert result.d_z == pytest.approx(t / math.sqrt(30))
    assert result.change_ci[0] < result.mean_change < result.change_ci[1]
    assert not any("rough" in note for note in result.notes)


def test_degenerate_occasions_give_nan_and_notes() -> None:
    same = prepost(occasion({"A": [2], "B": [3]}), occasion({"A": [3], "B": [4]}))
    assert same.mean_change == 1.0 and math.isnan(same.d_z) and math.isnan(same.d_z_ci[0])
    assert any("same amount" in note for note in same.notes)
    one = prepost(occasion({"A": [2]}), occasion({"A": [4]}))
    assert one.n_paired == 1 and math.isnan(one.sd_change) and math.isnan(one.change_ci[0])
    none = prepost(occasion({"A": [2]}), occasion({"B": [4]}))
    assert none.n_paired == 0 and math.isnan(none.mean_change)
    assert "No trainee" in none.summary()
    assert none.to_dict()["mean_change"] is None
    with pytest.raises(ValueError, match="pre-test table lacks"):
        prepost(pd.DataFrame({"name": ["A"]}), occasion({"A": [1]}))


def test_rows_without_a_level_are_left_out() -> None:
    pre = pd.DataFrame({"trainee": ["A", "A", "B", None], "hrq_level": [2, None, 3, 4]})
    post = pd.DataFrame({"trainee": ["A", "B"], "hrq_level": ["4", "n/a"]})
    result = prepost(pre, post)
    assert result.n_paired == 1 and result.per_trainee.loc[0, "change"] == 2.0
    assert result.unmatched_pre == ("B",)


def test_names_are_matched_loosely() -> None:
    assert normalise_name("  Sam   K. ") == normalise_name("sam k.")


def test_chart_is_a_png() -> None:
    result = prepost(occasion({"A": [1], "B": [2]}), occasion({"A": [3], "B": [2]}))
    assert prepost_chart(result).startswith(PNG)
    empty = prepost(occasion({"A": [1]}), occasion({"B": [3]}))
    assert prepost_chart(empty).startswith(PNG)
