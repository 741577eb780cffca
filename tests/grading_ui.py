"""Driving the grading app from Python as a browser would: unlock it, upload files, read links."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from empathy_training.loading import load_library
from empathy_training.models import Library
from empathy_training.passcode import set_passcode
from empathy_training.storage import Store
from empathy_training.ui.grading import GradingApp

DATA = Path(__file__).parent / "data" / "grading-ui"
PASSCODE = "tea-and-biscuits"
XSS = "<script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n"


@contextmanager
def grading_store(folder: Path) -> Iterator[Store]:
    """A SQLite store in `folder` with the supervisor passcode set."""
    with Store(f"sqlite:///{folder / 'grading.db'}") as store:
        set_passcode(store, PASSCODE)
        yield store


def unlocked(store: Store, library: Library | None = None, **kwargs: object) -> GradingApp:
    """A grading app on `store`, unlocked as a grader would: passcode typed, Unlock clicked."""
    app = GradingApp(store, library or load_library(), **kwargs)  # type: ignore[arg-type]
    app.passcode_box.value = PASSCODE
    app.unlock_button.click()
    assert app.unlocked, app.status.value
    return app


def upload(app: GradingApp, name: str, content: bytes) -> None:
    """What the browser does when a file is chosen in the upload button."""
    app.loader.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2024, 5, 1),
        },
    )


def scored(app: GradingApp, name: str, content: bytes) -> None:
    """Upload a file and press Score all."""
    upload(app, name, content)
    assert not app.loader.score_button.disabled, app.loader.load_message.value
    app.loader.score_button.click()


def rate(app: GradingApp, position: int, level: int) -> None:
    """Open a row in the rating panel and give it a level."""
    app.select(position)
    app.rating.level_buttons.value = level


def text_of(html: str) -> str:
    """The text of some HTML, tags replaced by spaces."""
    return re.sub(r"<[^>]+>", " ", html)


def link(html: str, suffix: str) -> bytes:
    """The bytes behind the download link whose file name ends in `suffix`."""
    match = re.search(
        rf"download='[^']*{re.escape(suffix)}' href='data:[^;]+;base64,([^']+)'", html
    )
    assert match, f"no {suffix} link in {html[:300]}"
    return base64.b64decode(match.group(1))
