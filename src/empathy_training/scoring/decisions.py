"""Decisions: the learned models decide, the rules supply the words they rest on."""

from __future__ import annotations

from ..models import BEHAVIOURS
from . import classifiers as learned
from .findings import Findings, Reflective, Roadblock, Spans, any_overlap, question_spans
from .learned_evidence import evidence
from .lexicons import Lexicons
from .text import Text

#: The roadblocks the rules' patterns find stand unless the models' probability that there is
#: a roadblock (`Judgements.roadblock_probability`) is under this; the rubric's own roadblocks
#: (its questions) stand whenever the model reads a question. Five folds by writer, the whole
#: scorer, 13,304 rows: roadblock present 0.921 -> 0.928, level QWK 0.831 -> 0.836 against
#: letting every pattern stand (0.05: 0.927, 0.835; 0.2: 0.929, 0.836): of the 119 rows where
#: it drops what the patterns found, the raters saw no roadblock in 108, 82 of them
#: reflections. Two of the exemplars' 122 roadblocks are lost with it, both "yes, but" turns
#: ("...but you did everything anyone could have done").
RULE_ROADBLOCK_FLOOR = 0.1


def patterns_stand(judged: learned.Judgements) -> bool:
    """Whether the roadblocks the rules' patterns find stand (RULE_ROADBLOCK_FLOOR)."""
    return judged.roadblock_probability >= RULE_ROADBLOCK_FLOOR


def learned_spans(
    found: Findings, head: str, label: str | None = None, limit: int = 3
) -> list[tuple[int, int]]:
    """The words that weighed most with a learned head (towards a label), at most `limit`
    spans; else the whole response."""
    statement = found.statement.original if found.statement is not None else ""
    spans = evidence(found.text.original, statement, head, label, limit)
    return spans or [(0, len(found.text.original))]


def _sentence_around(text: Text, span: tuple[int, int]) -> tuple[int, int]:
    """The sentence that holds a span (the span itself if none does)."""
    for sentence in text.sentences:
        if sentence.start <= span[0] < sentence.end:
            return sentence.start, sentence.end
    return span


def reconcile(found: Findings, judged: learned.Judgements, *, with_key: bool) -> None:
    """Make the findings say what the learned models decided; the rules supply the words.

    Roadblocks are the models' categories, each with the words that weighed most with the
    model, plus those the rules found that stand (`patterns_stand`) and those the rubric
    defines (its questions, when the model reads a question); a reflection is there
    when the depth model says so, with the rules' clauses or the model's words as evidence. The
    rules' off-topic check stands only against a vignette's answer key (`with_key`): against
    one client turn, a reflection that adds meaning must use words the client did not say, and
    lexical overlap cannot tell it from one about something else.
    """
    kept = list(found.roadblocks)  # the rules' finds that stand (see `patterns_stand`)
    have = {r.category for r in kept}
    for category in judged.roadblocks:
        if category not in have:  # the words that weighed most, or their sentence
            words = learned_spans(found, f"roadblock_{category}", limit=1)[0]
            sentence = _sentence_around(found.text, words)
            taken = [(r.start, r.end) for r in kept]
            start, end = words if any_overlap(sentence, taken) else sentence
            kept.append(Roadblock(category, start, end))
    found.roadblocks = sorted(kept, key=lambda r: r.start)
    if not with_key:
        found.off_topic = []
    depth = judged.top("depth")
    if depth == "none" or found.off_topic or found.misfit:
        found.reflective = []
        found.depth, found.depth_evidence = "none", []
        found.apt, found.apt_evidence = False, []
        return
    if not found.reflective:
        strength = 1.0 - judged.probabilities["depth"]["none"]
        found.reflective = [
            Reflective(a, b, strength, "learned") for a, b in learned_spans(found, "depth", depth)
        ]
    key_apt = [(f.start, f.end) for f in found.apt_feelings] if with_key else []
    if key_apt:  # names a feeling the answer key lists as unstated: complex and apt (DESIGN.md)
        found.depth, found.apt, found.apt_evidence = "complex", True, key_apt
        found.depth_evidence = found.depth_evidence or key_apt
        return
    found.depth = depth
    if not found.depth_evidence:
        found.depth_evidence = [(r.start, r.end) for r in found.reflective]
    found.apt = depth == "complex" and judged.binary["names_unstated"] >= 0.5
    if found.apt and not found.apt_evidence:
        found.apt_evidence = found.depth_evidence


def behaviour_spans(found: Findings, label: str, lex: Lexicons) -> Spans:
    if label == "reflection":
        return [(r.start, r.end) for r in found.reflective]
    if label == "question":
        return question_spans(found)
    return [
        (r.start, r.end)
        for r in found.roadblocks
        if (lex.by_id[r.category].behaviour == label)
        or (label == "other" and lex.by_id[r.category].behaviour not in BEHAVIOURS)
    ]


def level_evidence(found: Findings) -> Spans:
    """The words behind the level: the roadblocks, and the reflection that earned it."""
    roadblocks = [(r.start, r.end) for r in found.roadblocks]
    if found.roadblocks:
        return roadblocks + [(r.start, r.end) for r in found.reflective]
    if found.depth == "none":
        return []
    return found.apt_evidence if found.apt else found.depth_evidence


def learned_confidence(judged: learned.Judgements, level: int, handling: str | None) -> float:
    """How sure the models are of the parts the level rests on."""
    roadblock = judged.roadblock_probability
    sure = max(judged.probabilities["depth"].values()) * max(roadblock, 1 - roadblock)
    if level >= 4:
        unstated = judged.binary["names_unstated"]
        sure *= max(unstated, 1 - unstated)
    if handling is not None:
        sure *= max(judged.probabilities["risk_handling"].values())
    return round(max(0.05, min(0.99, sure)), 2)
