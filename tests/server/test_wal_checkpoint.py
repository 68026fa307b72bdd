"""At the close of a ballot on SQLite the write-ahead log is folded into the database and truncated,
so the -wal file no longer holds an image of the database after each commit of the vote."""
from __future__ import annotations

import os
import uuid

from voting_server import services


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
