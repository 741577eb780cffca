"""Grade a table of written responses: read CSV/XLSX and score every row (`results` writes it)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EmptyResponseError, InputError
from .models import Assessment, Library, Vignette
from .scoring import load_rubric, score_responses
from .scoring.pipeline import read_replies
from .tables import CSV_SUFFIXES, MAX_ROWS, XLSX_SUFFIXES, read_table

__all__ = [
    "ASSESSMENT_COLUMN",
    "CONTRACT_COLUMNS",
    "CSV_SUFFIXES",
    "INTEGER_COLUMNS",
    "XLSX_SUFFIXES",
    "cell_text",
    "grade",
    "grade_with_assessments",
    "read_responses",
    "row_values",
    "typed_contract",
]

#: Columns `grade` adds, in order (plus `error`).
CONTRACT_COLUMNS = (
    "hrq_level",
    "behaviour",
    "question_type",
    "reflection_depth",
    "roadblocks",
    "validation_level",
    "epitome_er",
    "epitome_ip",
    "epitome_ex",
    "confidence",
    "feedback",
    "risk_handled",
)
#: Column `grade(..., assessments=True)` adds: each row's full assessment as JSON.
ASSESSMENT_COLUMN = "assessment"
#: Columns a response table may name, matched ignoring case and surrounding spaces.
INPUT_COLUMNS = ("response", "client_statement", "vignette_id")
#: Most distinct responses to one statement scored at once (memory stays bounded whatever a table
#: holds); a statement with more is first read for a risk cue with all of them.
GROUP_CHUNK = 500
#: Contract columns holding whole numbers.
INTEGER_COLUMNS = ("hrq_level", "validation_level", "epitome_er", "epitome_ip", "epitome_ex")


def read_responses(path: Path, *, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Read a response table from CSV or XLSX (by suffix); every cell is read as clean text.

    Needs a `response` column and a `client_statement` or `vignette_id` column (names matched
    ignoring case and spaces, then written in lower case); other columns are kept as they are.
    Raises InputError with a message naming the file for anything it cannot use; what a reader
    should know besides (cells cut to length) is in the table's `attrs["notes"]`.
    """
    path = Path(path)
    read = read_table(path, max_rows=max_rows)
    columns = []
    for column in read.columns:
        name = column.strip().lower().replace(" ", "_")
        columns.append(name if name in INPUT_COLUMNS else column)
    found = ", ".join(read.columns) or "none"
    if "response" not in columns:
        raise InputError(f"{path}: no 'response' column (columns found: {found})")
    if "client_statement" not in columns and "vignette_id" not in columns:
        raise InputError(
            f"{path}: needs a 'client_statement' or a 'vignette_id' column besides 'response' "
            f"(columns found: {found})"
        )
    if not read.rows:
        raise InputError(f"{path}: the table has a header but no responses")
    table = pd.DataFrame(read.rows, columns=columns, dtype=object).map(_unguarded)
    table.attrs["notes"] = list(read.notes)
    return table


def _unguarded(cell: object) -> object:
    """A cell without the apostrophe that a spreadsheet (or `write_results`) puts before text
    starting like a formula ("'- I did everything" is "- I did everything")."""
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@"):
        return cell[1:]
    return cell


def row_values(assessment: Assessment) -> dict[str, Any]:
    """The contract columns of one assessment."""
    return {
        "hrq_level": assessment.hrq_level,
        "behaviour": assessment.behaviour,
        "question_type": assessment.question_type or "",
        "reflection_depth": assessment.reflection_depth,
        "roadblocks": ";".join(assessment.roadblock_ids),
        "validation_level": assessment.validation_level,
        "epitome_er": assessment.epitome.er,
        "epitome_ip": assessment.epitome.ip,
        "epitome_ex": assessment.epitome.ex,
        "confidence": assessment.confidence,
        "feedback": assessment.feedback,
        "risk_handled": assessment.risk_handled or "",
    }


def cell_text(value: object) -> str:
    """A table cell as text: "" for a missing value (None, NaN, NA)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def grade(
    table: pd.DataFrame,
    *,
    library: Library | None = None,
    rubric: str = "reflection",
    progress: Callable[[int], None] | None = None,
    assessments: bool = False,
) -> pd.DataFrame:
    """Score every row; add the contract columns and `error` (empty when the row was scored).

    With `assessments`, also add ASSESSMENT_COLUMN: each row's `Assessment.to_dict()` as a JSON
    string (empty for a bad row), with the evidence behind every score, so that nothing needs
    scoring twice. A bad row (empty or too long response, unknown vignette id) gets a message in
    `error` and the other rows are still graded. Raises ValueError for an unknown rubric.
    """
    graded, found = _grade(table, library, rubric, progress, keep=assessments)
    if assessments:
        as_json: dict[int, str] = {}  # a repeated row shares its assessment: one JSON each
        for a in found:
            if a is not None and id(a) not in as_json:
                as_json[id(a)] = json.dumps(a.to_dict(), ensure_ascii=False)
        graded[ASSESSMENT_COLUMN] = ["" if a is None else as_json[id(a)] for a in found]
    return graded


def with_assessments(
    graded: pd.DataFrame, *, library: Library | None = None, rubric: str = "reflection"
) -> pd.DataFrame:
    """A graded table without ASSESSMENT_COLUMN, with it added: every row scored again as
    `grade` scored it (the scorer is deterministic, and reads each statement's rows together),
    the table's own columns kept as they are."""
    inputs = graded[[c for c in INPUT_COLUMNS if c in graded.columns]]
    again = grade(inputs, library=library, rubric=rubric, assessments=True)
    return graded.assign(**{ASSESSMENT_COLUMN: again[ASSESSMENT_COLUMN].to_numpy()})


def grade_with_assessments(
    table: pd.DataFrame,
    *,
    library: Library | None = None,
    rubric: str = "reflection",
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[Assessment | None]]:
    """Like `grade`, and each row's Assessment beside it (None for a row with an error)."""
    return _grade(table, library, rubric, progress, keep=True)


def _grade(
    table: pd.DataFrame,
    library: Library | None,
    rubric: str,
    progress: Callable[[int], None] | None,
    *,
    keep: bool,
) -> tuple[pd.DataFrame, list[Assessment | None]]:
    """The graded table, and each row's Assessment if `keep` (else only its columns are kept,
    a small fraction of the memory: a table may hold hundreds of thousands of rows)."""
    load_rubric(rubric)
    if "response" not in table.columns:
        raise InputError("the table has no 'response' column")
    repeated = sorted({c for c in table.columns[table.columns.duplicated()] if c in INPUT_COLUMNS})
    if repeated:
        raise InputError(f"the table has more than one '{repeated[0]}' column")
    _check_own_columns(table)
    blank = [""] * len(table)
    responses = [cell_text(v) for v in table["response"].tolist()]
    statements = [cell_text(v) for v in table.get("client_statement", blank)]
    vignette_ids = [cell_text(v).strip() for v in table.get("vignette_id", blank)]
    rows: list[dict[str, Any]] = [{} for _ in responses]
    errors = [""] * len(responses)
    found: list[Assessment | None] = [None] * len(responses)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, group in enumerate(zip(vignette_ids, statements, strict=True)):
        groups.setdefault(group, []).append(i)
    # The rows answering one statement are scored together: what the scorer works out from a
    # statement is kept for the last few hundred, and all its answers are read for a risk cue.
    for (vignette_id, statement), members in sorted(groups.items()):
        try:
            if vignette_id and library is None:
                library = _bundled_library()
            vignette = _vignette(vignette_id, library) if vignette_id else None
        except InputError as exc:
            for i in members:
                errors[i] = str(exc)
            if progress is not None:
                progress(len(members))
            continue
        kept = _score_group(
            [responses[i] for i in members], statement, vignette, rubric, progress, keep=keep
        )
        for i in members:
            rows[i], found[i], errors[i] = kept[responses[i]]
    out = table.copy()
    scored = pd.DataFrame(rows, index=out.index, columns=list(CONTRACT_COLUMNS))
    for column in CONTRACT_COLUMNS:
        out[column] = scored[column]
    out = typed_contract(out)
    out["error"] = errors
    return out, found


def _check_own_columns(table: pd.DataFrame) -> None:
    """Refuse a table whose own columns grading would overwrite or duplicate ('Feedback', a
    supervisor's 'error' notes), unless they are all a previous grade's (graded again)."""
    ours = {*CONTRACT_COLUMNS, "error", ASSESSMENT_COLUMN}
    clash = [
        str(c)
        for c in table.columns
        if str(c).strip().lower().replace(" ", "_") in ours and str(c) not in INPUT_COLUMNS
    ]
    regrade = set(CONTRACT_COLUMNS) <= set(map(str, table.columns)) and all(
        c in ours for c in clash
    )
    if clash and not regrade:
        names = ", ".join(f"'{c}'" for c in clash)
        raise InputError(
            f"the table's own column(s) {names} would be overwritten by the grade's columns of "
            "the same name; rename them and try again"
        )


def _score_group(
    responses: list[str],
    statement: str,
    vignette: Vignette | None,
    rubric: str,
    progress: Callable[[int], None] | None,
    *,
    keep: bool,
) -> dict[str, tuple[dict[str, Any], Assessment | None, str]]:
    """Each distinct response to one statement: its contract values, its Assessment (if `keep`)
    and its error message, scored together (`score_responses`) GROUP_CHUNK at a time."""
    counts = Counter(responses)
    distinct = list(counts)
    replies = None
    if len(distinct) > GROUP_CHUNK and vignette is None and statement.strip():
        replies = read_replies(distinct, statement)  # all of them, a chunk at a time after
    kept = {}
    for start in range(0, len(distinct), GROUP_CHUNK):
        chunk = distinct[start : start + GROUP_CHUNK]
        outcomes = _score_chunk(chunk, statement, vignette, rubric, replies)
        for response, outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, Assessment):
                kept[response] = (row_values(outcome), outcome if keep else None, "")
            else:
                kept[response] = ({}, None, outcome)
        if progress is not None:
            progress(sum(counts[r] for r in chunk))
    return kept


def _score_chunk(
    chunk: list[str], statement: str, vignette: Vignette | None, rubric: str, replies: float | None
) -> list[Assessment | str]:
    """Assessments, or error messages, for some distinct responses to one statement."""
    try:
        scored = score_responses(
            chunk,
            client_statement=statement or None,
            vignette=vignette,
            rubric=rubric,
            replies=replies,
        )
    except Exception as exc:
        if len(chunk) > 1:  # one bad row must not stop the batch: score them one by one,
            if replies is None and vignette is None and statement.strip():  # read together
                replies = _replies_of_readable(chunk, statement)
            return [
                o for r in chunk for o in _score_chunk([r], statement, vignette, rubric, replies)
            ]
        return [f"could not score this response ({type(exc).__name__}: {exc})"]
    return [_outcome(a) for a in scored]


def _replies_of_readable(chunk: list[str], statement: str) -> float | None:
    """How the responses that can be read at all read together for a risk cue (`read_replies`),
    when reading them all at once failed."""
    readable = []
    for response in chunk:
        try:
            read_replies([response], statement)
        except Exception:  # the row that failed; it gets its own message
            continue
        readable.append(response)
    return read_replies(readable, statement)


def _outcome(scored: Assessment | InputError) -> Assessment | str:
    if isinstance(scored, EmptyResponseError):
        return "empty response"
    return str(scored) if isinstance(scored, InputError) else scored


def typed_contract(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a graded table with its contract columns typed: whole numbers as Int64,
    `confidence` as Float64, the rest as text; a missing value stays missing (empty text)."""
    out = table.copy()
    for column in CONTRACT_COLUMNS:
        values = out[column] if column in out.columns else pd.Series(None, index=out.index)
        if column in INTEGER_COLUMNS:
            out[column] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif column == "confidence":
            out[column] = pd.to_numeric(values, errors="coerce").astype("Float64")
        else:
            out[column] = pd.Series([cell_text(v) for v in values], index=out.index, dtype=str)
    return out


_BUNDLED: list[Library] = []


def _bundled_library() -> Library:
    if not _BUNDLED:
        from .loading import load_library

        _BUNDLED.append(load_library())
    return _BUNDLED[0]


def _vignette(vignette_id: str, library: Library | None) -> Vignette:
    if library is None:
        raise InputError(f"no scenario library to find vignette '{vignette_id}' in")
    try:
        return library.vignette(vignette_id)
    except KeyError:
        raise InputError(f"unknown vignette id '{vignette_id}'") from None
