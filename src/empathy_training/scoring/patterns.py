"""The lexicons' pattern language as regular expressions, and the words a match starts with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .feelings import feeling_entries
from .words import normalise

_OPTIONAL_WORD = re.compile(r"\(([^()\s]+) \)\?")
_MACRO = re.compile(r"\{(feeling|w|ws|you|youre|im)\}")
_MACROS = {
    "w": r"[\w'\-]+",
    "ws": r"(?:[\w'\-]+,?\s+){0,4}?",
    "you": r"(?:you|u|ya)",
    "youre": r"(?:you're|you\s+are|youre|ur)",
    "im": r"(?:i'm|i\s+am|im)",
}


def _feeling_alternation() -> str:
    """Every feeling entry as one regular-expression alternation, longest first."""
    forms: set[str] = set()
    for entry in feeling_entries():
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


def pattern_tokens(pattern: str) -> list[str]:
    """The space-free tokens of a lexicon pattern, an optional word '(word )?' as '(word)?'."""
    return _OPTIONAL_WORD.sub(r"(\1)? ", normalise(pattern)).split()


def pattern_regex(pattern: str) -> str:
    """Translate one lexicon pattern (see lexicon-roadblocks.yml) into a regular expression."""
    tokens = pattern_tokens(pattern)
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


LITERAL_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*$")
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
        if not LITERAL_WORD.match(word):
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
    for entry in feeling_entries():
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

    for token in pattern_tokens(pattern):
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
