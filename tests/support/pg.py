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
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


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
