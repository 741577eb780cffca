"""Reviewing a graded batch: filters, sort orders, pages, and how each row is labelled."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .batches import NO_VIGNETTE, find_vignette
from .feedback_reports import CommentBank
from .grading import cell_text
from .models import Library

__all__ = [
    "CLIENT_LABEL_CHARS",
    "PAGE_SIZE",
    "ROW_CHOICES",
    "SORTS",
    "ReviewFilter",
    "attempt_id_at",
    "attempt_ids",
    "bank_choices",
    "client_label",
    "clip",
    "filtered_sorted",
    "int_or_none",
    "next_unrated",
    "page_count",
    "page_rows",
    "row_label",
    "vignette_label",
]

#: Rows shown per page of the review table.
PAGE_SIZE = 50
#: Characters of a client statement shown in the table where a row has no vignette.
CLIENT_LABEL_CHARS = 40
#: Sort orders of the review table: label, key.
SORTS: tuple[tuple[str, str], ...] = (
    ("File order", "row"),
    ("Automatic level, lowest first", "level"),
    ("Automatic level, highest first", "-level"),
    ("Least sure scores first", "confidence"),
    ("Not yet rated by me first", "unrated"),
    ("Trainee", "trainee"),
    ("Vignette", "vignette"),
)
#: Which rows to show: label, key.
ROW_CHOICES: tuple[tuple[str, str], ...] = (
    ("all", ""),
    ("with an error", "error"),
    ("scored", "scored"),
)
#: The roadblock filter's key for rows with no roadblock.
NO_ROADBLOCK = "-"
#: Characters of a comment shown in the comment bank's list.
BANK_LABEL_CHARS = 90
#: The comment bank's first choice, which adds nothing.
BANK_PROMPT = "Add a comment from the bank…"
#: Levels whose first comment the bank offers before a level is given.
BANK_SAMPLE_LEVELS = (1, 3, 5)

Ratings = Mapping[int, Mapping[str, Any]]
"""Ratings given so far: attempt id -> rater -> rating."""


@dataclass(frozen=True)
class ReviewFilter:
    """Which rows of a batch to show, and in which order; the defaults show every row."""

    level: int = 0
    """Only rows with this automatic level (0: any)."""
    vignette_id: str = ""
    """Only rows answering this vignette ("": any; NO_VIGNETTE: a client statement)."""
    roadblock: str = ""
    """Only rows with this roadblock ("": any; NO_ROADBLOCK: rows with none)."""
    rows: str = ""
    """"error": only rows that could not be scored; "scored": only those that were."""
    sort: str = "row"
    """A key of SORTS."""


def filtered_sorted(
    table: pd.DataFrame, view: ReviewFilter, ratings: Ratings, rater: str
) -> list[int]:
    """Positions of the rows of a review table (`batches.review_table`) the filter keeps, in
    its order; sorts are stable, so ties stay in file order. `ratings` and `rater` decide
    which rows the rater has rated (a row that was not scored counts as rated: it sorts last).
    """
    if table.empty:
        return []
    mask = np.ones(len(table), dtype=bool)
    if view.level:
        mask &= pd.to_numeric(table["hrq_level"], errors="coerce").to_numpy() == view.level
    if view.vignette_id:
        mask &= (table["_vignette"] == view.vignette_id).to_numpy()
    blocks = table["roadblocks"].map(cell_text)
    if view.roadblock == NO_ROADBLOCK:
        mask &= (blocks.str.strip() == "").to_numpy()
    elif view.roadblock:
        pattern = rf"(?:^|;)\s*{re.escape(view.roadblock)}\s*(?:;|$)"
        mask &= blocks.str.contains(pattern).to_numpy()
    errors = (table["error"].map(cell_text).str.strip() != "").to_numpy()
    if view.rows == "error":
        mask &= errors
    elif view.rows == "scored":
        mask &= ~errors
    positions = np.flatnonzero(mask)
    if view.sort == "row":
        return [int(p) for p in positions]
    chosen = table.iloc[positions]
    if view.sort in ("level", "-level"):
        levels = pd.to_numeric(chosen["hrq_level"], errors="coerce").fillna(0).to_numpy()
        order = np.argsort(-levels if view.sort == "-level" else levels, kind="stable")
    elif view.sort == "confidence":
        sure = pd.to_numeric(chosen["confidence"], errors="coerce").fillna(2.0).to_numpy()
        order = np.argsort(sure, kind="stable")
    elif view.sort == "unrated":
        rated = [1 if a is None or rater in ratings.get(a, {}) else 0 for a in attempt_ids(chosen)]
        order = np.argsort(np.array(rated), kind="stable")
    elif view.sort == "trainee":
        order = np.argsort(chosen["_trainee"].str.casefold().to_numpy(), kind="stable")
    else:
        order = np.argsort(chosen["_vignette"].to_numpy().astype(str), kind="stable")
    return [int(positions[i]) for i in order]


def page_count(rows: int) -> int:
    """Pages needed to show `rows` rows (at least one, even for none)."""
    return max(1, math.ceil(rows / PAGE_SIZE))


def page_rows(view: list[int], page: int) -> list[int]:
    """The positions shown on one page (from 0) of a view."""
    return view[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]


def next_unrated(
    table: pd.DataFrame, view: list[int], selected: int | None, ratings: Ratings, rater: str
) -> int | None:
    """The next row of the view after `selected` (wrapping round) that was scored and that
    `rater` has not rated; None when there is none."""
    start = view.index(selected) + 1 if selected in view else 0
    for position in view[start:] + view[:start]:
        attempt_id = attempt_id_at(table, position)
        if attempt_id is not None and rater not in ratings.get(attempt_id, {}):
            return position
    return None


def attempt_ids(table: pd.DataFrame) -> list[int | None]:
    """Each row's attempt id, or None where the row was not scored."""
    if table.empty:
        return []
    return [None if pd.isna(v) else int(v) for v in table["_attempt"]]


def attempt_id_at(table: pd.DataFrame, position: int) -> int | None:
    """The attempt id of the row at `position`, or None where it was not scored."""
    value = table["_attempt"].iloc[position]
    return None if pd.isna(value) else int(value)


def clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def int_or_none(value: Any) -> int | None:
    """A cell as a whole number, or None when it holds none."""
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else int(number)


def row_label(table: pd.DataFrame, position: int) -> str:
    """How the row picker names a row: "3. Sam Okafor (level 2)"."""
    row = table.iloc[position]
    level = int_or_none(row["hrq_level"])
    state = f"level {level}" if level is not None else "not scored"
    return f"{int(row['_row'])}. {clip(cell_text(row['_trainee']), 30)} ({state})"


def vignette_label(library: Library, vignette_id: str) -> str:
    """A vignette's title, or the id itself when the library has no such vignette."""
    vignette = find_vignette(library, vignette_id)
    return vignette.title if vignette is not None else vignette_id


def client_label(row: pd.Series[Any], library: Library) -> str:
    """What a row responds to: its vignette's title, else the start of its client statement."""
    vignette_id = str(row["_vignette"])
    statement = cell_text(row.get("client_statement", "")).strip()
    if vignette_id == NO_VIGNETTE and statement:
        return f"\u201c{clip(statement, CLIENT_LABEL_CHARS)}\u201d"
    return vignette_label(library, vignette_id)


def bank_choices(bank: CommentBank, level: int, roadblocks: Iterable[str]) -> list[tuple[str, str]]:
    """The comment bank's choices (label, comment) for a rater's level and roadblocks: the
    prompt, the level's comments, one per roadblock seen; before a level is given, the first
    comment of a low, a middle and a high level."""
    choices = [(BANK_PROMPT, "")]
    for comment in bank.for_level(level or None):
        choices.append((f"Level {level}: {clip(comment, BANK_LABEL_CHARS)}", comment))
    for roadblock in roadblocks:
        sentence = bank.by_roadblock.get(roadblock)
        if sentence:
            choices.append((f"{roadblock}: {clip(sentence, BANK_LABEL_CHARS)}", sentence))
    if not level:
        for shown in BANK_SAMPLE_LEVELS:
            for comment in bank.for_level(shown)[:1]:
                choices.append((f"Level {shown}: {clip(comment, BANK_LABEL_CHARS)}", comment))
    return choices
