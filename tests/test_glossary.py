"""The glossary has a plain-language line for every technical term the feedback shows."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from empathy_training.glossary import load_glossary, read_glossary
from empathy_training.models import BEHAVIOURS, QUESTION_TYPES, RISK_KINDS, ROADBLOCK_IDS
from empathy_training.provenance import load_sources
from empathy_training.risk_rule import load_risk_rule

GLOSSARY = load_glossary()

#: Terms the feedback shows: the issue's list, then the words of the feedback card
#: (ui/cards.py), the feedback report (feedback_reports.py), the dashboard and the rubrics.
TERMS_SHOWN = (
    "reflection",
    "simple reflection",
    "complex reflection",
    "double-sided reflection",
    "open question",
    "closed question",
    "roadblock",
    "validation",
    "validation level",
    "EPITOME",
    "ER",
    "IP",
    "EX",
    "MITI",
    "reflection-to-question ratio",
    "risk cue",
    "safety error",
    "over-interpretation",
    "unstated feeling",
    "confidence",
    "response type",
    "reflection depth",
    "reflective-listening level",
    "HRQ",
    "accuracy",
    "evidence",
    "passed over",
    "taken up",
    "safety concern",
    "Reflections : questions",
    "complex reflections",
    "invalidation",
    "attending",
    "accurate reflection",
    "articulating the unverbalised",
    "validating in terms of history or biology",
    "validating as reasonable now",
    "radical genuineness",
    "self-kindness",
    "shared humanity",
    "acknowledging the pain",
    "self-compassion",
    "stated feeling",
    "unstated meaning",
    "answer key",
    "self-label",
    "access to means",
    "safeguarding",
    "coercive control",
    "mental capacity",
    "asking directly",
    "exemplar",
    "weighted kappa",
)


def rubric_data(name: str) -> dict[str, object]:
    text = resources.files("empathy_training").joinpath("rubrics", f"{name}.yml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("term", TERMS_SHOWN)
def test_every_term_the_feedback_shows_has_an_entry(term: str) -> None:
    assert term in GLOSSARY
    assert len(GLOSSARY.meaning(term).split()) >= 5


def test_every_id_and_code_the_apps_show_has_an_entry() -> None:
    ids = [*ROADBLOCK_IDS, *BEHAVIOURS, *QUESTION_TYPES, "simple", "complex"]
    roadblocks = rubric_data("lexicon-roadblocks")["roadblocks"]
    assert isinstance(roadblocks, dict)
    names = [str(r["name"]) for r in roadblocks.values()]
    outcomes = [o.name for o in load_risk_rule().outcomes]
    missing = [t for t in (*ids, *names, *outcomes) if t not in GLOSSARY]
    assert missing == []
    assert len(names) == len(ROADBLOCK_IDS)
    assert "moralising" in GLOSSARY and GLOSSARY.entry("MORALIZING").term == "moralizing"


def test_every_kind_of_risk_is_named_in_the_risk_cue_entry() -> None:
    meaning = GLOSSARY.meaning("risk cue")
    assert all(kind in meaning for kind in RISK_KINDS)


def test_each_meaning_is_one_plain_line() -> None:
    for entry in GLOSSARY.entries:
        assert "\n" not in entry.meaning
        assert 5 <= len(entry.meaning.split()) <= 40, entry.term
        assert entry.meaning[0].isupper() and entry.meaning.endswith((".", '?".')), entry.term


def test_terms_from_instruments_name_their_source() -> None:
    assert [s.id for s in GLOSSARY.entry("MITI").sources] == ["moyers-2014-miti"]
    assert [s.id for s in GLOSSARY.entry("EX").sources] == ["sharma-2020-epitome"]
    assert all(GLOSSARY.entry(r).sources[0].id == "gordon-1970" for r in ROADBLOCK_IDS)
    assert GLOSSARY.entry("radical genuineness").sources[0].id == "linehan-1997"


def test_an_unknown_term_is_not_in_the_glossary() -> None:
    assert "flux capacitor" not in GLOSSARY
    with pytest.raises(KeyError):
        GLOSSARY.meaning("flux capacitor")


def test_a_term_used_twice_is_located() -> None:
    text = """\
terms:
  - term: reflection
    meaning: Saying back what the client said.
  - term: echo
    aliases: [Reflection]
    meaning: Another name.
    source: [gordon-1907]
"""
    glossary, problems = read_glossary(text, "rubrics/glossary.yml", load_sources())
    messages = sorted(str(p) for p in problems)
    assert len(messages) == 2
    assert messages[0] == (
        "rubrics/glossary.yml:4: terms[1]: 'Reflection' is already in the glossary (line 2)"
    )
    assert messages[1].startswith(
        "rubrics/glossary.yml:7: terms[1].source[0]: unknown source 'gordon-1907'"
    )
    assert glossary.terms == ("reflection", "echo")
