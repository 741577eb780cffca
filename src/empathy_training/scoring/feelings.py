"""Feeling words: the feelings lexicon, the feelings in a text, and those a speaker owns."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .data_files import lexicon, word_list
from .topics import swap_person
from .words import Word, normalise, phrase_stems, split_words, text_words

if TYPE_CHECKING:
    from .text import Text


#: Words before a feeling word searched for negation or a feeling context.
CONTEXT_WINDOW = 3
NEGATORS = frozenset(
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
class FeelingEntry:
    """One lexicon entry: its stems, family and intensity."""

    entry: str
    stems: tuple[str, ...]
    family: str
    intensity: str
    ambiguous: bool


@cache
def feeling_entries() -> tuple[FeelingEntry, ...]:
    data = lexicon("lexicon-feelings")
    ambiguous = {phrase_stems(str(a)) for a in data.get("ambiguous", ())}
    entries: list[FeelingEntry] = []
    for family, spec in data["families"].items():
        for intensity in ("low", "medium", "high"):
            for word in spec.get(intensity, ()) or ():
                stems = phrase_stems(str(word))
                if stems:
                    entries.append(
                        FeelingEntry(str(word), stems, str(family), intensity, stems in ambiguous)
                    )
    return tuple(entries)


@cache
def _feeling_index() -> dict[str, tuple[FeelingEntry, ...]]:
    index: dict[str, list[FeelingEntry]] = {}
    for entry in feeling_entries():
        index.setdefault(entry.stems[0], []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: -len(e.stems))) for k, v in index.items()}


@cache
def _families_by_stems() -> dict[tuple[str, ...], tuple[str, ...]]:
    families: dict[tuple[str, ...], list[str]] = {}
    for entry in feeling_entries():
        bucket = families.setdefault(entry.stems, [])
        if entry.family not in bucket:
            bucket.append(entry.family)
    return {k: tuple(v) for k, v in families.items()}


def feeling_families(phrase: str) -> tuple[str, ...]:
    """Families of a feeling word or phrase from the lexicon (empty when it is not one)."""
    stems = phrase_stems(phrase)
    found = _families_by_stems().get(stems)
    if found:
        return found
    out: list[str] = []
    for feeling in find_feelings(split_words(normalise(phrase))):
        for family in feeling.families:
            if family not in out:
                out.append(family)
    return tuple(out)


def _names_an_event(words: Sequence[Word], i: int, entry: FeelingEntry) -> bool:
    """'a scare', 'a real shock': a feeling word used as the name of an event, not a feeling."""
    if entry.stems[0] in _ARTICLES:
        return False
    prev = words[i - 1].lower if i >= 1 else ""
    prev2 = words[i - 2].lower if i >= 2 else ""
    return prev in _ARTICLES or (prev2 in _ARTICLES and prev not in _QUANTIFIERS)


@lru_cache(maxsize=8)
def text_feelings(text: str) -> tuple[Feeling, ...]:
    """The feeling words of `text` (`find_feelings` over `text_words`), kept likewise."""
    return find_feelings(text_words(text))


def find_feelings(words: Sequence[Word]) -> tuple[Feeling, ...]:
    index = _feeling_index()
    excluded = word_list("lexicon-feelings", "not_feelings")
    families = _families_by_stems()
    context = word_list("lexicon-feelings", "context")
    found: list[Feeling] = []
    i = 0
    n = len(words)
    while i < n:
        candidates = index.get(words[i].stem) if words[i].lower not in excluded else None
        matched: FeelingEntry | None = None
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
            w.lower in NEGATORS or w.lower.endswith("n't") for w in before
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
        before = [w for w in window if w.lower not in frames.fillers and w.lower not in NEGATORS]
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
    return frozenset(" ".join(e.entry.lower().split()) for e in feeling_entries())


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
