"""Fixtures for the result-sheet tests: one simulated demo sitting (built once per session, SQLite),
copies of its database for tampering, and the body's key."""
from __future__ import annotations

import sqlite3

import pytest
from sheet_helpers import DAY, Sitting
from support.hashing import fast_hashing, fast_password_hashing  # noqa: F401  (the fixture is autouse)

from voting_server.db import Store
from voting_server.migrate import upgrade
from voting_server.sheets.demo_sitting import simulate


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Sitting:
    """The demo sitting (seeded votes): 7 ballots, 8 rounds; read-only for the tests that share it."""
    root = tmp_path_factory.mktemp("demo-sitting")
    db = root / "biaojue.sqlite3"
    store = Store(f"sqlite:///{db}")
    upgrade(store)  # as the command line does, so that it can open this database too
    with fast_hashing():
        ids = simulate(store, seed=7, day=DAY)
    sitting = Sitting(store, db, root, ids["sitting_id"], ids["body_id"], ids["ballots"])
    _ = sitting.key  # generate the body's key once
    yield sitting
    store.dispose()


@pytest.fixture
def demo_copy(demo, tmp_path) -> Sitting:
    """A private copy of the demo database (same instance folder and key), free to tamper with."""
    db = tmp_path / "copy.sqlite3"
    src = sqlite3.connect(demo.db)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    store = Store(f"sqlite:///{db}")
    yield Sitting(store, db, demo.instance, demo.sitting_id, demo.body_id, demo.ballots)
    store.dispose()
