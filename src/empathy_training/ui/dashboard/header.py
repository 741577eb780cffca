"""The open workshop's bar: how to join, and the supervisor's actions (projector, release, end)."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import segno

from ...storage import WorkshopRecord


def join_qr(url: str, *, scale: int) -> str:
    """The URL as an inline SVG QR code (drawn here, nothing fetched)."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2))


def join_bar(workshop: WorkshopRecord, trainee_url: str | None) -> str:
    """One line for the supervisor: the workshop, where to go, the code; or that it ended."""
    qr = join_qr(trainee_url, scale=2) if trainee_url and not workshop.closed else ""
    count = len(workshop.vignette_ids)
    facts = f"{count} vignette{'s' if count != 1 else ''}"
    if workshop.seconds_per_vignette:
        facts += f", about {max(1, round(workshop.seconds_per_vignette / 60))} min each"
    if workshop.closed:
        when = (
            f" at {workshop.ended_at.astimezone():%H:%M}" if workshop.ended_at is not None else ""
        )
        how = (
            f"<span class='et-ended-note'>Ended{when}: the code admits no one and no new "
            "answers are taken; every answer is kept.</span>"
        )
    else:
        where = f"open <b class='et-bar-url'>{escape(trainee_url)}</b> and " if trainee_url else ""
        how = (
            f"<span>Trainees {where}enter</span> "
            f"<span class='et-bar-code'>{escape(workshop.join_code)}</span>"
        )
    return (
        "<div class='et-bar' role='region' aria-label='How to join'>"
        f"{qr}<div><div class='et-bar-name'>{escape(workshop.name)} "
        f"<span class='et-small'>({facts})</span></div><div>{how}</div></div></div>"
    )


class WorkshopHeader:
    """The join bar and the buttons that act on the whole workshop."""

    def __init__(self) -> None:
        self.join = widgets.HTML()
        self.projector_toggle = widgets.ToggleButton(
            description="Projector view",
            tooltip="Full screen for the room: large type, no names, no controls",
            layout=widgets.Layout(width="auto"),
        )
        self.release_button = widgets.Button(
            description="Release model responses to the room",
            tooltip="Trainees can then open the model responses",
            layout=widgets.Layout(width="auto"),
        )
        self.end_button = widgets.Button(
            description="End workshop",
            tooltip="Trainees can no longer join or send answers; every answer is kept",
            button_style="danger",
            layout=widgets.Layout(width="auto"),
        )
        self.confirm_text = widgets.HTML()
        self.confirm_end_button = widgets.Button(
            description="Yes, end it now",
            button_style="danger",
            layout=widgets.Layout(width="auto"),
        )
        self.cancel_end_button = widgets.Button(
            description="No, keep it running", layout=widgets.Layout(width="auto")
        )
        self.confirm = widgets.HBox(
            [self.confirm_text, self.confirm_end_button, self.cancel_end_button],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center"),
        )
        self.confirm.add_class("et-confirm")
        self.actions = widgets.HBox(
            [self.projector_toggle, self.release_button, self.end_button],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.widget = widgets.VBox([self.join, self.actions, self.confirm])

    def draw(self, workshop: WorkshopRecord, trainee_url: str | None) -> None:
        """Show this workshop: its join bar and the buttons its state allows."""
        self.join.value = join_bar(workshop, trainee_url)
        released = workshop.exemplars_released
        self.release_button.description = (
            "Hide model responses from the room"
            if released
            else "Release model responses to the room"
        )
        self.release_button.button_style = "" if released else "success"
        self.end_button.layout.display = "none" if workshop.closed else None
        if workshop.closed:
            self.ask_to_end(None)

    def ask_to_end(self, workshop: WorkshopRecord | None) -> None:
        """Ask whether to end this workshop (None: stop asking)."""
        if workshop is None:
            self.confirm.layout.display = "none"
            self.confirm_text.value = ""
            return
        self.confirm_text.value = (
            f"<b>End '{escape(workshop.name)}' for everyone?</b> Trainees can no longer join "
            "or send answers, and see that it has ended. Every answer stays saved."
        )
        self.confirm.layout.display = None
