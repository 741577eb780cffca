"""The dashboard's room: projector screen, ending a workshop, its vignettes, opening at start."""

from __future__ import annotations

from html import unescape

import pytest

from empathy_training.errors import WorkshopEndedError
from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.storage import Store
from empathy_training.ui.dashboard import DashboardApp
from empathy_training.ui.dashboard.setup import ONE_SCREEN_VIGNETTES, VignetteChooser

from dashboards import TRAINEE_URL, apps, first_ids, shown_text, store, submit, unlocked

__all__ = ["apps", "store"]  # fixtures

#: What only the supervisor may see; none of it belongs on the projector.
SUPERVISOR_WORDS = ("Unlocked", "Tick", "Projector view", "End workshop", "Release", "Export")

# --- projector ---------------------------------------------------------------------------


def test_projector_shows_only_ticked_responses_without_names(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    for name, text in [
        ("Ana Alvarez", "You feel worn down by it."),
        ("Ben Brook", "Have you tried a reminder app?"),
        ("Cai Chen", "You should follow the plan."),
    ]:
        submit(store, library, workshop, store.trainee(name, workshop.id), text)
    app.refresh()
    app.projector.picker.value = workshop.vignette_ids[0]
    assert len(app.projector.choices.children) == 3
    choices = shown_text(app.projector.choices)
    assert "worn down" in choices and "Ana Alvarez" not in choices
    boxes = [row.children[0] for row in app.projector.choices.children]
    texts = [row.children[1].value for row in app.projector.choices.children]
    pick = next(i for i, t in enumerate(texts) if "reminder app" in t)
    boxes[pick].value = True
    assert "1 of 3 ticked" in app.projector.status.value
    app.header.projector_toggle.value = True
    assert app.projector_mode and app.screen.shown
    for part in (app.status, app.setup_box, app.room_box):
        assert part.layout.display == "none"  # no supervisor control, heading or message
    slide = app.screen.slide.value
    assert "reminder app" in slide
    assert "worn down" not in slide and "follow the plan" not in slide
    for name in ("Ana", "Ben", "Cai"):
        assert name not in slide
    for word in SUPERVISOR_WORDS:
        assert word not in slide
    vignette = library.vignette(workshop.vignette_ids[0])
    assert vignette.title in slide and "3 of 3" not in slide
    assert "Everyone has answered." in slide
    # a new response arrives: the tick stays put
    submit(store, library, workshop, store.trainee("Dee", workshop.id), "It sounds lonely.")
    app.refresh()
    assert "reminder app" in app.screen.slide.value
    assert "4 of 4" not in app.screen.slide.value and "Everyone" in app.screen.slide.value
    # Ana tries again: only her latest response can be chosen
    ana = store.trainee("Ana Alvarez", workshop.id)
    submit(store, library, workshop, ana, "You feel worn down and alone with it.")
    app.refresh()
    choices = shown_text(app.projector.choices)
    assert len(app.projector.choices.children) == 4
    assert "alone with it" in choices and "worn down by it" not in choices
    app.screen.exit_button.click()  # the one way back, in a corner of the screen
    assert not app.projector_mode and not app.screen.shown
    assert not app.header.projector_toggle.value
    assert app.room_box.layout.display is None and app.status.layout.display is None


def test_an_empty_room_sees_how_to_join_never_that_everyone_answered(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, trainee_url=TRAINEE_URL)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    assert "nobody has joined yet" in app.overview.detail.value
    assert "everyone has answered" not in app.overview.detail.value
    app.show_projector(True)
    slide = app.screen.slide.value
    assert "Nobody has joined yet." in slide and "Everyone" not in slide
    assert workshop.join_code in slide and "<svg" in slide and TRAINEE_URL in slide
    store.trainee("Sam", workshop.id)
    app.refresh()
    slide = app.screen.slide.value
    assert "Nobody has answered yet (1 joined)." in slide
    assert library.vignette(workshop.vignette_ids[0]).title in slide
    assert "<svg" not in slide and workshop.join_code in slide  # a small line for latecomers


def test_released_model_responses_reach_the_projector(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None and not workshop.exemplars_released
    store.trainee("Sam", workshop.id)
    app.show_projector(True)
    exemplar = max(library.vignette(workshop.vignette_ids[0]).exemplars, key=lambda e: e.level)
    assert "Model responses" not in app.screen.slide.value
    assert "Release" in app.header.release_button.description
    app.header.release_button.click()
    stored = store.workshop(workshop.id)
    assert stored is not None and stored.exemplars_released
    assert "Hide" in app.header.release_button.description
    assert exemplar.text in unescape(app.screen.slide.value)
    app.header.release_button.click()
    stored = store.workshop(workshop.id)
    assert stored is not None and not stored.exemplars_released
    assert "Model responses" not in app.screen.slide.value


# --- ending a workshop -------------------------------------------------------------------


def test_end_workshop_asks_first_then_ends_it_and_keeps_every_answer(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, trainee_url=TRAINEE_URL)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    sam = store.trainee("Sam", workshop.id)
    submit(store, library, workshop, sam, "You feel let down.")
    app.refresh()
    assert app.header.confirm.layout.display == "none"
    app.header.end_button.click()
    assert app.header.confirm.layout.display is None
    assert "End 'Ward 4' for everyone?" in unescape(app.header.confirm_text.value)
    app.header.cancel_end_button.click()
    assert app.header.confirm.layout.display == "none"
    assert not store.workshops()[0].closed  # asking is not ending
    app.header.end_button.click()
    app.header.confirm_end_button.click()
    (ended,) = store.workshops()
    assert ended.closed and ended.ended_at is not None
    assert app.workshop == ended and app.header.confirm.layout.display == "none"
    assert "its one answer is kept" in app.status.value
    assert "Ended at" in app.header.join.value and "et-bar-code" not in app.header.join.value
    assert app.header.end_button.layout.display == "none"
    assert "- ended" in str(app.setup.picker.options)
    assert "The workshop has ended." in app.overview.status.value
    assert app.vignettes.save_button.disabled
    with pytest.raises(WorkshopEndedError):
        vignette = library.vignette(workshop.vignette_ids[0])
        store.record_attempt(
            sam.id,
            vignette_id=vignette.id,
            module_id=vignette.module_id,
            response="One more.",
            assessment=score_response("One more.", vignette=vignette),
            workshop_id=workshop.id,
        )
    assert [a.response for a in store.attempts(workshop_id=workshop.id)] == ["You feel let down."]
    assert "You feel let down." in app.feed.html.value  # still on the dashboard
    app.show_projector(True)
    assert "This workshop has ended. Your answers are saved." in app.screen.slide.value
    assert workshop.join_code not in app.screen.slide.value


def test_a_workshop_ended_on_another_page_shows_as_ended(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    store.close_workshop(workshop.id)
    app.refresh()
    assert app.workshop is not None and app.workshop.closed
    assert "Ended" in app.header.join.value


# --- opening at start and the workshop's vignettes ---------------------------------------


def test_the_workshop_the_server_started_with_opens_on_unlock(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    store.create_workshop("Monday group", first_ids(library))
    workshop = store.create_workshop("Ward 4", first_ids(library, 3))
    app = unlocked(apps, store, library, workshop_id=workshop.id)
    assert app.workshop == workshop
    assert app.setup.picker.value == workshop.id
    assert app.room_box.layout.display is None
    assert app.setup_box.selected_index is None  # the setup folds away
    assert workshop.join_code in app.header.join.value
    assert "the workshop the server was started with" in app.status.value


def test_a_missing_start_workshop_leaves_the_choice_open(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, workshop_id=999)
    assert app.workshop is None and app.room_box.layout.display == "none"
    assert app.setup_box.selected_index == 0


def test_the_vignettes_can_be_changed_while_it_runs(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    module = library.modules[2]
    assert app.vignettes.chooser.value == workshop.vignette_ids
    app.vignettes.chooser.module.value = module.id
    app.vignettes.save_button.click()
    stored = store.workshop(workshop.id)
    assert stored is not None
    assert stored.vignette_ids == tuple(v.id for v in module.vignettes)
    assert stored.join_code == workshop.join_code
    for vignette in module.vignettes:
        assert vignette.title in unescape(app.overview.table.value)
    assert app.overview.table.value.count("<tr>") == len(module.vignettes) + 1
    assert [v for _, v in app.projector.picker.options] == list(stored.vignette_ids)
    assert f"now runs {len(module.vignettes)} vignettes" in app.status.value


def test_forty_trainees_and_six_vignettes_make_one_short_table(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    six = [v.id for v in library.modules[0].vignettes[:6]]
    workshop = app.create_workshop("Big room", six)
    assert workshop is not None
    trainees = [store.trainee(f"Trainee {n:02d}", workshop.id) for n in range(40)]
    for trainee in trainees[:25]:
        submit(store, library, workshop, trainee, "You feel worn out by it all.")
    app.refresh()
    table = app.overview.table.value
    assert table.count("<tr>") == 7  # a header and one row per vignette, whoever joined
    assert "25 of 40" in table
    assert (
        "Trainee 39" in app.overview.detail.value and "Trainee 00" not in app.overview.detail.value
    )


# --- choosing vignettes --------------------------------------------------------------------


def test_the_chooser_starts_on_the_first_module_and_takes_whole_modules(library: Library) -> None:
    chooser = VignetteChooser(library)
    first, second = library.modules[0], library.modules[1]
    assert chooser.value == tuple(v.id for v in first.vignettes)
    assert f"{len(first.vignettes)} vignettes chosen" in chooser.chosen.value
    chooser.module.value = second.id
    assert chooser.value == tuple(v.id for v in second.vignettes)
    chooser.vignettes.value = chooser.value[:2]
    assert chooser.module.value == ""  # no longer the whole module
    assert "2 vignettes chosen" in chooser.chosen.value
    chooser.vignettes.value = tuple(v.id for v in library.vignettes[: ONE_SCREEN_VIGNETTES + 1])
    assert "no longer fit the live overview on one screen" in chooser.chosen.value
