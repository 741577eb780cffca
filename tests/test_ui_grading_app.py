"""The grading app as a whole: the passcode gate, the factory, and its components wired."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.errors import InputError
from empathy_training.models import Library
from empathy_training.storage import Store
from empathy_training.ui.gate import MAX_PASSCODE_TRIES
from empathy_training.ui.grading import GradingApp, grading_app

from grading_ui import DATA, PASSCODE, grading_store, scored, unlocked


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with grading_store(tmp_path) as store:
        yield store


def test_locked_without_a_passcode(tmp_path: Path, library: Library) -> None:
    with Store(f"sqlite:///{tmp_path / 'none.db'}") as bare:
        app = GradingApp(bare, library)
        assert "no supervisor passcode was set" in app.status.value
        assert app.main.children == () and app.gate.layout.display == "none"
        assert not app.unlock("anything")
        assert not app.unlocked and app.main.children == ()
        assert not hasattr(app, "loader")  # nothing to upload to, nothing to read


def test_wrong_passcodes_keep_it_shut(store: Store, library: Library) -> None:
    app = GradingApp(store, library)
    app.passcode_box.value = "wrong"
    app.unlock_button.click()
    assert "not the supervisor passcode" in app.status.value and app.main.children == ()
    assert app.passcode_box.value == ""  # not left in the page
    for _ in range(MAX_PASSCODE_TRIES):
        app.unlock("wrong")
    assert app.unlock_button.disabled
    assert not app.unlock(PASSCODE) and "Too many" in app.status.value
    assert app.main.children == () and not hasattr(app, "loader")


def test_unlocking_builds_the_loader_and_four_tabs(store: Store, library: Library) -> None:
    app = unlocked(store, library)
    assert app.main.children == (app.loader.widget, app.tabs)
    assert app.tabs.titles == ("Review and rate", "Calibration", "Downloads", "Pre/post")
    assert "Nothing loaded yet" in app.table.table_html.value


def test_a_scored_upload_opens_in_every_component(store: Store, library: Library) -> None:
    app = unlocked(store, library, rater_name="Ana")
    app.tabs.selected_index = 2
    scored(app, "week 1.csv", (DATA / "responses.csv").read_bytes())
    assert app.tabs.selected_index == 0  # back to the rows to rate
    assert len(app.state.table) == 6 and "6 of 6 rows" in app.table.page_label.value
    assert "Choose a row to rate" in app.rating.row_card.value
    assert "Agreement needs a human rater" in app.calibration.agreement.value
    (upload,) = store.workshops()
    assert ("Graded upload: week 1.csv", upload.id) in [
        (label.rsplit(" (", 1)[0], value) for label, value in app.prepost.pre_picker.options
    ]
    with pytest.raises(InputError, match="no row 7"):
        app.select(6)


def test_grading_app_factory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'factory.db'}"
    app = grading_app(url)
    assert isinstance(app, GradingApp) and "no supervisor passcode" in app.status.value
    app.store.close()
