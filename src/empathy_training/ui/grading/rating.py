"""The rating panel: one response in full, and the rater's level, roadblocks and comment."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from ...batches import find_vignette
from ...feedback_reports import CommentBank
from ...grading import cell_text
from ...models import ROADBLOCK_IDS
from ...review import BANK_PROMPT, bank_choices
from ...storage import RatingRecord
from ..callbacks import guarded
from ..cards import assessment_card, message
from .html import rating_cell
from .state import GradingState

#: Levels a rater can give (label, value); 0 means no level given yet.
RATER_LEVEL_CHOICES: tuple[tuple[str, int], ...] = (
    ("not set", 0),
    ("1", 1),
    ("2", 2),
    ("3", 3),
    ("4", 4),
    ("5", 5),
)
#: Longest rubric version a rating keeps.
MAX_RUBRIC_VERSION = 50


class RatingPanel:
    """Who rates (and whether blind), the selected row in full, and the rater's controls.

    Input is saved as it is given. `on_saved(levels_changed)` follows each save; `on_rater`
    follows a change of rater, `on_blind` a change of blind mode.
    """

    def __init__(
        self,
        state: GradingState,
        comment_bank: CommentBank,
        *,
        rater_name: str = "",
        blind: bool = False,
        on_saved: Callable[[bool], None],
        on_rater: Callable[[], None],
        on_blind: Callable[[], None],
    ) -> None:
        self.state = state
        self.comment_bank = comment_bank
        self.on_saved = on_saved
        self.on_rater = on_rater
        self.on_blind = on_blind
        self._loading = False  # the panel itself is filling its controls
        self._unsaved = False  # the controls hold input typed before a rater name was given
        label = {"description_width": "initial"}
        self.rater_box = widgets.Text(
            description="Your name (rater)",
            value=rater_name,
            placeholder="e.g. Dr Lee",
            continuous_update=False,
            style=label,
            layout=widgets.Layout(width="auto", flex="1 1 16rem", max_width="22rem"),
        )
        self.blind_box = widgets.Checkbox(
            value=blind, description="Blind: hide other raters' ratings", indent=False
        )
        self.rater_bar = widgets.HBox(
            [self.rater_box, self.blind_box],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.row_card = widgets.HTML(
            layout=widgets.Layout(flex="3 1 30rem", min_width="16rem", max_width="100%")
        )
        self.level_buttons = widgets.ToggleButtons(
            options=RATER_LEVEL_CHOICES,
            value=0,
            description="Your level",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.roadblocks_box = widgets.SelectMultiple(
            options=list(ROADBLOCK_IDS),
            rows=len(ROADBLOCK_IDS),
            description="Roadblocks",
            tooltip="Ctrl-click (Cmd-click on a Mac) to choose several",
            layout=widgets.Layout(width="auto", max_width="20rem"),
        )
        self.bank_picker = widgets.Dropdown(
            description="Comment bank",
            options=[(BANK_PROMPT, "")],
            value="",
            style=label,
            layout=widgets.Layout(width="auto", max_width="32rem"),
        )
        self.comment_box = widgets.Textarea(
            description="Comment",
            placeholder="Your comment to the trainee (saved as you type)",
            continuous_update=True,
            layout=widgets.Layout(width="auto", max_width="32rem", height="7rem"),
        )
        self.bank_picker.add_class("et-stack")
        self.comment_box.add_class("et-stack")
        self.save_button = widgets.Button(description="Save rating")
        self.save_status = widgets.HTML()
        self.others = widgets.HTML()
        controls = widgets.VBox(
            [
                self.level_buttons,
                self.roadblocks_box,
                self.bank_picker,
                self.comment_box,
                widgets.HBox([self.save_button, self.save_status]),
                self.others,
            ],
            layout=widgets.Layout(flex="2 1 24rem", min_width="16rem", max_width="100%"),
        )
        self.widget = widgets.HBox(
            [self.row_card, controls],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        state.rater = self.rater
        state.blind = bool(blind)
        self.rater_box.observe(self._on_rater, names="value")
        self.blind_box.observe(self._on_blind, names="value")
        self.level_buttons.observe(self._on_rating_change, names="value")
        self.roadblocks_box.observe(self._on_rating_change, names="value")
        self.comment_box.observe(self._on_rating_change, names="value")
        self.bank_picker.observe(self._on_bank, names="value")
        self.save_button.on_click(self._on_save)
        self._draw_bank()

    @property
    def rater(self) -> str:
        """The rater's name as typed, spaces trimmed."""
        return " ".join(self.rater_box.value.split())

    # -- callbacks --------------------------------------------------------------------------

    def _on_rater(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.save_status)
        def run() -> None:
            self.state.rater = self.rater
            if self._unsaved and self.rater and self.state.selected is not None:
                self.save()  # what was typed before the name is kept, as this rater's
            self.show()
            self.on_rater()

        run()

    def _on_blind(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.save_status)
        def run() -> None:
            self.state.blind = bool(self.blind_box.value)
            self.show()
            self.on_blind()

        run()

    def _on_rating_change(self, change: dict[str, Any]) -> None:
        if self._loading:
            return

        @guarded(lambda: self.save_status)
        def run() -> None:
            if change["owner"] is not self.comment_box:
                self._draw_bank()  # the bank offers comments for the level and roadblocks
            self.save()

        run()

    def _on_bank(self, change: dict[str, Any]) -> None:
        if self._loading or not change["new"]:
            return

        @guarded(lambda: self.save_status)
        def run() -> None:
            chosen = str(change["new"])
            current = self.comment_box.value.rstrip()
            self.comment_box.value = f"{current} {chosen}".strip() if current else chosen
            self._loading = True
            try:
                self.bank_picker.value = ""
            finally:
                self._loading = False

        run()

    def _on_save(self, _: Any = None) -> None:
        guarded(lambda: self.save_status)(self.save)()

    # -- rating -----------------------------------------------------------------------------

    def save(self) -> RatingRecord | None:
        """Store the panel's level, roadblocks and comment as this rater's rating of the row."""
        state = self.state
        if state.selected is None:
            self.save_status.value = message("Choose a row to rate first.", "hint")
            return None
        attempt_id = state.attempt_id(state.selected)
        if attempt_id is None:
            self.save_status.value = message(
                "This row could not be scored, so it cannot be rated.", "hint"
            )
            return None
        rater = self.rater
        if not rater:
            self._unsaved = self._holds_input()
            self.save_status.value = message(
                "Type your name as rater (above) to save: what you entered is kept until then.",
                "hint",
            )
            return None
        assessment = state.assessments[state.selected]
        rubric = assessment.rubric if assessment else ""
        version = assessment.scorer_version if assessment else ""
        record = state.store.rate(
            attempt_id,
            rater=rater,
            hrq_level=int(self.level_buttons.value or 0) or None,
            roadblocks=list(self.roadblocks_box.value),
            comment=self.comment_box.value,
            rubric_version=f"{rubric} {version}".strip()[:MAX_RUBRIC_VERSION],
        )
        given = state.ratings.setdefault(attempt_id, {})
        before = given.get(rater)
        given[rater] = record
        self._unsaved = False
        self.save_status.value = message(
            f"Saved as {rater} at {record.updated_at.astimezone():%H:%M:%S}.", "ok"
        )
        # The table shows levels and roadblocks, not comments.
        self.on_saved(
            before is None
            or (before.hrq_level, before.roadblocks) != (record.hrq_level, record.roadblocks)
        )
        return record

    def show(self) -> None:
        """Show the selected row, and this rater's rating of it, in the panel."""
        state = self.state
        if state.selected is None:
            self._fill(None)
            self.row_card.value = (
                message("Choose a row to rate (Rate row, or Next unrated).", "hint")
                if not state.table.empty
                else ""
            )
            self.others.value = ""
            return
        position = state.selected
        self.row_card.value = self._card(position)
        attempt_id = state.attempt_id(position)
        given = state.given(position)
        if not self._unsaved:  # never overwrite what was typed before a rater name was given
            self._fill(given.get(self.rater))
        disabled = attempt_id is None or (not self.rater and not self._unsaved)
        if attempt_id is not None and not self.rater:
            self.save_status.value = message(
                "Type your name as rater (above) to start rating this row.", "hint"
            )
        for control in (self.level_buttons, self.roadblocks_box, self.comment_box):
            control.disabled = disabled
        self.bank_picker.disabled = disabled
        self.save_button.disabled = disabled
        self.others.value = self._others_html(given)

    # -- internals --------------------------------------------------------------------------

    def _card(self, position: int) -> str:
        row = self.state.table.iloc[position]
        assessment = self.state.assessments[position]
        statement = cell_text(row.get("client_statement"))
        vignette = find_vignette(self.state.library, row.get("vignette_id"))
        if vignette is not None and not statement:
            statement = vignette.statement
        title = f"Row {int(row['_row'])} &middot; {escape(cell_text(row['_trainee']))}"
        if vignette is not None:
            title += f" &middot; {escape(vignette.title)}"
        quote = (
            f"<blockquote class='et-quote'>&ldquo;{escape(statement)}&rdquo;</blockquote>"
            if statement
            else ""
        )
        if assessment is not None:
            body = assessment_card(assessment, whose="The trainee's response")
        else:
            body = message(
                f"Not scored: {cell_text(row['error']) or 'no assessment'}. Response: "
                f"{cell_text(row['response'])}",
                "error",
            )
        return f"<h4>{title}</h4>{quote}{body}"

    def _others_html(self, given: dict[str, RatingRecord]) -> str:
        others = [rec for r, rec in given.items() if r != self.rater]
        if not others:
            return ""
        if self.state.blind:
            return message("Blind rating: other raters' ratings are hidden.", "hint")
        items = "".join(
            f"<li><b>{escape(rec.rater)}</b>: {rating_cell(rec)}"
            + (f" &mdash; {escape(rec.comment)}" if rec.comment.strip() else "")
            + "</li>"
            for rec in sorted(others, key=lambda r: r.rater.casefold())
        )
        return f"<div class='et-small'>Other raters:</div><ul>{items}</ul>"

    def _fill(self, record: RatingRecord | None) -> None:
        self._loading = True
        try:
            self.level_buttons.value = (record.hrq_level or 0) if record else 0
            self.roadblocks_box.value = tuple(record.roadblocks) if record else ()
            self.comment_box.value = record.comment if record else ""
            self.bank_picker.value = ""
        finally:
            self._loading = False
        self._draw_bank()
        self.save_status.value = (
            f"<span class='et-small'>Your rating was saved "
            f"{record.updated_at.astimezone():%Y-%m-%d %H:%M}.</span>"
            if record
            else ""
        )

    def _draw_bank(self) -> None:
        choices = bank_choices(
            self.comment_bank, int(self.level_buttons.value or 0), self.roadblocks_box.value
        )
        self._loading = True
        try:
            self.bank_picker.options = choices
            self.bank_picker.value = ""
        finally:
            self._loading = False

    def _holds_input(self) -> bool:
        return bool(
            int(self.level_buttons.value or 0)
            or self.roadblocks_box.value
            or self.comment_box.value.strip()
        )
