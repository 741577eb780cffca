"""Roadblocks by the rules: their words, unless the context shows they only repeat the client."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .client import Client
from .findings import (
    ECHO_WORDS,
    Reflective,
    Roadblock,
    Spans,
    any_overlap,
    in_question,
    overlaps,
    repeats_client,
)
from .lexicons import Lexicons, Matcher, Pattern
from .matching import find_all, find_at_starts, may_match, opening_positions
from .rubrics import Rubric
from .text import Sentence, Text
from .words import content_stems

#: Words a roadblock phrase needs before repeating the client's own words excuses it.
QUOTE_WORDS = 3
#: Characters before a roadblock searched for a frame such as "you feel".
FRAME_REACH = 90
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


def _starts(text: Text) -> list[int]:
    """Clause starts, plus the word after a mid-sentence 'but' or 'so'."""
    starts = {c.start for c in text.clauses}
    for sentence in text.sentences:
        for m in _EXTRA_STARTS.finditer(text.norm, sentence.start, sentence.end):
            starts.add(m.end())
    return sorted(starts)


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


def _quotes_client(text: Text, span: tuple[int, int], client: Client) -> bool:
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
    return len(stems) >= 2 and repeats_client(stems, statement)


def find_roadblocks(text: Text, client: Client, lex: Lexicons) -> list[Roadblock]:
    statement = client.statement
    starts = opening_positions(text, _starts(text))
    blocked: Spans | None = None
    found: list[tuple[int, Roadblock]] = []
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
            if spec.statements_only and in_question(text, span[0]):
                continue
            if any_overlap(span, unless) or any_overlap(span, blocked):
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
            found.append((spec.priority, Roadblock(spec.id, span[0], span[1])))
    kept: list[tuple[int, Roadblock]] = []
    for priority, rb in sorted(found, key=lambda f: (-f[0], f[1].start)):
        if any(overlaps((rb.start, rb.end), (k.start, k.end)) for _, k in kept):
            continue
        kept.append((priority, rb))
    return sorted((rb for _, rb in kept), key=lambda r: r.start)


def questioning(text: Text, rubric: Rubric, reflective: list[Reflective]) -> list[Roadblock]:
    """Questions as roadblocks: every one (Gordon), or an interrogating run."""
    questions = [s for s in text.sentences if s.is_question]
    if rubric.questions_are_roadblocks:
        return [Roadblock("questioning", s.question_start, s.end) for s in questions]
    if reflective or len(questions) < rubric.interrogating_run:
        return []
    longest: list[Sentence] = []
    run: list[Sentence] = []
    for sentence in text.sentences:
        run = [*run, sentence] if sentence.is_question else []
        if len(run) > len(longest):
            longest = run
    if len(longest) >= rubric.interrogating_run:
        return [Roadblock("questioning", longest[0].question_start, longest[-1].end)]
    return []
