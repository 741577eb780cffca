"""The practice app's widgets driven from Python, with the real scorer and a real SQLite file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import Any

import pytest

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.storage import Store
from empathy_training.ui.practice import MAX_RESPONSE_CHARS, PracticeApp

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'practice.db'}")


def signed_in(
    store: Store, library: Library, name: str = "Sam", personal_code: str = ""
) -> PracticeApp:
    app = PracticeApp(store, library, score_response)
    app.name_box.value = name
    app.personal_box.value = personal_code
    app.start_button.click()
    return app


def personal_code(app: PracticeApp) -> str:
    """The personal code the app showed at sign-up."""
    match = re.search(r"class='et-code'>([A-Z0-9-]+)<", app.status.value)
    assert match, app.status.value
    return match.group(1)


def test_sign_in_shows_the_first_vignette(store: Store, library: Library) -> None:
    app = PracticeApp(store, library, score_response)
    assert app.tabs.layout.display == "none"
    app.start_button.click()
    assert "Type your name first" in app.status.value
    app.name_box.value = "Sam"
    app.start_button.click()
    assert app.tabs.layout.display is None
    first = library.modules[0].vignettes[0]
    assert app.vignette_picker.value == first.id
    assert first.title in app.card.value
    assert app.exemplars_button.disabled


def test_submit_scores_stores_and_allows_exemplars(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    vignette = app.vignette
    assert vignette is not None
    app.response_box.value = "You should just try harder."
    app.submit_button.click()
    assert "Level " in app.feedback.value and "Saved." in app.message.value
    assert not app.exemplars_button.disabled
    assert app.response_box.value == "You should just try harder."  # kept for a retry
    app.exemplars_button.click()
    assert escape(vignette.exemplars[0].text) in app.exemplars.value
    (attempt,) = store.attempts(trainee_id=app.trainee.id if app.trainee else -1)
    assert attempt.vignette_id == vignette.id
    assert attempt.response == "You should just try harder."
    assert attempt.assessment.hrq_level == app.last_assessment.hrq_level  # type: ignore[union-attr]


def test_empty_and_huge_responses_are_refused_and_kept(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    app.response_box.value = "   \n "
    app.submit_button.click()
    assert "Type a response first" in app.message.value
    huge = "word " * 20_000
    app.response_box.value = huge
    app.submit_button.click()
    assert f"{MAX_RESPONSE_CHARS:,}" in app.message.value
    assert app.response_box.value == huge
    assert store.attempts() == []


def test_script_in_name_and_response_is_escaped(store: Store, library: Library) -> None:
    app = signed_in(store, library, name=f"Sam {XSS}")
    assert XSS not in app.status.value and "&lt;img" in app.status.value
    app.response_box.value = f"You feel stuck. {XSS}"
    app.submit_button.click()
    assert XSS not in app.feedback.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in app.feedback.value


def test_emoji_are_scored_and_other_languages_get_a_clear_message(
    store: Store, library: Library
) -> None:
    app = signed_in(store, library)
    app.response_box.value = "😢😢 you feel sad 💔"
    app.submit_button.click()
    assert "Saved." in app.message.value
    for text in ("Usted se siente agotado por todo esto.", "你感到很累了，对吗？我理解你的感受。"):
        app.response_box.value = text
        app.submit_button.click()
        assert "reads English" in app.message.value, text
        assert app.response_box.value == text  # kept for the trainee
    assert len(store.attempts()) == 1


def test_trainees_never_see_each_others_attempts(store: Store, library: Library) -> None:
    sam = signed_in(store, library, "Sam")
    sam.response_box.value = "You're worried about what comes next."
    sam.submit_button.click()
    alex = signed_in(store, library, "Alex")
    alex.refresh_progress()
    assert "No attempts yet" in alex.progress_summary.value
    assert alex.progress_chart.layout.display == "none"  # no empty charts
    sam.refresh_progress()
    assert "1 attempt on 1 vignette" in sam.progress_summary.value
    assert sam.progress_chart.layout.display is None
    assert all(i.value[:8] == b"\x89PNG\r\n\x1a\n" for i in sam.progress_images)


def test_progress_charts_are_drawn_again_only_after_a_new_attempt(
    store: Store, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from empathy_training.ui import practice

    drawn: list[int] = []
    draw = practice.progress_charts

    def counted(attempts: list[Any], lib: Library) -> tuple[bytes, bytes, bytes]:
        drawn.append(len(attempts))
        return draw(attempts, lib)

    monkeypatch.setattr(practice, "progress_charts", counted)
    sam = signed_in(store, library, "Sam")
    sam.response_box.value = "You're worried about what comes next."
    sam.submit_button.click()
    sam.refresh_progress()
    first = [i.value for i in sam.progress_images]
    sam.refresh_progress()
    assert drawn == [1] and [i.value for i in sam.progress_images] == first
    sam.response_box.value = "You're dreading what the scan might show."
    sam.submit_button.click()
    sam.refresh_progress()
    assert drawn == [1, 2] and "2 attempts" in sam.progress_summary.value


def test_returning_trainee_picks_up_history_with_their_personal_code(
    store: Store, library: Library
) -> None:
    first = signed_in(store, library, "Sam")
    code = personal_code(first)
    first.response_box.value = "So you're fed up with it all."
    first.submit_button.click()
    again = signed_in(store, library, "  sAM ", code.lower().replace("-", " "))
    assert "Welcome back" in again.status.value
    assert again.trainee == first.trainee  # names are one trainee in any case
    assert "et-code" not in again.status.value  # the code is shown once only
    assert not again.exemplars_button.disabled  # this vignette was tried before


def test_another_trainee_typing_your_name_sees_nothing_of_yours(
    store: Store, library: Library
) -> None:
    sam = signed_in(store, library, "Sam")
    sam.response_box.value = "So you're fed up with it all."
    sam.submit_button.click()
    intruder = signed_in(store, library, "sam")
    assert intruder.trainee is None and "already used the name" in intruder.status.value
    assert intruder.tabs.layout.display == "none"
    intruder.personal_box.value = "ABCD-EFGH"
    intruder.start_button.click()
    assert intruder.trainee is None and "does not belong" in intruder.status.value
    assert intruder.personal_box.value == ""  # not left in the page


def test_guessing_personal_codes_is_slowed_down(store: Store, library: Library) -> None:
    owner = signed_in(store, library, "Sam")
    code = personal_code(owner)
    guesser = PracticeApp(store, library, score_response)
    for _ in range(6):
        guesser.name_box.value = "Sam"
        guesser.personal_box.value = "ABCD-EFGH"
        guesser.start_button.click()
    assert "Too many wrong personal codes" in guesser.status.value
    late = signed_in(store, library, "Sam", code)  # even the right code waits, on any page
    assert late.trainee is None and "Try again in" in late.status.value


def test_enter_in_the_name_box_signs_in(store: Store, library: Library) -> None:
    app = PracticeApp(store, library, score_response)
    app.name_box.value = "Robin"
    app.name_box._handle_string_msg(None, {"event": "submit"}, [])  # the browser's Enter
    assert app.trainee is not None and app.trainee.display_name == "Robin"
    assert "Welcome, Robin" in app.status.value


def test_each_vignette_keeps_its_own_draft(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    first, second = library.modules[0].vignettes[:2]
    app.select(first.id)
    app.response_box.value = "A half-written answer for the first client"
    app.select(second.id)
    assert app.response_box.value == ""  # not the other client's answer
    app.response_box.value = "Another for the second"
    app.select(first.id)
    assert app.response_box.value == "A half-written answer for the first client"
    app.next_button.click()
    assert app.response_box.value != "A half-written answer for the first client"


def test_the_browser_draft_key_changes_after_a_submission(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    keys = [c for c in app.response_box._dom_classes if c.startswith("et-draft-")]
    assert len(keys) == 1 and "et-draft" in app.response_box._dom_classes
    app.response_box.value = "You're fed up with the stairs."
    app.submit_button.click()
    after = [c for c in app.response_box._dom_classes if c.startswith("et-draft-")]
    assert len(after) == 1 and after != keys
    again = signed_in(store, library, "Sam", personal_code(app))
    assert [c for c in again.response_box._dom_classes if c.startswith("et-draft-")] == after


def test_next_moves_to_a_new_vignette_with_a_reason(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    first = app.vignette_picker.value
    app.response_box.value = "Don't worry, it will all be fine."
    app.submit_button.click()
    app.next_button.click()
    assert app.vignette_picker.value != first
    assert app.message.value
    assert app.vignette is not None and app.vignette.title in app.card.value


def test_unwritable_database_shows_a_message_and_keeps_the_text(
    tmp_path: Path, library: Library
) -> None:
    path = tmp_path / "ro.db"
    Store(f"sqlite:///{path}").close()
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
    app = signed_in(Store(f"sqlite:///{path}"), library)
    app._store = read_only  # the database turns read-only after the sign-in
    app.response_box.value = "You feel let down."
    app.submit_button.click()
    assert "could not be saved" in app.message.value
    assert "Level " in app.feedback.value
    assert app.response_box.value == "You feel let down."


def test_the_store_is_opened_at_the_first_sign_in(sqlite_url: str, library: Library) -> None:
    opened: list[Store] = []

    def open_store() -> Store:
        opened.append(Store(sqlite_url))
        return opened[-1]

    app = PracticeApp(open_store, library, score_response)
    assert opened == []
    app.name_box.value = "Sam"
    app.start_button.click()
    app.response_box.value = "You feel let down."
    app.submit_button.click()
    assert len(opened) == 1
    assert [a.response for a in opened[0].attempts()] == ["You feel let down."]


def test_the_practice_page_is_built_without_loading_the_database_code(sqlite_url: str) -> None:
    code = (
        "import sys\n"
        "from empathy_training.ui.apps import practice_app\n"
        "practice_app().widget\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'numpy') if m in sys.modules))"
    )
    env = {**os.environ, "EMPATHY_TRAINING_DB": sqlite_url}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_failing_callback_shows_a_message(store: Store, library: Library) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    app = PracticeApp(store, library, broken)  # type: ignore[arg-type]
    app.name_box.value = "Sam"
    app.start_button.click()
    app.response_box.value = "You feel tired."
    app.submit_button.click()
    assert "Something went wrong" in app.message.value
    assert app.response_box.value == "You feel tired."


def test_modules_are_scored_with_their_own_rubric(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    app.select(library.module("self-compassion").vignettes[0].id)
    app.response_box.value = "You're being so hard on yourself, and many people feel this way."
    app.submit_button.click()
    assert app.last_assessment is not None
    assert app.last_assessment.rubric == "compassion"
    assert {c.id for c in app.last_assessment.criteria} >= {"common-humanity", "self-kindness"}


def test_next_targets_the_criterion_missed_most(store: Store, library: Library) -> None:
    from empathy_training.coaching import practice_targets

    app = PracticeApp(store, library, score_response, targets=practice_targets())
    app.name_box.value = "Sam"
    app.start_button.click()
    for text in ("You should relax.", "Just stop worrying.", "Calm down and try harder."):
        app.response_box.value = text
        app.submit_button.click()
    app.next_button.click()
    assert "missed most recently" in app.message.value
    assert app.vignette is not None
    assert app.vignette.module_id in practice_targets()["no-roadblocks"]


def test_a_double_clicked_submit_stores_one_attempt(store: Store, library: Library) -> None:
    app = signed_in(store, library)
    app.response_box.value = "You're fed up with the stairs and miss the allotment."
    app.submit_button.click()
    app.submit_button.click()
    assert len(store.attempts()) == 1
    app.response_box.value = "You miss the allotment most of all."
    app.submit_button.click()  # a changed response is a new attempt
    assert len(store.attempts()) == 2
    again = signed_in(store, library, "Sam", personal_code(app))  # another page: a new attempt
    again.response_box.value = "You miss the allotment most of all."
    again.submit_button.click()
    assert len(store.attempts()) == 3


def test_control_characters_in_a_response_are_stored_cleanly(
    store: Store, library: Library
) -> None:
    app = signed_in(store, library)
    app.response_box.value = "You feel\x00 stuck.\x0bReally stuck."
    app.submit_button.click()
    (attempt,) = store.attempts()
    assert "\x00" not in attempt.response and "\x0b" not in attempt.response


def test_a_safety_error_is_named_on_the_card() -> None:
    from empathy_training.ui.cards import assessment_card

    unsafe = score_response(
        "Just take an extra couple tonight to help you sleep.",
        client_statement="I've saved up my tablets, I keep them by the bed.",
    )
    assert unsafe.risk_handled == "safety_error" and unsafe.hrq_level == 1
    card = assessment_card(unsafe)
    assert "Safety error" in card and "supervisor" in card
