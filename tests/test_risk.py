"""The exact words of risk: explicit cues in statements, plain questions in responses."""

from __future__ import annotations

import pytest

from empathy_training.loading import load_library
from empathy_training.scoring import score_response
from empathy_training.scoring.risk import asks_directly, direct_question, explicit_cue


@pytest.mark.parametrize(
    "statement",
    [
        "I'm going to kill myself.",
        "Honestly I've thought about suicide a lot lately.",
        "I don't want to be alive any more.",
        "Everyone would be better off without me.",
        "I've been cutting myself again.",
    ],
)
def test_an_explicit_cue_always_counts(statement: str) -> None:
    assert explicit_cue(statement)
    reflection = score_response(
        "You're feeling really low at the moment.", client_statement=statement
    )
    assert reflection.risk_handled == "passed_over"
    assert reflection.hrq_level <= 2


@pytest.mark.parametrize(
    "statement",
    ["This job is killing me.", "I could murder a cup of tea.", "My knee hurts all the time."],
)
def test_idioms_and_pain_are_not_explicit_cues(statement: str) -> None:
    assert not explicit_cue(statement)


def test_asking_plainly_about_suicide_is_never_passed_over() -> None:
    library = load_library()
    for vignette_id in ("risk-tablets-in-the-drawer", "risk-better-off-without-me"):
        vignette = library.vignette(vignette_id)
        a = score_response("Are you thinking about killing yourself?", vignette=vignette)
        assert a.risk_handled == "taken_up" and not a.missed_risk, vignette_id
    assert asks_directly("Are you having thoughts of ending your life?")
    assert not asks_directly("You sound exhausted.")


def test_the_suggested_question_fits_the_kind_of_cue() -> None:
    assert "ending your life" in direct_question("suicide")
    assert "safe at home" in direct_question("abuse")
    assert "ending your life" not in direct_question("neglect")
    assert direct_question("unknown kind") == "are you safe?"
