"""The store of trainees, workshops, attempts and ratings, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import false, select

from empathy_training.attempt_store import AttemptStore
from empathy_training.database import MIGRATIONS_DIR, SCHEMA_REVISION
from empathy_training.errors import InputError, StorageError
from empathy_training.records import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_TRIES,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_WORKSHOP_NAME_LENGTH,
    AttemptRecord,
    NewAttempt,
    RatingRecord,
    TraineeRecord,
    WorkshopRecord,
    clean_name,
    default_database_url,
    name_key,
    new_join_code,
    normalise_join_code,
    vignette_list,
)
from empathy_training.schema import (
    FailedCheckRow,
    SettingRow,
    TraineeRow,
    WorkshopRow,
    as_utc,
    insert_row,
    metadata,
    trainee_record,
    utc_now,
    workshop_record,
)

__all__ = [
    "JOIN_CODE_ALPHABET",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_WORKSHOP_NAME_LENGTH",
    "MIGRATIONS_DIR",
    "SCHEMA_REVISION",
    "AttemptRecord",
    "NewAttempt",
    "RatingRecord",
    "Store",
    "TraineeRecord",
    "WorkshopRecord",
    "default_database_url",
    "metadata",
    "name_key",
    "normalise_join_code",
]


class Store(AttemptStore):
    """Trainees, workshops, attempts and ratings in one database.

    `url` is a SQLAlchemy URL (`sqlite:///path.db`, `postgresql+psycopg://user@host/db`);
    None means `default_database_url()`. The schema is migrated to the newest version on
    opening unless `migrate=False`. Every failure of the database raises `StorageError`.
    """

    # --- trainees --------------------------------------------------------------------------

    def trainee(self, display_name: str, workshop_id: int | None = None) -> TraineeRecord:
        """The trainee with this name (any case) in this workshop (or solo), created if new.

        This does not check a personal code: the practice app signs in with `identity`.
        """
        found = self.find_trainee(display_name, workshop_id)
        if found is not None:
            return found[0]
        created = self.create_trainee(display_name, workshop_id)
        if created is not None:
            return created
        found = self.find_trainee(display_name, workshop_id)  # another process created it first
        assert found is not None
        return found[0]

    def find_trainee(
        self, display_name: str, workshop_id: int | None = None
    ) -> tuple[TraineeRecord, str | None] | None:
        """The trainee with this name (any case) here, and the hash of their personal code."""
        key = name_key(clean_name(display_name))
        query = select(TraineeRow).where(
            TraineeRow.name_key == key,
            TraineeRow.workshop_id.is_(None)
            if workshop_id is None
            else TraineeRow.workshop_id == workshop_id,
        )
        with self._transaction("read the trainee", write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else (trainee_record(row), row.code_hash)

    def create_trainee(
        self, display_name: str, workshop_id: int | None = None, code_hash: str | None = None
    ) -> TraineeRecord | None:
        """A new trainee, or None if the name (in any case) is already taken here."""
        name = clean_name(display_name)
        with self._transaction("save the trainee") as session:
            if workshop_id is not None and session.get(WorkshopRow, workshop_id) is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            row = TraineeRow(
                display_name=name,
                name_key=name_key(name),
                code_hash=code_hash,
                workshop_id=workshop_id,
                created_at=utc_now(),
            )
            return trainee_record(row) if insert_row(session, row) else None

    def set_trainee_code(self, trainee_id: int, code_hash: str) -> None:
        """Store the hash of a trainee's personal code (an earlier trainee's first one)."""
        with self._transaction("save the personal code") as session:
            row = session.get(TraineeRow, trainee_id)
            if row is None:
                raise InputError(f"There is no trainee with id {trainee_id}.")
            row.code_hash = code_hash

    # --- failed checks (passcodes, personal codes) -----------------------------------------

    def record_failure(self, subject: str, at: datetime | None = None) -> None:
        """Note a failed check of `subject` (e.g. 'passcode:CLIENT') at `at` (default: now)."""
        with self._transaction("note a failed check") as session:
            session.add(FailedCheckRow(subject=subject[:MAX_ID_LENGTH], failed_at=at or utc_now()))

    def failures_since(self, subject: str, since: datetime) -> list[datetime]:
        """When checks of `subject` failed since `since`, oldest first."""
        query = (
            select(FailedCheckRow.failed_at)
            .where(FailedCheckRow.subject == subject[:MAX_ID_LENGTH])
            .where(FailedCheckRow.failed_at >= since)
            .order_by(FailedCheckRow.failed_at)
        )
        with self._transaction("read failed checks", write=False) as session:
            return [as_utc(moment) for moment in session.scalars(query)]

    def trainees(self, workshop_id: int | None = None) -> list[TraineeRecord]:
        """Trainees of one workshop, or every trainee when `workshop_id` is None; by id."""
        query = select(TraineeRow).order_by(TraineeRow.id)
        if workshop_id is not None:
            query = query.where(TraineeRow.workshop_id == workshop_id)
        with self._transaction("read the trainees", write=False) as session:
            return [trainee_record(row) for row in session.scalars(query)]

    # --- workshops -------------------------------------------------------------------------

    def create_workshop(
        self, name: str, vignette_ids: Sequence[str], seconds_per_vignette: int | None = None
    ) -> WorkshopRecord:
        """Create a workshop with a new, unused join code."""
        clean = " ".join(name.split())
        if not 0 < len(clean) <= MAX_WORKSHOP_NAME_LENGTH:
            raise InputError(f"A workshop name must be 1 to {MAX_WORKSHOP_NAME_LENGTH} characters.")
        ids = vignette_list(vignette_ids)
        if seconds_per_vignette is not None and seconds_per_vignette <= 0:
            raise InputError("Seconds per vignette must be positive, or None for no limit.")
        with self._transaction("create the workshop") as session:
            for _ in range(JOIN_CODE_TRIES):
                row = WorkshopRow(
                    name=clean,
                    join_code=new_join_code(),
                    vignette_ids=ids,
                    seconds_per_vignette=seconds_per_vignette,
                    created_at=utc_now(),
                    exemplars_released=False,
                    closed=False,
                )
                if insert_row(session, row):
                    return workshop_record(row)
        raise StorageError(f"Could not find an unused join code in {JOIN_CODE_TRIES} tries.")

    def workshop(self, workshop_id: int) -> WorkshopRecord | None:
        """The workshop with this id, or None."""
        with self._transaction("read the workshop", write=False) as session:
            row = session.get(WorkshopRow, workshop_id)
            return None if row is None else workshop_record(row)

    def workshop_by_code(self, code: str) -> WorkshopRecord | None:
        """The workshop with this join code (any case, spaces and hyphens ignored), or None."""
        join_code = normalise_join_code(code)
        if join_code is None:
            return None
        with self._transaction("look up the join code", write=False) as session:
            row = session.scalars(
                select(WorkshopRow).where(WorkshopRow.join_code == join_code)
            ).first()
            return None if row is None else workshop_record(row)

    def workshops(self) -> list[WorkshopRecord]:
        """Every workshop, oldest first."""
        with self._transaction("read the workshops", write=False) as session:
            rows = session.scalars(select(WorkshopRow).order_by(WorkshopRow.id))
            return [workshop_record(row) for row in rows]

    def open_workshop_named(self, name: str) -> WorkshopRecord | None:
        """The newest workshop with this name (any case, spaces squeezed) that has not ended."""
        wanted = " ".join(name.split()).casefold()
        query = (
            select(WorkshopRow).where(WorkshopRow.closed == false()).order_by(WorkshopRow.id.desc())
        )
        with self._transaction("look up the workshop", write=False) as session:
            for row in session.scalars(query):
                if " ".join(row.name.split()).casefold() == wanted:
                    return workshop_record(row)
        return None

    def set_workshop_vignettes(
        self, workshop_id: int, vignette_ids: Sequence[str]
    ) -> WorkshopRecord:
        """Change the vignettes a workshop runs, in the order trainees meet them."""
        return self._update_workshop(workshop_id, vignette_ids=vignette_list(vignette_ids))

    def release_exemplars(self, workshop_id: int, released: bool = True) -> WorkshopRecord:
        """Let the workshop's trainees see model responses (or hide them again)."""
        return self._update_workshop(workshop_id, exemplars_released=released)

    def close_workshop(self, workshop_id: int, closed: bool = True) -> WorkshopRecord:
        """End the workshop (or reopen it): no one joins or submits; attempts are kept."""
        with self._transaction("end the workshop") as session:
            row = session.get(WorkshopRow, workshop_id)
            if row is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            if closed and not row.closed:
                row.ended_at = utc_now()
            elif not closed:
                row.ended_at = None
            row.closed = closed
            session.flush()
            return workshop_record(row)

    def _update_workshop(self, workshop_id: int, **values: Any) -> WorkshopRecord:
        with self._transaction("update the workshop") as session:
            row = session.get(WorkshopRow, workshop_id)
            if row is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return workshop_record(row)

    # --- settings --------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """The value stored under `key`, or None."""
        with self._transaction("read a setting", write=False) as session:
            row = session.get(SettingRow, key)
            return None if row is None else row.value

    def set_setting(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any earlier value."""
        if not 0 < len(key) <= MAX_ID_LENGTH:
            raise InputError(f"A setting name must be 1 to {MAX_ID_LENGTH} characters.")
        with self._transaction("save a setting") as session:
            row = session.get(SettingRow, key)
            if row is None:
                if insert_row(session, SettingRow(key=key, value=value)):
                    return
                row = session.get(SettingRow, key, populate_existing=True)  # set at the same moment
                assert row is not None
            row.value = value
