"""Exports of a workshop's attempts: columns, pseudonyms, formula-safe CSV, Excel text."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from empathy_training.workshop_export import (
    EXPORT_COLUMNS,
    export_bytes,
    export_file_name,
    export_table,
    pseudonyms,
    to_csv_bytes,
    to_xlsx_bytes,
)

from rooms import WORKSHOP, Room, assessment, example_room


@pytest.fixture
def room() -> Room:
    return example_room()


def test_export_has_every_attempt_and_the_contract_columns(room: Room) -> None:
    table = export_table(room.attempts, room.trainees, pseudonymise=False, workshops=[WORKSHOP])
    assert list(table.columns) == list(EXPORT_COLUMNS)
    assert len(table) == len(room.attempts)
    dee = table[table["trainee"] == "Dee"].iloc[0]
    assert dee["roadblocks"] == "reassuring;moralizing;advising"
    assert dee["hrq_level"] == 1 and dee["workshop"] == "Tuesday group"
    assert dee["feedback"] == "Feedback on level 1."
    cai = table[table["trainee"] == "Cai"].iloc[0]
    assert cai["question_type"] == "closed" and cai["epitome_ex"] == 1
    assert set(table["scorer_version"]) == {"test-1"}
    assert str(table["time"].dt.tz) == "UTC"


def test_pseudonymised_export_has_no_real_names(room: Room) -> None:
    table = export_table(room.attempts, room.trainees, pseudonymise=True)
    # Ben answered first, then Ana, Cai, Dee; Eve never answered
    assert list(table["trainee"]) == [
        "Trainee 01",
        "Trainee 02",
        "Trainee 01",
        "Trainee 03",
        "Trainee 04",
        "Trainee 02",
    ]
    text = to_csv_bytes(table).decode()
    for name in ("Ana", "Ben", "Cai", "Dee", "Eve"):
        assert name not in text
    assert pseudonyms(room.attempts) == pseudonyms(reversed(room.attempts))  # stable


def test_pseudonyms_widen_past_99() -> None:
    room = Room()
    for n in range(120):
        room.answer(room.trainee(f"T{n}"), "v-one", assessment("You feel it.", 3, depth="simple"))
    names = pseudonyms(room.attempts)
    assert names[1] == "Trainee 001" and names[120] == "Trainee 120"


def test_csv_round_trips_and_defuses_formulas(room: Room) -> None:
    evil = room.trainee("=cmd|' /C calc'!A0")
    room.answer(evil, "v-two", assessment('=HYPERLINK("http://x")', 2))
    table = export_table(room.attempts, room.trainees, pseudonymise=False)
    back = pd.read_csv(io.BytesIO(to_csv_bytes(table)), keep_default_na=False)
    assert list(back.columns) == list(EXPORT_COLUMNS)
    assert len(back) == len(room.attempts)
    assert back["response"].iloc[-1] == '\'=HYPERLINK("http://x")'
    assert back["trainee"].iloc[-1].startswith("'=")
    raw = pd.read_csv(io.BytesIO(to_csv_bytes(table, formula_safe=False)), keep_default_na=False)
    assert raw["response"].iloc[-1] == '=HYPERLINK("http://x")'


def test_xlsx_keeps_text_as_text(room: Room) -> None:
    sam = room.trainee("Sam")
    room.answer(sam, "v-two", assessment("=1+1\x07 and a bell", 2))
    table = export_table(room.attempts, room.trainees, pseudonymise=False, workshops=[WORKSHOP])
    workbook = load_workbook(io.BytesIO(to_xlsx_bytes(table)))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert len(rows) == len(room.attempts) + 1
    last = dict(zip(EXPORT_COLUMNS, rows[-1], strict=True))
    assert last["response"] == "=1+1 and a bell"  # text, not a formula; the bell dropped
    assert last["trainee"] == "Sam" and last["hrq_level"] == 2
    assert isinstance(last["time"], datetime)
    assert sheet.cell(row=len(rows), column=EXPORT_COLUMNS.index("response") + 1).data_type == "s"


def test_empty_export_still_has_the_columns() -> None:
    table = export_table([], [], pseudonymise=True)
    assert list(table.columns) == list(EXPORT_COLUMNS) and table.empty
    assert to_csv_bytes(table).decode().strip() == ",".join(EXPORT_COLUMNS)
    assert to_xlsx_bytes(table).startswith(b"PK")


def test_export_file_names_are_safe_and_say_what_they_hold() -> None:
    day = date(2026, 3, 2)
    assert (
        export_file_name("Ward 4, March", "csv", pseudonymised=True, day=day)
        == "ward-4-march-2026-03-02-pseudonymised.csv"
    )
    assert export_file_name("../../etc", "xlsx", pseudonymised=False, day=day) == (
        "etc-2026-03-02.xlsx"
    )
    assert export_file_name("???", "csv", pseudonymised=False, day=day).startswith("workshop-")
    with pytest.raises(ValueError, match="unknown export kind"):
        export_file_name("Ward 4", "pdf", pseudonymised=False, day=day)


def test_export_bytes_of_each_kind(room: Room) -> None:
    table = export_table(room.attempts, room.trainees, pseudonymise=True)
    assert export_bytes(table, "csv") == to_csv_bytes(table)
    assert export_bytes(table, "xlsx").startswith(b"PK")
    with pytest.raises(ValueError):
        export_bytes(table, "pdf")
