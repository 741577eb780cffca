"""Tests of the store's schema and migrations, its failures, and what survives a killed writer."""

from __future__ import annotations

import json
import os
import random
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
from storage_cases import full_assessment, submit

from empathy_training import database, storage
from empathy_training.errors import StorageError
from empathy_training.storage import Store, default_database_url


@pytest.fixture
def store(database_url: str) -> Store:
    """An empty store, on SQLite and on PostgreSQL."""
    return Store(database_url)


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
    attempt = submit(store, store.trainee("Ana", workshop.id).id, key="k1")
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
    assert submit(store, store.trainee("Ana").id) == 1


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
    submit(writable, trainee.id)
    writable.close()
    path = sqlite_url.removeprefix("sqlite:///")
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert len(read_only.attempts()) == 1
    with pytest.raises(StorageError, match=r"save the attempt.*read-only"):
        submit(read_only, trainee.id)


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
            submit(store, trainee.id)
        assert len(store.attempts()) == 0  # readers are not blocked by a writer
    finally:
        other.execute("ROLLBACK")
        other.close()
    submit(store, trainee.id)


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
