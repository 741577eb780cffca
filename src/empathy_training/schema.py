"""The tables (mirrored by migrations/versions: change both together) and their rows as records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

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
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from empathy_training.errors import InputError
from empathy_training.records import (
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_SECRET_HASH_LENGTH,
    MAX_WORKSHOP_NAME_LENGTH,
    NAME_KEY_LENGTH,
    AttemptRecord,
    NewAttempt,
    RatingRecord,
    TraineeRecord,
    WorkshopRecord,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = DateTime(timezone=True)


class TableBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkshopRow(TableBase):
    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_WORKSHOP_NAME_LENGTH))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    vignette_ids: Mapped[list[str]] = mapped_column(JSON_TYPE)
    seconds_per_vignette: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP)
    exemplars_released: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(TIMESTAMP)


class TraineeRow(TableBase):
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
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))


class AttemptRow(TableBase):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    vignette_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), index=True)
    response: Mapped[str] = mapped_column(Text)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    hrq_level: Mapped[int] = mapped_column(Integer)
    scorer_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP)
    client_attempt_id: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), unique=True)


class RatingRow(TableBase):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("attempt_id", "rater"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    rater: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    hrq_level: Mapped[int | None] = mapped_column(Integer)
    roadblocks: Mapped[list[str]] = mapped_column(JSON_TYPE)
    comment: Mapped[str] = mapped_column(Text)
    rubric_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP)
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMP)


class FailedCheckRow(TableBase):
    __tablename__ = "failed_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), index=True)
    failed_at: Mapped[datetime] = mapped_column(TIMESTAMP)


class SettingRow(TableBase):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


#: The schema the migrations build, for Alembic's autogenerate and for tests.
metadata = TableBase.metadata


# --- rows -------------------------------------------------------------------------------


#: Most values one `IN (...)` query lists.
IN_CHUNK = 500
_T = TypeVar("_T")


def chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """The values, IN_CHUNK at a time."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def check_attempt(attempt: NewAttempt) -> None:
    for label, value in (("vignette id", attempt.vignette_id), ("module id", attempt.module_id)):
        if len(value) > MAX_ID_LENGTH:
            raise InputError(f"The {label} is longer than {MAX_ID_LENGTH} characters.")
    key = attempt.client_attempt_id
    if key is not None and not 0 < len(key) <= MAX_ID_LENGTH:
        raise InputError(f"A client attempt id must be 1 to {MAX_ID_LENGTH} characters.")


def check_ids_exist(
    session: Session, table: type[TraineeRow] | type[WorkshopRow], ids: set[int], label: str
) -> None:
    """InputError naming the first of the ids that has no row in the table."""
    found: set[int] = set()
    wanted = sorted(ids)
    for chunk in chunks(wanted):
        found.update(session.scalars(select(table.id).where(table.id.in_(chunk))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"There is no {label} with id {missing[0]}.")


def attempt_row(attempt: NewAttempt) -> AttemptRow:
    assessment = attempt.assessment
    return AttemptRow(
        trainee_id=attempt.trainee_id,
        workshop_id=attempt.workshop_id,
        module_id=attempt.module_id,
        vignette_id=attempt.vignette_id,
        response=attempt.response,
        assessment=assessment.to_dict(),
        hrq_level=assessment.hrq_level,
        scorer_version=assessment.scorer_version,
        created_at=utc_now(),
        client_attempt_id=attempt.client_attempt_id,
    )


def insert_row(session: Session, row: TableBase) -> bool:
    """Insert `row` in a savepoint; False, with the transaction intact, on a unique clash."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def trainee_record(row: TraineeRow) -> TraineeRecord:
    return TraineeRecord(
        id=row.id,
        display_name=row.display_name,
        workshop_id=row.workshop_id,
        created_at=as_utc(row.created_at),
    )


def workshop_record(row: WorkshopRow) -> WorkshopRecord:
    return WorkshopRecord(
        id=row.id,
        name=row.name,
        join_code=row.join_code,
        vignette_ids=tuple(row.vignette_ids),
        seconds_per_vignette=row.seconds_per_vignette,
        created_at=as_utc(row.created_at),
        exemplars_released=bool(row.exemplars_released),
        closed=bool(row.closed),
        ended_at=None if row.ended_at is None else as_utc(row.ended_at),
    )


def attempt_record(row: AttemptRow) -> AttemptRecord:
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
        created_at=as_utc(row.created_at),
        client_attempt_id=row.client_attempt_id,
    )


def rating_record(row: RatingRow) -> RatingRecord:
    return RatingRecord(
        id=row.id,
        attempt_id=row.attempt_id,
        rater=row.rater,
        hrq_level=row.hrq_level,
        roadblocks=tuple(row.roadblocks),
        comment=row.comment,
        rubric_version=row.rubric_version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )
