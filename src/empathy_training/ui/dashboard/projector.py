"""The projector: the supervisor ticks responses; the room sees them full screen, without names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as widgets

from ...models import Library
from ...projector import AnonymisedResponse, ProjectorSlide, candidates, projector_slide
from ...workshop import latest_attempts, room_summary
from ..callbacks import guarded
from ..cards import message
from .header import join_qr
from .state import Room, title_of


def slide_html(slide: ProjectorSlide) -> str:
    """The slide in large type: no names, no controls, no instructions for the supervisor."""
    parts = ["<div class='et-slide' role='region' aria-label='Projector'>"]
    if slide.invites_joining:
        qr = join_qr(slide.join_url, scale=10) if slide.join_url else ""
        where = f"<div>Open <b>{escape(slide.join_url)}</b></div>" if slide.join_url else ""
        parts.append(
            f"<div class='et-slide-title'>{escape(slide.workshop_name)}</div>"
            f"<div class='et-slide-join'>{qr}<div>{where}<div>and enter the code</div>"
            f"<div class='et-slide-code'>{escape(slide.join_code)}</div></div></div>"
            f"<div class='et-slide-progress'>{escape(slide.progress)}</div></div>"
        )
        return "".join(parts)
    if slide.vignette is not None:
        parts.append(
            f"<div class='et-slide-title'>{escape(slide.vignette.title)}</div>"
            f"<blockquote class='et-slide-quote'>&ldquo;{escape(slide.vignette.statement)}"
            "&rdquo;</blockquote>"
        )
    parts.append(f"<div class='et-slide-progress'>{escape(slide.progress)}</div>")
    if slide.responses:
        items = "".join(f"<li>{escape(text)}</li>" for text in slide.responses)
        parts.append(f"<ol>{items}</ol>")
    if slide.exemplars:
        models = "".join(
            f"<li><span class='et-level et-l{e.level}'>{e.level}</span> {escape(e.text)}</li>"
            for e in slide.exemplars
        )
        parts.append(f"<div class='et-slide-models'><b>Model responses</b><ul>{models}</ul></div>")
    if slide.ended:
        parts.append(
            "<div class='et-slide-foot et-slide-ended'>This workshop has ended. "
            "Your answers are saved.</div>"
        )
    else:
        where = f"{escape(slide.join_url)} &middot; " if slide.join_url else ""
        parts.append(
            f"<div class='et-slide-foot'>Join: {where}code <b>{escape(slide.join_code)}</b></div>"
        )
    parts.append("</div>")
    return "".join(parts)


class ProjectorPanel:
    """The supervisor's side: which vignette, and which of its responses the room sees."""

    def __init__(self, library: Library, on_change: Callable[[], None]) -> None:
        self.library = library
        self.on_change = on_change
        self.picker = widgets.Dropdown(
            description="Vignette", layout=widgets.Layout(width="100%", max_width="30rem")
        )
        self.choices = widgets.VBox([], layout=widgets.Layout(width="100%"))
        self.status = widgets.HTML()
        self._none = widgets.HTML(message("No responses to this vignette yet."))
        self._boxes: dict[int, widgets.Checkbox] = {}
        self._rows: dict[int, widgets.HBox] = {}
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<div class='et-small'>Tick the responses to discuss. The projector view "
                    "shows them full screen in large type, without names, in an order that "
                    "does not give away who answered first.</div>"
                ),
                self.picker,
                self.status,
                self.choices,
            ]
        )

    def reset(self, vignette_ids: Sequence[str]) -> None:
        """Offer these vignettes and forget every tick (the caller keeps callbacks quiet)."""
        for row in self._rows.values():
            _close(row)
        self._boxes, self._rows = {}, {}
        options = [(title_of(self.library, v), v) for v in vignette_ids]
        current = self.picker.value
        self.picker.options = options
        self.picker.value = (
            current if current in vignette_ids else (options[0][1] if options else None)
        )

    def responses(self, room: Room) -> list[AnonymisedResponse]:
        """The latest response of each trainee to the chosen vignette, anonymised."""
        if not self.picker.value:
            return []
        return candidates(room.workshop.id, self.picker.value, room.submissions)

    def chosen(self, room: Room) -> list[AnonymisedResponse]:
        """The ticked responses, in their anonymised order."""
        return [
            r
            for r in self.responses(room)
            if r.attempt_id in self._boxes and self._boxes[r.attempt_id].value
        ]

    def choose(self, attempt_ids: Sequence[int]) -> None:
        """Tick exactly these responses."""
        wanted = set(attempt_ids)
        for attempt_id, box in self._boxes.items():
            box.value = attempt_id in wanted

    def draw(self, room: Room) -> None:
        """One row per latest response; a superseded response's row goes."""
        current = {a.id for a in latest_attempts(room.submissions)}
        for attempt_id in [i for i in self._boxes if i not in current]:
            _close(self._rows.pop(attempt_id))
            del self._boxes[attempt_id]
        rows: list[widgets.Widget] = []
        for response in self.responses(room):
            if response.attempt_id not in self._boxes:
                box = widgets.Checkbox(
                    value=False, indent=False, description="", layout=widgets.Layout(width="2rem")
                )
                box.observe(self._on_tick, names="value")
                self._boxes[response.attempt_id] = box
                row = widgets.HBox(
                    [box, widgets.HTML(f"<div class='et-response'>{escape(response.text)}</div>")]
                )
                row.add_class("et-projector-choice")
                self._rows[response.attempt_id] = row
            rows.append(self._rows[response.attempt_id])
        self.choices.children = rows or [self._none]
        ticked = sum(1 for r in self.chosen(room))
        self.status.value = (
            f"<div class='et-small'>{ticked} of {len(rows)} ticked for the projector.</div>"
            if rows
            else ""
        )

    def _on_tick(self, _: dict[str, Any]) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.on_change()

        run()


class ProjectorScreen:
    """The room's view: the whole window, large type, one small way back for the supervisor."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.slide = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.exit_button = widgets.Button(
            description="Back to dashboard",
            tooltip="Leave the projector view",
            layout=widgets.Layout(width="auto"),
        )
        self.exit_button.add_class("et-exit")
        self.widget = widgets.VBox(
            [self.slide, self.exit_button], layout=widgets.Layout(display="none")
        )
        self.widget.add_class("et-projector-screen")

    @property
    def shown(self) -> bool:
        """Whether the screen covers the dashboard."""
        return bool(self.widget.layout.display != "none")

    def show(self, on: bool) -> None:
        """Cover the dashboard, or uncover it."""
        self.widget.layout.display = None if on else "none"

    def draw(
        self,
        room: Room,
        vignette_id: str | None,
        chosen: Sequence[AnonymisedResponse],
        trainee_url: str | None,
    ) -> None:
        """Redraw the slide for this vignette and these chosen responses."""
        try:
            vignette = self.library.vignette(vignette_id) if vignette_id else None
        except KeyError:
            vignette = None
        # a vignette outside the workshop's list still shows how many joined
        summary = room.summary(vignette_id) or room_summary(vignette_id or "", (), room.trainees)
        slide = projector_slide(room.workshop, vignette, summary, chosen, join_url=trainee_url)
        self.slide.value = slide_html(slide)


def _close(box: widgets.Box) -> None:
    """Close a box and its children, so the page drops them too."""
    for child in box.children:
        child.close()
    box.close()
