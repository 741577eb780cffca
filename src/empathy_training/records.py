"""What the store gives back and takes in: plain records, limits and names (no database code).

The apps import these without loading SQLAlchemy; `storage.Store` reads and writes them.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import platformdirs

from empathy_training.errors import InputError
from empathy_training.models import Assessment

DATABASE_ENV = "EMPATHY_TRAINING_DB"
#: File name of the default SQLite database in the user's data directory.
DEFAULT_DATABASE_FILE = "empathy-training.db"
#: Longest display name a trainee may have.
MAX_NAME_LENGTH = 60
#: Room for a name's compared form (case folding can lengthen a name: 'ß' becomes 'ss').
NAME_KEY_LENGTH = 4 * MAX_NAME_LENGTH
#: Longest stored hash of a trainee's personal code.
MAX_SECRET_HASH_LENGTH = 200
#: Longest workshop name.
MAX_WORKSHOP_NAME_LENGTH = 200
#: Longest vignette, module or client attempt id.
MAX_ID_LENGTH = 100
#: Join code characters: no 0/O, 1/I/L, so a code read off a projector is typed right.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Join code length, without the hyphen shown after the fourth character.
JOIN_CODE_LENGTH = 6
#: Attempts to find an unused join code before giving up.
JOIN_CODE_TRIES = 20


def default_database_url() -> str:
    """`EMPATHY_TRAINING_DB` if set, else a SQLite file in the user's data directory."""
    configured = os.environ.get(DATABASE_ENV, "").strip()
    if configured:
        return configured
    directory = Path(platformdirs.user_data_dir("empathy-training", appauthor=False))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{directory / DEFAULT_DATABASE_FILE}"


# --- records returned to callers ---------------------------------------------------------


@dataclass(frozen=True)
class TraineeRecord:
    """A trainee, solo or in one workshop."""

    id: int
    """Database id."""
    display_name: str
    """Name as the trainee typed it, trimmed; unique within the workshop (or among solos)."""
    workshop_id: int | None
    """The workshop the trainee joined, or None when practising alone."""
    created_at: datetime
    """When the trainee was first seen (UTC)."""


@dataclass(frozen=True)
class WorkshopRecord:
    """A workshop: a set of vignettes a room of trainees works through together."""

    id: int
    """Database id."""
    name: str
    """Name the supervisor gave it."""
    join_code: str
    """Code trainees type to join, like 'K7QF-2M'."""
    vignette_ids: tuple[str, ...]
    """Vignettes, in the order trainees meet them."""
    seconds_per_vignette: int | None
    """Time allowed per vignette, or None for no limit."""
    created_at: datetime
    """When the workshop was created (UTC)."""
    exemplars_released: bool
    """Whether trainees may see the model responses."""
    closed: bool
    """Whether the workshop has ended."""
    ended_at: datetime | None = None
    """When the supervisor ended it (UTC), or None while it runs."""


@dataclass(frozen=True)
class AttemptRecord:
    """One response a trainee submitted, with the scorer's full judgement of it."""

    id: int
    """Database id; increases in commit order, so `since_id` polling misses nothing."""
    trainee_id: int
    """Who answered."""
    workshop_id: int | None
    """The workshop it was answered in, if any."""
    module_id: str
    """Module of the vignette."""
    vignette_id: str
    """Vignette answered."""
    response: str
    """The trainee's words."""
    assessment_data: dict[str, Any] = field(repr=False, hash=False)
    """`Assessment.to_dict()` as stored."""
    hrq_level: int
    """Reflective-listening level, 1 to 5 (a copy of the assessment's)."""
    scorer_version: str
    """Version of the scorer that made the assessment."""
    created_at: datetime
    """When it was stored (UTC)."""
    client_attempt_id: str | None
    """The client's idempotency key, if it sent one."""

    @property
    def assessment(self) -> Assessment:
        """The stored assessment, rebuilt."""
        return Assessment.from_dict(self.assessment_data)


@dataclass(frozen=True)
class RatingRecord:
    """A human rater's judgement of one attempt."""

    id: int
    """Database id."""
    attempt_id: int
    """The attempt rated."""
    rater: str
    """Who rated it; one rating per rater and attempt."""
    hrq_level: int | None
    """The rater's reflective-listening level, or None if not given."""
    roadblocks: tuple[str, ...]
    """Roadblock ids the rater saw."""
    comment: str
    """Free-text comment."""
    rubric_version: str
    """Version of the rubric the rater followed."""
    created_at: datetime
    """When first rated (UTC)."""
    updated_at: datetime
    """When last changed (UTC)."""


class NewAttempt(NamedTuple):
    """An attempt to store (see `Store.record_attempt` for the fields)."""

    trainee_id: int
    vignette_id: str
    module_id: str
    response: str
    assessment: Assessment
    workshop_id: int | None = None
    client_attempt_id: str | None = None


# --- join codes --------------------------------------------------------------------------


def new_join_code() -> str:
    chars = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_join_code(code: str) -> str | None:
    """A typed join code in its stored form ('k7qf 2m' -> 'K7QF-2M'), or None if malformed."""
    chars = re.sub(r"[\s\-]+", "", code).upper()
    if len(chars) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:4]}-{chars[4:]}"


def name_key(display_name: str) -> str:
    """The form two names are compared in: 'Sam  K.' and 'sam k.' are one trainee."""
    return " ".join(display_name.split()).casefold()


def vignette_list(vignette_ids: Sequence[str]) -> list[str]:
    ids = list(vignette_ids)
    if isinstance(vignette_ids, str) or not ids or not all(isinstance(v, str) for v in ids):
        raise InputError("A workshop needs a list of one or more vignette ids.")
    return ids


def clean_name(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        raise InputError(f"A display name must be 1 to {MAX_NAME_LENGTH} characters.")
    return name
