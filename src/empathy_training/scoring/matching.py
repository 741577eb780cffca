"""Lexicon patterns found in a text, each tried only where the words it starts with occur."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from .data_files import lexicon
from .patterns import LITERAL_WORD, Words, leading_words, pattern_regex, pattern_tokens
from .words import WORD

if TYPE_CHECKING:
    from .text import Text


@dataclass(frozen=True, eq=False)
class PhraseMatcher:
    """Lexicon patterns arranged for speed: each is tried only at the words it can start with."""

    by_words: Mapping[Words, tuple[str, ...]]
    """For the first one or two words of a match, the patterns that can start with them."""
    rest: tuple[str, ...]
    """Patterns whose first word is not known, searched everywhere."""


class _IndexEntry:
    """Patterns of one matcher that start with one word, compiled on first use."""

    __slots__ = ("matcher", "patterns", "regex")

    def __init__(self, matcher: PhraseMatcher, patterns: tuple[str, ...]) -> None:
        self.matcher = matcher
        self.patterns = patterns
        self.regex: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self.regex is None:
            self.regex = _alternation(self.patterns)
        return self.regex


# Every matcher's patterns by first word, so that one pass over a text serves all of them.
_INDEX: dict[Words, list[_IndexEntry]] = {}
# The same, as first word -> entries, and first word -> second word -> entries (quicker to look up).
_BY_FIRST: dict[str, list[_IndexEntry]] = {}
_BY_PAIR: dict[str, dict[str, list[_IndexEntry]]] = {}
_MATCHERS: list[PhraseMatcher] = []


@lru_cache(maxsize=4096)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(f"(?:{pattern_regex(p)})" for p in patterns)
    return re.compile(rf"(?<![\w'])(?:{body})(?!\w)", re.IGNORECASE)


@cache
def compile_patterns(patterns: tuple[str, ...]) -> PhraseMatcher | None:
    """Compile lexicon patterns (matching ignores case; a match starts and ends on word edges)."""
    if not patterns:
        return None
    grouped: dict[Words, list[str]] = {}
    rest: list[str] = []
    for pattern in patterns:
        pattern_regex(pattern)  # fail here, not at first use, on a malformed pattern
        sequences = leading_words(pattern)
        if sequences is None:
            rest.append(pattern)
            continue
        for words in sequences:
            grouped.setdefault(words, []).append(pattern)
    matcher = PhraseMatcher({w: tuple(g) for w, g in grouped.items()}, tuple(rest))
    _MATCHERS.append(matcher)
    for words, group in matcher.by_words.items():
        entry = _IndexEntry(matcher, group)
        _INDEX.setdefault(words, []).append(entry)
        if len(words) == 1:
            _BY_FIRST.setdefault(words[0], []).append(entry)
        else:
            _BY_PAIR.setdefault(words[0], {}).setdefault(words[1], []).append(entry)
    return matcher


def compile_all() -> int:
    """Compile every pattern of every matcher now rather than at first use; return how many."""
    count = 0
    for entries in _INDEX.values():
        for entry in entries:
            entry.compiled()
            count += 1
    for matcher in _MATCHERS:
        count += len(_rest_patterns(matcher.rest))
    _discourse_regex()
    return count


_WORD_HEAD = re.compile(r"['\-]")
Offsets = tuple[int, int]
Candidates = dict[PhraseMatcher, tuple[list[_IndexEntry], list[int]]]


def _candidates(analysed: Text) -> Candidates:
    """For every matcher, the places in a text where one of its patterns may start (by the
    first words of the patterns), found in one pass over its words and kept with the text. The
    patterns themselves are only tried when a matcher is asked for (see `_matcher_spans`)."""
    kept = analysed.derived.get("candidates")
    if kept is not None and kept[0] == len(_MATCHERS):
        found: Candidates = kept[1]
        return found
    found = {}
    analysed.derived["candidates"] = (len(_MATCHERS), found)
    by_first = _BY_FIRST
    by_pair = _BY_PAIR
    words = analysed.words
    last = len(words) - 1
    for i, word in enumerate(words):
        lower = word.lower
        start = word.start
        groups = []
        entries = by_first.get(lower)
        if entries is not None:
            groups.append(entries)
        if i < last:
            seconds = by_pair.get(lower)
            if seconds is not None:
                entries = seconds.get(words[i + 1].lower)
                if entries is not None:
                    groups.append(entries)
        if "'" in lower or "-" in lower:
            entries = by_first.get(_WORD_HEAD.split(lower, maxsplit=1)[0])
            if entries is not None:
                groups.append(entries)
        for entries in groups:
            for entry in entries:
                places = found.get(entry.matcher)
                if places is None:
                    found[entry.matcher] = ([entry], [start])
                else:
                    places[0].append(entry)
                    places[1].append(start)
    return found


def _without_overlaps(found: list[Offsets]) -> tuple[Offsets, ...]:
    """Spans leftmost first, the longest where two start together, without overlaps."""
    if len(found) == 1:
        return (found[0],)
    found.sort(key=lambda span: (span[0], -span[1]))
    spans: list[Offsets] = []
    for span in found:
        if not spans or span[0] >= spans[-1][1]:
            spans.append(span)
    return tuple(spans)


@dataclass(frozen=True)
class _RestPattern:
    """A pattern whose first word is not known, with what lets a text skip it cheaply."""

    regex: re.Pattern[str]
    """The pattern, matched on word edges."""
    required: frozenset[str]
    """Words every match contains: a text without one of them cannot match."""
    probe: re.Pattern[str] | None
    """When no word is required, the pattern without its word-edge checks, searched first."""


@lru_cache(maxsize=512)
def _rest_patterns(patterns: tuple[str, ...]) -> tuple[_RestPattern, ...]:
    out = []
    for pattern in patterns:
        tokens = pattern_tokens(pattern)
        required = frozenset(t.lower() for t in tokens if LITERAL_WORD.match(t.lower()))
        body = pattern_regex(pattern)
        probe = None if required else re.compile(body, re.IGNORECASE)
        out.append(_RestPattern(_alternation((pattern,)), required, probe))
    return tuple(out)


def _word_set(analysed: Text) -> frozenset[str]:
    words: frozenset[str] | None = analysed.derived.get("word_set")
    if words is None:
        words = analysed.derived["word_set"] = frozenset(w.lower for w in analysed.words)
    return words


def _matcher_spans(matcher: PhraseMatcher, analysed: Text) -> tuple[Offsets, ...]:
    """Every match of a matcher in a text, leftmost first, without overlaps (worked out on first
    request and kept with the analysed text)."""
    memo: dict[PhraseMatcher, tuple[Offsets, ...]] = analysed.kept("matches")
    spans = memo.get(matcher)
    if spans is None:
        spans = memo[matcher] = _match(matcher, analysed)
    return spans


def _match(matcher: PhraseMatcher, analysed: Text) -> tuple[Offsets, ...]:
    norm = analysed.norm
    found: list[Offsets] = []
    places = _candidates(analysed).get(matcher)
    if places is not None:
        entries, starts = places
        for k in range(len(entries)):
            entry, start = entries[k], starts[k]
            m = (entry.regex or entry.compiled()).match(norm, start)
            if m is not None and m.end() > start:
                found.append(m.span())
    for rest in _rest_patterns(matcher.rest) if matcher.rest else ():
        if rest.required and not rest.required <= _word_set(analysed):
            continue
        if rest.probe is not None and rest.probe.search(norm) is None:
            continue
        found.extend(m.span() for m in rest.regex.finditer(norm) if m.end() > m.start())
    return _without_overlaps(found) if found else ()


@cache
def _discourse_prefix() -> str:
    words = alternation(str(w) for w in lexicon("lexicon-language")["discourse"])
    return rf"(?:(?:{words})\s*[,.!]?\s+)*"


def alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first, any run of spaces between words."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in ordered)


@lru_cache(maxsize=512)
def compile_start_patterns(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """Like compile_patterns, anchored where it is used, after optional discourse words."""
    if not patterns:
        return None
    body = "|".join(f"(?:{pattern_regex(p)})" for p in patterns)
    return re.compile(rf"{_discourse_prefix()}(?P<m>(?:{body}))(?![\w'])", re.IGNORECASE)


def may_match(matcher: PhraseMatcher | None, text: Text) -> bool:
    """False when a matcher cannot match anywhere in a text (none of its patterns' first words
    occurs in it): a quick test before `find_all`."""
    if matcher is None:
        return False
    return bool(matcher.rest) or matcher in _candidates(text)


def find_all(
    matcher: PhraseMatcher | None, text: Text, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Spans of the matches lying inside text[start:end], leftmost first, without overlaps."""
    if matcher is None:
        return []
    spans = _matcher_spans(matcher, text)
    if not spans:
        return []
    if start <= 0 and end is None:
        return list(spans)
    stop = len(text.norm) if end is None else end
    return [s for s in spans if s[0] >= start and s[1] <= stop]


def find_at_starts(
    matcher: PhraseMatcher | None, text: Text, starts: Iterable[int] | frozenset[int]
) -> list[tuple[int, int]]:
    """Matches beginning at one of the given offsets, or after discourse words that follow one.

    `starts` may also be the positions `opening_positions` gave for them (quicker when many
    matchers are tried at the same starts)."""
    if matcher is None:
        return []
    spans = _matcher_spans(matcher, text)
    if not spans:
        return []
    allowed = starts if isinstance(starts, frozenset) else opening_positions(text, starts)
    return [s for s in spans if s[0] in allowed]


def opening_positions(text: Text, starts: Iterable[int]) -> frozenset[int]:
    """Each start, and the words after it up to the first that is not a discourse word (kept
    with the text)."""
    key = tuple(sorted(set(starts)))
    kept: dict[tuple[int, ...], frozenset[int]] = text.kept("openings")
    found = kept.get(key)
    if found is None:
        found = kept[key] = _opening_positions(text, key)
    return found


def _opening_positions(analysed: Text, starts: tuple[int, ...]) -> frozenset[int]:
    """Each start, and the words after it up to the first that is not a discourse word."""
    prefix = _discourse_regex()
    may_open = _discourse_first_words()
    norm = analysed.norm
    positions: set[int] = set()
    for start in starts:
        positions.add(start)
        first = WORD.match(norm, start)
        if first is not None and first.group().lower() not in may_open:
            positions.add(first.start())
            continue
        end = prefix.match(norm, start)
        stop = end.end() if end is not None else start
        positions.update(w.start for w in analysed.words_in(start, stop + 1))
        positions.add(stop)
    return frozenset(positions)


@cache
def _discourse_first_words() -> frozenset[str]:
    return frozenset(str(w).lower().split()[0] for w in lexicon("lexicon-language")["discourse"])


@cache
def _discourse_regex() -> re.Pattern[str]:
    return re.compile(_discourse_prefix(), re.IGNORECASE)
