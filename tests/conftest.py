"""Shared fixtures: database URLs for SQLite and a throwaway PostgreSQL server."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_training.loading import load_library
from empathy_training.models import Library

from pgserver import PostgresServer, find_bin_dir

_database_names = itertools.count(1)


@pytest.fixture(scope="session")
def library() -> Library:
    """The bundled scenario library, loaded once."""
    return load_library()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a SQLite database file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'empathy-training.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1, started once for the test session."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: initdb not found (apt-get install postgresql)")
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a database on the session's PostgreSQL server, shared by the whole session."""
    return postgres_server.create_database("empathy_training")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a new, empty PostgreSQL database for one test."""
    return postgres_server.create_database(f"test_{next(_database_names)}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """URL of a new, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url
    return str(request.getfixturevalue("fresh_postgres_url"))
