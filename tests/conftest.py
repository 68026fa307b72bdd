"""Shared fixtures: the database stores (SQLite always; PostgreSQL when reachable, always in CI). What the
fixtures are made of is in ``tests/support`` (on the import path: ``pythonpath`` in setup.cfg)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from support import pg

if TYPE_CHECKING:  # the rules' own tests (tests/ballots) run without loading the server
    from voting_server.db import Store


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """The app's configuration for one test: override in a test module (or by indirect parametrization)."""
    return {}


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private schema in the PostgreSQL test database for this test run; dropped at the end."""
    with pg.schema("t") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty database: SQLite (file, WAL) and PostgreSQL."""
    from voting_server.db import Store

    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
        s.create_all()
    else:
        s = pg.fresh_store(request.getfixturevalue("pg_schema_url"))
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    from voting_server.db import Store

    s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    s.create_all()
    yield s
    s.dispose()
