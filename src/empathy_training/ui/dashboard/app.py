"""The supervisor's dashboard: the passcode gate, the open workshop's parts, and live polling."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ...models import Library
from ...storage import Store, WorkshopRecord
from ...workshop import Submission
from ..callbacks import guarded
from ..cards import STYLE, message
from ..gate import GatedApp, PasscodeGate
from .export import ExportPanel
from .feed import Feed
from .header import WorkshopHeader
from .overview import LiveOverview
from .polling import Poller
from .projector import ProjectorPanel, ProjectorScreen
from .setup import VignettesPanel, WorkshopSetup
from .state import Room
from .style import DASHBOARD_STYLE

#: How often the live view looks for new submissions, in seconds.
DEFAULT_POLL_SECONDS = 1.0
#: Titles of the tabs under the workshop's bar.
TAB_TITLES = ("Room", "Projector", "Vignettes", "Export")


class DashboardApp(GatedApp):
    """The supervisor's dashboard; nothing but the passcode gate exists until it is unlocked.

    Build with a store and the vignette library. `trainee_url`, if given, is shown as a QR
    code with the join code; `workshop_id`, if given, is opened as soon as the dashboard is
    unlocked. After unlocking, a background thread calls `refresh()` every `poll_seconds`
    (0 or less: only when called) until `stop()`.
    """

    def __init__(
        self,
        store: Store,
        library: Library,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        trainee_url: str | None = None,
        workshop_id: int | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.poll_seconds = poll_seconds
        self.trainee_url = trainee_url
        self.start_workshop_id = workshop_id
        self.room: Room | None = None
        self.projector_mode = False
        self._lock = threading.RLock()
        self._poller = Poller(
            self.refresh,
            poll_seconds,
            failed=lambda exc: self.overview.say_failing(exc, poll_seconds),
            recovered=lambda: self.overview.say_failing(None, poll_seconds),
        )
        self._last_id: int | None = None
        self._drawn: WorkshopRecord | None = None
        self._quiet = False

        gate = PasscodeGate(
            store,
            app="This dashboard",
            shows="This dashboard shows trainees' names and answers.",
            unlocked_message="Unlocked. Open a workshop, or create one.",
            on_unlock=self._opened,
        )
        self._behind(gate, STYLE + DASHBOARD_STYLE)

    @property
    def workshop(self) -> WorkshopRecord | None:
        """The open workshop, as last read."""
        return None if self.room is None else self.room.workshop

    def unlock(self, passcode: str) -> bool:
        """Open the dashboard if `passcode` is the supervisor passcode; start polling."""
        with self._lock:
            return self.passcode_gate.unlock(passcode)

    def _opened(self) -> None:
        self._build()
        workshop_id = self.start_workshop_id
        started = self.store.workshop(workshop_id) if workshop_id is not None else None
        if started is not None:
            # said first: drawing a busy room takes the page a moment
            self.status.value = message(
                f"Unlocked. This is '{started.name}', the workshop the server was started with.",
                "ok",
            )
            self.open_workshop(started.id)
        self.start()

    def _build(self) -> None:
        self.setup = WorkshopSetup(self.library)
        self.setup.list_workshops(self.store.workshops())
        self.setup_box = widgets.Accordion(
            children=[self.setup.widget],
            titles=("Workshops: open or create one",),
            selected_index=0,
        )
        self.header = WorkshopHeader()
        self.overview = LiveOverview(self.library)
        self.feed = Feed(self.library)
        self.projector = ProjectorPanel(self.library, on_change=self._on_projector_change)
        self.vignettes = VignettesPanel(self.library)
        self.export = ExportPanel()
        self.screen = ProjectorScreen(self.library)
        self.live = widgets.HBox(
            [self.overview.widget, self.feed.widget],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"),
        )
        self.tabs = widgets.Tab(
            children=[self.live, self.projector.widget, self.vignettes.widget, self.export.widget]
        )
        self.tabs.titles = TAB_TITLES
        self.room_box = widgets.VBox(
            [self.header.widget, self.tabs], layout=widgets.Layout(display="none")
        )
        self.main.children = (self.setup_box, self.room_box, self.screen.widget)

        on = self._on
        self.setup.create_button.on_click(on(self._create_from_form))
        self.setup.picker.observe(on(self._pick_workshop), names="value")
        self.overview.picker.observe(on(self._draw_detail), names="value")
        self.projector.picker.observe(on(self._on_projector_change), names="value")
        self.header.projector_toggle.observe(
            on(lambda change: self.show_projector(bool(change["new"]))), names="value"
        )
        self.screen.exit_button.on_click(on(lambda _: self.show_projector(False)))
        self.header.release_button.on_click(on(lambda _: self.release_exemplars(None)))
        self.header.end_button.on_click(on(lambda _: self.header.ask_to_end(self.workshop)))
        self.header.cancel_end_button.on_click(on(lambda _: self.header.ask_to_end(None)))
        self.header.confirm_end_button.on_click(on(lambda _: self.end_workshop()))
        self.vignettes.save_button.on_click(
            on(lambda _: self.set_vignettes(self.vignettes.chooser.value))
        )
        self.export.csv_button.on_click(on(lambda _: self.export_attempts("csv")))
        self.export.xlsx_button.on_click(on(lambda _: self.export_attempts("xlsx")))

    def _on(self, action: Callable[[Any], object]) -> Callable[[Any], None]:
        """A callback that shows its errors, holds the lock, and is silent while redrawing."""

        def callback(change: Any = None) -> None:
            @guarded(lambda: self.status)
            def run() -> None:
                with self._lock:
                    if not self._quiet:
                        action(change)

            run()

        return callback

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
            self._quietly(lambda: self.setup.list_workshops(self.store.workshops()))
            self.open_workshop(workshop.id)
        self.status.value = message(
            f"Workshop '{workshop.name}' created. Trainees join with the code "
            f"{workshop.join_code}.",
            "ok",
        )
        return workshop

    def _create_from_form(self, _: Any = None) -> None:
        minutes = int(self.setup.minutes.value) or None
        self.create_workshop(
            self.setup.name.value, self.setup.chooser.value, minutes_per_vignette=minutes
        )

    def _pick_workshop(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.open_workshop(int(change["new"]))

    def open_workshop(self, workshop_id: int) -> None:
        """Show this workshop: its bar, the live room, the projector, its vignettes, export."""
        self._require_unlocked()
        with self._lock:
            workshop = self.store.workshop(workshop_id)
            if workshop is None:
                self.status.value = message("That workshop no longer exists.", "error")
                return
            self._last_id = None
            self._drawn = None
            self.room = Room.of(workshop, [], [])

            def reset() -> None:
                self.setup.picker.value = workshop.id
                self.overview.reset(workshop.vignette_ids)
                self.projector.reset(workshop.vignette_ids)
                self.vignettes.show(workshop)

            self._quietly(reset)
            self.export.forget()
            self.header.ask_to_end(None)
            self.setup_box.selected_index = None
            self.room_box.layout.display = None
            self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> int:
        """Read what is new (answers, trainees, the workshop itself), redraw what changed.

        Returns how many new answers there were. Safe to call from the polling thread and
        from callbacks at once.
        """
        with self._lock:
            if not self.unlocked or self.room is None:
                return 0
            room = self.room
            workshop = self.store.workshop(room.workshop.id) or room.workshop
            new = self.store.attempts(workshop_id=workshop.id, since_id=self._last_id)
            trainees = self.store.trainees(workshop.id)  # after the attempts: names all known
            joined = [t.id for t in trainees] != [t.id for t in room.trainees]
            if new:
                self._last_id = new[-1].id
            if new or joined or force or workshop != room.workshop:
                submissions = room.submissions + tuple(Submission.of(a) for a in new)
                self.room = Room.of(workshop, trainees, submissions)
                self._redraw()
            return len(new)

    def show_projector(self, on: bool) -> None:
        """Cover the whole page with the room's view (no names, no controls), or uncover it."""
        self._require_unlocked()
        with self._lock:
            on = on and self.room is not None
            self.projector_mode = on
            if self.header.projector_toggle.value != on:
                self._quietly(lambda: setattr(self.header.projector_toggle, "value", on))
            hidden = "none" if on else None
            for part in (self.status, self.setup_box, self.room_box):
                part.layout.display = hidden
            self.screen.show(on)
            self._draw_screen()

    def choose_for_projector(self, attempt_ids: Sequence[int]) -> None:
        """Tick exactly these responses (of the projector's vignette) for the projector."""
        with self._lock:
            self.projector.choose(attempt_ids)

    def release_exemplars(self, released: bool | None = True) -> None:
        """Let the room see the model responses, or hide them again (None: the other way)."""
        self._require_unlocked()
        with self._lock:
            if self.room is None:
                return
            if released is None:
                released = not self.room.workshop.exemplars_released
            self.store.release_exemplars(self.room.workshop.id, released)
            self.refresh(force=True)
        self.status.value = message(
            "Model responses released: trainees can open them now."
            if released
            else "Model responses hidden from trainees again.",
            "ok",
        )

    def end_workshop(self) -> WorkshopRecord | None:
        """End the open workshop: no one joins or sends answers any more; answers are kept."""
        self._require_unlocked()
        with self._lock:
            if self.room is None:
                return None
            ended = self.store.close_workshop(self.room.workshop.id)
            self._quietly(lambda: self.setup.list_workshops(self.store.workshops()))
            self.refresh(force=True)
            kept = len(self.room.submissions)
        answers = "its one answer is kept" if kept == 1 else f"all {kept} answers are kept"
        self.status.value = message(
            f"Workshop '{ended.name}' ended. Trainees see that it has ended; {answers}.", "ok"
        )
        return ended

    def set_vignettes(self, vignette_ids: Sequence[str]) -> None:
        """Change the open workshop's vignettes (trainees who join or reload see them)."""
        self._require_unlocked()
        if not vignette_ids:
            self.status.value = message("Choose one or more vignettes for the workshop.", "hint")
            return
        with self._lock:
            if self.room is None:
                return
            workshop = self.store.set_workshop_vignettes(self.room.workshop.id, vignette_ids)

            def reset() -> None:
                self.overview.reset(workshop.vignette_ids)
                self.projector.reset(workshop.vignette_ids)

            self._quietly(reset)
            self.refresh(force=True)
        count = len(workshop.vignette_ids)
        self.status.value = message(
            f"The workshop now runs {count} vignette{'s' if count != 1 else ''}.", "ok"
        )

    def export_attempts(self, kind: str) -> bytes:
        """Every answer of the workshop as 'csv' or 'xlsx' bytes, offered as a download link."""
        self._require_unlocked()
        with self._lock:
            if self.room is None:
                self.status.value = message("Open a workshop first.", "hint")
                return b""
            self.refresh()
            return self.export.export(self.room, kind)

    # -- polling ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background refresh every `poll_seconds` (once unlocked)."""
        if self.unlocked:
            self._poller.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background refresh and wait for it to end."""
        self._poller.stop(timeout)

    @property
    def polling(self) -> bool:
        """Whether the background refresh is running."""
        return self._poller.running

    # -- drawing ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        room = self.room
        if room is None:
            return
        if room.workshop != self._drawn:
            self.header.draw(room.workshop, self.trainee_url)
            self.vignettes.save_button.disabled = room.workshop.closed
            self._drawn = room.workshop
        self.overview.draw(room)
        self.feed.draw(room)
        self.projector.draw(room)
        self._draw_screen()

    def _draw_detail(self, _: Any = None) -> None:
        if self.room is not None:
            self.overview.draw_detail(self.room)

    def _on_projector_change(self, _: Any = None) -> None:
        with self._lock:
            if self.room is not None and not self._quiet:
                self.projector.draw(self.room)
                self._draw_screen()

    def _draw_screen(self) -> None:
        if self.room is None or not self.projector_mode:
            return
        chosen = self.projector.chosen(self.room)
        self.screen.draw(self.room, self.projector.picker.value, chosen, self.trainee_url)

    # -- internals --------------------------------------------------------------------------

    def _quietly(self, change: Callable[[], None]) -> None:
        """Make programmatic changes without their callbacks acting on them."""
        quiet, self._quiet = self._quiet, True
        try:
            change()
        finally:
            self._quiet = quiet

    def _require_unlocked(self) -> None:
        if not self.unlocked:
            raise PermissionError("the dashboard is locked: unlock it with the passcode first")
