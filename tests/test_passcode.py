"""The supervisor passcode: stored only as a salted hash, checked against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_training.errors import InputError
from empathy_training.passcode import (
    PASSCODE_SETTING,
    check_passcode,
    has_passcode,
    set_passcode,
)
from empathy_training.storage import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'passcode.db'}")


def test_no_passcode_refuses_everything(store: Store) -> None:
    assert not has_passcode(store)
    assert not check_passcode(store, "")
    assert not check_passcode(store, "anything")


def test_the_hash_is_stored_not_the_passcode(store: Store) -> None:
    set_passcode(store, "tea-and-biscuits")
    stored = store.get_setting(PASSCODE_SETTING)
    assert stored is not None
    assert "tea-and-biscuits" not in stored
    scheme, params, salt, digest = stored.split("$")
    assert scheme == "scrypt" and "n=" in params and salt and digest
    assert has_passcode(store)


def test_right_passcode_accepted_wrong_refused(store: Store) -> None:
    set_passcode(store, "tea-and-biscuits")
    assert check_passcode(store, "tea-and-biscuits")
    assert not check_passcode(store, "tea-and-biscuit")
    assert not check_passcode(store, "TEA-AND-BISCUITS")
    assert not check_passcode(store, "")


def test_salted_same_passcode_twice_stores_different_values(store: Store) -> None:
    set_passcode(store, "tea-and-biscuits")
    first = store.get_setting(PASSCODE_SETTING)
    set_passcode(store, "tea-and-biscuits")
    second = store.get_setting(PASSCODE_SETTING)
    assert first != second
    assert check_passcode(store, "tea-and-biscuits")


def test_a_new_passcode_replaces_the_old_one(store: Store) -> None:
    set_passcode(store, "first-one")
    set_passcode(store, "second-one")
    assert check_passcode(store, "second-one")
    assert not check_passcode(store, "first-one")


def test_survives_reopening_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reopen.db'}"
    with Store(url) as store:
        set_passcode(store, "ünïcode-pass")
    with Store(url) as store:
        assert check_passcode(store, "ünïcode-pass")


@pytest.mark.parametrize("short", ["", "abc", "   "])
def test_short_passcodes_refused(store: Store, short: str) -> None:
    with pytest.raises(InputError, match="at least 4"):
        set_passcode(store, short)
    assert not has_passcode(store)


def test_malformed_stored_value_refuses(store: Store) -> None:
    store.set_setting(PASSCODE_SETTING, "plain-text-passcode")
    assert not check_passcode(store, "plain-text-passcode")
    store.set_setting(PASSCODE_SETTING, "scrypt$n=3,r=8,p=1$AAAA$AAAA")
    assert not check_passcode(store, "whatever")
