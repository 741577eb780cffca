"""Tests of scoring against a vignette and its answer key: accuracy, aptness, risk, which
criteria apply, and the wording suggested."""

from __future__ import annotations

import dataclasses
import re

import pytest
from scoring_cases import INHALERS, KNEE, VIGNETTE

from empathy_training.models import (
    Assessment,
    CriterionResult,
    Vignette,
)
from empathy_training.scoring import (
    RUBRIC_NAMES,
    load_rubric,
    score_response,
)


def test_vignette_accuracy_and_over_interpretation() -> None:
    a = score_response(
        "You're knackered and you sound trapped, keeping the tablets in the drawer just in "
        "case. Are you thinking of using them to end your life?",
        vignette=VIGNETTE,
    )
    assert a.accuracy is not None
    assert {"knackered", "trapped", "tablets"} <= set(a.accuracy.caught)
    assert not a.accuracy.missed_risks
    assert a.hrq_level == 5
    over = score_response("You're knackered and clearly depressed.", vignette=VIGNETTE)
    assert over.accuracy is not None and over.accuracy.over_interpretations
    assert over.hrq_level < 5


def test_missed_risk_caps_level_and_leads_feedback() -> None:
    a = score_response(
        "You're exhausted, and part of you feels hopeless about the nights ever getting better.",
        vignette=VIGNETTE,
    )
    assert a.missed_risk
    assert a.hrq_level <= 2
    assert a.feedback.startswith("The client said")
    assert not {c.id: c.met for c in a.criteria}["takes-up-risk"]


# --- aptness: a reflection is about what this client said ------------------------------------


def _library_vignette(vignette_id: str) -> Vignette:
    loading = pytest.importorskip("empathy_training.loading")
    try:
        return loading.load_library().vignette(vignette_id)
    except (FileNotFoundError, KeyError, loading.ScenarioError):
        pytest.skip("scenario library not available")


def _criterion(a: Assessment, criterion_id: str) -> CriterionResult:
    return {c.id: c for c in a.criteria}[criterion_id]


def test_reflection_about_another_client_is_not_accurate() -> None:
    vignette = _library_vignette("rlb-three-inhalers")
    a = score_response(
        "You're fed up that your knee keeps you from the allotment you love.", vignette=vignette
    )
    assert a.hrq_level <= 2
    assert a.validation_level < 2
    assert a.reflection_depth == "none"
    close = _criterion(a, "no-over-interpretation")
    assert not close.met
    assert "'knee'" in close.feedback and "'allotment'" in close.feedback
    assert {s.text for s in close.evidence} >= {"knee", "allotment"}
    assert "knee" in a.feedback  # the summary says why


def test_a_reflection_in_new_words_is_not_called_off_topic_without_a_vignette() -> None:
    """Against one client turn, a reflection that adds meaning must use words the client did
    not say; lexical overlap cannot tell it from one about something else, so the scorer does
    not try (the depth model judges it). Against a vignette's answer key it still does."""
    statement = (
        "My son hasn't rung me since Christmas. I paid for his wedding, I drove him everywhere."
    )
    a = score_response(
        "You gave him everything, and the silence feels like none of it counted.",
        client_statement=statement,
    )
    assert a.reflection_depth in {"simple", "complex"}
    assert a.hrq_level >= 3
    assert "stay with what they told you" not in a.feedback.lower()
    assert all(c.met for c in a.criteria if c.id == "no-over-interpretation")


@pytest.mark.parametrize(
    ("statement", "response", "least"),
    [
        (
            "I pressed the buzzer twice and nobody came. I'm absolutely furious.",
            "You're furious.",
            3,
        ),
        ("She promised she'd come and she didn't show up again.", "So you feel let down.", 3),
        pytest.param(
            "She promised she'd come and she didn't show up again.",
            "You sound really hurt.",
            3,
            marks=pytest.mark.xfail(
                reason="known model error (corpus-mlp-16; right with corpus-mlp-15): a short "
                "reflection of an unstated feeling read as none",
                strict=True,
            ),
        ),
        (KNEE, "It's like the ground has shifted under your feet.", 4),
        (KNEE, "It's as if your whole life has been put on pause.", 4),
        (
            "Since Jean died the house is so quiet. I still set two cups out in the morning.",
            "You sound terribly lonely without her.",
            4,
        ),
        (
            "The baby won't feed properly and the midwife keeps weighing her and frowning.",
            "It sounds like you're judging yourself as a mother by every number on those scales.",
            3,
        ),
        (INHALERS, "You're confused because each one works differently.", 3),
    ],
)
def test_genuine_reflections_are_not_off_topic(statement: str, response: str, least: int) -> None:
    a = score_response(response, client_statement=statement)
    assert a.hrq_level >= least, (a.reflection_depth, a.roadblock_ids)
    assert _criterion(a, "no-over-interpretation").met


def test_answer_key_words_count_as_what_the_client_said() -> None:
    # 'tablets' is in the statement, 'overdose' only in the answer key's meanings.
    a = score_response("You've been saving them up for an overdose.", vignette=VIGNETTE)
    assert _criterion(a, "no-over-interpretation").met


# --- criteria that do not apply, and evidence that is empty ---------------------------------


def test_risk_criterion_only_when_the_vignette_has_risk_cues() -> None:
    no_risk = dataclasses.replace(
        VIGNETTE, answer_key=dataclasses.replace(VIGNETTE.answer_key, risk_cues=())
    )
    for rubric in RUBRIC_NAMES:
        plain = score_response("You're knackered.", vignette=no_risk, rubric=rubric)
        assert "takes-up-risk" not in {c.id for c in plain.criteria}
        alone = score_response("You're knackered.", client_statement=KNEE, rubric=rubric)
        assert "takes-up-risk" not in {c.id for c in alone.criteria}
        risky = score_response("Are you safe?", vignette=VIGNETTE, rubric=rubric)
        assert "takes-up-risk" in {c.id for c in risky.criteria}


def test_library_vignette_without_risk_cues_shows_no_risk_criterion() -> None:
    vignette = _library_vignette("rlb-three-inhalers")
    a = score_response("You're confused by all the changes.", vignette=vignette)
    assert "takes-up-risk" not in {c.id for c in a.criteria}
    assert "('')" not in a.feedback


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_no_template_quotes_empty_evidence(rubric: str) -> None:
    spec = load_rubric(rubric)
    for criterion in spec.criteria:
        for met in (True, False):
            wording = criterion.template(met, evidence=False)
            assert "{evidence}" not in wording, (criterion.id, wording)
            plain = wording.format(**{k: "X" for k in _placeholder_names(wording)})
            assert "('')" not in plain and "()" not in plain and "''" not in plain, plain
            assert plain[:1].isupper() or plain[:1] in "{'", plain


def _placeholder_names(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
@pytest.mark.parametrize(
    "response",
    [
        "You're knackered.",
        "Are you safe?",
        "Have you tried going to bed earlier?",
        "You're worn out and keeping them just in case. Are you thinking of using them?",
        "Part of you wants to stop and part of you is scared.",
    ],
)
def test_feedback_never_quotes_nothing(rubric: str, response: str) -> None:
    for kwargs in ({"vignette": VIGNETTE}, {"client_statement": KNEE}, {}):
        a = score_response(response, rubric=rubric, **kwargs)  # type: ignore[arg-type]
        texts = [a.feedback, *(c.feedback for c in a.criteria)]
        for text in texts:
            assert "('')" not in text and "''" not in text and "()" not in text, text
            assert "{" not in text, text


# --- suggested wording ------------------------------------------------------------------------


def _example_for(statement: str) -> tuple[str, str]:
    """The suggested reflection, and the one that names a feeling, for a response that asks."""
    a = score_response("What happened?", client_statement=statement)
    found = []
    for criterion_id in ("reflects", "names-feeling"):
        feedback = _criterion(a, criterion_id).feedback
        match = re.search(r"for example: '(.+)'$", feedback)
        assert match, feedback
        found.append(match.group(1))
    return found[0], found[1]


FEELING_FRAME = re.compile(r"^It sounds like you're feeling (?P<feeling>[a-z][a-z' -]*)\.$")


@pytest.mark.parametrize(
    ("statement", "feeling"),
    [
        ("I'm so tired and fed up with it all.", "tired"),
        ("I'm worried sick about my mum.", "worried"),
        ("Honestly, it's so confusing.", "confused"),
        ("I'm panicking about the exam next week.", "panicky"),
        ("I'm at the end of my tether with the kids.", "at the end of your tether"),
        ("My boss hates me and I'm just so anxious all the time.", "anxious"),
    ],
)
def test_example_names_the_feeling_the_client_puts_on_themselves(
    statement: str, feeling: str
) -> None:
    example, with_feeling = _example_for(statement)
    match = FEELING_FRAME.match(example)
    assert match and match.group("feeling") == feeling, example
    assert with_feeling == example


@pytest.mark.parametrize(
    "statement",
    [
        "It makes me feel stupid when she does that.",
        "I feel like a failure.",
        "I'm a burden to everyone.",
    ],
)
def test_a_self_critical_word_is_never_offered_back_as_a_feeling(statement: str) -> None:
    a = score_response("What happened?", client_statement=statement)
    example = _criterion(a, "reflects").feedback
    assert example.endswith("for example: 'It sounds like you've been really hard on yourself.'")
    named = _criterion(a, "names-feeling").feedback
    assert "might be feeling ...'" in named  # no answer key: no feeling to suggest
    for word in ("stupid", "failure", "burden"):
        assert word not in named and word not in example


@pytest.mark.parametrize(
    "statement",
    [
        "I keep messing everything up at work and my boss hates me.",
        "I hate my job.",
        "Nothing has gone right since the move.",
        "My son stopped calling. I paid for university, and now nothing. Not even on my birthday.",
    ],
)
def test_example_without_an_own_feeling_says_less(statement: str) -> None:
    # A topic picked by rule too often names the wrong thing ("things with your guitar"), and a
    # feeling the client did not name, picked without an answer key, is a guess the scorer cannot
    # ground ("afraid" to a father whose son stopped calling): the example is plain, and the
    # trainee is asked to find the feeling in the client's words.
    a = score_response("What happened?", client_statement=statement)
    reflects = _criterion(a, "reflects").feedback
    assert reflects.endswith("for example: 'It sounds like this has been weighing on you.'")
    named = _criterion(a, "names-feeling").feedback
    assert "'It sounds like you might be feeling ...', with a feeling their words suggest" in named
    assert "{" not in named and "for example" not in named
    deeper = score_response(
        "You've told me what has been happening.", client_statement=statement, rubric="validation"
    )
    unsaid = " ".join(c.feedback for c in deeper.criteria if not c.met)
    assert "might be feeling ...'" in unsaid and "{" not in unsaid


def test_example_names_the_feeling_the_client_named() -> None:
    got, with_feeling = _example_for("I'm so tired of all of it, honestly.")
    assert got == with_feeling == "It sounds like you're feeling tired."


def test_example_with_a_key_names_the_keys_unstated_feeling() -> None:
    vignette = dataclasses.replace(
        VIGNETTE,
        statement="I gave my guitar to my roommate, because I won't need it.",
        answer_key=dataclasses.replace(
            VIGNETTE.answer_key, stated_feelings=(), unstated_feelings=("hopeless",)
        ),
    )
    a = score_response(
        "Have you tried talking to your tutor about it?", vignette=vignette, rubric="reflection"
    )
    examples = " ".join(c.feedback for c in a.criteria) + " ".join(
        r.alternative for r in a.roadblocks
    )
    assert "It sounds like you might be feeling hopeless." in examples
    assert "guitar have been" not in examples


def test_roadblock_alternative_uses_a_grammatical_example() -> None:
    a = score_response(
        "Have you tried talking to your boss about it?",
        client_statement="I keep messing everything up at work and my boss hates me.",
    )
    assert "feeling hates" not in a.roadblocks[0].alternative
    assert "It sounds like this has been weighing on you." in a.roadblocks[0].alternative


def test_vignette_example_uses_an_adjective() -> None:
    vignette = dataclasses.replace(
        VIGNETTE,
        statement="I hate it here and I miss her.",
        answer_key=dataclasses.replace(
            VIGNETTE.answer_key,
            stated_feelings=("hate", "miss her"),
            unstated_feelings=("grief", "lonely"),
        ),
    )
    a = score_response("What happened?", vignette=vignette, rubric="validation")
    unsaid = _criterion(a, "names-unsaid").feedback
    assert "feeling sad too" in unsaid  # 'grief' said as an adjective
    for c in a.criteria:
        assert "feeling hate" not in c.feedback and "feeling miss" not in c.feedback


@pytest.mark.parametrize("name", RUBRIC_NAMES)
def test_every_suggested_feeling_has_wording_for_when_there_is_none(name: str) -> None:
    # Without a feeling the client named or an answer key lists, the scorer suggests none: any
    # feedback that would name one needs a `_no_feeling` form, or '{unstated}' would show.
    for criterion in load_rubric(name).criteria:
        wordings = {"met": criterion.met, "missed": criterion.missed, **criterion.variants}
        for key, text in wordings.items():
            if "{unstated}" in text or "{feeling_example}" in text:
                base = key.removesuffix("_plain")
                assert f"{base}_no_feeling" in criterion.variants, (name, criterion.id, key)
