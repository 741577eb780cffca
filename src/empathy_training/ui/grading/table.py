"""The review table: every loaded row with its scores, filtered, sorted and paged."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ...grading import cell_text
from ...models import ROADBLOCK_IDS
from ...review import (
    NO_ROADBLOCK,
    PAGE_SIZE,
    ROW_CHOICES,
    SORTS,
    ReviewFilter,
    client_label,
    clip,
    filtered_sorted,
    int_or_none,
    next_unrated,
    page_count,
    page_rows,
    row_label,
)
from ..callbacks import guarded
from ..cards import highlighted, message
from .html import cell, head, rating_cell
from .state import GradingState

#: Characters of a response shown in the review table (the rating panel shows all of it).
TABLE_RESPONSE_CHARS = 400
_WRAP = widgets.Layout(flex_flow="row wrap", align_items="center")


class ReviewTable:
    """Filters, pages of rows, and the row picker; `on_select` opens a row for rating."""

    def __init__(self, state: GradingState, *, on_select: Callable[[int], None]) -> None:
        self.state = state
        self.on_select = on_select
        self.view: list[int] = []
        """Positions of the rows the filters keep, in the chosen order."""
        self.page = 0
        """The page shown, from 0."""
        self._loading = False  # the table itself is changing its controls
        self.sort_picker = widgets.Dropdown(description="Sort", options=SORTS, value="row")
        self.level_filter = widgets.Dropdown(
            description="Level", options=[("any", 0)] + [(str(i), i) for i in range(1, 6)]
        )
        self.vignette_filter = widgets.Dropdown(description="Vignette", options=[("any", "")])
        self.roadblock_filter = widgets.Dropdown(
            description="Roadblock",
            options=[("any", ""), ("none", NO_ROADBLOCK)] + [(r, r) for r in ROADBLOCK_IDS],
        )
        self.error_filter = widgets.Dropdown(description="Rows", options=ROW_CHOICES)
        pager = widgets.Layout(width="auto", min_width="6rem")
        self.prev_button = widgets.Button(description="◀ Previous", disabled=True, layout=pager)
        self.next_button = widgets.Button(description="Next ▶", disabled=True, layout=pager)
        self.page_label = widgets.HTML()
        self.table_html = widgets.HTML(layout=widgets.Layout(width="auto", max_width="72rem"))
        self.row_picker = widgets.Dropdown(
            description="Rate row",
            options=[],
            value=None,
            layout=widgets.Layout(width="auto", flex="1 1 18rem", max_width="34rem"),
        )
        self.next_unrated_button = widgets.Button(
            description="Next unrated", tooltip="The next row in this view you have not rated"
        )
        self.notice = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [
                        self.sort_picker,
                        self.level_filter,
                        self.vignette_filter,
                        self.roadblock_filter,
                        self.error_filter,
                    ],
                    layout=_WRAP,
                ),
                widgets.HBox([self.prev_button, self.next_button, self.page_label], layout=_WRAP),
                self.table_html,
                widgets.HBox([self.row_picker, self.next_unrated_button], layout=_WRAP),
                self.notice,
            ]
        )
        for control in (
            self.sort_picker,
            self.level_filter,
            self.vignette_filter,
            self.roadblock_filter,
            self.error_filter,
        ):
            control.observe(self._on_view_change, names="value")
        self.prev_button.on_click(self._on_prev)
        self.next_button.on_click(self._on_next)
        self.row_picker.observe(self._on_pick_row, names="value")
        self.next_unrated_button.on_click(self._on_next_unrated)

    # -- callbacks --------------------------------------------------------------------------

    def _on_view_change(self, _: dict[str, Any]) -> None:
        if self._loading:
            return

        @guarded(lambda: self.notice)
        def run() -> None:
            self.page = 0
            self.refresh()

        run()

    def _on_prev(self, _: Any = None) -> None:
        guarded(lambda: self.notice)(lambda: self.show_page(self.page - 1))()

    def _on_next(self, _: Any = None) -> None:
        guarded(lambda: self.notice)(lambda: self.show_page(self.page + 1))()

    def _on_pick_row(self, change: dict[str, Any]) -> None:
        if self._loading or change["new"] is None or change["new"] == self.state.selected:
            return
        guarded(lambda: self.notice)(lambda: self.on_select(int(change["new"])))()

    def _on_next_unrated(self, _: Any = None) -> None:
        guarded(lambda: self.notice)(self.select_next_unrated)()

    # -- the view ---------------------------------------------------------------------------

    @property
    def filter(self) -> ReviewFilter:
        """The filters and sort order as chosen."""
        return ReviewFilter(
            level=int(self.level_filter.value or 0),
            vignette_id=str(self.vignette_filter.value or ""),
            roadblock=str(self.roadblock_filter.value or ""),
            rows=str(self.error_filter.value or ""),
            sort=str(self.sort_picker.value),
        )

    def reset(self) -> None:
        """Clear the filters for a newly opened batch and offer its vignettes; then show it."""
        self._loading = True
        try:
            self.level_filter.value = 0
            self.roadblock_filter.value = ""
            self.error_filter.value = ""
            vignettes = sorted(set(self.state.table.get("_vignette", [])))
            self.vignette_filter.options = [("any", "")] + [
                (self.state.vignette_label(v), v) for v in vignettes
            ]
            self.vignette_filter.value = ""
        finally:
            self._loading = False
        self.notice.value = ""
        self.page = 0
        self.refresh()

    def refresh(self) -> None:
        """Filter and sort the rows, then show the current page."""
        state = self.state
        self.view = filtered_sorted(state.table, self.filter, state.ratings, state.rater)
        self.show_page(self.page)

    def show_page(self, page: int) -> None:
        """Show one page (from 0) of the current view."""
        pages = page_count(len(self.view))
        self.page = min(max(0, page), pages - 1)
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1
        self.page_label.value = (
            f"<span class='et-small'>&nbsp;page {self.page + 1} of {pages} &middot; "
            f"{len(self.view):,} of {len(self.state.table):,} rows&nbsp;</span>"
        )
        self._set_picker(page_rows(self.view, self.page))
        self.draw()

    def show_selected(self) -> None:
        """Mark the selected row in the table and the row picker."""
        selected = self.state.selected
        if selected is not None and self.row_picker.value != selected:
            rows = [v for _, v in self.row_picker.options]
            self._set_picker(rows if selected in rows else [selected, *rows])
        self.draw()

    def select_next_unrated(self) -> None:
        """Open the next row of the view, after the selected one, that this rater left unrated."""
        state = self.state
        position = next_unrated(state.table, self.view, state.selected, state.ratings, state.rater)
        if position is None:
            self.notice.value = message("Every row in this view has your rating.", "ok")
            return
        self.notice.value = ""
        self.page = self.view.index(position) // PAGE_SIZE
        self.show_page(self.page)
        self.on_select(position)

    def draw(self) -> None:
        """Draw the current page of the table."""
        state = self.state
        if state.table.empty:
            self.table_html.value = message("Nothing loaded yet.", "hint")
            return
        raters = state.visible_raters()
        columns = [
            "#",
            "Trainee",
            "Vignette or client",
            "Response (evidence marked, roadblocks in red)",
            "Level",
            "Roadblocks",
            "Sure",
        ]
        header = head(columns + raters)
        body = [self._row_html(position, raters) for position in page_rows(self.view, self.page)]
        if not body:
            self.table_html.value = message("No rows match these filters.", "hint")
            return
        self.table_html.value = (
            f"<div class='et-scroll'><table class='et-grades'>{header}{''.join(body)}</table></div>"
        )

    # -- internals --------------------------------------------------------------------------

    def _set_picker(self, rows: list[int]) -> None:
        selected = self.state.selected
        if selected is not None and selected not in rows:
            rows = [selected, *rows]
        self._loading = True
        try:
            self.row_picker.options = [(row_label(self.state.table, i), i) for i in rows]
            self.row_picker.value = selected
        finally:
            self._loading = False

    def _row_html(self, position: int, raters: list[str]) -> str:
        row = self.state.table.iloc[position]
        given = self.state.given(position)
        css = " class='et-selected'" if position == self.state.selected else ""
        error = cell_text(row["error"]).strip()
        level = int_or_none(row["hrq_level"])
        if error:
            response = (
                f"{escape(clip(cell_text(row['response']), TABLE_RESPONSE_CHARS))}"
                f"<div class='et-err'>Not scored: {escape(error)}</div>"
            )
            level_html = ""
        else:
            response = self._response_html(position)
            level_html = f"<span class='et-level et-l{level}'>{level}</span>" if level else ""
        confidence = pd.to_numeric(row["confidence"], errors="coerce")
        sure = f"{confidence:.0%}" if pd.notna(confidence) else ""
        cells = [
            cell(str(int(row["_row"])), "Row"),
            cell(escape(cell_text(row["_trainee"])), "Trainee"),
            cell(escape(client_label(row, self.state.library)), "Responds to"),
            cell(response, "Response", "et-resp"),
            cell(level_html, "Level"),
            cell(escape(cell_text(row["roadblocks"]).replace(";", ", ")), "Roadblocks"),
            cell(sure, "Sure"),
            *(cell(rating_cell(given.get(r)), r) for r in raters),
        ]
        return f"<tr{css}>{''.join(cells)}</tr>"

    def _response_html(self, position: int) -> str:
        assessment = self.state.assessments[position]
        text = cell_text(self.state.table.iloc[position]["response"])
        if assessment is None:
            return escape(clip(text, TABLE_RESPONSE_CHARS))
        evidence = [s for c in assessment.criteria for s in c.evidence]
        clipped = assessment.response[:TABLE_RESPONSE_CHARS]
        marked = highlighted(
            clipped,
            [s for s in evidence if s.end <= len(clipped)],
            [r.span for r in assessment.roadblocks if r.span.end <= len(clipped)],
        )
        return marked + ("…" if len(assessment.response) > TABLE_RESPONSE_CHARS else "")
