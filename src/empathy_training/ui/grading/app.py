"""The grader's app: the passcode gate, then the loader and four tabs, wired together."""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as widgets

from ...batches import Batch
from ...errors import InputError
from ...feedback_reports import load_comment_bank
from ...loading import load_library
from ...models import Library
from ...storage import Store, default_database_url
from ..callbacks import guarded
from ..cards import STYLE
from ..gate import GatedApp, PasscodeGate
from .calibration import CalibrationPanel
from .downloads import Downloads
from .html import GRADING_STYLE
from .loader import Loader
from .prepost import PrePostPanel
from .rating import RatingPanel
from .state import GradingState
from .table import ReviewTable

#: The tabs under the loader, in order.
TAB_TITLES = ("Review and rate", "Calibration", "Downloads", "Pre/post")


class GradingApp(GatedApp):
    """The grader's app; nothing but the passcode gate exists until it is unlocked.

    Build with a store and the vignette library. Once unlocked, its components are attributes:
    `loader` (upload, score, open), `table` (review table), `rating` (rating panel),
    `calibration`, `downloads` and `prepost`; `state` is what they share. An upload is stored
    as the attempts of a closed workshop named after the file, so that every rating has an
    attempt, survives a closed page, and a second rater can open the same responses.
    `rater_name` fills the rater box; `blind` starts in blind mode.
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
        self.state = GradingState(store, library)
        self._initial_rater = rater_name
        self._initial_blind = blind
        gate = PasscodeGate(
            store,
            app="Grading",
            shows="Grading shows trainees' names and answers.",
            unlocked_message=(
                "Unlocked. Upload a CSV or Excel file of responses, or open a workshop."
            ),
            on_unlock=self._build,
        )
        self._behind(gate, STYLE + GRADING_STYLE)
        self.widget.add_class("et-grading")

    def _build(self) -> None:
        state = self.state
        self.loader = Loader(state, on_open=self.open_batch, on_stored=self._occasions_changed)
        self.table = ReviewTable(state, on_select=self.select)
        self.rating = RatingPanel(
            state,
            load_comment_bank(),
            rater_name=self._initial_rater,
            blind=self._initial_blind,
            on_saved=self._rated,
            on_rater=self.table.refresh,
            on_blind=self._blind_changed,
        )
        self.calibration = CalibrationPanel(state, on_refresh=self.reload_ratings)
        self.downloads = Downloads(state)
        self.prepost = PrePostPanel(state)
        self.prepost.set_occasions(state.occasions())
        self.tabs = widgets.Tab(
            children=[
                widgets.VBox([self.rating.rater_bar, self.table.widget, self.rating.widget]),
                self.calibration.widget,
                self.downloads.widget,
                self.prepost.widget,
            ]
        )
        self.tabs.titles = TAB_TITLES
        self.main.children = (self.loader.widget, self.tabs)
        self.tabs.observe(self._on_tab, names="selected_index")
        self.table.draw()

    def _on_tab(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            if change["new"] == TAB_TITLES.index("Calibration"):
                self.calibration.draw()
            elif change["new"] == TAB_TITLES.index("Pre/post"):
                self.prepost.set_occasions(self.state.occasions())

        run()

    def open_batch(self, batch: Batch) -> None:
        """Show a batch for rating: its rows, their ratings, no row chosen, the first tab."""
        self.state.open(batch)
        self.table.reset()
        self.rating.show()
        self.calibration.draw()
        self.prepost.set_raters(self.state.raters())
        self.tabs.selected_index = 0

    def select(self, position: int) -> None:
        """Open the row at `position` (from 0, in the loaded table) in the rating panel."""
        if not 0 <= position < len(self.state.table):
            raise InputError(f"There is no row {position + 1}.")
        self.state.selected = position
        self.rating.show()
        self.table.show_selected()

    def reload_ratings(self) -> None:
        """Read every rating of the loaded rows from the store (other raters' included)."""
        self.state.reload_ratings()
        self.prepost.set_raters(self.state.raters())
        self.rating.show()
        self.table.draw()
        self.calibration.draw()

    def _rated(self, levels_changed: bool) -> None:
        if levels_changed:
            self.table.draw()
            self.prepost.set_raters(self.state.raters())  # a first rating adds a rater

    def _blind_changed(self) -> None:
        self.table.draw()
        self.calibration.draw()

    def _occasions_changed(self) -> None:
        self.prepost.set_occasions(self.state.occasions())


def grading_app(db_url: str | None = None, *, rater_name: str = "") -> GradingApp:
    """The grading app on the configured database (EMPATHY_TRAINING_DB or SQLite)."""
    logging.basicConfig(level=logging.WARNING)
    store = Store(db_url or default_database_url())
    return GradingApp(store, load_library(), rater_name=rater_name)
