"""The database: engine set-up for SQLite (WAL, one writer at a time) and PostgreSQL, and the ``Store``
that services write through. A store knows its subscribers: after each commit it hands them the
committed events (never inside the transaction).

Storage faults: an error that says the database is out of reach for now (a lost or refused PostgreSQL
connection, no answer within the store's timeout, SQLite's read-only, I/O, locked or full database) is
a *storage failure* (``storage_failure``). It renews the connection pool (every pooled connection is
dropped, the next ones are opened anew: a database that comes back is used again), and it is kept as the
store's health until a write commits or the health probe (``health``) finds the database answering.

SQLite's files are its user's only: the database file is created mode 0600 before SQLite first opens it
(SQLite gives its ``-wal`` and ``-shm`` the database file's mode), and an older database, log or index
found more open is narrowed to 0600 whenever a connection is opened.

The checkpoint at the close of a round (``Store.checkpoint``) is :mod:`voting_server.checkpoint`."""
from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from . import files, models
from .checkpoint import WalCheckpoint

log = logging.getLogger(__name__)

Subscriber = Callable[[list[Any]], None]

# SQLite's words for a database it cannot write for now (the file read-only, an I/O error, the lock held
# past the busy timeout, a full disk, the file gone): transient, unlike a wrong statement
SQLITE_TRANSIENT = ("readonly database", "disk i/o error", "database is locked", "database table is locked",
                    "unable to open database file", "database or disk is full", "disk is full")


def storage_failure(error: BaseException) -> str | None:
    """The reason, when ``error`` says the database is out of reach for now (a retry can succeed once it is
    back); ``None`` for any other error (a wrong statement, a broken constraint, a bug)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _transient(current)
        if reason is not None:
            return reason
        current = current.__cause__ or current.__context__
    return None


def _transient(error: BaseException) -> str | None:
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free within the pool's timeout
        return _first_line(error)
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return _first_line(error.orig or error)
    if isinstance(error, sqlite3.OperationalError):
        words = str(error).lower()
        return _first_line(error) if any(w in words for w in SQLITE_TRANSIENT) else None
    if isinstance(error, sqlite3.DatabaseError) and "disk i/o error" in str(error).lower():
        return _first_line(error)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the driver comes with the server
        return None
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        return _first_line(error)
    return None


def _first_line(error: BaseException) -> str:
    return ((str(error).strip().splitlines() or [type(error).__name__])[0])[:200]


SQLITE_BUSY_MS = 30000  # how long a statement waits for SQLite's lock (the checkpoint never waits)


@dataclass
class Limits:
    """How long the store waits for the database: ``seconds`` per answer (PostgreSQL: every round trip of a
    connection, and the connection itself; ``None``: no limit)."""

    seconds: float | None = None


@dataclass
class Failure:
    reason: str
    since: float  # time.time()


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; ``None`` in memory (or given as a ``file:`` URI)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def private_sqlite(path: Path) -> None:
    """The database file made (empty: SQLite takes it as a new database) with mode 0600 if it is missing,
    and the database, its log and its index narrowed to 0600 if they are more open."""
    # it may exist (narrowed below), or its folder not (SQLite says so when it opens it)
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, files.FILE_MODE))
    for suffix in SQLITE_FILES:
        if files.narrow(f"{path}{suffix}"):
            log.warning("%s%s was readable by others: narrowed to mode 0600", path, suffix)


def make_engine(url: str, limits: Limits | None = None, pool_timeout: float | None = None) -> Engine:
    limits = limits or Limits()
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        database_file = sqlite_file(url)
        # A few connections with a small page cache each: SQLite has one writer anyway, and under
        # eventlet every query runs on the one OS thread. (The default pool holds up to 15
        # connections of 2 MB cache each.)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
                                  "pool_size": 4, "max_overflow": 4}
        if in_memory:
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
            kwargs.pop("pool_size"), kwargs.pop("max_overflow")
        engine = create_engine(url, **kwargs)

        if database_file is not None:
            @event.listens_for(engine, "do_connect")
            def _sqlite_files(_dialect: Any, _rec: Any, _cargs: Any, _cparams: Any) -> None:
                private_sqlite(database_file)  # before SQLite opens (or creates) the file

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
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
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                           **({"pool_timeout": pool_timeout} if pool_timeout else {}))
    if engine.dialect.driver == "psycopg":
        bounded = _bounded_connection()

        @event.listens_for(engine, "do_connect")
        def _pg_connect(_dialect: Any, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
            if limits.seconds and "connect_timeout" not in cparams:
                cparams["connect_timeout"] = max(2, math.ceil(limits.seconds))  # libpq's minimum is 2 s
            return bounded.connect(*cargs, **cparams, limits=limits)
    return engine


def _bounded_connection() -> Any:
    """psycopg's connection whose every wait for the server lasts at most the store's limit: a server that
    stops answering (packets held, a stalled host) fails the statement with an OperationalError within
    that time, and the connection is closed (the pool drops it), instead of waiting forever."""
    import psycopg
    from psycopg import errors

    class BoundedConnection(psycopg.Connection[Any]):
        _limits: Limits | None = None

        @classmethod
        def connect(cls, *args: Any, limits: Limits | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
            conn = super().connect(*args, **kwargs)
            conn._limits = limits
            return conn

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            seconds = self._limits.seconds if self._limits is not None else None
            if timeout is not None or not seconds:
                return super().wait(gen, interval, timeout)
            try:
                return super().wait(gen, interval, seconds)
            except errors._WaitTimeout:
                with contextlib.suppress(Exception):
                    self.pgconn.finish()  # mid-statement: the connection is of no more use
                raise psycopg.OperationalError(f"the database did not answer within {seconds:g} s") from None

    return BoundedConnection


class Store:
    """Engine, sessions and the post-commit subscribers of one database."""

    def __init__(self, url: str, *, engine: Engine | None = None, timeout: float | None = None,
                 keys_dir: str | Path | None = None) -> None:
        self.url = url
        self._keys_dir = Path(keys_dir) if keys_dir is not None else None
        self.limits = Limits(timeout)
        # the wait for a pooled connection keeps SQLAlchemy's default (30 s): a hall connecting at once
        # waits for one under load, which is no outage (statements and connects are bounded by ``timeout``)
        self.engine = engine or make_engine(url, self.limits)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)
        self.subscribers: list[Subscriber] = []
        # verifies the proofs of tablets' encrypted ballots, a batch at a time, and (``.seal``) encrypts the
        # server's (``ballotbox.CheckerPool``, set by ``create_app``); None: in the calling thread
        self.ballot_checker: Callable[[list[Any]], list[Any]] | None = None
        self.failure: Failure | None = None
        self._health_lock = threading.Lock()
        self._wal = WalCheckpoint(self.engine, SQLITE_BUSY_MS)
        event.listen(self.engine, "handle_error", self._on_error)
        event.listen(self._write, "after_commit", self._on_commit)

    @property
    def keys_dir(self) -> Path:
        """The folder of the secret rounds' wrapping keys (``ballotbox.KeyFolder``): in the instance
        folder, never in the database. A store made without one (tests, tools) keeps them beside its
        SQLite file, or in a private temporary folder of this process."""
        if self._keys_dir is None:
            database = sqlite_file(self.url)
            if database is not None:
                self._keys_dir = database.resolve().parent / "ballotbox"
            else:
                self._keys_dir = Path(tempfile.mkdtemp(prefix="biaojue-keys-")) / "ballotbox"
        return self._keys_dir

    # --- storage faults -------------------------------------------------------------------------------------

    def _on_error(self, context: Any) -> None:
        reason = storage_failure(context.original_exception)
        if reason is None:
            return
        # a connection that failed so may be stuck so (SQLite opened read-only while the file was; a
        # PostgreSQL connection that lost its server): drop it and every pooled one, open new ones
        context.is_disconnect = True
        with self._health_lock:
            if self.failure is None:
                log.warning("storage unavailable: %s", reason)
                self.failure = Failure(reason, time.time())
            else:
                self.failure.reason = reason

    def _on_commit(self, _session: Any) -> None:
        if self.failure is not None:
            self._recovered()

    def _recovered(self) -> None:
        with self._health_lock:
            if self.failure is not None:
                log.warning("storage available again (down %.1f s)", time.time() - self.failure.since)
            self.failure = None

    @contextlib.contextmanager
    def unbounded(self) -> Iterator[None]:
        """No time limit inside (migrations may take long)."""
        seconds, self.limits.seconds = self.limits.seconds, None
        try:
            yield
        finally:
            self.limits.seconds = seconds

    def health(self) -> dict[str, Any]:
        """``{"ok": true}`` when the database answers (and, after a failure on SQLite, takes a write);
        otherwise ``{"ok": false, "reason", "since"}``. Within the store's time limit."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
                if self.failure is not None and self.is_sqlite:
                    # a connection that SQLite opened read-only answers reads: try a write, undone
                    conn.execute(text("UPDATE chain_head SET last_id = last_id WHERE id = 1"))
                conn.rollback()
        except Exception as error:
            reason = storage_failure(error) or _first_line(error)
            failure = self.failure
            return {"ok": False, "reason": reason, "since": failure.since if failure else time.time()}
        if self.failure is not None:
            self._recovered()
        return {"ok": True}

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

    def checkpoint(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and truncate the log, never waiting
        for a lock (``checkpoint.WalCheckpoint``); True when done (PostgreSQL, an in-memory database:
        nothing to do, True). Called at the close of a round."""
        if not self.is_sqlite or sqlite_file(self.url) is None:
            return True
        return self._wal.run()

    def dispose(self) -> None:
        self._wal.stop()  # a retry under way stops
        self.engine.dispose()
