"""Tests of the store on SQLite and PostgreSQL: attempts, trainees, workshops, ratings, settings."""

from __future__ import annotations

import json
import re

import pytest
from storage_cases import RESPONSE, full_assessment, submit

from empathy_training import storage
from empathy_training.errors import InputError, WorkshopEndedError
from empathy_training.storage import NewAttempt, Store, normalise_join_code


@pytest.fixture
def store(database_url: str) -> Store:
    """An empty store, on SQLite and on PostgreSQL."""
    return Store(database_url)


# --- attempts ----------------------------------------------------------------------------


def test_attempt_round_trips_with_the_full_assessment(store: Store, database_url: str) -> None:
    trainee = store.trainee("Ana")
    assessment = full_assessment()
    stored = store.record_attempt(
        trainee.id,
        vignette_id="job-loss",
        module_id="reflections",
        response=RESPONSE,
        assessment=assessment,
        client_attempt_id="tab-1:0001",
    )
    reopened = Store(database_url)
    (read,) = reopened.attempts(trainee_id=trainee.id)
    assert read == stored
    assert read.assessment == assessment
    assert read.assessment_data == json.loads(json.dumps(assessment.to_dict()))
    assert (read.hrq_level, read.scorer_version) == (2, "1.2.3")
    assert read.response == RESPONSE
    assert read.created_at.tzinfo is not None
    assert read.workshop_id is None


def test_a_retried_submit_is_stored_once(store: Store) -> None:
    trainee = store.trainee("Ana")
    first = submit(store, trainee.id, key="tab-1:0001")
    again = submit(store, trainee.id, key="tab-1:0001")
    other = submit(store, trainee.id, key="tab-1:0002")
    no_key = [submit(store, trainee.id), submit(store, trainee.id)]
    assert first == again
    assert len({first, other, *no_key}) == 4
    assert len(store.attempts()) == 4


def test_many_attempts_are_stored_in_one_go(store: Store, database_url: str) -> None:
    ana, ben = store.trainee("Ana"), store.trainee("Ben")
    workshop = store.create_workshop("Upload", ["job-loss"])
    batch = [
        NewAttempt(
            (ana, ben)[i % 2].id,
            "job-loss",
            "reflections",
            f"{RESPONSE} ({i})",
            full_assessment(),
            workshop_id=workshop.id,
            client_attempt_id=f"upload:{i}",
        )
        for i in range(1200)  # more than one IN (...) query's worth of keys
    ]
    stored = store.record_attempts(batch)
    assert [r.response for r in stored] == [a.response for a in batch]
    assert [r.id for r in stored] == sorted(r.id for r in stored)
    assert Store(database_url).attempts(workshop_id=workshop.id) == stored
    assert stored[7].assessment == full_assessment()
    # again, with two new ones (one given twice): only those are added
    more = [*batch[:3], batch[0]._replace(client_attempt_id="upload:new"), batch[1]]
    more.append(batch[0]._replace(client_attempt_id="upload:new"))
    again = store.record_attempts(more)
    assert [r.id for r in again[:3]] == [r.id for r in stored[:3]]
    assert again[3].id == again[5].id not in {r.id for r in stored}
    assert len(store.attempts()) == 1201


def test_a_bad_attempt_stores_none_of_its_batch(store: Store) -> None:
    ana = store.trainee("Ana")
    good = NewAttempt(ana.id, "job-loss", "reflections", RESPONSE, full_assessment())
    with pytest.raises(InputError, match="no trainee with id 999"):
        store.record_attempts([good, good._replace(trainee_id=999)])
    with pytest.raises(InputError, match="vignette id is longer"):
        store.record_attempts([good, good._replace(vignette_id="v" * 500)])
    with pytest.raises(InputError, match="no workshop with id 77"):
        store.record_attempts([good._replace(workshop_id=77)])
    assert store.attempts() == [] and store.record_attempts([]) == []


def test_trainees_never_see_each_others_attempts(store: Store) -> None:
    ana, ben = store.trainee("Ana"), store.trainee("Ben")
    ana_ids = [submit(store, ana.id) for _ in range(3)]
    ben_ids = [submit(store, ben.id) for _ in range(2)]
    assert [a.id for a in store.attempts(trainee_id=ana.id)] == ana_ids
    assert [a.id for a in store.attempts(trainee_id=ben.id)] == ben_ids
    assert {a.trainee_id for a in store.attempts(trainee_id=ana.id)} == {ana.id}


def test_attempts_filter_and_poll_by_id(store: Store) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss", "grief"])
    ana = store.trainee("Ana", workshop.id)
    solo = store.trainee("Ana")
    first = submit(store, ana.id, workshop_id=workshop.id)
    second = submit(store, ana.id, workshop_id=workshop.id, vignette_id="grief")
    submit(store, solo.id)
    assert [a.id for a in store.attempts(workshop_id=workshop.id)] == [first, second]
    assert [a.id for a in store.attempts(vignette_id="grief")] == [second]
    assert [a.id for a in store.attempts(workshop_id=workshop.id, since_id=first)] == [second]
    assert store.attempts(since_id=max(a.id for a in store.attempts())) == []


def test_an_attempt_for_an_unknown_trainee_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="no trainee"):
        submit(store, 999)
    assert store.attempts() == []


# --- trainees and workshops ----------------------------------------------------------------


def test_trainee_names_are_unique_per_workshop_and_among_solo_trainees(store: Store) -> None:
    monday = store.create_workshop("Monday", ["job-loss"])
    tuesday = store.create_workshop("Tuesday", ["job-loss"])
    solo = store.trainee("  Sam   Lee ")
    assert solo.display_name == "Sam Lee"
    assert store.trainee("Sam Lee") == solo
    in_monday = store.trainee("Sam Lee", monday.id)
    in_tuesday = store.trainee("Sam Lee", tuesday.id)
    assert len({solo.id, in_monday.id, in_tuesday.id}) == 3
    assert store.trainee("Sam Lee", monday.id) == in_monday
    assert store.trainees(monday.id) == [in_monday]
    assert len(store.trainees()) == 3


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_display_name_must_be_1_to_60_characters(name: str, sqlite_url: str) -> None:
    with pytest.raises(InputError, match="1 to 60"):
        Store(sqlite_url).trainee(name)


def test_joining_an_unknown_workshop_is_refused(sqlite_url: str) -> None:
    with pytest.raises(InputError, match="no workshop"):
        Store(sqlite_url).trainee("Ana", workshop_id=42)


def test_join_codes_are_short_unambiguous_and_forgiving(store: Store) -> None:
    workshops = [store.create_workshop(f"Group {n}", ["job-loss"], 120) for n in range(5)]
    codes = [w.join_code for w in workshops]
    assert len(set(codes)) == 5
    for code in codes:
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{2}", code)
    first = workshops[0]
    typed = f" {first.join_code.replace('-', ' ').lower()} "
    assert store.workshop_by_code(typed) == first
    assert store.workshop_by_code(first.join_code.replace("-", "")) == first
    assert store.workshop_by_code("ZZZZ-ZZ" if first.join_code != "ZZZZ-ZZ" else "YYYY-YY") is None
    assert store.workshop_by_code("not a code") is None
    assert store.workshop(first.id) == first
    assert store.workshop(10_000) is None
    assert store.workshops() == workshops
    assert first.vignette_ids == ("job-loss",)
    assert first.seconds_per_vignette == 120


def test_a_join_code_collision_is_retried(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = iter(["AAAA-22", "AAAA-22", "AAAA-22", "BBBB-33"])
    monkeypatch.setattr(storage, "new_join_code", lambda: next(codes))
    assert store.create_workshop("One", ["job-loss"]).join_code == "AAAA-22"
    assert store.create_workshop("Two", ["job-loss"]).join_code == "BBBB-33"
    assert [w.name for w in store.workshops()] == ["One", "Two"]


def test_normalise_join_code() -> None:
    assert normalise_join_code("k7qf 2m") == "K7QF-2M"
    assert normalise_join_code("K7-QF-2M") == "K7QF-2M"
    assert normalise_join_code("K7QF-2O") is None  # O is not in the alphabet
    assert normalise_join_code("K7QF") is None


def test_exemplars_are_released_and_workshops_closed(store: Store) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss"])
    assert not workshop.exemplars_released
    assert store.release_exemplars(workshop.id).exemplars_released
    assert store.workshop(workshop.id).exemplars_released  # type: ignore[union-attr]
    assert not store.release_exemplars(workshop.id, released=False).exemplars_released
    assert store.close_workshop(workshop.id).closed
    with pytest.raises(InputError):
        store.release_exemplars(999)


def test_an_ended_workshop_refuses_new_attempts_and_keeps_the_old(store: Store) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss"])
    ana = store.trainee("Ana", workshop.id)
    kept = submit(store, ana.id, key="before", workshop_id=workshop.id)
    assert workshop.ended_at is None
    ended = store.close_workshop(workshop.id)
    assert ended.closed and ended.ended_at is not None
    assert ended.ended_at.tzinfo is not None
    with pytest.raises(WorkshopEndedError, match="has ended; your answers are saved"):
        submit(store, ana.id, key="after", workshop_id=workshop.id)
    assert submit(store, ana.id, key="before", workshop_id=workshop.id) == kept  # a retry
    assert [a.id for a in store.attempts(workshop_id=workshop.id)] == [kept]
    assert store.close_workshop(workshop.id).ended_at == ended.ended_at  # ending twice: same time
    reopened = store.close_workshop(workshop.id, closed=False)
    assert not reopened.closed and reopened.ended_at is None


def test_the_open_workshop_of_a_name_is_found_in_any_case(store: Store) -> None:
    assert store.open_workshop_named("Ward 4") is None
    older = store.create_workshop("Ward 4", ["job-loss"])
    newer = store.create_workshop("ward  4", ["job-loss"])
    store.create_workshop("Ward 5", ["job-loss"])
    assert store.open_workshop_named(" WARD 4 ") == newer
    store.close_workshop(newer.id)
    assert store.open_workshop_named("Ward 4") == older
    store.close_workshop(older.id)
    assert store.open_workshop_named("Ward 4") is None


def test_a_workshops_vignettes_can_be_changed(store: Store) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss", "panic"])
    changed = store.set_workshop_vignettes(workshop.id, ["panic", "grief"])
    assert changed.vignette_ids == ("panic", "grief")
    assert store.workshop(workshop.id) == changed
    assert changed.join_code == workshop.join_code
    with pytest.raises(InputError):
        store.set_workshop_vignettes(workshop.id, [])
    with pytest.raises(InputError):
        store.set_workshop_vignettes(999, ["panic"])


@pytest.mark.parametrize(
    ("name", "vignettes", "seconds"),
    [("", ["a"], None), ("W", [], None), ("W", "abc", None), ("W", ["a"], 0)],
)
def test_a_malformed_workshop_is_refused(
    sqlite_url: str, name: str, vignettes: list[str], seconds: int | None
) -> None:
    with pytest.raises(InputError):
        Store(sqlite_url).create_workshop(name, vignettes, seconds)


# --- ratings and settings ------------------------------------------------------------------


def test_a_rating_is_upserted_per_rater(store: Store) -> None:
    attempt = submit(store, store.trainee("Ana").id)
    other = submit(store, store.trainee("Ben").id)
    first = store.rate(
        attempt,
        rater="dr-lee",
        hrq_level=2,
        roadblocks=["reassuring"],
        comment="",
        rubric_version="1",
    )
    changed = store.rate(
        attempt,
        rater="dr-lee",
        hrq_level=3,
        roadblocks=["reassuring", "advising", "reassuring"],
        comment="On reflection, a 3.",
        rubric_version="1",
    )
    second_rater = store.rate(
        attempt, rater="dr-kim", hrq_level=None, roadblocks=[], comment="", rubric_version="1"
    )
    store.rate(other, rater="dr-lee", hrq_level=4, roadblocks=[], comment="", rubric_version="1")
    assert changed.id == first.id
    assert (changed.hrq_level, changed.roadblocks) == (3, ("reassuring", "advising"))
    assert changed.created_at == first.created_at <= changed.updated_at
    assert [r.rater for r in store.ratings(attempt_ids=[attempt])] == ["dr-lee", "dr-kim"]
    assert store.ratings(attempt_ids=[attempt], rater="dr-kim") == [second_rater]
    assert [r.attempt_id for r in store.ratings(rater="dr-lee")] == [attempt, other]
    assert len(store.ratings()) == 3


@pytest.mark.parametrize(
    ("attempt", "level", "roadblocks", "message"),
    [(None, 6, [], "1 to 5"), (None, 3, ["nagging"], "nagging"), (999, 3, [], "no attempt")],
)
def test_a_malformed_rating_is_refused(
    sqlite_url: str, attempt: int | None, level: int, roadblocks: list[str], message: str
) -> None:
    store = Store(sqlite_url)
    attempt_id = attempt or submit(store, store.trainee("Ana").id)
    with pytest.raises(InputError, match=message):
        store.rate(
            attempt_id,
            rater="r",
            hrq_level=level,
            roadblocks=roadblocks,
            comment="",
            rubric_version="",
        )
    assert store.ratings() == []


def test_settings_are_stored_and_replaced(store: Store) -> None:
    assert store.get_setting("supervisor_passcode") is None
    store.set_setting("supervisor_passcode", "hash-1")
    store.set_setting("supervisor_passcode", "hash-2")
    assert store.get_setting("supervisor_passcode") == "hash-2"
