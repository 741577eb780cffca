"""Feedback reports as pages: one printable, self-contained HTML page per trainee, and a zip."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from html import escape

from .feedback_items import RaterNote, ReportItem
from .models import HRQ_MEANINGS, Assessment, Span
from .ui.cards import highlighted

#: Title at the top of every report.
REPORT_TITLE = "Feedback on your responses"
#: Longest file name stem for a report, before ".html".
MAX_FILE_STEM = 80


# --- one report ----------------------------------------------------------------------------

_CSS = """
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#1f2430;max-width:46rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5;font-size:15px}
h1{font-size:1.5em;margin:0 0 .2em 0}
h2{font-size:1.15em;margin:0 0 .4em 0}
.meta{color:#4a5261;font-size:.92em}
.item{border:1px solid #c9ced6;border-radius:8px;padding:12px 16px;margin:1rem 0;
  background:#fbfcfe}
.quote{border-left:4px solid #5b7db1;margin:6px 0;padding:4px 12px;background:#fff}
.response{background:#fff;border:1px dashed #c9ced6;padding:6px 10px;border-radius:6px;
  white-space:pre-wrap;overflow-wrap:anywhere}
mark{background:#fde68a;padding:0 1px;border-radius:2px}
mark.et-rb{background:#fecaca}
.level{display:inline-block;border-radius:6px;padding:1px 9px;font-weight:600;color:#fff}
.l1{background:#a8322d}.l2{background:#9a6a00}.l3{background:#3b6e8f}
.l4{background:#2f7d4f}.l5{background:#1f5e3a}.l0{background:#6b7280}
.label{font-weight:600;margin-top:8px}
ul{margin:4px 0;padding-left:1.3em}
.met::marker{content:"\\2714  ";color:#2f7d4f}
.missed::marker{content:"\\2716  ";color:#a8322d}
.rater{background:#f3f6fb;border-radius:6px;padding:6px 10px;margin:6px 0}
.risk{border:2px solid #a8322d;background:#fdf0ef;border-radius:6px;padding:6px 10px;
  color:#6d1f1b;font-weight:600}
.error{background:#fdf0ef;border:1px solid #e6b4b0;border-radius:6px;padding:6px 10px}
.small{font-size:.88em;color:#4a5261}
table.legend{border-collapse:collapse;font-size:.9em;margin:.5rem 0}
table.legend td{padding:2px 8px;vertical-align:top;border-bottom:1px solid #e1e4e8}
@media print{
  body{margin:0;max-width:none;font-size:11pt}
  .item{break-inside:avoid;page-break-inside:avoid;background:none}
  .level,mark,.risk{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  a{color:inherit;text-decoration:none}
}
"""


def trainee_report_html(
    trainee: str, rows: Sequence[ReportItem], *, title: str = REPORT_TITLE, course: str = ""
) -> str:
    """One printable, self-contained HTML page for one trainee: no scripts, everything escaped.

    Each response appears with the client's words, the automatic level and what it means, the
    words the scoring rests on (highlighted; roadblocks in red), the raters' levels, roadblocks
    and comments when present, and next steps.
    """
    levels = [r.automatic_level for r in rows if r.automatic_level is not None]
    rated = [n.hrq_level for r in rows for n in r.ratings if n.hrq_level is not None]
    summary = f"{len(rows)} response{'s' if len(rows) != 1 else ''}"
    if levels:
        summary += f"; automatic level: mean {sum(levels) / len(levels):.1f}"
    if rated:
        summary += f"; raters' level: mean {sum(rated) / len(rated):.1f}"
    items = "".join(_item_html(number, item) for number, item in enumerate(rows, start=1))
    legend = "".join(
        f"<tr><td><span class='level l{level}'>{level}</span></td><td>{escape(meaning)}</td></tr>"
        for level, meaning in HRQ_MEANINGS.items()
    )
    course_line = f"<div class='meta'>{escape(course)}</div>" if course else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}: {escape(trainee)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class='meta'>For <b>{escape(trainee)}</b> &middot; "
        f"{escape(summary)}</div>{course_line}"
        "<details open><summary class='small'>What the levels mean</summary>"
        f"<table class='legend'>{legend}</table></details>"
        f"{items or '<p>No responses.</p>'}</body></html>\n"
    )


def reports_zip(reports: Mapping[str, str]) -> bytes:
    """A zip of `<safe-file-name>.html`, one per trainee; clashing names get -2, -3, ..."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for trainee, page in reports.items():
            name = _unique(safe_file_name(trainee), used)
            info = zipfile.ZipInfo(f"{name}.html", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, page.encode("utf-8"))
    return buffer.getvalue()


def safe_file_name(name: str) -> str:
    """A file name stem made of ASCII letters, digits, '.', '_' and '-' ('Zoë O'Neil' -> ...)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip(".-_")
    stem = re.sub(r"-{2,}", "-", stem)[:MAX_FILE_STEM].strip(".-_")
    return stem or "trainee"


# --- internals -----------------------------------------------------------------------------


def _item_html(number: int, item: ReportItem) -> str:
    heading = f"Response {number}" + (f": {item.vignette_title}" if item.vignette_title else "")
    parts = [f"<section class='item'><h2>{escape(heading)}</h2>"]
    if item.client_statement:
        parts.append(
            "<div class='label'>The client said</div>"
            f"<blockquote class='quote'>\u201c{escape(item.client_statement)}\u201d</blockquote>"
        )
    a = item.assessment
    if a is not None:
        evidence = _evidence_spans(a)
        rb_spans = [r.span for r in a.roadblocks]
        parts.append(
            "<div class='label'>You wrote <span class='small'>(the words the scoring rests on "
            "are marked; roadblocks in red)</span></div>"
            f"<div class='response'>{highlighted(a.response, evidence, rb_spans)}</div>"
        )
    else:
        parts.append(
            f"<div class='label'>You wrote</div><div class='response'>{escape(item.response)}</div>"
        )
    if item.error:
        parts.append(
            f"<p class='error'>This response could not be scored: {escape(item.error)}</p>"
        )
    level = item.automatic_level
    if level is not None and level in HRQ_MEANINGS:
        parts.append(
            f"<p><span class='level l{level}'>Level {level} of 5</span> "
            f"<span class='small'>(automatic)</span> {escape(HRQ_MEANINGS[level])}</p>"
        )
    if a is not None:
        parts.append(_assessment_html(a))
    elif level is not None:
        if item.roadblocks:
            parts.append(f"<p>Roadblocks: {escape(', '.join(item.roadblocks))}</p>")
        parts.append("<p class='small'>The highlighted evidence is not available for this row.</p>")
    for note in item.ratings:
        parts.append(_rater_html(note))
    steps = item.next_steps
    if steps:
        parts.append("<div class='label'>Next steps</div><ul>")
        parts.extend(f"<li>{escape(step)}</li>" for step in steps)
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


def _assessment_html(a: Assessment) -> str:
    parts: list[str] = []
    if a.missed_risk and a.accuracy:
        cues = "; ".join(
            f"{escape(r.kind)}: \u201c{escape(r.cue)}\u201d" for r in a.accuracy.missed_risks
        )
        parts.append(
            f"<p class='risk'>Risk cue passed over: {cues}. Name what you heard and ask about "
            "safety directly.</p>"
        )
    if a.feedback:
        parts.append(f"<p>{escape(a.feedback)}</p>")
    if a.criteria:
        parts.append("<ul>")
        for c in a.criteria:
            words = ", ".join(f"\u201c{escape(s.text)}\u201d" for s in c.evidence)
            evidence = f" <span class='small'>Your words: {words}</span>" if words else ""
            css, state = ("met", "met") if c.met else ("missed", "not yet")
            parts.append(
                f"<li class='{css}'><b>{escape(c.name)}</b> <span class='small'>({state})</span>"
                f"{evidence}</li>"
            )
        parts.append("</ul>")
    if a.roadblocks:
        found = "; ".join(
            f"{escape(r.category)} (\u201c{escape(r.span.text)}\u201d)" for r in a.roadblocks
        )
        parts.append(f"<p>Roadblocks: {found}</p>")
    question = f", {a.question_type} question" if a.question_type else ""
    parts.append(
        f"<p class='small'>Response type: {escape(a.behaviour + question)}; reflection depth: "
        f"{escape(a.reflection_depth)}; validation level {a.validation_level}: "
        f"{escape(a.validation_meaning)}</p>"
    )
    return "".join(parts)


def _rater_html(note: RaterNote) -> str:
    level = (
        f"<span class='level l{note.hrq_level}'>Level {note.hrq_level} of 5</span> "
        if note.hrq_level in HRQ_MEANINGS
        else ""
    )
    blocks = (
        f"<div class='small'>Roadblocks noted: {escape(', '.join(note.roadblocks))}</div>"
        if note.roadblocks
        else ""
    )
    comment = f"<div>{escape(note.comment)}</div>" if note.comment.strip() else ""
    return (
        f"<div class='rater'><div class='label'>{escape(note.rater)}, rater</div>"
        f"{level}{blocks}{comment}</div>"
    )


def _evidence_spans(a: Assessment) -> list[Span]:
    spans = [s for c in a.criteria for s in c.evidence]
    spans.extend(s for group in a.evidence.values() for s in group)
    return spans


def _unique(stem: str, used: set[str]) -> str:
    name, number = stem, 1
    while name.casefold() in used:
        number += 1
        name = f"{stem}-{number}"
    used.add(name.casefold())
    return name
