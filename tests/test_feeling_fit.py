"""A pleasant feeling put on a client who named only distress is an inaccurate reflection."""

from __future__ import annotations

import dataclasses

import pytest
from scoring_cases import VIGNETTE

from empathy_training.scoring import score_response

FRIGHTENED = (
    "I don't know what's happening to me. My heart races, I can't think straight and I keep "
    "worrying something terrible is going to happen. I'm scared."
)


@pytest.mark.parametrize(
    ("response", "named"),
    [
        ("It sounds like you're feeling happy.", "happy"),
        ("You seem really relieved about it.", "relieved"),
        ("You must be so proud.", "proud"),
    ],
)
def test_a_pleasant_feeling_for_a_frightened_client_is_no_reflection(
    response: str, named: str
) -> None:
    a = score_response(response, client_statement=FRIGHTENED)
    assert a.hrq_level <= 2 and a.reflection_depth == "none" and a.validation_level == 0
    reflects = next(c for c in a.criteria if c.id == "reflects")
    assert not reflects.met and [s.text for s in reflects.evidence] == [named]
    assert f"You named '{named}', which does not fit" in reflects.feedback
    assert reflects.feedback.endswith("'It sounds like you're feeling scared.'")
    assert not next(c for c in a.criteria if c.id == "names-feeling").met
    validated = score_response(response, client_statement=FRIGHTENED, rubric="validation")
    assert f"You named '{named}', which does not fit" in validated.feedback


@pytest.mark.parametrize(
    ("response", "statement"),
    [
        # two-sided: the pleasant feeling stands beside the client's own
        ("You sound scared, and relieved that someone is listening at last.", FRIGHTENED),
        ("You're excited about the wedding, but dreading the flight.", "I'm dreading the flight."),
        # the client named it
        ("It sounds like you're feeling happy.", "I'm so happy, the scan was clear at last."),
        # a wish, a question, a negation: nothing is put on the client
        ("I hope you can feel calmer soon.", FRIGHTENED),
        ("What would help you feel calmer?", FRIGHTENED),
        ("You're not happy about any of it.", FRIGHTENED),
        # no feeling named by the client: nothing to contradict
        ("You sound relieved.", "I've handed the club over to young Darren."),
    ],
)
def test_a_pleasant_feeling_that_may_fit_is_left_alone(response: str, statement: str) -> None:
    a = score_response(response, client_statement=statement)
    assert "does not fit" not in " ".join(c.feedback for c in a.criteria)


def test_a_pleasant_feeling_the_answer_key_lists_fits() -> None:
    statement = "Mum's gone into the home. I'm so tired, and I feel guilty all the time."
    key = dataclasses.replace(VIGNETTE.answer_key, unstated_feelings=("relieved",))
    vignette = dataclasses.replace(VIGNETTE, statement=statement, answer_key=key)
    listed = score_response("You sound relieved.", vignette=vignette)
    assert "does not fit" not in " ".join(c.feedback for c in listed.criteria)
    bare = score_response("You sound relieved.", client_statement=statement)
    assert "does not fit" in bare.feedback


def test_a_stronger_version_drops_the_feeling_that_does_not_fit() -> None:
    from empathy_training.loading import load_library
    from empathy_training.scoring.rewrite import stronger_version

    for vignette in load_library().vignettes[:4]:
        a = score_response("It sounds like you're feeling happy.", vignette=vignette)
        assert a.hrq_level <= 2, vignette.id  # not credited (1 where read as interpreting too)
        better = stronger_version(a, vignette=vignette)
        assert better is not None and "happy" not in better.text, vignette.id
        assert better.removed == ("It sounds like you're feeling happy.",)


@pytest.mark.parametrize(
    ("response", "statement"),
    [
        # relief once the fear has passed; hope once things turn
        (
            "You seem relieved.",
            "I was so anxious waiting, and the results finally came back clear.",
        ),
        ("You seem more hopeful today.", "I was hopeless last month. I've started the new meds."),
        # the pleasant word says something else than a feeling of the moment
        ("You're settled on leaving.", "I'm scared, but I've decided. I'm leaving him."),
        ("You're happy to help others, and nobody helps you.", "I'm exhausted. I do it all."),
        ("You're feeling comfortable enough to tell me.", "I'm nervous saying this."),
        ("The wine is the only way you feel relaxed enough to sleep.", "I'm so stressed."),
        # negation anywhere before it
        ("I don't think you're happy about it.", "I'm so scared."),
        ("That might help you feel more reassured.", "I'm so scared."),
    ],
)
def test_pleasant_words_that_fit_or_say_something_else_are_left_alone(
    response: str, statement: str
) -> None:
    a = score_response(response, client_statement=statement)
    assert "does not fit" not in " ".join(c.feedback for c in a.criteria)


def test_each_rubric_explains_a_feeling_that_does_not_fit_once() -> None:
    response = "You seem relieved about it. You seem relieved."
    for rubric in ("reflection", "validation", "compassion"):
        a = score_response(response, client_statement=FRIGHTENED, rubric=rubric)
        told = [c.feedback for c in a.criteria if "does not fit" in c.feedback]
        assert told, rubric
        assert all("'relieved' and" not in t and "does not fits" not in t for t in told)
