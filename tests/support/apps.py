"""The app in-process, on the demo committee (15 members, 2 observers, staff accounts, one sitting): seeded
once into a SQLite file, and every test's app made on a copy of that file (a copy takes milliseconds,
seeding takes the services a second)."""
from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from voting_server import create_app, demo

from .hashing import fast_hashing

PASSWORDS = {username: password for username, password, _role, _name in demo.STAFF}
SECRET_KEY = "test-secret-key-0123456789abcdef0123"  # fixed: a session cookie is valid in every copy


@dataclass
class Committee:
    """The ids of the demo committee, as ``demo.seed`` returns them."""

    body_id: int
    sitting_id: int
    member_ids: list[int]
    observer_ids: list[int]
    items: list[int]
    ballots: list[int]


@dataclass
class Seed(Committee):
    """A seeded database file and the ids in it."""

    path: Path


def app_config(database: str, instance: Path, **extra: Any) -> dict[str, Any]:
    """In-process: threads, not green threads; a fixed secret key; the live commands' rates raised (a test
    client sends faster than any person: the rates have their own tests)."""
    return {"DATABASE_URL": database, "INSTANCE_PATH": str(instance), "ASYNC_MODE": "threading", "TESTING": True,
            "SECRET_KEY": SECRET_KEY, "LIVE_RATE_SCALE": 1000, **extra}


def quiet(app: Flask) -> None:
    """The live server's coalescing loop runs for the life of the process: let it sleep from now on."""
    app.extensions["biaojue_live"].publisher.interval = 3600


def seed_file(folder: Path, *, today: dt.date | None = None) -> Seed:
    """The demo committee in ``folder/seed.sqlite3``, checkpointed, so that a copy of the file is the whole
    database."""
    path = folder / "seed.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}", folder))
    store = app.extensions["biaojue_store"]
    with fast_hashing():
        ids = demo.seed(store, today=today)
    quiet(app)
    store.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Seed(path=path, **ids)


@contextlib.contextmanager
def app_on_copy(seed: Seed, folder: Path, **config: Any) -> Iterator[Flask]:
    """An app on a private copy of the seeded database, in ``folder``."""
    db_path = folder / "test.sqlite3"
    shutil.copyfile(seed.path, db_path)
    app = create_app(app_config(f"sqlite:///{db_path}", folder, **config))
    try:
        yield app
    finally:
        quiet(app)
        app.extensions["biaojue_store"].dispose()
