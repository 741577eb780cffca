"""The store of trainees, workshops, attempts and ratings, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import platformdirs
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    false,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from empathy_training.errors import InputError, StorageError, WorkshopEndedError
from empathy_training.models import ROADBLOCK_IDS, Assessment

__all__ = [
    "AttemptRecord",
    "NewAttempt",
    "RatingRecord",
    "Store",
    "TraineeRecord",
    "WorkshopRecord",
    "default_database_url",
    "name_key",
    "normalise_join_code",
]

#: Environment variable naming the database URL.
DATABASE_ENV = "EMPATHY_TRAINING_DB"
#: File name of the default SQLite database in the user's data directory.
DEFAULT_DATABASE_FILE = "empathy-training.db"
#: How long a SQLite writer waits for another writer before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 30.0
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
# PostgreSQL advisory lock keys: one for migrations, one that makes attempt ids commit in order.
_MIGRATION_LOCK = 7_341_001
_ATTEMPT_LOCK = 7_341_002

#: The newest migration; tests check that it is the head of the migrations below.
SCHEMA_REVISION = "0003_trainee_codes"
#: The Alembic migrations shipped with the package.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def default_database_url() -> str:
    """`EMPATHY_TRAINING_DB` if set, else a SQLite file in the user's data directory."""
    configured = os.environ.get(DATABASE_ENV, "").strip()
    if configured:
        return configured
    directory = Path(platformdirs.user_data_dir("empathy-training", appauthor=False))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{directory / DEFAULT_DATABASE_FILE}"


def _private_file(database: str) -> None:
    """Create a SQLite database file (and its folder) readable by its owner only."""
    path = Path(database)
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise StorageError(
            f"the database {path} cannot be opened or created ({exc.strerror or exc})"
        ) from exc


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


# --- tables (mirrored by migrations/versions; change both together) ----------------------

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
_JSON = JSON().with_variant(JSONB(), "postgresql")
_TIMESTAMP = DateTime(timezone=True)


class _Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class _Workshop(_Base):
    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_WORKSHOP_NAME_LENGTH))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    vignette_ids: Mapped[list[str]] = mapped_column(_JSON)
    seconds_per_vignette: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    exemplars_released: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(_TIMESTAMP)


class _Trainee(_Base):
    __tablename__ = "trainees"
    __table_args__ = (
        UniqueConstraint("workshop_id", "name_key"),
        Index(
            "uq_trainees_solo_name_key",
            "name_key",
            unique=True,
            sqlite_where=text("workshop_id IS NULL"),
            postgresql_where=text("workshop_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH))
    code_hash: Mapped[str | None] = mapped_column(String(MAX_SECRET_HASH_LENGTH))
    created_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))


class _Attempt(_Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    vignette_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), index=True)
    response: Mapped[str] = mapped_column(Text)
    assessment: Mapped[dict[str, Any]] = mapped_column(_JSON)
    hrq_level: Mapped[int] = mapped_column(Integer)
    scorer_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    client_attempt_id: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), unique=True)


class _Rating(_Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("attempt_id", "rater"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    rater: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    hrq_level: Mapped[int | None] = mapped_column(Integer)
    roadblocks: Mapped[list[str]] = mapped_column(_JSON)
    comment: Mapped[str] = mapped_column(Text)
    rubric_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    updated_at: Mapped[datetime] = mapped_column(_TIMESTAMP)


class _FailedCheck(_Base):
    __tablename__ = "failed_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), index=True)
    failed_at: Mapped[datetime] = mapped_column(_TIMESTAMP)


class _Setting(_Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


#: The schema the migrations build, for Alembic's autogenerate and for tests.
metadata = _Base.metadata


# --- the store ---------------------------------------------------------------------------


class Store:
    """Trainees, workshops, attempts and ratings in one database.

    `url` is a SQLAlchemy URL (`sqlite:///path.db`, `postgresql+psycopg://user@host/db`);
    None means `default_database_url()`. The schema is migrated to the newest version on
    opening unless `migrate=False`. Every failure of the database raises `StorageError`.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        raw = url if url is not None else default_database_url()
        try:
            self._url = _normalise_url(raw)
        except SQLAlchemyError as exc:
            raise StorageError(f"Not a database URL: {raw!r} ({exc}).") from exc
        self._sqlite = self._url.get_backend_name() == "sqlite"
        self._where = _describe(self._url)
        try:
            self._engine = _create_engine(self._url)
        except (SQLAlchemyError, ImportError) as exc:
            raise StorageError(f"Cannot use the database {self._where}: {exc}.") from exc
        if migrate:
            self.upgrade()

    @property
    def url(self) -> str:
        """The database URL, with any password hidden."""
        return self._url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # --- the one transaction helper ------------------------------------------------------

    @contextmanager
    def _transaction(self, action: str, *, write: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        On SQLite a writing transaction takes the write lock up front (BEGIN IMMEDIATE), so
        writers queue for up to SQLITE_BUSY_TIMEOUT instead of failing on a lock upgrade.
        Database failures become StorageError, saying what could not be done and where.
        """
        try:
            with Session(self._engine, expire_on_commit=False) as session, session.begin():
                if self._sqlite:
                    mode = "IMMEDIATE" if write else "DEFERRED"
                    session.connection(execution_options={"sqlite_begin": mode})
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(
                f"Could not {action}: the database {self._where} {_reason(exc)}"
            ) from exc

    # --- schema ----------------------------------------------------------------------------

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None for a new database."""
        with self._transaction("open the database", write=False) as session:
            connection = session.connection()
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; never drops data, safe to repeat."""
        if self.schema_revision() == SCHEMA_REVISION:
            return  # up to date: no need to load Alembic (it costs the app's kernels memory)
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self._transaction("update the database schema") as session:
            connection = session.connection()
            if not self._sqlite:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

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
        key = name_key(_clean_name(display_name))
        query = select(_Trainee).where(
            _Trainee.name_key == key,
            _Trainee.workshop_id.is_(None)
            if workshop_id is None
            else _Trainee.workshop_id == workshop_id,
        )
        with self._transaction("read the trainee", write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else (_trainee_record(row), row.code_hash)

    def create_trainee(
        self, display_name: str, workshop_id: int | None = None, code_hash: str | None = None
    ) -> TraineeRecord | None:
        """A new trainee, or None if the name (in any case) is already taken here."""
        name = _clean_name(display_name)
        with self._transaction("save the trainee") as session:
            if workshop_id is not None and session.get(_Workshop, workshop_id) is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            row = _Trainee(
                display_name=name,
                name_key=name_key(name),
                code_hash=code_hash,
                workshop_id=workshop_id,
                created_at=_now(),
            )
            return _trainee_record(row) if _insert(session, row) else None

    def set_trainee_code(self, trainee_id: int, code_hash: str) -> None:
        """Store the hash of a trainee's personal code (an earlier trainee's first one)."""
        with self._transaction("save the personal code") as session:
            row = session.get(_Trainee, trainee_id)
            if row is None:
                raise InputError(f"There is no trainee with id {trainee_id}.")
            row.code_hash = code_hash

    # --- failed checks (passcodes, personal codes) -----------------------------------------

    def record_failure(self, subject: str, at: datetime | None = None) -> None:
        """Note a failed check of `subject` (e.g. 'passcode:CLIENT') at `at` (default: now)."""
        with self._transaction("note a failed check") as session:
            session.add(_FailedCheck(subject=subject[:MAX_ID_LENGTH], failed_at=at or _now()))

    def failures_since(self, subject: str, since: datetime) -> list[datetime]:
        """When checks of `subject` failed since `since`, oldest first."""
        query = (
            select(_FailedCheck.failed_at)
            .where(_FailedCheck.subject == subject[:MAX_ID_LENGTH])
            .where(_FailedCheck.failed_at >= since)
            .order_by(_FailedCheck.failed_at)
        )
        with self._transaction("read failed checks", write=False) as session:
            return [_utc(moment) for moment in session.scalars(query)]

    def trainees(self, workshop_id: int | None = None) -> list[TraineeRecord]:
        """Trainees of one workshop, or every trainee when `workshop_id` is None; by id."""
        query = select(_Trainee).order_by(_Trainee.id)
        if workshop_id is not None:
            query = query.where(_Trainee.workshop_id == workshop_id)
        with self._transaction("read the trainees", write=False) as session:
            return [_trainee_record(row) for row in session.scalars(query)]

    # --- attempts --------------------------------------------------------------------------

    def record_attempt(
        self,
        trainee_id: int,
        *,
        vignette_id: str,
        module_id: str,
        response: str,
        assessment: Assessment,
        workshop_id: int | None = None,
        client_attempt_id: str | None = None,
    ) -> AttemptRecord:
        """Store one attempt and return it.

        With a `client_attempt_id`, a retried submit is stored once: the second call returns
        the attempt the first one stored. A new attempt in a workshop that has ended is refused
        with `WorkshopEndedError`.
        """
        attempt = NewAttempt(
            trainee_id, vignette_id, module_id, response, assessment, workshop_id, client_attempt_id
        )
        _check_attempt(attempt)
        with self._transaction("save the attempt") as session:
            by_key = select(_Attempt).where(_Attempt.client_attempt_id == client_attempt_id)
            if client_attempt_id is not None:
                existing = session.scalars(by_key).first()
                if existing is not None:
                    return _attempt_record(existing)
            if session.get(_Trainee, trainee_id) is None:
                raise InputError(f"There is no trainee with id {trainee_id}.")
            if workshop_id is not None:
                workshop = session.get(_Workshop, workshop_id)
                if workshop is None:
                    raise InputError(f"There is no workshop with id {workshop_id}.")
                if workshop.closed:
                    raise WorkshopEndedError(WorkshopEndedError.MESSAGE)
            self._lock_attempt_ids(session)
            row = _attempt_row(attempt)
            if not _insert(session, row):
                row = session.scalars(by_key).one()  # the same submit, stored by a retry
            return _attempt_record(row)

    def record_attempts(self, attempts: Sequence[NewAttempt]) -> list[AttemptRecord]:
        """Store many attempts in one transaction (an uploaded file): all of them or, on any
        error, none. An attempt whose `client_attempt_id` is stored already is not stored
        again; the stored one is returned in its place."""
        for attempt in attempts:
            _check_attempt(attempt)
        if not attempts:
            return []
        with self._transaction("save the attempts") as session:
            _check_ids_exist(session, _Trainee, {a.trainee_id for a in attempts}, "trainee")
            workshops = {a.workshop_id for a in attempts if a.workshop_id is not None}
            _check_ids_exist(session, _Workshop, workshops, "workshop")
            keys = [a.client_attempt_id for a in attempts if a.client_attempt_id is not None]
            stored: dict[str, _Attempt] = {}
            for chunk in _chunks(keys):
                query = select(_Attempt).where(_Attempt.client_attempt_id.in_(chunk))
                stored.update((row.client_attempt_id or "", row) for row in session.scalars(query))
            self._lock_attempt_ids(session)
            rows = []
            for attempt in attempts:
                row = stored.get(attempt.client_attempt_id or "")
                if row is None:
                    row = _attempt_row(attempt)
                    session.add(row)
                    if attempt.client_attempt_id is not None:
                        stored[attempt.client_attempt_id] = row
                rows.append(row)
            session.flush()
            return [_attempt_record(row) for row in rows]

    def _lock_attempt_ids(self, session: Session) -> None:
        if not self._sqlite:
            # Ids are drawn in lock order and committed before the lock is released, so a
            # dashboard polling with since_id never skips an attempt committed late.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ATTEMPT_LOCK})

    def attempts(
        self,
        *,
        trainee_id: int | None = None,
        workshop_id: int | None = None,
        vignette_id: str | None = None,
        since_id: int | None = None,
    ) -> list[AttemptRecord]:
        """Attempts matching every filter given, by id; `since_id` keeps those after it."""
        query = select(_Attempt).order_by(_Attempt.id)
        if trainee_id is not None:
            query = query.where(_Attempt.trainee_id == trainee_id)
        if workshop_id is not None:
            query = query.where(_Attempt.workshop_id == workshop_id)
        if vignette_id is not None:
            query = query.where(_Attempt.vignette_id == vignette_id)
        if since_id is not None:
            query = query.where(_Attempt.id > since_id)
        with self._transaction("read the attempts", write=False) as session:
            return [_attempt_record(row) for row in session.scalars(query)]

    # --- workshops -------------------------------------------------------------------------

    def create_workshop(
        self, name: str, vignette_ids: Sequence[str], seconds_per_vignette: int | None = None
    ) -> WorkshopRecord:
        """Create a workshop with a new, unused join code."""
        clean = " ".join(name.split())
        if not 0 < len(clean) <= MAX_WORKSHOP_NAME_LENGTH:
            raise InputError(f"A workshop name must be 1 to {MAX_WORKSHOP_NAME_LENGTH} characters.")
        ids = _vignette_list(vignette_ids)
        if seconds_per_vignette is not None and seconds_per_vignette <= 0:
            raise InputError("Seconds per vignette must be positive, or None for no limit.")
        with self._transaction("create the workshop") as session:
            for _ in range(JOIN_CODE_TRIES):
                row = _Workshop(
                    name=clean,
                    join_code=_new_join_code(),
                    vignette_ids=ids,
                    seconds_per_vignette=seconds_per_vignette,
                    created_at=_now(),
                    exemplars_released=False,
                    closed=False,
                )
                if _insert(session, row):
                    return _workshop_record(row)
        raise StorageError(f"Could not find an unused join code in {JOIN_CODE_TRIES} tries.")

    def workshop(self, workshop_id: int) -> WorkshopRecord | None:
        """The workshop with this id, or None."""
        with self._transaction("read the workshop", write=False) as session:
            row = session.get(_Workshop, workshop_id)
            return None if row is None else _workshop_record(row)

    def workshop_by_code(self, code: str) -> WorkshopRecord | None:
        """The workshop with this join code (any case, spaces and hyphens ignored), or None."""
        join_code = normalise_join_code(code)
        if join_code is None:
            return None
        with self._transaction("look up the join code", write=False) as session:
            row = session.scalars(select(_Workshop).where(_Workshop.join_code == join_code)).first()
            return None if row is None else _workshop_record(row)

    def workshops(self) -> list[WorkshopRecord]:
        """Every workshop, oldest first."""
        with self._transaction("read the workshops", write=False) as session:
            rows = session.scalars(select(_Workshop).order_by(_Workshop.id))
            return [_workshop_record(row) for row in rows]

    def open_workshop_named(self, name: str) -> WorkshopRecord | None:
        """The newest workshop with this name (any case, spaces squeezed) that has not ended."""
        wanted = " ".join(name.split()).casefold()
        query = select(_Workshop).where(_Workshop.closed == false()).order_by(_Workshop.id.desc())
        with self._transaction("look up the workshop", write=False) as session:
            for row in session.scalars(query):
                if " ".join(row.name.split()).casefold() == wanted:
                    return _workshop_record(row)
        return None

    def set_workshop_vignettes(
        self, workshop_id: int, vignette_ids: Sequence[str]
    ) -> WorkshopRecord:
        """Change the vignettes a workshop runs, in the order trainees meet them."""
        return self._update_workshop(workshop_id, vignette_ids=_vignette_list(vignette_ids))

    def release_exemplars(self, workshop_id: int, released: bool = True) -> WorkshopRecord:
        """Let the workshop's trainees see model responses (or hide them again)."""
        return self._update_workshop(workshop_id, exemplars_released=released)

    def close_workshop(self, workshop_id: int, closed: bool = True) -> WorkshopRecord:
        """End the workshop (or reopen it): no one joins or submits; attempts are kept."""
        with self._transaction("end the workshop") as session:
            row = session.get(_Workshop, workshop_id)
            if row is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            if closed and not row.closed:
                row.ended_at = _now()
            elif not closed:
                row.ended_at = None
            row.closed = closed
            session.flush()
            return _workshop_record(row)

    def _update_workshop(self, workshop_id: int, **values: Any) -> WorkshopRecord:
        with self._transaction("update the workshop") as session:
            row = session.get(_Workshop, workshop_id)
            if row is None:
                raise InputError(f"There is no workshop with id {workshop_id}.")
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return _workshop_record(row)

    # --- ratings ---------------------------------------------------------------------------

    def rate(
        self,
        attempt_id: int,
        *,
        rater: str,
        hrq_level: int | None,
        roadblocks: Iterable[str],
        comment: str,
        rubric_version: str,
    ) -> RatingRecord:
        """Record this rater's rating of the attempt, replacing their earlier one."""
        rater = rater.strip()
        if not 0 < len(rater) <= MAX_ID_LENGTH:
            raise InputError(f"A rater's name must be 1 to {MAX_ID_LENGTH} characters.")
        if hrq_level is not None and hrq_level not in range(1, 6):
            raise InputError(f"A reflective-listening level is 1 to 5, not {hrq_level}.")
        blocks = list(dict.fromkeys(roadblocks))
        unknown = [b for b in blocks if b not in ROADBLOCK_IDS]
        if unknown:
            raise InputError(f"Unknown roadblock ids: {', '.join(unknown)}.")
        values = {
            "hrq_level": hrq_level,
            "roadblocks": blocks,
            "comment": comment,
            "rubric_version": rubric_version,
        }
        with self._transaction("save the rating") as session:
            if session.get(_Attempt, attempt_id) is None:
                raise InputError(f"There is no attempt with id {attempt_id}.")
            query = select(_Rating).where(_Rating.attempt_id == attempt_id, _Rating.rater == rater)
            row = session.scalars(query).first()
            if row is None:
                now = _now()
                row = _Rating(
                    attempt_id=attempt_id, rater=rater, created_at=now, updated_at=now, **values
                )
                if _insert(session, row):
                    return _rating_record(row)
                row = session.scalars(query).one()  # rated at the same moment elsewhere
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = _now()
            session.flush()
            return _rating_record(row)

    def ratings(
        self, attempt_ids: Iterable[int] | None = None, rater: str | None = None
    ) -> list[RatingRecord]:
        """Ratings of these attempts (all if None), by this rater (any if None); by id."""
        query = select(_Rating).order_by(_Rating.id)
        if attempt_ids is not None:
            query = query.where(_Rating.attempt_id.in_(list(attempt_ids)))
        if rater is not None:
            query = query.where(_Rating.rater == rater.strip())
        with self._transaction("read the ratings", write=False) as session:
            return [_rating_record(row) for row in session.scalars(query)]

    # --- settings --------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """The value stored under `key`, or None."""
        with self._transaction("read a setting", write=False) as session:
            row = session.get(_Setting, key)
            return None if row is None else row.value

    def set_setting(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any earlier value."""
        if not 0 < len(key) <= MAX_ID_LENGTH:
            raise InputError(f"A setting name must be 1 to {MAX_ID_LENGTH} characters.")
        with self._transaction("save a setting") as session:
            row = session.get(_Setting, key)
            if row is None:
                if _insert(session, _Setting(key=key, value=value)):
                    return
                row = session.get(_Setting, key, populate_existing=True)  # set at the same moment
                assert row is not None
            row.value = value


# --- join codes --------------------------------------------------------------------------


def _new_join_code() -> str:
    chars = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_join_code(code: str) -> str | None:
    """A typed join code in its stored form ('k7qf 2m' -> 'K7QF-2M'), or None if malformed."""
    chars = re.sub(r"[\s\-]+", "", code).upper()
    if len(chars) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:4]}-{chars[4:]}"


# --- engine and rows ---------------------------------------------------------------------


def _normalise_url(raw: str) -> URL:
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # the driver this package installs
    return url


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        connect_args = {"connect_timeout": 10} if url.get_driver_name() == "psycopg" else {}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    memory = url.database in (None, "", ":memory:") or "mode=memory" in str(url)
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if not str(url.database).startswith("file:") and url.query.get("uri") != "true":
            _private_file(str(url.database))
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin in _on_begin, not pysqlite
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")  # a committed attempt survives power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _describe(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "in memory"
        return f"file {url.database}"
    where = f"{url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
    return f"'{url.database}' on the {url.get_backend_name()} server {where}"


def _reason(exc: SQLAlchemyError) -> str:
    """What went wrong, in words a supervisor can act on, with the driver's own message."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    detail = " ".join(str(original).split())
    lowered = detail.lower()
    for needle, meaning in (
        ("unable to open database file", "cannot be opened or created (check the path)"),
        ("readonly database", "is read-only"),
        (
            "database is locked",
            f"stayed locked by another writer for over {SQLITE_BUSY_TIMEOUT:g} s",
        ),
        ("disk is full", "is on a full disk"),
        ("disk i/o error", "could not be read or written (disk I/O error)"),
        ("not a database", "is not a SQLite database, or is damaged"),
        ("malformed", "is damaged"),
        ("connection refused", "refused the connection (is the server running?)"),
        ("resolve host", "is on a host name that cannot be resolved"),
        ("timeout expired", "did not answer in time"),
        ("password authentication failed", "rejected the user name or password"),
        ("does not exist", "does not exist on the server, or lacks a table"),
    ):
        if needle in lowered:
            return f"{meaning}: {detail}"
    return f"failed: {detail}"


class NewAttempt(NamedTuple):
    """An attempt to store (see `Store.record_attempt` for the fields)."""

    trainee_id: int
    vignette_id: str
    module_id: str
    response: str
    assessment: Assessment
    workshop_id: int | None = None
    client_attempt_id: str | None = None


#: Most values one `IN (...)` query lists.
IN_CHUNK = 500
_T = TypeVar("_T")


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """The values, IN_CHUNK at a time."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _check_attempt(attempt: NewAttempt) -> None:
    for label, value in (("vignette id", attempt.vignette_id), ("module id", attempt.module_id)):
        if len(value) > MAX_ID_LENGTH:
            raise InputError(f"The {label} is longer than {MAX_ID_LENGTH} characters.")
    key = attempt.client_attempt_id
    if key is not None and not 0 < len(key) <= MAX_ID_LENGTH:
        raise InputError(f"A client attempt id must be 1 to {MAX_ID_LENGTH} characters.")


def _check_ids_exist(
    session: Session, table: type[_Trainee] | type[_Workshop], ids: set[int], label: str
) -> None:
    """InputError naming the first of the ids that has no row in the table."""
    found: set[int] = set()
    wanted = sorted(ids)
    for chunk in _chunks(wanted):
        found.update(session.scalars(select(table.id).where(table.id.in_(chunk))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"There is no {label} with id {missing[0]}.")


def _attempt_row(attempt: NewAttempt) -> _Attempt:
    assessment = attempt.assessment
    return _Attempt(
        trainee_id=attempt.trainee_id,
        workshop_id=attempt.workshop_id,
        module_id=attempt.module_id,
        vignette_id=attempt.vignette_id,
        response=attempt.response,
        assessment=assessment.to_dict(),
        hrq_level=assessment.hrq_level,
        scorer_version=assessment.scorer_version,
        created_at=_now(),
        client_attempt_id=attempt.client_attempt_id,
    )


def _insert(session: Session, row: _Base) -> bool:
    """Insert `row` in a savepoint; False, with the transaction intact, on a unique clash."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def name_key(display_name: str) -> str:
    """The form two names are compared in: 'Sam  K.' and 'sam k.' are one trainee."""
    return " ".join(display_name.split()).casefold()


def _vignette_list(vignette_ids: Sequence[str]) -> list[str]:
    ids = list(vignette_ids)
    if isinstance(vignette_ids, str) or not ids or not all(isinstance(v, str) for v in ids):
        raise InputError("A workshop needs a list of one or more vignette ids.")
    return ids


def _clean_name(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        raise InputError(f"A display name must be 1 to {MAX_NAME_LENGTH} characters.")
    return name


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _trainee_record(row: _Trainee) -> TraineeRecord:
    return TraineeRecord(
        id=row.id,
        display_name=row.display_name,
        workshop_id=row.workshop_id,
        created_at=_utc(row.created_at),
    )


def _workshop_record(row: _Workshop) -> WorkshopRecord:
    return WorkshopRecord(
        id=row.id,
        name=row.name,
        join_code=row.join_code,
        vignette_ids=tuple(row.vignette_ids),
        seconds_per_vignette=row.seconds_per_vignette,
        created_at=_utc(row.created_at),
        exemplars_released=bool(row.exemplars_released),
        closed=bool(row.closed),
        ended_at=None if row.ended_at is None else _utc(row.ended_at),
    )


def _attempt_record(row: _Attempt) -> AttemptRecord:
    return AttemptRecord(
        id=row.id,
        trainee_id=row.trainee_id,
        workshop_id=row.workshop_id,
        module_id=row.module_id,
        vignette_id=row.vignette_id,
        response=row.response,
        assessment_data=row.assessment,
        hrq_level=row.hrq_level,
        scorer_version=row.scorer_version,
        created_at=_utc(row.created_at),
        client_attempt_id=row.client_attempt_id,
    )


def _rating_record(row: _Rating) -> RatingRecord:
    return RatingRecord(
        id=row.id,
        attempt_id=row.attempt_id,
        rater=row.rater,
        hrq_level=row.hrq_level,
        roadblocks=tuple(row.roadblocks),
        comment=row.comment,
        rubric_version=row.rubric_version,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )
