"""What a client talks about, said back to them: topic words, a topic phrase, the person swapped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from .data_files import lexicon, word_list
from .words import Word, normalise, stem, stopwords

if TYPE_CHECKING:
    from .text import Text


@cache
def _generic_words() -> frozenset[str]:
    words = lexicon("lexicon-language").get("generic_words") or ()
    return frozenset(stem(str(w)) for w in words) | frozenset(str(w).lower() for w in words)


def topic_stems(words: Iterable[Word]) -> frozenset[str]:
    """Stems of the words that say what a text is about: content words that are neither feeling
    words nor generic words ('hard', 'people', 'explain', ...)."""
    stop = stopwords()
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
def _settings() -> tuple[tuple[str, ...], ...]:
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
    stop = stopwords()
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
