"""The database: engine set-up for SQLite (WAL, one writer at a time) and PostgreSQL, and the ``Store``
that services write through. A store knows its subscribers: after each commit it hands them the
committed events (never inside the transaction)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from . import models

log = logging.getLogger(__name__)

Subscriber = Callable[[list[Any]], None]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        # A few connections with a small page cache each: SQLite has one writer anyway, and under
        # eventlet every query runs on the one OS thread. (The default pool holds up to 15
        # connections of 2 MB cache each.)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30},
                                  "pool_size": 4, "max_overflow": 4}
        if in_memory:
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
            kwargs.pop("pool_size"), kwargs.pop("max_overflow")
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-1024")  # KiB
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Write transactions take the write lock up front: no lock upgrade, no SQLITE_BUSY deadlock.
            if conn.get_execution_options().get("write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Store:
    """Engine, sessions and the post-commit subscribers of one database."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)
        self.subscribers: list[Subscriber] = []

    def read(self) -> Session:
        return self._read()

    def write_session(self) -> Session:
        return self._write()

    def subscribe(self, fn: Subscriber) -> None:
        self.subscribers.append(fn)

    def publish(self, events: Iterable[Any]) -> None:
        batch = list(events)
        if not batch:
            return
        for fn in list(self.subscribers):
            try:
                fn(batch)
            except Exception:  # a failed push loses nothing: terminals resync from stored state
                log.exception("event subscriber failed")

    def create_all(self) -> None:
        """Create every table (tests and the embedded default); production uses ``upgrade`` (Alembic)."""
        models.Base.metadata.create_all(self.engine)
        self.ensure_chain_head()

    def ensure_chain_head(self) -> None:
        with self.write_session() as s, s.begin():
            if s.get(models.ChainHead, 1) is None:
                s.add(models.ChainHead(id=1, last_id=0, last_hash=models.GENESIS_HASH))

    def is_empty(self) -> bool:
        with self.read() as s:
            return s.scalar(select(models.Body.id).limit(1)) is None

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and truncate the log. Called at the
        close of a ballot, so that the -wal file no longer holds one database image per commit of
        the vote (see docs/operations.md, "Audit and secrecy")."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # a busy database is checkpointed at the next close
            log.warning("WAL checkpoint failed", exc_info=True)

    def dispose(self) -> None:
        self.engine.dispose()
