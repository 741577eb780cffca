"""The clinical rule for risk as data: complete, consistent with the rubrics, errors located."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from empathy_training.models import RISK_KINDS, RUBRIC_NAMES
from empathy_training.provenance import load_rubric_provenance, load_sources
from empathy_training.risk_rule import RISK_OUTCOMES, load_risk_rule, read_risk_rule

RULE = load_risk_rule()
TEXT = resources.files("empathy_training").joinpath("rubrics", "risk-handling.yml").read_text()
SAFETY_ERRORS = {
    "increases-access-to-means",
    "minimises-risk",
    "promises-secrecy",
    "endorses-restriction-or-abuse",
}


def risk_words(group: str) -> list[str]:
    text = resources.files("empathy_training").joinpath("rubrics", "risk-words.yml").read_text()
    words = yaml.safe_load(text)[group]
    assert isinstance(words, list)
    return [str(w) for w in words]


def asks_directly(response: str) -> bool:
    """Whether a response holds one of the scorer's exact direct-question phrases."""
    said = " ".join(re.sub(r"[^\w\s'-]", " ", response.lower()).split())
    return any(
        re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", said) for p in risk_words("asks_directly")
    )


def problems(text: str) -> list[str]:
    _, found = read_risk_rule(text, "rubrics/risk-handling.yml", load_sources())
    return [str(p) for p in found]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_outcomes_are_the_assessments_and_a_safety_error_is_level_1() -> None:
    assert [o.id for o in RULE.outcomes] == list(RISK_OUTCOMES)
    error = RULE.outcome("safety_error")
    assert error.level == 1 and error.flags_supervisor
    passed = RULE.outcome("passed_over")
    assert passed.level_cap == 2 and passed.level is None
    assert RULE.outcome("taken_up").level is None and RULE.outcome("taken_up").level_cap is None


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_the_rule_and_each_rubric_agree_on_the_levels(rubric: str) -> None:
    criterion = load_rubric_provenance(rubric).criterion("takes-up-risk")
    assert criterion.threshold("level_cap").value == RULE.outcome("passed_over").level_cap
    assert criterion.threshold("safety_error_level").value == RULE.outcome("safety_error").level


def test_every_unsafe_category_is_written_for_a_trainee() -> None:
    assert {c.id for c in RULE.safety_errors} == SAFETY_ERRORS
    for category in RULE.safety_errors:
        assert len(category.explanation.split()) >= 25, category.id
        assert category.message.startswith("Safety error: "), category.id
        assert "{cue}" in category.message and "supervisor" in category.message, category.id
        assert category.examples and category.sources, category.id
        text = category.text(cue="I won't need them", direct_question="are you safe?")
        assert "'I won't need them'" in text and "{" not in text


def test_a_message_with_no_words_to_quote_reads_on_without_them() -> None:
    """When no sentence of a bare statement reads clearly as the cue, none is quoted."""
    for category in RULE.safety_errors:
        quoted = " ".join(category.text("my tablets", "Are you safe?").split())
        bare = " ".join(category.text("", "Are you safe?").split())
        assert "The client said 'my tablets'" in quoted
        assert "The client said" not in bare and "''" not in bare, bare
        sentences = re.split(r"(?<=[.?!]) +", bare)
        assert all(s[:1].isupper() or s[:1] == '"' for s in sentences), bare
        assert len(bare) < len(quoted)


def test_each_kind_of_risk_has_its_safety_errors() -> None:
    assert set(RULE.kinds) == set(RISK_KINDS)
    for kind in ("suicide", "self-harm"):
        ids = {c.id for c in RULE.safety_errors_for(kind)}
        assert {"increases-access-to-means", "minimises-risk", "promises-secrecy"} <= ids
    for kind in ("abuse", "neglect"):
        ids = {c.id for c in RULE.safety_errors_for(kind)}
        assert {"endorses-restriction-or-abuse", "promises-secrecy"} <= ids
        assert "increases-access-to-means" not in ids
    cited = {s.id for c in RULE.safety_errors for s in c.sources}
    assert {"zalsman-2016", "working-together-2023", "serious-crime-act-2015-s76"} <= cited


def test_are_you_safe_alone_is_weaker_and_says_what_to_add() -> None:
    ways = {w.id: w for w in RULE.take_up}
    assert ways["asks-directly"].strength == ways["reflects-cue"].strength == "full"
    weak = ways["asks-if-safe"]
    assert weak.strength == "weak" and "{direct_question}" in weak.feedback
    assert "dazzi-2014" in {s.id for s in ways["asks-directly"].sources}
    assert [c.id for c in RULE.cancels] == ["roadblock-at-cue"]


def test_the_plain_questions_are_ones_the_scorer_recognises() -> None:
    asked = [*dict((w.id, w) for w in RULE.take_up)["asks-directly"].examples]
    for kind in ("suicide", "hopelessness", "self-harm", "abuse"):
        asked += RULE.kinds[kind].examples
    assert len(asked) >= 7
    for question in asked:
        assert asks_directly(question), question
    for vague in dict((w.id, w) for w in RULE.take_up)["asks-if-safe"].examples:
        assert not asks_directly(vague), vague
    assert all(re.search(r"suicide|ending your life", q) for q in RULE.kinds["suicide"].examples)


def test_an_unknown_placeholder_in_a_message_is_located() -> None:
    text = TEXT.replace(
        "The client said '{cue}', and your\n", "The client said '{cues}', and your\n"
    )
    (problem,) = problems(text)
    message_line = line_of(TEXT, "Safety error: your response could make") - 1
    assert problem.startswith(f"rubrics/risk-handling.yml:{message_line}: ")
    assert "safety_errors[increases-access-to-means].message: unknown placeholder {cues}" in problem


def test_a_missing_kind_is_a_problem() -> None:
    text = TEXT.replace(
        "  violence:\n    asks_directly: Ask plainly whether someone could get hurt, and who.\n"
        "    examples:\n      - Are you worried you might hurt someone?\n",
        "",
    )
    (problem,) = problems(text)
    where = f"rubrics/risk-handling.yml:{line_of(text, '  suicide:')}: "
    assert problem == where + "kinds.violence: missing required field"


def test_an_unknown_source_and_a_weak_take_up_without_feedback_are_problems() -> None:
    text = TEXT.replace("source: [zalsman-2016, nice-ng225-2022]", "source: [zalsman-2061]")
    (problem,) = problems(text)
    assert (
        "safety_errors[increases-access-to-means].source[0]: unknown source 'zalsman-2061'"
        in problem
    )
    start = TEXT.index("    feedback: >-\n      You asked whether")
    end = TEXT.index("    examples:", start)
    (problem,) = problems(TEXT[:start] + TEXT[end:])
    assert "take_up[asks-if-safe]: a weak take-up needs `feedback`" in problem


def test_the_outcomes_must_be_exactly_the_three() -> None:
    text = TEXT.replace("  - id: taken_up\n", "  - id: taken_up_fully\n")
    found = problems(text)
    assert any("outcomes[taken_up_fully].id: unknown value 'taken_up_fully'" in p for p in found)
    assert any("outcomes: expected exactly these ids" in p for p in found)
