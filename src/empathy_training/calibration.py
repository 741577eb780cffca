"""Calibrating raters: the rows to discuss, and how well raters agree (with the scorer too)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from .agreement import AUTOMATIC, MIN_ITEMS_FOR_KAPPA, TOO_FEW_TO_TELL
from .review import attempt_ids, int_or_none

__all__ = [
    "AgreementLine",
    "Rating",
    "agreement_lines",
    "agreement_ratings",
    "disagreement_rows",
]

#: Levels apart at which two raters' ratings of a response are worth discussing.
RATERS_APART = 1
#: Levels apart at which a rater and the automatic scorer are worth discussing.
SCORER_APART = 2


class Rating(Protocol):
    """What calibration reads from a rating (`storage.RatingRecord` has it all)."""

    @property
    def rater(self) -> str: ...
    @property
    def hrq_level(self) -> int | None: ...
    @property
    def roadblocks(self) -> tuple[str, ...]: ...
    @property
    def comment(self) -> str: ...


Ratings = Mapping[int, Mapping[str, Rating]]
"""Ratings given so far: attempt id -> rater -> rating."""


@dataclass(frozen=True)
class AgreementLine:
    """One line of the agreement table, as a grader reads it."""

    scope: str
    """"all responses", or the vignette's title."""
    raters: tuple[str, str]
    """The two raters compared (the automatic scorer is AUTOMATIC)."""
    n: int
    """Responses both rated."""
    exact: str
    """Exact agreement as a percentage, or "–" when nothing was rated by both."""
    kappa: str
    """Weighted kappa to two decimals, TOO_FEW_TO_TELL, or "–" where it is undefined."""
    interval: str
    """The kappa's 95% interval ("0.41 to 0.88"), or "" where the kappa is not shown."""
    note: str
    """Why a figure is missing or rough."""

    @property
    def too_few(self) -> bool:
        """Whether too few responses were rated by both for a kappa."""
        return self.kappa == TOO_FEW_TO_TELL


def disagreement_rows(table: pd.DataFrame, ratings: Ratings) -> pd.DataFrame:
    """Rows of a review table where two raters differ by RATERS_APART levels or more, or a
    rater and the scorer by SCORER_APART or more: position, row, trainee, automatic,
    "NAME (level)" per rater, and why."""
    rows: list[dict[str, Any]] = []
    for position, attempt_id in enumerate(attempt_ids(table)):
        if attempt_id is None or attempt_id not in ratings:
            continue
        levels = {
            r: rec.hrq_level for r, rec in ratings[attempt_id].items() if rec.hrq_level is not None
        }
        automatic = int_or_none(table.iloc[position]["hrq_level"])
        reasons: list[str] = []
        names = sorted(levels, key=str.casefold)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if abs(levels[first] - levels[second]) >= RATERS_APART:
                    reasons.append(f"{first} {levels[first]} vs {second} {levels[second]}")
            if automatic is not None and abs(levels[first] - automatic) >= SCORER_APART:
                reasons.append(f"{first} {levels[first]} vs automatic {automatic}")
        if reasons:
            rows.append(
                {
                    "position": position,
                    "row": int(table.iloc[position]["_row"]),
                    "trainee": table.iloc[position]["_trainee"],
                    "automatic": automatic,
                    **{f"{r} (level)": v for r, v in levels.items()},
                    "why": "; ".join(reasons),
                }
            )
    return pd.DataFrame(rows)


def agreement_ratings(table: pd.DataFrame, ratings: Ratings) -> pd.DataFrame:
    """Every level given to a scored row of a review table, the scorer's too, as
    `agreement.agreement_table` reads them: item, rater, level, vignette_id."""
    columns = ["item", "rater", "level", "vignette_id"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    scored = table[table["_attempt"].notna()]
    automatic = pd.DataFrame(
        {
            "item": scored["_attempt"].astype(int).to_numpy(),
            "rater": AUTOMATIC,
            "level": pd.to_numeric(scored["hrq_level"], errors="coerce").to_numpy(),
            "vignette_id": scored["_vignette"].astype(str).to_numpy(),
        }
    )
    vignette_of = dict(zip(automatic["item"], automatic["vignette_id"], strict=True))
    human = [
        {
            "item": attempt_id,
            "rater": rater,
            "level": record.hrq_level,
            "vignette_id": vignette_of[attempt_id],
        }
        for attempt_id, given in ratings.items()
        if attempt_id in vignette_of
        for rater, record in given.items()
        if record.hrq_level is not None
    ]
    both = pd.concat([automatic, pd.DataFrame(human, columns=columns)], ignore_index=True)
    return both.dropna(subset=["level"]).reset_index(drop=True)


def agreement_lines(figures: pd.DataFrame, label: Callable[[str], str]) -> list[AgreementLine]:
    """The lines of `agreement.agreement_table`'s figures a grader reads.

    A kappa on fewer than MIN_ITEMS_FOR_KAPPA responses rated by both reads TOO_FEW_TO_TELL,
    with no interval. A vignette that no pair rated in common is left out. `label` names a
    vignette from its id.
    """
    lines: list[AgreementLine] = []
    for row in figures.to_dict("records"):
        n = int(row["n"])
        overall = row["scope"] == "overall"
        if not overall and n == 0:
            continue
        note = str(row["note"])
        if n < MIN_ITEMS_FOR_KAPPA:
            kappa, interval = TOO_FEW_TO_TELL, ""
            note = f"kappa needs {MIN_ITEMS_FOR_KAPPA} or more responses rated by both"
        elif _missing(row["kappa"]):
            kappa, interval = "–", ""
        else:
            kappa = f"{float(row['kappa']):.2f}"
            interval = f"{float(row['ci_low']):.2f} to {float(row['ci_high']):.2f}"
            if _missing(row["ci_low"]) or _missing(row["ci_high"]):
                interval = ""
        lines.append(
            AgreementLine(
                scope="all responses" if overall else label(str(row["vignette_id"])),
                raters=(str(row["rater_a"]), str(row["rater_b"])),
                n=n,
                exact="–" if _missing(row["exact"]) else f"{float(row['exact']):.0%}",
                kappa=kappa,
                interval=interval,
                note=note,
            )
        )
    return lines


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA
