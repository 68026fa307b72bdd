"""Fixtures of the fault tests: real server processes (always killed in teardown), a fresh PostgreSQL
schema per run, enough open files for a hall of clients."""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from support import pg
from support.env import raise_open_files
from support.hashing import fast_password_hashing  # noqa: F401  (autouse: every test hashes cheaply)
from support.server import ServerProcess


@pytest.fixture
def servers():
    """``servers(url, instance)`` makes a ServerProcess; every one made is killed at the end."""
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
    with pg.schema("f") as url:
        yield url
