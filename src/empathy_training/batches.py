"""Batches of responses to grade, from an uploaded file or a workshop, and how they are kept."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from .feedback_reports import trainee_names
from .grading import CONTRACT_COLUMNS, cell_text, row_values, typed_contract
from .models import Assessment, Library, Vignette

__all__ = [
    "BATCH_SETTING",
    "INTERNAL_COLUMNS",
    "NO_VIGNETTE",
    "UPLOAD_PREFIX",
    "Batch",
    "UploadRow",
    "answer_levels",
    "attempt_keys",
    "batch_setting",
    "batch_trainees",
    "find_vignette",
    "load_batch",
    "review_table",
    "upload_rows",
    "upload_workshop_name",
]

#: Vignette id stored for a response scored against a client statement only.
NO_VIGNETTE = "(client statement)"
#: Prefix of the workshop an upload is stored under.
UPLOAD_PREFIX = "Graded upload: "
#: Setting holding an upload's own rows (client statements, other columns, unscored rows).
BATCH_SETTING = "grading-batch:{workshop_id}"
#: Longest trainee name the store keeps (`storage.MAX_NAME_LENGTH`).
MAX_TRAINEE_CHARS = 60
#: Longest workshop name the store keeps (`storage.MAX_WORKSHOP_NAME_LENGTH`).
MAX_WORKSHOP_NAME_CHARS = 200
#: Columns `review_table` adds for the app's own use: file row, trainee, attempt, vignette.
INTERNAL_COLUMNS = ("_row", "_trainee", "_attempt", "_vignette")
#: Columns of a workshop's attempts when they are graded.
WORKSHOP_COLUMNS = ("trainee", "time", "vignette_id", "client_statement", "response")


@dataclass(frozen=True)
class Batch:
    """Responses loaded for grading: a graded table and, row by row, what goes with it."""

    name: str
    """The uploaded file's name, or the workshop's."""
    graded: pd.DataFrame = field(repr=False, hash=False, compare=False)
    """The rows: their own columns, the contract columns and `error`."""
    assessments: tuple[Assessment | None, ...] = ()
    """Each row's assessment; None where the row could not be scored."""
    attempt_ids: tuple[int | None, ...] = ()
    """Each row's attempt in the store; None where it could not be scored."""
    trainees: tuple[str, ...] = ()
    """Who wrote each row."""
    workshop_id: int | None = None
    """The workshop the rows are stored under."""
    uploaded: bool = True
    """From an uploaded file (one row per answer) rather than a workshop (retries included)."""


@dataclass(frozen=True)
class UploadRow:
    """A scored row of an upload as the store keeps it: one attempt."""

    position: int
    """The row's place in the file, from 0."""
    trainee: str
    """Who wrote it."""
    vignette_id: str
    """The vignette answered, or NO_VIGNETTE."""
    module_id: str
    """The vignette's module ("" for a client statement)."""
    assessment: Assessment
    """The scorer's judgement."""
    key: str
    """The attempt's key in the store (see `attempt_keys`)."""


class StoredAttempt(Protocol):
    """What a batch reads from a stored attempt (`storage.AttemptRecord` has it all)."""

    @property
    def id(self) -> int: ...
    @property
    def trainee_id(self) -> int: ...
    @property
    def vignette_id(self) -> str: ...
    @property
    def response(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def client_attempt_id(self) -> str | None: ...
    @property
    def assessment(self) -> Assessment: ...


class StoredTrainee(Protocol):
    """What a batch reads from a stored trainee."""

    @property
    def id(self) -> int: ...
    @property
    def display_name(self) -> str: ...


class BatchStore(Protocol):
    """What `load_batch` reads from the store (`storage.Store` has it all)."""

    def attempts(self, *, workshop_id: int | None = None) -> Sequence[StoredAttempt]: ...
    def trainees(self, workshop_id: int | None = None) -> Sequence[StoredTrainee]: ...
    def get_setting(self, key: str) -> str | None: ...


def batch_trainees(table: pd.DataFrame) -> list[str]:
    """Each row's trainee as stored: the trainee column or "row N", cut to the longest name."""
    return [name[:MAX_TRAINEE_CHARS].strip() for name in trainee_names(table)]


def upload_workshop_name(file_name: str) -> str:
    """The name of the workshop an uploaded file is stored under, as the store keeps it."""
    return " ".join(f"{UPLOAD_PREFIX}{file_name}"[:MAX_WORKSHOP_NAME_CHARS].split())


def find_vignette(library: Library, vignette_id: Any) -> Vignette | None:
    """The library's vignette with this id, or None (also for an empty or unknown id)."""
    text = cell_text(vignette_id).strip()
    if not text:
        return None
    try:
        return library.vignette(text)
    except KeyError:
        return None


def attempt_keys(batch: Batch, workshop_id: int) -> tuple[str | None, ...]:
    """Each scored row's attempt key in the store; None for a row that was not scored.

    The key is made from what the row says (trainee, response, client statement, vignette,
    rubric and scorer version), not from where it stands: the same row uploaded again gets the
    same key, and so keeps its attempt and every rating given to it; a changed row gets a new
    one. Repeats of one row are numbered so that each keeps an attempt of its own.
    """
    graded = batch.graded
    statements = _column(graded, "client_statement")
    seen: Counter[str] = Counter()
    keys: list[str | None] = []
    for trainee, assessment, statement in zip(
        batch.trainees, batch.assessments, statements, strict=True
    ):
        if assessment is None:
            keys.append(None)
            continue
        said = [
            trainee,
            assessment.response,
            cell_text(statement),
            assessment.vignette_id or "",
            assessment.rubric,
            assessment.scorer_version,
        ]
        digest = hashlib.sha256(json.dumps(said).encode("utf-8")).hexdigest()[:24]
        seen[digest] += 1
        keys.append(f"grading:{workshop_id}:{digest}:{seen[digest]}")
    return tuple(keys)


def upload_rows(batch: Batch, keys: Sequence[str | None], library: Library) -> list[UploadRow]:
    """The scored rows of an upload, each as the attempt the store keeps for it."""
    rows: list[UploadRow] = []
    for position, (trainee, assessment, key) in enumerate(
        zip(batch.trainees, batch.assessments, keys, strict=True)
    ):
        if assessment is None or key is None:
            continue
        vignette_id = assessment.vignette_id or NO_VIGNETTE
        vignette = find_vignette(library, vignette_id)
        rows.append(
            UploadRow(
                position=position,
                trainee=trainee,
                vignette_id=vignette_id,
                module_id=vignette.module_id if vignette is not None else "",
                assessment=assessment,
                key=key,
            )
        )
    return rows


def batch_setting(batch: Batch, keys: Sequence[str | None]) -> str:
    """An upload's own rows as JSON, to keep beside its attempts (see BATCH_SETTING)."""
    graded = batch.graded
    original = [c for c in graded.columns if c not in (*CONTRACT_COLUMNS, "error")]
    kept = graded[[*original, "error"]].astype(object)
    kept = kept.where(kept.notna(), None)
    return json.dumps(
        {
            "file": batch.name,
            "columns": original,
            "rows": kept.to_dict("records"),
            "keys": list(keys),
        },
        default=str,
        ensure_ascii=False,
    )


def load_batch(store: BatchStore, workshop_id: int, workshop_name: str, library: Library) -> Batch:
    """A stored upload's rows with their attempts, or a workshop's attempts, as a batch."""
    attempts = store.attempts(workshop_id=workshop_id)
    names = {t.id: t.display_name for t in store.trainees(workshop_id)}
    stored = store.get_setting(BATCH_SETTING.format(workshop_id=workshop_id))
    if stored:
        return _stored_upload(workshop_id, workshop_name, json.loads(stored), attempts, names)
    return _workshop_batch(workshop_id, workshop_name, attempts, names, library)


def review_table(batch: Batch) -> pd.DataFrame:
    """The batch's rows with INTERNAL_COLUMNS added: file row (from 1), trainee, attempt id
    (nullable) and vignette id (NO_VIGNETTE for a row with none); `error` as text."""
    table = batch.graded.reset_index(drop=True).copy()
    table["error"] = table["error"].map(cell_text)
    table["_row"] = range(1, len(table) + 1)
    table["_trainee"] = list(batch.trainees)
    table["_attempt"] = pd.array(list(batch.attempt_ids), dtype="Int64")
    table["_vignette"] = [
        cell_text(v).strip() or NO_VIGNETTE for v in _column(table, "vignette_id")
    ]
    return table


def answer_levels(batch: Batch, levels: Sequence[Any]) -> pd.DataFrame:
    """Trainee and level of each answer (`levels`, row by row), for a pre/post comparison.

    In a workshop a trainee may answer a vignette several times: the last answer counts.
    """
    graded = batch.graded
    vignettes = (
        list(graded["vignette_id"]) if "vignette_id" in graded.columns else list(range(len(graded)))
    )
    table = pd.DataFrame(
        {"trainee": list(batch.trainees), "vignette": vignettes, "level": list(levels)}
    )
    if not batch.uploaded:
        table = table.drop_duplicates(subset=["trainee", "vignette"], keep="last")
    return table[["trainee", "level"]].reset_index(drop=True)


def _stored_upload(
    workshop_id: int,
    workshop_name: str,
    saved: dict[str, Any],
    attempts: Sequence[StoredAttempt],
    names: dict[int, str],
) -> Batch:
    by_key = {a.client_attempt_id: a for a in attempts}
    rows: list[dict[str, Any]] = saved["rows"]
    # Uploads stored before rows had content keys were keyed by their place in the file.
    keys = saved.get("keys") or [f"grading:{workshop_id}:{p}" for p in range(len(rows))]
    records: list[dict[str, Any]] = []
    assessments: list[Assessment | None] = []
    ids: list[int | None] = []
    trainees: list[str] = []
    for original, key in zip(rows, keys, strict=True):
        record = {c: original.get(c) for c in saved["columns"]}
        attempt = by_key.get(key) if key is not None else None
        assessment = attempt.assessment if attempt is not None else None
        record.update(
            row_values(assessment) if assessment is not None else dict.fromkeys(CONTRACT_COLUMNS)
        )
        record["error"] = "" if assessment is not None else cell_text(original.get("error"))
        records.append(record)
        assessments.append(assessment)
        ids.append(attempt.id if attempt is not None else None)
        trainees.append(names.get(attempt.trainee_id, "") if attempt is not None else "")
    graded = typed_contract(
        pd.DataFrame(records, columns=[*saved["columns"], *CONTRACT_COLUMNS, "error"])
    )
    fallback = batch_trainees(graded)
    return Batch(
        name=str(saved.get("file") or workshop_name),
        graded=graded,
        assessments=tuple(assessments),
        attempt_ids=tuple(ids),
        trainees=tuple(t or f for t, f in zip(trainees, fallback, strict=True)),
        workshop_id=workshop_id,
        uploaded=True,
    )


def _workshop_batch(
    workshop_id: int,
    workshop_name: str,
    attempts: Sequence[StoredAttempt],
    names: dict[int, str],
    library: Library,
) -> Batch:
    records: list[dict[str, Any]] = []
    assessments: list[Assessment] = []
    trainees: list[str] = []
    for attempt in attempts:
        assessment = attempt.assessment  # rebuilt on each read: once is enough
        vignette = find_vignette(library, attempt.vignette_id)
        trainee = names.get(attempt.trainee_id, f"trainee {attempt.trainee_id}")
        records.append(
            {
                "trainee": trainee,
                "time": attempt.created_at,
                "vignette_id": attempt.vignette_id,
                "client_statement": vignette.statement if vignette else "",
                "response": attempt.response,
                **row_values(assessment),
                "error": "",
            }
        )
        assessments.append(assessment)
        trainees.append(trainee)
    graded = typed_contract(
        pd.DataFrame(records, columns=[*WORKSHOP_COLUMNS, *CONTRACT_COLUMNS, "error"])
    )
    return Batch(
        name=workshop_name,
        graded=graded,
        assessments=tuple(assessments),
        attempt_ids=tuple(a.id for a in attempts),
        trainees=tuple(trainees),
        workshop_id=workshop_id,
        uploaded=False,
    )


def _column(table: pd.DataFrame, name: str) -> list[Any]:
    """A column's values, or "" for every row when the table has no such column."""
    return list(table[name]) if name in table.columns else [""] * len(table)
