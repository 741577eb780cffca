"""HTML for vignette cards, feedback and exemplars; every piece of text is escaped."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..glossary import load_glossary
from ..models import Assessment, Span, Vignette
from ..provenance import load_rubric_provenance

if TYPE_CHECKING:
    from ..scoring.rewrite import Rewrite

#: Inline styles shared by the apps (no external stylesheet, font or script is loaded).
STYLE = """
<style>
.et-card{border:1px solid #c9ced6;border-radius:8px;padding:12px 16px;background:#fbfcfe;
  max-width:52rem;line-height:1.45;font-size:15px}
.et-card h3{margin:0 0 4px 0;font-size:1.15em}
.et-meta{color:#4a5261;font-size:.9em;margin-bottom:8px}
.et-quote{border-left:4px solid #5b7db1;margin:8px 0;padding:4px 12px;background:#fff;
  font-size:1.05em}
.et-nonverbal{color:#4a5261;font-style:italic}
.et-level{display:inline-block;border-radius:6px;padding:2px 10px;font-weight:600;color:#fff}
.et-l1{background:#a8322d}.et-l2{background:#9a6a00}.et-l3{background:#3b6e8f}
.et-l4{background:#2f7d4f}.et-l5{background:#1f5e3a}
.et-risk{border:2px solid #a8322d;background:#fdf0ef;border-radius:6px;padding:8px 12px;
  margin:8px 0;font-weight:600;color:#6d1f1b}
.et-crit{margin:4px 0;padding:0;list-style:none}
.et-crit li{margin:6px 0}
.et-met::before{content:"\\2714  ";color:#2f7d4f;font-weight:700}
.et-missed::before{content:"\\2716  ";color:#a8322d;font-weight:700}
.et-response{background:#fff;border:1px dashed #c9ced6;padding:6px 10px;border-radius:6px;
  white-space:pre-wrap;overflow-wrap:anywhere}
.et-response mark{background:#fde68a;padding:0 1px;border-radius:2px}
.et-response mark.et-rb{background:#fecaca}
.et-small{font-size:.88em;color:#4a5261}
.et-message{padding:6px 10px;border-radius:6px;margin:4px 0}
.et-error{background:#fdf0ef;color:#6d1f1b;border:1px solid #e6b4b0}
.et-hint{background:#fff8e1;color:#5c4300;border:1px solid #ecd48a}
.et-ok{background:#edf7f0;color:#1f5e3a;border:1px solid #b5dcc2}
table.et-table{border-collapse:collapse;font-size:.92em}
table.et-table td,table.et-table th{border-bottom:1px solid #e1e4e8;padding:4px 8px;
  text-align:left;vertical-align:top}
.et-stack.widget-textarea{flex-direction:column;align-items:stretch}
.et-stack.widget-textarea .widget-label{width:auto;text-align:left;margin-bottom:2px}
.et-stack.widget-textarea textarea{font-family:inherit;font-size:15px;line-height:1.45}
.et-code-notice{background:#eef3fb;color:#1f2f4d;border:2px solid #5b7db1;font-size:1.05em}
.et-code{font-family:monospace;font-size:1.25em;letter-spacing:.08em;white-space:nowrap}
.widget-dropdown select{text-overflow:ellipsis}
.et-lead{font-size:1.08em}
.et-next{font-weight:600;margin:8px 0}
.et-details{margin-top:10px;overflow-wrap:anywhere}
table.et-scored{width:100%}
.et-details summary{cursor:pointer;color:#2f5fa7;font-weight:600;padding:4px 0}
table.et-scored th{font-weight:600;color:#4a5261}
.et-why summary{cursor:pointer;color:#4a5261;font-size:.88em}
abbr.et-term{text-decoration:underline dotted;cursor:help}
.et-rewrite del{color:#a8322d}.et-rewrite ins{background:#dcf2e3;text-decoration:none}
</style>
"""


def vignette_card(vignette: Vignette) -> str:
    """The client, the setting and the client's words."""
    nonverbal = (
        f"<div class='et-nonverbal'>Nonverbal: {escape(vignette.nonverbal)}</div>"
        if vignette.nonverbal
        else ""
    )
    return (
        f"<div class='et-card' role='region' aria-label='Client vignette'>"
        f"<h3>{escape(vignette.title)}</h3>"
        f"<div class='et-meta'>{escape(vignette.setting)} &middot; {escape(vignette.difficulty)}"
        f"</div><div>{escape(vignette.client)}</div>"
        f"<blockquote class='et-quote'>&ldquo;{escape(vignette.statement)}&rdquo;</blockquote>"
        f"{nonverbal}</div>"
    )


def highlighted(text: str, spans: list[Span], roadblock_spans: list[Span] | None = None) -> str:
    """The text with the given spans marked; overlapping spans are merged."""
    marks: list[tuple[int, int, str]] = []
    for span, css in [(s, "") for s in spans] + [(s, "et-rb") for s in roadblock_spans or []]:
        if 0 <= span.start < span.end <= len(text):
            marks.append((span.start, span.end, css))
    marks.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, css in marks:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] or css)
        else:
            merged.append((start, end, css))
    out: list[str] = []
    position = 0
    for start, end, css in merged:
        out.append(escape(text[position:start]))
        attr = f" class='{css}'" if css else ""
        out.append(f"<mark{attr}>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def explained(label: str, term: str | None = None) -> str:
    """`label`, escaped, with the glossary's plain meaning of `term` (default: the label) shown
    on hover or long press; the label alone when the glossary does not have the term."""
    glossary = load_glossary()
    wanted = term or label
    if wanted not in glossary:
        return escape(label)
    meaning = escape(glossary.meaning(wanted), quote=True)
    return f"<abbr class='et-term' title='{meaning}' tabindex='0'>{escape(label)}</abbr>"


#: The glossary term behind each rubric criterion, explained where the criterion is named.
CRITERION_TERMS = {
    "acknowledges-pain": "acknowledging the pain",
    "adds-meaning": "complex reflection",
    "catches-what-matters": "answer key",
    "common-humanity": "shared humanity",
    "makes-sense": "validating as reasonable now",
    "names-feeling": "stated feeling",
    "names-unsaid": "articulating the unverbalised",
    "no-invalidation": "invalidation",
    "no-over-interpretation": "over-interpretation",
    "no-roadblocks": "roadblock",
    "reflects": "reflection",
    "reflects-accurately": "accurate reflection",
    "reflects-before-asking": "reflection-to-question ratio",
    "self-kindness": "self-kindness",
    "takes-up-risk": "risk cue",
}

#: A closing example in a line of feedback: ", for example: 'It sounds like ...'".
_EXAMPLE = re.compile(r"(?:,\s*|\s+)for example:?\s*'(?P<example>.+)'\s*\.?\s*$", re.S)


class _ExamplesOnce:
    """Lets each example sentence appear once per card: later lines keep their advice only."""

    def __init__(self) -> None:
        self.shown: set[str] = set()

    def __call__(self, text: str) -> str:
        match = _EXAMPLE.search(text)
        if match is None:
            return text
        example = match.group("example").strip()
        if example in self.shown:
            return text[: match.start()].rstrip(" ,;:") + "."
        self.shown.add(example)
        return text


def assessment_card(
    assessment: Assessment, *, whose: str = "Your response", rewrite: Rewrite | None = None
) -> str:
    """Level, risk flag, criteria with the response's own words, roadblocks and alternatives.

    `whose` names the response for the reader: the trainee's own, or one a grader reviews.
    `rewrite`, for a response below level 4, is shown as a stronger version of it.
    """
    a = assessment
    once = _ExamplesOnce()
    evidence = [s for c in a.criteria for s in c.evidence]
    rb_spans = [r.span for r in a.roadblocks]
    parts = ["<div class='et-card' role='region' aria-label='Feedback' aria-live='polite'>"]
    if a.risk_handled == "safety_error":
        parts.append(
            f"<div class='et-risk' role='alert'>{explained('Safety error', 'safety error')} "
            "&mdash; this response could add to the risk the client hinted at, so it scores "
            "level 1. The next step below says why; talk it through with your supervisor.</div>"
        )
    elif a.missed_risk and a.accuracy:
        cues = "; ".join(
            f"{r.kind}: &ldquo;{escape(r.cue)}&rdquo;" for r in a.accuracy.missed_risks
        )
        parts.append(
            f"<div class='et-risk' role='alert'>{explained('Risk cue', 'risk cue')} "
            f"{explained('passed over')} &mdash; {cues}. "
            "Name what you heard and ask about it directly.</div>"
        )
    elif a.risk_handled == "passed_over":
        parts.append(
            "<div class='et-risk' role='alert'>The client's words may hint at a risk, and this "
            "response passes over it. Name what you heard and ask about it directly.</div>"
        )
    parts.append(
        f"<div class='et-lead'><span class='et-level et-l{a.hrq_level}'>"
        f"{explained(f'Level {a.hrq_level} of 5', 'reflective-listening level')}</span> "
        f"{escape(a.hrq_meaning)}</div>"
    )
    parts.append(f"<p class='et-next'>{escape(once(a.feedback))}</p>")
    parts.append(
        f"<div class='et-small'>{escape(whose)}, with the words the scoring rests on marked"
        " (roadblocks in red):</div>"
        f"<div class='et-response'>{highlighted(a.response, evidence, rb_spans)}</div>"
    )
    if a.roadblocks:
        parts.append(
            f"<div class='et-roadblocks'><b>{explained('Roadblocks', 'roadblock')}</b><ul>"
        )
        for r in a.roadblocks:
            alt = f" &mdash; instead: {escape(once(r.alternative))}" if r.alternative else ""
            parts.append(
                f"<li>{explained(r.category)}: &ldquo;{escape(r.span.text)}&rdquo;{alt}</li>"
            )
        parts.append("</ul></div>")
    if rewrite is not None and a.hrq_level < 4:
        parts.append(rewrite_section(rewrite))
    parts.append(
        "<details class='et-details'><summary>Each criterion, and how this was scored</summary>"
    )
    if a.criteria:
        parts.append("<ul class='et-crit'>")
        for c in a.criteria:
            css = "et-met" if c.met else "et-missed"
            state = "met" if c.met else "missed"
            name = explained(c.name, CRITERION_TERMS.get(c.id))
            parts.append(
                f"<li class='{css}'><b>{name}</b> <span class='et-small'>({state})"
                f"</span><br>{escape(once(c.feedback))}{_criterion_source(a.rubric, c.id)}</li>"
            )
        parts.append("</ul>")
    parts.append(_scoring_details(a))
    parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def rewrite_section(rewrite: Rewrite) -> str:
    """ "Your response -> A stronger version": dropped words struck through, added words marked,
    and one sentence of why."""
    marks = {"kept": "{}", "removed": "<del>{}</del>", "added": "<ins>{}</ins>"}
    changes = " ".join(marks[p.kind].format(escape(p.text)) for p in rewrite.pieces)
    return (
        "<div class='et-rewrite' role='region' aria-label='A stronger version'>"
        "<b>Your response &rarr; A stronger version</b>"
        f"<div class='et-response'>{changes}</div>"
        f"<div class='et-small'>{escape(rewrite.text)}</div>"
        f"<p>{escape(rewrite.why)}</p></div>"
    )


_BEHAVIOUR_WORDS = {
    "reflection": "a reflection (saying back what you heard)",
    "question": "a question",
    "input": "input (information, advice or opinion)",
    "other": "other (neither a reflection, a question nor input)",
}


def _criterion_source(rubric: str, criterion_id: str) -> str:
    """The rule a criterion implements, its sources and the basis of its numbers, folded."""
    try:
        criterion = load_rubric_provenance(rubric).criterion(criterion_id)
    except (KeyError, ValueError, OSError):
        return ""
    sources = "".join(f"<li>{escape(s.citation)}</li>" for s in criterion.sources)
    numbers = "".join(
        f"<li>{escape(t.name.replace('_', ' '))} = {escape(str(t.value))}: {escape(t.basis)}</li>"
        for t in criterion.thresholds
    )
    return (
        "<details class='et-why'><summary>Where this comes from</summary>"
        f"<div>{escape(criterion.rule)}</div>"
        + (f"<ul class='et-small'>{sources}</ul>" if sources else "")
        + (
            f"<div class='et-small'>Numbers used:</div><ul class='et-small'>{numbers}</ul>"
            if numbers
            else ""
        )
        + "</details>"
    )


def _scoring_details(a: Assessment) -> str:
    """What the scorer read in the response, one plain line each."""
    kind = _BEHAVIOUR_WORDS.get(a.behaviour, a.behaviour)
    if a.question_type:
        kind += f" ({a.question_type} question)"
    depth = a.reflection_depth.replace("_", " ")
    rows = [
        (explained("Kind of response", "response type"), escape(kind)),
        (
            explained("Depth of reflection", "reflection depth"),
            explained(depth, f"{depth} reflection") if depth != "none" else "none",
        ),
        (
            explained("Validation", "validation level"),
            escape(f"level {a.validation_level}: {a.validation_meaning}"),
        ),
        (
            explained("Empathy codes (EPITOME)", "EPITOME"),
            f"{explained('emotional reaction', 'emotional reactions')} {a.epitome.er}, "
            f"{explained('interpretation', 'interpretations')} {a.epitome.ip}, "
            f"{explained('exploration', 'explorations')} {a.epitome.ex} (each 0 to 2)",
        ),
    ]
    if a.accuracy and a.accuracy.caught:
        caught = ", ".join(c for c in a.accuracy.caught if not c.startswith("risk:"))
        rows.append((explained("What you picked up", "answer key"), escape(caught)))
    rows.append(
        (
            explained("How sure the scorer is", "confidence"),
            escape(f"{a.confidence:.0%} (scorer {a.scorer_version})"),
        )
    )
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='et-table et-scored'>{cells}</table>"


#: The answer key's notes beyond listening, in the order a supervisor would raise them.
BEYOND_LISTENING = (
    ("urgent_action", "Act now"),
    ("means", "Means of harm"),
    ("safeguarding", "Safeguarding"),
    ("capacity", "Capacity and liberty"),
    ("risk_factors", "Ask gently about risk"),
)


def beyond_listening(vignette: Vignette) -> str:
    """What the key says a clinician must also do or ask here, or '' when it says nothing."""
    key = vignette.answer_key
    items = "".join(
        f"<li><b>{label}:</b> {escape(note)}</li>"
        for field, label in BEYOND_LISTENING
        for note in getattr(key, field)
    )
    if not items:
        return ""
    return (
        "<h4>Beyond listening</h4><p class='et-small'>What a supervisor would also look for "
        f"with this client:</p><ul class='et-beyond'>{items}</ul>"
    )


def exemplars_card(vignette: Vignette) -> str:
    """The exemplar responses, best first, each with the note that explains its level; then
    what the key says must also be done or asked."""
    rows = "".join(
        f"<tr><td><span class='et-level et-l{e.level}'>{e.level}</span></td>"
        f"<td>{escape(e.text)}<div class='et-small'>{escape(e.note)}</div></td></tr>"
        for e in sorted(vignette.exemplars, key=lambda e: -e.level)
    )
    return (
        "<div class='et-card' role='region' aria-label='Model responses'>"
        "<h3>Model responses</h3><table class='et-table'>"
        f"<tr><th>Level</th><th>Response</th></tr>{rows}</table>"
        f"{beyond_listening(vignette)}</div>"
    )


def message(text: str, kind: str = "hint") -> str:
    """A short escaped message: kind is 'hint', 'error' or 'ok'."""
    role = "alert" if kind == "error" else "status"
    return f"<div class='et-message et-{kind}' role='{role}'>{escape(text)}</div>"
