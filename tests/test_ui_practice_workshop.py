"""The practice app in a workshop: only its vignettes; once it ends, answers are kept, no more."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.storage import Store, WorkshopRecord
from empathy_training.ui.practice import PracticeApp


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'practice.db'}")


@pytest.fixture
def workshop(store: Store, library: Library) -> WorkshopRecord:
    chosen = [v.id for v in library.modules[1].vignettes[:3]]
    return store.create_workshop("Ward 4", chosen)


def joined(store: Store, library: Library, code: str, name: str = "Ana") -> PracticeApp:
    app = PracticeApp(store, library, score_response)
    app.name_box.value = name
    app.code_box.value = code
    app.start_button.click()
    return app


def test_a_trainee_sees_only_the_workshops_vignettes(
    store: Store, library: Library, workshop: WorkshopRecord
) -> None:
    app = joined(store, library, workshop.join_code.lower())
    assert "You are in the workshop 'Ward 4'" in unescape(app.status.value)
    assert [value for _, value in app.vignette_picker.options] == list(workshop.vignette_ids)
    assert app.module_picker.layout.display == "none"


def test_after_the_end_a_submit_is_refused_and_earlier_answers_stay(
    store: Store, library: Library, workshop: WorkshopRecord
) -> None:
    app = joined(store, library, workshop.join_code)
    app.response_box.value = "You feel let down by the people you counted on."
    app.submit_button.click()
    assert "Saved." in app.message.value
    store.close_workshop(workshop.id)
    app.response_box.value = "It sounds lonely."
    app.submit_button.click()
    assert "This workshop has ended; your answers are saved." in app.message.value
    assert app.submit_button.disabled
    assert "The workshop 'Ward 4' has ended" in unescape(app.status.value)
    assert app.response_box.value == "It sounds lonely."  # the text is not lost
    (kept,) = store.attempts(workshop_id=workshop.id)
    assert kept.response == "You feel let down by the people you counted on."


def test_ending_between_the_check_and_the_save_is_still_refused(
    store: Store, library: Library, workshop: WorkshopRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = joined(store, library, workshop.join_code)
    store.close_workshop(workshop.id)
    monkeypatch.setattr(store, "workshop", lambda _: workshop)  # read just before the end
    app.response_box.value = "You are tired of being told what to do."
    app.submit_button.click()
    assert "This workshop has ended; your answers are saved." in app.message.value
    assert store.attempts(workshop_id=workshop.id) == []


def test_an_ended_workshop_cannot_be_joined(
    store: Store, library: Library, workshop: WorkshopRecord
) -> None:
    store.close_workshop(workshop.id)
    app = joined(store, library, workshop.join_code, name="Late Lee")
    assert "The workshop 'Ward 4' has ended" in unescape(app.status.value)
    assert app.trainee is None and app.tabs.layout.display == "none"
    assert store.trainees(workshop.id) == []
