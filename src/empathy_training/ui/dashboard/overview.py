"""The live overview: every vignette of the workshop on one screen, and one vignette in detail."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ...models import Library
from ...workshop import (
    BELOW_FAIR,
    CR_FAIR,
    CR_GOOD,
    FAIR,
    GOOD,
    LEVEL_COLOURS,
    LEVELS,
    RQ_FAIR,
    RQ_GOOD,
    Proficiency,
    RoomSummary,
    level_chart,
)
from ..cards import message
from .state import Room, title_of

_LABEL_CSS = {GOOD: "et-good", FAIR: "et-fair", BELOW_FAIR: "et-below-fair"}
#: Names listed as not having answered before the rest are counted.
WAITING_NAMES = 40


def badge(p: Proficiency) -> str:
    """The measure's label as a coloured badge."""
    css = _LABEL_CSS.get(p.label, "et-no-data")
    return f"<span class='et-badge {css}'>{escape(p.label)}</span>"


def ratio_text(p: Proficiency) -> str:
    """Reflections to questions, e.g. '1.5 : 1 fair'."""
    if p.value is None:
        return f"{badge(p)}"
    if p.value == float("inf"):
        return f"no questions {badge(p)}"
    return f"{p.value:.1f} : 1 {badge(p)}"


def share_text(p: Proficiency) -> str:
    """Complex reflections among reflections, e.g. '45% fair'."""
    if p.value is None:
        return f"{badge(p)}"
    return f"{p.value:.0%} {badge(p)}"


def spread(summary: RoomSummary) -> str:
    """The levels reached, as one bar split by level (no image, no script)."""
    total = sum(summary.level_counts)
    parts = "".join(
        f"<span style='width:{100 * n / total:.1f}%;background:{colour}'></span>"
        for n, colour in zip(summary.level_counts, LEVEL_COLOURS, strict=True)
        if n and total
    )
    counts = ", ".join(
        f"level {level}: {n}" for level, n in zip(LEVELS, summary.level_counts, strict=True) if n
    )
    label = escape(counts or "no answers yet")
    return f"<div class='et-spread' role='img' aria-label='{label}' title='{label}'>{parts}</div>"


def overview_table(room: Room, library: Library) -> str:
    """One row per vignette: answered, levels, mean, MITI measures, top roadblocks."""
    joined = len(room.trainees)
    rows = []
    for s in room.summaries:
        mean = "&ndash;" if s.mean_level is None else f"{s.mean_level:.1f}"
        top = ", ".join(f"{escape(r)} ({n})" for r, n in s.top_roadblocks(2)) or "none"
        rows.append(
            f"<tr><td class='et-title'>{escape(title_of(library, s.vignette_id))}</td>"
            f"<td>{s.answered} of {joined}</td><td>{spread(s)}</td><td>{mean}</td>"
            f"<td class='et-wide'>{ratio_text(s.reflection_to_question)}</td>"
            f"<td class='et-wide'>{share_text(s.complex_share)}</td>"
            f"<td class='et-blocks et-wide'>{top}</td></tr>"
        )
    legend = "".join(
        f"<span style='background:{c}'></span>{level}"
        for level, c in zip(LEVELS, LEVEL_COLOURS, strict=True)
    )
    return (
        "<div class='et-overview'><table class='et-table'><tr><th>Vignette</th>"
        "<th>Answered</th><th>Levels</th><th>Mean level</th>"
        "<th class='et-wide'>Reflections : questions</th>"
        "<th class='et-wide'>Complex reflections</th><th class='et-wide'>Top roadblocks</th>"
        f"</tr>{''.join(rows)}</table><div class='et-small et-legend'>Levels:{legend}"
        f" &middot; MITI: reflections to questions fair {RQ_FAIR:g}:1, good {RQ_GOOD:g}:1; "
        f"complex reflections fair {CR_FAIR:.0%}, good {CR_GOOD:.0%}</div></div>"
    )


def waiting(summary: RoomSummary) -> str:
    """Who has not answered yet, escaped; never 'everyone' before anyone joined."""
    if summary.joined == 0:
        return "nobody has joined yet"
    if summary.everyone_answered:
        return "everyone has answered"
    names = [escape(n) for n in summary.not_answered[:WAITING_NAMES]]
    more = len(summary.not_answered) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def detail_card(summary: RoomSummary, joined: int) -> str:
    """One vignette in words: answered, roadblocks, MITI measures, who is still writing."""
    blocks = ", ".join(f"{escape(r)} ({n})" for r, n in summary.top_roadblocks(5)) or "none so far"
    return (
        "<div class='et-card et-detail'>"
        f"<p><b>Answered:</b> {summary.answered} of {joined}</p>"
        f"<p><b>Most common roadblocks:</b> {blocks}</p>"
        f"<p><b>Reflections to questions:</b> {ratio_text(summary.reflection_to_question)} "
        f"<span class='et-small'>({summary.reflections} reflections, {summary.questions} "
        "questions)</span></p>"
        f"<p><b>Complex reflections:</b> {share_text(summary.complex_share)} "
        f"<span class='et-small'>({summary.complex_reflections} of {summary.reflections} "
        "reflections)</span></p>"
        f"<p><b>Not answered yet:</b> {waiting(summary)}</p></div>"
    )


class LiveOverview:
    """How the room is doing, redrawn as answers arrive."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.status = widgets.HTML()
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.picker = widgets.Dropdown(
            description="Vignette", layout=widgets.Layout(width="100%", max_width="30rem")
        )
        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.detail = widgets.HTML(layout=widgets.Layout(flex="1 1 18rem"))
        self._chart_key: tuple[str, tuple[int, ...]] | None = None
        self.widget = widgets.VBox(
            [
                self.status,
                self.table,
                self.picker,
                widgets.HBox(
                    [self.chart, self.detail],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
                ),
            ],
            layout=widgets.Layout(flex="3 1 40rem", min_width="0"),
        )

    def reset(self, vignette_ids: tuple[str, ...]) -> None:
        """Offer these vignettes for the detail (the caller keeps callbacks quiet)."""
        options = [(title_of(self.library, v), v) for v in vignette_ids]
        if list(self.picker.options) != options:
            current = self.picker.value
            self.picker.options = options
            self.picker.value = (
                current if current in vignette_ids else (options[0][1] if options else None)
            )
        self._chart_key = None

    def draw(self, room: Room) -> None:
        """Redraw the status line, the table and the detail."""
        joined, count = len(room.trainees), len(room.submissions)
        latest = (
            f"; latest at {room.submissions[-1].created_at.astimezone():%H:%M:%S}"
            if room.submissions
            else ""
        )
        ended = " The workshop has ended." if room.workshop.closed else " Updates by itself."
        self.status.value = (
            f"<p class='et-small'>{joined} trainee{'s' if joined != 1 else ''} joined, "
            f"{count} answer{'s' if count != 1 else ''}{latest}.{ended}</p>"
        )
        self.table.value = overview_table(room, self.library)
        self.draw_detail(room)

    def draw_detail(self, room: Room) -> None:
        """Redraw the chosen vignette's chart and card."""
        summary = room.summary(self.picker.value)
        if summary is None:
            self.detail.value = ""
            self.chart.layout.display = "none"
            return
        key = (summary.vignette_id, summary.level_counts)
        if key != self._chart_key:
            self.chart.value = level_chart(summary, title_of(self.library, summary.vignette_id))
            self._chart_key = key
        self.chart.layout.display = None
        self.detail.value = detail_card(summary, len(room.trainees))

    def say_failing(self, exc: Exception | None, seconds: float) -> None:
        """Say that new answers cannot be read (None: that they can be again)."""
        self.status.value = (
            message("Reading answers again.", "ok")
            if exc is None
            else message(
                f"Could not read new answers ({exc}). Still trying every {seconds:g} s.", "error"
            )
        )
