"""PostgreSQL for the tests: a private schema in the test database (so that runs and processes do not
see each other's tables), dropped afterwards; and a fresh, empty store in one."""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .env import PG_URL, need_service

if TYPE_CHECKING:
    from voting_server.db import Store


@contextlib.contextmanager
def schema(prefix: str = "t", base_url: str = PG_URL) -> Iterator[str]:
    """A new schema; yields a URL whose connections use it (``search_path``); drops it at the end."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{name}"
    finally:
        try:
            drop(admin, name)
        finally:
            admin.dispose()


# Backends holding a lock on a table of the schema, or on the schema itself.
_HOLDERS = """
SELECT DISTINCT l.pid FROM pg_locks l
  LEFT JOIN pg_class c ON l.locktype = 'relation' AND c.oid = l.relation
  JOIN pg_namespace n ON n.oid = c.relnamespace
       OR (l.locktype = 'object' AND l.classid = 'pg_namespace'::regclass AND l.objid = n.oid)
 WHERE n.nspname = :name AND l.pid <> pg_backend_pid()
"""


def drop(admin: sa.Engine, name: str, tries: int = 5) -> None:
    """Drop the schema. A server under test may still hold one of its tables in a transaction (a link a
    fault test cut, a process not yet stopped): after a short wait its backends are ended, so that the
    drop never waits without end."""
    for attempt in range(tries):
        try:
            with admin.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
                conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
            return
        except sa.exc.OperationalError:
            if attempt == tries - 1:
                raise
            with admin.begin() as conn:
                pids = conn.execute(sa.text(_HOLDERS), {"name": name}).scalars().all()
                for pid in pids:
                    conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def fresh_store(url: str) -> Store:
    """A store on ``url`` with every table created and emptied (ids restart at 1)."""
    from voting_server import models
    from voting_server.db import Store

    store = Store(url)
    models.Base.metadata.create_all(store.engine)
    names = ", ".join(f'"{t.name}"' for t in models.Base.metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    store.ensure_chain_head()
    return store
