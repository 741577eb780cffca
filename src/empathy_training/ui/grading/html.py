"""The grading app's styles, and the HTML pieces its components share."""

from __future__ import annotations

from html import escape

from ...calibration import Rating

#: Styles of the grading app only (nothing loaded from elsewhere).
GRADING_STYLE = """
<style>
table.et-grades{border-collapse:collapse;font-size:.9em;width:100%;max-width:72rem}
table.et-grades th{position:sticky;top:0;background:#eef1f6;text-align:left;padding:4px 6px}
table.et-grades td{border-bottom:1px solid #e1e4e8;padding:4px 6px;vertical-align:top}
table.et-grades tr.et-selected td{background:#fff8e1}
table.et-grades .et-resp{min-width:12rem;max-width:34rem;white-space:pre-wrap;
  overflow-wrap:anywhere}
table.et-grades .et-resp mark{background:#fde68a}
table.et-grades .et-resp mark.et-rb{background:#fecaca}
.et-err{color:#a8322d;font-weight:600}
.et-scroll{max-height:32rem;overflow:auto;max-width:72rem}
.et-note{font-size:.88em;color:#4a5261;margin:2px 0 8px 0}
.et-too-few{color:#5c4300;font-style:italic}
ul.et-downloads{list-style:none;padding:0;margin:8px 0;display:flex;flex-direction:column;
  gap:8px;align-items:flex-start}
.widget-html a.et-download,a.et-download{display:inline-block;padding:6px 14px;
  border-radius:4px;background:var(--jp-brand-color1,#1976d2);color:#fff;font-weight:600;
  text-decoration:none;overflow-wrap:anywhere;max-width:100%;box-sizing:border-box;
  line-height:1.4;cursor:pointer}
.widget-html a.et-download:hover,a.et-download:hover{background:#115293;color:#fff;
  text-decoration:underline}
.widget-html a.et-download:focus-visible,a.et-download:focus-visible{outline:3px solid #f9a825;
  outline-offset:2px}
.et-download-size{font-size:.88em;color:#4a5261;margin-left:8px}
</style>
"""


def rating_cell(record: Rating | None) -> str:
    """A rater's level badge and roadblocks, for a table cell or a list."""
    if record is None:
        return ""
    level = (
        f"<span class='et-level et-l{record.hrq_level}'>{record.hrq_level}</span>"
        if record.hrq_level
        else "<span class='et-small'>no level</span>"
    )
    blocks = (
        f" <span class='et-small'>{escape(', '.join(record.roadblocks))}</span>"
        if record.roadblocks
        else ""
    )
    return level + blocks


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 row", "3 rows": the count with thousands separators and the word to match."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
