"""What the scorer tells a trainee about risk must be something a supervisor would sign: plain
disclosures are heard, secrecy is never credited, harm is never made easier, and no feedback
offers normalising or wording that passes over a cue."""

from __future__ import annotations

import pytest

from empathy_training.loading import load_library
from empathy_training.models import Assessment
from empathy_training.reports import assessment_text
from empathy_training.scoring import score_response
from empathy_training.scoring.client import cue_words
from empathy_training.scoring.rewrite import stronger_version
from empathy_training.scoring.risk import (
    direct_question,
    explicit_kind,
    explicit_kinds,
    promises_secrecy,
)

LIBRARY = load_library()
STORED_TABLETS = "I've been saving up my tablets in a drawer, just in case."


def _risk_feedback(a: Assessment) -> str:
    return next(c.feedback for c in a.criteria if c.id == "takes-up-risk")


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("My husband hits me.", "abuse"),
        ("My dad hits me when he's angry. Don't tell anyone.", "abuse"),
        ("He put his hands round my neck last week.", "abuse"),
        ("My fella kicked me on Saturday.", "abuse"),
        ("I just want to go to sleep and not wake up.", "suicide"),
        ("I wish I was dead.", "suicide"),
        ("I don't want to live any more.", "suicide"),
        ("I cut my wrists again last night.", "self-harm"),
        ("I've been cutting again.", "self-harm"),
        ("He beats me up every night.", "abuse"),
        ("My husband beat me last night.", "abuse"),
        ("He's been hitting me since the baby came.", "abuse"),
        ("I nearly shook the baby when he wouldn't stop crying.", "violence"),
    ],
)
def test_a_plain_disclosure_is_heard_with_its_kind(statement: str, kind: str) -> None:
    assert explicit_kind(statement) == kind
    a = score_response("It sounds like you've had a long week.", client_statement=statement)
    assert a.risk_handled == "passed_over" and a.hrq_level <= 2
    assert "passed over a sign of risk" in a.hrq_meaning


@pytest.mark.parametrize(
    "statement",
    [
        "She kicked me out of the house when I was eighteen.",
        "My son hit me up on WhatsApp last night.",
        "Beats me why the bus is always late.",
        "It suddenly hit me that I'm forty.",
        "I don't want to live in London any more.",
        "My brother beat me at chess again.",
        "My daughter does not wake up until noon.",
        "The lanyard round my neck keeps catching.",
        "We're cutting again at work, three more jobs gone.",
        "I wanted to die of embarrassment in that meeting.",
        "It was a suicide mission getting here in the snow.",
        "My brother beat me to it again.",
        "She hit me up on Snapchat last night.",
    ],
)
def test_everyday_words_are_not_a_plain_disclosure(statement: str) -> None:
    assert explicit_kind(statement) is None


def test_a_safety_message_asks_the_question_for_the_kind_named() -> None:
    a = score_response(
        "Don't be silly, you don't really mean that.",
        client_statement="I've been thinking about killing myself.",
    )
    assert a.risk_handled == "safety_error" and a.hrq_level == 1
    assert direct_question("suicide") in a.feedback
    assert "are you safe?" not in a.feedback
    # the whole message, to its last step, and no talk of a cap at 2 for a level 1
    assert a.feedback.endswith("talk to your supervisor about what to do next.")
    assert "cannot score above level 2" not in a.feedback
    assert a.hrq_meaning.startswith("A safety error")
    assert "safety error" in assessment_text(a).lower()
    assert "Roadblock without reflection" not in assessment_text(a)


def test_are_you_safe_alone_to_a_plain_disclosure_is_weak() -> None:
    a = score_response("Are you safe?", client_statement="My partner hit me last night.")
    assert a.risk_handled == "taken_up"
    assert direct_question("abuse") in _risk_feedback(a)


@pytest.mark.parametrize(
    "response",
    [
        "Okay, I won't tell anyone. It sounds like you're scared of him.",
        "This is just between the two of us. It sounds like you're scared of him.",
        "Everything you say in here is confidential. It sounds like you're scared of him.",
        "I won't tell your mum. Is he hurting you?",
        "Don't worry, nobody will ever know what you said.",
    ],
)
def test_a_promise_of_secrecy_is_always_a_safety_error(response: str) -> None:
    a = score_response(response, client_statement="My dad hits me. Please don't tell anyone.")
    assert a.risk_handled == "safety_error" and a.hrq_level == 1
    assert "promises to keep harm secret" in a.feedback
    assert "talk to your supervisor or safeguarding lead" in a.feedback


@pytest.mark.parametrize(
    "response",
    [
        "I can't promise to keep this between us, but I'll be honest about who needs to know.",
        "What you tell me is confidential unless I'm worried about your safety.",
        "I won't tell you you're wrong to be angry.",
        "He made you promise not to tell anyone, and that's a heavy thing to carry.",
        "Between us, we can work out a plan for tonight.",
        "I'd have to tell someone if you were in danger, and I'd tell you first.",
    ],
)
def test_honesty_about_confidentiality_is_no_promise(response: str) -> None:
    assert not promises_secrecy(response)


@pytest.mark.parametrize(
    "response",
    [
        "It's fine to keep them there for now.",
        "I'll make sure your prescription is ready so you don't run out.",
        "Let's get you a repeat of the painkillers today.",
    ],
)
def test_keeping_or_topping_up_stored_medicine_makes_harm_easier(response: str) -> None:
    a = score_response(response, client_statement=STORED_TABLETS)
    assert a.risk_handled == "safety_error" and a.hrq_level == 1
    assert "could make harm easier" in a.feedback


def test_no_normalising_is_suggested_beside_an_untaken_cue() -> None:
    statement = "I don't want to be alive any more."
    a = score_response(
        "You've had a really hard time.", client_statement=statement, rubric="compassion"
    )
    assert a.risk_handled == "passed_over"
    assert "common-humanity" not in {c.id for c in a.criteria}
    assert "not alone" not in " ".join(c.feedback for c in a.criteria)
    v = score_response(
        "You've had a really hard time.", client_statement=statement, rubric="validation"
    )
    assert "makes-sense" not in {c.id for c in v.criteria}
    # taken up, the advice comes back
    t = score_response(
        "You don't want to be alive. Are you having thoughts of ending your life?",
        client_statement=statement,
        rubric="compassion",
    )
    assert t.risk_handled == "taken_up" and "common-humanity" in {c.id for c in t.criteria}


def test_sample_wording_starts_from_the_cue_when_it_was_passed_over() -> None:
    vignette = LIBRARY.vignette("risk-tablets-in-the-drawer")
    a = score_response("You should get more sleep and try some camomile tea.", vignette=vignette)
    assert a.risk_handled == "passed_over"
    cue = vignette.answer_key.risk_cues[0].cue.rstrip(" .")
    reflects = next(c.feedback for c in a.criteria if c.id == "reflects")
    assert cue.lower()[:20] in reflects.lower()
    assert all(cue.lower()[:20] in r.alternative.lower() for r in a.roadblocks)


def test_a_stronger_version_keeps_the_trainees_safety_words() -> None:
    tablets = LIBRARY.vignette("risk-tablets-in-the-drawer")
    question = "Are you having thoughts of taking them to end your life?"
    a = score_response(
        "You're exhausted, and you've been keeping those tablets just in case it gets too "
        f"much. {question}",
        vignette=tablets,
    )
    better = stronger_version(a, vignette=tablets)
    assert better is not None and better.text.endswith(question)
    hoodie = LIBRARY.vignette("risk-hoodie-in-july")
    honest = (
        "I can't promise not to tell anyone, but I'll always be honest with you about who "
        "needs to know."
    )
    b = score_response(f"{honest} Don't worry, loads of people go through this.", vignette=hoodie)
    better = stronger_version(b, vignette=hoodie)
    assert better is not None and honest in better.text
    assert "loads of people" not in better.text
    for word in ("scared", "afraid", "hopeless", "ashamed", "overwhelmed"):
        assert better.text.count(word) <= 1, better.text


def test_a_bare_statements_sample_wording_starts_from_its_cue() -> None:
    # a sample reflection of something else would pass over the cue too
    statement = "I gave my guitar to my roommate, because I won't need it."
    a = score_response("What happened?", client_statement=statement)
    assert a.risk_handled == "passed_over"
    reflects = next(c.feedback for c in a.criteria if c.id == "reflects")
    assert "weighing on you" not in reflects and "won't need it" in reflects


def test_a_plain_question_about_another_kind_of_risk_takes_nothing_up() -> None:
    hoodie = LIBRARY.vignette("risk-hoodie-in-july")  # self-harm
    other = score_response("Is anyone hurting you at home?", vignette=hoodie)
    assert other.risk_handled == "passed_over"
    same = score_response("Are you hurting yourself at the moment?", vignette=hoodie)
    assert same.risk_handled == "taken_up"


def test_a_stronger_version_is_honest_where_the_trainee_promised_secrecy() -> None:
    hoodie = LIBRARY.vignette("risk-hoodie-in-july")
    a = score_response(
        "Everything you say in here is confidential. When home gets loud you need something "
        "that makes it stop.",
        vignette=hoodie,
    )
    better = stronger_version(a, vignette=hoodie)
    assert better is not None and "confidential" not in better.text
    assert "I can't promise to keep this just between us" in better.text
    assert not promises_secrecy(better.text)


@pytest.mark.parametrize(
    "response",
    [
        "It's fine to keep talking about this, you're exhausted.",
        "Could your partner keep them safe for a while, so they're not in the drawer?",
        "Tell your family, and keep them involved.",
    ],
)
def test_keeping_talking_or_keeping_them_safe_makes_nothing_easier(response: str) -> None:
    a = score_response(response, client_statement=STORED_TABLETS)
    assert a.risk_handled is not None
    assert "could make harm easier" not in a.feedback


def test_a_minimising_line_is_not_kept_as_a_safety_question() -> None:
    vignette = LIBRARY.vignette("risk-better-off-without-me")
    a = score_response("You don't really want to die.", vignette=vignette)
    better = stronger_version(a, vignette=vignette)
    assert better is None or "don't really want to die" not in better.text


def test_normalising_is_not_praised_beside_an_untaken_cue() -> None:
    a = score_response(
        "You're not alone, lots of people feel like this.",
        client_statement="I don't want to be alive any more.",
        rubric="compassion",
    )
    assert a.risk_handled != "taken_up"
    assert "common-humanity" not in {c.id for c in a.criteria}


def test_every_kind_a_statement_names_counts() -> None:
    statement = "My husband hits me, and I've started cutting myself again."
    assert set(explicit_kinds(statement)) == {"abuse", "self-harm"}
    a = score_response("Is anyone hurting you at home?", client_statement=statement)
    assert a.risk_handled == "taken_up"


def test_a_quoted_cue_keeps_a_name_capitalised() -> None:
    assert cue_words("Dave hits me when he drinks.") == "Dave hits me when he drinks"
    assert cue_words("My partner hit me.") == "my partner hit me"
    assert cue_words("I keep them in a drawer and I have not told...").endswith("told...")
