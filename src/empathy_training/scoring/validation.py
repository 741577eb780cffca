"""The validation level by the rules (after Linehan), with the words it rests on."""

from __future__ import annotations

from .findings import Findings, Spans, any_overlap
from .lexicons import Lexicons
from .matching import find_all


def validation_level(found: Findings, lex: Lexicons) -> tuple[int, Spans]:
    """The validation level the rules see (0, 2 to 5), with the words it rests on."""
    text = found.text
    invalidating = find_all(lex.invalidating, text)
    minimising = [
        (r.start, r.end)
        for r in found.roadblocks
        if r.category in {"reassuring", "judging", "shaming", "distracting", "moralizing"}
    ]
    if invalidating or minimising:
        found.cues["invalidating"] = invalidating + minimising
        return 0, invalidating + minimising
    normalising = find_all(lex.normalising, text)
    history = find_all(lex.history, text)
    sense = find_all(lex.sense_making, text)
    acknowledged = bool(found.reflective or found.feelings)
    if history and (sense or normalising) and acknowledged:
        level = 5 if normalising and not _all_inside(normalising, sense) else 4
        return (level, normalising + history if level == 5 else history + sense)
    if normalising and acknowledged:
        return 5, normalising
    if not found.reflective:
        return 0, []
    if found.depth == "complex" and (found.new_feelings or found.cues.get("meaning")):
        return 3, found.depth_evidence
    return 2, [(r.start, r.end) for r in found.reflective]


def _all_inside(spans: Spans, within: Spans) -> bool:
    """Whether every span overlaps one of `within` (the same words found by both lists)."""
    return all(any_overlap(s, within) for s in spans)
