"""Tests of the scorer's judgements: roadblocks, levels, validation, EPITOME, compassion."""

from __future__ import annotations

import dataclasses

import pytest
from scoring_cases import INHALERS, KNEE, ids

from empathy_training.models import (
    ROADBLOCK_IDS,
)
from empathy_training.scoring import (
    decisions,
    load_rubric,
    score_response,
)

# --- roadblocks: one that should be found, and a near miss that should not -----------------

ROADBLOCK_CASES = [
    (
        "ordering",
        "You need to take the purple one every morning.",
        "You must be exhausted after five nights like that.",
    ),
    ("ordering", "Read the leaflet before you use them.", "Tell me more about the leaflets."),
    (
        "warning",
        "If you don't take them properly, you'll end up back in hospital.",
        "You're afraid that if you don't get it right, you'll end up back in hospital.",
    ),
    (
        "moralizing",
        "You should be grateful you got a bed at all.",
        "Your daughter keeps saying you should move somewhere smaller.",
    ),
    (
        "advising",
        "Have you tried writing the times on a chart?",
        "Have you tried anything that helped before?",
    ),
    (
        "advising",
        "Why don't you ask the pharmacist to label them?",
        "Could you tell me more about the mornings?",
    ),
    (
        "persuading",
        "The facts are that most people recover within three months.",
        "I know, but part of you still misses the allotment.",
    ),
    (
        "judging",
        "You're overreacting about a bit of noise.",
        "You're worried people will think you're overreacting.",
    ),
    (
        "praising",
        "Great job sticking with the exercises!",
        "You want to do a good job for your family.",
    ),
    (
        "shaming",
        "Stop being such a baby about it.",
        "You feel silly for crying in front of everyone.",
    ),
    (
        "interpreting",
        "The real reason you're upset is your childhood.",
        "You're really upset about what happened at the allotment.",
    ),
    ("reassuring", "Don't worry, it'll all be fine.", "You're worried it won't be fine."),
    (
        "reassuring",
        "At least you've still got your daughter.",
        "You used to go at least five times a week.",
    ),
    (
        "questioning",
        "Who said that? When? Did she mean it? Have you told her?",
        "What happened after that?",
    ),
    (
        "distracting",
        "Anyway, how was your holiday?",
        "You went anyway, even though your knee was bad.",
    ),
]


#: Near misses the learned models still read as roadblocks (surface words such as "must",
#: "at least", "if ... you'll end up", "won't be fine", "could you", "anyway" outweigh the
#: sense): known errors, kept visible here and in the model card; strict, so that a model that
#: gets them right makes these tests fail loudly.
KNOWN_NEAR_MISS_ERRORS: frozenset[str] = frozenset(
    {
        "You must be exhausted after five nights like that.",
        "You're afraid that if you don't get it right, you'll end up back in hospital.",
        "Have you tried anything that helped before?",
        "You used to go at least five times a week.",
        "Could you tell me more about the mornings?",
        "You went anyway, even though your knee was bad.",
    }
)


@pytest.mark.parametrize(("category", "positive", "near_miss"), ROADBLOCK_CASES)
def test_roadblock_found(category: str, positive: str, near_miss: str) -> None:
    assert category in ids(positive)


@pytest.mark.parametrize(
    "near_miss",
    [
        pytest.param(
            case[2],
            marks=pytest.mark.xfail(
                case[2] in KNOWN_NEAR_MISS_ERRORS, reason="known model error", strict=True
            ),
        )
        for case in ROADBLOCK_CASES
    ],
)
def test_near_miss_is_not_a_roadblock(near_miss: str) -> None:
    assert not ids(near_miss)


def test_every_roadblock_id_is_covered() -> None:
    assert {c for c, _, _ in ROADBLOCK_CASES} == set(ROADBLOCK_IDS)


def test_roadblock_cites_words_and_suggests_an_alternative() -> None:
    a = score_response("Have you tried going to bed earlier?", client_statement=KNEE)
    finding = a.roadblocks[0]
    assert finding.category == "advising"
    assert finding.span.text == "Have you tried"
    assert "fed up" in finding.alternative


def test_questions_are_roadblocks_setting() -> None:
    gordon = dataclasses.replace(load_rubric("reflection"), questions_are_roadblocks=True)
    assert "questioning" not in ids("What happened next?")
    a = score_response("What happened next?", client_statement=KNEE, rubric=gordon)
    assert a.roadblock_ids == ("questioning",)


STEAK = (
    "Twenty years I ran the resus bay. Now I can't open a jar of pickle. I had to ask my "
    "fourteen-year-old to cut my steak, in front of everyone."
)


def test_a_pattern_stands_only_when_the_models_do_not_rule_a_roadblock_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Saying back what the client had to do is a reflection, though "you have to" is also how
    # orders begin: the models are sure there is no roadblock, so the pattern does not stand.
    reflection = "You have to ask your fourteen-year-old to cut your steak, in front of everyone."
    assert not score_response(reflection, client_statement=STEAK).roadblocks
    monkeypatch.setattr(decisions, "RULE_ROADBLOCK_FLOOR", 0.0)  # every pattern stands
    assert ids(reflection, STEAK) == {"ordering"}
    # The rubric's own roadblocks (its questions) stand whatever the models say.
    monkeypatch.setattr(decisions, "RULE_ROADBLOCK_FLOOR", 1.1)  # no pattern stands
    gordon = dataclasses.replace(load_rubric("reflection"), questions_are_roadblocks=True)
    asked = score_response("What happened next?", client_statement=KNEE, rubric=gordon)
    assert asked.roadblock_ids == ("questioning",)


def test_a_question_is_one_the_model_reads_as_one() -> None:
    # The rules' question sentences include "I wonder if...", which raters do not count as a
    # question: no question type, and not a question roadblock even where every question is one.
    wondering = "I wonder if you feel let down by your knee."
    assert score_response(wondering, client_statement=KNEE).question_type is None
    gordon = dataclasses.replace(load_rubric("reflection"), questions_are_roadblocks=True)
    assert not score_response(wondering, client_statement=KNEE, rubric=gordon).roadblocks
    three = "I wonder if it is the knee. I wonder if it is the allotment. I wonder if it is both."
    assert not ids(three)  # not an interrogating run
    asked = score_response("How long has your knee been bad?", client_statement=KNEE)
    assert asked.question_type == "open" or asked.question_type == "closed"


def test_good_reflections_have_no_roadblocks() -> None:
    for response in (
        "You're fed up that your knee keeps you from the allotment.",
        "It sounds like part of you wants to stay put, and part of you knows the stairs are "
        "getting harder.",
        "You feel you should be able to manage on your own.",
        "So your daughter thinks you should move, and you'd rather stay where you are.",
        "You must be really tired of it all.",
    ):
        assert not ids(response), response


VISITS = "I haven't visited my mum in the care home for weeks."
SELF_BLAME = VISITS + " I feel like a terrible daughter."
DRINKING = "My GP sent me here. Everyone keeps telling me what to do about my drinking."


def test_calling_the_client_names_is_shaming_unless_it_reflects_their_own_words() -> None:
    assert "shaming" in ids("You are a terrible daughter.", VISITS)
    assert "shaming" in ids("Honestly, you're such a selfish person.", VISITS)
    assert "shaming" in ids("You're the worst daughter.", VISITS)
    assert not ids("You feel like a terrible daughter.", SELF_BLAME)
    assert not ids("Part of you wonders if you're a terrible daughter.", SELF_BLAME)


def test_what_is_good_for_you_is_not_praise() -> None:
    assert "praising" in ids("Good for you!", DRINKING)
    assert "praising" in ids("That is good for you!", DRINKING)
    assert "praising" not in ids(
        "You're fed up with other people deciding what's good for you.", DRINKING
    )


# --- levels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "level"),
    [
        ("You should try going to bed earlier.", 1),
        ("Don't worry, it happens to everyone.", 1),
        ("How long has your knee been bad?", 2),
        ("You're fed up, but you should really move somewhere smaller.", 2),
        ("You're fed up that your knee keeps you from the allotment.", 3),
        ("Part of you wants to stay, and part of you knows the stairs are getting too much.", 4),
        ("It sounds like you might be feeling lonely now the allotment is out of reach.", 5),
    ],
)
def test_hrq_levels(response: str, level: int) -> None:
    a = score_response(response, client_statement=KNEE)
    assert a.hrq_level == level, (a.reflection_depth, a.roadblock_ids)


def test_behaviour_and_question_type() -> None:
    q = score_response("What has been hardest about it?", client_statement=KNEE)
    assert (q.behaviour, q.question_type, q.reflection_depth) == ("question", "open", "none")
    r = score_response("You're fed up with your knee.", client_statement=KNEE)
    assert (r.behaviour, r.question_type) == ("reflection", None)
    i = score_response("You should do the exercises the physio gave you.", client_statement=KNEE)
    assert i.behaviour == "input"
    closed = score_response("Do you take them in the morning?", client_statement=INHALERS)
    assert closed.question_type == "closed"


def test_reflection_depth_simple() -> None:
    simple = score_response("You're confused about which one to take.", client_statement=INHALERS)
    assert simple.reflection_depth == "simple"


@pytest.mark.parametrize(
    "response",
    [
        "You're fed up with being the one who has to work it all out.",
        pytest.param(
            "You're confused, and maybe a bit worried you'll get it wrong.",
            marks=pytest.mark.xfail(
                reason="known model error: an unstated feeling beside a stated one read as "
                "simple (0.58 to 0.40)",
                strict=True,
            ),
        ),
    ],
)
def test_reflection_depth_complex(response: str) -> None:
    added = score_response(response, client_statement=INHALERS)
    assert added.reflection_depth == "complex"
    assert "reflection_depth" in added.evidence


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "level"),
    [
        ("Calm down, it's not that bad.", 0),
        ("Which bay is your mum in?", 0),
        ("You're angry that nobody came when you pressed the buzzer.", 2),
        ("You're angry, and maybe frightened for her too.", 3),
        ("After everything you've been through with her, it makes sense that you're angry.", 4),
        ("Anyone in your place would be furious.", 5),
    ],
)
def test_validation_levels(response: str, level: int) -> None:
    statement = "I pressed the buzzer twice and nobody came. I'm absolutely furious."
    a = score_response(response, client_statement=statement, rubric="validation")
    assert a.validation_level == level
    assert a.validation_level not in (1, 6)


# --- EPITOME -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "codes"),
    [
        ("I'm so sorry you're going through this.", (2, None, 0)),
        ("Hope things get better for you.", (1, None, 0)),
        ("It sounds like you feel left out.", (None, 2, 0)),
        ("I understand.", (None, 1, 0)),
        ("What happened?", (0, 0, 1)),
        ("What happened at work that made you feel this way?", (0, 0, 2)),
        ("I went through the same thing last year.", (None, 2, None)),
    ],
)
def test_epitome(response: str, codes: tuple[int | None, int | None, int | None]) -> None:
    e = score_response(response, client_statement="I got left out again at work.").epitome
    for got, want in zip((e.er, e.ip, e.ex), codes, strict=True):
        if want is not None:
            assert got == want, (response, e)


# --- compassion --------------------------------------------------------------------------


def test_compassion_criteria() -> None:
    statement = "I failed the resit. I feel so stupid, everyone else can do it."
    good = score_response(
        "That's really painful. Lots of people struggle with resits, you're not alone in that. "
        "What would you say to a friend who told you this?",
        client_statement=statement,
        rubric="compassion",
    )
    met = {c.id: c.met for c in good.criteria}
    assert met == {
        "acknowledges-pain": True,
        "no-roadblocks": True,
        "common-humanity": True,
        "self-kindness": True,
    }
    bad = score_response(
        "You're not stupid! Just revise harder.", client_statement=statement, rubric="compassion"
    )
    missed = {c.id for c in bad.criteria if not c.met}
    assert {"no-roadblocks", "common-humanity", "self-kindness"} <= missed


def test_amplifying_is_not_acknowledging() -> None:
    a = score_response(
        "That's absolutely horrendous, your life is ruined.",
        client_statement="I failed my driving test again.",
        rubric="compassion",
    )
    assert not {c.id: c.met for c in a.criteria}["acknowledges-pain"]
