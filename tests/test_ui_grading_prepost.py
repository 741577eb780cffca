"""The grading app's pre/post tab: the change between two uploads or two workshops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.storage import Store

from grading_ui import DATA, PNG, grading_store, rate, scored, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def test_pre_post_between_two_uploads(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "pre.csv", (DATA / "pre.csv").read_bytes())
    scored(app, "post.csv", (DATA / "post.csv").read_bytes())
    pre, post = (w.id for w in store.workshops())
    app.tabs.selected_index = 3
    panel = app.prepost
    assert panel.chart.layout.display == "none"  # no empty, broken-looking image
    panel.pre_picker.value = pre
    panel.post_picker.value = post
    panel.compare_button.click()
    result = panel.last
    assert result is not None and result.n_paired == 3  # Ana (as 'ana'), Ben, Cy
    assert result.unmatched_pre == ("Di",) and result.unmatched_post == ("Ed",)
    assert result.mean_change > 0
    assert "3 trainees on both occasions" in panel.summary.value
    assert "Only before: Di" in panel.summary.value
    assert bytes(panel.chart.value).startswith(PNG) and panel.chart.layout.display != "none"
    assert "<td data-label='Trainee'>Ana</td>" in panel.table.value
    panel.pre_picker.value = post
    panel.compare_button.click()
    assert "two different occasions" in panel.summary.value


def test_pre_post_with_a_raters_levels(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    scored(app, "pre.csv", (DATA / "pre.csv").read_bytes())
    for position in range(4):
        rate(app, position, 2)
    scored(app, "post.csv", (DATA / "post.csv").read_bytes())
    for position in range(4):
        rate(app, position, 4)
    assert ("rater Ana", "Ana") in app.prepost.levels_from.options
    pre, post = (w.id for w in store.workshops())
    result = app.prepost.compare(pre, post, levels_from="Ana")
    assert (result.mean_pre, result.mean_post) == (2, 4)


def test_pre_post_between_workshops_counts_the_last_answer(store: Store, library: Library) -> None:
    vignette = library.vignettes[0]
    occasions = []
    answers = {
        "before": [("Sam", "Don't worry about it."), ("Kim", "Read the leaflet.")],
        "after": [
            ("Sam", "Don't worry about it."),
            ("Sam", "You're confused because each inhaler works differently."),  # a retry
            ("Kim", "You're confused because each inhaler works differently."),
        ],
    }
    for name, rows in answers.items():
        workshop = store.create_workshop(name, [vignette.id])
        for trainee, text in rows:
            store.record_attempt(
                store.trainee(trainee, workshop.id).id,
                vignette_id=vignette.id,
                module_id=vignette.module_id,
                response=text,
                assessment=score_response(text, vignette=vignette),
                workshop_id=workshop.id,
            )
        occasions.append(workshop.id)
    app = unlocked(store, library)
    result = app.prepost.compare(*occasions)
    table = result.per_trainee.set_index("trainee")
    assert table.loc["Sam", "n_post"] == 1  # the retry replaced the first answer
    assert table.loc["Sam", "post"] == table.loc["Kim", "post"] >= 3
