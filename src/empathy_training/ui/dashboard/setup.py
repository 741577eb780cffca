"""Setting a workshop up: its name, its vignettes (whole modules or a short list), its pace."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets as widgets

from ...models import Library
from ...storage import WorkshopRecord
from ...workshop_plan import choose_vignettes
from ..callbacks import guarded

#: Longest a minute limit per vignette can be.
MAX_MINUTES_PER_VIGNETTE = 240
#: Vignettes the live overview shows on one screen; more are allowed, with a note.
ONE_SCREEN_VIGNETTES = 8


class VignetteChooser:
    """Pick a whole module, or any short list of vignettes; starts on the first module."""

    def __init__(self, library: Library, *, label: str = "Vignettes") -> None:
        self.library = library
        label_style = {"description_width": "initial"}
        self.module = widgets.Dropdown(
            description="Whole module",
            options=[("(choose a module)", "")]
            + [(f"{m.title} ({len(m.vignettes)})", m.id) for m in library.modules],
            value="",
            style=label_style,
            layout=widgets.Layout(width="100%", max_width="30rem"),
        )
        self.vignettes = widgets.SelectMultiple(
            description=label,
            options=[(f"{m.title}: {v.title}", v.id) for m in library.modules for v in m.vignettes],
            value=choose_vignettes(library),
            rows=9,
            style=label_style,
            layout=widgets.Layout(width="100%", max_width="44rem"),
        )
        self.chosen = widgets.HTML()
        self.widget = widgets.VBox(
            [
                self.module,
                self.vignettes,
                widgets.HTML(
                    "<div class='et-small'>Ctrl-click (Cmd on a Mac) adds or removes one "
                    "vignette; trainees meet them in this order.</div>"
                ),
                self.chosen,
            ]
        )
        self.module.observe(self._on_module, names="value")
        self.vignettes.observe(self._on_vignettes, names="value")
        self._say()

    @property
    def value(self) -> tuple[str, ...]:
        """The chosen vignette ids, in the library's order."""
        return tuple(self.vignettes.value)

    def choose(self, vignette_ids: Sequence[str]) -> None:
        """Show these vignettes as chosen."""
        known = {value for _, value in self.vignettes.options}
        self.vignettes.value = tuple(v for v in vignette_ids if v in known)

    def choose_module(self, module_id: str) -> None:
        """Choose every vignette of the module, and nothing else."""
        self.choose(choose_vignettes(self.library, module_ids=[module_id]))

    def _on_module(self, change: dict[str, Any]) -> None:
        @guarded(lambda: self.chosen)
        def run() -> None:
            if change["new"]:
                self.choose_module(change["new"])

        run()

    def _on_vignettes(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.chosen)
        def run() -> None:
            module = self.library.module(self.module.value) if self.module.value else None
            if module is not None and self.value != tuple(v.id for v in module.vignettes):
                self.module.value = ""  # the list no longer is that module
            self._say()

        run()

    def _say(self) -> None:
        count = len(self.value)
        crowded = (
            f" More than {ONE_SCREEN_VIGNETTES} no longer fit the live overview on one screen."
            if count > ONE_SCREEN_VIGNETTES
            else ""
        )
        self.chosen.value = (
            f"<div class='et-small'><b>{count} vignette{'s' if count != 1 else ''} chosen.</b>"
            f"{escape(crowded)}</div>"
        )


class WorkshopSetup:
    """A new workshop (name, vignettes, minutes per vignette), or one created before."""

    def __init__(self, library: Library) -> None:
        label = {"description_width": "initial"}
        self.name = widgets.Text(
            description="Workshop name",
            placeholder="e.g. Ward 4 team, March",
            style=label,
            layout=widgets.Layout(width="100%", max_width="30rem"),
        )
        self.chooser = VignetteChooser(library)
        self.minutes = widgets.BoundedIntText(
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
        self.picker = widgets.Dropdown(
            description="Workshop",
            options=[],
            value=None,
            layout=widgets.Layout(width="100%", max_width="30rem"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML("<div class='et-section'>Open a workshop</div>"),
                self.picker,
                widgets.HTML("<div class='et-section'>Or create a new one</div>"),
                self.name,
                self.chooser.widget,
                widgets.HBox(
                    [self.minutes, self.create_button], layout=widgets.Layout(flex_flow="row wrap")
                ),
            ]
        )

    def list_workshops(self, workshops: Sequence[WorkshopRecord]) -> None:
        """Offer these workshops in the picker, newest first (without choosing one)."""
        self.picker.options = [
            (f"{w.name} ({w.join_code}){' - ended' if w.closed else ''}", w.id)
            for w in reversed(workshops)
        ]


class VignettesPanel:
    """The open workshop's vignettes, changed while it runs."""

    def __init__(self, library: Library) -> None:
        self.chooser = VignetteChooser(library, label="Vignettes")
        self.save_button = widgets.Button(
            description="Use these vignettes",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<div class='et-small'>The workshop's vignettes. Trainees who join or "
                    "reload from now on see the new list; answers already given stay.</div>"
                ),
                self.chooser.widget,
                widgets.HBox([self.save_button]),
            ]
        )

    def show(self, workshop: WorkshopRecord) -> None:
        """Show this workshop's vignettes as chosen; nothing to change once it has ended."""
        self.chooser.module.value = ""
        self.chooser.choose(workshop.vignette_ids)
        self.save_button.disabled = workshop.closed
