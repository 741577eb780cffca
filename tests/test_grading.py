"""Tests of grading a table of responses: reading, scoring every row, writing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from empathy_training.errors import InputError
from empathy_training.grading import (
    ASSESSMENT_COLUMN,
    CONTRACT_COLUMNS,
    INTEGER_COLUMNS,
    grade,
    read_responses,
    typed_contract,
)
from empathy_training.models import (
    AnswerKey,
    Assessment,
    Exemplar,
    Library,
    Module,
    RiskCue,
    Vignette,
)
from empathy_training.results import write_results
from empathy_training.scoring import MAX_RESPONSE_CHARS, score_response, score_responses

DATA = Path(__file__).parent / "data" / "grading"

VIGNETTE = Vignette(
    id="test-tablets",
    title="Tablets in the drawer",
    setting="primary care",
    client="A man in his fifties.",
    statement=(
        "I'm knackered. I stopped taking the sleeping tablets; I've been keeping them in a "
        "drawer, just in case it gets too much."
    ),
    difficulty="advanced",
    answer_key=AnswerKey(
        stated_feelings=("knackered",),
        unstated_feelings=("hopeless",),
        meanings=(),
        key_content=("tablets", "drawer"),
        risk_cues=(RiskCue("suicide", "just in case", ("tablets", "safe", "just in case")),),
    ),
    exemplars=(Exemplar("You're knackered.", 3, "simple"),),
)
LIBRARY = Library((Module("test", "Test", "A test module.", (VIGNETTE,)),))


def test_grades_a_good_csv_and_keeps_other_columns() -> None:
    table = read_responses(DATA / "responses.csv")
    ticks: list[int] = []
    graded = grade(table, library=LIBRARY, progress=ticks.append)
    assert sum(ticks) == len(table) == 6
    for column in (*CONTRACT_COLUMNS, "error", "trainee", "note"):
        assert column in graded.columns
    assert list(graded["note"]) == list(table["note"])
    first = graded.iloc[0]
    alone = score_response(
        table.iloc[0]["response"], client_statement=table.iloc[0]["client_statement"]
    )
    assert (first["hrq_level"], first["behaviour"], first["error"]) == (
        alone.hrq_level,
        alone.behaviour,
        "",
    )
    assert first["behaviour"] == "reflection" and first["hrq_level"] >= 3
    assert "advising" in graded.iloc[1]["roadblocks"].split(";")
    assert graded.iloc[1]["hrq_level"] == 1
    assert graded.iloc[2]["error"] == "empty response"
    assert pd.isna(graded.iloc[2]["hrq_level"])
    by_vignette = score_response(table.iloc[3]["response"], vignette=VIGNETTE)
    assert graded.iloc[3]["error"] == ""
    assert graded.iloc[3]["hrq_level"] == by_vignette.hrq_level
    assert "unknown vignette id 'no-such-vignette'" in graded.iloc[4]["error"]
    assert graded.iloc[5]["error"] == ""


def test_too_long_response_is_a_row_error() -> None:
    table = pd.DataFrame(
        {
            "response": ["x" * (MAX_RESPONSE_CHARS + 1), "You're tired."],
            "client_statement": "I'm tired.",
        }
    )
    graded = grade(table)
    assert "20,000" in graded.iloc[0]["error"]
    assert graded.iloc[1]["error"] == ""


def test_unknown_rubric_is_refused_before_grading() -> None:
    table = pd.DataFrame({"response": ["You're tired."], "client_statement": ["I'm tired."]})
    with pytest.raises(ValueError, match="known rubrics"):
        grade(table, rubric="nope")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_and_read_back(tmp_path: Path, suffix: str) -> None:
    graded = grade(read_responses(DATA / "responses.csv"), library=LIBRARY)
    out = tmp_path / f"graded{suffix}"
    write_results(graded, out)
    back = read_responses(out)
    assert list(back.columns) == list(graded.columns)
    assert back.iloc[0]["hrq_level"] == str(graded.iloc[0]["hrq_level"])
    # A CSV cell is defused with a leading "'" (an XLSX cell is stored as text as it is), and
    # either reads back as it was written.
    formula_like = '=HYPERLINK("http://example.org","click") You feel confused about all of it.'
    assert back.iloc[5]["response"] == formula_like
    assert list(back["response"]) == list(graded["response"].astype(str))
    if suffix == ".csv":
        assert pd.read_csv(out)["response"][5] == "'" + formula_like


def test_reads_xlsx_input(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    pd.DataFrame({"Response": ["You're tired."], "Vignette ID": ["test-tablets"]}).to_excel(
        path, index=False
    )
    table = read_responses(path)
    assert {"response", "vignette_id"} <= set(table.columns)
    assert grade(table, library=LIBRARY).iloc[0]["error"] == ""


def test_semicolon_csv_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeffresponse;client_statement\nYou're tired.;I'm tired.\n".encode())
    assert read_responses(path).iloc[0]["response"] == "You're tired."


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("response,client_statement\nTu es fatigué.,Je suis fatigué.\n", "utf-16")
    assert read_responses(path).iloc[0]["response"] == "Tu es fatigué."


def test_wrong_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("response,client_statement\nTu es fatigué.,Je suis épuisé.\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"in\.csv.*UTF-8"):
        read_responses(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("response,client_statement\n", "no responses"),
        ("answer,client_statement\nYou're tired.,I'm tired.\n", "no 'response' column"),
        ("response,trainee\nYou're tired.,t1\n", "'client_statement' or a 'vignette_id'"),
    ],
)
def test_unusable_tables(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message):
        read_responses(path)


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown file type"):
        read_responses(tmp_path / "in.json")
    with pytest.raises(InputError, match="not found"):
        read_responses(tmp_path / "missing.csv")


def test_broken_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(InputError, match="XLSX"):
        read_responses(path)


def test_assessments_column_holds_each_rows_assessment() -> None:
    table = read_responses(DATA / "responses.csv")
    plain = grade(table, library=LIBRARY)
    assert ASSESSMENT_COLUMN not in plain.columns
    graded = grade(table, library=LIBRARY, assessments=True)
    assert list(graded.columns) == [*plain.columns, ASSESSMENT_COLUMN]
    first = Assessment.from_dict(json.loads(graded.iloc[0][ASSESSMENT_COLUMN]))
    expected = score_response(
        table.iloc[0]["response"], client_statement=table.iloc[0]["client_statement"]
    )
    assert first == expected
    assert first.hrq_level == graded.iloc[0]["hrq_level"]
    assert first.evidence  # the evidence the grading view shows, without scoring again
    vignette_row = Assessment.from_dict(json.loads(graded.iloc[3][ASSESSMENT_COLUMN]))
    assert vignette_row.vignette_id == "test-tablets"
    assert graded.iloc[2][ASSESSMENT_COLUMN] == ""  # the empty response: no assessment
    assert graded.iloc[4][ASSESSMENT_COLUMN] == ""  # unknown vignette


def test_a_response_that_is_not_english_gets_an_error_and_the_rest_are_graded() -> None:
    table = pd.DataFrame(
        {
            "response": ["Tu es fatigué et tu en as marre de tout ça.", "You're worn out."],
            "client_statement": ["I'm so tired.", "I'm so tired."],
        }
    )
    graded = grade(table)
    assert "reads English" in graded.iloc[0]["error"]
    assert graded.iloc[1]["error"] == "" and graded.iloc[1]["hrq_level"] >= 1


def test_risk_handling_is_a_column_and_a_safety_error_is_level_one() -> None:
    statement = "He hits me when he's drunk, but please don't tell anyone."
    table = pd.DataFrame(
        {
            "response": [
                "I won't tell anyone, I promise. It stays between us.",
                "You love him. Has he hurt you badly? Are you safe at home?",
                "You're tired of the drinking.",
            ],
            "client_statement": [statement] * 3,
        }
    )
    graded = grade(table)
    assert list(graded["risk_handled"]) == ["safety_error", "taken_up", "passed_over"]
    assert graded.iloc[0]["hrq_level"] == 1
    assert graded.iloc[2]["hrq_level"] <= 2


def test_rows_answering_many_statements_in_any_order_keep_their_own_scores() -> None:
    """Rows are scored grouped by statement (each statement's answers together); each result
    must still land on its own row."""
    statements = [
        "I'm so tired of the night shifts.",
        "My son hasn't called in months. I gave him everything.",
        "I'm knackered and I've stopped taking my tablets, I keep them in a drawer.",
    ]
    responses = [
        "You're worn out by the nights.",
        "You should call him yourself.",
        "Are you thinking of taking them all at once?",
        "It sounds like the silence hurts.",
    ]
    pairs = [(r, s) for r in responses for s in statements] + [("", statements[0])]
    table = pd.DataFrame(pairs[::-1], columns=["response", "client_statement"])
    ticks: list[int] = []
    graded = grade(table, progress=ticks.append)
    assert sum(ticks) == len(table)
    assert list(graded["response"]) == list(table["response"])
    assert graded.iloc[0]["error"] == "empty response"
    together = {
        s: dict(zip(responses, score_responses(responses, client_statement=s), strict=True))
        for s in statements
    }
    for i, (response, statement) in enumerate(pairs[::-1][1:], start=1):
        alone = together[statement][response]
        assert isinstance(alone, Assessment)
        row = graded.iloc[i]
        assert (row["hrq_level"], row["roadblocks"], row["risk_handled"], row["feedback"]) == (
            alone.hrq_level,
            ";".join(alone.roadblock_ids),
            alone.risk_handled or "",
            alone.feedback,
        ), (response, statement)


def test_all_rows_in_error_still_give_typed_columns() -> None:
    table = pd.DataFrame({"response": ["", " "], "client_statement": ["I'm tired.", "Hm."]})
    graded = grade(table)
    assert list(graded["error"]) == ["empty response", "empty response"]
    assert all(str(graded[c].dtype) == "Int64" for c in INTEGER_COLUMNS)
    assert list(graded["behaviour"]) == ["", ""] and str(graded["confidence"].dtype) == "Float64"


def test_typed_contract_makes_levels_whole_numbers_again() -> None:
    # As a table comes back from JSON or a store: levels as floats with gaps, texts as None.
    loose = pd.DataFrame({"hrq_level": [3.0, None], "roadblocks": ["advising", None]})
    typed = typed_contract(loose)
    assert typed["hrq_level"].tolist() == [3, pd.NA]
    assert typed["roadblocks"].tolist() == ["advising", ""]
    assert set(CONTRACT_COLUMNS) <= set(typed.columns)


def test_a_table_with_two_statement_columns_is_refused() -> None:
    table = pd.DataFrame(
        [["You're tired.", "I'm tired.", "I'm so tired."]],
        columns=["response", "client_statement", "client_statement"],
    )
    with pytest.raises(InputError, match="more than one 'client_statement' column"):
        grade(table)
