"""Batches of responses: keys that survive a second upload, and reading a batch back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from empathy_training import storage
from empathy_training.batches import (
    BATCH_SETTING,
    MAX_TRAINEE_CHARS,
    MAX_WORKSHOP_NAME_CHARS,
    NO_VIGNETTE,
    Batch,
    answer_levels,
    attempt_keys,
    batch_setting,
    batch_trainees,
    load_batch,
    review_table,
    upload_rows,
    upload_workshop_name,
)
from empathy_training.grading import grade_with_assessments
from empathy_training.models import Assessment, Library
from empathy_training.scoring import score_response

STATEMENT = "I keep forgetting my tablets and my daughter is cross with me."


def batch_of(rows: list[tuple[str, str]], library: Library | None = None) -> Batch:
    table = pd.DataFrame(
        {
            "trainee": [t for t, _ in rows],
            "client_statement": STATEMENT,
            "response": [r for _, r in rows],
        }
    )
    graded, assessments = grade_with_assessments(table, library=library)
    return Batch(
        name="pre.csv",
        graded=graded,
        assessments=tuple(assessments),
        attempt_ids=(None,) * len(graded),
        trainees=tuple(batch_trainees(graded)),
    )


def test_keys_follow_what_a_row_says_not_where_it_stands() -> None:
    rows = [("Ana", "You're worried."), ("Ben", ""), ("Cy", "You're worried."), ("Ana", "Hm.")]
    keys = attempt_keys(batch_of(rows), 7)
    assert keys[1] is None  # not scored, not stored
    assert all(k.startswith("grading:7:") for k in keys if k)
    assert len({k for k in keys if k}) == 3
    moved = attempt_keys(batch_of([rows[3], rows[0]]), 7)
    assert moved == (keys[3], keys[0])  # the same rows in another order keep their keys
    changed = attempt_keys(batch_of([("Ana", "You're so worried.")]), 7)
    assert changed[0] != keys[0]
    assert attempt_keys(batch_of(rows[:1]), 8)[0] != keys[0]  # another upload, another key
    twice = attempt_keys(batch_of([rows[0], rows[0]]), 7)
    assert twice[0] == keys[0] and twice[1] != twice[0]  # a repeated row keeps its own
    assert all(len(k) <= storage.MAX_ID_LENGTH for k in keys if k)


def test_limits_match_the_store() -> None:
    assert MAX_TRAINEE_CHARS == storage.MAX_NAME_LENGTH
    assert MAX_WORKSHOP_NAME_CHARS == storage.MAX_WORKSHOP_NAME_LENGTH
    assert upload_workshop_name("week  1.csv") == "Graded upload: week 1.csv"
    assert len(upload_workshop_name("x" * 300)) == MAX_WORKSHOP_NAME_CHARS


@dataclass(frozen=True)
class Attempt:
    id: int
    trainee_id: int
    vignette_id: str
    response: str
    assessment: Assessment
    client_attempt_id: str | None
    created_at: datetime = datetime(2024, 5, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Trainee:
    id: int
    display_name: str


@dataclass
class FakeStore:
    """Only what `load_batch` reads."""

    attempt_rows: list[Attempt]
    trainee_rows: list[Trainee]
    settings: dict[str, str] = field(default_factory=dict)

    def attempts(self, *, workshop_id: int | None = None) -> list[Attempt]:
        return self.attempt_rows

    def trainees(self, workshop_id: int | None = None) -> list[Trainee]:
        return self.trainee_rows

    def get_setting(self, key: str) -> str | None:
        return self.settings.get(key)


def stored(batch: Batch, keys: tuple[str | None, ...], library: Library) -> FakeStore:
    names = list(dict.fromkeys(batch.trainees))
    rows = upload_rows(batch, keys, library)
    attempts = [
        Attempt(
            100 + i,
            names.index(r.trainee),
            r.vignette_id,
            r.assessment.response,
            r.assessment,
            r.key,
        )
        for i, r in enumerate(rows)
    ]
    store = FakeStore(attempts, [Trainee(i, n) for i, n in enumerate(names)])
    store.settings[BATCH_SETTING.format(workshop_id=7)] = batch_setting(batch, keys)
    return store


def test_an_upload_reads_back_as_it_was_stored(library: Library) -> None:
    batch = batch_of([("Ana", "You're worried."), ("Ben", ""), ("Cy", "Don't worry.")])
    keys = attempt_keys(batch, 7)
    back = load_batch(stored(batch, keys, library), 7, "Graded upload: pre.csv", library)
    assert back.name == "pre.csv" and back.uploaded and back.workshop_id == 7
    assert back.attempt_ids == (100, None, 101)
    assert back.trainees == ("Ana", "Ben", "Cy")
    assert list(back.graded["error"]) == ["", "empty response", ""]
    assert str(back.graded["hrq_level"].dtype) == "Int64"
    assert back.graded["hrq_level"].tolist() == batch.graded["hrq_level"].tolist()
    assert [r.vignette_id for r in upload_rows(batch, keys, library)] == [NO_VIGNETTE] * 2


def test_an_upload_stored_before_content_keys_still_opens(library: Library) -> None:
    batch = batch_of([("Ana", "You're worried."), ("Ben", "")])
    positional = ("grading:7:0", None)
    store = stored(batch, positional, library)
    saved = json.loads(store.settings[BATCH_SETTING.format(workshop_id=7)])
    del saved["keys"]
    store.settings[BATCH_SETTING.format(workshop_id=7)] = json.dumps(saved)
    back = load_batch(store, 7, "Graded upload: pre.csv", library)
    assert back.attempt_ids == (100, None)


def test_a_workshops_attempts_read_back_as_a_batch(library: Library) -> None:
    vignette = library.vignettes[0]
    assessment = score_response("You're confused by them.", vignette=vignette)
    attempts = [
        Attempt(5, 1, vignette.id, "You're confused by them.", assessment, None),
        Attempt(6, 1, vignette.id, "You're confused by them.", assessment, None),
    ]
    back = load_batch(FakeStore(attempts, [Trainee(1, "Sam")]), 3, "Ward 4", library)
    assert (back.name, back.uploaded, back.attempt_ids) == ("Ward 4", False, (5, 6))
    assert list(back.graded["client_statement"]) == [vignette.statement] * 2
    table = review_table(back)
    assert list(table["_row"]) == [1, 2] and list(table["_vignette"]) == [vignette.id] * 2
    levels = answer_levels(back, [2, 4])
    assert levels.to_dict("records") == [{"trainee": "Sam", "level": 4}]  # the last answer


def test_review_table_marks_rows_without_a_vignette() -> None:
    table = review_table(batch_of([("Ana", "You're worried."), ("Ben", "")]))
    assert list(table["_vignette"]) == [NO_VIGNETTE] * 2
    assert list(table["_trainee"]) == ["Ana", "Ben"]
    assert table["_attempt"].isna().all() and list(table["error"]) == ["", "empty response"]
