"""Clinical rules on the bundled vignettes: risk handling (rubrics/risk-handling.yml) and readings
that go too far."""

from __future__ import annotations

import pytest

from empathy_training.loading import load_library
from empathy_training.models import Assessment
from empathy_training.scoring import score_response
from empathy_training.scoring.risk import means_direction

LIBRARY = load_library()


def _score(vignette_id: str, text: str) -> Assessment:
    vignette = LIBRARY.vignette(vignette_id)
    return score_response(text, vignette=vignette, rubric=LIBRARY.rubric_for(vignette))


def _risk_feedback(a: Assessment) -> str:
    return next(c.feedback for c in a.criteria if c.id == "takes-up-risk")


@pytest.mark.parametrize(
    ("vignette_id", "text", "says"),
    [
        (
            "risk-tablets-in-the-drawer",
            "Those sleeping tablets won't do you any good sitting in a drawer. "
            "Start taking them again tonight.",
            "could make harm easier",
        ),
        (
            "risk-locked-in-waiting",
            "You're lucky your son keeps you safe by locking the door.",
            "goes along with restriction or abuse",
        ),
        (
            "risk-better-off-without-me",
            "Don't talk like that, your family loves you.",
            "could play the risk down",
        ),
        (
            "risk-hoodie-in-july",
            "I won't tell anyone, it stays between us.",
            "promises to keep harm secret",
        ),
    ],
)
def test_unsafe_content_is_a_safety_error_that_says_why(
    vignette_id: str, text: str, says: str
) -> None:
    a = _score(vignette_id, text)
    assert a.risk_handled == "safety_error" and a.hrq_level == 1
    assert says in _risk_feedback(a)
    assert a.feedback.startswith("Safety error")  # the one next step on the card


@pytest.mark.parametrize(
    ("vignette_id", "text"),
    [
        ("risk-better-off-without-me", "Are you thinking about killing yourself?"),
        ("risk-tablets-in-the-drawer", "Are you having thoughts of ending your life?"),
        (
            "risk-tablets-in-the-drawer",
            "Could you hand those tablets in to the pharmacy, so they're not in the house?",
        ),
    ],
)
def test_asking_directly_or_moving_the_means_away_takes_the_cue_up(
    vignette_id: str, text: str
) -> None:
    a = _score(vignette_id, text)
    assert a.risk_handled == "taken_up"
    assert "passed over" not in _risk_feedback(a)


def test_are_you_safe_alone_is_taken_up_but_called_weaker() -> None:
    a = _score("risk-better-off-without-me", "Are you safe?")
    assert a.risk_handled == "taken_up"
    feedback = _risk_feedback(a)
    assert "easy to answer" in feedback and "ending your life" in feedback


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Start taking them again tonight, the tablets will help.", "towards"),
        ("Keep hold of the tablets just in case.", "towards"),
        ("You keep the tablets in the drawer just in case.", None),  # a reflection
        ("Are you still taking the tablets?", None),  # a question steers nowhere
        ("Could someone look after them for you? The tablets, I mean.", "away"),
        ("Start taking the rope course again.", None),  # not a means the client named
    ],
)
def test_means_direction_needs_a_means_the_client_named(text: str, direction: str | None) -> None:
    context = "I've got a drawer full of sleeping tablets, just in case."
    assert means_direction(text, context) == direction


def test_a_reading_the_key_says_goes_too_far_keeps_level_3_at_most() -> None:
    close = _score(
        "rlb-three-inhalers",
        "Three inhalers in a year, each one different, and underneath it you sound worried "
        "about getting it wrong.",
    )
    too_far = _score(
        "rlb-three-inhalers",
        "Three inhalers in a year, each one different, and underneath it you sound angry with "
        "your doctor.",
    )
    assert too_far.hrq_level <= 3 < close.hrq_level
    assert any(c.id == "no-over-interpretation" and not c.met for c in too_far.criteria)


def test_dont_worry_is_not_credited_with_catching_worried() -> None:
    a = _score("rlb-three-inhalers", "Don't worry, you'll soon get the hang of it.")
    assert a.accuracy is not None and "worried" not in a.accuracy.caught


@pytest.mark.parametrize(
    ("response", "handled"),
    [
        ("Just take an extra couple tonight to help you sleep.", "safety_error"),
        ("You could double up tonight and get some rest.", "safety_error"),
        pytest.param(
            "Take more exercise, it helps sleep.",
            "passed_over",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known model error (corpus-mlp-15): 'take more' beside stored tablets "
                "read as a safety error by the model, though no rule finds a means",
            ),
        ),
        ("Have a few more early nights this week.", "passed_over"),
    ],
)
def test_more_of_a_named_means_is_a_safety_error_without_naming_it(
    response: str, handled: str
) -> None:
    statement = "I've saved up my tablets, I keep them by the bed."
    assert means_direction(response, statement) == (
        "towards" if handled == "safety_error" else None
    )
    assert score_response(response, client_statement=statement).risk_handled == handled
