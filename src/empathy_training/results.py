"""Grading results as files: the results table, then CSV or XLSX, whole numbers written as such."""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from .batches import INTERNAL_COLUMNS, UPLOAD_PREFIX
from .calibration import Rating
from .errors import InputError
from .feedback_reports import (
    ASSESSMENT_COLUMN,
    RaterNote,
    rater_column,
    raters_in,
    trainee_column,
    with_rater_columns,
)
from .grading import INTEGER_COLUMNS
from .models import Assessment
from .review import attempt_ids
from .tables import CSV_SUFFIXES, XLSX_SUFFIXES, clean_text

__all__ = [
    "FORMULA_STARTS",
    "csv_bytes",
    "defuse_formulas",
    "file_stem",
    "results_table",
    "whole_numbers",
    "write_results",
    "xlsx_bytes",
]

#: First characters that make a spreadsheet read a CSV cell as a formula; a text cell starting
#: with one gets a "'" before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns of a results table that hold whole numbers, besides each rater's level column.
WHOLE_NUMBER_COLUMNS = (*INTEGER_COLUMNS, "attempt_id")
#: MIME type of an XLSX workbook.
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_table(
    table: pd.DataFrame,
    assessments: Sequence[Assessment | None],
    ratings: Mapping[int, Mapping[str, Rating]],
    raters: Iterable[str],
) -> pd.DataFrame:
    """A review table's rows (`batches.review_table`) as results: their own columns, the
    automatic scores, `attempt_id`, and a level, roadblocks and comment column per rater in
    `raters`. Adds `trainee` when the file had no trainee column; ASSESSMENT_COLUMN holds each
    row's Assessment (None where it was not scored)."""
    shown = set(raters)
    notes = [
        {
            r: RaterNote(r, rec.hrq_level, tuple(rec.roadblocks), rec.comment)
            for r, rec in (ratings.get(a, {}) if a is not None else {}).items()
            if r in shown
        }
        for a in attempt_ids(table)
    ]
    base = table.drop(columns=list(INTERNAL_COLUMNS)).reset_index(drop=True)
    if trainee_column(base) is None:
        base.insert(0, "trainee", list(table["_trainee"]))
    if "attempt_id" not in base.columns:
        base["attempt_id"] = pd.array(list(table["_attempt"]), dtype="Int64")
    base[ASSESSMENT_COLUMN] = pd.Series(list(assessments), dtype=object)
    return with_rater_columns(base, notes)


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every column that should hold whole numbers holds them as integers,
    a missing value staying missing: WHOLE_NUMBER_COLUMNS and each rater's level column.

    A column holding anything else (text, fractions) is left as it is; so are other columns.
    """
    out = table.copy()
    wanted = {*WHOLE_NUMBER_COLUMNS, *(rater_column(r, "level") for r in raters_in(out))}
    for column in out.columns:
        if column not in wanted or pd.api.types.is_integer_dtype(out[column]):
            continue
        blank = out[column].map(lambda v: isinstance(v, str) and not v.strip())
        numbers = pd.to_numeric(out[column].mask(blank), errors="coerce")
        given = out[column].notna() & ~blank
        if bool((numbers.notna() == given).all()) and bool((numbers.dropna() % 1 == 0).all()):
            out[column] = numbers.astype("Int64")
    return out


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table in which no text cell starts like a spreadsheet formula: a "'" goes
    before a cell starting with one of FORMULA_STARTS. Numbers are left as they are;
    control characters are taken out of every text cell."""
    out = table.copy()
    out.columns = [clean_text(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        out[column] = series.map(_defuse)
    out.columns = [_defuse(str(c)) for c in out.columns]
    return out


def csv_bytes(table: pd.DataFrame, *, bom: bool = False) -> bytes:
    """The table as UTF-8 CSV with CRLF line ends, formulas defused (see `defuse_formulas`).

    Whole numbers are written as such (3, not 3.0; see `whole_numbers`), a missing value as an
    empty cell, times in UTC without a zone. With `bom`, the text starts with a byte-order
    mark, so that Excel reads accented letters rightly.
    """
    out = defuse_formulas(_export_ready(table))
    # CRLF line ends (RFC 4180) also make the writer quote a cell holding a lone CR.
    text = out.to_csv(index=False, lineterminator="\r\n")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def xlsx_bytes(table: pd.DataFrame, *, sheet_name: str = "graded") -> bytes:
    """The table as an Excel workbook: every text cell stored as text (never run as a
    formula), control characters taken out, whole numbers as integers, times in UTC."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name[:31]
    out = _export_ready(table)
    sheet.append([clean_text(str(c)) for c in out.columns])
    for r, row in enumerate(out.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = clean_text(value)
                cell.data_type = "s"
            elif isinstance(value, pd.Timestamp):
                cell.value = value.to_pydatetime()
            elif hasattr(value, "item"):
                cell.value = value.item()
            else:
                cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_results(table: pd.DataFrame, path: Path) -> None:
    """Write a graded table to CSV (UTF-8, `csv_bytes`) or XLSX (`xlsx_bytes`), by suffix.

    Trainee text is untrusted, so neither file can make a spreadsheet run a formula.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + XLSX_SUFFIXES)
        raise InputError(f"{path}: unknown file type '{path.suffix}'; use one of {known}")
    data = csv_bytes(table) if suffix in CSV_SUFFIXES else xlsx_bytes(table)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from exc


def file_stem(name: str) -> str:
    """A file name's stem for the files made from it: lower case, letters, digits and hyphens."""
    stem = os.path.splitext(name.removeprefix(UPLOAD_PREFIX))[0]
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "grading"


def _export_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Whole numbers as integers; times in UTC without a zone (spreadsheets have none)."""
    out = whole_numbers(table)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _defuse(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
