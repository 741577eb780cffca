"""Grade a table of written responses: read CSV/XLSX, score every row, write the results."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EmptyResponseError, InputError, ResponseTooLongError
from .models import Assessment, Library, Vignette
from .scoring import load_rubric, score_response
from .tables import CSV_SUFFIXES, MAX_ROWS, XLSX_SUFFIXES, clean_text, read_table

__all__ = [
    "ASSESSMENT_COLUMN",
    "CONTRACT_COLUMNS",
    "CSV_SUFFIXES",
    "XLSX_SUFFIXES",
    "defuse_formulas",
    "grade",
    "grade_with_assessments",
    "read_responses",
    "row_values",
    "write_results",
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
#: First characters that make a spreadsheet read a CSV cell as a formula; `write_results` puts a
#: "'" before a text cell that starts with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns a response table may name, matched ignoring case and surrounding spaces.
INPUT_COLUMNS = ("response", "client_statement", "vignette_id")
_INTEGER_COLUMNS = ("hrq_level", "validation_level", "epitome_er", "epitome_ip", "epitome_ex")


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
    table = pd.DataFrame(read.rows, columns=columns, dtype=object)
    table.attrs["notes"] = list(read.notes)
    return table


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


def _text(value: object) -> str:
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
    graded, found = grade_with_assessments(table, library=library, rubric=rubric, progress=progress)
    if assessments:
        as_json: dict[int, str] = {}  # a repeated row shares its assessment: one JSON each
        for a in found:
            if a is not None and id(a) not in as_json:
                as_json[id(a)] = json.dumps(a.to_dict(), ensure_ascii=False)
        graded[ASSESSMENT_COLUMN] = ["" if a is None else as_json[id(a)] for a in found]
    return graded


def grade_with_assessments(
    table: pd.DataFrame,
    *,
    library: Library | None = None,
    rubric: str = "reflection",
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[Assessment | None]]:
    """Like `grade`, and each row's Assessment beside it (None for a row with an error)."""
    load_rubric(rubric)
    if "response" not in table.columns:
        raise InputError("the table has no 'response' column")
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    found: list[Assessment | None] = []
    cache: dict[tuple[str, str, str], Assessment] = {}
    blank = [""] * len(table)
    responses = table["response"].tolist()
    statements = table["client_statement"].tolist() if "client_statement" in table else blank
    vignette_ids = table["vignette_id"].tolist() if "vignette_id" in table else blank
    for response_cell, statement_cell, vignette_cell in zip(
        responses, statements, vignette_ids, strict=True
    ):
        response = _text(response_cell)
        statement = _text(statement_cell)
        vignette_id = _text(vignette_cell).strip()
        values: dict[str, Any] = {}
        error = ""
        assessment: Assessment | None = None
        try:
            if vignette_id and library is None:
                library = _bundled_library()
            vignette = _vignette(vignette_id, library) if vignette_id else None
            key = (response, statement, vignette_id)
            assessment = cache.get(key)
            if assessment is None:
                assessment = score_response(
                    response,
                    client_statement=statement or None,
                    vignette=vignette,
                    rubric=rubric,
                )
                cache[key] = assessment
            values = row_values(assessment)
        except EmptyResponseError:
            error = "empty response"
        except ResponseTooLongError as exc:
            error = str(exc)
        except InputError as exc:
            error = str(exc)
        except Exception as exc:  # one bad row must not stop the batch
            error = f"could not score this response ({type(exc).__name__}: {exc})"
        rows.append(values)
        errors.append(error)
        found.append(None if error else assessment)
        if progress is not None:
            progress(1)
    out = table.copy()
    scored = pd.DataFrame(rows, index=out.index, columns=list(CONTRACT_COLUMNS))
    for column in CONTRACT_COLUMNS:
        series = scored[column]
        if column in _INTEGER_COLUMNS:
            series = series.astype("Int64")
        elif column == "confidence":
            series = series.astype("Float64")
        else:
            series = series.fillna("").astype(str)
        out[column] = series
    out["error"] = errors
    return out, found


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


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + XLSX_SUFFIXES)
        raise InputError(f"{path}: unknown file type '{path.suffix}'; use one of {known}")
    return suffix


def write_results(table: pd.DataFrame, path: Path) -> None:
    """Write a graded table to CSV (UTF-8) or XLSX, by suffix.

    Trainee text is untrusted, so neither file can make a spreadsheet run a formula: in XLSX
    every text cell is stored as text; in CSV a text cell starting with one of FORMULA_STARTS
    ('=', '+', '-', '@', tab, carriage return) gets a "'" before it. CSV lines end in CRLF.
    Control characters are taken out of every text cell (vertical tabs become line breaks).
    """
    path = Path(path)
    suffix = _suffix(path)
    try:
        if suffix in CSV_SUFFIXES:
            # CRLF line ends (RFC 4180) also make the writer quote a cell holding a lone CR.
            defuse_formulas(table).to_csv(
                path, index=False, encoding="utf-8", lineterminator="\r\n"
            )
        else:
            _write_xlsx(table, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from exc


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table in which no text cell starts like a spreadsheet formula: a "'" goes
    before a cell starting with one of FORMULA_STARTS. Numbers are left as they are."""
    out = table.copy()
    out.columns = [clean_text(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        out[column] = series.map(_defuse)
    out.columns = [_defuse(str(c)) for c in out.columns]
    return out


def _defuse(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "graded"
    sheet.append([clean_text(str(c)) for c in table.columns])
    for r, row in enumerate(table.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if isinstance(value, str):
                cell.value = clean_text(value)
                cell.data_type = "s"
            elif hasattr(value, "item"):
                cell.value = value.item()
            else:
                cell.value = value
    workbook.save(path)
