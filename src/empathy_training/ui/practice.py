"""The trainee's practice app: sign in, answer vignettes, get feedback, see progress."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..coaching import choose_next
from ..errors import InputError, StorageError, WorkshopEndedError
from ..models import Assessment, Library, Vignette
from ..progress import (
    AttemptSummary,
    by_module,
    in_order,
    progress_charts,
    roadblock_counts,
    summary_line,
)
from ..records import TraineeRecord, WorkshopRecord
from ..tables import clean_text
from .callbacks import guarded
from .cards import STYLE, assessment_card, exemplars_card, message, vignette_card
from .drafts import Drafts
from .practice_tabs import PracticeTab, ProgressTab
from .sign_in import SignInPanel, personal_code_notice

if TYPE_CHECKING:
    from ..storage import Store

Scorer = Callable[..., Assessment]

#: Pastes longer than this are refused before scoring; the text stays in the box.
MAX_RESPONSE_CHARS = 5_000


class PracticeApp:
    """Widgets for one trainee's practice session; build with a scorer, a store and a library.

    `store` may be a function that opens it: it is then called on first use (the sign-in), so
    the page shows before the database code is loaded.
    """

    def __init__(
        self,
        store: Store | Callable[[], Store],
        library: Library,
        score: Scorer,
        *,
        targets: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._store = store
        self.library = library
        self.score = score
        self.targets = targets or {}
        self.trainee: TraineeRecord | None = None
        self.workshop: WorkshopRecord | None = None
        self.vignette: Vignette | None = library.vignettes[0]
        self.attempted: set[str] = set()
        self.last_assessment: Assessment | None = None
        self._charted: tuple[int, Any] | None = None  # what the progress charts show
        self._page = uuid.uuid4().hex  # with the text, makes a double-clicked Submit store once

        self.status = widgets.HTML()
        self.sign_in = SignInPanel(lambda: self.store, self.status, self._signed_in)
        self.name_box = self.sign_in.name_box
        self.code_box = self.sign_in.code_box
        self.personal_box = self.sign_in.personal_box
        self.start_button = self.sign_in.start_button
        practice_tab = PracticeTab(library)
        self.module_picker = practice_tab.module_picker
        self.vignette_picker = practice_tab.vignette_picker
        self.card = practice_tab.card
        self.response_box = practice_tab.response_box
        self.drafts = Drafts(self.response_box)
        self.submissions: Counter[str] = Counter()  # per vignette: names the browser's draft
        self.submit_button = practice_tab.submit_button
        self.exemplars_button = practice_tab.exemplars_button
        self.next_button = practice_tab.next_button
        self.message = practice_tab.message
        self.feedback = practice_tab.feedback
        self.exemplars = practice_tab.exemplars
        self.practice = practice_tab.widget
        progress_tab = ProgressTab()
        self.progress_summary = progress_tab.progress_summary
        self.progress_images = progress_tab.progress_images
        self.progress_chart = progress_tab.progress_chart
        self.progress_table = progress_tab.progress_table
        self.refresh_button = progress_tab.refresh_button
        self.progress = progress_tab.widget
        self.tabs = widgets.Tab(children=[self.practice, self.progress])
        self.tabs.titles = ("Practice", "My progress")
        self.tabs.layout.display = "none"
        self.widget = widgets.VBox(
            [widgets.HTML(STYLE), self.status, self.sign_in.widget, self.tabs]
        )

        self.module_picker.observe(self._on_module, names="value")
        self.vignette_picker.observe(self._on_vignette, names="value")
        self.submit_button.on_click(self._on_submit)
        self.exemplars_button.on_click(self._on_exemplars)
        self.next_button.on_click(self._on_next)
        self.refresh_button.on_click(self._on_refresh)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._fill_vignettes(self.module_picker.value)

    @property
    def store(self) -> Store:
        """The store, opened on first use."""
        if callable(self._store):
            self._store = self._store()
        return self._store

    # -- callbacks ----------------------------------------------------------------------------

    def _target(self) -> widgets.HTML:
        return self.message if self.trainee else self.status

    def _signed_in(
        self, trainee: TraineeRecord, workshop: WorkshopRecord | None, new_code: str | None
    ) -> None:
        self.trainee = trainee
        self.workshop = workshop
        if workshop is not None:
            self._limit_to_workshop(workshop)
        name = trainee.display_name
        history = self.store.attempts(trainee_id=trainee.id)
        self.attempted = {a.vignette_id for a in history}
        self.submissions = Counter(a.vignette_id for a in history)
        greeting = (
            f"Welcome back, {name}: {len(history)} earlier attempt"
            f"{'s' if len(history) != 1 else ''} found."
            if history
            else f"Welcome, {name}. Read the client's words and respond."
        )
        if workshop is not None:
            greeting += f" You are in the workshop '{workshop.name}'."
            if workshop.seconds_per_vignette:
                minutes = max(1, round(workshop.seconds_per_vignette / 60))
                greeting += f" Allow about {minutes} min per vignette."
        self.status.value = message(greeting, "ok") + (
            personal_code_notice(new_code) if new_code else ""
        )
        self._show_vignette()  # first: the box has its draft key before it can be typed in
        self.sign_in.widget.layout.display = "none"
        self.tabs.layout.display = None
        self.practice.layout.display = None

    def _on_module(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self._target())
        def run() -> None:
            self._fill_vignettes(change["new"])

        run()

    def _on_vignette(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self._target())
        def run() -> None:
            if change["new"]:
                leaving = self.vignette.id if self.vignette else None
                self.vignette = self.library.vignette(change["new"])
                self.drafts.switch(leaving, self.vignette.id)
                self._show_vignette()

        run()

    def _on_submit(self, _: Any = None) -> None:
        @guarded(lambda: self.message)
        def run() -> None:
            self.submit(self.response_box.value)

        run()

    def _on_exemplars(self, _: Any = None) -> None:
        @guarded(lambda: self.message)
        def run() -> None:
            if self.vignette is None:
                return
            if self.workshop is not None:
                current = self.store.workshop(self.workshop.id)
                if current is None or not current.exemplars_released:
                    self.message.value = message(
                        "Your supervisor will release the model responses to the room for "
                        "discussion.",
                        "hint",
                    )
                    return
            self.exemplars.value = exemplars_card(self.vignette)

        run()

    def _on_next(self, _: Any = None) -> None:
        @guarded(lambda: self.message)
        def run() -> None:
            history = self._history()
            suggestion = choose_next(
                self.library,
                [(a.vignette_id, a.assessment) for a in history],
                current=self.vignette.id if self.vignette else None,
                targets=self.targets,
            )
            self.select(suggestion.vignette.id)
            self.message.value = message(suggestion.reason, "hint")

        run()

    def _on_refresh(self, _: Any = None) -> None:
        @guarded(lambda: self.message)
        def run() -> None:
            self.refresh_progress()

        run()

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 1:
            self._on_refresh()

    # -- actions (also used by tests) --------------------------------------------------------

    def select(self, vignette_id: str) -> None:
        """Show this vignette (switching module if needed)."""
        vignette = self.library.vignette(vignette_id)
        if self.module_picker.value != vignette.module_id:
            self.module_picker.value = vignette.module_id
        self.vignette_picker.value = vignette.id

    def submit(self, text: str) -> Assessment | None:
        """Score and store a response; the text stays in the box whatever happens."""
        text = clean_text(text)
        if self.trainee is None or self.vignette is None:
            self.message.value = message("Sign in with your name first.", "hint")
            return None
        if not text.strip():
            self.message.value = message(
                "Type a response first: what would you say back to the client?", "hint"
            )
            return None
        if self._workshop_ended():
            return None
        if len(text) > MAX_RESPONSE_CHARS:
            self.message.value = message(
                f"Your response is {len(text):,} characters; the limit is "
                f"{MAX_RESPONSE_CHARS:,}. Shorten it and submit again (your text is still "
                "in the box).",
                "error",
            )
            return None
        try:
            assessment = self.score(
                text, vignette=self.vignette, rubric=self.library.rubric_for(self.vignette)
            )
        except InputError as exc:  # empty, too long, not English: said, and the text kept
            self.message.value = message(str(exc), "hint")
            return None
        self.last_assessment = assessment
        from ..scoring.rewrite import stronger_version  # with the scorer, on first use

        rewrite = stronger_version(assessment, vignette=self.vignette)
        self.feedback.value = assessment_card(assessment, rewrite=rewrite)
        self.exemplars_button.disabled = False
        self.attempted.add(self.vignette.id)
        self.drafts.submitted(self.vignette.id)
        try:
            self.store.record_attempt(
                self.trainee.id,
                vignette_id=self.vignette.id,
                module_id=self.vignette.module_id,
                response=text,
                assessment=assessment,
                workshop_id=self.workshop.id if self.workshop else None,
                client_attempt_id=self._attempt_key(text),
            )
        except WorkshopEndedError:
            self._workshop_ended(ended=True)
            return assessment
        except StorageError as exc:
            self.message.value = message(
                f"Your feedback is below, but this attempt could not be saved: {exc} "
                "Your response is still in the box; copy it somewhere safe.",
                "error",
            )
            return assessment
        self.submissions[self.vignette.id] += 1
        self.drafts.label(self.trainee.id, self.vignette.id, self.submissions[self.vignette.id])
        self.message.value = message(
            "Saved. Edit your response and submit again, or show the model responses.", "ok"
        )
        return assessment

    def _workshop_ended(self, *, ended: bool = False) -> bool:
        """Whether the trainee's workshop has ended; if so, say that their answers are kept."""
        if self.workshop is None:
            return False
        if not ended:
            current = self.store.workshop(self.workshop.id)
            ended = current is None or current.closed
        if ended:
            self.submit_button.disabled = True
            self.message.value = message(WorkshopEndedError.MESSAGE, "hint")
            self.status.value = message(
                f"The workshop '{self.workshop.name}' has ended; your answers are saved.", "hint"
            )
        return ended

    def _attempt_key(self, text: str) -> str:
        """The same text submitted again for the same vignette on this page is one attempt."""
        assert self.trainee is not None and self.vignette is not None
        parts = (self._page, str(self.trainee.id), self.vignette.id, text)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

    def refresh_progress(self) -> None:
        """Redraw the progress tab from the store."""
        attempts = in_order(
            AttemptSummary(a.created_at, a.module_id, a.vignette_id, a.assessment)
            for a in self._history()
        )
        self.progress_summary.value = f"<p>{escape(summary_line(attempts))}</p>"
        self.progress_chart.layout.display = None if attempts else "none"
        if not attempts:
            self.progress_table.value = ""
            return
        charted = (len(attempts), attempts[-1].time)
        if charted != self._charted:  # drawing three charts is the slow part of a refresh
            for image, png in zip(
                self.progress_images, progress_charts(attempts, self.library), strict=True
            ):
                image.value = png
            self._charted = charted
        rows = "".join(
            f"<tr><td>{escape(m.module)}</td><td>{m.attempts}</td><td>{m.mean_level:.1f}</td>"
            f"<td>{m.best_level}</td></tr>"
            for m in by_module(attempts, self.library)
        )
        top = ", ".join(f"{escape(r)} ({n})" for r, n in roadblock_counts(attempts)[:3])
        self.progress_table.value = (
            "<table class='et-table'><tr><th>Module</th><th>Attempts</th><th>Mean level</th>"
            f"<th>Best</th></tr>{rows}</table><p>Roadblocks you use most: {top or 'none'}.</p>"
        )

    # -- internals ----------------------------------------------------------------------------

    def _history(self) -> list[Any]:
        if self.trainee is None:
            return []
        return list(self.store.attempts(trainee_id=self.trainee.id))

    def _limit_to_workshop(self, workshop: WorkshopRecord) -> None:
        known = {v.id for v in self.library.vignettes}
        chosen = [self.library.vignette(v) for v in workshop.vignette_ids if v in known]
        self.module_picker.layout.display = "none"
        self.next_button.layout.display = "none"
        self.vignette_picker.options = [(v.title, v.id) for v in chosen]
        if chosen:
            self.vignette_picker.value = chosen[0].id

    def _fill_vignettes(self, module_id: str) -> None:
        module = self.library.module(module_id)
        self.vignette_picker.options = [(v.title, v.id) for v in module.vignettes]
        if module.vignettes:
            self.vignette_picker.value = module.vignettes[0].id

    def _show_vignette(self) -> None:
        if self.vignette is None:
            return
        self.card.value = vignette_card(self.vignette)
        if self.trainee is not None:
            vignette_id = self.vignette.id
            self.drafts.label(self.trainee.id, vignette_id, self.submissions[vignette_id])
        self.feedback.value = ""
        self.exemplars.value = ""
        self.message.value = ""
        self.exemplars_button.disabled = self.vignette.id not in self.attempted
