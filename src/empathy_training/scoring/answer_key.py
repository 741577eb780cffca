"""A vignette's answer key, worked out once, and a response checked against it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from ..models import RiskCue, Span, Vignette, VignetteAccuracy
from .feelings import Feeling, feeling_families
from .findings import CATCH_SHARE, Spans, any_overlap, make_span
from .text import Text, analyse
from .words import content_stems, phrase_stems


@cache
def item_stems(item: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Stems of an answer-key phrase, and those of its content words."""
    stems = phrase_stems(item)
    content = content_stems(analyse(item).words)
    return stems, content or frozenset(stems)


Stems = tuple[str, ...]
Positions = Mapping[str, tuple[int, ...]]


def _phrase_span(item: str, text: Text, *, ordered: bool) -> tuple[int, int] | None:
    """Where a response uses an answer-key phrase (stems, in order when asked), or None."""
    stems, wanted = item_stems(item)
    return _stems_span(stems, wanted, text, text.stem_positions(), ordered=ordered)


def _stems_span(
    stems: Stems, wanted: frozenset[str], text: Text, positions: Positions, *, ordered: bool
) -> tuple[int, int] | None:
    """Where a text uses a phrase given by its stems (see `_phrase_span`), or None."""
    words = text.words
    if not stems or not words:
        return None
    starts = positions.get(stems[0], ())
    if len(stems) == 1:
        return (words[starts[0]].start, words[starts[0]].end) if starts else None
    if ordered:
        if not starts:
            return None
        window = len(stems) + 3
        for i in starts:
            j, k = i + 1, 1
            while j < len(words) and j < i + window and k < len(stems):
                if words[j].stem == stems[k]:
                    k += 1
                j += 1
            if k == len(stems):
                return (words[i].start, words[j - 1].end)
        return None
    found = len(positions.keys() & wanted)
    if not found or found / len(wanted) < CATCH_SHARE or found < min(2, len(wanted)):
        return None
    hits = sorted(i for stem in wanted for i in positions.get(stem, ()))
    return (words[hits[0]].start, words[hits[-1]].end)


@dataclass(frozen=True)
class _KeyItem:
    """An answer-key phrase, ready to look for in responses."""

    item: str
    stems: Stems
    wanted: frozenset[str]
    families: frozenset[str]


@dataclass(frozen=True)
class KeyIndex:
    """A vignette's answer key, worked out once for every response to it."""

    stated: tuple[_KeyItem, ...]
    unstated: tuple[_KeyItem, ...]
    meanings: tuple[_KeyItem, ...]
    content: tuple[_KeyItem, ...]
    over: tuple[_KeyItem, ...]
    """Over-interpretations, but not those the client's own statement uses."""
    risks: tuple[tuple[RiskCue, tuple[_KeyItem, ...]], ...]
    risk_cues: tuple[RiskCue, ...]
    stated_families: frozenset[str]
    """Families of the stated feelings."""


def _key_item(item: str, *, feeling: bool = False) -> _KeyItem:
    stems, wanted = item_stems(item)
    families = frozenset(feeling_families(item)) if feeling else frozenset()
    return _KeyItem(item, stems, wanted, families)


@lru_cache(maxsize=512)
def key_index(vignette: Vignette) -> KeyIndex:
    key = vignette.answer_key
    statement = analyse(vignette.statement)
    stated = tuple(_key_item(i, feeling=True) for i in key.stated_feelings)
    return KeyIndex(
        stated=stated,
        unstated=tuple(_key_item(i, feeling=True) for i in key.unstated_feelings),
        meanings=tuple(_key_item(i) for i in key.meanings),
        content=tuple(_key_item(i) for i in key.key_content),
        over=tuple(
            _key_item(i)
            for i in key.over_interpretations
            if _phrase_span(i, statement, ordered=True) is None
        ),
        risks=tuple(
            (cue, tuple(_key_item(p) for p in cue.acknowledged_by)) for cue in key.risk_cues
        ),
        risk_cues=key.risk_cues,
        stated_families=frozenset(f for k in stated for f in k.families),
    )


def _feeling_span(
    k: _KeyItem, text: Text, positions: Positions, feelings: Sequence[Feeling]
) -> tuple[int, int] | None:
    """Where a response names an answer-key feeling, by stem or by feeling family; a feeling it
    negates ("don't worry", "you're not angry") is not one it names."""
    negated = [(f.start, f.end) for f in text.feelings if f.negated]
    exact = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
    if exact is not None and not any_overlap(exact, negated):
        return exact
    for f in feelings:
        if not f.negated and not k.families.isdisjoint(f.families):
            return (f.start, f.end)
    return None


class KeyResult(NamedTuple):
    """A response checked against a vignette's answer key."""

    risk_cues: tuple[RiskCue, ...]
    accuracy: VignetteAccuracy
    caught_spans: dict[str, tuple[int, int]]
    unstated_spans: Spans
    meaning_spans: Spans


def check_key(text: Text, index: KeyIndex, feelings: Sequence[Feeling]) -> KeyResult:
    positions = text.stem_positions()
    caught: dict[str, tuple[int, int]] = {}
    missed: list[str] = []
    unstated: Spans = []
    meanings: Spans = []
    groups: list[float] = []
    feeling_hit = False
    for k in index.stated:
        span = _feeling_span(k, text, positions, feelings)
        if span:
            caught[k.item] = span
            feeling_hit = True
        else:
            missed.append(k.item)
    for k in index.unstated:
        span = _feeling_span(k, text, positions, feelings)
        if span and not any_overlap(span, caught.values()):
            caught[k.item] = span
            unstated.append(span)
            feeling_hit = True
        elif span:
            caught.setdefault(k.item, span)
        else:
            missed.append(k.item)
    if index.stated or index.unstated:
        groups.append(1.0 if feeling_hit else 0.0)
    meaning_hit = False
    for k in index.meanings:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=False)
        if span:
            caught[k.item] = span
            meanings.append(span)
            meaning_hit = True
        else:
            missed.append(k.item)
    if index.meanings:
        groups.append(1.0 if meaning_hit else 0.0)
    content_hits = 0
    for k in index.content:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=False)
        if span:
            caught[k.item] = span
            content_hits += 1
        else:
            missed.append(k.item)
    if index.content:
        groups.append(min(1.0, content_hits / min(2, len(index.content))))
    over: list[Span] = []
    for k in index.over:
        span = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
        if span:
            over.append(make_span(text, span))
    missed_risks: list[RiskCue] = []
    for cue, phrases in index.risks:
        hit = None
        for k in phrases:
            hit = _stems_span(k.stems, k.wanted, text, positions, ordered=True)
            if hit:
                caught[f"risk: {cue.cue}"] = hit
                break
        if hit is None:
            missed_risks.append(cue)
    score = sum(groups) / len(groups) if groups else 0.0
    accuracy = VignetteAccuracy(
        caught=tuple(caught),
        missed=tuple(missed),
        over_interpretations=tuple(over),
        missed_risks=tuple(missed_risks),
        score=round(score, 3),
    )
    return KeyResult(index.risk_cues, accuracy, caught, unstated, meanings)
