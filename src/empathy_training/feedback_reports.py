"""Printable feedback reports for trainees: one self-contained HTML page each, and a zip."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .feedback_items import (
    COMMENT_BANK_FILE,
    MAX_NEXT_STEPS,
    CommentBank,
    RaterNote,
    ReportItem,
    load_comment_bank,
)
from .models import Assessment, Library
from .report_pages import (
    MAX_FILE_STEM,
    REPORT_TITLE,
    _unique,
    reports_zip,
    safe_file_name,
    trainee_report_html,
)

__all__ = [
    "ASSESSMENT_COLUMN",
    "COMMENT_BANK_FILE",
    "MAX_FILE_STEM",
    "MAX_NEXT_STEPS",
    "RATER_FIELDS",
    "REPORT_TITLE",
    "TRAINEE_COLUMNS",
    "CommentBank",
    "RaterNote",
    "ReportItem",
    "Scorer",
    "all_reports",
    "load_comment_bank",
    "rater_column",
    "raters_in",
    "report_items",
    "reports_zip",
    "safe_file_name",
    "trainee_column",
    "trainee_names",
    "trainee_report_html",
    "with_rater_columns",
    "write_reports",
]

#: Columns that name the trainee in a table of responses, tried in this order (any case).
TRAINEE_COLUMNS = ("trainee", "name", "student")
#: What a rater's columns look like in an exported table: "Ana (level)", "Ana (comment)".
RATER_FIELDS = ("level", "roadblocks", "comment")
#: Column holding the full assessment (an Assessment, its dict, or that dict as JSON).
ASSESSMENT_COLUMN = "assessment"

_RATER_COLUMN = re.compile(r"^(?P<rater>.+) \((?P<field>level|roadblocks|comment)\)$")

Scorer = Callable[..., Assessment]


# --- from a table of graded responses ------------------------------------------------------


def trainee_column(table: pd.DataFrame) -> str | None:
    """The column naming trainees (TRAINEE_COLUMNS, any case), or None."""
    by_lower = {str(c).strip().lower(): str(c) for c in table.columns}
    for candidate in TRAINEE_COLUMNS:
        if candidate in by_lower:
            return by_lower[candidate]
    return None


def trainee_names(table: pd.DataFrame) -> list[str]:
    """The trainee of each row: the trainee column's value, or "row N" (1-based) without one."""
    column = trainee_column(table)
    names: list[str] = []
    for number, value in enumerate(table[column] if column else [None] * len(table), start=1):
        text = "" if _missing(value) else " ".join(str(value).split())
        names.append(text or f"row {number}")
    return names


def rater_column(rater: str, field: str) -> str:
    """The exported column for one rater's level, roadblocks or comment: 'Ana (level)'."""
    if field not in RATER_FIELDS:
        raise ValueError(f"A rater field is one of {', '.join(RATER_FIELDS)}, not {field!r}.")
    return f"{rater} ({field})"


def raters_in(table: pd.DataFrame) -> list[str]:
    """Raters with columns in the table, in column order."""
    found: dict[str, None] = {}
    for column in table.columns:
        match = _RATER_COLUMN.match(str(column))
        if match:
            found[match["rater"]] = None
    return list(found)


def with_rater_columns(
    table: pd.DataFrame, notes: Sequence[Mapping[str, RaterNote]]
) -> pd.DataFrame:
    """The table with three columns per rater; `notes[i]` holds row i's notes by rater."""
    if len(notes) != len(table):
        raise ValueError(f"{len(notes)} sets of ratings for {len(table)} rows.")
    raters = sorted({r for row in notes for r in row}, key=str.casefold)
    extra: dict[str, Any] = {}
    for rater in raters:
        levels: list[Any] = []
        blocks: list[str] = []
        comments: list[str] = []
        for row in notes:
            note = row.get(rater)
            levels.append(note.hrq_level if note and note.hrq_level is not None else pd.NA)
            blocks.append(";".join(note.roadblocks) if note else "")
            comments.append(note.comment if note else "")
        extra[rater_column(rater, "level")] = pd.array(levels, dtype="Int64")
        extra[rater_column(rater, "roadblocks")] = blocks
        extra[rater_column(rater, "comment")] = comments
    return table.assign(**extra) if extra else table.copy()


def report_items(
    graded: pd.DataFrame, *, library: Library | None = None, score: Scorer | None = None
) -> dict[str, list[ReportItem]]:
    """Group a graded table's rows into report items by trainee, in table order.

    The assessment comes from an `assessment` column when there is one; otherwise, when
    `score` is given, each row is scored again to recover the evidence (the scorer is
    deterministic); otherwise the report shows the table's level, roadblocks and feedback.
    Raters' columns ('Ana (level)', ...) become rater notes.
    """
    raters = raters_in(graded)
    by_trainee: dict[str, list[ReportItem]] = {}
    records = graded.to_dict("records")
    for name, record in zip(trainee_names(graded), records, strict=True):
        fields = {str(k): v for k, v in record.items()}
        by_trainee.setdefault(name, []).append(
            _item_from_record(fields, raters, library=library, score=score)
        )
    return by_trainee


def write_reports(
    graded: pd.DataFrame,
    out_dir: Path,
    *,
    library: Library | None = None,
    score: Scorer | None = None,
    title: str = REPORT_TITLE,
) -> list[Path]:
    """Write one `<trainee>.html` per trainee into `out_dir` (created if needed); the paths.

    Rows are grouped by the trainee column (TRAINEE_COLUMNS), else each row is "row N".
    See `report_items` for where the evidence comes from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    paths: list[Path] = []
    for trainee, items in report_items(graded, library=library, score=score).items():
        path = out_dir / f"{_unique(safe_file_name(trainee), used)}.html"
        path.write_text(trainee_report_html(trainee, items, title=title), encoding="utf-8")
        paths.append(path)
    return paths


def all_reports(
    graded: pd.DataFrame,
    *,
    library: Library | None = None,
    score: Scorer | None = None,
    title: str = REPORT_TITLE,
) -> dict[str, str]:
    """Every trainee's report page, by trainee name (see `report_items`)."""
    return {
        trainee: trainee_report_html(trainee, items, title=title)
        for trainee, items in report_items(graded, library=library, score=score).items()
    }


# --- internals -----------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _int(value: Any) -> int | None:
    if _missing(value) or str(value).strip() == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(p.strip() for p in _text(value).split(";") if p.strip())


def _assessment_of(value: Any) -> Assessment | None:
    if isinstance(value, Assessment):
        return value
    if isinstance(value, dict):
        return Assessment.from_dict(value)
    if isinstance(value, str) and value.strip().startswith("{"):
        return Assessment.from_dict(json.loads(value))
    return None


def _item_from_record(
    record: Mapping[str, Any],
    raters: Iterable[str],
    *,
    library: Library | None,
    score: Scorer | None,
) -> ReportItem:
    response = _text(record.get("response"))
    statement = _text(record.get("client_statement"))
    vignette_id = _text(record.get("vignette_id")).strip()
    title = ""
    vignette = None
    if vignette_id and library is not None:
        try:
            vignette = library.vignette(vignette_id)
        except KeyError:
            vignette = None
        else:
            title = vignette.title
            statement = statement or vignette.statement
    error = _text(record.get("error")).strip()
    assessment = _assessment_of(record.get(ASSESSMENT_COLUMN))
    if assessment is None and score is not None and not error and response.strip():
        try:
            assessment = score(response, client_statement=statement or None, vignette=vignette)
        except Exception as exc:  # a row the scorer refuses still gets a report
            error = str(exc)
    notes = tuple(
        RaterNote(
            rater=rater,
            hrq_level=_int(record.get(rater_column(rater, "level"))),
            roadblocks=_ids(record.get(rater_column(rater, "roadblocks"))),
            comment=_text(record.get(rater_column(rater, "comment"))),
        )
        for rater in raters
    )
    notes = tuple(n for n in notes if n.hrq_level is not None or n.roadblocks or n.comment)
    return ReportItem(
        response=response,
        assessment=assessment,
        client_statement=statement,
        vignette_title=title,
        ratings=notes,
        error=error,
        level=None if assessment else _int(record.get("hrq_level")),
        roadblocks=() if assessment else _ids(record.get("roadblocks")),
        feedback="" if assessment else _text(record.get("feedback")),
    )
