"""The supervisor dashboard driven from Python, with the real scorer and a real SQLite file."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from empathy_training.errors import StorageError
from empathy_training.models import Library
from empathy_training.passcode import set_passcode
from empathy_training.storage import Store
from empathy_training.ui.dashboard import TRAINEE_URL_ENV, DashboardApp, dashboard_app
from empathy_training.ui.gate import MAX_PASSCODE_TRIES
from empathy_training.workshop_export import EXPORT_COLUMNS

from dashboards import (
    PASSCODE,
    TRAINEE_URL,
    XSS,
    apps,
    decoded_download,
    first_ids,
    make,
    shown_text,
    store,
    submit,
    unlocked,
)

__all__ = ["apps", "store"]  # fixtures


# --- the gate ----------------------------------------------------------------------------


def test_locked_without_a_passcode_shows_nothing(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    workshop = store.create_workshop("Secret ward", first_ids(library))
    zed = store.trainee("Zed Quinn", workshop.id)
    submit(store, library, workshop, zed, "You should call your sister.")
    app = make(apps, store, library)
    assert "--passcode" in app.status.value and "locked" in app.status.value
    assert app.gate.layout.display == "none"
    app.passcode_box.value = "anything"
    app.unlock_button.click()
    assert not app.unlocked and app.main.children == ()
    text = shown_text(app.widget)
    for secret in ("Secret ward", workshop.join_code, "Zed Quinn", "call your sister"):
        assert secret not in text
    assert not app.polling


def test_wrong_passcode_refused_and_nothing_built(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    workshop = store.create_workshop("Secret ward", first_ids(library))
    set_passcode(store, PASSCODE)
    app = make(apps, store, library)
    assert app.gate.layout.display != "none"
    app.passcode_box.value = "tea-and-biscuit"
    app.unlock_button.click()
    assert not app.unlocked
    assert "not the supervisor passcode" in app.status.value
    assert app.passcode_box.value == ""  # never left in the page
    assert app.main.children == ()
    assert "Secret ward" not in shown_text(app.widget)
    assert workshop.join_code not in shown_text(app.widget)


def test_too_many_wrong_passcodes_shut_the_gate(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    set_passcode(store, PASSCODE)
    app = make(apps, store, library)
    for _ in range(MAX_PASSCODE_TRIES):
        app.passcode_box.value = "wrong"
        app.unlock_button.click()
    assert app.unlock_button.disabled
    assert not app.unlock(PASSCODE)  # even the right one, on this page
    assert "Too many" in app.status.value


def test_the_right_passcode_unlocks_and_starts_polling(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, poll_seconds=0.05)
    assert app.main.children and app.gate.layout.display == "none"
    assert "Unlocked" in app.status.value
    assert app.polling
    app.stop()
    assert not app.polling


# --- workshops ---------------------------------------------------------------------------


def test_create_workshop_shows_the_join_code_and_qr(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, trainee_url=TRAINEE_URL)
    app.setup.name.value = "Ward 4, March"
    app.setup.chooser.vignettes.value = tuple(first_ids(library, 3))
    app.setup.minutes.value = 5
    app.setup.create_button.click()
    (workshop,) = store.workshops()
    assert workshop.name == "Ward 4, March"
    assert workshop.vignette_ids == tuple(first_ids(library, 3))
    assert workshop.seconds_per_vignette == 300
    assert app.workshop == workshop
    assert f"<span class='et-bar-code'>{workshop.join_code}</span>" in app.header.join.value
    assert "<svg" in app.header.join.value and TRAINEE_URL in app.header.join.value
    assert "3 vignettes, about 5 min each" in app.header.join.value
    assert workshop.join_code in app.status.value
    assert app.setup.picker.value == workshop.id
    assert app.room_box.layout.display is None
    assert app.overview.picker.options[0][1] == first_ids(library)[0]


def test_create_workshop_needs_a_name_and_vignettes(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    app.setup.chooser.vignettes.value = tuple(first_ids(library))
    app.setup.create_button.click()
    assert "name" in app.status.value
    app.setup.name.value = "Ward 4"
    app.setup.chooser.vignettes.value = ()
    app.setup.create_button.click()
    assert "vignettes" in app.status.value
    assert store.workshops() == []
    assert "et-bar-code" not in app.header.join.value


def test_no_qr_without_a_trainee_url(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None and workshop.join_code in app.header.join.value
    assert "<svg" not in app.header.join.value


def test_pick_an_existing_workshop(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    older = store.create_workshop("Monday group", first_ids(library))
    ana = store.trainee("Ana", older.id)
    submit(store, library, older, ana, "You feel let down by your body.")
    store.create_workshop("Tuesday group", first_ids(library))
    app = unlocked(apps, store, library)
    assert app.workshop is None
    labels = [label for label, _ in app.setup.picker.options]
    assert any("Monday group" in label for label in labels)
    app.setup.picker.value = older.id
    assert app.workshop is not None and app.workshop.id == older.id
    assert older.join_code in app.header.join.value
    assert "You feel let down by your body." in app.feed.html.value
    assert "Ana" in app.feed.html.value


def test_a_callback_error_is_shown(
    apps: list[DashboardApp], store: Store, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = unlocked(apps, store, library)

    def broken(*_: Any, **__: Any) -> None:
        raise StorageError("Could not create the workshop: the database is read-only")

    monkeypatch.setattr(store, "create_workshop", broken)
    app.setup.name.value = "Ward 4"
    app.setup.chooser.vignettes.value = tuple(first_ids(library))
    app.setup.create_button.click()
    assert "read-only" in app.status.value and "et-error" in app.status.value


# --- the live view -----------------------------------------------------------------------


def test_a_submission_appears_after_refresh(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    sam = store.trainee("Sam", workshop.id)
    store.trainee("Kim", workshop.id)
    assert app.refresh() == 0
    assert "No answers yet" in app.feed.html.value
    assert (
        "Kim" in app.overview.detail.value and "Sam" in app.overview.detail.value
    )  # both not answered
    submit(store, library, workshop, sam, "You should just take the inhaler every day.")
    assert app.refresh() == 1
    assert "You should just take the inhaler every day." in app.feed.html.value
    assert "Sam" in app.feed.html.value
    assert "1 of 2" in app.overview.table.value
    not_answered = app.overview.detail.value.split("Not answered yet:")[1]
    assert "Kim" in not_answered and "Sam" not in not_answered
    (attempt,) = store.attempts(workshop_id=workshop.id)
    for roadblock in attempt.assessment.roadblock_ids:
        assert f"{roadblock} (1)" in app.overview.detail.value
    assert "Reflections to questions" in app.overview.detail.value
    assert bytes(app.overview.chart.value).startswith(b"\x89PNG")
    assert app.refresh() == 0  # nothing new: nothing read twice
    assert app.feed.html.value.count("take the inhaler") == 1


def test_newest_submission_first(apps: list[DashboardApp], store: Store, library: Library) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    sam = store.trainee("Sam", workshop.id)
    submit(store, library, workshop, sam, "First answer here.")
    submit(store, library, workshop, sam, "Second answer here.")
    app.refresh()
    assert app.feed.html.value.index("Second answer") < app.feed.html.value.index("First answer")


def test_polling_shows_a_submission_without_refresh_calls(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, poll_seconds=0.05)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    sam = store.trainee("Sam", workshop.id)
    submit(store, library, workshop, sam, "You feel tired of all this.")
    deadline = time.monotonic() + 30  # generous: this checks that it happens, not how fast
    while "You feel tired of all this." not in app.feed.html.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "You feel tired of all this." in app.feed.html.value
    app.stop()
    assert not app.polling


def test_script_in_names_and_responses_is_escaped(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    evil = store.trainee(XSS, workshop.id)
    submit(store, library, workshop, evil, f"You feel {XSS} scared.")
    app.refresh()
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for html in (app.feed.html.value, app.overview.detail.value, app.overview.table.value):
        assert XSS not in html
    assert escaped in app.feed.html.value
    app.projector.picker.value = workshop.vignette_ids[0]
    (attempt,) = store.attempts(workshop_id=workshop.id)
    app.choose_for_projector([attempt.id])
    app.header.projector_toggle.value = True
    assert XSS not in app.screen.slide.value and escaped in app.screen.slide.value
    assert XSS not in shown_text(app.projector.choices)
    store.trainee(f"{XSS}2", workshop.id)  # not answered yet: listed, escaped
    app.refresh()
    assert XSS not in app.overview.detail.value and f"{escaped}2" in app.overview.detail.value


# --- export ------------------------------------------------------------------------------


def test_export_csv_has_the_right_rows_pseudonymised_by_default(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4, March", first_ids(library))
    other = store.create_workshop("Another room", first_ids(library))
    assert workshop is not None
    sam, kim = store.trainee("Sam Samuels", workshop.id), store.trainee("Kim Kimura", workshop.id)
    submit(store, library, workshop, sam, "You feel stuck between two choices.")
    submit(store, library, workshop, kim, "You should rest more.")
    submit(store, library, workshop, sam, "Part of you wants to stop.")
    submit(store, library, other, store.trainee("Outsider", other.id), "Not this room.")
    assert app.export.pseudonymise.value
    app.export.csv_button.click()
    name, data = decoded_download(app)
    assert name.startswith("ward-4-march-") and name.endswith("-pseudonymised.csv")
    table = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert list(table.columns) == list(EXPORT_COLUMNS)
    assert len(table) == 3 and "Not this room." not in set(table["response"])
    assert list(table["trainee"]) == ["Trainee 01", "Trainee 02", "Trainee 01"]
    text = data.decode()
    assert "Sam" not in text and "Kim" not in text
    assert "3 attempts" in app.export.download.value

    app.export.pseudonymise.value = False
    assert app.export.download.value == ""  # the pseudonymised link is gone
    app.export.csv_button.click()
    _, data = decoded_download(app)
    table = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert list(table["trainee"]) == ["Sam Samuels", "Kim Kimura", "Sam Samuels"]
    assert list(table["hrq_level"]) == [
        a.hrq_level for a in store.attempts(workshop_id=workshop.id)
    ]


def test_export_xlsx(apps: list[DashboardApp], store: Store, library: Library) -> None:
    app = unlocked(apps, store, library)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    submit(store, library, workshop, store.trainee("Sam", workshop.id), "=1+1 you feel odd")
    app.export.xlsx_button.click()
    name, data = decoded_download(app)
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPORT_COLUMNS) and len(rows) == 2
    assert rows[1][EXPORT_COLUMNS.index("response")] == "=1+1 you feel odd"
    assert rows[1][EXPORT_COLUMNS.index("trainee")] == "Trainee 01"


# --- the notebook's factory --------------------------------------------------------------


def test_dashboard_app_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[DashboardApp]
) -> None:
    monkeypatch.setenv(TRAINEE_URL_ENV, TRAINEE_URL)
    url = f"sqlite:///{tmp_path / 'factory.db'}"
    app = dashboard_app(url, poll_seconds=0)
    apps.append(app)
    assert app.trainee_url == TRAINEE_URL
    assert "--passcode" in app.status.value
    set_passcode(app.store, PASSCODE)
    assert app.unlock(PASSCODE)
    workshop = app.create_workshop("Ward 4", [app.library.vignettes[0].id])
    assert workshop is not None and "<svg" in app.header.join.value
    app.store.close()


def test_polling_says_when_the_database_fails_and_when_it_is_back(
    apps: list[DashboardApp], store: Store, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = unlocked(apps, store, library, poll_seconds=0.05)
    workshop = app.create_workshop("Ward 4", first_ids(library))
    assert workshop is not None
    working = store.attempts
    failing = [True]

    def attempts(**kwargs: Any) -> Any:
        if failing[0]:
            raise StorageError("Could not read the attempts: the database is locked")
        return working(**kwargs)

    monkeypatch.setattr(store, "attempts", attempts)

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 30
        while text not in app.overview.status.value and time.monotonic() < deadline:
            time.sleep(0.05)
        assert text in app.overview.status.value

    wait_for("Could not read new answers")
    assert "database is locked" in app.overview.status.value and app.polling
    failing[0] = False
    wait_for("Reading answers again.")


def test_a_safety_error_is_flagged_in_the_feed(
    apps: list[DashboardApp], store: Store, library: Library
) -> None:
    app = unlocked(apps, store, library, poll_seconds=0)
    workshop = app.create_workshop("Risk session", ["risk-better-off-without-me"])
    sam = store.trainee("Sam", workshop.id)
    submit(store, library, workshop, sam, "Don't talk like that, your family loves you.")
    submit(store, library, workshop, sam, "Are you having thoughts of ending your life?")
    assert app.refresh() == 2
    feed = app.feed.html.value
    assert feed.count(">Safety error</span>") == 1
    assert "1 answer with a safety error" in feed
