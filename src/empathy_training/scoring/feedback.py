"""Feedback wording: each criterion's decision in words, and the summary."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from functools import lru_cache

from ..models import CriterionResult
from .criteria import DETECTORS, Context
from .findings import make_spans
from .rubrics import Rubric


class Fill(dict[str, str]):
    """Placeholder values; a missing one is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=1024)
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


#: Placeholders that suggest a feeling: empty when the scorer has none it can ground in the
#: client's words or the answer key, and the criterion's `_no_feeling` wording is used instead.
SUGGESTED_FEELINGS = frozenset({"unstated", "feeling_example"})
#: How many pieces of rendered feedback `_render` keeps.
RENDERED_KEPT = 8192
_RENDERED: dict[tuple[str, tuple[str, ...]], str] = {}


def _render(template: str, values: Fill) -> str:
    """A feedback template filled in and single-spaced (kept: most feedback repeats)."""
    slot = (template, tuple([values[name] for name in _placeholders(template)]))
    done = _RENDERED.get(slot)
    if done is None:
        if len(_RENDERED) >= RENDERED_KEPT:
            _RENDERED.clear()
        done = _RENDERED[slot] = " ".join(template.format_map(values).split())
    return done


def clip_words(text: str, words: int = 12) -> str:
    """The first `words` words of `text`, with '...' when there were more."""
    parts = text.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


@lru_cache(maxsize=4096)
def _plain_result(criterion_id: str, name: str, met: bool, feedback: str) -> CriterionResult:
    """A criterion's result with no evidence (immutable, so one object serves every response)."""
    return CriterionResult(criterion_id, name, met, (), feedback)


def criteria_results(
    ctx: Context, rubric: Rubric, fill: Mapping[str, str]
) -> tuple[CriterionResult, ...]:
    text = ctx.found.text
    base = Fill(fill)
    results = []
    for spec in rubric.criteria:
        if spec.needs_vignette and ctx.vignette is None:
            continue
        decision = DETECTORS[spec.detector](ctx, spec.params)
        if decision is None:
            continue
        met, spans, extra = decision
        evidence = make_spans(text, spans) if spans else ()
        values = Fill(base)
        if extra:
            values.update(extra)
            if "alternative" in extra:
                values["alternative"] = extra["alternative"].format_map(base)
        if spec.detector == "accuracy":
            quote = extra.get("caught", "")
        else:
            quote = clip_words(evidence[0].text) if evidence else ""
        values["evidence"] = quote
        variant, quoted = extra.get("variant", ""), bool(quote.strip())
        template = spec.template(met, variant, evidence=quoted)
        if any(not values.get(n) for n in _placeholders(template) if n in SUGGESTED_FEELINGS):
            template = spec.template(met, variant, evidence=quoted, feeling=False)
        feedback = _render(template, values)
        if evidence:
            results.append(CriterionResult(spec.id, spec.name, met, evidence, feedback))
        else:
            results.append(_plain_result(spec.id, spec.name, met, feedback))
    return tuple(results)


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def summary_feedback(
    rubric: Rubric, criteria: Sequence[CriterionResult], values: Mapping[str, str]
) -> str:
    """One to three sentences: the most important next step; but a missed risk first, whole,
    since its last sentence says what to do next (at level 1, a safety error or a roadblock, it
    is not said that the level is capped at 2)."""
    missed = [c for c in criteria if not c.met]
    fill = Fill(values)
    if missed and missed[0].id == "takes-up-risk":
        capped = "" if values.get("level") == "1" else rubric.summary.get("missed_risk", "")
        return " ".join(p for p in (missed[0].feedback, capped.format_map(fill)) if p)
    if missed:
        parts = [missed[0].feedback]
    else:
        parts = [
            rubric.summary.get("all_met", "").format_map(fill),
            rubric.summary.get("level", "").format_map(fill),
        ]
    sentences = _SENTENCE.split(" ".join(p for p in parts if p))
    return " ".join(sentences[:3])
