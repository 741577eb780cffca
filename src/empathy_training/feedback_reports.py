"""Printable feedback reports for trainees: one self-contained HTML page each, and a zip."""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .models import HRQ_MEANINGS, ROADBLOCK_IDS, Assessment, Library, Span
from .ui.cards import highlighted

#: Title at the top of every report.
REPORT_TITLE = "Feedback on your responses"
#: Columns that name the trainee in a table of responses, tried in this order (any case).
TRAINEE_COLUMNS = ("trainee", "name", "student")
#: What a rater's columns look like in an exported table: "Ana (level)", "Ana (comment)".
RATER_FIELDS = ("level", "roadblocks", "comment")
#: Column holding the full assessment (an Assessment, its dict, or that dict as JSON).
ASSESSMENT_COLUMN = "assessment"
#: Longest file name stem for a report, before ".html".
MAX_FILE_STEM = 80
#: Next steps listed per response, most important first.
MAX_NEXT_STEPS = 3
#: The comment bank shipped with the package.
COMMENT_BANK_FILE = "comment-bank.yml"

_RATER_COLUMN = re.compile(r"^(?P<rater>.+) \((?P<field>level|roadblocks|comment)\)$")

Scorer = Callable[..., Assessment]


@dataclass(frozen=True)
class RaterNote:
    """What one human rater said about a response."""

    rater: str
    """The rater's name."""
    hrq_level: int | None
    """Their reflective-listening level, 1 to 5, or None if they gave none."""
    roadblocks: tuple[str, ...] = ()
    """Roadblock ids they saw."""
    comment: str = ""
    """Their comment to the trainee."""


@dataclass(frozen=True)
class ReportItem:
    """One response in a trainee's report, with everything said about it."""

    response: str
    """The trainee's words."""
    assessment: Assessment | None = None
    """The automatic assessment, with its evidence; None if the row was not scored."""
    client_statement: str = ""
    """What the client said."""
    vignette_title: str = ""
    """Title of the vignette, when the response answered one."""
    ratings: tuple[RaterNote, ...] = ()
    """Human raters' levels and comments."""
    error: str = ""
    """Why the response could not be scored, if it could not."""
    level: int | None = None
    """The automatic level when only the table's columns are known (no assessment)."""
    roadblocks: tuple[str, ...] = ()
    """The automatic roadblock ids when only the table's columns are known."""
    feedback: str = ""
    """The automatic feedback when only the table's columns are known."""

    @property
    def automatic_level(self) -> int | None:
        """The automatic reflective-listening level, if there is one."""
        return self.assessment.hrq_level if self.assessment else self.level

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to practise next, most important first, at most MAX_NEXT_STEPS.

        The missed criteria's feedback (criteria come in priority order), then one alternative
        per kind of roadblock that the criteria's feedback does not already give.
        """
        if self.assessment is None:
            return (self.feedback,) if self.feedback else ()
        steps = [c.feedback for c in self.assessment.criteria if not c.met and c.feedback]
        seen: set[str] = set()
        for finding in self.assessment.roadblocks:
            alternative = finding.alternative
            if not alternative or finding.category in seen:
                continue
            seen.add(finding.category)
            if not any(alternative in step for step in steps):
                steps.append(
                    f"Instead of {finding.category} (\u201c{finding.span.text}\u201d): "
                    f"{alternative}"
                )
        if not steps and self.assessment.feedback:
            steps.append(self.assessment.feedback)
        return tuple(dict.fromkeys(steps))[:MAX_NEXT_STEPS]


@dataclass(frozen=True)
class CommentBank:
    """Comments a rater can pick, by level, and a sentence per roadblock."""

    by_level: Mapping[int, tuple[str, ...]]
    """Comments for each reflective-listening level, 1 to 5."""
    by_roadblock: Mapping[str, str]
    """A sentence for each roadblock id."""

    def for_level(self, level: int | None) -> tuple[str, ...]:
        """The comments for this level (none for None)."""
        return self.by_level.get(level, ()) if level is not None else ()


def load_comment_bank(text: str | None = None) -> CommentBank:
    """The comment bank from YAML text, or the one shipped with the package.

    Raises ValueError naming what is wrong when the text does not describe a comment bank.
    """
    if text is None:
        text = (
            resources.files("empathy_training")
            .joinpath("rubrics", COMMENT_BANK_FILE)
            .read_text(encoding="utf-8")
        )
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
        raise ValueError("A comment bank needs a 'levels' mapping from level to comments.")
    by_level: dict[int, tuple[str, ...]] = {}
    for key, comments in data["levels"].items():
        if key not in HRQ_MEANINGS:
            raise ValueError(f"Comment bank: level {key!r} is not one of 1 to 5.")
        if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
            raise ValueError(f"Comment bank: level {key} needs a list of comments.")
        by_level[int(key)] = tuple(" ".join(c.split()) for c in comments)
    roadblocks = data.get("roadblocks") or {}
    if not isinstance(roadblocks, dict):
        raise ValueError("Comment bank: 'roadblocks' must map roadblock ids to a sentence.")
    unknown = [k for k in roadblocks if k not in ROADBLOCK_IDS]
    if unknown:
        raise ValueError(f"Comment bank: unknown roadblock ids {', '.join(map(str, unknown))}.")
    return CommentBank(
        by_level=by_level,
        by_roadblock={str(k): " ".join(str(v).split()) for k, v in roadblocks.items()},
    )


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


# --- from a table of graded responses ------------------------------------------------------


def trainee_column(table: pd.DataFrame) -> str | None:
    """The column naming trainees (TRAINEE_COLUMNS, any case), or None."""
    by_lower = {str(c).strip().lower(): str(c) for c in table.columns}
    for candidate in TRAINEE_COLUMNS:
        if candidate in by_lower:
            return by_lower[candidate]
    return None


def trainee_names(table: pd.DataFrame) -> list[str]:
    """The trainee of each row: the trainee column's value, or "row N" (1-based) without one."""
    column = trainee_column(table)
    names: list[str] = []
    for number, value in enumerate(table[column] if column else [None] * len(table), start=1):
        text = "" if _missing(value) else " ".join(str(value).split())
        names.append(text or f"row {number}")
    return names


def rater_column(rater: str, field: str) -> str:
    """The exported column for one rater's level, roadblocks or comment: 'Ana (level)'."""
    if field not in RATER_FIELDS:
        raise ValueError(f"A rater field is one of {', '.join(RATER_FIELDS)}, not {field!r}.")
    return f"{rater} ({field})"


def raters_in(table: pd.DataFrame) -> list[str]:
    """Raters with columns in the table, in column order."""
    found: dict[str, None] = {}
    for column in table.columns:
        match = _RATER_COLUMN.match(str(column))
        if match:
            found[match["rater"]] = None
    return list(found)


def with_rater_columns(
    table: pd.DataFrame, notes: Sequence[Mapping[str, RaterNote]]
) -> pd.DataFrame:
    """The table with three columns per rater; `notes[i]` holds row i's notes by rater."""
    if len(notes) != len(table):
        raise ValueError(f"{len(notes)} sets of ratings for {len(table)} rows.")
    raters = sorted({r for row in notes for r in row}, key=str.casefold)
    extra: dict[str, Any] = {}
    for rater in raters:
        levels: list[Any] = []
        blocks: list[str] = []
        comments: list[str] = []
        for row in notes:
            note = row.get(rater)
            levels.append(note.hrq_level if note and note.hrq_level is not None else pd.NA)
            blocks.append(";".join(note.roadblocks) if note else "")
            comments.append(note.comment if note else "")
        extra[rater_column(rater, "level")] = pd.array(levels, dtype="Int64")
        extra[rater_column(rater, "roadblocks")] = blocks
        extra[rater_column(rater, "comment")] = comments
    return table.assign(**extra) if extra else table.copy()


def report_items(
    graded: pd.DataFrame, *, library: Library | None = None, score: Scorer | None = None
) -> dict[str, list[ReportItem]]:
    """Group a graded table's rows into report items by trainee, in table order.

    The assessment comes from an `assessment` column when there is one; otherwise, when
    `score` is given, each row is scored again to recover the evidence (the scorer is
    deterministic); otherwise the report shows the table's level, roadblocks and feedback.
    Raters' columns ('Ana (level)', ...) become rater notes.
    """
    raters = raters_in(graded)
    by_trainee: dict[str, list[ReportItem]] = {}
    records = graded.to_dict("records")
    for name, record in zip(trainee_names(graded), records, strict=True):
        fields = {str(k): v for k, v in record.items()}
        by_trainee.setdefault(name, []).append(
            _item_from_record(fields, raters, library=library, score=score)
        )
    return by_trainee


def write_reports(
    graded: pd.DataFrame,
    out_dir: Path,
    *,
    library: Library | None = None,
    score: Scorer | None = None,
    title: str = REPORT_TITLE,
) -> list[Path]:
    """Write one `<trainee>.html` per trainee into `out_dir` (created if needed); the paths.

    Rows are grouped by the trainee column (TRAINEE_COLUMNS), else each row is "row N".
    See `report_items` for where the evidence comes from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    paths: list[Path] = []
    for trainee, items in report_items(graded, library=library, score=score).items():
        path = out_dir / f"{_unique(safe_file_name(trainee), used)}.html"
        path.write_text(trainee_report_html(trainee, items, title=title), encoding="utf-8")
        paths.append(path)
    return paths


def all_reports(
    graded: pd.DataFrame,
    *,
    library: Library | None = None,
    score: Scorer | None = None,
    title: str = REPORT_TITLE,
) -> dict[str, str]:
    """Every trainee's report page, by trainee name (see `report_items`)."""
    return {
        trainee: trainee_report_html(trainee, items, title=title)
        for trainee, items in report_items(graded, library=library, score=score).items()
    }


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


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _int(value: Any) -> int | None:
    if _missing(value) or str(value).strip() == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(p.strip() for p in _text(value).split(";") if p.strip())


def _assessment_of(value: Any) -> Assessment | None:
    if isinstance(value, Assessment):
        return value
    if isinstance(value, dict):
        return Assessment.from_dict(value)
    if isinstance(value, str) and value.strip().startswith("{"):
        return Assessment.from_dict(json.loads(value))
    return None


def _item_from_record(
    record: Mapping[str, Any],
    raters: Iterable[str],
    *,
    library: Library | None,
    score: Scorer | None,
) -> ReportItem:
    response = _text(record.get("response"))
    statement = _text(record.get("client_statement"))
    vignette_id = _text(record.get("vignette_id")).strip()
    title = ""
    vignette = None
    if vignette_id and library is not None:
        try:
            vignette = library.vignette(vignette_id)
        except KeyError:
            vignette = None
        else:
            title = vignette.title
            statement = statement or vignette.statement
    error = _text(record.get("error")).strip()
    assessment = _assessment_of(record.get(ASSESSMENT_COLUMN))
    if assessment is None and score is not None and not error and response.strip():
        try:
            assessment = score(response, client_statement=statement or None, vignette=vignette)
        except Exception as exc:  # a row the scorer refuses still gets a report
            error = str(exc)
    notes = tuple(
        RaterNote(
            rater=rater,
            hrq_level=_int(record.get(rater_column(rater, "level"))),
            roadblocks=_ids(record.get(rater_column(rater, "roadblocks"))),
            comment=_text(record.get(rater_column(rater, "comment"))),
        )
        for rater in raters
    )
    notes = tuple(n for n in notes if n.hrq_level is not None or n.roadblocks or n.comment)
    return ReportItem(
        response=response,
        assessment=assessment,
        client_statement=statement,
        vignette_title=title,
        ratings=notes,
        error=error,
        level=None if assessment else _int(record.get("hrq_level")),
        roadblocks=() if assessment else _ids(record.get("roadblocks")),
        feedback="" if assessment else _text(record.get("feedback")),
    )
