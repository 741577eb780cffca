"""Text analysis for scoring: sentences, clauses, words, questions, feelings and cue phrases."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

__all__ = [
    "Clause",
    "Feeling",
    "PhraseMatcher",
    "Sentence",
    "Text",
    "Word",
    "analyse",
    "analyse_once",
    "compile_all",
    "compile_patterns",
    "compile_start_patterns",
    "content_stems",
    "feeling_adjective",
    "feeling_families",
    "find_all",
    "find_at_starts",
    "first_words",
    "leading_words",
    "lexicon",
    "may_match",
    "normalise",
    "opening_positions",
    "phrase_stems",
    "question_type",
    "self_feelings",
    "stem",
    "swap_person",
    "topic_phrase",
    "topic_stems",
    "word_list",
]

#: Package folder holding the rubric and lexicon files.
RUBRICS_FOLDER = "rubrics"
#: Words before a feeling word searched for negation or a feeling context.
CONTEXT_WINDOW = 3

# One character in, one character out: offsets into the normalised text are offsets into the
# original response.
_NORMALISE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
# The same for ASCII text, where it is quicker.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n+")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "etc", "eg", "ie", "approx"})
_NEGATORS = frozenset(
    {"not", "no", "never", "nothing", "hardly", "barely", "without", "nor", "neither", "nobody"}
)
_ARTICLES = frozenset({"a", "an"})
# An ambiguous feeling word followed by one of these is a preposition or particle: "down the
# stairs", "lost my job".
_FUNCTION_AFTER = frozenset(
    {
        "the",
        "a",
        "an",
        "to",
        "from",
        "into",
        "onto",
        "my",
        "your",
        "his",
        "her",
        "their",
        "our",
        "this",
        "these",
        "those",
        "him",
        "them",
        "me",
        "us",
    }
)
_QUANTIFIERS = frozenset({"bit", "little", "lot", "tad", "touch", "kind", "sort"})
_CLAUSE_SPLIT = re.compile(
    r"[;:]\s*|\s+-+\s+|\(\s*"
    r"|,\s*(?=(?:and\s+|but\s+|so\s+|yet\s+|or\s+)?(?:you|your|you're|you've|you'd|it|it's|that|"
    r"that's|this|there|there's|he|he's|she|she's|they|they're|we|i|i'm|my|his|her|their|and|but|"
    r"so|yet|although|though|while|whereas|because|then|even|especially|as|after|when|since|"
    r"what|which|who|where|how|why|is|are|do|does|did|have|has|can|could|would|will|not)\b)",
    re.IGNORECASE,
)
_OPTIONAL_WORD = re.compile(r"\(([^()\s]+) \)\?")
_MACRO = re.compile(r"\{(feeling|w|ws|you|youre|im)\}")
_MACROS = {
    "w": r"[\w'\-]+",
    "ws": r"(?:[\w'\-]+,?\s+){0,4}?",
    "you": r"(?:you|u|ya)",
    "youre": r"(?:you're|you\s+are|youre|ur)",
    "im": r"(?:i'm|i\s+am|im)",
}


def normalise(text: str) -> str:
    """Straighten quotes and dashes without changing the length of the text."""
    if text.isascii() and "`" not in text:
        return text  # nothing to straighten: the only ASCII character mapped is '`'
    return text.translate(_NORMALISE)


@cache
def lexicon(name: str) -> Mapping[str, Any]:
    """Load a package data file `rubrics/<name>.yml` once."""
    ref = resources.files("empathy_training").joinpath(RUBRICS_FOLDER, f"{name}.yml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(ref.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict):
        raise ValueError(f"{RUBRICS_FOLDER}/{name}.yml: expected a mapping at the top level")
    return data


# --- stems -------------------------------------------------------------------------------------

_FIRST_SUFFIXES = ("fulness", "ness", "ment", "ments", "fully", "ful", "ly")
_SECOND_SUFFIXES = (
    ("ational", "ate"),
    ("ation", "ate"),
    ("ition", "ite"),
    ("sion", "s"),
    ("tion", "t"),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("edly", ""),
    ("ed", ""),
    ("es", "e"),
    ("s", ""),
)
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: 'worried', 'worry' and 'worrying' share the stem 'worri'."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "")
    for suffix in _FIRST_SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    for suffix, replacement in _SECOND_SUFFIXES:
        if not w.endswith(suffix) or len(w) - len(suffix) + len(replacement) < 3:
            continue
        if suffix == "s" and w.endswith(("ss", "us", "is")):
            break
        w = w[: -len(suffix)] + replacement
        break
    if w.endswith("y") and len(w) > 3:
        w = w[:-1] + "i"
    elif w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in _VOWELS and w[-1] not in "lsz":
        w = w[:-1]
    return w


@lru_cache(maxsize=16384)
def phrase_stems(phrase: str) -> tuple[str, ...]:
    """Stems of the words of a phrase."""
    return tuple(stem(m.group()) for m in _WORD.finditer(normalise(phrase)))


@cache
def word_list(name: str, key: str) -> frozenset[str]:
    """A list of words from a lexicon file, in lower case (empty when the file has none)."""
    return frozenset(str(w).lower() for w in lexicon(name).get(key) or ())


@cache
def _stopwords() -> frozenset[str]:
    return word_list("lexicon-language", "stopwords")


def content_stems(words: Iterable[Word]) -> frozenset[str]:
    """Stems of the words that carry content (not function words)."""
    stop = _stopwords()
    return frozenset(w.stem for w in words if w.lower not in stop and len(w.lower) > 1)


# --- patterns ----------------------------------------------------------------------------------


def _feeling_alternation() -> str:
    """Every feeling entry as one regular-expression alternation, longest first."""
    forms: set[str] = set()
    for entry in _feeling_entries():
        words = entry.entry.split()
        escaped = [re.escape(w) for w in words]
        escaped[-1] += r"(?:s|es|ed|d|ing|ness|ly)?"
        forms.add(r"\s+".join(escaped))
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def _group_end(token: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at open_at, or -1."""
    depth = 0
    escaped = False
    for i in range(open_at, len(token)):
        ch = token[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _token_regex(token: str) -> str:
    """One space-free token of the pattern language as a regular expression."""
    out = re.sub(r"(?<!\\)\((?!\?)", "(?:", token)
    out = out.replace("_", r"\s+")

    def expand(m: re.Match[str]) -> str:
        name = m.group(1)
        return _feeling_alternation() if name == "feeling" else _MACROS[name]

    return _MACRO.sub(expand, out)


_SEPARATOR = r"(?:\s+|(?='))"


def pattern_regex(pattern: str) -> str:
    """Translate one lexicon pattern (see lexicon-roadblocks.yml) into a regular expression."""
    tokens = _OPTIONAL_WORD.sub(r"(\1)? ", normalise(pattern)).split()
    parts: list[str] = []
    need_separator = False
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if token == "{ws}":
            parts.append((_SEPARATOR if need_separator else "") + _MACROS["ws"])
            need_separator = False
            continue
        optional = (
            token.startswith("(")
            and token.endswith(")?")
            and _group_end(token, 0) == len(token) - 2
        )
        body = _token_regex(token[:-1] if optional else token)
        if optional and last and parts:
            parts.append(r"(?:" + _SEPARATOR + body + ")?")
        elif optional:
            parts.append((_SEPARATOR if need_separator else "") + "(?:" + body + r"\s+)?")
            need_separator = False
        else:
            parts.append((_SEPARATOR if need_separator else "") + body)
            need_separator = True
    return "".join(parts)


_LITERAL_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*$")
_LEADING_ASSERTION = re.compile(r"^\(\?<?[!=]")
_MACRO_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "{you}": (("you",), ("u",), ("ya",)),
    "{youre}": (("you're",), ("you", "are"), ("youre",), ("ur",)),
    "{im}": (("i'm",), ("i", "am"), ("im",)),
}
#: Words of a match used to find the patterns worth trying at a place in a text.
INDEX_WORDS = 2

Words = tuple[str, ...]


def _strip_assertions(token: str) -> str:
    """A token without the lookbehinds and lookaheads that open it."""
    while _LEADING_ASSERTION.match(token):
        end = _group_end(token, 0)
        if end < 0:
            return token
        token = token[end + 1 :]
    return token


@dataclass(frozen=True)
class _TokenWords:
    """What one pattern token contributes to the words a match starts with."""

    sequences: tuple[Words, ...]
    """The word sequences it can match (a sequence ending in '' stops the words known)."""
    optional: bool
    """Whether the token can match nothing."""


def _alternative_words(prefix: Words, alternative: str) -> Words | None:
    """The words of prefix + alternative ('you' + "'ll" -> "you'll"); '' marks an unknown word."""
    if alternative in _MACRO_WORDS:
        return None
    glued = not alternative.startswith("_")
    parts = alternative.lstrip("_").split("_") if alternative else []
    words = list(prefix)
    for i, part in enumerate(parts):
        if part == "{w}":
            if not words:
                return None
            return (*words, "")
        word = part.lower()
        if i == 0 and glued and words:
            word = words.pop() + word
        elif i == 0 and glued and not words and word.startswith("'"):
            return None
        if not _LITERAL_WORD.match(word):
            return None
        words.append(word)
    return tuple(words)


def _token_words(token: str) -> _TokenWords | None:
    """The word sequences a pattern token can match; None when they cannot be known."""
    token = _strip_assertions(token)
    cut = min((i for i in (token.find("(?="), token.find("(?!")) if i > 0), default=len(token))
    token = token[:cut]
    stop = token.endswith((",", ",?"))
    token = token.removesuffix("?") if token.endswith(",?") else token
    token = token.removesuffix(",")
    if token == "{feeling}":
        return _TokenWords(tuple((w, "") for w in _feeling_first_words()), False)
    group_at = token.find("(")
    head = token if group_at < 0 else token[:group_at]
    prefixes: list[Words] = []
    for macro, expansions in _MACRO_WORDS.items():
        if head.startswith(macro):
            prefixes = list(expansions)
            head = head[len(macro) :]
            break
    if head:
        glued = [_alternative_words(p, head) for p in (prefixes or [()])]
        if any(g is None for g in glued):
            return None
        prefixes = [g for g in glued if g is not None]
    if group_at < 0:
        if not prefixes:
            return None
        return _TokenWords(tuple(_stopped(p, stop) for p in prefixes), False)
    end = _group_end(token, group_at)
    if end < 0 or token.startswith("(?", group_at):
        return None
    inner, tail = token[group_at + 1 : end], token[end + 1 :]
    optional = tail == "?"
    if tail not in ("", "?") or "(" in inner or "[" in inner or "\\" in inner:
        return None
    sequences: list[Words] = []
    for prefix in prefixes or [()]:
        for alternative in inner.split("|"):
            if alternative in _MACRO_WORDS and not prefix:
                sequences.extend(_MACRO_WORDS[alternative])
                continue
            found = _alternative_words(prefix, alternative)
            if found is None:
                if not prefix and alternative.startswith("'"):
                    continue
                return None
            sequences.append(_stopped(found, stop))
        if optional and prefix:
            sequences.append(_stopped(prefix, stop))
    if not sequences:
        return None
    return _TokenWords(tuple(sequences), optional and not prefixes)


@cache
def _feeling_first_words() -> tuple[str, ...]:
    """Every word a feeling from the lexicon can start with, inflections included."""
    words: set[str] = set()
    for entry in _feeling_entries():
        parts = entry.entry.lower().split()
        if len(parts) > 1:
            words.add(parts[0])
        else:
            words.update(
                parts[0] + suffix for suffix in ("", "s", "es", "ed", "d", "ing", "ness", "ly")
            )
    return tuple(sorted(words))


def _stopped(words: Words, stop: bool) -> Words:
    return (*words, "") if stop and words and words[-1] else words


def leading_words(pattern: str) -> frozenset[Words] | None:
    """The first one or two words any match of a pattern starts with; None when not known."""
    sequences: set[Words] = {()}

    def done(seq: Words) -> bool:
        return len(seq) >= INDEX_WORDS or (bool(seq) and seq[-1] == "")

    for token in _OPTIONAL_WORD.sub(r"(\1)? ", normalise(pattern)).split():
        if all(done(seq) for seq in sequences):
            break
        parsed = _token_words(token)
        if parsed is None:
            break
        grown: set[Words] = set()
        for seq in sequences:
            if done(seq):
                grown.add(seq)
                continue
            grown.update(seq + words for words in parsed.sequences)
            if parsed.optional:
                grown.add(seq)
        sequences = grown
    cleaned = {tuple(w for w in seq if w)[:INDEX_WORDS] for seq in sequences}
    if () in cleaned:
        return None
    return frozenset(cleaned)


def first_words(pattern: str) -> frozenset[str] | None:
    """The words a match of a lexicon pattern can start with, or None when not known."""
    sequences = leading_words(pattern)
    return None if sequences is None else frozenset(seq[0] for seq in sequences)


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
    _question_patterns()
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
        tokens = _OPTIONAL_WORD.sub(r"(\1)? ", normalise(pattern)).split()
        required = frozenset(t.lower() for t in tokens if _LITERAL_WORD.match(t.lower()))
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
    words = sorted(
        (str(w) for w in lexicon("lexicon-language")["discourse"]), key=len, reverse=True
    )
    alternation = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words)
    return rf"(?:(?:{alternation})\s*[,.!]?\s+)*"


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
        first = _WORD.match(norm, start)
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


# --- feelings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FeelingEntry:
    """One lexicon entry: its stems, family and intensity."""

    entry: str
    stems: tuple[str, ...]
    family: str
    intensity: str
    ambiguous: bool


@cache
def _feeling_entries() -> tuple[_FeelingEntry, ...]:
    data = lexicon("lexicon-feelings")
    ambiguous = {phrase_stems(str(a)) for a in data.get("ambiguous", ())}
    entries: list[_FeelingEntry] = []
    for family, spec in data["families"].items():
        for intensity in ("low", "medium", "high"):
            for word in spec.get(intensity, ()) or ():
                stems = phrase_stems(str(word))
                if stems:
                    entries.append(
                        _FeelingEntry(str(word), stems, str(family), intensity, stems in ambiguous)
                    )
    return tuple(entries)


@cache
def _feeling_index() -> dict[str, tuple[_FeelingEntry, ...]]:
    index: dict[str, list[_FeelingEntry]] = {}
    for entry in _feeling_entries():
        index.setdefault(entry.stems[0], []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: -len(e.stems))) for k, v in index.items()}


@cache
def _families_by_stems() -> dict[tuple[str, ...], tuple[str, ...]]:
    families: dict[tuple[str, ...], list[str]] = {}
    for entry in _feeling_entries():
        bucket = families.setdefault(entry.stems, [])
        if entry.family not in bucket:
            bucket.append(entry.family)
    return {k: tuple(v) for k, v in families.items()}


@cache
def family_labels() -> dict[str, str]:
    """Plain label of each feeling family, e.g. 'fear' -> 'afraid'."""
    families = lexicon("lexicon-feelings")["families"]
    return {str(k): str(v.get("label", k)) for k, v in families.items()}


def feeling_families(phrase: str) -> tuple[str, ...]:
    """Families of a feeling word or phrase from the lexicon (empty when it is not one)."""
    stems = phrase_stems(phrase)
    found = _families_by_stems().get(stems)
    if found:
        return found
    out: list[str] = []
    for feeling in analyse(phrase).feelings:
        for family in feeling.families:
            if family not in out:
                out.append(family)
    return tuple(out)


# --- analysis ----------------------------------------------------------------------------------


class Word(NamedTuple):
    """A word with its offsets."""

    lower: str
    """The word in lower case, quotes straightened."""
    stem: str
    """Its stem (see `stem`)."""
    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""


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


class Feeling(NamedTuple):
    """A feeling word found in a text."""

    entry: str
    """The lexicon entry matched."""
    family: str
    """Its feeling family."""
    families: tuple[str, ...]
    """Every family the entry belongs to."""
    intensity: str
    """low, medium or high."""
    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""
    negated: bool
    """Whether a negation comes just before it ('not alone')."""


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
def _question_patterns() -> tuple[re.Pattern[str] | None, ...]:
    data = lexicon("lexicon-reflection")
    return (
        compile_start_patterns(tuple(data["question_openers"])),
        compile_start_patterns(tuple(data["open_starts"])),
        compile_start_patterns(tuple(data["closed_starts"])),
        compile_start_patterns(tuple(data["question_starts"])),
    )


def question_type(text: str, start: int = 0) -> str | None:
    """'open' or 'closed' by the words a question starts with; None when they do not say."""
    _, open_start, closed_start, _ = _question_patterns()
    norm = normalise(text)
    if open_start is not None and open_start.match(norm, start):
        return "open"
    if closed_start is not None and closed_start.match(norm, start):
        return "closed"
    return None


def _question(norm: str, start: int, end: int, clause_starts: Sequence[int]) -> tuple[bool, int]:
    """Whether a sentence asks a question, and where the question part starts."""
    opener, _, _, locate = _question_patterns()
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
        first = _WORD.match(norm, pos) if may_open is not None else None
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


def _names_an_event(words: Sequence[Word], i: int, entry: _FeelingEntry) -> bool:
    """'a scare', 'a real shock': a feeling word used as the name of an event, not a feeling."""
    if entry.stems[0] in _ARTICLES:
        return False
    prev = words[i - 1].lower if i >= 1 else ""
    prev2 = words[i - 2].lower if i >= 2 else ""
    return prev in _ARTICLES or (prev2 in _ARTICLES and prev not in _QUANTIFIERS)


def _feelings(words: Sequence[Word]) -> tuple[Feeling, ...]:
    index = _feeling_index()
    excluded = word_list("lexicon-feelings", "not_feelings")
    families = _families_by_stems()
    context = word_list("lexicon-feelings", "context")
    found: list[Feeling] = []
    i = 0
    n = len(words)
    while i < n:
        candidates = index.get(words[i].stem) if words[i].lower not in excluded else None
        matched: _FeelingEntry | None = None
        if candidates:
            for entry in candidates:
                k = len(entry.stems)
                if i + k <= n and all(words[i + j].stem == entry.stems[j] for j in range(k)):
                    if entry.ambiguous and (
                        not any(w.lower in context for w in words[max(0, i - CONTEXT_WINDOW) : i])
                        or (i + k < n and words[i + k].lower in _FUNCTION_AFTER)
                    ):
                        continue
                    matched = entry
                    break
        if matched is None:
            i += 1
            continue
        k = len(matched.stems)
        if _names_an_event(words, i, matched):
            i += k
            continue
        before = words[max(0, i - 2) : i]
        negated = matched.stems[0] != "not" and any(
            w.lower in _NEGATORS or w.lower.endswith("n't") for w in before
        )
        found.append(
            Feeling(
                entry=matched.entry,
                family=matched.family,
                families=families.get(matched.stems, (matched.family,)),
                intensity=matched.intensity,
                start=words[i].start,
                end=words[i + k - 1].end,
                negated=negated,
            )
        )
        i += k
    return tuple(found)


#: Most distinct word forms whose lower case and stem are kept (see `_word_form`).
WORD_FORMS_KEPT = 200_000
_WORD_FORMS: dict[str, tuple[str, str]] = {}
_new_word = tuple.__new__


def _word_form(token: str) -> tuple[str, str]:
    """A word's lower case and stem, kept for the next time the word comes up."""
    if len(_WORD_FORMS) >= WORD_FORMS_KEPT:
        _WORD_FORMS.clear()
    form = _WORD_FORMS[token] = (token.lower(), stem(token))
    return form


def _words(norm: str) -> tuple[Word, ...]:
    forms = _WORD_FORMS
    out = []
    end = 0
    for token in (_ASCII_WORD if norm.isascii() else _WORD).findall(norm):
        # Between two matches there is no letter or digit, so the next place the token's text
        # occurs is where it was matched.
        start = norm.find(token, end)
        end = start + len(token)
        lower, stemmed = forms.get(token) or _word_form(token)
        out.append(_new_word(Word, (lower, stemmed, start, end)))
    return tuple(out)


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
    words = _words(norm)
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
        feelings=_feelings(words),
        stems=content_stems(words),
        word_starts=tuple([w[2] for w in words]),
    )


def _stem_positions(words: Sequence[Word]) -> Mapping[str, tuple[int, ...]]:
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        positions.setdefault(word.stem, []).append(i)
    return {k: tuple(v) for k, v in positions.items()}


# --- what the client says about themselves ----------------------------------------------------

Frame = tuple[str, ...]


@dataclass(frozen=True)
class _Frames:
    """The words that put a feeling on the speaker or on a situation (lexicon-feelings.yml)."""

    own: frozenset[Frame]
    situation: frozenset[Frame]
    fillers: frozenset[str]
    reach: int


@cache
def _frames() -> _Frames:
    data = lexicon("lexicon-feelings")

    def frames(key: str) -> frozenset[Frame]:
        return frozenset(tuple(normalise(str(f)).lower().split()) for f in data.get(key) or ())

    own, situation = frames("self_frames"), frames("situation_frames")
    fillers = word_list("lexicon-feelings", "frame_fillers")
    reach = max((len(f) for f in own | situation), default=1) + 4
    return _Frames(own, situation, fillers, reach)


def _ends_with(words: Sequence[str], frames: frozenset[Frame]) -> bool:
    return any(len(words) >= len(f) and tuple(words[len(words) - len(f) :]) == f for f in frames)


def self_feelings(text: Text, *, situations: bool = False) -> tuple[Feeling, ...]:
    """Feelings the speaker puts on themselves: "I'm so tired", "it makes me feel stupid",
    "I'm tired and fed up" (not "my boss hates me"). With `situations`, also feelings put on a
    situation ("it's so confusing")."""
    frames = _frames()
    starts = text.word_starts
    found: list[Feeling] = []
    ends: set[int] = set()
    for feeling in text.feelings:
        i = bisect_left(starts, feeling.start)
        window = text.words[max(0, i - frames.reach) : i]
        before = [w for w in window if w.lower not in frames.fillers and w.lower not in _NEGATORS]
        if not before:
            continue
        lowers = [w.lower for w in before]
        own = _ends_with(lowers, frames.own) or before[-1].end in ends
        if own or (situations and _ends_with(lowers, frames.situation)):
            ends.add(feeling.end)  # "I'm not angry, just tired": 'tired' is theirs too
            if not feeling.negated:
                found.append(feeling)
    return tuple(found)


@cache
def _adjective_forms() -> dict[str, str]:
    forms = lexicon("lexicon-feelings").get("adjectives") or {}
    return {" ".join(str(k).lower().split()): str(v or "") for k, v in forms.items()}


@cache
def _feeling_words() -> frozenset[str]:
    return frozenset(" ".join(e.entry.lower().split()) for e in _feeling_entries())


def feeling_adjective(phrase: str) -> str | None:
    """How to say a feeling after "you're feeling ...": 'worry' -> 'worried', 'a burden' ->
    'like a burden', 'my wits' end' -> 'your wits' end'; None when it cannot be said there (a
    verb such as 'hate', an -ing form such as 'struggling', or not a feeling word)."""
    p = " ".join(normalise(phrase).lower().split())
    forms = _adjective_forms()
    if p in forms:
        return forms[p] or None
    if p not in _feeling_words() or p.split()[0].endswith("ing"):
        return None
    if p.startswith(("a ", "an ")):
        p = "like " + p
    return " ".join(swap_person(p).split())


# --- what a text is about ----------------------------------------------------------------------


@cache
def _generic_words() -> frozenset[str]:
    words = lexicon("lexicon-language").get("generic_words") or ()
    return frozenset(stem(str(w)) for w in words) | frozenset(str(w).lower() for w in words)


def topic_stems(words: Iterable[Word]) -> frozenset[str]:
    """Stems of the words that say what a text is about: content words that are neither feeling
    words nor generic words ('hard', 'people', 'explain', ...)."""
    stop = _stopwords()
    generic = _generic_words()
    return frozenset(
        w.stem
        for w in words
        if len(w.lower) > 1
        and w.lower not in stop
        and w.lower not in generic
        and w.stem not in generic
        and not w.lower.isdigit()
    )


@cache
def _settings() -> tuple[Frame, ...]:
    items = lexicon("lexicon-language").get("settings") or ()
    return tuple(sorted((tuple(str(s).lower().split()) for s in items), key=len, reverse=True))


def topic_phrase(text: Text) -> str | None:
    """A short phrase for what a statement is about, said back to its speaker: 'at work' for
    "...up at work...", 'with your boss' for "my boss hates me"; None when none is found."""
    words = text.words
    lowers = [w.lower for w in words]
    in_feeling = {w.start for f in text.feelings for w in text.words_in(f.start, f.end)}
    for i, word in enumerate(lowers):
        if word not in ("at", "in"):
            continue
        for setting in _settings():
            if tuple(lowers[i + 1 : i + 1 + len(setting)]) == setting:
                return " ".join((word, *setting))
    stop = _stopwords()
    generic = _generic_words()
    for i, word in enumerate(lowers[:-1]):
        if word != "my":
            continue
        j = i + 1
        named = []
        if lowers[j] in word_list("lexicon-language", "noun_modifiers") and j + 1 < len(lowers):
            named.append(lowers[j])
            j += 1
        noun = lowers[j]
        if (
            noun in stop
            or noun in generic
            or words[j].stem in generic
            or words[j].start in in_feeling
            or len(noun) < 3
            or not noun.isalpha()
        ):
            continue
        return " ".join(("with your", *named, noun))
    return None


# --- person ------------------------------------------------------------------------------------


@cache
def _swaps() -> tuple[re.Pattern[str], dict[str, str]]:
    swaps = {
        str(k).lower(): str(v) for k, v in lexicon("lexicon-language")["pronoun_swaps"].items()
    }
    keys = sorted(swaps, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(re.escape(p) for p in k.split()) for k in keys)
    return re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])", re.IGNORECASE), swaps


def swap_person(text: str) -> str:
    """Say the client's words back: 'I'm fed up with my knee' -> 'you're fed up with your knee'."""
    pattern, swaps = _swaps()

    def swap(m: re.Match[str]) -> str:
        key = " ".join(m.group().lower().split())
        return swaps.get(key, m.group())

    return pattern.sub(swap, normalise(text))
