"""Tests of the store on SQLite and PostgreSQL: round trips, idempotency, migrations, failures."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from empathy_training import database, storage
from empathy_training.errors import InputError, StorageError, WorkshopEndedError
from empathy_training.models import (
    Assessment,
    CriterionResult,
    Epitome,
    RiskCue,
    RoadblockFinding,
    Span,
    VignetteAccuracy,
)
from empathy_training.storage import NewAttempt, Store, default_database_url, normalise_join_code

RESPONSE = "Don't worry, at least you still have your job. It sounds like you feel trapped."


def full_assessment(response: str = RESPONSE) -> Assessment:
    """An assessment with every optional part filled in, written by hand."""
    worry = Span(0, 12, response[0:12])
    trapped = Span(49, 80, response[49:80])
    return Assessment(
        response=response,
        hrq_level=2,
        behaviour="reflection",
        question_type=None,
        reflection_depth="simple",
        roadblocks=(
            RoadblockFinding("reassuring", worry, "Name the worry instead of soothing it."),
            RoadblockFinding("reassuring", Span(14, 22, response[14:22])),
        ),
        validation_level=2,
        epitome=Epitome(er=1, ip=2, ex=0),
        criteria=(
            CriterionResult(
                "no-roadblocks", "No roadblocks", False, (worry,), "Drop 'don't worry'."
            ),
            CriterionResult("names-feeling", "Names a feeling", True, (trapped,)),
        ),
        feedback="A reflection, weakened by reassurance.",
        confidence=0.72,
        scorer_version="1.2.3",
        rubric="reflection",
        vignette_id="job-loss",
        accuracy=VignetteAccuracy(
            caught=("trapped",),
            missed=("ashamed", "money worries"),
            over_interpretations=(Span(62, 66, response[62:66]),),
            missed_risks=(RiskCue("hopelessness", "what's the point", ("point",)),),
            score=0.25,
        ),
        evidence={"hrq_level": (trapped,), "epitome.er": (worry, trapped)},
    )


@pytest.fixture
def store(database_url: str) -> Store:
    """An empty store, on SQLite and on PostgreSQL."""
    return Store(database_url)


def _submit(store: Store, trainee_id: int, key: str | None = None, **extra: object) -> int:
    record = store.record_attempt(
        trainee_id,
        vignette_id=str(extra.get("vignette_id", "job-loss")),
        module_id="reflections",
        response=RESPONSE,
        assessment=full_assessment(),
        client_attempt_id=key,
        workshop_id=extra.get("workshop_id"),  # type: ignore[arg-type]
    )
    return record.id


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
    first = _submit(store, trainee.id, key="tab-1:0001")
    again = _submit(store, trainee.id, key="tab-1:0001")
    other = _submit(store, trainee.id, key="tab-1:0002")
    no_key = [_submit(store, trainee.id), _submit(store, trainee.id)]
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
    ana_ids = [_submit(store, ana.id) for _ in range(3)]
    ben_ids = [_submit(store, ben.id) for _ in range(2)]
    assert [a.id for a in store.attempts(trainee_id=ana.id)] == ana_ids
    assert [a.id for a in store.attempts(trainee_id=ben.id)] == ben_ids
    assert {a.trainee_id for a in store.attempts(trainee_id=ana.id)} == {ana.id}


def test_attempts_filter_and_poll_by_id(store: Store) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss", "grief"])
    ana = store.trainee("Ana", workshop.id)
    solo = store.trainee("Ana")
    first = _submit(store, ana.id, workshop_id=workshop.id)
    second = _submit(store, ana.id, workshop_id=workshop.id, vignette_id="grief")
    _submit(store, solo.id)
    assert [a.id for a in store.attempts(workshop_id=workshop.id)] == [first, second]
    assert [a.id for a in store.attempts(vignette_id="grief")] == [second]
    assert [a.id for a in store.attempts(workshop_id=workshop.id, since_id=first)] == [second]
    assert store.attempts(since_id=max(a.id for a in store.attempts())) == []


def test_an_attempt_for_an_unknown_trainee_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="no trainee"):
        _submit(store, 999)
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
    kept = _submit(store, ana.id, key="before", workshop_id=workshop.id)
    assert workshop.ended_at is None
    ended = store.close_workshop(workshop.id)
    assert ended.closed and ended.ended_at is not None
    assert ended.ended_at.tzinfo is not None
    with pytest.raises(WorkshopEndedError, match="has ended; your answers are saved"):
        _submit(store, ana.id, key="after", workshop_id=workshop.id)
    assert _submit(store, ana.id, key="before", workshop_id=workshop.id) == kept  # a retry
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
    attempt = _submit(store, store.trainee("Ana").id)
    other = _submit(store, store.trainee("Ben").id)
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
    attempt_id = attempt or _submit(store, store.trainee("Ana").id)
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


# --- schema and migrations -------------------------------------------------------------------


def test_migrations_build_the_schema_the_models_describe(store: Store, database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, storage.metadata) == []
        assert context.get_current_revision() == storage.SCHEMA_REVISION
    engine.dispose()


def test_migrating_an_existing_database_is_a_no_op_and_keeps_data(
    store: Store, database_url: str
) -> None:
    workshop = store.create_workshop("Tuesday", ["job-loss"])
    attempt = _submit(store, store.trainee("Ana", workshop.id).id, key="k1")
    store.set_setting("supervisor_passcode", "hash")
    store.close()
    again = Store(database_url)
    again.upgrade()
    assert [a.id for a in again.attempts()] == [attempt]
    assert again.workshops() == [workshop]
    assert again.get_setting("supervisor_passcode") == "hash"
    engine = create_engine(database_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert versions == [(storage.SCHEMA_REVISION,)]


def test_a_database_at_the_first_schema_is_upgraded_with_its_workshops(
    database_url: str,
) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(database_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(storage.MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO workshops (name, join_code, vignette_ids, created_at, "
                "exemplars_released, closed) VALUES "
                "('Old', 'AAAA-22', '[\"job-loss\"]', CURRENT_TIMESTAMP, false, true), "
                "('Running', 'BBBB-33', '[\"job-loss\"]', CURRENT_TIMESTAMP, false, false)"
            )
        )
    engine.dispose()
    store = Store(database_url)
    assert store.schema_revision() == storage.SCHEMA_REVISION
    old, running = store.workshops()
    assert old.closed and old.ended_at is None
    assert store.open_workshop_named("running") == running
    assert store.close_workshop(running.id).ended_at is not None
    store.close()


def test_the_workshop_end_migration_goes_down_and_up_again(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    store = Store(database_url)
    ended = store.close_workshop(store.create_workshop("Tuesday", ["job-loss"]).id)
    assert ended.ended_at is not None
    store.close()
    engine = create_engine(database_url)
    for target in ("0001", storage.SCHEMA_REVISION):
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(storage.MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            if target == "0001":
                command.downgrade(config, target)
            else:
                command.upgrade(config, target)
    engine.dispose()
    (again,) = Store(database_url).workshops()
    assert again.closed and again.ended_at is None  # the time went; that it ended stayed


def test_without_migrate_the_schema_is_left_alone(sqlite_url: str) -> None:
    store = Store(sqlite_url, migrate=False)
    with pytest.raises(StorageError, match="no such table"):
        store.workshops()
    store.upgrade()
    assert store.workshops() == []


def test_an_in_memory_database_works(tmp_path: Path) -> None:
    store = Store("sqlite://")
    assert _submit(store, store.trainee("Ana").id) == 1


@pytest.mark.postgres
def test_a_plain_postgresql_url_uses_psycopg(fresh_postgres_url: str) -> None:
    plain = fresh_postgres_url.replace("postgresql+psycopg://", "postgresql://")
    store = Store(plain)
    assert store.url.startswith("postgresql+psycopg://")
    assert store.trainee("Ana").id == 1


def test_the_default_database_is_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMPATHY_TRAINING_DB", "postgresql+psycopg://db.example/et")
    assert default_database_url() == "postgresql+psycopg://db.example/et"
    monkeypatch.delenv("EMPATHY_TRAINING_DB")
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "d"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'd' / 'empathy-training.db'}"
    assert (tmp_path / "d").is_dir()


# --- failures --------------------------------------------------------------------------------


def test_a_database_that_cannot_be_created_raises_storage_error(tmp_path: Path) -> None:
    regular_file = tmp_path / "not-a-directory"
    regular_file.write_text("")
    path = regular_file / "empathy-training.db"
    with pytest.raises(StorageError, match="cannot be opened or created") as caught:
        Store(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    assert caught.value.__cause__ is not None


def test_a_read_only_database_raises_storage_error_on_write(sqlite_url: str) -> None:
    writable = Store(sqlite_url)
    trainee = writable.trainee("Ana")
    _submit(writable, trainee.id)
    writable.close()
    path = sqlite_url.removeprefix("sqlite:///")
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert len(read_only.attempts()) == 1
    with pytest.raises(StorageError, match=r"save the attempt.*read-only"):
        _submit(read_only, trainee.id)


def test_a_database_locked_too_long_raises_storage_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT", 0.2)
    store = Store(sqlite_url)
    trainee = store.trainee("Ana")
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="locked by another writer"):
            _submit(store, trainee.id)
        assert len(store.attempts()) == 0  # readers are not blocked by a writer
    finally:
        other.execute("ROLLBACK")
        other.close()
    _submit(store, trainee.id)


def test_an_unreachable_server_raises_storage_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with pytest.raises(StorageError, match=rf"127\.0\.0\.1:{port}.*refused"):
            Store(f"postgresql+psycopg://nobody:secret@127.0.0.1:{port}/et")


def test_a_malformed_url_raises_storage_error() -> None:
    with pytest.raises(StorageError, match="Not a database URL"):
        Store("no such thing")


# --- crash safety ----------------------------------------------------------------------------

_WRITER = """
import json, sys
from empathy_training.models import Assessment
from empathy_training.storage import Store

store = Store(sys.argv[1])
trainee = store.trainee("Crash test")
assessment = Assessment.from_dict(json.loads(sys.argv[2]))
number = 0
while True:
    record = store.record_attempt(
        trainee.id,
        vignette_id="job-loss",
        module_id="reflections",
        response=assessment.response,
        assessment=assessment,
        client_attempt_id=f"{sys.argv[3]}-{number}",
    )
    print(record.id, flush=True)
    number += 1
"""


def test_a_killed_writer_loses_no_committed_attempt(sqlite_url: str) -> None:
    Store(sqlite_url).close()
    path = sqlite_url.removeprefix("sqlite:///")
    assessment = json.dumps(full_assessment().to_dict())
    committed: list[int] = []
    for round_number, stop_after in enumerate(random.sample(range(5, 60), 3)):
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, sqlite_url, assessment, f"round{round_number}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        for _ in range(stop_after):
            line = child.stdout.readline()
            assert line, f"the writer died early with exit code {child.wait()}"
            committed.append(int(line))
        os.kill(child.pid, signal.SIGKILL)
        committed += [int(line) for line in child.stdout.read().split()]
        assert child.wait() == -signal.SIGKILL
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {a.id for a in Store(sqlite_url).attempts()}
        assert set(committed) <= stored
    assert len(committed) == len(set(committed)) >= 15


def test_schema_revision_constant_is_the_migrations_head(sqlite_url: str) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from empathy_training.storage import MIGRATIONS_DIR, SCHEMA_REVISION, Store

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION
    store = Store(sqlite_url)
    assert store.schema_revision() == SCHEMA_REVISION
    store.close()


def test_names_that_clash_in_case_are_kept_apart_when_migrating(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from empathy_training.storage import MIGRATIONS_DIR

    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # a database from before names were compared in any case
        for name in ("Sam", "sam", "Alex"):
            connection.execute(
                text(
                    "INSERT INTO trainees (display_name, created_at) "
                    "VALUES (:name, CURRENT_TIMESTAMP)"
                ),
                {"name": name},
            )
    engine.dispose()
    store = Store(database_url)
    assert [t.display_name for t in store.trainees()] == ["Sam", "sam (2)", "Alex"]
    found = store.find_trainee("SAM")
    assert found is not None and found[0].display_name == "Sam"
    assert store.create_trainee("ALEX") is None  # taken, in any case
    store.close()
