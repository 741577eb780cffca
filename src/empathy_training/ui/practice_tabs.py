"""The practice app's two tabs as widgets: answering a vignette, and the trainee's progress."""

from __future__ import annotations

import ipywidgets as widgets

from ..models import Library


class PracticeTab:
    """Picking a vignette, its card, the response box and its buttons, message and feedback."""

    def __init__(self, library: Library) -> None:
        full = widgets.Layout(width="100%", max_width="52rem")
        self.module_picker = widgets.Dropdown(
            description="Module",
            style={"description_width": "initial"},
            options=[(m.title, m.id) for m in library.modules],
            layout=widgets.Layout(width="100%", max_width="24rem"),
        )
        self.vignette_picker = widgets.Dropdown(
            description="Vignette",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", max_width="30rem"),  # the longest title fits
        )
        self.card = widgets.HTML(layout=full)
        self.response_box = widgets.Textarea(
            placeholder="Type what you would say to the client…",
            description="Your response",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", max_width="52rem", height="7rem"),
        )
        self.response_box.add_class("et-stack")
        self.submit_button = widgets.Button(
            description="Submit", button_style="primary", tooltip="Score this response"
        )
        self.exemplars_button = widgets.Button(
            description="Show model responses",
            disabled=True,
            tooltip="Available after your first attempt at this vignette",
            layout=widgets.Layout(width="auto"),
        )
        self.next_button = widgets.Button(
            description="Next vignette",
            tooltip="A vignette chosen for what you missed most",
            layout=widgets.Layout(width="auto"),
        )
        self.message = widgets.HTML()
        self.feedback = widgets.HTML(layout=full)
        self.exemplars = widgets.HTML(layout=full)
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [self.module_picker, self.vignette_picker],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.card,
                self.response_box,
                widgets.HBox(
                    [self.submit_button, self.exemplars_button, self.next_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.message,
                self.feedback,
                self.exemplars,
            ],
            layout=widgets.Layout(display="none"),
        )


class ProgressTab:
    """A refresh button, a summary line, three charts (hidden until drawn) and a table."""

    def __init__(self) -> None:
        self.progress_summary = widgets.HTML()
        self.progress_images = [
            widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="400px"))
            for _ in range(3)
        ]
        self.progress_chart = widgets.HBox(  # hidden until there is something to chart
            self.progress_images, layout=widgets.Layout(flex_flow="row wrap", display="none")
        )
        self.progress_table = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh progress")
        self.widget = widgets.VBox(
            [self.refresh_button, self.progress_summary, self.progress_chart, self.progress_table]
        )
