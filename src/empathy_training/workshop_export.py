"""A workshop's attempts as a table, CSV or Excel, with names pseudonymised if wanted."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from datetime import UTC, date
from typing import Any

import pandas as pd

from .grading import CONTRACT_COLUMNS, row_values
from .workshop import Attempt, Trainee, Workshop

#: Columns of `export_table`, in order.
EXPORT_COLUMNS = (
    "attempt_id",
    "time",
    "workshop",
    "trainee",
    "module_id",
    "vignette_id",
    "response",
    *CONTRACT_COLUMNS,
    "scorer_version",
)
#: Free-text columns: untrusted, so guarded against spreadsheet formulas in CSV exports.
TEXT_COLUMNS = ("workshop", "trainee", "response", "feedback")
#: File kinds an export can be, with their MIME types.
EXPORT_KINDS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet reads a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def pseudonyms(attempts: Iterable[Attempt]) -> dict[int, str]:
    """A stable pseudonym per trainee id: 'Trainee 01', '02', ... in order of first attempt."""
    first: dict[int, int] = {}
    for attempt in attempts:
        if attempt.trainee_id not in first or attempt.id < first[attempt.trainee_id]:
            first[attempt.trainee_id] = attempt.id
    ordered = sorted(first, key=lambda trainee_id: first[trainee_id])
    width = max(2, len(str(len(ordered))))
    return {trainee_id: f"Trainee {n:0{width}d}" for n, trainee_id in enumerate(ordered, 1)}


def export_table(
    attempts: Iterable[Attempt],
    trainees: Iterable[Trainee],
    *,
    pseudonymise: bool,
    workshops: Iterable[Workshop] = (),
) -> pd.DataFrame:
    """Every attempt with its assessment's contract columns, one row each, in id order.

    With `pseudonymise`, trainee names are replaced by `pseudonyms`; the responses are kept
    as written (a trainee may still have typed a name into one). Times are UTC.
    """
    attempt_list = sorted(attempts, key=lambda a: a.id)
    names = pseudonyms(attempt_list) if pseudonymise else {t.id: t.display_name for t in trainees}
    workshop_names = {w.id: w.name for w in workshops}
    rows: list[dict[str, Any]] = []
    for attempt in attempt_list:
        a = attempt.assessment
        rows.append(
            {
                "attempt_id": attempt.id,
                "time": attempt.created_at.astimezone(UTC),
                "workshop": ""
                if attempt.workshop_id is None
                else workshop_names.get(attempt.workshop_id, str(attempt.workshop_id)),
                "trainee": names.get(attempt.trainee_id, f"trainee #{attempt.trainee_id}"),
                "module_id": attempt.module_id,
                "vignette_id": attempt.vignette_id,
                "response": attempt.response,
                **row_values(a),
                "scorer_version": a.scorer_version,
            }
        )
    table = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    table["time"] = pd.to_datetime(table["time"], utc=True)
    return table


def to_csv_bytes(table: pd.DataFrame, *, formula_safe: bool = True) -> bytes:
    """The table as UTF-8 CSV.

    With `formula_safe`, a free-text cell that a spreadsheet would run as a formula (it
    starts with =, +, -, @, tab or carriage return) gets a leading apostrophe.
    """
    out = table.copy()
    if formula_safe:
        for column in TEXT_COLUMNS:
            if column in out.columns:
                out[column] = out[column].map(_defuse)
    return out.to_csv(index=False).encode("utf-8")


def to_xlsx_bytes(table: pd.DataFrame, *, sheet_name: str = "attempts") -> bytes:
    """The table as an Excel workbook; text is stored as text, never as a formula.

    Times are written in UTC without a zone (Excel has none); characters Excel cannot
    store (control characters) are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in table.columns])
    for record in table.itertuples(index=False, name=None):
        row: list[Any] = []
        for value in record:
            if isinstance(value, pd.Timestamp):
                value = value.tz_convert(UTC).tz_localize(None).to_pydatetime()
            elif isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                value = None
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar -> Python
            row.append(value)
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a response starting with '=' stays text
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, 1):
        width = 60 if column in ("response", "feedback") else max(10, len(str(column)) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def export_file_name(workshop_name: str, kind: str, *, pseudonymised: bool, day: date) -> str:
    """A safe file name: 'ward-4-march-2026-03-02-pseudonymised.csv'."""
    if kind not in EXPORT_KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", workshop_name).strip("-").lower() or "workshop"
    return f"{stem}-{day:%Y-%m-%d}{'-pseudonymised' if pseudonymised else ''}.{kind}"


def export_bytes(table: pd.DataFrame, kind: str) -> bytes:
    """The table as 'csv' (formula-safe) or 'xlsx' bytes."""
    if kind == "csv":
        return to_csv_bytes(table)
    if kind == "xlsx":
        return to_xlsx_bytes(table)
    raise ValueError(f"unknown export kind {kind!r}")
