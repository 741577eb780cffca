"""The cue patterns the rules look for, compiled once from the lexicon files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..models import ROADBLOCK_IDS
from .data_files import lexicon, word_list
from .matching import PhraseMatcher, compile_patterns
from .patterns import pattern_regex
from .words import stem

Pattern = re.Pattern[str] | None
Matcher = PhraseMatcher | None


def _patterns(items: Iterable[Any] | None) -> Matcher:
    return compile_patterns(tuple(str(i) for i in items or ()))


@dataclass(frozen=True)
class RoadblockSpec:
    """One roadblock's compiled patterns and rules (see lexicon-roadblocks.yml)."""

    id: str
    name: str
    behaviour: str
    priority: int
    alternative: str
    anywhere: Matcher
    clause_start: Matcher
    unless: Matcher
    framed: bool
    negatable: bool
    stated: bool
    echo: Pattern
    statements_only: bool


@dataclass(frozen=True)
class Lexicons:
    """Every compiled pattern the scorer uses."""

    roadblocks: tuple[RoadblockSpec, ...]
    by_id: Mapping[str, RoadblockSpec]
    frames: Matcher
    not_roadblocks: Matcher
    stems: Matcher
    tentative: Matcher
    double_sided: Matcher
    simile: Matcher
    metaphor: Matcher
    meaning: Matcher
    generic_questions: Matcher
    invalidating: Matcher
    history: Matcher
    normalising: Matcher
    sense_making: Matcher
    warmth_strong: Matcher
    warmth_weak: Matcher
    understanding_weak: Matcher
    shared_experience: Matcher
    common_humanity: Matcher
    self_kindness: Matcher
    amplifying: Matcher
    acknowledging: Matcher
    own_experience: Matcher
    not_own_experience: Matcher
    generic_question_stems: frozenset[str]
    first_person_words: frozenset[str]
    tag_questions: frozenset[str]
    first_person: frozenset[str]
    not_after_you: Matcher
    anaphora: frozenset[str]


def _first_person(modal: str) -> re.Pattern[str]:
    """The client's own obligation: 'I have to...', 'I really should...'."""
    return re.compile(
        r"(?<![\w'])(?:i|we)(?:'ve|'m|'d)?\s+(?:[\w']+\s+){0,2}?(?:"
        + pattern_regex(modal)
        + r")(?!\w)",
        re.IGNORECASE,
    )


def _after_subjects(subjects: Sequence[str], words: Sequence[str]) -> tuple[str, ...]:
    """Patterns for each word after any of the subjects: "(you|your) need", and for a word
    glued to its subject ("'ll") one pattern per subject ("you'll", "u'll"), so that every
    pattern's first word is known and it is only tried where that word occurs."""
    patterns: list[str] = []
    for word in words:
        word = word.replace(" ", "_")
        if word.startswith("'"):
            patterns.extend(f"{subject}{word}" for subject in subjects)
        else:
            patterns.append(f"({'|'.join(subjects)}) {word}")
    return tuple(patterns)


@cache
def lexicons() -> Lexicons:
    rb = lexicon("lexicon-roadblocks")
    refl = lexicon("lexicon-reflection")
    val = lexicon("lexicon-validation")
    emp = lexicon("lexicon-empathy")
    words = lexicon("lexicon-language")
    specs = []
    for rid in ROADBLOCK_IDS:
        spec = rb["roadblocks"][rid]
        echo = spec.get("echo")
        specs.append(
            RoadblockSpec(
                id=rid,
                name=str(spec.get("name", rid.title())),
                behaviour=str(spec.get("behaviour", "other")),
                priority=int(spec.get("priority", 0)),
                alternative=" ".join(str(spec.get("alternative", "")).split()),
                anywhere=_patterns(spec.get("anywhere")),
                clause_start=_patterns(spec.get("clause_start")),
                unless=_patterns(spec.get("unless")),
                framed=bool(spec.get("framed", False)),
                negatable=bool(spec.get("negatable", False)),
                stated=bool(spec.get("stated", False)),
                echo=_first_person(str(echo)) if echo else None,
                statements_only=bool(spec.get("statements_only", False)),
            )
        )
    not_after = [str(w) for w in words["not_reflective_after_you"]]
    subjects: tuple[str, ...] = ("you", "you're", "your", "u", "ya", "you_really", "you_just")
    subjects += ("you_probably", "you_definitely")
    return Lexicons(
        roadblocks=tuple(specs),
        by_id={s.id: s for s in specs},
        frames=_patterns(rb.get("frames")),
        not_roadblocks=_patterns(rb.get("not_roadblocks")),
        stems=_patterns(refl["stems"]),
        tentative=_patterns(refl["tentative"]),
        double_sided=_patterns(refl["double_sided"]),
        simile=_patterns(refl["simile"]),
        metaphor=_patterns(refl["metaphor"]),
        meaning=_patterns(refl["meaning"]),
        generic_questions=_patterns(refl["generic_questions"]),
        invalidating=_patterns(val["invalidating"]),
        history=_patterns(val["history"]),
        normalising=_patterns(val["normalising"]),
        sense_making=_patterns(val["sense_making"]),
        warmth_strong=_patterns(emp["warmth_strong"]),
        warmth_weak=_patterns(emp["warmth_weak"]),
        understanding_weak=_patterns(emp["understanding_weak"]),
        shared_experience=_patterns(emp["shared_experience"]),
        common_humanity=_patterns(emp["common_humanity"]),
        self_kindness=_patterns(emp["self_kindness"]),
        amplifying=_patterns(emp["amplifying"]),
        acknowledging=_patterns(emp["acknowledging"]),
        own_experience=_patterns(emp["own_experience"]),
        not_own_experience=_patterns(emp["not_own_experience"]),
        generic_question_stems=frozenset(stem(str(w)) for w in emp["generic_question_words"]),
        first_person_words=word_list("lexicon-empathy", "first_person_words"),
        tag_questions=word_list("lexicon-reflection", "tag_questions"),
        first_person=word_list("lexicon-language", "first_person"),
        anaphora=word_list("lexicon-language", "anaphora"),
        not_after_you=compile_patterns(_after_subjects(subjects, not_after)),
    )
