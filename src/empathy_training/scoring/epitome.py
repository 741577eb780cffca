"""EPITOME's mechanisms by the rules (Sharma et al. 2020): warmth, understanding, exploring."""

from __future__ import annotations

from ..models import Epitome
from .findings import SECOND_PERSON_WORDS, Findings, Reflective, Spans
from .lexicons import Lexicons
from .matching import find_all, find_at_starts, may_match
from .text import Text
from .words import content_stems

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
_WH_WORDS = frozenset({"what", "how", "why", "when", "where", "who", "which", "whose"})
_ANSWERS = frozenset({"yes", "no", "yeah", "nope", "probably", "maybe", "nah", "yep", "sure"})


def _own_experience(text: Text, lex: Lexicons) -> Spans:
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
            w.lower in SECOND_PERSON_WORDS for w in words
        ):
            spans.append((sentence.start, sentence.end))
    return spans


def _explorations(found: Findings, lex: Lexicons) -> tuple[Spans, Spans]:
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
        addressed = any(w in SECOND_PERSON_WORDS for w in lowers)
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


def _shows_understanding(found: Findings, r: Reflective) -> bool:
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


def _first_person_telling(text: Text, lex: Lexicons) -> bool:
    """Whether the response speaks mostly of the responder's own experience."""
    first = second = 0
    for w in text.words:
        if w.lower in lex.first_person_words:
            first += 1
        elif w.lower in SECOND_PERSON_WORDS:
            second += 1
    if first < OWN_EXPERIENCE_PRONOUNS:
        return False
    first -= len(find_all(lex.not_own_experience, text))
    return first >= OWN_EXPERIENCE_PRONOUNS and first >= OWN_EXPERIENCE_RATIO * second


def epitome_codes(found: Findings, lex: Lexicons) -> tuple[Epitome, dict[str, Spans]]:
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
