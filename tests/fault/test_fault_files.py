"""The SQLite files of a real server process: a database left mode 0644 by an older version is narrowed,
with every file the server writes (the log and index, the session key, the round keys, its log), and the
checkpoint at the close of a secret round does not wait for a reader that holds the log: the close answers
at once, the server says the checkpoint was busy, and once the reader lets go the log is truncated."""
from __future__ import annotations

import os
import sqlite3
import stat
import time
import urllib.request
import uuid

import pytest
from fault_helpers import seeded_sqlite
from support.clients import LiveClient
from support.polling import wait_for

pytestmark = pytest.mark.timeout(180)


def open_modes(root):
    return {str(p.relative_to(root.parent)): oct(stat.S_IMODE(p.lstat().st_mode))
            for p in [root, *root.rglob("*")] if stat.S_IMODE(p.lstat().st_mode) & 0o077}


def test_a_secret_close_with_a_reader_on_the_log_and_an_open_database_file(tmp_path, servers):
    old = os.umask(0o022)
    try:
        instance = tmp_path / "instance"
        instance.mkdir(mode=0o755)
        path = instance / "biaojue.sqlite3"
        ids, tokens = seeded_sqlite(path)
        for p in [instance, *instance.rglob("*")]:  # as an older version left them
            p.chmod(0o755 if p.is_dir() else 0o644)
        server = servers(f"sqlite:///{path}", instance)
        server.start()
        clients = []
        try:
            chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair")).connect()
            clients.append(chair)
            chair.ok("open_sitting", {"confirm": True})
            chair.ok("start_item", {"item_id": ids["items"][0]})
            seats = [LiveClient(server.url, f"seat {i + 1}", token=t).connect() for i, t in enumerate(tokens)]
            clients += seats
            for seat in seats:
                seat.ok("sign_in")
            chair.ok("open_ballot", {"ballot_id": ids["ballots"][0]})
            reader = sqlite3.connect(path, isolation_level=None)  # a backup, or a sqlite3 shell, left open
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM participations").fetchone()
            try:
                for seat, choice in zip(seats, ["for", "against", "abstain", "for", "for", "against", "for"],
                                        strict=True):
                    seat.ok("cast", {"ballot_id": ids["ballots"][0], "choice": choice, "cast_id": uuid.uuid4().hex})
                started = time.monotonic()
                ack = chair.call("close_ballot", {"ballot_id": ids["ballots"][0]}, timeout=60)
                took = time.monotonic() - started
                print(f"\nsecret close with a reader holding the log: answered in {took:.3f} s")
                assert ack.get("ok") is True, ack
                assert took < 2, f"the close took {took:.1f} s (the checkpoint waited for the reader)"
                assert wait_for(lambda: "WAL checkpoint busy" in server.log_text(), 5), server.log_text()[-2000:]
                started = time.monotonic()  # the server goes on answering while the checkpoint is retried
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as r:
                    assert r.status == 200
                assert time.monotonic() - started < 1
                wal = f"{path}-wal"
                assert os.path.getsize(wal) > 0
            finally:
                reader.execute("COMMIT")
                reader.close()
            released = time.monotonic()
            assert wait_for(lambda: os.path.getsize(wal) == 0, 10), "the log kept its frames after the reader left"
            print(f"log truncated {time.monotonic() - released:.2f} s after the reader let go")
            assert wait_for(lambda: "WAL checkpoint completed" in server.log_text(), 5)
            assert open_modes(instance) == {}, sorted(str(p.relative_to(instance)) for p in instance.rglob("*"))
            assert "narrowed" in server.log_text()
        finally:
            for c in clients:
                c.disconnect()
        server.assert_clean_logs()
    finally:
        os.umask(old)
