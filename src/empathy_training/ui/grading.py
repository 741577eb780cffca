"""The grader's app: score a test's responses, rate them, agreement, feedback reports, pre/post."""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import grading
from ..agreement import AUTOMATIC, agreement_table
from ..errors import InputError, TooManyRowsError
from ..feedback_reports import (
    ASSESSMENT_COLUMN,
    RaterNote,
    all_reports,
    load_comment_bank,
    reports_zip,
    trainee_column,
    trainee_names,
    with_rater_columns,
)
from ..loading import load_library
from ..models import ROADBLOCK_IDS, Assessment, Library
from ..prepost import PrePostResult, prepost, prepost_chart
from ..results import XLSX_MIME, csv_bytes, xlsx_bytes
from ..scoring import RUBRIC_NAMES
from ..storage import (
    MAX_NAME_LENGTH,
    NewAttempt,
    RatingRecord,
    Store,
    WorkshopRecord,
    default_database_url,
)
from ..tables import workbook_notes
from .callbacks import guarded
from .cards import STYLE, assessment_card, highlighted, message
from .gate import PasscodeGate

#: Uploaded rows stored per transaction (the progress bar moves once per chunk).
STORE_CHUNK = 500
#: Most responses one upload may hold; larger files: split them, or use `empathy-training grade`.
MAX_UPLOAD_ROWS = 20_000
#: Largest upload accepted, in bytes. The server's websocket message limit must be larger
#: (Tornado's default, 10 MiB, drops a bigger upload before the app sees it).
MAX_UPLOAD_BYTES = 30_000_000
#: Rows shown per page of the review table.
PAGE_SIZE = 50
#: Vignette id stored for a response scored against a client statement only.
NO_VIGNETTE = "(client statement)"
#: Characters of a client statement shown in the table where a row has no vignette.
CLIENT_LABEL_CHARS = 40
#: Prefix of the workshop an upload is stored under.
UPLOAD_PREFIX = "Graded upload: "
#: Setting holding an upload's own rows (client statements, other columns, unscored rows).
BATCH_SETTING = "grading-batch:{workshop_id}"
#: Characters of a response shown in the review table (the rating panel shows all of it).
TABLE_RESPONSE_CHARS = 400
#: Levels a rater can give (label, value); 0 means no level given yet.
RATER_LEVEL_CHOICES: tuple[tuple[str, int], ...] = (
    ("not set", 0),
    ("1", 1),
    ("2", 2),
    ("3", 3),
    ("4", 4),
    ("5", 5),
)
#: Sort orders of the review table: label, key.
SORTS: tuple[tuple[str, str], ...] = (
    ("File order", "row"),
    ("Automatic level, lowest first", "level"),
    ("Automatic level, highest first", "-level"),
    ("Least sure scores first", "confidence"),
    ("Not yet rated by me first", "unrated"),
    ("Trainee", "trainee"),
    ("Vignette", "vignette"),
)
#: Columns the app adds to a loaded table for its own use.
_INTERNAL = ("_row", "_trainee", "_attempt", "_vignette")
#: Styles of the grading app only (nothing loaded from elsewhere).
GRADING_STYLE = """
<style>
table.et-grades{border-collapse:collapse;font-size:.9em;width:100%;max-width:72rem}
table.et-grades th{position:sticky;top:0;background:#eef1f6;text-align:left;padding:4px 6px}
table.et-grades td{border-bottom:1px solid #e1e4e8;padding:4px 6px;vertical-align:top}
table.et-grades tr.et-selected td{background:#fff8e1}
table.et-grades .et-resp{max-width:34rem;white-space:pre-wrap;overflow-wrap:anywhere}
table.et-grades .et-resp mark{background:#fde68a}
table.et-grades .et-resp mark.et-rb{background:#fecaca}
.et-err{color:#a8322d;font-weight:600}
.et-scroll{max-height:32rem;overflow-y:auto;max-width:72rem}
</style>
"""


@dataclass(frozen=True)
class Batch:
    """Responses loaded for grading: a graded table and, row by row, what goes with it."""

    name: str
    """The uploaded file's name, or the workshop's."""
    graded: pd.DataFrame = field(repr=False, hash=False, compare=False)
    """The rows: their own columns, the contract columns and `error`."""
    assessments: tuple[Assessment | None, ...] = ()
    """Each row's assessment; None where the row could not be scored."""
    attempt_ids: tuple[int | None, ...] = ()
    """Each row's attempt in the store; None where it could not be scored."""
    trainees: tuple[str, ...] = ()
    """Who wrote each row."""
    workshop_id: int | None = None
    """The workshop the rows are stored under."""
    uploaded: bool = True
    """From an uploaded file (one row per answer) rather than a workshop (retries included)."""


def batch_trainees(table: pd.DataFrame) -> list[str]:
    """Each row's trainee as stored: the trainee column or "row N", cut to the longest name."""
    return [name[:MAX_NAME_LENGTH].strip() for name in trainee_names(table)]


class GradingApp:
    """The grader's app; nothing but the passcode gate exists until it is unlocked.

    Build with a store and the vignette library. Uploads are scored with `grading.grade`;
    `score` (the scorer `grade` uses) then rebuilds each scored row's assessment, for its
    evidence and for the store. `rater_name` fills the rater box; `blind` starts in blind mode
    (other raters' ratings hidden). An upload is stored as the attempts of a closed workshop
    named after the file, so that every rating has an attempt, survives a closed page, and a
    second rater can open the same responses.
    """

    def __init__(
        self,
        store: Store,
        library: Library,
        *,
        rater_name: str = "",
        blind: bool = False,
    ) -> None:
        self.store = store
        self.library = library
        self.comment_bank = load_comment_bank()
        self.batch = Batch(name="", graded=pd.DataFrame())
        self.table = pd.DataFrame()
        self.assessments: list[Assessment | None] = []
        self.ratings: dict[int, dict[str, RatingRecord]] = {}
        self.selected: int | None = None
        self.page = 0
        self.view: list[int] = []
        self.last_prepost: PrePostResult | None = None
        self._pending: tuple[str, pd.DataFrame] | None = None
        self._loading = False
        self._unsaved = False  # the panel holds input typed before a rater name was given
        self._initial_rater = rater_name
        self._initial_blind = blind

        self.passcode_gate = PasscodeGate(
            store,
            app="Grading",
            shows="Grading shows trainees' names and answers.",
            unlocked_message=(
                "Unlocked. Upload a CSV or Excel file of responses, or open a workshop."
            ),
            on_unlock=self._build,
        )
        self.status = self.passcode_gate.status
        self.passcode_box = self.passcode_gate.passcode_box
        self.unlock_button = self.passcode_gate.unlock_button
        self.gate = self.passcode_gate.widget
        self.main = widgets.VBox([])  # built by _build() once the passcode checks
        self.widget = widgets.VBox(
            [widgets.HTML(STYLE + GRADING_STYLE), self.status, self.gate, self.main]
        )

    @property
    def unlocked(self) -> bool:
        """Whether the passcode has been given."""
        return self.passcode_gate.unlocked

    def unlock(self, passcode: str) -> bool:
        """Open the app if `passcode` is the supervisor passcode."""
        return self.passcode_gate.unlock(passcode)

    # -- building the unlocked app ----------------------------------------------------------

    def _build(self) -> None:
        label = {"description_width": "initial"}
        wide = widgets.Layout(width="100%", max_width="72rem")
        # loading
        self.upload = widgets.FileUpload(
            accept=".csv,.xlsx,.xlsm", multiple=False, description="Upload CSV or XLSX"
        )
        self.upload.layout.width = "auto"
        self.rubric_picker = widgets.Dropdown(
            description="Rubric", options=list(RUBRIC_NAMES), value="reflection"
        )
        self.score_button = widgets.Button(
            description="Score all", button_style="primary", disabled=True, icon="play"
        )
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, description="", layout=widgets.Layout(width="30rem")
        )
        self.progress_label = widgets.HTML()
        self.workshop_picker = widgets.Dropdown(
            description="Or open", options=[], value=None, layout=widgets.Layout(width="34rem")
        )
        self.open_button = widgets.Button(description="Open", icon="folder-open")
        self.load_message = widgets.HTML()
        self.loader = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Responses to grade</h3><p class='et-small'>A file needs a "
                    "<code>response</code> column and either <code>client_statement</code> or "
                    "<code>vignette_id</code>; a <code>trainee</code>, <code>name</code> or "
                    "<code>student</code> column names who wrote it. Other columns are kept. "
                    f"Up to {MAX_UPLOAD_ROWS:,} responses and {MAX_UPLOAD_BYTES // 10**6} MB "
                    "per file.</p>"
                ),
                widgets.HBox(
                    [self.upload, self.rubric_picker, self.score_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox([self.progress, self.progress_label]),
                widgets.HBox([self.workshop_picker, self.open_button]),
                self.load_message,
            ]
        )
        # review table
        self.sort_picker = widgets.Dropdown(description="Sort", options=SORTS, value="row")
        self.level_filter = widgets.Dropdown(
            description="Level", options=[("any", 0)] + [(str(i), i) for i in range(1, 6)]
        )
        self.vignette_filter = widgets.Dropdown(description="Vignette", options=[("any", "")])
        self.roadblock_filter = widgets.Dropdown(
            description="Roadblock",
            options=[("any", ""), ("none", "-")] + [(r, r) for r in ROADBLOCK_IDS],
        )
        self.error_filter = widgets.Dropdown(
            description="Rows",
            options=[("all", ""), ("with an error", "error"), ("scored", "scored")],
        )
        self.prev_button = widgets.Button(description="◀ Previous", disabled=True)
        self.next_button = widgets.Button(description="Next ▶", disabled=True)
        self.page_label = widgets.HTML()
        self.table_html = widgets.HTML(layout=wide)
        self.row_picker = widgets.Dropdown(
            description="Rate row", options=[], value=None, layout=widgets.Layout(width="34rem")
        )
        self.next_unrated_button = widgets.Button(
            description="Next unrated", tooltip="The next row in this view you have not rated"
        )
        # rating panel
        self.rater_box = widgets.Text(
            description="Your name (rater)",
            value=self._initial_rater,
            placeholder="e.g. Dr Lee",
            continuous_update=False,
            style=label,
            layout=widgets.Layout(width="22rem"),
        )
        self.blind_box = widgets.Checkbox(
            value=self._initial_blind,
            description="Blind: hide other raters' ratings",
            indent=False,
        )
        self.row_card = widgets.HTML()
        self.level_buttons = widgets.ToggleButtons(
            options=RATER_LEVEL_CHOICES,
            value=0,
            description="Your level",
            style={"description_width": "initial", "button_width": "4.5rem"},
        )
        self.roadblocks_box = widgets.SelectMultiple(
            options=list(ROADBLOCK_IDS),
            rows=len(ROADBLOCK_IDS),
            description="Roadblocks",
            tooltip="Ctrl-click (Cmd-click on a Mac) to choose several",
            layout=widgets.Layout(width="20rem"),
        )
        self.bank_picker = widgets.Dropdown(
            description="Comment bank",
            options=[("Add a comment from the bank…", "")],
            value="",
            style=label,
            layout=widgets.Layout(width="100%", max_width="32rem"),
        )
        self.comment_box = widgets.Textarea(
            description="Comment",
            placeholder="Your comment to the trainee (saved as you type)",
            continuous_update=True,
            layout=widgets.Layout(width="95%", height="7rem"),
        )
        self.save_button = widgets.Button(description="Save rating", icon="save")
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
            layout=widgets.Layout(flex="2 1 24rem", min_width="20rem"),
        )
        self.row_card.layout = widgets.Layout(flex="3 1 30rem", min_width="20rem")
        self.rating_panel = widgets.HBox(
            [self.row_card, controls],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        self.review = widgets.VBox(
            [
                widgets.HBox(
                    [self.rater_box, self.blind_box], layout=widgets.Layout(flex_flow="row wrap")
                ),
                widgets.HBox(
                    [self.sort_picker, self.level_filter, self.vignette_filter],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox(
                    [self.roadblock_filter, self.error_filter],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox([self.prev_button, self.page_label, self.next_button]),
                self.table_html,
                widgets.HBox([self.row_picker, self.next_unrated_button]),
            ]
        )
        # calibration
        self.disagreements = widgets.HTML(layout=wide)
        self.agreement = widgets.HTML(layout=wide)
        self.refresh_button = widgets.Button(
            description="Refresh ratings", icon="refresh", tooltip="Read other raters' ratings"
        )
        self.calibration = widgets.VBox(
            [
                self.refresh_button,
                widgets.HTML("<h3>Disagreements</h3>"),
                self.disagreements,
                widgets.HTML("<h3>Agreement</h3>"),
                self.agreement,
            ]
        )
        # downloads
        self.downloads_button = widgets.Button(
            description="Prepare downloads", icon="download", layout=widgets.Layout(width="14rem")
        )
        self.downloads = widgets.HTML(layout=wide)
        self.download_box = widgets.VBox(
            [
                widgets.HTML(
                    "<p>Results as CSV or Excel, with each rater's level, roadblocks and "
                    "comment; one printable feedback report per trainee, all in one zip.</p>"
                ),
                self.downloads_button,
                self.downloads,
            ]
        )
        # pre/post
        self.pre_picker = widgets.Dropdown(description="Pre", layout=widgets.Layout(width="30rem"))
        self.post_picker = widgets.Dropdown(
            description="Post", layout=widgets.Layout(width="30rem")
        )
        self.prepost_level = widgets.Dropdown(
            description="Levels from", options=[("automatic scorer", AUTOMATIC)]
        )
        self.compare_button = widgets.Button(description="Compare", button_style="primary")
        self.prepost_summary = widgets.HTML(layout=wide)
        self.prepost_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.prepost_table = widgets.HTML(layout=wide)
        self.prepost_box = widgets.VBox(
            [
                widgets.HTML(
                    "<p>Two test occasions for the same trainees (matched by name): the change "
                    "per trainee, the cohort's mean change and effect size.</p>"
                ),
                self.pre_picker,
                self.post_picker,
                widgets.HBox([self.prepost_level, self.compare_button]),
                self.prepost_summary,
                self.prepost_chart,
                self.prepost_table,
            ]
        )
        self.tabs = widgets.Tab(
            children=[
                widgets.VBox([self.review, self.rating_panel]),
                self.calibration,
                self.download_box,
                self.prepost_box,
            ]
        )
        self.tabs.titles = ("Review and rate", "Calibration", "Downloads", "Pre/post")
        self.main.children = (self.loader, self.tabs)
        self._set_workshop_options()

        self.upload.observe(self._on_upload, names="value")
        self.score_button.on_click(self._on_score)
        self.open_button.on_click(self._on_open)
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
        self.rater_box.observe(self._on_rater, names="value")
        self.blind_box.observe(self._on_blind, names="value")
        self.level_buttons.observe(self._on_rating_change, names="value")
        self.roadblocks_box.observe(self._on_rating_change, names="value")
        self.comment_box.observe(self._on_rating_change, names="value")
        self.bank_picker.observe(self._on_bank, names="value")
        self.save_button.on_click(self._on_save)
        self.refresh_button.on_click(self._on_refresh)
        self.downloads_button.on_click(self._on_downloads)
        self.compare_button.on_click(self._on_compare)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._draw_bank()

    # -- callbacks --------------------------------------------------------------------------

    def _on_upload(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.load_message)
        def run() -> None:
            files = change["new"]
            if not files:
                return
            item = files[0]
            try:
                self.read_upload(str(item["name"]), bytes(item["content"]))
            finally:
                self.upload.value = ()  # the bytes are not kept in the page

        run()

    def _on_score(self, _: Any = None) -> None:
        @guarded(lambda: self.load_message)
        def run() -> None:
            self.score_pending()

        run()

    def _on_open(self, _: Any = None) -> None:
        @guarded(lambda: self.load_message)
        def run() -> None:
            if self.workshop_picker.value is None:
                self.load_message.value = message("Choose a workshop or upload first.", "hint")
                return
            self.open_workshop(int(self.workshop_picker.value))

        run()

    def _on_view_change(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.page = 0
            self.refresh_view()

        run()

    def _on_prev(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.show_page(self.page - 1)

        run()

    def _on_next(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.show_page(self.page + 1)

        run()

    def _on_pick_row(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.save_status)
        def run() -> None:
            if change["new"] is not None and change["new"] != self.selected:
                self.select(int(change["new"]))

        run()

    def _on_next_unrated(self, _: Any = None) -> None:
        @guarded(lambda: self.save_status)
        def run() -> None:
            self.select_next_unrated()

        run()

    def _on_rater(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.save_status)
        def run() -> None:
            if self._unsaved and self.rater and self.selected is not None:
                self.save_rating()  # what was typed before the name is kept, as this rater's
            self._show_selected()
            self._draw_table()

        run()

    def _on_blind(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self._show_selected()
            self._draw_table()
            self._draw_calibration()

        run()

    def _on_rating_change(self, change: dict[str, Any]) -> None:
        if self._loading:
            return

        @guarded(lambda: self.save_status)
        def run() -> None:
            if change["owner"] is not self.comment_box:
                self._draw_bank()  # the bank offers comments for the level and roadblocks
            self.save_rating()

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
        @guarded(lambda: self.save_status)
        def run() -> None:
            self.save_rating()

        run()

    def _on_refresh(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.reload_ratings()

        run()

    def _on_downloads(self, _: Any = None) -> None:
        @guarded(lambda: self.downloads)
        def run() -> None:
            self.prepare_downloads()

        run()

    def _on_compare(self, _: Any = None) -> None:
        @guarded(lambda: self.prepost_summary)
        def run() -> None:
            if self.pre_picker.value is None or self.post_picker.value is None:
                self.prepost_summary.value = message(
                    "Choose the pre-test and the post-test first.", "hint"
                )
                return
            self.compare(
                int(self.pre_picker.value),
                int(self.post_picker.value),
                levels_from=str(self.prepost_level.value),
            )

        run()

    def _on_tab(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            if change["new"] == 1:
                self._draw_calibration()
            elif change["new"] == 3:
                self._set_workshop_options()

        run()

    def _require_unlocked(self) -> None:
        if not self.unlocked:
            raise PermissionError("grading is locked: unlock it with the passcode first")

    # -- loading and scoring ----------------------------------------------------------------

    def read_upload(self, name: str, content: bytes) -> pd.DataFrame | None:
        """Read an uploaded file's responses, ready for `score_pending`; None if refused."""
        self._require_unlocked()
        self._pending = None
        self.score_button.disabled = True
        if len(content) > MAX_UPLOAD_BYTES:
            self.load_message.value = message(
                f"{name} is {len(content) / 1e6:.1f} MB; the app accepts files up to "
                f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB. Split it, or grade it on the command line "
                "with: empathy-training grade IN -o OUT",
                "error",
            )
            return None
        suffix = Path(name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"uploaded-file{suffix}"
            path.write_bytes(content)
            try:
                table = grading.read_responses(path, max_rows=MAX_UPLOAD_ROWS)
            except TooManyRowsError:
                self.load_message.value = message(
                    f"{name} holds more than {MAX_UPLOAD_ROWS:,} responses; the app grades up "
                    "to that many at a time. Split the file, or grade it on the command line "
                    "with: empathy-training grade IN -o OUT",
                    "error",
                )
                return None
            except InputError as exc:
                self.load_message.value = message(
                    f"{name} could not be read: {_named(str(exc), path, name)}", "error"
                )
                return None
            notes = list(table.attrs.get("notes", []))
            if suffix in grading.XLSX_SUFFIXES:
                notes += workbook_notes(path)
        self._pending = (name, table)
        self.score_button.disabled = False
        self.load_message.value = message(
            f"Read {len(table):,} response{'s' if len(table) != 1 else ''} from {name}. "
            "Press Score all to score them.",
            "ok",
        ) + "".join(message(note, "hint") for note in notes)
        return table

    def score_pending(self) -> None:
        """Score the uploaded responses, store them for rating, and show them."""
        self._require_unlocked()
        if self._pending is None:
            self.load_message.value = message("Upload a CSV or Excel file first.", "hint")
            return
        name, table = self._pending
        self.score_button.disabled = True
        rubric = str(self.rubric_picker.value)
        advance = self._progress(len(table), "Scoring")
        graded, assessments = grading.grade_with_assessments(
            table, library=self.library, rubric=rubric, progress=advance
        )
        batch = Batch(
            name=name,
            graded=graded,
            assessments=tuple(assessments),
            attempt_ids=(None,) * len(graded),
            trainees=tuple(batch_trainees(graded)),
        )
        self._finish_progress(f"Scored {len(graded):,}.")
        batch = self._import(batch)
        self._pending = None
        self._show_batch(batch)
        failed = sum(1 for a in batch.assessments if a is None)
        note = (
            f" {failed:,} row{'s' if failed != 1 else ''} could not be scored (see Rows: with "
            "an error)."
            if failed
            else ""
        )
        self.load_message.value = message(
            f"Scored {len(graded) - failed:,} of {len(graded):,} responses from {name}; stored "
            f"for rating as '{UPLOAD_PREFIX}{name}'.{note}",
            "hint" if failed else "ok",
        )

    def open_workshop(self, workshop_id: int) -> None:
        """Show a workshop's attempts (or a stored upload's rows) for rating."""
        self._require_unlocked()
        workshop = self.store.workshop(workshop_id)
        if workshop is None:
            raise InputError(f"There is no workshop with id {workshop_id}.")
        batch = self._stored_batch(workshop)
        self._show_batch(batch)
        count = len(batch.graded)
        self.load_message.value = message(
            f"Opened {workshop.name}: {count:,} response{'s' if count != 1 else ''}.",
            "ok" if count else "hint",
        )

    # -- the review table -------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Filter and sort the rows, then show the current page."""
        self.view = self._filtered_sorted()
        self.show_page(self.page)

    def show_page(self, page: int) -> None:
        """Show one page of the current view."""
        pages = max(1, math.ceil(len(self.view) / PAGE_SIZE))
        self.page = min(max(0, page), pages - 1)
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1
        shown = len(self.view)
        total = len(self.table)
        self.page_label.value = (
            f"<span class='et-small'>&nbsp;page {self.page + 1} of {pages} &middot; {shown:,} of "
            f"{total:,} rows&nbsp;</span>"
        )
        rows = self._page_rows()
        self._loading = True
        try:
            options = [(self._row_label(i), i) for i in rows]
            if self.selected is not None and self.selected not in rows:
                options.insert(0, (self._row_label(self.selected), self.selected))
            self.row_picker.options = options
            self.row_picker.value = self.selected if self.selected is not None else None
        finally:
            self._loading = False
        self._draw_table()

    def select(self, position: int) -> None:
        """Open row `position` (0-based, in the loaded table) in the rating panel."""
        if not 0 <= position < len(self.table):
            raise InputError(f"There is no row {position + 1}.")
        self.selected = position
        if self.row_picker.value != position:
            self._loading = True
            try:
                if position not in [v for _, v in self.row_picker.options]:
                    self.row_picker.options = [
                        (self._row_label(position), position),
                        *self.row_picker.options,
                    ]
                self.row_picker.value = position
            finally:
                self._loading = False
        self._show_selected()
        self._draw_table()

    def select_next_unrated(self) -> None:
        """Select the next row of the view, after the selected one, that this rater left unrated."""
        rater = self.rater
        order = self.view
        start = order.index(self.selected) + 1 if self.selected in order else 0
        for position in order[start:] + order[:start]:
            attempt_id = self._attempt_id(position)
            if attempt_id is not None and rater not in self.ratings.get(attempt_id, {}):
                self.page = order.index(position) // PAGE_SIZE
                self.show_page(self.page)
                self.select(position)
                return
        self.save_status.value = message("Every row in this view has your rating.", "ok")

    # -- rating -----------------------------------------------------------------------------

    @property
    def rater(self) -> str:
        """The rater's name as typed, trimmed."""
        return " ".join(self.rater_box.value.split()) if self.unlocked else ""

    def save_rating(self) -> RatingRecord | None:
        """Store the panel's level, roadblocks and comment as this rater's rating of the row."""
        self._require_unlocked()
        if self.selected is None:
            self.save_status.value = message("Choose a row to rate first.", "hint")
            return None
        attempt_id = self._attempt_id(self.selected)
        if attempt_id is None:
            self.save_status.value = message(
                "This row could not be scored, so it cannot be rated.", "hint"
            )
            return None
        rater = self.rater
        if not rater:
            self._unsaved = self._controls_hold_input()
            self.save_status.value = message(
                "Type your name as rater (above) to save: what you entered is kept until then.",
                "hint",
            )
            return None
        assessment = self.assessments[self.selected]
        rubric = assessment.rubric if assessment else str(self.rubric_picker.value)
        version = assessment.scorer_version if assessment else ""
        level = int(self.level_buttons.value or 0)
        record = self.store.rate(
            attempt_id,
            rater=rater,
            hrq_level=level or None,
            roadblocks=list(self.roadblocks_box.value),
            comment=self.comment_box.value,
            rubric_version=f"{rubric} {version}".strip()[:50],
        )
        given = self.ratings.setdefault(attempt_id, {})
        before = given.get(rater)
        given[rater] = record
        self._unsaved = False
        self.save_status.value = message(
            f"Saved as {rater} at {record.updated_at.astimezone():%H:%M:%S}.", "ok"
        )
        if before is None or (before.hrq_level, before.roadblocks) != (
            record.hrq_level,
            record.roadblocks,
        ):
            self._draw_table()  # the table shows levels and roadblocks, not comments
        return record

    def reload_ratings(self) -> None:
        """Read every rating of the loaded rows from the store (other raters' included)."""
        ids = [i for i in self._attempt_ids() if i is not None]
        self.ratings = {}
        for start in range(0, len(ids), 900):  # keep each IN (...) list short
            for record in self.store.ratings(ids[start : start + 900]):
                self.ratings.setdefault(record.attempt_id, {})[record.rater] = record
        self._set_rater_options()
        self._show_selected()
        self._draw_table()
        self._draw_calibration()

    # -- calibration ------------------------------------------------------------------------

    def disagreement_rows(self) -> pd.DataFrame:
        """Rows where two raters differ by 1 level or more, or a rater and the scorer by 2+."""
        rows: list[dict[str, Any]] = []
        for position, attempt_id in enumerate(self._attempt_ids()):
            if attempt_id is None or attempt_id not in self.ratings:
                continue
            levels = {
                r: rec.hrq_level
                for r, rec in self.ratings[attempt_id].items()
                if rec.hrq_level is not None
            }
            automatic = _int_or_none(self.table.iloc[position]["hrq_level"])
            reasons: list[str] = []
            names = sorted(levels, key=str.casefold)
            for i, first in enumerate(names):
                for second in names[i + 1 :]:
                    if abs(levels[first] - levels[second]) >= 1:
                        reasons.append(f"{first} {levels[first]} vs {second} {levels[second]}")
                if automatic is not None and abs(levels[first] - automatic) >= 2:
                    reasons.append(f"{first} {levels[first]} vs automatic {automatic}")
            if reasons:
                rows.append(
                    {
                        "position": position,
                        "row": int(self.table.iloc[position]["_row"]),
                        "trainee": self.table.iloc[position]["_trainee"],
                        "automatic": automatic,
                        **{f"{r} (level)": v for r, v in levels.items()},
                        "why": "; ".join(reasons),
                    }
                )
        return pd.DataFrame(rows)

    def agreement_ratings(self) -> pd.DataFrame:
        """Every level given to a loaded row, the scorer's too: item, rater, level, vignette_id."""
        columns = ["item", "rater", "level", "vignette_id"]
        if self.table.empty:
            return pd.DataFrame(columns=columns)
        scored = self.table[self.table["_attempt"].notna()]
        automatic = pd.DataFrame(
            {
                "item": scored["_attempt"].astype(int).to_numpy(),
                "rater": AUTOMATIC,
                "level": pd.to_numeric(scored["hrq_level"], errors="coerce").to_numpy(),
                "vignette_id": scored["_vignette"].astype(str).to_numpy(),
            }
        )
        vignette_of = dict(zip(automatic["item"], automatic["vignette_id"], strict=True))
        human = [
            {
                "item": attempt_id,
                "rater": rater,
                "level": record.hrq_level,
                "vignette_id": vignette_of[attempt_id],
            }
            for attempt_id, given in self.ratings.items()
            if attempt_id in vignette_of
            for rater, record in given.items()
            if record.hrq_level is not None
        ]
        table = pd.concat([automatic, pd.DataFrame(human, columns=columns)], ignore_index=True)
        return table.dropna(subset=["level"]).reset_index(drop=True)

    # -- downloads --------------------------------------------------------------------------

    def results_table(self) -> pd.DataFrame:
        """The loaded rows: their own columns, the automatic scores, and each visible rater's.

        Adds `trainee` (when the file had no trainee column) and `attempt_id`; the
        `assessment` column holds each row's Assessment (None where it was not scored).
        """
        visible = set(self._visible_raters())
        notes = [
            {
                r: RaterNote(r, rec.hrq_level, rec.roadblocks, rec.comment)
                for r, rec in (self.ratings.get(a, {}) if a is not None else {}).items()
                if r in visible
            }
            for a in self._attempt_ids()
        ]
        base = self.table.drop(columns=list(_INTERNAL)).reset_index(drop=True)
        if trainee_column(base) is None:
            base.insert(0, "trainee", list(self.table["_trainee"]))
        if "attempt_id" not in base.columns:
            base["attempt_id"] = self.table["_attempt"].to_numpy()
        base[ASSESSMENT_COLUMN] = pd.Series(self.assessments, dtype=object)
        return with_rater_columns(base, notes)

    def prepare_downloads(self) -> dict[str, bytes]:
        """Build the results (CSV, XLSX) and the reports zip, and show them as download links."""
        self._require_unlocked()
        if self.table.empty:
            self.downloads.value = message("Load and score some responses first.", "hint")
            return {}
        results = self.results_table()
        export = results.drop(columns=[ASSESSMENT_COLUMN])
        stem = _file_stem(self.batch.name)
        stamp = f"{datetime.now():%Y-%m-%d}"
        reports = all_reports(results, library=self.library)
        files = {
            f"{stem}-results-{stamp}.csv": (csv_bytes(export, bom=True), "text/csv"),
            f"{stem}-results-{stamp}.xlsx": (xlsx_bytes(export), XLSX_MIME),
            f"{stem}-feedback-reports-{stamp}.zip": (reports_zip(reports), "application/zip"),
        }
        links = []
        for name, (data, mime) in files.items():
            encoded = base64.b64encode(data).decode("ascii")
            links.append(
                f"<li><a download='{escape(name)}' href='data:{mime};base64,{encoded}'>"
                f"Download {escape(name)}</a> <span class='et-small'>"
                f"({len(data) / 1024:,.0f} KB)</span></li>"
            )
        own = " (blind: only your own ratings)" if self.blind_box.value else ""
        self.downloads.value = (
            f"<ul>{''.join(links)}</ul><p class='et-small'>{len(results):,} rows{escape(own)}; "
            f"{len(reports):,} feedback report{'s' if len(reports) != 1 else ''}.</p>"
        )
        return {name: data for name, (data, _) in files.items()}

    # -- pre/post ---------------------------------------------------------------------------

    def compare(self, pre_id: int, post_id: int, *, levels_from: str = AUTOMATIC) -> PrePostResult:
        """Pre/post change between two workshops or stored uploads; shows result and chart."""
        self._require_unlocked()
        if pre_id == post_id:
            raise InputError("Choose two different occasions for pre and post.")
        tables = []
        for workshop_id in (pre_id, post_id):
            workshop = self.store.workshop(workshop_id)
            if workshop is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            tables.append(self._levels(self._stored_batch(workshop), levels_from))
        result = prepost(tables[0], tables[1], trainee="trainee", level="level")
        self.last_prepost = result
        notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
        unmatched = ""
        if result.unmatched_pre or result.unmatched_post:
            unmatched = (
                "<p class='et-small'>Only before: "
                f"{escape(', '.join(result.unmatched_pre) or 'none')}. Only after: "
                f"{escape(', '.join(result.unmatched_post) or 'none')}.</p>"
            )
        self.prepost_summary.value = f"<p>{escape(result.summary())}</p>{unmatched}" + (
            f"<ul class='et-small'>{notes}</ul>" if notes else ""
        )
        self.prepost_chart.value = prepost_chart(result)
        body = "".join(
            f"<tr><td>{escape(str(r.trainee))}</td><td>{r.pre:.2f}</td><td>{r.post:.2f}</td>"
            f"<td>{r.change:+.2f}</td><td>{r.n_pre}</td><td>{r.n_post}</td></tr>"
            for r in result.per_trainee.itertuples(index=False)
        )
        self.prepost_table.value = (
            "<table class='et-table'><tr><th>Trainee</th><th>Pre</th><th>Post</th>"
            f"<th>Change</th><th>Responses pre</th><th>Responses post</th></tr>{body}</table>"
            if body
            else ""
        )
        return result

    # -- internals: batches -----------------------------------------------------------------

    def _progress(self, total: int, what: str) -> Callable[..., None]:
        self.progress.max = max(1, total)
        self.progress.value = 0
        self.progress.bar_style = ""
        self.progress_label.value = f"<span class='et-small'>{escape(what)} 0 of {total:,}</span>"
        done = [0]
        step = max(1, total // 100)

        def advance(n: int = 1) -> None:
            before = done[0]
            done[0] += int(n)
            if done[0] // step != before // step or done[0] >= total:
                self.progress.value = min(done[0], total)
                self.progress_label.value = (
                    f"<span class='et-small'>{escape(what)} {min(done[0], total):,} of "
                    f"{total:,}</span>"
                )

        return advance

    def _finish_progress(self, text: str) -> None:
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self.progress_label.value = f"<span class='et-small'>{escape(text)}</span>"

    def _import(self, batch: Batch) -> Batch:
        """Store an upload as the attempts of a new, closed workshop; the batch with their ids."""
        vignette_ids = sorted(
            {a.vignette_id for a in batch.assessments if a is not None and a.vignette_id}
        ) or [NO_VIGNETTE]
        workshop = self.store.create_workshop(f"{UPLOAD_PREFIX}{batch.name}"[:200], vignette_ids)
        self.store.close_workshop(workshop.id)  # nobody joins an upload with its join code
        trainees = {n: self.store.trainee(n, workshop.id).id for n in dict.fromkeys(batch.trainees)}
        graded = batch.graded
        original = [c for c in graded.columns if c not in (*grading.CONTRACT_COLUMNS, "error")]
        kept = graded[[*original, "error"]].astype(object)
        kept = kept.where(kept.notna(), None)
        self.store.set_setting(
            BATCH_SETTING.format(workshop_id=workshop.id),
            json.dumps(
                {"file": batch.name, "columns": original, "rows": kept.to_dict("records")},
                default=str,
                ensure_ascii=False,
            ),
        )
        advance = self._progress(len(graded), "Storing for rating")
        rows: list[tuple[int, NewAttempt]] = []
        for position, (trainee, assessment) in enumerate(
            zip(batch.trainees, batch.assessments, strict=True)
        ):
            if assessment is not None:
                vignette_id = assessment.vignette_id or NO_VIGNETTE
                attempt = NewAttempt(
                    trainees[trainee],
                    vignette_id=vignette_id,
                    module_id=self._module_of(vignette_id),
                    response=assessment.response,
                    assessment=assessment,
                    workshop_id=workshop.id,
                    client_attempt_id=f"grading:{workshop.id}:{position}",
                )
                rows.append((position, attempt))
        ids: list[int | None] = [None] * len(graded)
        for start in range(0, len(rows), STORE_CHUNK):
            chunk = rows[start : start + STORE_CHUNK]
            stored = self.store.record_attempts([attempt for _, attempt in chunk])
            for (position, _), record in zip(chunk, stored, strict=True):
                ids[position] = record.id
            advance(len(chunk))
        self._finish_progress(f"Stored {len(graded):,} rows for rating.")
        self._set_workshop_options()
        return replace(batch, workshop_id=workshop.id, attempt_ids=tuple(ids))

    def _stored_batch(self, workshop: WorkshopRecord) -> Batch:
        """A stored upload's rows with their attempts, or a workshop's attempts, as a batch."""
        attempts = self.store.attempts(workshop_id=workshop.id)
        names = {t.id: t.display_name for t in self.store.trainees(workshop.id)}
        stored = self.store.get_setting(BATCH_SETTING.format(workshop_id=workshop.id))
        records: list[dict[str, Any]] = []
        assessments: list[Assessment | None] = []
        ids: list[int | None] = []
        trainees: list[str] = []
        if stored:
            saved = json.loads(stored)
            by_key = {a.client_attempt_id: a for a in attempts}
            for position, original in enumerate(saved["rows"]):
                record = {c: original.get(c) for c in saved["columns"]}
                attempt = by_key.get(f"grading:{workshop.id}:{position}")
                assessment = attempt.assessment if attempt is not None else None
                record.update(
                    grading.row_values(assessment)
                    if assessment is not None
                    else dict.fromkeys(grading.CONTRACT_COLUMNS)
                )
                record["error"] = "" if assessment is not None else _text(original.get("error"))
                records.append(record)
                assessments.append(assessment)
                ids.append(attempt.id if attempt is not None else None)
                trainees.append(names.get(attempt.trainee_id, "") if attempt is not None else "")
            graded = pd.DataFrame(
                records, columns=[*saved["columns"], *grading.CONTRACT_COLUMNS, "error"]
            )
            fallback = batch_trainees(graded)
            trainees = [t or f for t, f in zip(trainees, fallback, strict=True)]
            name = str(saved.get("file") or workshop.name)
        else:
            for attempt in attempts:
                assessment = attempt.assessment
                vignette = self._vignette(attempt.vignette_id)
                trainee = names.get(attempt.trainee_id, f"trainee {attempt.trainee_id}")
                records.append(
                    {
                        "trainee": trainee,
                        "time": attempt.created_at,
                        "vignette_id": attempt.vignette_id,
                        "client_statement": vignette.statement if vignette else "",
                        "response": attempt.response,
                        **grading.row_values(assessment),
                        "error": "",
                    }
                )
                assessments.append(assessment)
                ids.append(attempt.id)
                trainees.append(trainee)
            graded = pd.DataFrame(
                records,
                columns=[
                    "trainee",
                    "time",
                    "vignette_id",
                    "client_statement",
                    "response",
                    *grading.CONTRACT_COLUMNS,
                    "error",
                ],
            )
            name = workshop.name
        return Batch(
            name=name,
            graded=graded,
            assessments=tuple(assessments),
            attempt_ids=tuple(ids),
            trainees=tuple(trainees),
            workshop_id=workshop.id,
            uploaded=bool(stored),
        )

    def _show_batch(self, batch: Batch) -> None:
        table = batch.graded.reset_index(drop=True).copy()
        table["error"] = table["error"].map(_text)
        table["_row"] = range(1, len(table) + 1)
        table["_trainee"] = list(batch.trainees)
        table["_attempt"] = pd.array(list(batch.attempt_ids), dtype="Int64")
        vignettes = table["vignette_id"] if "vignette_id" in table.columns else [""] * len(table)
        table["_vignette"] = [_text(v).strip() or NO_VIGNETTE for v in vignettes]
        self.batch = batch
        self.table = table
        if batch.workshop_id in [value for _, value in self.workshop_picker.options]:
            self.workshop_picker.value = batch.workshop_id  # says what is open
        self.assessments = list(batch.assessments)
        self.selected = None
        self.page = 0
        self._loading = True
        try:
            self.level_filter.value = 0
            self.roadblock_filter.value = ""
            self.error_filter.value = ""
            self.vignette_filter.options = [("any", "")] + [
                (self._vignette_label(v), v) for v in sorted(set(table["_vignette"]))
            ]
            self.vignette_filter.value = ""
        finally:
            self._loading = False
        self.ratings = {}
        self.reload_ratings()  # also draws the table and calibration
        self.refresh_view()
        self.row_card.value = message("Choose a row to rate (Rate row, or Next unrated).", "hint")
        self.tabs.selected_index = 0

    def _levels(self, batch: Batch, levels_from: str) -> pd.DataFrame:
        """Trainee and level of each answer: the scorer's level, or one rater's.

        In a workshop a trainee may answer a vignette several times: the last answer counts.
        """
        if levels_from == AUTOMATIC:
            levels = list(pd.to_numeric(batch.graded["hrq_level"], errors="coerce"))
        else:
            ids = [i for i in batch.attempt_ids if i is not None]
            given = {r.attempt_id: r.hrq_level for r in self.store.ratings(ids, rater=levels_from)}
            levels = [given.get(i) if i is not None else None for i in batch.attempt_ids]
        vignettes = (
            batch.graded["vignette_id"]
            if "vignette_id" in batch.graded.columns
            else pd.Series(range(len(batch.graded)))
        )
        table = pd.DataFrame(
            {"trainee": list(batch.trainees), "vignette": list(vignettes), "level": levels}
        )
        if not batch.uploaded:
            table = table.drop_duplicates(subset=["trainee", "vignette"], keep="last")
        return table[["trainee", "level"]]

    # -- internals: drawing -----------------------------------------------------------------

    def _filtered_sorted(self) -> list[int]:
        table = self.table
        if table.empty:
            return []
        mask = np.ones(len(table), dtype=bool)
        level = int(self.level_filter.value or 0)
        if level:
            mask &= pd.to_numeric(table["hrq_level"], errors="coerce").to_numpy() == level
        if self.vignette_filter.value:
            mask &= (table["_vignette"] == self.vignette_filter.value).to_numpy()
        roadblock = str(self.roadblock_filter.value or "")
        blocks = table["roadblocks"].fillna("").astype(str)
        if roadblock == "-":
            mask &= (blocks.str.strip() == "").to_numpy()
        elif roadblock:
            mask &= blocks.str.contains(rf"(?:^|;)\s*{re.escape(roadblock)}\s*(?:;|$)").to_numpy()
        errors = table["error"].str.strip() != ""
        if self.error_filter.value == "error":
            mask &= errors.to_numpy()
        elif self.error_filter.value == "scored":
            mask &= (~errors).to_numpy()
        positions = np.flatnonzero(mask)
        key = str(self.sort_picker.value)
        if key == "row":
            return [int(p) for p in positions]
        chosen = table.iloc[positions]
        if key in ("level", "-level"):
            values = pd.to_numeric(chosen["hrq_level"], errors="coerce").fillna(0)
            order = np.argsort(
                -values.to_numpy() if key == "-level" else values.to_numpy(), kind="stable"
            )
        elif key == "confidence":
            values = pd.to_numeric(chosen["confidence"], errors="coerce").fillna(2.0)
            order = np.argsort(values.to_numpy(), kind="stable")
        elif key == "unrated":
            rater = self.rater
            rated = [
                1 if _rated(self.ratings, a, rater) else 0
                for a in chosen["_attempt"].astype(object)
            ]
            order = np.argsort(np.array(rated), kind="stable")
        elif key == "trainee":
            order = np.argsort(chosen["_trainee"].str.casefold().to_numpy(), kind="stable")
        else:
            order = np.argsort(chosen["_vignette"].to_numpy().astype(str), kind="stable")
        return [int(positions[i]) for i in order]

    def _page_rows(self) -> list[int]:
        return self.view[self.page * PAGE_SIZE : (self.page + 1) * PAGE_SIZE]

    def _draw_table(self) -> None:
        if not self.unlocked:
            return
        if self.table.empty:
            self.table_html.value = message("Nothing loaded yet.", "hint")
            return
        raters = self._visible_raters()
        head = (
            "<tr><th>#</th><th>Trainee</th><th>Vignette or client</th>"
            "<th>Response (evidence marked, roadblocks in red)</th><th>Level</th>"
            "<th>Roadblocks</th><th>Sure</th>"
            + "".join(f"<th>{escape(r)}</th>" for r in raters)
            + "</tr>"
        )
        body = []
        for position in self._page_rows():
            row = self.table.iloc[position]
            attempt_id = self._attempt_id(position)
            given = self.ratings.get(attempt_id, {}) if attempt_id is not None else {}
            css = " class='et-selected'" if position == self.selected else ""
            error = _text(row["error"]).strip()
            level = _int_or_none(row["hrq_level"])
            if error:
                response = (
                    f"{escape(_clip(_text(row['response'])))}"
                    f"<div class='et-err'>Not scored: {escape(error)}</div>"
                )
                level_html = ""
            else:
                response = self._response_html(position)
                level_html = f"<span class='et-level et-l{level}'>{level}</span>" if level else ""
            confidence = pd.to_numeric(row["confidence"], errors="coerce")
            sure = f"{confidence:.0%}" if pd.notna(confidence) else ""
            cells = "".join(f"<td>{_rating_cell(given.get(r))}</td>" for r in raters)
            body.append(
                f"<tr{css}><td>{int(row['_row'])}</td><td>{escape(_text(row['_trainee']))}</td>"
                f"<td>{escape(self._client_label(row))}</td>"
                f"<td class='et-resp'>{response}</td><td>{level_html}</td>"
                f"<td>{escape(_text(row['roadblocks']).replace(';', ', '))}</td>"
                f"<td>{sure}</td>{cells}</tr>"
            )
        if not body:
            self.table_html.value = message("No rows match these filters.", "hint")
            return
        self.table_html.value = (
            f"<div class='et-scroll'><table class='et-grades'>{head}{''.join(body)}</table></div>"
        )

    def _response_html(self, position: int) -> str:
        assessment = self.assessments[position]
        text = _text(self.table.iloc[position]["response"])
        if assessment is None:
            return escape(_clip(text))
        evidence = [s for c in assessment.criteria for s in c.evidence]
        clipped = assessment.response[:TABLE_RESPONSE_CHARS]
        marked = highlighted(
            clipped,
            [s for s in evidence if s.end <= len(clipped)],
            [r.span for r in assessment.roadblocks if r.span.end <= len(clipped)],
        )
        return marked + ("…" if len(assessment.response) > TABLE_RESPONSE_CHARS else "")

    def _show_selected(self) -> None:
        if not self.unlocked:
            return
        if self.selected is None:
            self._fill_controls(None)
            return
        position = self.selected
        row = self.table.iloc[position]
        assessment = self.assessments[position]
        statement = _text(row.get("client_statement"))
        vignette = self._vignette(row.get("vignette_id"))
        if vignette is not None and not statement:
            statement = vignette.statement
        title = f"Row {int(row['_row'])} &middot; {escape(_text(row['_trainee']))}"
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
                f"Not scored: {_text(row['error']) or 'no assessment'}. Response: "
                f"{_text(row['response'])}",
                "error",
            )
        self.row_card.value = f"<h4>{title}</h4>{quote}{body}"
        attempt_id = self._attempt_id(position)
        given = self.ratings.get(attempt_id, {}) if attempt_id is not None else {}
        if not self._unsaved:  # never overwrite what was typed before a rater name was given
            self._fill_controls(given.get(self.rater))
        disabled = attempt_id is None or (not self.rater and not self._unsaved)
        if attempt_id is not None and not self.rater:
            self.save_status.value = message(
                "Type your name as rater (above) to start rating this row.", "hint"
            )
        for control in (
            self.level_buttons,
            self.roadblocks_box,
            self.comment_box,
            self.bank_picker,
        ):
            control.disabled = disabled
        self.save_button.disabled = disabled
        others = [rec for r, rec in given.items() if r != self.rater]
        if self.blind_box.value:
            self.others.value = (
                message("Blind rating: other raters' ratings are hidden.", "hint") if others else ""
            )
        elif others:
            items = "".join(
                f"<li><b>{escape(rec.rater)}</b>: {_rating_cell(rec)}"
                + (f" &mdash; {escape(rec.comment)}" if rec.comment.strip() else "")
                + "</li>"
                for rec in sorted(others, key=lambda r: r.rater.casefold())
            )
            self.others.value = f"<div class='et-small'>Other raters:</div><ul>{items}</ul>"
        else:
            self.others.value = ""

    def _fill_controls(self, record: RatingRecord | None) -> None:
        self._loading = True
        try:
            self.level_buttons.value = record.hrq_level or 0 if record else 0
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
        level = int(self.level_buttons.value or 0)
        options: list[tuple[str, str]] = [("Add a comment from the bank…", "")]
        for comment in self.comment_bank.for_level(level or None):
            options.append((f"Level {level}: {_clip(comment, 90)}", comment))
        for roadblock in self.roadblocks_box.value:
            sentence = self.comment_bank.by_roadblock.get(roadblock)
            if sentence:
                options.append((f"{roadblock}: {_clip(sentence, 90)}", sentence))
        if not level:
            for shown in (1, 3, 5):
                for comment in self.comment_bank.for_level(shown)[:1]:
                    options.append((f"Level {shown}: {_clip(comment, 90)}", comment))
        self._loading = True
        try:
            self.bank_picker.options = options
            self.bank_picker.value = ""
        finally:
            self._loading = False

    def _draw_calibration(self) -> None:
        if not self.unlocked:
            return
        if self.blind_box.value:
            hidden = message(
                "Blind rating is on: disagreements and agreement are hidden until it is off.",
                "hint",
            )
            self.disagreements.value = hidden
            self.agreement.value = ""
            return
        if self.table.empty:
            self.disagreements.value = message("Nothing loaded yet.", "hint")
            self.agreement.value = ""
            return
        rows = self.disagreement_rows()
        if rows.empty:
            self.disagreements.value = message(
                "No disagreements: no two raters differ by a level or more, and no rater "
                "differs from the automatic level by two or more.",
                "ok",
            )
        else:
            body = "".join(
                f"<tr><td>{int(r['row'])}</td><td>{escape(str(r['trainee']))}</td>"
                f"<td>{escape(_clip(_text(self.table.iloc[int(r['position'])]['response']), 140))}"
                f"</td><td>{'' if r['automatic'] is None else int(r['automatic'])}</td>"
                f"<td>{escape(str(r['why']))}</td></tr>"
                for r in rows.to_dict("records")
            )
            self.disagreements.value = (
                f"<p>{len(rows):,} row{'s' if len(rows) != 1 else ''} to discuss.</p>"
                "<div class='et-scroll'><table class='et-grades'><tr><th>#</th><th>Trainee</th>"
                f"<th>Response</th><th>Automatic</th><th>Levels</th></tr>{body}</table></div>"
            )
        ratings = self.agreement_ratings()
        if ratings["rater"].nunique() < 2:
            self.agreement.value = message(
                "Agreement needs a human rater's levels: rate some rows first.", "hint"
            )
            return
        table = agreement_table(ratings)
        self.agreement.value = _agreement_html(table, self._vignette_label)

    # -- internals: small helpers -----------------------------------------------------------

    def _attempt_ids(self) -> list[int | None]:
        if self.table.empty:
            return []
        return [None if pd.isna(v) else int(v) for v in self.table["_attempt"]]

    def _attempt_id(self, position: int) -> int | None:
        value = self.table["_attempt"].iloc[position]
        return None if pd.isna(value) else int(value)

    def _visible_raters(self) -> list[str]:
        names = {r for given in self.ratings.values() for r in given}
        if self.blind_box.value:
            names = {r for r in names if r == self.rater}
        return sorted(names, key=str.casefold)

    def _controls_hold_input(self) -> bool:
        return bool(
            int(self.level_buttons.value or 0)
            or self.roadblocks_box.value
            or self.comment_box.value.strip()
        )

    def _row_label(self, position: int) -> str:
        row = self.table.iloc[position]
        level = _int_or_none(row["hrq_level"])
        state = f"level {level}" if level is not None else "not scored"
        return f"{int(row['_row'])}. {_clip(_text(row['_trainee']), 30)} ({state})"

    def _vignette(self, vignette_id: Any) -> Any:
        text = _text(vignette_id).strip()
        if not text:
            return None
        try:
            return self.library.vignette(text)
        except KeyError:
            return None

    def _client_label(self, row: pd.Series) -> str:
        """What a row responds to: its vignette's title, else the start of its client statement."""
        vignette_id = str(row["_vignette"])
        statement = _text(row.get("client_statement", "")).strip()
        if vignette_id == NO_VIGNETTE and statement:
            return f"\u201c{_clip(statement, CLIENT_LABEL_CHARS)}\u201d"
        return self._vignette_label(vignette_id)

    def _vignette_label(self, vignette_id: str) -> str:
        vignette = self._vignette(vignette_id)
        return vignette.title if vignette is not None else vignette_id

    def _module_of(self, vignette_id: str) -> str:
        vignette = self._vignette(vignette_id)
        return vignette.module_id if vignette is not None else ""

    def _set_workshop_options(self) -> None:
        workshops = list(reversed(self.store.workshops()))
        options = [
            (
                (w.name if w.name.startswith(UPLOAD_PREFIX) else f"Workshop: {w.name}")
                + f" ({w.created_at.astimezone():%Y-%m-%d %H:%M})",
                w.id,
            )
            for w in workshops
        ]
        for picker in (self.workshop_picker, self.pre_picker, self.post_picker):
            current = picker.value
            picker.options = options
            picker.value = current if current in [v for _, v in options] else None

    def _set_rater_options(self) -> None:
        raters = sorted({r for given in self.ratings.values() for r in given}, key=str.casefold)
        current = self.prepost_level.value
        options = [("automatic scorer", AUTOMATIC)] + [(f"rater {r}", r) for r in raters]
        self.prepost_level.options = options
        self.prepost_level.value = current if current in [v for _, v in options] else AUTOMATIC


def grading_app(db_url: str | None = None, *, rater_name: str = "") -> GradingApp:
    """The grading app on the configured database (EMPATHY_TRAINING_DB or SQLite)."""
    logging.basicConfig(level=logging.WARNING)
    store = Store(db_url or default_database_url())
    return GradingApp(store, load_library(), rater_name=rater_name)


# --- module helpers ------------------------------------------------------------------------


def _agreement_html(table: pd.DataFrame, label: Callable[[str], str]) -> str:
    def number(value: Any, fmt: str) -> str:
        return "&ndash;" if value is None or pd.isna(value) else format(float(value), fmt)

    body = "".join(
        f"<tr><td>{escape('all responses' if r['scope'] == 'overall' else label(r['vignette_id']))}"
        f"</td><td>{escape(str(r['rater_a']))} &amp; {escape(str(r['rater_b']))}</td>"
        f"<td>{int(r['n'])}</td><td>{number(r['exact'], '.0%')}</td>"
        f"<td>{number(r['kappa'], '.2f')}</td>"
        f"<td>{number(r['ci_low'], '.2f')} to {number(r['ci_high'], '.2f')}</td>"
        f"<td class='et-small'>{escape(str(r['note']))}</td></tr>"
        for r in table.to_dict("records")
    )
    return (
        "<p class='et-small'>Quadratic-weighted kappa and exact agreement on the "
        "reflective-listening level, with 95% bootstrap intervals (1,000 resamples of the "
        "rated responses).</p><div class='et-scroll'><table class='et-grades'><tr><th>Scope</th>"
        "<th>Raters</th><th>n</th><th>Exact</th><th>Kappa</th><th>95% CI</th><th>Note</th></tr>"
        f"{body}</table></div>"
    )


def _rating_cell(record: RatingRecord | None) -> str:
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


def _rated(ratings: Mapping[int, Mapping[str, RatingRecord]], attempt_id: Any, rater: str) -> bool:
    if attempt_id is None or pd.isna(attempt_id):
        return True  # an unscored row cannot be rated: sort it last
    return rater in ratings.get(int(attempt_id), {})


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _int_or_none(value: Any) -> int | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else int(number)


def _clip(text: str, limit: int = TABLE_RESPONSE_CHARS) -> str:
    """The text on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file_stem(name: str) -> str:
    stem = name.removeprefix(UPLOAD_PREFIX)
    stem = os.path.splitext(stem)[0]
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "grading"


def _named(text: str, path: Path, name: str) -> str:
    """An error message with the temporary file's path replaced by the uploaded file's name."""
    return text.replace(str(path), name).replace(path.name, name)
