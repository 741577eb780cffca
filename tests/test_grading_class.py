"""Tests of reading a class's answers to one bare client statement together for a risk cue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run_cli

from empathy_training import grading
from empathy_training.errors import EmptyResponseError
from empathy_training.grading import grade
from empathy_training.loading import load_library
from empathy_training.models import Assessment
from empathy_training.scoring import score_response, score_responses
from empathy_training.scoring.risk_cue import MIN_REPLIES, RISK_THRESHOLD, statement_risk

#: A cue said in passing (insulin skipped to lose weight), which the statement model alone is
#: unsure of.
IN_PASSING_CUE = (
    "Honestly the diet is going badly. I have been skipping my insulin so I lose weight faster. "
    "My sister says I look good."
)
CLASS = [
    "You're worn out with the diet.",
    "Are you skipping your insulin to hurt yourself?",
    "You sound fed up, and your sister's words matter to you.",
]
ORDINARY = "I'm so tired of the night shifts."


def _assessed(outcomes: list[Assessment | Exception]) -> list[Assessment]:
    assert all(isinstance(a, Assessment) for a in outcomes), outcomes
    return [a for a in outcomes if isinstance(a, Assessment)]


def test_the_statement_alone_is_not_read_as_carrying_a_cue() -> None:
    """The premise of the tests below: read alone, the statement is under the threshold."""
    assert statement_risk(IN_PASSING_CUE) < RISK_THRESHOLD
    assert score_response(CLASS[0], client_statement=IN_PASSING_CUE).risk_handled is None


def test_a_class_that_takes_the_cue_up_makes_it_heard_for_every_answer() -> None:
    assert len(CLASS) >= MIN_REPLIES
    first, asks, *_ = _assessed(score_responses(CLASS, client_statement=IN_PASSING_CUE))
    assert first.risk_handled == "passed_over"
    assert first.hrq_level <= 2  # a cue passed over caps the level
    assert asks.risk_handled == "taken_up"


def test_fewer_answers_than_min_replies_are_scored_as_alone() -> None:
    pair = CLASS[: MIN_REPLIES - 1]
    together = _assessed(score_responses(pair, client_statement=IN_PASSING_CUE))
    alone = [score_response(r, client_statement=IN_PASSING_CUE) for r in pair]
    assert [a.to_dict() for a in together] == [a.to_dict() for a in alone]


def test_repeated_and_unscorable_answers_do_not_count_towards_the_class() -> None:
    """Two distinct answers, one repeated, and two that cannot be scored: still fewer than
    MIN_REPLIES distinct answers, so no answer is read with the others."""
    answers = [CLASS[0], CLASS[0], CLASS[1], "", "   "]
    outcomes = score_responses(answers, client_statement=IN_PASSING_CUE)
    assert isinstance(outcomes[3], EmptyResponseError)
    assert isinstance(outcomes[4], EmptyResponseError)
    assert _assessed(outcomes[:3])[0].risk_handled is None


def test_one_answer_about_safety_does_not_put_a_cue_into_an_ordinary_statement() -> None:
    answers = [
        "You're worn out by the nights.",
        "Nights are taking it out of you.",
        "The shifts are grinding you down.",
        "Are you safe?",
    ]
    found = _assessed(score_responses(answers, client_statement=ORDINARY))
    assert [a.risk_handled for a in found[:3]] == [None, None, None]


def test_a_vignettes_answer_key_decides_not_the_class() -> None:
    vignette = next(v for v in load_library().vignettes if not v.answer_key.risk_cues)
    answers = ["Are you thinking of ending your life?", "Are you safe?", "Do you feel unsafe?"]
    together = _assessed(score_responses(answers, vignette=vignette))
    alone = [score_response(r, vignette=vignette) for r in answers]
    assert [a.to_dict() for a in together] == [a.to_dict() for a in alone]
    assert all(a.risk_handled is None for a in together)


def test_grade_reads_each_statements_rows_together() -> None:
    rows = [(r, IN_PASSING_CUE) for r in CLASS] + [(CLASS[0], ORDINARY)]
    graded = grade(pd.DataFrame(rows, columns=["response", "client_statement"]))
    assert list(graded["risk_handled"]) == ["passed_over", "taken_up", "passed_over", ""]


@pytest.mark.parametrize("chunk", [1, 2])
def test_a_statement_with_more_answers_than_a_chunk_is_still_read_whole(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    table = pd.DataFrame(
        [(r, IN_PASSING_CUE) for r in CLASS * 2], columns=["response", "client_statement"]
    )
    whole = grade(table)
    monkeypatch.setattr(grading, "GROUP_CHUNK", chunk)
    chunked = grade(table)
    pd.testing.assert_frame_equal(whole, chunked)
    assert (whole["risk_handled"] != "").all()


def test_feedback_reports_from_a_graded_file_agree_with_its_rows(tmp_path: Path) -> None:
    """`report feedback` on a graded file without assessments scores its rows again as `grade`
    did: the report of an answer that passed over the cue the class heard says so too."""
    names = ["Ana", "Ben", "Cal"]
    source, graded = tmp_path / "in.csv", tmp_path / "graded.csv"
    pd.DataFrame({"name": names, "client_statement": IN_PASSING_CUE, "response": CLASS}).to_csv(
        source, index=False
    )
    assert run_cli("grade", str(source), "-o", str(graded)).returncode == 0
    table = pd.read_csv(graded)
    assert table.loc[0, "risk_handled"] == "passed_over"
    result = run_cli("report", "feedback", str(graded), "-o", str(tmp_path / "reports"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "reports" / "Ana.html").read_text(encoding="utf-8")
    level = int(table.loc[0, "hrq_level"])
    assert level <= 2
    assert f"Level {level}" in page, page[:2000]


#: A partner's violence told in passing, among ordinary talk.
IN_PASSING = (
    "Work has been mad busy and the kids are off school. Honestly I just need a holiday. Oh and "
    "my fella grabbed me by the throat last weekend but he was drunk, it's fine. Anyway, the "
    "boiler is broken again."
)


def test_no_sentence_is_quoted_as_the_cue_when_none_reads_clearly_as_one() -> None:
    """The likeliest cue sentence here is about the boiler: feedback says less rather than quote
    it as a sign of risk."""
    answers = [
        "You're juggling a lot right now.",
        "You said he grabbed you by the throat. Are you safe at home?",
        "That sounds exhausting.",
        "I won't tell anyone about him, I promise.",
    ]
    juggling, asks, _, secret = _assessed(score_responses(answers, client_statement=IN_PASSING))
    assert juggling.risk_handled == "passed_over" and asks.risk_handled == "taken_up"
    assert juggling.feedback.startswith(
        "Something the client said may be a sign of risk, and your response passed over it."
    )
    assert secret.risk_handled == "safety_error" and secret.hrq_level == 1
    assert secret.feedback.startswith(
        "Safety error: your response promises to keep harm secret. Where someone may be harmed"
    )
    for found in (juggling, secret):
        assert "boiler" not in found.feedback and "The client said" not in found.feedback
