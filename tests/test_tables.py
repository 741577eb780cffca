"""Hostile and malformed spreadsheets: refused or cut with a clear message, in bounded memory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from empathy_training import tables
from empathy_training.errors import InputError, TooManyRowsError
from empathy_training.grading import grade, read_responses
from empathy_training.results import write_results
from empathy_training.tables import MAX_CELL_CHARS, clean_text, read_table


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _read_in_child(path: Path) -> subprocess.CompletedProcess[str]:
    """Read a file with `empathy-training grade` in a child process capped at 1 GB."""
    code = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "from empathy_training.cli import main; sys.argv = ['x', 'grade', sys.argv[1], '-o', "
        "sys.argv[2]]; main()"
    )
    out = path.with_name("out.csv")
    return subprocess.run(
        [sys.executable, "-c", code, str(path), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_workbook_whose_only_cell_is_at_xfd1048576_is_refused_in_bounded_memory(
    tmp_path: Path,
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["XFD1048576"] = "x"
    path = tmp_path / "far.xlsx"
    book.save(path)
    assert path.stat().st_size < 10_000
    result = _read_in_child(path)
    assert result.returncode != 0
    assert "far.xlsx" in result.stderr and "column" in result.stderr
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


def test_a_sheet_claiming_rows_beyond_excels_last_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "claims.xlsx", [["response", "client_statement"], ["a", "b"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(
        "</sheetData>",
        '<row r="999999999"><c r="A999999999" t="inlineStr">'
        "<is><t>x</t></is></c></row></sheetData>",
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match="beyond row"):
        read_table(path)


def test_a_million_row_csv_is_refused_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    path.write_text("response,client_statement\n" + "ok,fine\n" * 1_000_000, "utf-8")
    with pytest.raises(TooManyRowsError, match=r"million\.csv: more than 200,000 rows"):
        read_table(path)
    with pytest.raises(TooManyRowsError, match="more than 20,000 rows"):
        read_responses(path, max_rows=20_000)


def test_a_million_row_sheet_is_refused_while_reading(tmp_path: Path) -> None:
    rows: list[list[object]] = [["response", "client_statement"]]
    rows += [["ok", "fine"]] * 30
    path = _xlsx(tmp_path / "many.xlsx", rows)
    with pytest.raises(TooManyRowsError, match=r"many\.xlsx: more than 20 rows \(line 22\)"):
        read_table(path, max_rows=20)


def test_huge_cells_are_cut_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    statement = "I am tired. " * 900_000  # about 10 MB
    path.write_text(f'response,client_statement\n"{"a" * 1_000_000}","{statement}"\n', "utf-8")
    table = read_responses(path)
    assert len(table.iloc[0]["response"]) == MAX_CELL_CHARS
    assert len(table.iloc[0]["client_statement"]) <= MAX_CELL_CHARS
    notes = table.attrs["notes"]
    assert any("1,000,000 characters was cut" in n for n in notes)
    graded = grade(table)
    assert "too long" in graded.iloc[0]["error"] or "characters" in graded.iloc[0]["error"]


def test_a_row_with_more_fields_than_the_header_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "trainee,response,client_statement\n"
        "Sam,Well, you seem tired,I'm tired.\n"
        "Alex,You're tired.,I'm tired.\n",
        "utf-8",
    )
    with pytest.raises(InputError, match=r"ragged\.csv: line 2: 4 fields but the header has 3"):
        read_responses(path)


def test_a_trailing_comma_on_every_row_reads_every_response(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text(
        "response,client_statement\nYou're tired.,I'm tired.,\nYou're low.,I'm low.,\n", "utf-8"
    )
    table = read_responses(path)
    assert table["response"].tolist() == ["You're tired.", "You're low."]
    assert grade(table)["error"].tolist() == ["", ""]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_two_columns_of_the_same_name_are_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"twice{suffix}"
    rows = [["response", "Response", "client_statement"], ["a", "b", "c"]]
    if suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
    else:
        _xlsx(path, rows)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="columns 1 and 2 are both named 'Response'"):
        read_responses(path)


def test_malformed_xml_in_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "broken.xlsx", [["response", "client_statement"], ["a", "b"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:-40] + b"<row <<"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable XLSX workbook"):
        read_responses(path)


def test_a_part_that_unpacks_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _xlsx(tmp_path / "bomb.xlsx", [["response", "client_statement"], ["a", "b"]])
    monkeypatch.setattr(tables, "MAX_XLSX_PART_BYTES", 100)
    with pytest.raises(InputError, match="unpacks to"):
        read_table(path)


def test_control_characters_are_taken_out_and_results_still_write(tmp_path: Path) -> None:
    assert clean_text("a\x00b\x0bc\x07d\te") == "ab\ncd\te"
    path = tmp_path / "word.csv"
    path.write_text(
        'response,client_statement\n"You\x0bfeel\x00 tired.","I\x0bam tired."\n', "utf-8"
    )
    table = read_responses(path)
    assert table.iloc[0]["response"] == "You\nfeel tired."
    graded = grade(table)
    graded.loc[0, "feedback"] += "\x00\x0b"  # as if a stored text held them
    out = tmp_path / "out.xlsx"
    write_results(graded, out)
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["A2"].value == "You\nfeel tired."
    write_results(graded, tmp_path / "out.csv")
    assert "\x00" not in (tmp_path / "out.csv").read_text("utf-8")
