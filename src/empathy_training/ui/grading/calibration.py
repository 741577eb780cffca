"""The calibration tab: the rows raters should discuss, and the agreement between raters."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from ...agreement import MIN_ITEMS_FOR_KAPPA, agreement_table
from ...calibration import AgreementLine, agreement_lines, agreement_ratings, disagreement_rows
from ...grading import cell_text
from ...review import clip
from ..callbacks import guarded
from ..cards import message
from .html import cell, head, plural
from .state import GradingState

#: Characters of a response shown in the list of disagreements.
RESPONSE_CHARS = 140


class CalibrationPanel:
    """Disagreements and agreement, hidden while the rater rates blind; `on_refresh` reads
    other raters' ratings again."""

    def __init__(self, state: GradingState, *, on_refresh: Callable[[], None]) -> None:
        self.state = state
        self.on_refresh = on_refresh
        wide = widgets.Layout(width="auto", max_width="72rem")
        self.refresh_button = widgets.Button(
            description="Refresh ratings", tooltip="Read other raters' ratings"
        )
        self.disagreements = widgets.HTML(layout=wide)
        self.agreement = widgets.HTML(layout=wide)
        self.widget = widgets.VBox(
            [
                self.refresh_button,
                widgets.HTML("<h3>Disagreements</h3>"),
                self.disagreements,
                widgets.HTML("<h3>Agreement</h3>"),
                self.agreement,
            ]
        )
        self.refresh_button.on_click(self._on_refresh)

    def _on_refresh(self, _: Any = None) -> None:
        guarded(lambda: self.disagreements)(self.on_refresh)()

    def draw(self) -> None:
        """Draw the disagreements and the agreement table from the ratings read so far."""
        state = self.state
        if state.blind:
            self.disagreements.value = message(
                "Blind rating is on: disagreements and agreement are hidden until it is off.",
                "hint",
            )
            self.agreement.value = ""
            return
        if state.table.empty:
            self.disagreements.value = message("Nothing loaded yet.", "hint")
            self.agreement.value = ""
            return
        self.disagreements.value = self._disagreements_html()
        ratings = agreement_ratings(state.table, state.ratings)
        if ratings["rater"].nunique() < 2:
            self.agreement.value = message(
                "Agreement needs a human rater's levels: rate some rows first.", "hint"
            )
            return
        lines = agreement_lines(agreement_table(ratings), state.vignette_label)
        self.agreement.value = agreement_html(lines)

    def _disagreements_html(self) -> str:
        rows = disagreement_rows(self.state.table, self.state.ratings)
        if rows.empty:
            return message(
                "No disagreements: no two raters differ by a level or more, and no rater "
                "differs from the automatic level by two or more.",
                "ok",
            )
        responses = self.state.table["response"]
        body = "".join(
            "<tr>"
            + cell(str(int(r["row"])), "Row")
            + cell(escape(str(r["trainee"])), "Trainee")
            + cell(
                escape(clip(cell_text(responses.iloc[int(r["position"])]), RESPONSE_CHARS)),
                "Response",
                "et-resp",
            )
            + cell("" if r["automatic"] is None else str(int(r["automatic"])), "Automatic")
            + cell(escape(str(r["why"])), "Levels")
            + "</tr>"
            for r in rows.to_dict("records")
        )
        header = head(["#", "Trainee", "Response", "Automatic", "Levels"])
        return (
            f"<p>{plural(len(rows), 'row')} to discuss.</p>"
            f"<div class='et-scroll'><table class='et-grades'>{header}{body}</table></div>"
        )


def agreement_html(lines: list[AgreementLine]) -> str:
    """The agreement table: one line per pair of raters, overall and per vignette."""
    body = "".join(
        "<tr>"
        + cell(escape(line.scope), "Scope")
        + cell(f"{escape(line.raters[0])} &amp; {escape(line.raters[1])}", "Raters")
        + cell(f"{line.n:,}", "n")
        + cell(escape(line.exact), "Exact")
        + cell(escape(line.kappa), "Kappa", "et-too-few" if line.too_few else "")
        + cell(escape(line.interval), "95% CI")
        + cell(escape(line.note), "Note", "et-small")
        + "</tr>"
        for line in lines
    )
    header = head(["Scope", "Raters", "n", "Exact", "Kappa", "95% CI", "Note"])
    return (
        "<p class='et-note'>Quadratic-weighted kappa and exact agreement on the "
        "reflective-listening level, with 95% bootstrap intervals (1,000 resamples of the "
        f"rated responses). Kappa needs at least {MIN_ITEMS_FOR_KAPPA} responses rated by both "
        "raters; on fewer, its interval is too wide to tell anything.</p>"
        f"<div class='et-scroll'><table class='et-grades'>{header}{body}</table></div>"
    )
