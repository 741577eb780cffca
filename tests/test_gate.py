"""The supervisor passcode gate: wrong passcodes are counted per device across pages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from empathy_training.passcode import set_passcode
from empathy_training.storage import Store
from empathy_training.ui.gate import CLIENT_ENV, PasscodeGate

PASSCODE = "tea-and-biscuit"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'gate.db'}")
    set_passcode(store, PASSCODE)
    return store


def gate(store: Store) -> PasscodeGate:
    return PasscodeGate(
        store, app="Grading", shows="Scores.", unlocked_message="Open.", on_unlock=lambda: None
    )


def test_reloading_the_page_does_not_reset_the_count(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CLIENT_ENV, "192.0.2.7")
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            page = gate(store)  # a fresh page each time, as a reload gives
            assert not page.unlock("wrong")
    assert sum("wrong supervisor passcode" in r.message for r in caplog.records) == 5
    assert "192.0.2.7" in caplog.records[-1].getMessage()
    page = gate(store)
    assert not page.unlock(PASSCODE)
    assert "Too many wrong passcodes" in page.status.value and "Try again in" in page.status.value


def test_another_device_is_not_held_up(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENT_ENV, "192.0.2.7")
    for _ in range(6):
        gate(store).unlock("wrong")
    monkeypatch.setenv(CLIENT_ENV, "192.0.2.8")
    page = gate(store)
    assert page.unlock(PASSCODE) and page.unlocked
