"""Trainees signing in: names in any case, a personal code shown once, and limits on guessing.

A trainee's name is theirs within a workshop (or among solo trainees) once they have used it.
The first time, they get a short personal code; coming back, the name alone is not enough:
the code is asked for, so nobody who types another trainee's name sees their history.
Wrong codes and wrong supervisor passcodes are logged and slowed down (see `lockout`).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .lockout import WINDOW, wait_seconds
from .passcode import hash_secret, secret_matches
from .records import JOIN_CODE_ALPHABET, TraineeRecord

__all__ = [
    "PERSONAL_CODE_LENGTH",
    "SignIn",
    "normalise_personal_code",
    "sign_in",
]

log = logging.getLogger(__name__)

#: Characters in a personal code (shown as ABCD-EFGH): about 40 bits, easy to read and type.
PERSONAL_CODE_LENGTH = 8
#: scrypt cost for personal codes: cheaper than the passcode's, since there are many of them.
PERSONAL_CODE_COST = 2**12


class TraineeStore(Protocol):
    """The part of `storage.Store` signing in uses."""

    def find_trainee(
        self, display_name: str, workshop_id: int | None = None
    ) -> tuple[TraineeRecord, str | None] | None:
        """The trainee with this name here, and their code's hash."""

    def create_trainee(
        self, display_name: str, workshop_id: int | None = None, code_hash: str | None = None
    ) -> TraineeRecord | None:
        """A new trainee, or None if the name is taken."""

    def set_trainee_code(self, trainee_id: int, code_hash: str) -> None:
        """Store a trainee's code hash."""

    def record_failure(self, subject: str, at: datetime | None = None) -> None:
        """Note a failed check at `at`."""

    def failures_since(self, subject: str, since: datetime) -> list[datetime]:
        """Failed checks of `subject` since `since`."""


@dataclass(frozen=True)
class SignIn:
    """What came of one try to sign in."""

    trainee: TraineeRecord | None
    """The trainee, when signed in."""
    new_code: str | None = None
    """A personal code just made for this trainee: show it once, it is not stored."""
    problem: str | None = None
    """Why not signed in: 'code needed', 'wrong code' or 'wait'."""
    wait_seconds: int = 0
    """With 'wait': seconds before another code may be tried for this name."""


def normalise_personal_code(code: str) -> str | None:
    """A typed personal code in its shown form ('abcd efgh' -> 'ABCD-EFGH'), or None."""
    chars = re.sub(r"[\s\-]+", "", code).upper()
    if len(chars) != PERSONAL_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:4]}-{chars[4:]}"


def sign_in(
    store: TraineeStore,
    display_name: str,
    workshop_id: int | None = None,
    personal_code: str = "",
    *,
    now: datetime,
) -> SignIn:
    """Sign a trainee in by name and, for a name already used here, their personal code."""
    found = store.find_trainee(display_name, workshop_id)
    if found is None:
        code = _new_code()
        created = store.create_trainee(
            display_name, workshop_id, hash_secret(code, PERSONAL_CODE_COST)
        )
        if created is not None:
            return SignIn(created, new_code=code)
        found = store.find_trainee(display_name, workshop_id)  # taken a moment ago
        assert found is not None
    trainee, code_hash = found
    if code_hash is None:  # used before personal codes existed: the next one in claims it
        code = _new_code()
        store.set_trainee_code(trainee.id, hash_secret(code, PERSONAL_CODE_COST))
        return SignIn(trainee, new_code=code)
    subject = f"trainee:{trainee.id}"
    wait = wait_seconds(store.failures_since(subject, now - WINDOW), now)
    if wait:
        return SignIn(None, problem="wait", wait_seconds=wait)
    if not personal_code.strip():
        return SignIn(None, problem="code needed")
    typed = normalise_personal_code(personal_code)
    if typed is not None and secret_matches(code_hash, typed):
        return SignIn(trainee)
    store.record_failure(subject, now)
    log.warning("a wrong personal code was typed for trainee %d", trainee.id)
    return SignIn(None, problem="wrong code")


def _new_code() -> str:
    chars = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(PERSONAL_CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"
