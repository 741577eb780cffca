"""Words: text with straight quotes, words with their offsets, stems and content words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import NamedTuple

from .data_files import word_list

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
WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
# The same for ASCII text, where it is quicker.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")


def normalise(text: str) -> str:
    """Straighten quotes and dashes without changing the length of the text."""
    if text.isascii() and "`" not in text:
        return text  # nothing to straighten: the only ASCII character mapped is '`'
    return text.translate(_NORMALISE)


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
    return tuple(stem(m.group()) for m in WORD.finditer(normalise(phrase)))


@cache
def stopwords() -> frozenset[str]:
    """Function words, which carry no content."""
    return word_list("lexicon-language", "stopwords")


def content_stems(words: Iterable[Word]) -> frozenset[str]:
    """Stems of the words that carry content (not function words)."""
    stop = stopwords()
    return frozenset(w.stem for w in words if w.lower not in stop and len(w.lower) > 1)


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


@lru_cache(maxsize=8)
def text_words(text: str) -> tuple[Word, ...]:
    """The words of `text` (`split_words` of its normalised form), kept for the last few texts:
    the learned features and the rules both read each response and its client statement."""
    return split_words(normalise(text))


def split_words(norm: str) -> tuple[Word, ...]:
    """The words of a normalised text (see `normalise`), with their offsets."""
    forms = _WORD_FORMS
    out = []
    end = 0
    for token in (_ASCII_WORD if norm.isascii() else WORD).findall(norm):
        # Between two matches there is no letter or digit, so the next place the token's text
        # occurs is where it was matched.
        start = norm.find(token, end)
        end = start + len(token)
        lower, stemmed = forms.get(token) or _word_form(token)
        out.append(_new_word(Word, (lower, stemmed, start, end)))
    return tuple(out)
