"""What a client talks about, said back to them: topic words, and the person swapped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from .data_files import lexicon
from .words import Word, normalise, stem, stopwords


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
