"""Attempts and raters' ratings of them in the store; a retried submit is stored once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from empathy_training.database import Database
from empathy_training.errors import InputError, WorkshopEndedError
from empathy_training.models import ROADBLOCK_IDS, Assessment
from empathy_training.records import MAX_ID_LENGTH, AttemptRecord, NewAttempt, RatingRecord
from empathy_training.schema import (
    AttemptRow,
    RatingRow,
    TraineeRow,
    WorkshopRow,
    attempt_record,
    attempt_row,
    check_attempt,
    check_ids_exist,
    chunks,
    insert_row,
    rating_record,
    utc_now,
)

# PostgreSQL advisory lock key that makes attempt ids commit in order.
_ATTEMPT_LOCK = 7_341_002


class AttemptStore(Database):
    """The store's attempts and their ratings: `Store` has these methods, and the rest."""

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
        check_attempt(attempt)
        with self._transaction("save the attempt") as session:
            by_key = select(AttemptRow).where(AttemptRow.client_attempt_id == client_attempt_id)
            if client_attempt_id is not None:
                existing = session.scalars(by_key).first()
                if existing is not None:
                    return attempt_record(existing)
            if session.get(TraineeRow, trainee_id) is None:
                raise InputError(f"There is no trainee with id {trainee_id}.")
            if workshop_id is not None:
                workshop = session.get(WorkshopRow, workshop_id)
                if workshop is None:
                    raise InputError(f"There is no workshop with id {workshop_id}.")
                if workshop.closed:
                    raise WorkshopEndedError(WorkshopEndedError.MESSAGE)
            self._lock_attempt_ids(session)
            row = attempt_row(attempt)
            if not insert_row(session, row):
                row = session.scalars(by_key).one()  # the same submit, stored by a retry
            return attempt_record(row)

    def record_attempts(self, attempts: Sequence[NewAttempt]) -> list[AttemptRecord]:
        """Store many attempts in one transaction (an uploaded file): all of them or, on any
        error, none. An attempt whose `client_attempt_id` is stored already is not stored
        again; the stored one is returned in its place."""
        for attempt in attempts:
            check_attempt(attempt)
        if not attempts:
            return []
        with self._transaction("save the attempts") as session:
            check_ids_exist(session, TraineeRow, {a.trainee_id for a in attempts}, "trainee")
            workshops = {a.workshop_id for a in attempts if a.workshop_id is not None}
            check_ids_exist(session, WorkshopRow, workshops, "workshop")
            keys = [a.client_attempt_id for a in attempts if a.client_attempt_id is not None]
            stored: dict[str, AttemptRow] = {}
            for chunk in chunks(keys):
                query = select(AttemptRow).where(AttemptRow.client_attempt_id.in_(chunk))
                stored.update((row.client_attempt_id or "", row) for row in session.scalars(query))
            self._lock_attempt_ids(session)
            rows = []
            for attempt in attempts:
                row = stored.get(attempt.client_attempt_id or "")
                if row is None:
                    row = attempt_row(attempt)
                    session.add(row)
                    if attempt.client_attempt_id is not None:
                        stored[attempt.client_attempt_id] = row
                rows.append(row)
            session.flush()
            return [attempt_record(row) for row in rows]

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
        query = select(AttemptRow).order_by(AttemptRow.id)
        if trainee_id is not None:
            query = query.where(AttemptRow.trainee_id == trainee_id)
        if workshop_id is not None:
            query = query.where(AttemptRow.workshop_id == workshop_id)
        if vignette_id is not None:
            query = query.where(AttemptRow.vignette_id == vignette_id)
        if since_id is not None:
            query = query.where(AttemptRow.id > since_id)
        with self._transaction("read the attempts", write=False) as session:
            return [attempt_record(row) for row in session.scalars(query)]

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
            if session.get(AttemptRow, attempt_id) is None:
                raise InputError(f"There is no attempt with id {attempt_id}.")
            query = select(RatingRow).where(
                RatingRow.attempt_id == attempt_id, RatingRow.rater == rater
            )
            row = session.scalars(query).first()
            if row is None:
                now = utc_now()
                row = RatingRow(
                    attempt_id=attempt_id, rater=rater, created_at=now, updated_at=now, **values
                )
                if insert_row(session, row):
                    return rating_record(row)
                row = session.scalars(query).one()  # rated at the same moment elsewhere
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utc_now()
            session.flush()
            return rating_record(row)

    def ratings(
        self, attempt_ids: Iterable[int] | None = None, rater: str | None = None
    ) -> list[RatingRecord]:
        """Ratings of these attempts (all if None), by this rater (any if None); by id."""
        query = select(RatingRow).order_by(RatingRow.id)
        if attempt_ids is not None:
            query = query.where(RatingRow.attempt_id.in_(list(attempt_ids)))
        if rater is not None:
            query = query.where(RatingRow.rater == rater.strip())
        with self._transaction("read the ratings", write=False) as session:
            return [rating_record(row) for row in session.scalars(query)]
