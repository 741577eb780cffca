"""Grading files as a user makes them, through the command line: a broken quote, a cell cut to
length, a column of the user's own that grading would overwrite, a report graded with another
rubric, text a spreadsheet guarded, and one row the scorer cannot score among a class."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run_cli as run

from empathy_training.errors import InputError
from empathy_training.grading import grade, read_responses
from empathy_training.scoring import pipeline, score_responses
from empathy_training.tables import MAX_CELL_CHARS

STATEMENT = "I keep forgetting my tablets and my daughter is cross with me."


def test_an_unclosed_quote_is_refused_naming_its_line(tmp_path: Path) -> None:
    source = tmp_path / "quote.csv"
    source.write_text(
        "trainee,response,client_statement\n"
        "ana,You sound tired.,I am tired.\n"
        'ben,"You sound sad, I am sad.\n'
        "cat,You sound low.,I am low.\n",
        encoding="utf-8",
    )
    result = run("grade", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.returncode != 0
    assert "line 3" in result.stderr and "never closed" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_cell_cut_to_length_is_said(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    pd.DataFrame(
        {"response": ["You sound worn out."], "client_statement": ["word " * MAX_CELL_CHARS]}
    ).to_csv(source, index=False)
    result = run("grade", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert "Note:" in result.stderr and "was cut" in result.stderr and "line 2" in result.stderr


@pytest.mark.parametrize("own", ["Feedback", "error", "Confidence"])
def test_a_column_grading_would_overwrite_is_refused(tmp_path: Path, own: str) -> None:
    source = tmp_path / "own.csv"
    pd.DataFrame(
        {"response": ["You sound worn out."], "client_statement": [STATEMENT], own: ["mine"]}
    ).to_csv(source, index=False)
    result = run("grade", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.returncode != 0
    assert f"'{own}'" in result.stderr and "rename" in result.stderr


def test_a_graded_file_can_be_graded_again(tmp_path: Path) -> None:
    source, once, twice = tmp_path / "in.csv", tmp_path / "once.csv", tmp_path / "twice.csv"
    pd.DataFrame({"response": ["You sound worn out."], "client_statement": [STATEMENT]}).to_csv(
        source, index=False
    )
    assert run("grade", str(source), "-o", str(once)).returncode == 0
    result = run("grade", str(once), "-o", str(twice))
    assert result.returncode == 0, result.stderr
    assert list(pd.read_csv(once).columns) == list(pd.read_csv(twice).columns)


def test_text_guarded_against_formulas_reads_back_as_written(tmp_path: Path) -> None:
    source, graded = tmp_path / "in.csv", tmp_path / "graded.csv"
    response = "- I did everything you asked, and it still hurts."
    pd.DataFrame(
        {"trainee": ["Ana"], "response": [response], "client_statement": [STATEMENT]}
    ).to_csv(source, index=False)
    assert run("grade", str(source), "-o", str(graded)).returncode == 0
    assert pd.read_csv(graded)["response"][0] == "'" + response  # guarded in the file
    assert read_responses(graded)["response"][0] == response  # and read back as written


def test_feedback_reports_use_the_rubric_the_file_was_graded_with(tmp_path: Path) -> None:
    source, graded = tmp_path / "in.csv", tmp_path / "graded.csv"
    pd.DataFrame(
        {"trainee": ["Ana"], "response": ["You're worn out."], "client_statement": [STATEMENT]}
    ).to_csv(source, index=False)
    assert run("grade", str(source), "-o", str(graded), "--rubric", "validation").returncode == 0
    feedback = str(pd.read_csv(graded)["feedback"][0])
    result = run(
        "report", "feedback", str(graded), "-o", str(tmp_path / "out"), "--rubric", "validation"
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "Ana.html").read_text(encoding="utf-8")
    assert feedback.split(".")[0].replace("'", "&#x27;") in page
    assert "makes sense that you feel" in page  # the validation rubric's advice
    default = run("report", "feedback", str(graded), "-o", str(tmp_path / "default"))
    assert default.returncode == 0, default.stderr
    assert "makes sense that you feel" not in (tmp_path / "default" / "Ana.html").read_text()


def test_one_row_that_cannot_be_scored_leaves_the_class_reading_for_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statement = (  # a cue the statement model alone is unsure of (tests/test_grading_class.py)
        "Honestly the diet is going badly. I have been skipping my insulin so I lose weight "
        "faster. My sister says I look good."
    )
    answers = [
        "You're worn out with the diet.",
        "Are you skipping your insulin to hurt yourself?",
        "You sound fed up, and your sister's words matter to you.",
        "The diet matters a lot to you.",
    ]
    together = score_responses(answers, client_statement=statement)
    assess = pipeline._assess

    def fails_on_the_last(text: str, *args: object, **kwargs: object) -> object:
        if text == answers[-1]:
            raise RuntimeError("a fault in the scorer")
        return assess(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_assess", fails_on_the_last)
    graded = grade(pd.DataFrame({"response": answers, "client_statement": statement}))
    expected = [getattr(a, "risk_handled", None) or "" for a in together[:3]]
    assert expected[0] == "passed_over"  # heard only with the class
    assert list(graded["risk_handled"][:3]) == expected
    assert "could not score" in graded["error"][3]
    with pytest.raises(InputError):
        grade(pd.DataFrame({"response": ["x"], "client_statement": ["y"], "Error": ["z"]}))
