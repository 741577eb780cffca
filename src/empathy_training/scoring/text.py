"""A text broken into sentences, clauses and questions, words and feeling words, with offsets."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from .data_files import lexicon
from .feelings import Feeling, text_feelings
from .matching import compile_start_patterns
from .patterns import first_words
from .words import WORD, Word, content_stems, normalise, text_words

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n+")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "etc", "eg", "ie", "approx"})
_CLAUSE_SPLIT = re.compile(
    r"[;:]\s*|\s+-+\s+|\(\s*"
    r"|,\s*(?=(?:and\s+|but\s+|so\s+|yet\s+|or\s+)?(?:you|your|you're|you've|you'd|it|it's|that|"
    r"that's|this|there|there's|he|he's|she|she's|they|they're|we|i|i'm|my|his|her|their|and|but|"
    r"so|yet|although|though|while|whereas|because|then|even|especially|as|after|when|since|"
    r"what|which|who|where|how|why|is|are|do|does|did|have|has|can|could|would|will|not)\b)",
    re.IGNORECASE,
)


class Clause(NamedTuple):
    """A clause: a stretch of a sentence that can carry one statement or question."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""
    sentence: int
    """Index of its sentence."""


class Sentence(NamedTuple):
    """A sentence with its offsets and, for a question, its kind."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character (terminal punctuation included)."""
    is_question: bool
    """Whether the sentence asks something."""
    question_type: str | None
    """'open' or 'closed' for a question, else None."""
    question_start: int
    """Where the question part starts (the sentence start, or a later clause)."""


@dataclass(frozen=True)
class Text:
    """A text broken into words, sentences, clauses and feeling words, with offsets."""

    original: str
    """The text as given."""
    norm: str
    """The same text with straight quotes; same length, same offsets."""
    words: tuple[Word, ...]
    """Every word."""
    sentences: tuple[Sentence, ...]
    """Every sentence."""
    clauses: tuple[Clause, ...]
    """Every clause, in order."""
    feelings: tuple[Feeling, ...]
    """Feeling words from the lexicon."""
    stems: frozenset[str]
    """Stems of the content words."""
    word_starts: tuple[int, ...]
    """Offset of each word, for quick lookups."""
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What is worked out from the text later (matches, Span objects...), kept with it under
    each user's own key, so that it is worked out once and goes when the text goes. Not
    compared."""

    def words_in(self, start: int, end: int) -> tuple[Word, ...]:
        """The words lying inside text[start:end]."""
        i = bisect_left(self.word_starts, start)
        j = i
        n = len(self.words)
        while j < n and self.words[j].end <= end:
            j += 1
        return self.words[i:j]

    def words_from(self, start: int) -> tuple[Word, ...]:
        """The words starting at or after an offset."""
        return self.words[bisect_left(self.word_starts, start) :]

    def kept(self, key: str) -> dict[Any, Any]:
        """The dictionary kept in `derived` under `key`, made empty on first use: where a user
        keeps what it works out from the text, entry by entry."""
        found: dict[Any, Any] | None = self.derived.get(key)
        if found is None:
            found = self.derived[key] = {}
        return found

    def stem_positions(self) -> Mapping[str, tuple[int, ...]]:
        """Indices of the words with each stem."""
        found: Mapping[str, tuple[int, ...]] | None = self.derived.get("stem_positions")
        if found is None:
            found = self.derived["stem_positions"] = _stem_positions(self.words)
        return found

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence holding an offset (the last one before it otherwise)."""
        found = 0
        for i, sentence in enumerate(self.sentences):
            if sentence.start <= offset:
                found = i
            else:
                break
        return found


def _sentence_bounds(norm: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(norm):
        if m.group() == ".":
            before = norm[start : m.start()].rsplit(None, 1)
            if before and before[-1].lower().strip("(\"'") in _ABBREVIATIONS:
                continue
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(norm)))
    out = []
    for s, e in bounds:
        segment = norm[s:e]
        stripped = segment.strip()
        if not stripped or not any(ch.isalnum() for ch in stripped):
            continue
        lead = len(segment) - len(segment.lstrip())
        trail = len(segment) - len(segment.rstrip())
        out.append((s + lead, e - trail))
    return out


@cache
def question_patterns() -> tuple[re.Pattern[str] | None, ...]:
    data = lexicon("lexicon-reflection")
    return (
        compile_start_patterns(tuple(data["question_openers"])),
        compile_start_patterns(tuple(data["open_starts"])),
        compile_start_patterns(tuple(data["closed_starts"])),
        compile_start_patterns(tuple(data["question_starts"])),
    )


def question_type(text: str, start: int = 0) -> str | None:
    """'open' or 'closed' by the words a question starts with; None when they do not say."""
    _, open_start, closed_start, _ = question_patterns()
    norm = normalise(text)
    if open_start is not None and open_start.match(norm, start):
        return "open"
    if closed_start is not None and closed_start.match(norm, start):
        return "closed"
    return None


def _question(norm: str, start: int, end: int, clause_starts: Sequence[int]) -> tuple[bool, int]:
    """Whether a sentence asks a question, and where the question part starts."""
    opener, _, _, locate = question_patterns()
    asks = norm[start:end].rstrip("\"')] ").endswith("?")
    if asks:
        for pos in reversed(clause_starts):
            if locate is not None and locate.match(norm, pos):
                return True, pos
        return True, clause_starts[-1] if clause_starts else start
    if opener is None:
        return False, start
    may_open = _question_first_words()
    for pos in reversed(clause_starts):
        first = WORD.match(norm, pos) if may_open is not None else None
        if first is not None and may_open is not None and first.group().lower() not in may_open:
            continue
        if opener.match(norm, pos):
            return True, pos
    return False, start


@cache
def _question_first_words() -> frozenset[str] | None:
    """Words a question opener can start with, discourse words included ('so what...'); None
    when a pattern's first word is not known (then every clause is tried)."""
    words: set[str] = set()
    for pattern in lexicon("lexicon-reflection")["question_openers"]:
        first = first_words(str(pattern))
        if first is None:
            return None
        words.update(first)
    discourse = lexicon("lexicon-language")["discourse"]
    words.update(str(w).lower().split()[0] for w in discourse)
    return frozenset(words)


def _clause_starts(norm: str, start: int, end: int) -> list[int]:
    starts = [start]
    for m in _CLAUSE_SPLIT.finditer(norm, start, end):
        if m.end() < end and m.start() > start:
            starts.append(m.end())
    return starts


#: How many analysed texts `analyse` keeps (with what was worked out from them).
ANALYSED_KEPT = 1024


@lru_cache(maxsize=ANALYSED_KEPT)
def analyse(text: str) -> Text:
    """Break a text into words, sentences, clauses and feeling words (kept for the next time the
    same text comes up: for client statements and answer keys, which many responses share)."""
    return analyse_once(text)


def analyse_once(text: str) -> Text:
    """Like `analyse`, without keeping the result: for a text seen once, such as one response
    in a batch, so that it and what is worked out from it go when the caller is done."""
    norm = normalise(text)
    words = text_words(text)  # as the learned features read it: one reading for both
    sentences: list[Sentence] = []
    clauses: list[Clause] = []
    for s_start, s_end in _sentence_bounds(norm):
        starts = _clause_starts(norm, s_start, s_end)
        asks, q_start = _question(norm, s_start, s_end, starts)
        q_type = question_type(norm, q_start) if asks else None
        if asks and q_type is None:
            q_type = "closed" if norm[s_start:s_end].count(" ") < 2 else None
        sentences.append(Sentence(s_start, s_end, asks, q_type, q_start))
        ends = [*starts[1:], s_end]
        for c_start, c_end in zip(starts, ends, strict=True):
            segment = norm[c_start:c_end].rstrip(" ,;:-(")
            if segment.strip():
                clauses.append(Clause(c_start, c_start + len(segment), len(sentences) - 1))
    return Text(
        original=text,
        norm=norm,
        words=words,
        sentences=tuple(sentences),
        clauses=tuple(clauses),
        feelings=text_feelings(text),
        stems=content_stems(words),
        word_starts=tuple([w[2] for w in words]),
    )


def _stem_positions(words: Sequence[Word]) -> Mapping[str, tuple[int, ...]]:
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        positions.setdefault(word.stem, []).append(i)
    return {k: tuple(v) for k, v in positions.items()}
