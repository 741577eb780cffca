"""The scorer's pipeline: a response, its client statement or vignette, a rubric -> Assessment."""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, NamedTuple

from ..errors import EmptyResponseError, NotEnglishError, ResponseTooLongError
from ..models import (
    HRQ_MEANINGS,
    ROADBLOCK_IDS,
    RUBRIC_NAMES,
    VALIDATION_MEANINGS,
    Assessment,
    CriterionResult,
    Epitome,
    RiskCue,
    RoadblockFinding,
    Span,
    Vignette,
    VignetteAccuracy,
)
from . import classifiers as learned
from . import risk
from .data_files import lexicon, word_list
from .feelings import Feeling, family_labels, feeling_adjective, feeling_families, self_feelings
from .matching import (
    PhraseMatcher,
    compile_all,
    compile_patterns,
    find_all,
    find_at_starts,
    may_match,
    opening_positions,
)
from .patterns import pattern_regex
from .text import Sentence, Text, analyse, analyse_once, question_patterns
from .topics import swap_person, topic_phrase, topic_stems
from .words import content_stems, phrase_stems, stem

__all__ = [
    "DETECTORS",
    "MAX_RESPONSE_CHARS",
    "RUBRIC_NAMES",
    "SCORER_VERSION",
    "CriterionSpec",
    "Rubric",
    "load_rubric",
    "score_response",
    "warm_up",
]

#: Version of the scorer (models, rules and lexicons); stored with every assessment.
SCORER_VERSION = "0.3.0"
#: Longest response scored, in characters.
MAX_RESPONSE_CHARS = 20_000
#: Share of a phrase's content words a response must use to catch an answer-key item.
CATCH_SHARE = 0.5
#: Words after a modal that are still checked against the client's statement (see `echo`).
ECHO_WORDS = 5
#: Share of a plain reflection's content words that must come from the client's statement for it to
#: count as communicated understanding (EPITOME interpretations).
UNDERSTANDING_OVERLAP = 0.5
#: Content words a plain reflection must share with the client's statement to show understanding.
UNDERSTANDING_WORDS = 3
#: First-person words (I, me, my...) a response needs to count as telling an own experience...
OWN_EXPERIENCE_PRONOUNS = 2
#: ...and how many times more of them than second-person words.
OWN_EXPERIENCE_RATIO = 1.0
#: Words a sentence about the responder's own experience needs to count as sharing one.
OWN_EXPERIENCE_WORDS = 4
#: Words a roadblock phrase needs before repeating the client's own words excuses it.
QUOTE_WORDS = 3
#: Characters before a roadblock searched for a frame such as "you feel".
FRAME_REACH = 90
#: Content words, none shared with what the client said, that make a reflection off topic.
OFF_TOPIC_WORDS = 2
#: How many off-topic words feedback names.
OFF_TOPIC_NAMED = 3
#: Letters two long stems must share at the start to count as the same word (see `_shares`).
PREFIX_CHARS = 5

_BOUNDARY = re.compile(
    r"[;:!?]|,\s*(?:so|but|and|then|yet|though|although|however|because)\b|\b(?:so|but)\s+",
    re.IGNORECASE,
)
_FIRST_PERSON_BEFORE = re.compile(r"(?:^|\s)(?:i|i'm|i've|i'd|we|we're|i\s+\w+)\s*$", re.IGNORECASE)
_REPORTED = re.compile(
    r"(?:says?|saying|said|tells?|telling|told|thinks?|thought|reckons?|wants?|insists?)\s+"
    r"(?:that\s+)?$",
    re.IGNORECASE,
)
_REPORTED_BEFORE = re.compile(
    r"(?:says?|saying|said|tells?|telling|told|thinks?|reckons?|keeps?\s+saying)\s+"
    r"(?:that\s+)?[\"']?\s*$"
)
_EXTRA_STARTS = re.compile(r"(?:,\s*|\s)(?:but|so)\s+", re.IGNORECASE)
_SUBORDINATORS = frozenset(
    {"when", "if", "although", "though", "whereas", "unless", "until", "whether", "before"}
)
_THIRD_PERSON = frozenset(
    {
        "he",
        "she",
        "they",
        "he's",
        "she's",
        "they're",
        "his",
        "her",
        "their",
        "people",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "nobody",
        "others",
        "lots",
        "most",
        "many",
    }
)
# Subjects of a clause that speak of the client's own feelings (not a third party's).
_CLIENT_SUBJECTS = frozenset(
    {
        "you",
        "you're",
        "you've",
        "you'd",
        "youre",
        "it",
        "it's",
        "that",
        "that's",
        "this",
        "there",
        "sounds",
        "seems",
    }
)
_WH_WORDS = frozenset({"what", "how", "why", "when", "where", "who", "which", "whose"})
_ANSWERS = frozenset({"yes", "no", "yeah", "nope", "probably", "maybe", "nah", "yep", "sure"})
_SECOND_PERSON_WORDS = frozenset(
    {"you", "your", "you're", "you've", "you'd", "you'll", "yours", "yourself", "youre", "ur"}
)


# --- rubrics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of a rubric file."""

    id: str
    """Criterion id."""
    name: str
    """Short name shown to trainees."""
    detector: str
    """Name of the detector that decides it (a key of DETECTORS)."""
    params: Mapping[str, Any]
    """Detector parameters."""
    met: str
    """Feedback when met."""
    missed: str
    """Feedback when missed, with a concrete next step."""
    needs_vignette: bool = False
    """Only checked against a vignette's answer key."""
    variants: Mapping[str, str] = field(default_factory=dict)
    """Other feedback a detector can ask for by name (e.g. `off_topic`), and `met_plain` /
    `missed_plain`: the wording used when there are no words to quote as evidence."""

    def template(self, met: bool, variant: str = "", *, evidence: bool = True) -> str:
        """The feedback wording for a decision: the variant asked for, else met or missed; the
        plain form when there is no evidence to quote."""
        key = variant if variant in self.variants else ("met" if met else "missed")
        if not evidence:
            plain = self.variants.get(f"{key}_plain")
            if plain is not None:
                return plain
        if key == "met":
            return self.met
        return self.missed if key == "missed" else self.variants[key]


@dataclass(frozen=True)
class Rubric:
    """A rubric: settings, criteria in priority order, and summary wording."""

    id: str
    """Rubric name."""
    title: str
    """Title shown to trainees."""
    description: str
    """What the rubric looks for."""
    questions_are_roadblocks: bool
    """Gordon's view (every question is a roadblock) rather than MITI's."""
    interrogating_run: int
    """This many questions in a row, with no reflection, count as questioning."""
    criteria: tuple[CriterionSpec, ...]
    """Criteria, most important first."""
    summary: Mapping[str, str]
    """Wording of the summary feedback."""


@cache
def load_rubric(name: str) -> Rubric:
    """Load a built-in rubric by name; ValueError names the known ones."""
    if name not in RUBRIC_NAMES:
        raise ValueError(f"unknown rubric {name!r}; known rubrics: {', '.join(RUBRIC_NAMES)}")
    data = lexicon(name)
    where = f"rubrics/{name}.yml"
    settings = data.get("settings") or {}
    criteria = []
    for i, item in enumerate(data.get("criteria") or ()):
        detector = str(item.get("detector", ""))
        if detector not in DETECTORS:
            raise ValueError(f"{where}: criteria[{i}].detector: unknown detector {detector!r}")
        feedback = {
            str(k): " ".join(str(v).split()) for k, v in (item.get("feedback") or {}).items()
        }
        variants = {k: v for k, v in feedback.items() if k not in ("met", "missed")}
        for key in [k for k in ("met", "missed", *variants) if not k.endswith("_plain")]:
            if EVIDENCE in feedback.get(key, "") and f"{key}_plain" not in variants:
                variants[f"{key}_plain"] = _without_evidence(feedback[key])
        criteria.append(
            CriterionSpec(
                id=str(item["id"]),
                name=str(item["name"]),
                detector=detector,
                params=dict(item.get("params") or {}),
                met=feedback.get("met", ""),
                missed=feedback.get("missed", ""),
                needs_vignette=bool(item.get("needs_vignette", False)),
                variants=variants,
            )
        )
    return Rubric(
        id=str(data.get("id", name)),
        title=str(data.get("title", name)),
        description=str(data.get("description", "")).strip(),
        questions_are_roadblocks=bool(settings.get("questions_are_roadblocks", False)),
        interrogating_run=int(settings.get("interrogating_run", 3)),
        criteria=tuple(criteria),
        summary={str(k): str(v).strip() for k, v in (data.get("summary") or {}).items()},
    )


#: The placeholder for the words a criterion's decision rests on.
EVIDENCE = "{evidence}"
_QUOTED_EVIDENCE = re.compile(r"\s*\(\s*'?\{evidence\}'?\s*\)")
_EVIDENCE_SUBJECT = re.compile(r"'\{evidence\}'|\{evidence\}")


def _without_evidence(template: str) -> str:
    """Feedback wording for when there are no words to quote.

    "You named the feeling ('{evidence}')." -> "You named the feeling."; "'{evidence}' reads more
    into it" -> "Your response reads more into it".
    """
    plain = _QUOTED_EVIDENCE.sub("", template)

    def subject(m: re.Match[str]) -> str:
        before = plain[: m.start()].rstrip()
        opens = not before or before.endswith((".", "!", "?", ":"))
        return "Your response" if opens else "your response"

    return _EVIDENCE_SUBJECT.sub(subject, plain)


# --- compiled lexicons -------------------------------------------------------------------------

Pattern = re.Pattern[str] | None
Matcher = PhraseMatcher | None


def _patterns(items: Iterable[Any] | None) -> Matcher:
    return compile_patterns(tuple(str(i) for i in items or ()))


@dataclass(frozen=True)
class _RoadblockSpec:
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
class _Lexicons:
    """Every compiled pattern the scorer uses."""

    roadblocks: tuple[_RoadblockSpec, ...]
    by_id: Mapping[str, _RoadblockSpec]
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
def _lexicons() -> _Lexicons:
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
            _RoadblockSpec(
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
    return _Lexicons(
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


def warm_up() -> None:
    """Load every rubric and lexicon and compile every pattern now (about a second), so that
    the first responses a server scores are as fast as the rest."""
    for name in RUBRIC_NAMES:
        load_rubric(name)
    _lexicons()
    compile_all()
    question_patterns()
    score_response("You sound tired.", client_statement="I'm so tired.")


# --- findings ----------------------------------------------------------------------------------

Spans = list[tuple[int, int]]


class _Roadblock(NamedTuple):
    """A roadblock found in a response."""

    category: str
    start: int
    end: int


class _Reflective(NamedTuple):
    """A clause that says back what the client said."""

    start: int
    end: int
    strength: float
    kind: str


@dataclass
class _Findings:
    """Everything the detectors found in one response."""

    text: Text
    statement: Text | None
    roadblocks: list[_Roadblock]
    reflective: list[_Reflective]
    questions: list[int]
    feelings: list[Feeling]
    new_feelings: list[Feeling]
    apt_feelings: list[Feeling]
    cues: dict[str, Spans] = field(default_factory=dict)
    off_topic: list[str] = field(default_factory=list)
    """Words of a reflection about something the client never mentioned (see `_off_topic`)."""
    depth: str = "none"
    depth_evidence: Spans = field(default_factory=list)
    apt: bool = False
    apt_evidence: Spans = field(default_factory=list)


def _question_spans(found: _Findings) -> Spans:
    """The question part of each question the response asks."""
    sentences = found.text.sentences
    return [(sentences[i].question_start, sentences[i].end) for i in found.questions]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _any_overlap(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(_overlaps(span, s) for s in spans)


def _starts(text: Text) -> list[int]:
    """Clause starts, plus the word after a mid-sentence 'but' or 'so'."""
    starts = {c.start for c in text.clauses}
    for sentence in text.sentences:
        for m in _EXTRA_STARTS.finditer(text.norm, sentence.start, sentence.end):
            starts.add(m.end())
    return sorted(starts)


def _in_question(text: Text, pos: int) -> bool:
    sentence = text.sentences[text.sentence_at(pos)] if text.sentences else None
    return bool(sentence and sentence.is_question and pos >= sentence.question_start)


def _framed(text: Text, start: int, frames: Matcher) -> bool:
    """Whether the words before a match report the client's view ('you feel you should...')."""
    if frames is None or not text.sentences:
        return False
    sentence = text.sentences[text.sentence_at(start)]
    lo = max(sentence.start, start - FRAME_REACH)
    for f_start, f_end in find_all(frames, text, lo, start):
        if _FIRST_PERSON_BEFORE.search(text.norm, max(lo, f_start - 12), f_start):
            continue
        if not _BOUNDARY.search(text.norm, f_end, start):
            return True
    return False


def _negated(text: Text, start: int) -> bool:
    """Whether a negation comes in the three words before an offset, in the same clause."""
    clause_start = 0
    for c in text.clauses:
        if c.start > start:
            break
        clause_start = c.start
    first = bisect.bisect_left(text.word_starts, clause_start)
    before = text.words[first : bisect.bisect_left(text.word_starts, start)][-3:]
    return any(
        w.lower in {"not", "never", "no", "hardly"} or w.lower.endswith("n't") for w in before
    )


def _quotes_client(text: Text, span: tuple[int, int], client: _Client) -> bool:
    """Whether a roadblock's words only repeat the client's ("I'm not stupid" -> "you're not
    stupid"): saying them back is a reflection."""
    if client.statement is None:
        return False
    words = " ".join(text.norm[span[0] : span[1]].lower().split())
    said = client.said
    at = said.find(words)
    if len(words.split()) < QUOTE_WORDS or at < 0:
        return False
    return not _REPORTED_BEFORE.search(said[max(0, at - 30) : at]) and said[:at].count('"') % 2 == 0


def _stated(text: Text, span: tuple[int, int], statement: Text | None) -> bool:
    if statement is None:
        return False
    stems = content_stems(text.words_in(*span))
    return bool(stems) and stems <= statement.stems


@lru_cache(maxsize=1024)
def _says_own(statement: str, echo: re.Pattern[str]) -> bool:
    """Whether the client says 'I have to...' in their own voice (not reporting someone)."""
    return any(
        not _REPORTED.search(statement, max(0, m.start() - 30), m.start())
        for m in echo.finditer(statement)
    )


def _echoes(text: Text, end: int, statement: Text | None, echo: Pattern) -> bool:
    """Whether the words after a modal repeat a client's own 'I have to...'."""
    if statement is None or echo is None or not _says_own(statement.norm, echo):
        return False
    sentence = text.sentences[text.sentence_at(end)]
    after = [w for w in text.words_from(end)[:ECHO_WORDS] if w.end <= sentence.end]
    stems = content_stems(after)
    return len(stems) >= 2 and _repeats(stems, statement)


def _find_roadblocks(text: Text, client: _Client, lex: _Lexicons) -> list[_Roadblock]:
    statement = client.statement
    starts = opening_positions(text, _starts(text))
    blocked: Spans | None = None
    found: list[tuple[int, _Roadblock]] = []
    for spec in lex.roadblocks:
        if not (may_match(spec.anywhere, text) or may_match(spec.clause_start, text)):
            continue
        spans = find_all(spec.anywhere, text)
        spans += find_at_starts(spec.clause_start, text, starts)
        if not spans:
            continue
        if blocked is None:
            blocked = find_all(lex.not_roadblocks, text)
        unless = find_all(spec.unless, text)
        for span in sorted(set(spans)):
            if spec.statements_only and _in_question(text, span[0]):
                continue
            if _any_overlap(span, unless) or _any_overlap(span, blocked):
                continue
            if spec.framed and _framed(text, span[0], lex.frames):
                continue
            if spec.negatable and _negated(text, span[0]):
                continue
            if spec.stated and _stated(text, span, statement):
                continue
            if _quotes_client(text, span, client):
                continue
            if _echoes(text, span[1], statement, spec.echo):
                continue
            found.append((spec.priority, _Roadblock(spec.id, span[0], span[1])))
    kept: list[tuple[int, _Roadblock]] = []
    for priority, rb in sorted(found, key=lambda f: (-f[0], f[1].start)):
        if any(_overlaps((rb.start, rb.end), (k.start, k.end)) for _, k in kept):
            continue
        kept.append((priority, rb))
    return sorted((rb for _, rb in kept), key=lambda r: r.start)


def _questioning(text: Text, rubric: Rubric, reflective: list[_Reflective]) -> list[_Roadblock]:
    """Questions as roadblocks: every one (Gordon), or an interrogating run."""
    questions = [s for s in text.sentences if s.is_question]
    if rubric.questions_are_roadblocks:
        return [_Roadblock("questioning", s.question_start, s.end) for s in questions]
    if reflective or len(questions) < rubric.interrogating_run:
        return []
    longest: list[Sentence] = []
    run: list[Sentence] = []
    for sentence in text.sentences:
        run = [*run, sentence] if sentence.is_question else []
        if len(run) > len(longest):
            longest = run
    if len(longest) >= rubric.interrogating_run:
        return [_Roadblock("questioning", longest[0].question_start, longest[-1].end)]
    return []


_LEADING_DISCOURSE = frozenset(
    {
        "so",
        "and",
        "but",
        "well",
        "ok",
        "okay",
        "oh",
        "yeah",
        "yes",
        "now",
        "then",
        "also",
        "just",
        "really",
        "honestly",
        "right",
        "sure",
        "hmm",
        "um",
        "look",
    }
)


def _first_word(text: Text, start: int, end: int) -> str:
    """The first word of a clause after discourse words ('so', 'well', 'of course'...)."""
    words = text.words_in(start, end)
    i = 0
    while i < len(words) - 1 and words[i].lower in _LEADING_DISCOURSE:
        i += 1
    if i < len(words) - 1 and words[i].lower == "of" and words[i + 1].lower == "course":
        i += 2
    return words[i].lower if i < len(words) else ""


def _find_reflective(
    text: Text, statement: Text | None, roadblocks: list[_Roadblock], lex: _Lexicons
) -> list[_Reflective]:
    """Clauses that say back what the client said, with how sure the rules are."""
    reflective: list[_Reflective] = []
    clause_starts = opening_positions(text, [c.start for c in text.clauses])
    stems_at = {s for s, _ in find_at_starts(lex.stems, text, clause_starts)}
    not_reflective = {s for s, _ in find_at_starts(lex.not_after_you, text, clause_starts)}
    first_roadblock = min((rb.start for rb in roadblocks), default=len(text.norm))
    for index, clause in enumerate(text.clauses):
        if _in_question(text, clause.start):
            continue
        end = clause.end
        for rb in roadblocks:
            if rb.start <= clause.start < rb.end:
                end = clause.start
                break
            if clause.start < rb.start < end:
                end = rb.start
        if end <= clause.start:
            continue
        words = text.words_in(clause.start, end)
        if not words:
            continue
        feelings = [f for f in text.feelings if clause.start <= f.start < end and not f.negated]
        first = _first_word(text, clause.start, end)
        if any(clause.start <= s < min(end, clause.start + 40) for s in stems_at):
            reflective.append(_Reflective(clause.start, end, 1.0, "stem"))
            continue
        if len(words) < 2 and not feelings:
            continue
        if any(clause.start <= s < min(end, clause.start + 40) for s in not_reflective):
            continue
        if first in lex.first_person:
            continue
        if first in _SUBORDINATORS and _leads_into_question(text, index):
            continue
        overlap, shared = 0.0, 0
        if statement is not None:
            stems = content_stems(words)
            shared = len(stems & statement.stems)
            overlap = shared / len(stems) if stems else 0.0
        if first in _THIRD_PERSON and overlap < CATCH_SHARE:
            continue
        after_roadblock = clause.start > first_roadblock
        if feelings and not (after_roadblock and first not in _CLIENT_SUBJECTS):
            reflective.append(_Reflective(clause.start, end, 0.8, "feeling"))
            continue
        if after_roadblock:
            continue
        has_you = any(w.lower in _SECOND_PERSON_WORDS for w in words)
        if first in _SECOND_PERSON_WORDS and len(words) >= 3:
            reflective.append(_Reflective(clause.start, end, 0.7, "second-person"))
        elif has_you and len(words) >= 3:
            reflective.append(_Reflective(clause.start, end, 0.6, "about-you"))
        elif statement is not None and overlap >= CATCH_SHARE and len(words) >= 4:
            reflective.append(_Reflective(clause.start, end, 0.5, "echo"))
    return reflective


def _leads_into_question(text: Text, index: int) -> bool:
    """Whether a clause is the lead-in of a question ('When you say X, what do you mean?')."""
    clause = text.clauses[index]
    nxt = text.clauses[index + 1] if index + 1 < len(text.clauses) else None
    return nxt is not None and nxt.sentence == clause.sentence and _in_question(text, nxt.start)


def _echo_span(
    text: Text, span: tuple[int, int], statement: Text | None, *, following: bool = False
) -> bool:
    """Whether a cue only repeats the client's words.

    With `following`, a cue made of function words alone ('as if', 'like you were') is judged
    by the rest of its clause: 'as if you're not in the room' repeats 'like I'm not in the room'.
    """
    if statement is None:
        return False
    stems = content_stems(text.words_in(*span))
    if not stems and following:
        clause_end = _clause_end(text, span[0], span[1])
        after = [w for w in text.words_from(span[1])[:ECHO_WORDS] if w.end <= clause_end]
        stems = content_stems(after)
    return _repeats(stems, statement)


def _repeats(stems: frozenset[str], statement: Text) -> bool:
    """Whether more than CATCH_SHARE of some content stems are the client's."""
    return bool(stems) and len(stems & statement.stems) / len(stems) > CATCH_SHARE


def _clause_end(text: Text, pos: int, default: int) -> int:
    """Where the clause holding an offset ends (`default` when no clause holds it)."""
    return next((c.end for c in text.clauses if c.start <= pos < c.end), default)


# --- answer keys -------------------------------------------------------------------------------


@cache
def _item_stems(item: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Stems of an answer-key phrase, and those of its content words."""
    stems = phrase_stems(item)
    content = content_stems(analyse(item).words)
    return stems, content or frozenset(stems)


Stems = tuple[str, ...]
Positions = Mapping[str, tuple[int, ...]]


def _phrase_span(item: str, text: Text, *, ordered: bool) -> tuple[int, int] | None:
    """Where a response uses an answer-key phrase (stems, in order when asked), or None."""
    stems, wanted = _item_stems(item)
    return _stems_span(stems, wanted, text, text.stem_positions(), ordered=ordered)


def _stems_span(
    stems: Stems, wanted: frozenset[str], text: Text, positions: Positions, *, ordered: bool
) -> tuple[int, int] | None:
    """Where a text uses a phrase given by its stems (see `_phrase_span`), or None."""
    words = text.words
    if not stems or not words:
        return None
    starts = positions.get(stems[0], ())
    if len(stems) == 1:
        return (words[starts[0]].start, words[starts[0]].end) if starts else None
    if ordered:
        if not starts:
            return None
        window = len(stems) + 3
        for i in starts:
            j, k = i + 1, 1
            while j < len(words) and j < i + window and k < len(stems):
                if words[j].stem == stems[k]:
                    k += 1
                j += 1
            if k == len(stems):
                return (words[i].start, words[j - 1].end)
        return None
    found = len(positions.keys() & wanted)
    if not found or found / len(wanted) < CATCH_SHARE or found < min(2, len(wanted)):
        return None
    hits = sorted(i for stem in wanted for i in positions.get(stem, ()))
    return (words[hits[0]].start, words[hits[-1]].end)


@dataclass(frozen=True)
class _KeyItem:
    """An answer-key phrase, ready to look for in responses."""

    item: str
    stems: Stems
    wanted: frozenset[str]
    families: frozenset[str]


@dataclass(frozen=True)
class _KeyIndex:
    """A vignette's answer key, worked out once for every response to it."""

    stated: tuple[_KeyItem, ...]
    unstated: tuple[_KeyItem, ...]
    meanings: tuple[_KeyItem, ...]
    content: tuple[_KeyItem, ...]
    over: tuple[_KeyItem, ...]
    """Over-interpretations, but not those the client's own statement uses."""
    risks: tuple[tuple[RiskCue, tuple[_KeyItem, ...]], ...]
    risk_cues: tuple[RiskCue, ...]
    stated_families: frozenset[str]
    """Families of the stated feelings."""


def _key_item(item: str, *, feeling: bool = False) -> _KeyItem:
    stems, wanted = _item_stems(item)
    families = frozenset(feeling_families(item)) if feeling else frozenset()
    return _KeyItem(item, stems, wanted, families)


@lru_cache(maxsize=512)
def _key_index(vignette: Vignette) -> _KeyIndex:
    key = vignette.answer_key
    statement = analyse(vignette.statement)
    stated = tuple(_key_item(i, feeling=True) for i in key.stated_feelings)
    return _KeyIndex(
        stated=stated,
        unstated=tuple(_key_item(i, feeling=True) for i in key.unstated_feelings),
        meanings=tuple(_key_item(i) for i in key.meanings),
        content=tuple(_key_item(i) for i in key.key_content),
        over=tuple(
            _key_item(i)
            for i in key.over_interpretations
            if _phrase_span(i, statement, ordered=True) is None
        ),
        risks=tuple(
            (cue, tuple(_key_item(p) for p in cue.acknowledged_by)) for cue in key.risk_cues
        ),
        risk_cues=key.risk_cues,
        stated_families=frozenset(f for k in stated for f in k.families),
    )


def _feeling_span(
    k: _KeyItem, text: Text, positions: Positions, feelings: Sequence[Feeling]
) -> tuple[int, int] | None:
    """Where a response names an answer-key feeling, by stem or by feeling family."""
    exact = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
    if exact is not None:
        return exact
    for f in feelings:
        if not k.families.isdisjoint(f.families):
            return (f.start, f.end)
    return None


class _KeyResult(NamedTuple):
    """A response checked against a vignette's answer key."""

    risk_cues: tuple[RiskCue, ...]
    accuracy: VignetteAccuracy
    caught_spans: dict[str, tuple[int, int]]
    unstated_spans: Spans
    meaning_spans: Spans


def _check_key(text: Text, index: _KeyIndex, feelings: Sequence[Feeling]) -> _KeyResult:
    positions = text.stem_positions()
    caught: dict[str, tuple[int, int]] = {}
    missed: list[str] = []
    unstated: Spans = []
    meanings: Spans = []
    groups: list[float] = []
    feeling_hit = False
    for k in index.stated:
        span = _feeling_span(k, text, positions, feelings)
        if span:
            caught[k.item] = span
            feeling_hit = True
        else:
            missed.append(k.item)
    for k in index.unstated:
        span = _feeling_span(k, text, positions, feelings)
        if span and not _any_overlap(span, caught.values()):
            caught[k.item] = span
            unstated.append(span)
            feeling_hit = True
        elif span:
            caught.setdefault(k.item, span)
        else:
            missed.append(k.item)
    if index.stated or index.unstated:
        groups.append(1.0 if feeling_hit else 0.0)
    meaning_hit = False
    for k in index.meanings:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=False)
        if span:
            caught[k.item] = span
            meanings.append(span)
            meaning_hit = True
        else:
            missed.append(k.item)
    if index.meanings:
        groups.append(1.0 if meaning_hit else 0.0)
    content_hits = 0
    for k in index.content:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=False)
        if span:
            caught[k.item] = span
            content_hits += 1
        else:
            missed.append(k.item)
    if index.content:
        groups.append(min(1.0, content_hits / min(2, len(index.content))))
    over: list[Span] = []
    for k in index.over:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
        if span:
            over.append(_span(text, span))
    missed_risks: list[RiskCue] = []
    for cue, phrases in index.risks:
        hit = None
        for k in phrases:
            hit = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
            if hit:
                caught[f"risk: {cue.cue}"] = hit
                break
        if hit is None:
            missed_risks.append(cue)
    score = sum(groups) / len(groups) if groups else 0.0
    accuracy = VignetteAccuracy(
        caught=tuple(caught),
        missed=tuple(missed),
        over_interpretations=tuple(over),
        missed_risks=tuple(missed_risks),
        score=round(score, 3),
    )
    return _KeyResult(index.risk_cues, accuracy, caught, unstated, meanings)


# --- the client: what every response to one statement or vignette is checked against -----------


@dataclass(frozen=True)
class _Client:
    """What scoring uses of a client statement and vignette, worked out once and shared by every
    response to them (a workshop or a graded table scores many responses to the same one)."""

    statement: Text | None
    """The client's statement, analysed; None when there is none."""
    said: str
    """The statement in the second person, lower case, single-spaced."""
    stated_families: frozenset[str]
    """Feeling families the client named (in the statement or the answer key's stated feelings)."""
    reference: frozenset[str]
    """Stems of what the client talked about: the statement's content words and the answer
    key's phrases (a reflection shares at least one of them)."""
    prefixes: frozenset[str]
    """The first PREFIX_CHARS letters of the longer reference stems, so that 'practised' and
    'practice' or 'medicine' and 'medical' count as the same word."""
    fill: Mapping[str, str]
    """Suggested wording built from the client's words (see `_example`)."""
    key: _KeyIndex | None
    """The vignette's answer key, ready to check responses against; None without a vignette."""


#: How many client contexts `_client` keeps by identity before starting afresh.
CLIENTS_KEPT = 1024
_CLIENTS: dict[tuple[str, int], tuple[Vignette | None, _Client]] = {}


def _client(statement_text: str, vignette: Vignette | None) -> _Client:
    """The client context of a statement and vignette, worked out once: looked up by the
    vignette's identity first (cheap), then by its value (see `_client_for`)."""
    slot = (statement_text, id(vignette))
    kept = _CLIENTS.get(slot)
    if kept is not None and kept[0] is vignette:
        return kept[1]
    client = _client_for(statement_text, vignette)
    if len(_CLIENTS) >= CLIENTS_KEPT:
        _CLIENTS.clear()
    _CLIENTS[slot] = (vignette, client)
    return client


@lru_cache(maxsize=512)
def _client_for(statement_text: str, vignette: Vignette | None) -> _Client:
    """The client context of a statement and vignette (a vignette hashes by value)."""
    statement = analyse(statement_text) if statement_text.strip() else None
    families: set[str] = set()
    reference: set[str] = set()
    if statement is not None:
        for f in statement.feelings:
            if not f.negated:
                families.update(f.families)
        reference.update(topic_stems(statement.words) | statement.stems)
    if vignette is not None:
        key = vignette.answer_key
        for item in key.stated_feelings:
            families.update(feeling_families(item))
        phrases = (*key.stated_feelings, *key.unstated_feelings, *key.meanings, *key.key_content)
        for cue in key.risk_cues:
            phrases += (cue.cue, *cue.acknowledged_by)
        for phrase in phrases:
            reference.update(_item_stems(phrase)[1])
    said = " ".join(swap_person(statement_text).lower().split()) if statement else ""
    return _Client(
        statement=statement,
        said=said,
        stated_families=frozenset(families),
        reference=frozenset(reference),
        prefixes=frozenset(r[:PREFIX_CHARS] for r in reference if len(r) >= PREFIX_CHARS),
        fill=_example(statement, vignette),
        key=_key_index(vignette) if vignette is not None else None,
    )


def _shares(stems: frozenset[str], client: _Client) -> bool:
    """Whether any stem is one of the client's, or starts like a long one of theirs."""
    if stems & client.reference:
        return True
    return any(len(s) >= PREFIX_CHARS and s[:PREFIX_CHARS] in client.prefixes for s in stems)


def _off_topic(
    text: Text, reflective: Sequence[_Reflective], client: _Client, lex: _Lexicons
) -> list[str]:
    """The words that show a reflection is about something the client never mentioned, or [].

    A reflection is off topic when its content words (feeling words and the image of a simile or
    metaphor set aside) share no stem with what the client said, none of its feelings is one the
    client named, it points back to nobody and nothing the client spoke of ('her', 'those'), and
    at least OFF_TOPIC_WORDS of its words name a topic (not generic words such as 'hard',
    'people' or 'mistake'): "You're worried about your knee surgery" to a client talking about
    their mother. A reflection of a feeling alone ("You're furious.") is never off topic.
    """
    if not reflective or (client.statement is None and not client.reference):
        return []
    skip: Spans = [(f.start, f.end) for f in text.feelings]
    for start, end in find_all(lex.simile, text):
        skip.append((start, max(end, _clause_end(text, start, end))))
    skip += find_all(lex.metaphor, text)
    words = [
        w
        for r in reflective
        for w in text.words_in(r.start, r.end)
        if not _any_overlap((w.start, w.end), skip)
    ]
    topic = topic_stems(words)
    if len(topic) < OFF_TOPIC_WORDS or _shares(content_stems(words), client):
        return []
    named = {fam for f in text.feelings if not f.negated for fam in f.families}
    if named & client.stated_families or any(w.lower in lex.anaphora for w in words):
        return []
    shown: dict[str, str] = {}
    for w in words:
        if topic_stems((w,)):
            shown.setdefault(w.lower, text.original[w.start : w.end])
    return list(shown.values())


# --- depth -------------------------------------------------------------------------------------


def _cue_in_reflections(
    pattern: Matcher,
    text: Text,
    reflective: Sequence[_Reflective],
    statement: Text | None,
    *,
    following: bool = False,
) -> Spans:
    """Matches of a cue inside reflective clauses that do more than repeat the client."""
    spans = []
    for r in reflective:
        for span in find_all(pattern, text, r.start, r.end):
            if not _echo_span(text, span, statement, following=following):
                spans.append(span)
    return spans


def _depth(found: _Findings, lex: _Lexicons, key: _KeyResult | None) -> None:
    """The rules' reading of depth, for its evidence (the depth model decides; see
    `_reconcile`): figures, new feelings and meanings make a reflection complex."""
    text, statement, reflective = found.text, found.statement, found.reflective
    if not reflective:
        found.depth = "none"
        return
    regions = [(r.start, r.end) for r in reflective]
    double = [s for s in find_all(lex.double_sided, text) if _any_overlap(s, regions)]
    simile = _cue_in_reflections(lex.simile, text, reflective, statement, following=True)
    metaphor = _cue_in_reflections(lex.metaphor, text, reflective, statement, following=True)
    normalising = _cue_in_reflections(lex.normalising, text, reflective, None)
    meaning = _cue_in_reflections(lex.meaning, text, reflective, statement)
    key_meanings = (
        [m for m in key.meaning_spans if not _echo_span(text, m, statement)] if key else []
    )
    found.cues.update(
        double_sided=double, simile=simile, metaphor=metaphor, meaning=meaning + key_meanings
    )
    new = [(f.start, f.end) for f in found.new_feelings]
    figures = double + simile + metaphor + normalising
    if key_meanings:
        found.depth = "complex"
        found.depth_evidence = sorted(set(key_meanings + figures + new))
    elif figures or new or meaning:
        found.depth = "complex"
        found.depth_evidence = sorted(set(figures + new + meaning))
    else:
        found.depth = "simple"
        found.depth_evidence = [(r.start, r.end) for r in reflective]
    if not found.depth_evidence:
        found.depth_evidence = [(r.start, r.end) for r in reflective]
    if found.depth != "complex":
        return
    tentative = _cue_in_reflections(lex.tentative, text, reflective, None)
    found.cues["tentative"] = tentative
    if key is not None:
        apt = [(f.start, f.end) for f in found.apt_feelings]
        if simile and key_meanings:
            apt += simile
        found.apt = bool(apt) and not key.accuracy.over_interpretations
    else:
        figures = simile + metaphor
        if new and (tentative or figures):
            apt = new + figures
        else:
            apt = [f for f in figures if _grounded(text, f, reflective, statement)]
        found.apt = bool(apt)
    found.apt_evidence = sorted(set(apt))


def _grounded(
    text: Text, span: tuple[int, int], reflective: Sequence[_Reflective], statement: Text | None
) -> bool:
    """Whether the reflection holding an image also uses the client's words: with no answer key,
    the sign that a simile or metaphor is about this client ("like standing at a crossroads with
    your dad in the way")."""
    if statement is None:
        return False
    for r in reflective:
        if r.start <= span[0] < r.end:
            return bool(content_stems(text.words_in(r.start, r.end)) & statement.stems)
    return False


# --- the pipeline ------------------------------------------------------------------------------


def _spans(text: Text, spans: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
    """The Span objects for offsets into a text, in order: each made once and kept with the
    text, shared by every list of evidence (and every rubric) that cites the same words."""
    book: dict[tuple[int, int], Span] = text.kept("spans")
    out = []
    for span in sorted(set(spans)):
        found = book.get(span)
        if found is None:
            found = book[span] = Span(span[0], span[1], text.original[span[0] : span[1]])
        out.append(found)
    return tuple(out)


def _span(text: Text, span: tuple[int, int]) -> Span:
    """The Span object for one pair of offsets (see `_spans`)."""
    return _spans(text, (span,))[0]


def _check_input(response: object) -> str:
    if not isinstance(response, str) or not response.strip():
        raise EmptyResponseError("the response is empty; write what you would say to the client")
    if len(response) > MAX_RESPONSE_CHARS:
        raise ResponseTooLongError(
            f"the response is {len(response):,} characters long; the scorer accepts at most "
            f"{MAX_RESPONSE_CHARS:,}. Shorten it to what you would say in one turn."
        )
    return response


def _analyse(
    response: str, client: _Client, rubric: Rubric
) -> tuple[_Findings, _KeyResult | None, str | None]:
    """Run the rules' detectors: the evidence the learned decisions cite."""
    lex = _lexicons()
    text = analyse_once(response)
    statement = client.statement
    roadblocks = _find_roadblocks(text, client, lex)
    reflective = _find_reflective(text, statement, roadblocks, lex)
    off_topic = _off_topic(text, reflective, client, lex)
    if off_topic:
        reflective = []
    roadblocks = sorted(roadblocks + _questioning(text, rubric, reflective), key=lambda r: r.start)
    regions = [(r.start, r.end) for r in reflective]
    feelings = [
        f for f in text.feelings if not f.negated and _any_overlap((f.start, f.end), regions)
    ]
    key = _check_key(text, client.key, feelings) if client.key is not None else None
    stated_families = client.stated_families
    new_feelings = [
        f
        for f in feelings
        if not (set(f.families) & stated_families)
        and not (statement is not None and stem(f.entry.split()[0]) in statement.stems)
        and not (
            statement is not None
            and text.words_in(f.start, f.end)
            and all(w.stem in statement.stems for w in text.words_in(f.start, f.end))
        )
    ]
    apt_feelings = []
    if key is not None:
        unstated = key.unstated_spans
        apt_feelings = [
            f
            for f in feelings
            if _any_overlap((f.start, f.end), unstated) and not set(f.families) & stated_families
        ]
        stated_key = client.key.stated_families if client.key is not None else frozenset()
        new_feelings = [
            f for f in new_feelings if f in apt_feelings or stated_key.isdisjoint(f.families)
        ]
        for f in apt_feelings:
            if f not in new_feelings:
                new_feelings.append(f)
    questions = [i for i, s in enumerate(text.sentences) if s.is_question]
    found = _Findings(
        text, statement, roadblocks, reflective, questions, feelings, new_feelings, apt_feelings
    )
    found.off_topic = off_topic
    _depth(found, lex, key)
    return found, key, _question_type(text)


def _question_type(text: Text) -> str | None:
    kinds = [s.question_type for s in text.sentences if s.is_question]
    if not kinds:
        return None
    return "open" if "open" in kinds else "closed"  # the model decides (see score_response)


_BEHAVIOURS = ("reflection", "question", "input", "other")


def _own_experience(text: Text, lex: _Lexicons) -> Spans:
    """Sentences telling the responder's own, similar experience ('I have trouble sleeping too')."""
    if not may_match(lex.own_experience, text):
        return []
    starts = [s.start for s in text.sentences if not s.is_question]
    opened = find_at_starts(lex.own_experience, text, starts)
    refused = {a for a, _ in find_at_starts(lex.not_own_experience, text, starts)}
    spans = []
    for start, _ in opened:
        if start in refused:
            continue
        sentence = text.sentences[text.sentence_at(start)]
        words = text.words_in(sentence.start, sentence.end)
        if len(words) >= OWN_EXPERIENCE_WORDS and not any(
            w.lower in _SECOND_PERSON_WORDS for w in words
        ):
            spans.append((sentence.start, sentence.end))
    return spans


def _explorations(found: _Findings, lex: _Lexicons) -> tuple[Spans, Spans]:
    """Questions that explore what the client has not said: (specific, generic)."""
    text = found.text
    specific: Spans = []
    generic: Spans = []
    sentences = text.sentences
    for i in found.questions:
        s = sentences[i]
        words = text.words_in(s.question_start, s.end)
        if not words:
            continue
        lowers = [w.lower for w in words]
        addressed = any(w in _SECOND_PERSON_WORDS for w in lowers)
        if lowers[0] in {"i", "am", "should", "shall", "do"} and not addressed:
            continue
        if not addressed and lowers[0] not in _WH_WORDS and len(words) < 4:
            continue
        if " ".join(lowers[-2:]) in lex.tag_questions or lowers[-1] in lex.tag_questions:
            continue
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        if following is not None and not following.is_question:
            answer = text.words_in(following.start, following.end)
            if answer and answer[0].lower in _ANSWERS and len(answer) <= 4:
                continue
        span = (s.question_start, s.end)
        opener = find_at_starts(lex.generic_questions, text, [s.question_start])
        rest = content_stems(text.words_in(opener[0][1] if opener else span[0], span[1]))
        rest = frozenset(stem for stem in rest if stem not in lex.generic_question_stems)
        (specific if rest else generic).append(span)
    return specific, generic


def _shows_understanding(found: _Findings, r: _Reflective) -> bool:
    """A reflection that shows understanding: a reflective opener with a feeling, or one that
    says back most of what the client said."""
    has_feeling = any(r.start <= f.start < r.end for f in found.feelings)
    if r.kind == "stem" and has_feeling:
        return True
    if found.statement is None:
        return has_feeling and r.strength >= 0.8
    stems = content_stems(found.text.words_in(r.start, r.end))
    shared = len(stems & found.statement.stems)
    return shared >= UNDERSTANDING_WORDS and shared / max(1, len(stems)) >= UNDERSTANDING_OVERLAP


def _first_person_telling(text: Text, lex: _Lexicons) -> bool:
    """Whether the response speaks mostly of the responder's own experience."""
    first = second = 0
    for w in text.words:
        if w.lower in lex.first_person_words:
            first += 1
        elif w.lower in _SECOND_PERSON_WORDS:
            second += 1
    if first < OWN_EXPERIENCE_PRONOUNS:
        return False
    first -= len(find_all(lex.not_own_experience, text))
    return first >= OWN_EXPERIENCE_PRONOUNS and first >= OWN_EXPERIENCE_RATIO * second


def _epitome(found: _Findings, lex: _Lexicons) -> tuple[Epitome, dict[str, Spans]]:
    """EPITOME codes (Sharma et al. 2020): warmth, understanding, exploring."""
    text = found.text
    evidence: dict[str, Spans] = {}
    strong = find_all(lex.warmth_strong, text)
    weak = find_all(lex.warmth_weak, text)
    er = 2 if strong else 1 if weak else 0
    evidence["epitome_er"] = strong or weak
    shared = find_all(lex.shared_experience, text) + _own_experience(text, lex)
    understanding = find_all(lex.understanding_weak, text)
    understood = [(r.start, r.end) for r in found.reflective if _shows_understanding(found, r)]
    openers = [(r.start, r.end) for r in found.reflective if r.kind == "stem"]
    if not shared and _first_person_telling(text, lex):
        shared = [(s.start, s.end) for s in text.sentences[:1]]
    if understood or shared:
        ip = 2
        evidence["epitome_ip"] = understood or shared
    elif understanding or openers:
        ip = 1
        evidence["epitome_ip"] = understanding or openers
    else:
        ip = 0
        evidence["epitome_ip"] = []
    specific, generic = _explorations(found, lex)
    ex = 2 if specific else 1 if generic else 0
    evidence["epitome_ex"] = specific or generic
    return Epitome(er, ip, ex), evidence


def _validation(found: _Findings, lex: _Lexicons) -> tuple[int, Spans]:
    text = found.text
    invalidating = find_all(lex.invalidating, text)
    minimising = [
        (r.start, r.end)
        for r in found.roadblocks
        if r.category in {"reassuring", "judging", "shaming", "distracting", "moralizing"}
    ]
    if invalidating or minimising:
        found.cues["invalidating"] = invalidating + minimising
        return 0, invalidating + minimising
    normalising = find_all(lex.normalising, text)
    history = find_all(lex.history, text)
    sense = find_all(lex.sense_making, text)
    found.cues.update(normalising=normalising, history=history)
    acknowledged = bool(found.reflective or found.feelings)
    if history and (sense or normalising) and acknowledged:
        level = 5 if normalising and not _all_inside(normalising, sense) else 4
        return (level, normalising + history if level == 5 else history + sense)
    if normalising and acknowledged:
        return 5, normalising
    if not found.reflective:
        return 0, []
    if found.depth == "complex" and (found.new_feelings or found.cues.get("meaning")):
        return 3, found.depth_evidence
    return 2, [(r.start, r.end) for r in found.reflective]


def _all_inside(spans: Spans, within: Spans) -> bool:
    """Whether every span overlaps one of `within` (the same words found by both lists)."""
    return all(_any_overlap(s, within) for s in spans)


def _level_evidence(found: _Findings) -> Spans:
    """The words behind the level: the roadblocks, and the reflection that earned it."""
    roadblocks = [(r.start, r.end) for r in found.roadblocks]
    if found.roadblocks:
        return roadblocks + [(r.start, r.end) for r in found.reflective]
    if found.depth == "none":
        return []
    return found.apt_evidence if found.apt else found.depth_evidence


# --- feedback ----------------------------------------------------------------------------------


class _Fill(dict[str, str]):
    """Placeholder values; a missing one is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=1024)
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


#: How many pieces of rendered feedback `_render` keeps.
RENDERED_KEPT = 8192
_RENDERED: dict[tuple[str, tuple[str, ...]], str] = {}


def _render(template: str, values: _Fill) -> str:
    """A feedback template filled in and single-spaced (kept: most feedback repeats)."""
    slot = (template, tuple([values[name] for name in _placeholders(template)]))
    done = _RENDERED.get(slot)
    if done is None:
        if len(_RENDERED) >= RENDERED_KEPT:
            _RENDERED.clear()
        done = _RENDERED[slot] = " ".join(template.format_map(values).split())
    return done


def _clip(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


def _own_feeling(statement: Text | None, vignette: Vignette | None) -> str:
    """A feeling the client names about themselves, as said after "you're feeling", or ''."""
    if statement is not None:
        for situations in (False, True):
            for f in self_feelings(statement, situations=situations):
                word = feeling_adjective(statement.original[f.start : f.end])
                word = word or feeling_adjective(f.entry)
                if word:
                    return word
    if vignette is not None:
        for item in vignette.answer_key.stated_feelings:
            word = feeling_adjective(item)
            if word:
                return word
    return ""


def _example(statement: Text | None, vignette: Vignette | None) -> dict[str, str]:
    """Suggested wording built from what the client said: a feeling they named about themselves
    ('{feeling}'), one they did not name ('{unstated}'), a sample reflection ('{example}') and
    one that names a feeling ('{feeling_example}'):
    "It sounds like you're feeling fed up.", else "It sounds like things at work have been really
    hard.", else a plain "It sounds like this has been weighing on you."."""
    feeling = _own_feeling(statement, vignette)
    unstated = ""
    if vignette is not None:
        for item in vignette.answer_key.unstated_feelings:
            unstated = feeling_adjective(item) or ""
            if unstated:
                break
    labels = family_labels()
    if not unstated:
        stated = {fam for f in (statement.feelings if statement else ()) for fam in f.families}
        for family in ("fear", "loneliness", "powerlessness", "hurt", "tiredness"):
            if family not in stated:
                unstated = labels.get(family, family)
                break
    topic = topic_phrase(statement) if statement is not None else None
    unstated = unstated or "worried"
    if feeling:
        example = f"It sounds like you're feeling {feeling}."
        with_feeling = example
    elif topic:
        example = f"It sounds like things {topic} have been really hard."
        with_feeling = f"It sounds like things {topic} might be leaving you feeling {unstated}."
    else:
        example = "It sounds like this has been weighing on you."
        with_feeling = f"It sounds like you might be feeling {unstated}."
    return {
        "example": example,
        "feeling_example": with_feeling,
        "feeling": feeling or "this way",
        "unstated": unstated,
        "content": f"things {topic}" if topic else "",
    }


class _Context(NamedTuple):
    """What detectors see: the findings plus everything scored so far."""

    found: _Findings
    key: _KeyResult | None
    validation_level: int
    validation_evidence: Spans
    lex: _Lexicons
    vignette: Vignette | None
    risk_handling: str | None = None
    """The model's judgement of how the response handles a risk cue; None without one."""


#: A detector's decision: met or missed, the evidence spans, and placeholder values for the
#: feedback (`variant` names another wording of the criterion). None: the criterion does not
#: apply to this response and is left out.
Decision = tuple[bool, Spans, dict[str, str]] | None


def _detect_roadblocks(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    ids = set(params.get("ids") or ROADBLOCK_IDS)
    hits = [r for r in ctx.found.roadblocks if r.category in ids]
    if not hits:
        return True, [], {}
    first = ctx.lex.by_id[hits[0].category]
    return (
        False,
        [(r.start, r.end) for r in hits],
        {"roadblock": first.name, "alternative": first.alternative},
    )


def _off_topic_values(found: _Findings) -> dict[str, str]:
    words = ", ".join(f"'{w}'" for w in found.off_topic[:OFF_TOPIC_NAMED])
    return {"variant": "off_topic", "off_topic": words}


def _off_topic_spans(found: _Findings) -> Spans:
    named = {w.lower() for w in found.off_topic[:OFF_TOPIC_NAMED]}
    return [(w.start, w.end) for w in found.text.words if w.lower in named]


def _detect_reflection(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    if ctx.found.off_topic:
        return False, _off_topic_spans(ctx.found), _off_topic_values(ctx.found)
    spans = [(r.start, r.end) for r in ctx.found.reflective]
    return bool(spans), spans, {}


def _detect_feeling(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    spans = [(f.start, f.end) for f in ctx.found.feelings]
    return bool(spans), spans, {}


def _detect_complex(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    complex_ = ctx.found.depth == "complex"
    return complex_, ctx.found.depth_evidence if complex_ else [], {}


def _detect_tentative(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    spans = _cue_in_reflections(ctx.lex.tentative, ctx.found.text, ctx.found.reflective, None)
    return bool(spans), spans, {}


def _detect_question_balance(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    ratio = float(params.get("ratio", 1.0))
    questions = len(ctx.found.questions)
    reflections = len(ctx.found.reflective)
    spans = _question_spans(ctx.found)
    met = questions == 0 or reflections >= ratio * questions
    return met, [] if met else spans, {}


def _detect_open_questions(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    closed = [
        (s.question_start, s.end)
        for s in ctx.found.text.sentences
        if s.is_question and s.question_type == "closed"
    ]
    return not closed, closed, {}


def _detect_validation_level(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    least = int(params.get("min", 2))
    met = ctx.validation_level >= least
    if not met and ctx.found.off_topic and least <= 2:
        return False, _off_topic_spans(ctx.found), _off_topic_values(ctx.found)
    return met, ctx.validation_evidence if met else [], {}


def _detect_no_invalidation(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    spans = ctx.found.cues.get("invalidating", [])
    return not spans, spans, {}


def _detect_cue(name: str) -> Callable[[_Context, Mapping[str, Any]], Decision]:
    def detect(ctx: _Context, params: Mapping[str, Any]) -> Decision:
        spans = find_all(getattr(ctx.lex, name), ctx.found.text)
        return bool(spans), spans, {}

    detect.__doc__ = f"Met when the response uses {name.replace('_', ' ')} wording."
    return detect


def _detect_acknowledges(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    text = ctx.found.text
    amplifying = find_all(ctx.lex.amplifying, text)
    if amplifying:
        return False, amplifying, {}
    spans = [(r.start, r.end) for r in ctx.found.reflective]
    spans += find_all(ctx.lex.acknowledging, text)
    spans += find_all(ctx.lex.warmth_strong, text)
    return bool(spans), spans, {}


def _detect_accuracy(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    if ctx.key is None:
        return True, [], {}
    accuracy = ctx.key.accuracy
    met = accuracy.score >= float(params.get("min_score", 0.5))
    missed = ", ".join(f"'{m}'" for m in accuracy.missed[:3]) or "the feeling"
    caught = ", ".join(f"'{c}'" for c in accuracy.caught[:3] if not c.startswith("risk:"))
    return met, list(ctx.key.caught_spans.values()), {"missed": missed, "caught": caught}


def _detect_over_interpretation(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    """Missed for a reading the answer key says goes too far, or for a reflection about
    something the client never mentioned; checked with a vignette, or for any reflection of a
    client statement."""
    found = ctx.found
    if found.off_topic:
        return False, _off_topic_spans(found), _off_topic_values(found)
    if ctx.key is None:
        return (True, [], {}) if found.statement is not None and found.reflective else None
    spans = [(s.start, s.end) for s in ctx.key.accuracy.over_interpretations]
    return not spans, spans, {}


def _detect_risk(ctx: _Context, params: Mapping[str, Any]) -> Decision:
    """Left out unless the vignette has risk cues; the model judges how the cue was handled."""
    if ctx.key is None or not ctx.key.risk_cues:
        return None
    if ctx.risk_handling == "taken_up":
        spans = [s for k, s in ctx.key.caught_spans.items() if k.startswith("risk:")]
        return True, spans, {}
    first = (ctx.key.accuracy.missed_risks or ctx.key.risk_cues)[0]
    cue = " ".join(first.cue.split())
    words = cue if re.match(r"I\b", cue) else cue[:1].lower() + cue[1:]
    values = {"cue": cue, "cue_words": words, "direct_question": risk.direct_question(first.kind)}
    if ctx.risk_handling == "safety_error":
        values["variant"] = "unsafe"
    return False, [], values


#: Detectors a rubric criterion can name, each deciding met or missed with evidence.
DETECTORS: dict[str, Callable[[_Context, Mapping[str, Any]], Decision]] = {
    "roadblocks": _detect_roadblocks,
    "reflection": _detect_reflection,
    "feeling_named": _detect_feeling,
    "complex_reflection": _detect_complex,
    "tentative": _detect_tentative,
    "question_balance": _detect_question_balance,
    "open_questions": _detect_open_questions,
    "validation_level": _detect_validation_level,
    "no_invalidation": _detect_no_invalidation,
    "common_humanity": _detect_cue("common_humanity"),
    "self_kindness": _detect_cue("self_kindness"),
    "acknowledges_pain": _detect_acknowledges,
    "accuracy": _detect_accuracy,
    "over_interpretation": _detect_over_interpretation,
    "risk": _detect_risk,
}


@lru_cache(maxsize=4096)
def _plain_result(criterion_id: str, name: str, met: bool, feedback: str) -> CriterionResult:
    """A criterion's result with no evidence (immutable, so one object serves every response)."""
    return CriterionResult(criterion_id, name, met, (), feedback)


def _criteria(
    ctx: _Context, rubric: Rubric, fill: Mapping[str, str]
) -> tuple[CriterionResult, ...]:
    text = ctx.found.text
    base = _Fill(fill)
    results = []
    for spec in rubric.criteria:
        if spec.needs_vignette and ctx.vignette is None:
            continue
        decision = DETECTORS[spec.detector](ctx, spec.params)
        if decision is None:
            continue
        met, spans, extra = decision
        evidence = _spans(text, spans) if spans else ()
        values = _Fill(base)
        if extra:
            values.update(extra)
            if "alternative" in extra:
                values["alternative"] = extra["alternative"].format_map(base)
        if spec.detector == "accuracy":
            quote = extra.get("caught", "")
        else:
            quote = _clip(evidence[0].text) if evidence else ""
        values["evidence"] = quote
        template = spec.template(met, extra.get("variant", ""), evidence=bool(quote.strip()))
        feedback = _render(template, values)
        if evidence:
            results.append(CriterionResult(spec.id, spec.name, met, evidence, feedback))
        else:
            results.append(_plain_result(spec.id, spec.name, met, feedback))
    return tuple(results)


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _summary(rubric: Rubric, criteria: Sequence[CriterionResult], values: Mapping[str, str]) -> str:
    """One to three sentences: a missed risk first, else the most important next step."""
    missed = [c for c in criteria if not c.met]
    fill = _Fill(values)
    if missed and missed[0].id == "takes-up-risk":
        parts = [missed[0].feedback, rubric.summary.get("missed_risk", "").format_map(fill)]
    elif missed:
        parts = [missed[0].feedback]
    else:
        parts = [
            rubric.summary.get("all_met", "").format_map(fill),
            rubric.summary.get("level", "").format_map(fill),
        ]
    sentences = _SENTENCE.split(" ".join(p for p in parts if p))
    return " ".join(sentences[:3])


def _risk_present(vignette: Vignette | None, statement_text: str) -> bool:
    """Whether the client's words carry a risk cue: the vignette's key says, else the model."""
    if vignette is not None:
        return bool(vignette.answer_key.risk_cues)
    if not statement_text.strip():
        return False
    if risk.explicit_cue(statement_text):
        return True
    return learned.statement_risk(statement_text) >= learned.RISK_THRESHOLD


def _learned_spans(found: _Findings, head: str, label: str | None = None) -> list[tuple[int, int]]:
    statement = found.statement.original if found.statement is not None else ""
    spans = learned.evidence(found.text.original, statement, head, label)
    return spans or [(0, len(found.text.original))]


def _sentence_around(text: Text, span: tuple[int, int]) -> tuple[int, int]:
    """The sentence that holds a span (the span itself if none does)."""
    for sentence in text.sentences:
        if sentence.start <= span[0] < sentence.end:
            return sentence.start, sentence.end
    return span


def _reconcile(found: _Findings, judged: learned.Judgements, *, with_key: bool) -> None:
    """Make the findings say what the learned models decided; the rules supply the words.

    Roadblocks are the models' categories, each with the words that weighed most with the
    model, plus any the rules' exact patterns found; a reflection is there when the depth model
    says so, with the rules' clauses or the model's words as evidence. The rules' off-topic
    check stands only against a vignette's answer key (`with_key`): against one client turn, a
    reflection that adds meaning must use words the client did not say, and lexical overlap
    cannot tell it from one about something else.
    """
    kept = list(found.roadblocks)  # the rules' exact patterns stay (see the model card)
    have = {r.category for r in kept}
    for category in judged.roadblocks:
        if category not in have:  # the words that weighed most, or their sentence
            words = _learned_spans(found, f"roadblock_{category}")[0]
            sentence = _sentence_around(found.text, words)
            taken = [(r.start, r.end) for r in kept]
            start, end = words if _any_overlap(sentence, taken) else sentence
            kept.append(_Roadblock(category, start, end))
    found.roadblocks = sorted(kept, key=lambda r: r.start)
    if not with_key:
        found.off_topic = []
    depth = judged.top("depth")
    if depth == "none" or found.off_topic:
        found.reflective = []
        found.depth, found.depth_evidence = "none", []
        found.apt, found.apt_evidence = False, []
        return
    if not found.reflective:
        strength = 1.0 - judged.probabilities["depth"]["none"]
        found.reflective = [
            _Reflective(a, b, strength, "learned") for a, b in _learned_spans(found, "depth", depth)
        ]
    key_apt = [(f.start, f.end) for f in found.apt_feelings] if with_key else []
    if key_apt:  # names a feeling the answer key lists as unstated: complex and apt (DESIGN.md)
        found.depth, found.apt, found.apt_evidence = "complex", True, key_apt
        found.depth_evidence = found.depth_evidence or key_apt
        return
    found.depth = depth
    if not found.depth_evidence:
        found.depth_evidence = [(r.start, r.end) for r in found.reflective]
    found.apt = depth == "complex" and judged.binary["names_unstated"] >= 0.5
    if found.apt and not found.apt_evidence:
        found.apt_evidence = found.depth_evidence


def _risk_handling(
    judged: learned.Judgements, risk_present: bool, key: _KeyResult | None, response: str
) -> str | None:
    """How the response handles the client's risk cue: the model's judgement, with two exact
    rules. Asking plainly about the risk always takes the cue up (unless the model sees a safety
    error), and against a vignette a cue the response neither names in the key's words nor asks
    about is passed over."""
    if not risk_present:
        return None
    handling = judged.top("risk_handling")
    if handling == "safety_error":
        return handling
    if risk.asks_directly(response):
        return "taken_up"
    every_cue_missed = (
        key is not None
        and bool(key.risk_cues)
        and len(key.accuracy.missed_risks) == len(key.risk_cues)
    )
    return "passed_over" if handling == "taken_up" and every_cue_missed else handling


def _with_risk(key: _KeyResult | None, handling: str | None) -> _KeyResult | None:
    """The key's result with its missed risks as judged: none when the cue was taken up, every
    cue when it was passed over or mishandled."""
    if key is None or not key.risk_cues or handling is None:
        return key
    missed = () if handling == "taken_up" else tuple(key.risk_cues)
    return key._replace(accuracy=replace(key.accuracy, missed_risks=missed))


def _learned_confidence(judged: learned.Judgements, level: int, handling: str | None) -> float:
    """How sure the models are of the parts the level rests on."""
    any_roadblock = judged.binary["any_roadblock"]
    sure = max(judged.probabilities["depth"].values()) * max(any_roadblock, 1 - any_roadblock)
    if level >= 4:
        unstated = judged.binary["names_unstated"]
        sure *= max(unstated, 1 - unstated)
    if handling is not None:
        sure *= max(judged.probabilities["risk_handling"].values())
    return round(max(0.05, min(0.99, sure)), 2)


def _behaviour_spans(found: _Findings, label: str, lex: _Lexicons) -> Spans:
    if label == "reflection":
        return [(r.start, r.end) for r in found.reflective]
    if label == "question":
        return _question_spans(found)
    return [
        (r.start, r.end)
        for r in found.roadblocks
        if (lex.by_id[r.category].behaviour == label)
        or (label == "other" and lex.by_id[r.category].behaviour not in _BEHAVIOURS)
    ]


def score_response(
    response: str | object,
    *,
    client_statement: str | None = None,
    vignette: Vignette | None = None,
    rubric: str | Rubric = "reflection",
) -> Assessment:
    """Score one response against a client statement or a vignette, with a rubric.

    `rubric` is a built-in rubric's name (see RUBRIC_NAMES) or a loaded Rubric. Raises
    ValueError for an unknown rubric, EmptyResponseError for an empty response (or one that is
    not text at all, such as a spreadsheet's empty cell) and ResponseTooLongError for one over
    MAX_RESPONSE_CHARS characters, and NotEnglishError for one that does not read as English.
    """
    spec = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    text = _check_input(response)
    if not learned.reads_as_english(text):
        raise NotEnglishError(
            "This scorer reads English only, and this response does not read as English. "
            "Write your response in English to get feedback."
        )
    statement_text = client_statement if client_statement is not None else ""
    if not statement_text.strip() and vignette is not None:
        statement_text = vignette.statement
    lex = _lexicons()
    client = _client(statement_text, vignette)
    found, key, q_type = _analyse(text, client, spec)
    judged = learned.judge(text, statement_text)
    _reconcile(found, judged, with_key=key is not None)
    handling = _risk_handling(judged, _risk_present(vignette, statement_text), key, text)
    key = _with_risk(key, handling)
    behaviour = judged.top("behaviour")
    behaviour_spans = _behaviour_spans(found, behaviour, lex) or _learned_spans(
        found, "behaviour", behaviour
    )
    depth, depth_spans = found.depth, found.depth_evidence
    if not found.questions:
        q_type = None
    elif judged.top("question_type") != "none":
        q_type = judged.top("question_type")
    level = learned.reflective_level(
        judged,
        risk_handled=handling,
        roadblocked=bool(found.roadblocks),
        depth=found.depth,
        names_unstated=found.apt,
    )
    level_spans = _level_evidence(found)
    validation = int(judged.top("validation"))
    if found.depth == "none" and validation in (2, 3):  # 2 and 3 need an accurate reflection
        validation = 0
    rule_validation, validation_spans = _validation(found, lex)
    if rule_validation != validation:
        validation_spans = _learned_spans(found, "validation", str(validation))
    # EPITOME stays with the rules: on EPITOME's own Reddit data they beat the learned heads
    # (macro-F1 0.66 / 0.55 / 0.70 against 0.36 / 0.37 / 0.53; see the model card).
    epitome, epitome_spans = _epitome(found, lex)
    ctx = _Context(found, key, validation, validation_spans, lex, vignette, handling)
    fill = dict(client.fill)
    fill.update(
        level=str(level),
        meaning=HRQ_MEANINGS[level],
        validation_level=str(validation),
        validation_meaning=VALIDATION_MEANINGS[validation],
    )
    criteria = _criteria(ctx, spec, fill)
    feedback = _summary(spec, criteria, fill)
    roadblocks = tuple(
        RoadblockFinding(
            r.category,
            _span(found.text, (r.start, r.end)),
            lex.by_id[r.category].alternative.format_map(_Fill(fill)),
        )
        for r in found.roadblocks
    )
    evidence = {
        "hrq_level": _spans(found.text, level_spans),
        "behaviour": _spans(found.text, behaviour_spans),
        "reflection_depth": _spans(found.text, depth_spans),
        "validation": _spans(found.text, validation_spans),
        **{name: _spans(found.text, spans) for name, spans in epitome_spans.items()},
        "feelings": _spans(found.text, [(f.start, f.end) for f in found.feelings]),
    }
    if q_type is not None:
        evidence["question_type"] = _spans(found.text, _question_spans(found))
    return Assessment(
        response=text,
        hrq_level=level,
        behaviour=behaviour,
        question_type=q_type,
        reflection_depth=depth,
        roadblocks=roadblocks,
        validation_level=validation,
        epitome=epitome,
        criteria=criteria,
        feedback=feedback,
        confidence=_learned_confidence(judged, level, handling),
        scorer_version=SCORER_VERSION,
        rubric=spec.id,
        vignette_id=vignette.id if vignette is not None else None,
        accuracy=key.accuracy if key is not None else None,
        evidence={k: v for k, v in evidence.items() if v},
        risk_handled=handling,
    )
