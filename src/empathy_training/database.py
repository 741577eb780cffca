"""Opening a database: engine, one transaction helper, schema migrations, failures in words."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from empathy_training.errors import StorageError
from empathy_training.records import default_database_url

#: How long a SQLite writer waits for another writer before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 30.0
# PostgreSQL advisory lock key for migrations.
_MIGRATION_LOCK = 7_341_001


#: The newest migration; tests check that it is the head of the migrations below.
SCHEMA_REVISION = "0003_trainee_codes"
#: The Alembic migrations shipped with the package.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Database:
    """One database, its schema migrated: what `Store` reads and writes through.

    `url` is a SQLAlchemy URL (`sqlite:///path.db`, `postgresql+psycopg://user@host/db`);
    None means `default_database_url()`. The schema is migrated to the newest version on
    opening unless `migrate=False`. Every failure of the database raises `StorageError`.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        raw = url if url is not None else default_database_url()
        try:
            self._url = normalise_url(raw)
        except SQLAlchemyError as exc:
            raise StorageError(f"Not a database URL: {raw!r} ({exc}).") from exc
        self._sqlite = self._url.get_backend_name() == "sqlite"
        self._where = describe_url(self._url)
        try:
            self._engine = create_store_engine(self._url)
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

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
                f"Could not {action}: the database {self._where} {failure_reason(exc)}"
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


def private_file(database: str) -> None:
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


def normalise_url(raw: str) -> URL:
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # the driver this package installs
    return url


def create_store_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        connect_args = {"connect_timeout": 10} if url.get_driver_name() == "psycopg" else {}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    memory = url.database in (None, "", ":memory:") or "mode=memory" in str(url)
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if not str(url.database).startswith("file:") and url.query.get("uri") != "true":
            private_file(str(url.database))
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


def describe_url(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "in memory"
        return f"file {url.database}"
    where = f"{url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
    return f"'{url.database}' on the {url.get_backend_name()} server {where}"


def failure_reason(exc: SQLAlchemyError) -> str:
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
