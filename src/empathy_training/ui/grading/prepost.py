"""The pre/post tab: the change between two occasions for the same trainees."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ...agreement import AUTOMATIC
from ...batches import answer_levels, load_batch
from ...errors import InputError
from ...prepost import PrePostResult, prepost, prepost_chart
from ..callbacks import guarded
from ..cards import message
from .html import cell, head
from .state import GradingState


class PrePostPanel:
    """Choose a pre-test and a post-test (stored uploads or workshops) and whose levels count;
    Compare shows the cohort's change, a chart and the change per trainee."""

    def __init__(self, state: GradingState) -> None:
        self.state = state
        self.last: PrePostResult | None = None
        """The last comparison shown."""
        wide = widgets.Layout(width="auto", max_width="72rem")
        picker = widgets.Layout(width="auto", max_width="34rem")
        self.pre_picker = widgets.Dropdown(description="Pre", layout=picker)
        self.post_picker = widgets.Dropdown(description="Post", layout=picker)
        self.levels_from = widgets.Dropdown(
            description="Levels from", options=[("automatic scorer", AUTOMATIC)]
        )
        self.compare_button = widgets.Button(description="Compare", button_style="primary")
        self.summary = widgets.HTML(layout=wide)
        # Hidden until there is a chart: an empty image shows as a broken one.
        self.chart = widgets.Image(
            format="png", layout=widgets.Layout(max_width="100%", display="none")
        )
        self.table = widgets.HTML(layout=wide)
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<p>Two test occasions for the same trainees (matched by name): the change "
                    "per trainee, the cohort's mean change and effect size.</p>"
                ),
                self.pre_picker,
                self.post_picker,
                widgets.HBox(
                    [self.levels_from, self.compare_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.summary,
                self.chart,
                self.table,
            ]
        )
        self.compare_button.on_click(self._on_compare)

    def _on_compare(self, _: Any = None) -> None:
        @guarded(lambda: self.summary)
        def run() -> None:
            if self.pre_picker.value is None or self.post_picker.value is None:
                self.summary.value = message("Choose the pre-test and the post-test first.", "hint")
                return
            self.compare(
                int(self.pre_picker.value),
                int(self.post_picker.value),
                levels_from=str(self.levels_from.value),
            )

        run()

    def set_occasions(self, options: list[tuple[str, int]]) -> None:
        """Offer these stored uploads and workshops, keeping the ones chosen."""
        values = [v for _, v in options]
        for picker in (self.pre_picker, self.post_picker):
            current = picker.value
            picker.options = options
            picker.value = current if current in values else None

    def set_raters(self, raters: list[str]) -> None:
        """Offer the levels of the automatic scorer or of one of these raters."""
        current = self.levels_from.value
        options = [("automatic scorer", AUTOMATIC)] + [(f"rater {r}", r) for r in raters]
        self.levels_from.options = options
        self.levels_from.value = current if current in [v for _, v in options] else AUTOMATIC

    def compare(self, pre_id: int, post_id: int, *, levels_from: str = AUTOMATIC) -> PrePostResult:
        """Pre/post change between two workshops or stored uploads; shows result and chart."""
        if pre_id == post_id:
            raise InputError("Choose two different occasions for pre and post.")
        pre, post = (self._levels(i, levels_from) for i in (pre_id, post_id))
        result = prepost(pre, post, trainee="trainee", level="level")
        self.last = result
        notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
        unmatched = ""
        if result.unmatched_pre or result.unmatched_post:
            unmatched = (
                "<p class='et-small'>Only before: "
                f"{escape(', '.join(result.unmatched_pre) or 'none')}. Only after: "
                f"{escape(', '.join(result.unmatched_post) or 'none')}.</p>"
            )
        self.summary.value = f"<p>{escape(result.summary())}</p>{unmatched}" + (
            f"<ul class='et-small'>{notes}</ul>" if notes else ""
        )
        self.chart.value = prepost_chart(result)
        self.chart.layout.display = None
        columns = ["Trainee", "Pre", "Post", "Change", "Responses pre", "Responses post"]
        body = "".join(
            "<tr>"
            + "".join(
                cell(value, label)
                for value, label in zip(
                    [
                        escape(str(r.trainee)),
                        f"{r.pre:.2f}",
                        f"{r.post:.2f}",
                        f"{r.change:+.2f}",
                        str(r.n_pre),
                        str(r.n_post),
                    ],
                    columns,
                    strict=True,
                )
            )
            + "</tr>"
            for r in result.per_trainee.itertuples(index=False)
        )
        self.table.value = (
            f"<div class='et-scroll'><table class='et-grades'>{head(columns)}{body}</table></div>"
            if body
            else ""
        )
        return result

    def _levels(self, workshop_id: int, levels_from: str) -> pd.DataFrame:
        """Trainee and level of each answer on one occasion: the scorer's, or one rater's."""
        store = self.state.store
        workshop = store.workshop(workshop_id)
        if workshop is None:
            raise InputError(f"There is no workshop with id {workshop_id}.")
        batch = load_batch(store, workshop.id, workshop.name, self.state.library)
        if levels_from == AUTOMATIC:
            levels = list(pd.to_numeric(batch.graded["hrq_level"], errors="coerce"))
        else:
            ids = [i for i in batch.attempt_ids if i is not None]
            given = {r.attempt_id: r.hrq_level for r in store.ratings(ids, rater=levels_from)}
            levels = [given.get(i) if i is not None else None for i in batch.attempt_ids]
        return answer_levels(batch, levels)
