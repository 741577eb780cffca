"""The feed: every answer as it arrives, with the trainee's name, newest first."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ...models import Library
from ..cards import message
from .state import Room, title_of

#: Submissions listed in the live feed, newest first.
FEED_LENGTH = 60


def feed_html(room: Room, library: Library, length: int = FEED_LENGTH) -> str:
    """The newest `length` answers, names and responses escaped."""
    names = room.names()
    newest = room.submissions[::-1][:length]
    if not newest:
        return message("No answers yet. They appear here as they arrive.")
    items = []
    for s in newest:
        level = s.assessment.hrq_level
        name = names.get(s.trainee_id, f"trainee #{s.trainee_id}")
        items.append(
            "<div class='et-feed-item'>"
            f"<b>{escape(name)}</b> &middot; {escape(title_of(library, s.vignette_id))} "
            f"&middot; <span class='et-level et-l{level}'>Level {level}</span> "
            + (
                "<span class='et-safety' title='This response could add to the risk the client "
                "hinted at: talk it through with the trainee.'>Safety error</span> "
                if s.assessment.risk_handled == "safety_error"
                else ""
            )
            + f"<span class='et-small'>{s.created_at.astimezone():%H:%M:%S}</span>"
            f"<div class='et-response'>{escape(s.response)}</div></div>"
        )
    unsafe = sum(1 for s in room.submissions if s.assessment.risk_handled == "safety_error")
    alert = (
        f"<div class='et-message et-error' role='alert'>{unsafe} answer"
        f"{'s' if unsafe != 1 else ''} with a safety error: look for the red flag below.</div>"
        if unsafe
        else ""
    )
    more = len(room.submissions) - len(newest)
    tail = f"<p class='et-small'>and {more} earlier (see the export)</p>" if more > 0 else ""
    return f"{alert}<div class='et-feed'>{''.join(items)}{tail}</div>"


class Feed:
    """The answers as they arrive, in a column of its own."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.widget = widgets.VBox(
            [widgets.HTML("<div class='et-section'>Answers, newest first</div>"), self.html],
            layout=widgets.Layout(flex="2 1 20rem", min_width="0"),
        )

    def draw(self, room: Room) -> None:
        """Redraw from the room."""
        self.html.value = feed_html(room, self.library)
