"""A reflection's depth by the rules: figures, new feelings and meanings make it complex."""

from __future__ import annotations

from collections.abc import Sequence

from .answer_key import KeyResult
from .findings import Findings, Reflective, Spans, any_overlap
from .lexicons import Lexicons, Matcher
from .matching import find_all
from .reflection import echo_span
from .text import Text
from .words import content_stems


def cue_in_reflections(
    pattern: Matcher,
    text: Text,
    reflective: Sequence[Reflective],
    statement: Text | None,
    *,
    following: bool = False,
) -> Spans:
    """Matches of a cue inside reflective clauses that do more than repeat the client."""
    spans = []
    for r in reflective:
        for span in find_all(pattern, text, r.start, r.end):
            if not echo_span(text, span, statement, following=following):
                spans.append(span)
    return spans


def find_depth(found: Findings, lex: Lexicons, key: KeyResult | None) -> None:
    """The rules' reading of depth, for its evidence (the depth model decides; see
    `reconcile`): figures, new feelings and meanings make a reflection complex."""
    text, statement, reflective = found.text, found.statement, found.reflective
    if not reflective:
        found.depth = "none"
        return
    regions = [(r.start, r.end) for r in reflective]
    double = [s for s in find_all(lex.double_sided, text) if any_overlap(s, regions)]
    simile = cue_in_reflections(lex.simile, text, reflective, statement, following=True)
    metaphor = cue_in_reflections(lex.metaphor, text, reflective, statement, following=True)
    normalising = cue_in_reflections(lex.normalising, text, reflective, None)
    meaning = cue_in_reflections(lex.meaning, text, reflective, statement)
    key_meanings = (
        [m for m in key.meaning_spans if not echo_span(text, m, statement)] if key else []
    )
    found.cues["meaning"] = meaning + key_meanings
    new = [(f.start, f.end) for f in found.new_feelings]
    figures = double + simile + metaphor + normalising
    if key_meanings:
        found.depth = "complex"
        found.depth_evidence = sorted(set(key_meanings + figures + new))
    elif figures or new or meaning:
        found.depth = "complex"
        found.depth_evidence = sorted(set(figures + new + meaning))
    else:
        found.depth = "simple"
        found.depth_evidence = [(r.start, r.end) for r in reflective]
    if not found.depth_evidence:
        found.depth_evidence = [(r.start, r.end) for r in reflective]
    if found.depth != "complex":
        return
    tentative = cue_in_reflections(lex.tentative, text, reflective, None)
    if key is not None:
        apt = [(f.start, f.end) for f in found.apt_feelings]
        if simile and key_meanings:
            apt += simile
        found.apt = bool(apt) and not key.accuracy.over_interpretations
    else:
        figures = simile + metaphor
        if new and (tentative or figures):
            apt = new + figures
        else:
            apt = [f for f in figures if _grounded(text, f, reflective, statement)]
        found.apt = bool(apt)
    found.apt_evidence = sorted(set(apt))


def _grounded(
    text: Text, span: tuple[int, int], reflective: Sequence[Reflective], statement: Text | None
) -> bool:
    """Whether the reflection holding an image also uses the client's words: with no answer key,
    the sign that a simile or metaphor is about this client ("like standing at a crossroads with
    your dad in the way")."""
    if statement is None:
        return False
    for r in reflective:
        if r.start <= span[0] < r.end:
            return bool(content_stems(text.words_in(r.start, r.end)) & statement.stems)
    return False
