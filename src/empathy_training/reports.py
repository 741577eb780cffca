"""Assessments as text people can read: the terminal view of one scored response."""

from __future__ import annotations

import textwrap

from .models import VALIDATION_MEANINGS, Assessment

__all__ = ["assessment_text"]

#: Width the text is wrapped to.
TEXT_WIDTH = 88
_INDENT = "    "


def _wrap(text: str, indent: str = _INDENT) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), TEXT_WIDTH, initial_indent=indent, subsequent_indent=indent
    ) or [indent.rstrip()]


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"


def assessment_text(a: Assessment) -> str:
    """A multi-line, plain-text account of an assessment and the evidence behind it."""
    lines: list[str] = []
    risks = a.accuracy.missed_risks if a.accuracy is not None else ()
    for cue in risks:
        lines.append(f"!! MISSED RISK ({cue.kind}): the client said {_quote(cue.cue)}.")
        lines.extend(_wrap("The response did not take it up; the level is at most 2."))
    if risks:
        lines.append("")
    lines.append(f"Reflective-listening level: {a.hrq_level} of 5")
    lines.extend(_wrap(a.hrq_meaning))
    kind = a.behaviour + (f" ({a.question_type} question)" if a.question_type else "")
    lines.append(f"Response type: {kind}")
    lines.append(f"Reflection depth: {a.reflection_depth}")
    if a.roadblocks:
        lines.append("Roadblocks:")
        for finding in a.roadblocks:
            lines.append(f"{_INDENT}- {finding.category}: {_quote(finding.span.text)}")
            if finding.alternative:
                lines.extend(_wrap(finding.alternative, _INDENT * 2))
    else:
        lines.append("Roadblocks: none")
    lines.append(f"Validation level: {a.validation_level}")
    lines.extend(_wrap(VALIDATION_MEANINGS[a.validation_level]))
    e = a.epitome
    lines.append(
        f"EPITOME: emotional reactions {e.er}, interpretations {e.ip}, explorations {e.ex}"
        " (0 none, 1 weak, 2 strong)"
    )
    if a.accuracy is not None:
        acc = a.accuracy
        lines.append(f"Accuracy against vignette {a.vignette_id}: {acc.score:.0%}")
        if acc.caught:
            lines.extend(_wrap("caught: " + ", ".join(acc.caught)))
        if acc.missed:
            lines.extend(_wrap("missed: " + ", ".join(acc.missed)))
        for span in acc.over_interpretations:
            lines.extend(_wrap(f"reads too much in: {_quote(span.text)}"))
    lines.append("Criteria:")
    for criterion in a.criteria:
        mark = "met   " if criterion.met else "missed"
        lines.append(f"{_INDENT}[{mark}] {criterion.name}")
        lines.extend(_wrap(criterion.feedback, _INDENT * 3))
    lines.append("Feedback:")
    lines.extend(_wrap(a.feedback))
    lines.append(f"Confidence: {a.confidence:.2f}   Scorer version: {a.scorer_version}")
    return "\n".join(lines)
