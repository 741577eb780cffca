"""The downloads tab: the results as CSV and Excel, and a zip of printable feedback reports."""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape
from typing import Any

import ipywidgets as widgets

from ...feedback_reports import ASSESSMENT_COLUMN, all_reports, reports_zip
from ...results import XLSX_MIME, csv_bytes, file_stem, results_table, xlsx_bytes
from ..callbacks import guarded
from ..cards import message
from .html import plural
from .state import GradingState


class Downloads:
    """Prepare downloads: a link for each file, styled as a button; blind, only the rater's own
    ratings are in them."""

    def __init__(self, state: GradingState) -> None:
        self.state = state
        self.downloads_button = widgets.Button(
            description="Prepare downloads",
            layout=widgets.Layout(width="14rem", max_width="100%"),
        )
        self.downloads = widgets.HTML(layout=widgets.Layout(width="auto", max_width="72rem"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<p>Results as CSV or Excel, with each rater's level, roadblocks and "
                    "comment; one printable feedback report per trainee, all in one zip.</p>"
                ),
                self.downloads_button,
                self.downloads,
            ]
        )
        self.downloads_button.on_click(self._on_downloads)

    def _on_downloads(self, _: Any = None) -> None:
        guarded(lambda: self.downloads)(self.prepare)()

    def prepare(self) -> dict[str, bytes]:
        """Build the results (CSV, XLSX) and the reports zip, and show them as download links."""
        state = self.state
        if state.table.empty:
            self.downloads.value = message("Load and score some responses first.", "hint")
            return {}
        results = results_table(
            state.table, state.assessments, state.ratings, state.visible_raters()
        )
        export = results.drop(columns=[ASSESSMENT_COLUMN])
        stem = file_stem(state.batch.name)
        stamp = f"{datetime.now():%Y-%m-%d}"
        reports = all_reports(results, library=state.library)
        files = {
            f"{stem}-results-{stamp}.csv": (
                "results (CSV)",
                csv_bytes(export, bom=True),
                "text/csv",
            ),
            f"{stem}-results-{stamp}.xlsx": ("results (Excel)", xlsx_bytes(export), XLSX_MIME),
            f"{stem}-feedback-reports-{stamp}.zip": (
                "feedback reports (zip)",
                reports_zip(reports),
                "application/zip",
            ),
        }
        links = "".join(
            f"<li><a class='et-download' download='{escape(name)}' "
            f"href='data:{mime};base64,{base64.b64encode(data).decode('ascii')}'>"
            f"Download {what}</a><span class='et-download-size'>{escape(name)} &middot; "
            f"{max(1, round(len(data) / 1024)):,} KB</span></li>"
            for name, (what, data, mime) in files.items()
        )
        own = " (blind: only your own ratings)" if state.blind else ""
        self.downloads.value = (
            f"<ul class='et-downloads'>{links}</ul><p class='et-small'>"
            f"{plural(len(results), 'row')}{escape(own)}; "
            f"{plural(len(reports), 'feedback report')}.</p>"
        )
        return {name: data for name, (_, data, _) in files.items()}
