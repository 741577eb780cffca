"""The detectors a rubric's criteria name: each decides met or missed, with the evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..models import ROADBLOCK_IDS, Vignette
from ..risk_rule import load_risk_rule
from .answer_key import KeyResult
from .client import cue_words
from .depth import cue_in_reflections
from .findings import Findings, Spans, question_spans
from .lexicons import Lexicons
from .matching import find_all
from .risk import asks_if_safe, direct_question

#: How many off-topic words feedback names.
OFF_TOPIC_NAMED = 3
#: How many words of a feeling that does not fit the client feedback names.
MISFIT_NAMED = 2


class Context(NamedTuple):
    """What detectors see: the findings plus everything scored so far."""

    found: Findings
    key: KeyResult | None
    validation_level: int
    validation_evidence: Spans
    lex: Lexicons
    vignette: Vignette | None
    risk_handling: str | None = None
    """The model's judgement of how the response handles a risk cue; None without one."""
    safety_error: str | None = None
    """With a safety error, its kind (an id in rubrics/risk-handling.yml)."""
    statement_cue: str = ""
    """Without a vignette, the client statement's sentence that reads as its risk cue; '' when
    no sentence reads clearly so (`risk_cue.QUOTE_LOGIT`)."""
    statement_kind: str = "default"
    """Without a vignette, the kind of risk the client statement names in so many words
    (`risk.explicit_kind`); "default" when it names none."""


#: A detector's decision: met or missed, the evidence spans, and placeholder values for the
#: feedback (`variant` names another wording of the criterion). None: the criterion does not
#: apply to this response and is left out.
Decision = tuple[bool, Spans, dict[str, str]] | None


def _detect_roadblocks(ctx: Context, params: Mapping[str, Any]) -> Decision:
    ids = set(params.get("ids") or ROADBLOCK_IDS)
    hits = [r for r in ctx.found.roadblocks if r.category in ids]
    if not hits:
        return True, [], {}
    first = ctx.lex.by_id[hits[0].category]
    return (
        False,
        [(r.start, r.end) for r in hits],
        {"roadblock": first.name, "alternative": first.alternative},
    )


def _off_topic_values(found: Findings) -> dict[str, str]:
    words = ", ".join(f"'{w}'" for w in found.off_topic[:OFF_TOPIC_NAMED])
    return {"variant": "off_topic", "off_topic": words}


def _off_topic_spans(found: Findings) -> Spans:
    named = {w.lower() for w in found.off_topic[:OFF_TOPIC_NAMED]}
    return [(w.start, w.end) for w in found.text.words if w.lower in named]


def _misfit_values(found: Findings) -> dict[str, str]:
    words = list(dict.fromkeys(found.text.original[a:b] for a, b in found.misfit))
    named = " and ".join(f"'{w}'" for w in words[:MISFIT_NAMED])
    return {
        "variant": "misfit",
        "misfit": named,
        "fit": "do not fit" if len(words) > 1 else "does not fit",
    }


def _detect_reflection(ctx: Context, params: Mapping[str, Any]) -> Decision:
    if ctx.found.off_topic:
        return False, _off_topic_spans(ctx.found), _off_topic_values(ctx.found)
    if ctx.found.misfit:
        return False, ctx.found.misfit, _misfit_values(ctx.found)
    spans = [(r.start, r.end) for r in ctx.found.reflective]
    return bool(spans), spans, {}


def _detect_feeling(ctx: Context, params: Mapping[str, Any]) -> Decision:
    spans = [(f.start, f.end) for f in ctx.found.feelings]
    if not spans and ctx.found.misfit:
        return False, ctx.found.misfit, _misfit_values(ctx.found)
    return bool(spans), spans, {}


def _detect_complex(ctx: Context, params: Mapping[str, Any]) -> Decision:
    complex_ = ctx.found.depth == "complex"
    return complex_, ctx.found.depth_evidence if complex_ else [], {}


def _detect_tentative(ctx: Context, params: Mapping[str, Any]) -> Decision:
    spans = cue_in_reflections(ctx.lex.tentative, ctx.found.text, ctx.found.reflective, None)
    return bool(spans), spans, {}


def _detect_question_balance(ctx: Context, params: Mapping[str, Any]) -> Decision:
    ratio = float(params.get("ratio", 1.0))
    questions = len(ctx.found.questions)
    reflections = len(ctx.found.reflective)
    spans = question_spans(ctx.found)
    met = questions == 0 or reflections >= ratio * questions
    return met, [] if met else spans, {}


def _detect_open_questions(ctx: Context, params: Mapping[str, Any]) -> Decision:
    closed = [
        (s.question_start, s.end)
        for s in ctx.found.text.sentences
        if s.is_question and s.question_type == "closed"
    ]
    return not closed, closed, {}


def _risk_open(ctx: Context) -> bool:
    """Whether a risk cue is there and was not taken up: feedback then suggests no normalising
    ("anyone would feel this way", "you're not alone in this"), which beside an untaken cue
    can read as playing the risk down."""
    return ctx.risk_handling in ("passed_over", "safety_error")


def _detect_validation_level(ctx: Context, params: Mapping[str, Any]) -> Decision:
    least = int(params.get("min", 2))
    met = ctx.validation_level >= least
    if least >= 4 and _risk_open(
        ctx
    ):  # "it makes sense that you feel ...": neither asked nor praised
        return None
    if not met and ctx.found.off_topic and least <= 2:
        return False, _off_topic_spans(ctx.found), _off_topic_values(ctx.found)
    if not met and ctx.found.misfit and least <= 2:
        return False, ctx.found.misfit, _misfit_values(ctx.found)
    return met, ctx.validation_evidence if met else [], {}


def _detect_no_invalidation(ctx: Context, params: Mapping[str, Any]) -> Decision:
    spans = ctx.found.cues.get("invalidating", [])
    return not spans, spans, {}


def _detect_cue(
    name: str, normalising: bool = False
) -> Callable[[Context, Mapping[str, Any]], Decision]:
    def detect(ctx: Context, params: Mapping[str, Any]) -> Decision:
        spans = find_all(getattr(ctx.lex, name), ctx.found.text)
        if normalising and _risk_open(ctx):  # neither asked for nor praised beside the cue
            return None
        return bool(spans), spans, {}

    detect.__doc__ = f"Met when the response uses {name.replace('_', ' ')} wording."
    return detect


def _detect_acknowledges(ctx: Context, params: Mapping[str, Any]) -> Decision:
    text = ctx.found.text
    amplifying = find_all(ctx.lex.amplifying, text)
    if amplifying:
        return False, amplifying, {}
    if ctx.found.misfit:
        return False, ctx.found.misfit, _misfit_values(ctx.found)
    spans = [(r.start, r.end) for r in ctx.found.reflective]
    spans += find_all(ctx.lex.acknowledging, text)
    spans += find_all(ctx.lex.warmth_strong, text)
    return bool(spans), spans, {}


def _detect_accuracy(ctx: Context, params: Mapping[str, Any]) -> Decision:
    if ctx.key is None:
        return True, [], {}
    accuracy = ctx.key.accuracy
    met = accuracy.score >= float(params.get("min_score", 0.5))
    missed = ", ".join(f"'{m}'" for m in accuracy.missed[:3]) or "the feeling"
    caught = ", ".join(f"'{c}'" for c in accuracy.caught[:3] if not c.startswith("risk:"))
    return met, list(ctx.key.caught_spans.values()), {"missed": missed, "caught": caught}


def _detect_over_interpretation(ctx: Context, params: Mapping[str, Any]) -> Decision:
    """Missed for a reading the answer key says goes too far, or for a reflection about
    something the client never mentioned; checked with a vignette, or for any reflection of a
    client statement."""
    found = ctx.found
    if found.off_topic:
        return False, _off_topic_spans(found), _off_topic_values(found)
    if ctx.key is None:
        return (True, [], {}) if found.statement is not None and found.reflective else None
    spans = [(s.start, s.end) for s in ctx.key.accuracy.over_interpretations]
    return not spans, spans, {}


def _detect_statement_risk(ctx: Context) -> Decision:
    """Against a bare client statement: the sentence that reads as its cue is quoted (none when
    none reads clearly so), and no question is suggested unless the statement names its kind
    of risk in so many words."""
    if ctx.risk_handling is None:
        return None
    known = ctx.statement_kind != "default"
    if ctx.risk_handling == "taken_up":
        if known and asks_if_safe(ctx.found.text.original):
            return True, [], _weak(direct_question(ctx.statement_kind))
        return True, [], {}
    cue = ctx.statement_cue.rstrip(" .")
    values = {"cue": cue, "variant": "missed_statement" if cue else "missed_statement_unquoted"}
    if ctx.risk_handling == "safety_error":
        category = load_risk_rule().safety_error(ctx.safety_error or "minimises-risk")
        values["variant"] = "unsafe"
        values["safety_message"] = category.text(cue, direct_question(ctx.statement_kind))
    return False, [], values


def _weak(question: str) -> dict[str, str]:
    """The feedback for "are you safe?" alone: taken up, but ask plainly as well."""
    weak = next(w for w in load_risk_rule().take_up if w.id == "asks-if-safe")
    return {"variant": "weak", "weak_feedback": weak.feedback.format(direct_question=question)}


def _detect_risk(ctx: Context, params: Mapping[str, Any]) -> Decision:
    """Left out unless the vignette has risk cues, or a bare client statement carries one; the
    model judges how the cue was handled."""
    if ctx.vignette is None:
        return _detect_statement_risk(ctx)
    if ctx.key is None or not ctx.key.risk_cues:
        return None
    first = (ctx.key.accuracy.missed_risks or ctx.key.risk_cues)[0]
    question = direct_question(first.kind)
    if ctx.risk_handling == "taken_up":
        spans = [s for k, s in ctx.key.caught_spans.items() if k.startswith("risk:")]
        if asks_if_safe(ctx.found.text.original):
            return True, spans, _weak(question)
        return True, spans, {}
    cue = " ".join(first.cue.split())
    words = cue_words(cue)
    values = {"cue": cue, "cue_words": words, "direct_question": question}
    if ctx.risk_handling == "safety_error":
        category = load_risk_rule().safety_error(ctx.safety_error or "minimises-risk")
        values["variant"] = "unsafe"
        values["safety_message"] = category.text(cue, question)
    return False, [], values


#: Detectors a rubric criterion can name, each deciding met or missed with evidence.
DETECTORS: dict[str, Callable[[Context, Mapping[str, Any]], Decision]] = {
    "roadblocks": _detect_roadblocks,
    "reflection": _detect_reflection,
    "feeling_named": _detect_feeling,
    "complex_reflection": _detect_complex,
    "tentative": _detect_tentative,
    "question_balance": _detect_question_balance,
    "open_questions": _detect_open_questions,
    "validation_level": _detect_validation_level,
    "no_invalidation": _detect_no_invalidation,
    "common_humanity": _detect_cue("common_humanity", normalising=True),
    "self_kindness": _detect_cue("self_kindness"),
    "acknowledges_pain": _detect_acknowledges,
    "accuracy": _detect_accuracy,
    "over_interpretation": _detect_over_interpretation,
    "risk": _detect_risk,
}
