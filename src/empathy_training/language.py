"""Text analysis for scoring: sentences, clauses, words, questions, feelings and cue phrases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "Clause",
    "Feeling",
    "Sentence",
    "Text",
    "Word",
    "analyse",
    "compile_patterns",
    "compile_start_patterns",
    "content_stems",
    "feeling_families",
    "find_all",
    "find_at_starts",
    "lexicon",
    "normalise",
    "phrase_stems",
    "question_type",
    "stem",
    "swap_person",
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
    r"\s*[;:]\s*|\s+-+\s+|\s*\(\s*"
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


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """Stems of the words of a phrase."""
    return tuple(stem(m.group()) for m in _WORD.finditer(normalise(phrase)))


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(str(w).lower() for w in lexicon("lexicon-language")["stopwords"])


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


@lru_cache(maxsize=512)
def compile_patterns(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regular expression matching any of the patterns, on word edges."""
    if not patterns:
        return None
    body = "|".join(f"(?:{pattern_regex(p)})" for p in patterns)
    return re.compile(rf"(?<![\w'])(?:{body})(?!\w)", re.IGNORECASE)


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


def find_all(
    pattern: re.Pattern[str] | None, text: Text, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Spans of every non-overlapping match in text[start:end]."""
    if pattern is None:
        return []
    stop = len(text.norm) if end is None else end
    return [m.span() for m in pattern.finditer(text.norm, start, stop)]


def find_at_starts(
    pattern: re.Pattern[str] | None, text: Text, starts: Iterable[int]
) -> list[tuple[int, int]]:
    """Spans of matches of a start pattern at each given offset (discourse words skipped)."""
    if pattern is None:
        return []
    spans = []
    for pos in starts:
        m = pattern.match(text.norm, pos)
        if m is not None:
            spans.append(m.span("m"))
    return spans


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
def _feeling_context() -> frozenset[str]:
    return frozenset(str(w).lower() for w in lexicon("lexicon-feelings").get("context", ()))


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


@dataclass(frozen=True)
class Word:
    """A word with its offsets."""

    lower: str
    """The word in lower case, quotes straightened."""
    stem: str
    """Its stem (see `stem`)."""
    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""


@dataclass(frozen=True)
class Clause:
    """A clause: a stretch of a sentence that can carry one statement or question."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""
    sentence: int
    """Index of its sentence."""


@dataclass(frozen=True)
class Sentence:
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
class Feeling:
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

    def words_in(self, start: int, end: int) -> tuple[Word, ...]:
        """The words lying inside text[start:end]."""
        return tuple(w for w in self.words if w.start >= start and w.end <= end)

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
        if m.group().startswith((".",)) and m.group() == ".":
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
def _reflection_lexicon() -> Mapping[str, Any]:
    return lexicon("lexicon-reflection")


@cache
def _question_patterns() -> tuple[re.Pattern[str] | None, ...]:
    data = _reflection_lexicon()
    return (
        compile_start_patterns(tuple(data["question_openers"])),
        compile_start_patterns(tuple(data["open_starts"])),
        compile_start_patterns(tuple(data["closed_starts"])),
    )


def question_type(text: str, start: int = 0) -> str | None:
    """'open' or 'closed' by the words a question starts with; None when they do not say."""
    _, open_start, closed_start = _question_patterns()
    norm = normalise(text)
    if open_start is not None and open_start.match(norm, start):
        return "open"
    if closed_start is not None and closed_start.match(norm, start):
        return "closed"
    return None


def _question(norm: str, start: int, end: int, clause_starts: Sequence[int]) -> tuple[bool, int]:
    """Whether a sentence asks a question, and where the question part starts."""
    opener = _question_patterns()[0]
    asks = norm[start:end].rstrip("\"')] ").endswith("?")
    for pos in reversed(clause_starts):
        if opener is not None and opener.match(norm, pos):
            return True, pos
    if asks:
        return True, start
    return False, start


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


@cache
def _not_feelings() -> frozenset[str]:
    return frozenset(str(w).lower() for w in lexicon("lexicon-feelings").get("not_feelings", ()))


def _feelings(words: Sequence[Word]) -> tuple[Feeling, ...]:
    index = _feeling_index()
    excluded = _not_feelings()
    families = _families_by_stems()
    context = _feeling_context()
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


@lru_cache(maxsize=4096)
def analyse(text: str) -> Text:
    """Break a text into words, sentences, clauses and feeling words."""
    norm = normalise(text)
    words = tuple(
        Word(m.group().lower(), stem(m.group()), m.start(), m.end()) for m in _WORD.finditer(norm)
    )
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
    )


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
