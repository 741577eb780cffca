"""Writing grading results: whole numbers as whole numbers, no formulas, the results table."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from empathy_training.batches import Batch, review_table
from empathy_training.errors import InputError
from empathy_training.feedback_reports import ASSESSMENT_COLUMN, RaterNote
from empathy_training.grading import grade
from empathy_training.results import (
    csv_bytes,
    file_stem,
    results_table,
    whole_numbers,
    write_results,
    xlsx_bytes,
)


def csv_cells(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_whole_numbers_are_written_without_a_decimal_point(tmp_path: Path) -> None:
    # How a results table may hold its numbers: floats with gaps, objects with None, text.
    table = pd.DataFrame(
        {
            "hrq_level": [3.0, float("nan"), 5.0],
            "attempt_id": [33, None, 35],
            "Ana (level)": pd.array([2, None, 4], dtype="Int64"),
            "Ben (level)": ["3", "", "1"],
            "confidence": [0.5, 1.0, float("nan")],
            "age": [31.0, 42.0, 57.0],  # a column of the grader's own: left as it is
            "note": ["3.0", "", "x"],
        }
    )
    cells = csv_cells(csv_bytes(table))
    assert list(cells["hrq_level"]) == ["3", "", "5"]
    assert list(cells["attempt_id"]) == ["33", "", "35"]
    assert list(cells["Ana (level)"]) == ["2", "", "4"]
    assert list(cells["Ben (level)"]) == ["3", "", "1"]
    assert list(cells["confidence"]) == ["0.5", "1.0", ""]
    assert list(cells["age"]) == ["31.0", "42.0", "57.0"]
    assert list(cells["note"]) == ["3.0", "", "x"]
    write_results(table, tmp_path / "out.csv")
    assert csv_cells((tmp_path / "out.csv").read_bytes()).equals(cells)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet is not None
    assert [c.value for c in sheet["A"]] == ["hrq_level", 3, None, 5]
    assert all(isinstance(c.value, int) for c in sheet["B"][1:] if c.value is not None)


def test_a_column_that_is_not_all_whole_numbers_is_left_alone() -> None:
    table = pd.DataFrame({"attempt_id": ["a7", "8"], "Ana (level)": [2.5, 3.0]})
    assert whole_numbers(table).equals(table)


def test_csv_has_crlf_line_ends_and_an_optional_byte_order_mark() -> None:
    table = pd.DataFrame({"response": ["caf\u00e9"]})
    assert csv_bytes(table) == "response\r\ncaf\u00e9\r\n".encode()
    assert csv_bytes(table, bom=True).startswith(b"\xef\xbb\xbfresponse")


def test_times_are_written_in_utc_without_a_zone() -> None:
    when = pd.Series([datetime(2024, 5, 1, 9, 30, tzinfo=UTC)]).dt.tz_convert("Europe/Paris")
    table = pd.DataFrame({"time": when})
    assert csv_cells(csv_bytes(table)).loc[0, "time"] == "2024-05-01 09:30:00"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet is not None and sheet["A2"].value == datetime(2024, 5, 1, 9, 30)


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    table = pd.DataFrame({"response": ["=1+1"], "client_statement": ["I'm tired."]})
    out = tmp_path / "graded.xlsx"
    write_results(grade(table), out)
    sheet = load_workbook(out).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_look_like_formulas_are_defused(tmp_path: Path, start: str) -> None:
    text = f"{start}1+1 is what you think"
    table = pd.DataFrame(
        {
            "response": [text, "You're tired."],
            "client_statement": ["I'm tired.", text],
            "note": [f"{start}cmd|' /C calc'!A0", "fine"],
        }
    )
    out = tmp_path / "graded.csv"
    write_results(grade(table), out)
    raw = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert raw.loc[0, "response"] == "'" + text
    assert raw.loc[1, "client_statement"] == "'" + text
    assert raw.loc[0, "note"].startswith("'" + start)
    assert raw.loc[1, "response"] == "You're tired."
    # Numbers are left alone; so is text that merely contains a formula character.
    assert raw.loc[1, "hrq_level"].lstrip("-").isdigit()
    assert not raw.loc[1, "feedback"].startswith("'")


def test_defusing_leaves_the_graded_table_untouched(tmp_path: Path) -> None:
    table = pd.DataFrame({"response": ["-3 stars from me"], "client_statement": ["I'm tired."]})
    graded = grade(table)
    write_results(graded, tmp_path / "graded.csv")
    assert graded.loc[0, "response"] == "-3 stars from me"


def test_an_unknown_suffix_or_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown file type"):
        write_results(pd.DataFrame({"response": ["x"]}), tmp_path / "out.txt")
    with pytest.raises(InputError, match="cannot write"):
        write_results(pd.DataFrame({"response": ["x"]}), tmp_path / "no" / "out.csv")


def test_results_table_adds_trainees_attempts_and_the_raters_shown() -> None:
    graded = grade(
        pd.DataFrame({"client_statement": ["I'm tired."] * 2, "response": ["You're tired.", ""]})
    )
    batch = Batch(
        name="pre.csv",
        graded=graded,
        assessments=(None, None),
        attempt_ids=(7, None),
        trainees=("row 1", "row 2"),
    )
    ratings = {7: {"Ana": RaterNote("Ana", 3, ("advising",), "Fine."), "Ben": RaterNote("Ben", 2)}}
    results = results_table(review_table(batch), batch.assessments, ratings, ["Ana"])
    assert list(results["trainee"]) == ["row 1", "row 2"]
    assert list(results["attempt_id"]) == [7, pd.NA]
    assert list(results["Ana (level)"]) == [3, pd.NA]
    assert list(results["Ana (roadblocks)"]) == ["advising", ""]
    assert not any(c.startswith("Ben") for c in results.columns)  # not shown: not written
    assert ASSESSMENT_COLUMN in results.columns
    assert not any(c.startswith("_") for c in results.columns)


def test_file_stems() -> None:
    assert file_stem("Graded upload: Week 1 (final).xlsx") == "week-1-final"
    assert file_stem("???") == "grading"
