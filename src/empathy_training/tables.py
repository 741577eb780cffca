"""Reading tables of responses from CSV and XLSX files, in bounded time and memory.

Rows, columns and cells are capped while the file is read (a spreadsheet's declared size is
never trusted), control characters are taken out of every cell, and a file that would be read
wrongly (ragged rows, two columns of the same name, broken XML) is refused with a message that
names the file and, where there is one, the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import InputError, TooManyRowsError

__all__ = [
    "CSV_SUFFIXES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "XLSX_SUFFIXES",
    "Table",
    "clean_text",
    "read_table",
    "workbook_notes",
]

#: Suffixes read as CSV.
CSV_SUFFIXES = (".csv",)
#: Suffixes read as Excel workbooks.
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: Most data rows read from one file; a file with more is refused.
MAX_ROWS = 200_000
#: Most columns a table may have.
MAX_COLUMNS = 200
#: Longest cell kept; longer cells are cut to this and reported.
MAX_CELL_CHARS = 50_000
#: Longest CSV cell read at all (then cut to MAX_CELL_CHARS); a longer one refuses the file.
MAX_CSV_FIELD_CHARS = 16_000_000
#: Largest uncompressed part of an XLSX file (a small file can unpack to gigabytes).
MAX_XLSX_PART_BYTES = 300_000_000
#: Excel's last row; a sheet that claims rows beyond it is refused.
MAX_SHEET_ROW = 1_048_576
#: Characters of the first line read to guess the CSV delimiter (the sniffer can backtrack for
#: a long time on crafted text, so it sees the header only).
SNIFF_CHARS = 4_096

_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("[\x0b\x0c]")


@dataclass(frozen=True)
class Table:
    """The header and rows of a table, every cell as clean text."""

    columns: tuple[str, ...]
    """Column names as written in the file (control characters removed)."""
    rows: list[tuple[str, ...]] = field(repr=False)
    """Data rows, each as long as `columns`."""
    lines: list[int] = field(repr=False)
    """The line (CSV) or sheet row (XLSX) each data row started on."""
    notes: tuple[str, ...] = ()
    """What a reader should know: cells cut to MAX_CELL_CHARS, and where."""


def clean_text(value: str) -> str:
    """`value` without control characters; vertical tab and form feed become line breaks."""
    if value.isprintable():
        return value
    return _DROPPED.sub("", _LINE_BREAKS.sub("\n", value))


def read_table(path: Path, *, max_rows: int = MAX_ROWS) -> Table:
    """Read the first sheet of an XLSX file or a CSV file (by suffix) as text.

    Raises InputError naming the file (and the line, where there is one) for a file that is
    missing, of an unknown type, unreadable, ragged, too large, or with duplicate columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + XLSX_SUFFIXES)
        raise InputError(f"{path}: unknown file type '{path.suffix}'; use one of {known}")
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    reader = _csv_rows if suffix in CSV_SUFFIXES else _xlsx_rows
    return _collect(path, reader(path), max_rows)


def _collect(path: Path, numbered: Iterator[tuple[int, list[str]]], max_rows: int) -> Table:
    header: list[str] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    notes: list[str] = []
    for line, raw in numbered:
        cells = [_cell(path, line, i, value, notes) for i, value in enumerate(raw)]
        while cells and not cells[-1] and header is not None and len(cells) > len(header):
            cells.pop()  # a spreadsheet pads rows with empty cells
        if not any(cells):
            continue
        if header is None:
            header = _header(path, line, cells)
            continue
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        if len(cells) > len(header):
            raise InputError(
                f"{path}: line {line}: {len(cells)} fields but the header has {len(header)}; "
                "a value with a comma or a line break must be in double quotes, and rows must "
                "not end with an extra separator. Nothing was read."
            )
        if len(rows) >= max_rows:
            raise TooManyRowsError(
                f"{path}: more than {max_rows:,} rows (line {line}); split the file and try again"
            )
        rows.append(tuple(cells))
        lines.append(line)
    if header is None:
        raise InputError(f"{path}: the file is empty")
    return Table(tuple(header), rows, lines, tuple(notes[:20]))


def _cell(path: Path, line: int, column: int, value: str, notes: list[str]) -> str:
    if len(value) > MAX_CELL_CHARS:
        notes.append(
            f"line {line}, column {column + 1}: a cell of {len(value):,} characters was cut "
            f"to {MAX_CELL_CHARS:,}"
        )
        value = value[:MAX_CELL_CHARS]
    return clean_text(value).strip()


def _header(path: Path, line: int, cells: list[str]) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        raise InputError(f"{path}: line {line}: {len(cells)} columns; the limit is {MAX_COLUMNS}")
    names = [name or f"column_{i + 1}" for i, name in enumerate(cells)]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = name.strip().lower().replace(" ", "_")
        if key in seen:
            raise InputError(
                f"{path}: line {line}: columns {seen[key] + 1} and {i + 1} are both named "
                f"'{name}'; rename one and try again"
            )
        seen[key] = i
    return names


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open("rb") as raw:
        start = raw.read(4)
        raw.seek(0)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            yield from _parse_csv(path, text)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: cannot read the file as UTF-8 (byte {exc.start} of a block is not "
                "valid). Save it as 'CSV UTF-8' (in Excel: Save As > CSV UTF-8) and try again."
            ) from None


def _parse_csv(path: Path, text: IO[str]) -> Iterator[tuple[int, list[str]]]:
    first = text.readline()
    header = first[:SNIFF_CHARS]
    counts = {d: header.count(d) for d in ",;\t"}
    delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
    rest = _chain(first, text)
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    try:
        reader = csv.reader(rest, delimiter=delimiter, strict=True)
        line = 1
        try:
            for cells in reader:
                yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):  # a quote opened and never closed
                raise InputError(
                    f'{path}: line {line}: a cell opens a quote (") that is never closed, so '
                    "every line after it would be read into that cell; close the quote or "
                    "remove it and try again"
                ) from None
            raise InputError(
                f"{path}: line {reader.line_num}: not a readable CSV row ({exc}); no cell may "
                f"be longer than {MAX_CSV_FIELD_CHARS:,} characters"
            ) from None
    finally:
        csv.field_size_limit(limit)


def _chain(first: str, text: IO[str]) -> Iterable[str]:
    """The first line followed by the rest of `text`, read lazily."""
    yield first
    yield from text


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.file_size > MAX_XLSX_PART_BYTES:
                    raise InputError(
                        f"{path}: part '{info.filename}' unpacks to {info.file_size:,} bytes; "
                        "too large to read"
                    )
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is not usable
        raise InputError(f"{path}: not a readable XLSX workbook ({_short(exc)})") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared size may claim a million rows
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > MAX_SHEET_ROW:
                raise InputError(f"{path}: the sheet claims rows beyond row {MAX_SHEET_ROW:,}")
            if len(values) > MAX_COLUMNS:
                raise InputError(
                    f"{path}: row {line} has cells beyond column {MAX_COLUMNS}; the limit is "
                    f"{MAX_COLUMNS} columns"
                )
            yield line, ["" if v is None else _as_text(v) for v in values]
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path}: not a readable XLSX workbook ({_short(exc)})") from None
    finally:
        workbook.close()


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


_MERGED = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"'
)


def workbook_notes(path: Path) -> list[str]:
    """What a grader should know about an XLSX file that `read_table` has read.

    Merged cells keep their value in the first cell only, so the other rows of the range read
    as empty; formulas are never run: a formula cell reads as the value the spreadsheet program
    last calculated and saved with the file, or as empty if it never did; only the first sheet
    is read. Streams the sheet like `read_table`, so it is as bounded.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    notes: list[str] = []
    try:
        sheet = workbook.worksheets[0]
        if len(workbook.worksheets) > 1:
            notes.append(
                f"The workbook has {len(workbook.worksheets)} sheets; only the first, "
                f"'{sheet.title}', was read."
            )
        merged = _merged_ranges(sheet._get_source())
        if merged:
            shown = ", ".join(merged[:5]) + (" ..." if len(merged) > 5 else "")
            notes.append(
                f"{len(merged)} merged range{'s' if len(merged) != 1 else ''} ({shown}): a "
                "merged range keeps its value in its first cell only, so its other rows read as "
                "empty (an empty response is reported as not scored). Unmerge and fill those "
                "cells, then upload again."
            )
        sheet.reset_dimensions()
        count, first = 0, ""
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)):
            if line > MAX_ROWS:
                break
            for column, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    count += 1
                    first = first or f"{_column_letters(column + 1)}{line + 1} {value[:40]}"
        if count:
            notes.append(
                f"{count} cell{' holds' if count == 1 else 's hold'} a formula (first: {first}). "
                "Formulas are not run: each was read as the value last calculated and saved "
                "with the file, or as empty if it never was."
            )
    finally:
        workbook.close()
    return notes


def _merged_ranges(source: IO[bytes]) -> list[str]:
    found: list[str] = []
    tail = b""
    with source:
        while chunk := source.read(1 << 20):
            block = tail + chunk
            found.extend(m.decode() for m in _MERGED.findall(block))
            cut = block.rfind(b"<")
            tail = block[cut:] if cut >= 0 and len(block) - cut < 200 else b""
            if tail:
                found = found[: len(found) - len(_MERGED.findall(tail))]
            if len(found) > 1000:
                break
    return found


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
