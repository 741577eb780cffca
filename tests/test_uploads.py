"""Reading an uploaded file from its bytes: limits, and messages that name the file."""

from __future__ import annotations

import pytest

from empathy_training.errors import InputError
from empathy_training.uploads import read_upload


def test_a_file_is_read_from_its_bytes() -> None:
    uploaded = read_upload("Week 1.CSV", b"response,client_statement\nYou're tired.,I'm tired.\n")
    assert uploaded.name == "Week 1.CSV" and uploaded.notes == ()
    assert list(uploaded.table["response"]) == ["You're tired."]


def test_a_file_too_large_is_refused_before_it_is_read() -> None:
    with pytest.raises(
        InputError, match=r"big\.csv is 0\.0 MB.*up to 0 MB.*empathy-training grade"
    ):
        read_upload("big.csv", b"x" * 101, max_bytes=100)


def test_too_many_rows_name_the_limit() -> None:
    content = b"response,client_statement\n" + b"Hi.,Hello.\n" * 4
    with pytest.raises(InputError, match=r"more than 3 responses.*Split the file"):
        read_upload("long.csv", content, max_rows=3)


def test_a_refusal_names_the_file_as_uploaded_not_where_it_was_kept() -> None:
    with pytest.raises(InputError) as refused:
        read_upload("answers.csv", b"trainee,answer\nSam,hello\n")
    assert str(refused.value).startswith("answers.csv could not be read: answers.csv: ")
    assert "uploaded-file" not in str(refused.value)


def test_cells_cut_to_length_are_noted() -> None:
    content = b"response,client_statement\n" + b"a" * 60_000 + b",I'm tired.\n"
    uploaded = read_upload("long-cell.csv", content)
    assert any("was cut" in note for note in uploaded.notes)
