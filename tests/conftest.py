"""Shared fixtures: the database stores (SQLite always; PostgreSQL when reachable, always in CI) and
service availability rules: outside CI a missing service skips with a reason, in CI it fails."""
from __future__ import annotations

import os
import secrets
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("BIAOJUE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BIAOJUE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(message + " (CI must run this test)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_schema_url():
    """A private schema in the PostgreSQL test database for this test run; dropped at the end."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    import sqlalchemy as sa

    schema = f"t_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _fresh_pg_store(url: str):
    import sqlalchemy as sa

    from voting_server import models
    from voting_server.db import Store

    store = Store(url)
    models.Base.metadata.create_all(store.engine)
    names = ", ".join(f'"{t.name}"' for t in models.Base.metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    store.ensure_chain_head()
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """A fresh, empty database: SQLite (file, WAL) and PostgreSQL."""
    from voting_server.db import Store

    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
        s.create_all()
    else:
        s = _fresh_pg_store(request.getfixturevalue("pg_schema_url"))
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    from voting_server.db import Store

    s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    s.create_all()
    yield s
    s.dispose()
