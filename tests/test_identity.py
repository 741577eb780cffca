"""Signing in with a name and a personal code, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from empathy_training.identity import normalise_personal_code, sign_in
from empathy_training.storage import Store

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Store:
    return Store(database_url)


def test_a_new_name_gets_a_personal_code_once(store: Store) -> None:
    first = sign_in(store, "Sam Lee", now=NOW)
    assert first.trainee is not None and first.new_code is not None
    assert normalise_personal_code(first.new_code) == first.new_code
    found = store.find_trainee("sam lee")
    assert found is not None and found[1] is not None
    assert first.new_code not in found[1]  # only a salted hash is stored


def test_the_name_in_any_case_needs_the_code(store: Store) -> None:
    first = sign_in(store, "Sam Lee", now=NOW)
    assert first.new_code is not None
    assert sign_in(store, "SAM  LEE", now=NOW).problem == "code needed"
    assert sign_in(store, "sam lee", personal_code="ABCD-EFGH", now=NOW).problem == "wrong code"
    back = sign_in(store, "sam lee", personal_code=first.new_code.lower(), now=NOW)
    assert back.trainee == first.trainee and back.new_code is None


def test_names_are_separate_per_workshop(store: Store) -> None:
    workshop = store.create_workshop("Ward 4", ["rlb-knee-pain"])
    solo = sign_in(store, "Sam", now=NOW)
    room = sign_in(store, "sam", workshop.id, now=NOW)
    assert solo.trainee is not None and room.trainee is not None
    assert solo.trainee.id != room.trainee.id and room.new_code is not None


def test_guesses_are_logged_and_slowed_per_trainee(store: Store) -> None:
    owner = sign_in(store, "Sam", now=NOW)
    assert owner.new_code is not None and owner.trainee is not None
    for _ in range(5):
        assert sign_in(store, "Sam", personal_code="ABCD-EFGH", now=NOW).problem == "wrong code"
    blocked = sign_in(store, "Sam", personal_code=owner.new_code, now=NOW)
    assert blocked.problem == "wait" and blocked.wait_seconds > 0
    assert len(store.failures_since(f"trainee:{owner.trainee.id}", NOW - timedelta(hours=1))) == 5
    later = sign_in(store, "Sam", personal_code=owner.new_code, now=NOW + timedelta(minutes=16))
    assert later.trainee == owner.trainee


def test_a_trainee_from_before_personal_codes_is_given_one(store: Store) -> None:
    old = store.trainee("Robin")  # created without a code, as before this version
    claimed = sign_in(store, "robin", now=NOW)
    assert claimed.trainee == old and claimed.new_code is not None
    assert sign_in(store, "Robin", now=NOW).problem == "code needed"
