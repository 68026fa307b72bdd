"""The database of a test: every row of every table (compared before and after, it shows that a refused
command changed nothing: no row of any table, no column, no audit entry); and a hall of any size seeded
at a URL, for a server process to run on."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from voting_server import demo, models
from voting_server.db import Store
from voting_server.migrate import upgrade

Dump = dict[str, list[tuple[str, ...]]]


def dump_database(store: Store) -> Dump:
    """Every row of every table (all columns, as ``repr``), in a stable order."""
    out: Dump = {}
    with store.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            out[table.name] = sorted(tuple(repr(v) for v in row) for row in conn.execute(select(table)).all())
    return out


def changed_tables(before: Dump, after: Dump) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@contextlib.contextmanager
def unchanged(store: Store, what: str = "the block") -> Iterator[None]:
    """``with unchanged(store, "a refused cast"):`` fails when the block changed any row of any table."""
    before = dump_database(store)
    yield
    changed = changed_tables(before, dump_database(store))
    assert not changed, f"tables changed by {what}: {changed}"


def start_afresh(store: Store) -> None:
    """An empty database at the newest schema (a PostgreSQL database is emptied first)."""
    if not store.is_sqlite:
        models.Base.metadata.drop_all(store.engine)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(store)


def seed_hall(url: str, seats: int) -> dict[str, Any]:
    """The demo body with ``seats`` members (no observers, no PINs), one sitting with one resolution, and a
    tablet paired in every seat, at ``url`` (a PostgreSQL database is emptied first). The ids of
    ``demo.seed``, ``item_id`` and ``ballot_id`` of that resolution, and ``tokens`` in seat order (the
    tablet of ``member_ids[i]`` is ``tokens[i]``)."""
    store = Store(url)
    try:
        start_afresh(store)
        ids = demo.seed(store, members=seats, observers=0, pin=None, agenda=demo.AGENDA[:1])
        tokens = demo.pair_tablets(store, ids["member_ids"])
    finally:
        store.dispose()
    return {**ids, "item_id": ids["items"][0], "ballot_id": ids["ballots"][0], "tokens": tokens}
