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
ul.et-downloads li{display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px}
.widget-html a.et-download,a.et-download{display:inline-block;padding:6px 14px;
  border-radius:4px;background:var(--jp-brand-color1,#1976d2);color:#fff;font-weight:600;
  text-decoration:none;overflow-wrap:anywhere;max-width:100%;box-sizing:border-box;
  line-height:1.4;cursor:pointer}
.widget-html a.et-download:hover,a.et-download:hover{background:#115293;color:#fff;
  text-decoration:underline}
.widget-html a.et-download:focus-visible,a.et-download:focus-visible{outline:3px solid #f9a825;
  outline-offset:2px}
.et-download-size{font-size:.88em;color:#4a5261;overflow-wrap:anywhere}
.et-grading .widget-html,.et-grading .widget-html-content{min-width:0;max-width:100%}
.et-grading .widget-html-content :is(p,li,td,th,blockquote,h3,h4,.et-message){line-height:1.45}
.et-grading .widget-dropdown,.et-grading .widget-dropdown>select{min-width:0}
.et-stack.widget-dropdown{flex-direction:column;align-items:stretch;height:auto}
.et-stack.widget-dropdown>select{flex:0 0 auto}
.et-stack.widget-dropdown .widget-label{width:auto;text-align:left;margin-bottom:2px}
@media (max-width:640px){
  table.et-grades,table.et-grades tbody,table.et-grades tr,table.et-grades td{display:block}
  table.et-grades tr.et-head{display:none}
  table.et-grades tr{border-bottom:1px solid #c9ced6;padding:6px 0}
  table.et-grades td{border:0;padding:1px 6px}
  table.et-grades td:empty{display:none}
  table.et-grades td[data-label]::before{content:attr(data-label) ": ";font-weight:600;
    color:#4a5261}
  table.et-grades .et-resp{min-width:0;max-width:none}
  .et-scroll{max-height:none}
  .et-grading .widget-tab>.lm-TabBar .lm-TabBar-tab{flex:1 1 auto;min-width:0;
    padding:0 4px;font-size:12px}
}
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


def head(labels: list[str]) -> str:
    """A table's header row (hidden on a narrow screen, where each cell names itself)."""
    return "<tr class='et-head'>" + "".join(f"<th>{escape(x)}</th>" for x in labels) + "</tr>"


def cell(content: str, label: str, css: str = "") -> str:
    """A table cell holding `content` (HTML), named `label` for a narrow screen."""
    attributes = f" class='{css}'" if css else ""
    return f"<td data-label='{escape(label)}'{attributes}>{content}</td>"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 row", "3 rows": the count with thousands separators and the word to match."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
