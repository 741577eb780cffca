"""The supervisor's live workshop dashboard: passcode gate, join code, room summary, exports."""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

import ipywidgets as widgets
import segno

from ..loading import load_library
from ..models import Library
from ..projector import AnonymisedResponse, anonymised
from ..storage import Store, TraineeRecord, WorkshopRecord, default_database_url
from ..workshop import (
    BELOW_FAIR,
    CR_FAIR,
    CR_GOOD,
    FAIR,
    GOOD,
    RQ_FAIR,
    RQ_GOOD,
    Proficiency,
    RoomSummary,
    Submission,
    latest_attempts,
    level_chart,
    room_summaries,
)
from ..workshop_export import export_table, to_csv_bytes, to_xlsx_bytes
from .callbacks import guarded, log
from .cards import STYLE, exemplars_card, message
from .gate import PasscodeGate

#: Environment variable with the URL trainees open, shown as a QR code with the join code.
TRAINEE_URL_ENV = "EMPATHY_TRAINING_TRAINEE_URL"
#: How often the live view looks for new submissions, in seconds.
DEFAULT_POLL_SECONDS = 1.0
#: Submissions listed in the live feed, newest first.
FEED_LENGTH = 60
#: Longest a minute limit per vignette can be.
MAX_MINUTES_PER_VIGNETTE = 240

#: Styles of the dashboard only (nothing loaded from elsewhere).
DASHBOARD_STYLE = """
<style>
.et-join{display:flex;flex-wrap:wrap;gap:24px;align-items:center;border:2px solid #5b7db1;
  border-radius:10px;padding:12px 20px;background:#fff;max-width:60rem}
.et-join-code{font-family:monospace;font-size:76px;font-weight:800;letter-spacing:.12em;
  color:#1c2b45;line-height:1.1}
.et-join-label{font-size:18px;color:#4a5261}
.et-join svg{display:block}
.et-badge{display:inline-block;border-radius:5px;padding:1px 8px;font-weight:600;color:#fff;
  font-size:.9em}
.et-good{background:#1f5e3a}.et-fair{background:#9a6a00}.et-below-fair{background:#a8322d}
.et-no-data{background:#8a919c}
.et-feed{max-height:28rem;overflow-y:auto;max-width:60rem}
.et-feed-item{border-bottom:1px solid #e1e4e8;padding:6px 0}
.et-projector{font-size:30px;line-height:1.35;max-width:70rem}
.et-projector ol li{margin:0 0 .7em 0;padding-left:.3em}
.et-projector .et-quote{font-size:1em}
.et-projector .et-card{font-size:22px;max-width:none}
</style>
"""

_LABEL_CSS = {GOOD: "et-good", FAIR: "et-fair", BELOW_FAIR: "et-below-fair"}


class DashboardApp:
    """The supervisor's dashboard; nothing but the passcode gate exists until it is unlocked.

    Build with a store and the vignette library. `trainee_url`, if given, is shown as a QR
    code next to the join code. After unlocking, a background thread calls `refresh()` every
    `poll_seconds` (0 or less: only when called) until `stop()`.
    """

    def __init__(
        self,
        store: Store,
        library: Library,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        trainee_url: str | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.poll_seconds = poll_seconds
        self.trainee_url = trainee_url
        self.workshop: WorkshopRecord | None = None
        self.projector_mode = False
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._poller: threading.Thread | None = None
        self._submissions: list[Submission] = []
        self._trainees: list[TraineeRecord] = []
        self._last_id: int | None = None
        self._summaries: dict[str, RoomSummary] = {}
        self._chart_key: tuple[str, tuple[int, ...]] | None = None
        self._choices: dict[int, widgets.Checkbox] = {}
        self._choice_rows: dict[int, widgets.HBox] = {}
        self._quiet = False

        self.passcode_gate = PasscodeGate(
            store,
            app="This dashboard",
            shows="This dashboard shows trainees' names and answers.",
            unlocked_message="Unlocked. Create a workshop, or pick one you created before.",
            on_unlock=self._opened,
        )
        self.status = self.passcode_gate.status
        self.passcode_box = self.passcode_gate.passcode_box
        self.unlock_button = self.passcode_gate.unlock_button
        self.gate = self.passcode_gate.widget
        self.main = widgets.VBox([])  # built by _build() once the passcode checks
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE + DASHBOARD_STYLE),
                self.status,
                self.gate,
                self.main,
            ]
        )

    @property
    def unlocked(self) -> bool:
        """Whether the passcode has been given."""
        return self.passcode_gate.unlocked

    def unlock(self, passcode: str) -> bool:
        """Open the dashboard if `passcode` is the supervisor passcode; start polling."""
        with self._lock:
            return self.passcode_gate.unlock(passcode)

    def _opened(self) -> None:
        self._build()
        self.start()

    # -- building the unlocked dashboard ----------------------------------------------------

    def _build(self) -> None:
        wide = widgets.Layout(width="100%", max_width="60rem")
        label = {"description_width": "initial"}
        # setting up
        self.workshop_name = widgets.Text(
            description="Workshop name",
            placeholder="e.g. Ward 4 team, March",
            style=label,
            layout=widgets.Layout(width="30rem"),
        )
        self.vignette_select = widgets.SelectMultiple(
            description="Vignettes",
            options=[
                (f"{m.title}: {v.title}", v.id) for m in self.library.modules for v in m.vignettes
            ],
            rows=12,
            style=label,
            layout=widgets.Layout(width="100%", max_width="44rem"),
        )
        self.minutes_box = widgets.BoundedIntText(
            value=0,
            min=0,
            max=MAX_MINUTES_PER_VIGNETTE,
            description="Minutes per vignette (0: no limit)",
            style=label,
            layout=widgets.Layout(width="22rem"),
        )
        self.create_button = widgets.Button(
            description="Create workshop",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.workshop_picker = widgets.Dropdown(
            description="Workshop",
            options=self._workshop_options(),
            value=None,
            layout=widgets.Layout(width="30rem"),
        )
        self.setup = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>New workshop</h3><p class='et-small'>Hold Ctrl (Cmd on a Mac) to "
                    "choose several vignettes; trainees meet them in this list's order.</p>"
                ),
                self.workshop_name,
                self.vignette_select,
                widgets.HBox([self.minutes_box, self.create_button]),
                widgets.HTML("<h3>Or open a workshop</h3>"),
                self.workshop_picker,
            ]
        )
        # joining
        self.join_card = widgets.HTML(layout=wide)
        # live view
        self.live_status = widgets.HTML()
        self.overview = widgets.HTML(layout=wide)
        self.summary_picker = widgets.Dropdown(
            description="Vignette", layout=widgets.Layout(width="32rem")
        )
        self.level_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.summary = widgets.HTML(layout=wide)
        self.feed = widgets.HTML(layout=wide)
        self.live = widgets.VBox(
            [
                widgets.HTML("<h3>The room, live</h3>"),
                self.live_status,
                self.overview,
                self.summary_picker,
                widgets.HBox(
                    [self.level_chart, self.summary], layout=widgets.Layout(flex_flow="row wrap")
                ),
                widgets.HTML("<h3>Submissions, newest first</h3>"),
                self.feed,
            ]
        )
        # projector
        self.projector_toggle = widgets.ToggleButton(
            description="Projector view",
            tooltip="Big text, no names: only the responses you tick",
            icon="desktop",
            layout=widgets.Layout(width="auto"),
        )
        self.release_button = widgets.Button(
            description="Release model responses to the room",
            tooltip="Trainees can then open the model responses",
            layout=widgets.Layout(width="auto"),
        )
        self.projector_picker = widgets.Dropdown(
            description="Vignette", layout=widgets.Layout(width="32rem")
        )
        self.projector_choices = widgets.VBox([], layout=wide)
        self._no_choices = widgets.HTML(message("No responses to this vignette yet."))
        self.projector_setup = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>For the projector</h3><p class='et-small'>Tick the responses to discuss; "
                    "the projector view shows them in large type, without names, in an order "
                    "that does not give away who answered first.</p>"
                ),
                self.projector_picker,
                self.projector_choices,
            ]
        )
        self.projector = widgets.HTML(layout=widgets.Layout(width="100%", display="none"))
        # export
        self.pseudonymise_box = widgets.Checkbox(
            value=True, description="Pseudonymise names (Trainee 01, 02, ...)", indent=False
        )
        self.csv_button = widgets.Button(description="Export CSV", icon="download")
        self.xlsx_button = widgets.Button(
            description="Export Excel (XLSX)", icon="download", layout=widgets.Layout(width="auto")
        )
        self.download = widgets.HTML()
        self.export = widgets.VBox(
            [
                widgets.HTML("<h3>Export</h3>"),
                self.pseudonymise_box,
                widgets.HBox([self.csv_button, self.xlsx_button]),
                self.download,
            ]
        )
        self.actions = widgets.HBox(
            [self.projector_toggle, self.release_button],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.room = widgets.VBox(
            [self.actions, self.live, self.projector_setup, self.projector, self.export],
            layout=widgets.Layout(display="none"),
        )
        self.main.children = (self.setup, self.join_card, self.room)

        self.create_button.on_click(self._on_create)
        self.workshop_picker.observe(self._on_pick_workshop, names="value")
        self.summary_picker.observe(self._on_summary_vignette, names="value")
        self.projector_picker.observe(self._on_projector_vignette, names="value")
        self.projector_toggle.observe(self._on_projector_toggle, names="value")
        self.release_button.on_click(self._on_release)
        self.csv_button.on_click(self._on_export_csv)
        self.xlsx_button.on_click(self._on_export_xlsx)
        self.pseudonymise_box.observe(self._on_pseudonymise, names="value")

    # -- callbacks --------------------------------------------------------------------------

    def _on_create(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            minutes = int(self.minutes_box.value)
            self.create_workshop(
                self.workshop_name.value,
                list(self.vignette_select.value),
                minutes_per_vignette=minutes or None,
            )

        run()

    def _on_pick_workshop(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            if change["new"] is not None and not self._quiet:
                self.open_workshop(int(change["new"]))

        run()

    def _on_summary_vignette(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            with self._lock:
                if not self._quiet:
                    self._draw_summary()

        run()

    def _on_projector_vignette(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            with self._lock:
                if not self._quiet:
                    self._draw_choices()
                    self._draw_projector()

        run()

    def _on_projector_toggle(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.show_projector(bool(change["new"]))

        run()

    def _on_release(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            if self.workshop is not None:
                self.release_exemplars(not self.workshop.exemplars_released)

        run()

    def _on_export_csv(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.export_attempts("csv")

        run()

    def _on_export_xlsx(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.export_attempts("xlsx")

        run()

    def _on_pseudonymise(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.download.value = ""  # a link made with the other setting must not linger

        run()

    # -- actions (also used by tests) ------------------------------------------------------

    def create_workshop(
        self, name: str, vignette_ids: Sequence[str], *, minutes_per_vignette: int | None = None
    ) -> WorkshopRecord | None:
        """Create a workshop and open it; None, with a hint shown, if the form is incomplete."""
        self._require_unlocked()
        if not name.strip():
            self.status.value = message("Type a name for the workshop first.", "hint")
            return None
        if not vignette_ids:
            self.status.value = message("Choose one or more vignettes for the workshop.", "hint")
            return None
        seconds = minutes_per_vignette * 60 if minutes_per_vignette else None
        with self._lock:
            workshop = self.store.create_workshop(name, vignette_ids, seconds)
            self._quiet = True
            try:
                self.workshop_picker.options = self._workshop_options()
                self.workshop_picker.value = workshop.id
            finally:
                self._quiet = False
            self.open_workshop(workshop.id)
        self.status.value = message(
            f"Workshop '{workshop.name}' created. Trainees join with the code "
            f"{workshop.join_code}.",
            "ok",
        )
        return workshop

    def open_workshop(self, workshop_id: int) -> None:
        """Show this workshop's join code and live view."""
        self._require_unlocked()
        with self._lock:
            workshop = self.store.workshop(workshop_id)
            if workshop is None:
                self.status.value = message("That workshop no longer exists.", "error")
                return
            self.workshop = workshop
            self._submissions = []
            self._trainees = []
            self._last_id = None
            self._summaries = {}
            self._chart_key = None
            for row in self._choice_rows.values():
                _close(row)
            self._choices = {}
            self._choice_rows = {}
            self.download.value = ""
            options = [(self._title(v), v) for v in workshop.vignette_ids]
            self._quiet = True
            try:
                if self.workshop_picker.value != workshop.id:
                    self.workshop_picker.value = workshop.id
                for picker in (self.summary_picker, self.projector_picker):
                    picker.options = options
                    picker.value = workshop.vignette_ids[0] if workshop.vignette_ids else None
            finally:
                self._quiet = False
            self.join_card.value = self._join_card(workshop)
            self._draw_release_button()
            self.room.layout.display = None
            self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> int:
        """Read submissions newer than the last seen and redraw what changed; return how many.

        Safe to call from the polling thread and from callbacks at once.
        """
        with self._lock:
            if not self.unlocked or self.workshop is None:
                return 0
            workshop_id = self.workshop.id
            new = self.store.attempts(workshop_id=workshop_id, since_id=self._last_id)
            trainees = self.store.trainees(workshop_id)  # after the attempts: names all known
            joined = [t.id for t in trainees] != [t.id for t in self._trainees]
            if new:
                self._submissions.extend(Submission.of(a) for a in new)
                self._last_id = new[-1].id
            self._trainees = trainees
            if new or joined or force:
                self._redraw()
            return len(new)

    def show_projector(self, on: bool) -> None:
        """Switch between the supervisor's view and the projector view (no names)."""
        self._require_unlocked()
        with self._lock:
            self.projector_mode = on
            if self.projector_toggle.value != on:
                self.projector_toggle.value = on
            hidden = "none" if on else None
            for part in (self.setup, self.live, self.projector_setup, self.export):
                part.layout.display = hidden
            self.projector.layout.display = None if on else "none"
            self.projector_toggle.description = "Back to dashboard" if on else "Projector view"
            self._draw_projector()

    def choose_for_projector(self, attempt_ids: Sequence[int]) -> None:
        """Tick exactly these responses (of the projector's vignette) for the projector."""
        with self._lock:
            wanted = set(attempt_ids)
            for attempt_id, box in self._choices.items():
                box.value = attempt_id in wanted

    def release_exemplars(self, released: bool = True) -> None:
        """Let the room see the model responses (or hide them again)."""
        self._require_unlocked()
        with self._lock:
            if self.workshop is None:
                return
            self.workshop = self.store.release_exemplars(self.workshop.id, released)
            self._draw_release_button()
            self._draw_projector()
        self.status.value = message(
            "Model responses released: trainees can open them now."
            if released
            else "Model responses hidden from trainees again.",
            "ok",
        )

    def export_attempts(self, kind: str) -> bytes:
        """Every attempt of the workshop as 'csv' or 'xlsx' bytes, offered as a download link."""
        self._require_unlocked()
        if kind not in ("csv", "xlsx"):
            raise ValueError(f"unknown export kind {kind!r}")
        with self._lock:
            workshop = self.workshop
            if workshop is None:
                self.status.value = message("Open a workshop first.", "hint")
                return b""
            pseudonymise = bool(self.pseudonymise_box.value)
            table = export_table(
                self.store.attempts(workshop_id=workshop.id),
                self.store.trainees(workshop.id),
                pseudonymise=pseudonymise,
                workshops=[workshop],
            )
        if kind == "csv":
            data, mime = to_csv_bytes(table), "text/csv"
        else:
            data = to_xlsx_bytes(table)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        stem = re.sub(r"[^A-Za-z0-9]+", "-", workshop.name).strip("-").lower() or "workshop"
        name = f"{stem}-{datetime.now():%Y-%m-%d}{'-pseudonymised' if pseudonymise else ''}.{kind}"
        encoded = base64.b64encode(data).decode("ascii")
        rows = len(table)
        self.download.value = (
            f"<a download='{escape(name)}' href='data:{mime};base64,{encoded}'>"
            f"Download {escape(name)}</a> <span class='et-small'>({rows} attempt"
            f"{'s' if rows != 1 else ''}{', names replaced' if pseudonymise else ''})</span>"
        )
        return data

    # -- polling ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread that refreshes every `poll_seconds` (once unlocked)."""
        if not self.unlocked or self.poll_seconds <= 0:
            return
        if self._poller is not None and self._poller.is_alive():
            return
        self._stopping.clear()
        self._poller = threading.Thread(target=self._poll, name="dashboard-refresh", daemon=True)
        self._poller.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background refresh and wait for it to end."""
        self._stopping.set()
        poller = self._poller
        if poller is not None and poller is not threading.current_thread():
            poller.join(timeout)
        self._poller = None

    @property
    def polling(self) -> bool:
        """Whether the background refresh is running."""
        return self._poller is not None and self._poller.is_alive()

    def _poll(self) -> None:
        failing = False
        while not self._stopping.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception as exc:  # keep polling: the database may come back
                if not failing:
                    log.exception("the dashboard could not read new submissions")
                    self.live_status.value = message(
                        f"Could not read new submissions ({exc}). Still trying every "
                        f"{self.poll_seconds:g} s.",
                        "error",
                    )
                failing = True
            else:
                if failing:
                    self.live_status.value = message("Reading submissions again.", "ok")
                failing = False

    # -- drawing ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        summaries = room_summaries(workshop.vignette_ids, self._submissions, self._trainees)
        self._summaries = {s.vignette_id: s for s in summaries}
        self._draw_overview(summaries)
        self._draw_summary()
        self._draw_feed()
        self._draw_choices()
        self._draw_projector()
        count = len(self._submissions)
        latest = (
            f"; latest at {self._submissions[-1].created_at.astimezone():%H:%M:%S}"
            if self._submissions
            else ""
        )
        self.live_status.value = (
            f"<p class='et-small'>{len(self._trainees)} trainee"
            f"{'s' if len(self._trainees) != 1 else ''} joined, {count} submission"
            f"{'s' if count != 1 else ''}{latest}. Updates by itself.</p>"
        )

    def _draw_overview(self, summaries: Sequence[RoomSummary]) -> None:
        total = len(self._trainees)
        rows = []
        for s in summaries:
            mean = "&ndash;" if s.mean_level is None else f"{s.mean_level:.1f}"
            top = ", ".join(f"{escape(r)} ({n})" for r, n in s.top_roadblocks(2)) or "none"
            rows.append(
                f"<tr><td>{escape(self._title(s.vignette_id))}</td>"
                f"<td>{s.answered} of {total}</td><td>{mean}</td>"
                f"<td>{_ratio(s.reflection_to_question)}</td>"
                f"<td>{_share(s.complex_share)}</td><td>{top}</td></tr>"
            )
        self.overview.value = (
            "<table class='et-table'><tr><th>Vignette</th><th>Answered</th><th>Mean level</th>"
            "<th>Reflections : questions</th><th>Complex reflections</th>"
            f"<th>Top roadblocks</th></tr>{''.join(rows)}</table>"
        )

    def _draw_summary(self) -> None:
        vignette_id = self.summary_picker.value
        summary = self._summaries.get(vignette_id) if vignette_id else None
        if summary is None:
            self.summary.value = ""
            self.level_chart.layout.display = "none"
            return
        key = (summary.vignette_id, summary.level_counts)
        if key != self._chart_key:
            self.level_chart.value = level_chart(summary, self._title(summary.vignette_id))
            self._chart_key = key
        self.level_chart.layout.display = None
        blocks = (
            ", ".join(f"{escape(r)} ({n})" for r, n in summary.top_roadblocks(5)) or "none so far"
        )
        waiting = (
            ", ".join(escape(name) for name in summary.not_answered)
            if summary.not_answered
            else "everyone has answered"
        )
        self.summary.value = (
            "<div class='et-card'>"
            f"<p><b>Answered:</b> {summary.answered} of {len(self._trainees)}</p>"
            f"<p><b>Most common roadblocks:</b> {blocks}</p>"
            f"<p><b>Reflections to questions:</b> {_ratio(summary.reflection_to_question)} "
            f"<span class='et-small'>({summary.reflections} reflections, {summary.questions} "
            f"questions; MITI fair {RQ_FAIR:g}:1, good {RQ_GOOD:g}:1)</span></p>"
            f"<p><b>Complex reflections:</b> {_share(summary.complex_share)} "
            f"<span class='et-small'>({summary.complex_reflections} of {summary.reflections} "
            f"reflections; MITI fair {CR_FAIR:.0%}, good {CR_GOOD:.0%})</span></p>"
            f"<p><b>Not answered yet:</b> {waiting}</p></div>"
        )

    def _draw_feed(self) -> None:
        names = {t.id: t.display_name for t in self._trainees}
        newest = self._submissions[::-1][:FEED_LENGTH]
        if not newest:
            self.feed.value = message("No submissions yet. They appear here as they arrive.")
            return
        items = []
        for s in newest:
            level = s.assessment.hrq_level
            items.append(
                "<div class='et-feed-item'>"
                f"<b>{escape(names.get(s.trainee_id, f'trainee #{s.trainee_id}'))}</b> "
                f"&middot; {escape(self._title(s.vignette_id))} &middot; "
                f"<span class='et-level et-l{level}'>Level {level}</span> "
                f"<span class='et-small'>{s.created_at.astimezone():%H:%M:%S}</span>"
                f"<div class='et-response'>{escape(s.response)}</div></div>"
            )
        more = len(self._submissions) - len(newest)
        tail = f"<p class='et-small'>and {more} earlier (see the export)</p>" if more > 0 else ""
        self.feed.value = f"<div class='et-feed'>{''.join(items)}{tail}</div>"

    def _projector_responses(self) -> list[AnonymisedResponse]:
        workshop = self.workshop
        vignette_id = self.projector_picker.value
        if workshop is None or not vignette_id:
            return []
        latest = latest_attempts(s for s in self._submissions if s.vignette_id == vignette_id)
        return anonymised(latest, seed=f"{workshop.id}:{vignette_id}")

    def _draw_choices(self) -> None:
        current = {a.id for a in latest_attempts(self._submissions)}
        for attempt_id in [i for i in self._choices if i not in current]:
            _close(self._choice_rows.pop(attempt_id))  # superseded by a newer attempt
            del self._choices[attempt_id]
        responses = self._projector_responses()
        rows: list[widgets.Widget] = []
        for response in responses:
            if response.attempt_id not in self._choices:
                box = widgets.Checkbox(
                    value=False,
                    indent=False,
                    description="",
                    layout=widgets.Layout(width="2rem"),
                )
                box.observe(self._on_choice, names="value")
                self._choices[response.attempt_id] = box
                self._choice_rows[response.attempt_id] = widgets.HBox(
                    [box, widgets.HTML(f"<div class='et-response'>{escape(response.text)}</div>")]
                )
            rows.append(self._choice_rows[response.attempt_id])
        self.projector_choices.children = rows or [self._no_choices]

    def _on_choice(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            with self._lock:
                self._draw_projector()

        run()

    def _draw_projector(self) -> None:
        vignette_id = self.projector_picker.value
        if not vignette_id:
            self.projector.value = ""
            return
        chosen = [
            r
            for r in self._projector_responses()
            if r.attempt_id in self._choices and self._choices[r.attempt_id].value
        ]
        try:
            vignette = self.library.vignette(vignette_id)
        except KeyError:
            vignette = None
        parts = ["<div class='et-projector'>"]
        if vignette is not None:
            parts.append(
                f"<div><b>{escape(vignette.title)}</b></div>"
                f"<blockquote class='et-quote'>&ldquo;{escape(vignette.statement)}&rdquo;"
                "</blockquote>"
            )
        if chosen:
            items = "".join(f"<li>{escape(r.text)}</li>" for r in chosen)
            parts.append(f"<ol>{items}</ol>")
        else:
            parts.append(
                "<p class='et-small'>Tick responses in the dashboard to show them here.</p>"
            )
        if vignette is not None and self.workshop is not None and self.workshop.exemplars_released:
            parts.append(exemplars_card(vignette))
        parts.append("</div>")
        self.projector.value = "".join(parts)

    def _draw_release_button(self) -> None:
        released = self.workshop is not None and self.workshop.exemplars_released
        self.release_button.description = (
            "Hide model responses from the room"
            if released
            else "Release model responses to the room"
        )
        self.release_button.button_style = "" if released else "success"

    def _join_card(self, workshop: WorkshopRecord) -> str:
        qr = ""
        where = ""
        if self.trainee_url:
            qr = segno.make(self.trainee_url, error="m").svg_inline(scale=5, border=2)
            where = f"<div class='et-join-label'>Open <b>{escape(self.trainee_url)}</b></div>"
        timing = (
            f"<div class='et-small'>About {max(1, round(workshop.seconds_per_vignette / 60))} "
            "min per vignette.</div>"
            if workshop.seconds_per_vignette
            else ""
        )
        closed = (
            "<div class='et-message et-error'>This workshop has ended: the code no longer "
            "admits trainees.</div>"
            if workshop.closed
            else ""
        )
        return (
            "<div class='et-join' role='region' aria-label='How to join'>"
            f"{qr}<div>{where}<div class='et-join-label'>and enter the workshop code</div>"
            f"<div class='et-join-code'>{escape(workshop.join_code)}</div>"
            f"<div class='et-join-label'>{escape(workshop.name)}</div>{timing}{closed}"
            "</div></div>"
        )

    # -- internals --------------------------------------------------------------------------

    def _require_unlocked(self) -> None:
        if not self.unlocked:
            raise PermissionError("the dashboard is locked: unlock it with the passcode first")

    def _workshop_options(self) -> list[tuple[str, int]]:
        return [
            (f"{w.name} ({w.join_code}){' - ended' if w.closed else ''}", w.id)
            for w in reversed(self.store.workshops())
        ]

    def _title(self, vignette_id: str) -> str:
        try:
            return self.library.vignette(vignette_id).title
        except KeyError:
            return vignette_id


def _close(box: widgets.Box) -> None:
    """Close a box and its children, so the page drops them too."""
    for child in box.children:
        child.close()
    box.close()


def _badge(p: Proficiency) -> str:
    css = _LABEL_CSS.get(p.label, "et-no-data")
    return f"<span class='et-badge {css}'>{escape(p.label)}</span>"


def _ratio(p: Proficiency) -> str:
    if p.value is None:
        return f"{_badge(p)} <span class='et-small'>no reflections or questions yet</span>"
    if p.value == float("inf"):
        return f"no questions {_badge(p)}"
    return f"{p.value:.1f} : 1 {_badge(p)}"


def _share(p: Proficiency) -> str:
    if p.value is None:
        return f"{_badge(p)} <span class='et-small'>no reflections yet</span>"
    return f"{p.value:.0%} {_badge(p)}"


def dashboard_app(
    db_url: str | None = None, *, poll_seconds: float = DEFAULT_POLL_SECONDS
) -> DashboardApp:
    """The dashboard on the configured database, with the trainee URL from the environment."""
    logging.basicConfig(level=logging.WARNING)
    store = Store(db_url or default_database_url())
    trainee_url = os.environ.get(TRAINEE_URL_ENV, "").strip() or None
    return DashboardApp(store, load_library(), poll_seconds=poll_seconds, trainee_url=trainee_url)
