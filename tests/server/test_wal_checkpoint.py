"""At the close of a ballot on SQLite the write-ahead log is folded into the database and truncated,
so the -wal file no longer holds an image of the database after each commit of the vote; a reader that
holds the log neither blocks the close nor keeps the log for longer than it holds it."""
from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid

import sqlalchemy as sa
from support.polling import wait_for

from voting_server import checkpoint, db, models, services


def test_close_truncates_the_write_ahead_log(sqlite_world) -> None:
    w = sqlite_world
    w.open_and_sign_in()
    services.start_item(w.store, w.chair, w.items[0])
    services.open_ballot(w.store, w.chair, w.ballots[0])
    for m, choice in zip(w.members, ["for", "against", "abstain"] * 5, strict=True):
        services.cast_vote(w.store, m, w.ballots[0], choice, uuid.uuid4().hex)
    db_file = w.store.url.removeprefix("sqlite:///")
    wal = db_file + "-wal"
    assert os.path.getsize(wal) > 0  # the vote's commits are in the log while the ballot is open
    services.close_ballot(w.store, w.chair, w.ballots[0])
    assert os.path.getsize(wal) == 0


def test_a_reader_holding_the_log_neither_blocks_the_close_nor_keeps_the_log(sqlite_world, caplog, monkeypatch):
    """Another connection (a backup, a ``sqlite3`` shell) holds a read transaction from before the vote:
    the close does not wait for it (SQLite's busy timeout is 30 s), the busy checkpoint is logged, and it
    is tried again until the reader lets go; then the log is truncated."""
    monkeypatch.setattr(checkpoint, "RETRIES", (0.2,) * 50)
    w = sqlite_world
    w.open_and_sign_in()
    services.start_item(w.store, w.chair, w.items[0])
    services.open_ballot(w.store, w.chair, w.ballots[0])
    with w.store.read() as s:
        assert s.scalar(sa.select(models.Round.box_mode).where(models.Round.ballot_id == w.ballots[0]))  # secret
    db_file = w.store.url.removeprefix("sqlite:///")
    wal = db_file + "-wal"
    reader = sqlite3.connect(db_file, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM participations").fetchone()  # its snapshot: before every cast
        for m, choice in zip(w.members, ["for", "against", "abstain"] * 5, strict=True):
            services.cast_vote(w.store, m, w.ballots[0], choice, uuid.uuid4().hex)
        caplog.set_level(logging.INFO, logger="voting_server.db")
        started = time.monotonic()
        services.close_ballot(w.store, w.chair, w.ballots[0])
        took = time.monotonic() - started
        print(f"\nclose with a reader holding the log: {took:.3f} s")
        assert took < 2, f"the close waited {took:.1f} s for the reader"
        assert "WAL checkpoint busy" in caplog.text
        assert os.path.getsize(wal) > 0
        time.sleep(0.5)
        assert os.path.getsize(wal) > 0  # still held: tried again, still busy
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert wait_for(lambda: os.path.getsize(wal) == 0, 5), "the log was not truncated once the reader let go"
    assert wait_for(lambda: "WAL checkpoint completed at try" in caplog.text, 2)
    assert w.store.checkpoint() is True
    with w.store.read() as s:  # the store's connections wait for locks as before (the checkpoint's 0 is undone)
        assert s.execute(sa.text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_MS


def test_a_checkpoint_that_fails_says_so_and_raises_nothing(sqlite_store, caplog, monkeypatch):
    monkeypatch.setattr(checkpoint, "RETRIES", ())

    def broken() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_store.engine, "raw_connection", broken)
    assert sqlite_store.checkpoint() is False
    assert "WAL checkpoint" in caplog.text
