"""Feedback never offers a client's self-critical words back as their feeling (DESIGN.md)."""

from __future__ import annotations

import re

import pytest

from empathy_training import score_response
from empathy_training.loading import load_library

LIBRARY = load_library()
LABELLED = [(v, label) for v in LIBRARY.vignettes for label in v.answer_key.self_labels]
RESPONSES = ("You should try to get some rest.", "What happened next?")


def as_feeling(label: str) -> re.Pattern[str]:
    """'feeling <label>', 'you feel like a <label>', 'feel so <label>'."""
    return re.compile(
        r"\bfeel(?:s|ing)?\s+(?:like\s+)?(?:(?:a|an|so|really|such)\s+)*" + re.escape(label),
        re.IGNORECASE,
    )


def offered_as_feeling() -> list[str]:
    found = []
    for vignette, label in LABELLED:
        for response in RESPONSES:
            a = score_response(response, vignette=vignette, rubric=LIBRARY.rubric_for(vignette))
            for text in (a.feedback, *(c.feedback for c in a.criteria)):
                if as_feeling(label).search(text):
                    found.append(f"{vignette.id}: {text}")
    return found


def test_the_library_has_self_labels_to_check() -> None:
    assert len(LABELLED) >= 10
    assert as_feeling("thick").search("for example: 'It sounds like you're feeling thick.'")


def test_no_suggested_wording_offers_a_self_label_as_a_feeling() -> None:
    assert offered_as_feeling() == []


@pytest.mark.parametrize(
    ("statement", "word"),
    [
        ("I'm so pathetic, I can't even do the washing up any more.", "pathetic"),
        ("I feel like a burden to everyone since the stroke.", "burden"),
        ("I'm just thick, I failed the resit again.", "thick"),
    ],
)
def test_without_a_vignette_self_critical_words_are_not_offered_back(
    statement: str, word: str
) -> None:
    a = score_response("You should try to get some rest.", client_statement=statement)
    for text in (a.feedback, *(c.feedback for c in a.criteria)):
        assert not as_feeling(word).search(text), text
