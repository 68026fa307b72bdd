"""Fixtures of the fault tests: real server processes (always killed in teardown), a fresh PostgreSQL
schema per run, enough open files for a hall of clients."""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from fault_helpers import ServerProcess, pg_schema, raise_open_files


@pytest.fixture
def servers():
    """``servers(url, instance)`` makes a ServerProcess; every one made is stopped (killed) at the end."""
    made: list[ServerProcess] = []

    def make(database: str, instance: Path, **kw) -> ServerProcess:
        raise_open_files(8192)
        server = ServerProcess(database, instance, **kw)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill9()
        with contextlib.suppress(Exception):
            server.wait_dead()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """A fresh, empty database for one run: a SQLite file, or a new PostgreSQL schema (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fault.sqlite3'}"
        return
    shared = request.getfixturevalue("pg_schema_url")  # skips outside CI (fails in CI) when unreachable
    base = shared.rsplit("options=", 1)[0].rstrip("?&")
    with pg_schema(base) as url:
        yield url
