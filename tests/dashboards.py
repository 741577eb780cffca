"""Dashboards for widget tests: a store, unlocked apps that are stopped afterwards, submissions."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

from empathy_training.models import Library
from empathy_training.passcode import set_passcode
from empathy_training.scoring import score_response
from empathy_training.storage import Store, TraineeRecord, WorkshopRecord
from empathy_training.ui.dashboard import DashboardApp

XSS = "<img src=x onerror=alert(1)>"
PASSCODE = "tea-and-biscuits"
TRAINEE_URL = "http://192.0.2.10:8866/practice"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store on a new SQLite file."""
    with Store(f"sqlite:///{tmp_path / 'dashboard.db'}") as store:
        yield store


@pytest.fixture
def apps() -> Iterator[list[DashboardApp]]:
    """Dashboards made in a test; their polling threads are stopped afterwards."""
    made: list[DashboardApp] = []
    yield made
    for app in made:
        app.stop()


def make(apps: list[DashboardApp], store: Store, library: Library, **kwargs: Any) -> DashboardApp:
    kwargs.setdefault("poll_seconds", 0)
    app = DashboardApp(store, library, **kwargs)
    apps.append(app)
    return app


def unlocked(
    apps: list[DashboardApp], store: Store, library: Library, **kwargs: Any
) -> DashboardApp:
    set_passcode(store, PASSCODE)
    app = make(apps, store, library, **kwargs)
    app.passcode_box.value = PASSCODE
    app.unlock_button.click()
    assert app.unlocked, app.status.value
    return app


def submit(
    store: Store, library: Library, workshop: WorkshopRecord, trainee: TraineeRecord, text: str
) -> None:
    """What the practice app does when a trainee in the workshop submits."""
    vignette = library.vignette(workshop.vignette_ids[0])
    store.record_attempt(
        trainee.id,
        vignette_id=vignette.id,
        module_id=vignette.module_id,
        response=text,
        assessment=score_response(text, vignette=vignette),
        workshop_id=workshop.id,
    )


def shown_text(root: widgets.Widget) -> str:
    """Every string any widget under `root` holds: values, options, descriptions, titles."""
    found: list[str] = []

    def walk(widget: Any) -> None:
        for name in ("value", "description", "placeholder", "tooltip"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, tuple):
                found.extend(str(v) for v in value)
        for option in getattr(widget, "options", ()) or ():
            found.append(str(option))
        for title in getattr(widget, "titles", ()) or ():
            found.append(str(title))
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(root)
    return "\n".join(found)


def first_ids(library: Library, count: int = 2) -> list[str]:
    return [v.id for v in library.vignettes[:count]]


def decoded_download(app: DashboardApp) -> tuple[str, bytes]:
    html = app.export.download.value
    match = re.search(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", html)
    assert match, html
    return match.group(1), base64.b64decode(match.group(2))
