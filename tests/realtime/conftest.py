"""Realtime fixtures: a real app (SQLite file, threading mode, fast progress pushes) with the demo committee
(15 members, 2 observers, staff accounts, one sitting), and a ``hall`` that connects terminals through
Flask-SocketIO's test client: tablets paired by seat + PIN, staff logged in over HTTP (their session
cookie is what the Socket.IO connection authenticates with).

Seeding hashes 21 passwords and PINs, so the seeded database is built once per run (with a cheap argon2
cost) and copied for every test."""
from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import pytest
from realtime_helpers import (
    FAST_HASHER,
    PASSWORDS,
    Seed,
    Terminal,
    app_config,
    seed_store,
)

from voting_server import create_app, demo, services
from voting_server.services import accounts


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seed:
    folder = tmp_path_factory.mktemp("realtime-seed")
    path = str(folder / "seed.sqlite3")
    app = create_app(app_config(f"sqlite:///{path}", str(folder)))
    store = app.extensions["biaojue_store"]
    ids = seed_store(store)
    app.extensions["biaojue_live"].publisher.interval = 3600
    store.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Seed(path, ids["body_id"], ids["sitting_id"], ids["member_ids"], ids["observer_ids"], ids["items"],
                ids["ballots"])


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module (or with indirect parametrization) to change the app's configuration."""
    return {}


@pytest.fixture
def app(seeded, tmp_path, config_overrides):
    db_path = tmp_path / "t.sqlite3"
    shutil.copyfile(seeded.path, db_path)
    app = create_app(app_config(f"sqlite:///{db_path}", str(tmp_path), **config_overrides))
    yield app
    # The live server's background loops run for the life of the process: let the coalescing loop sleep
    # from now on.
    app.extensions["biaojue_live"].publisher.interval = 3600
    app.extensions["biaojue_store"].dispose()


@dataclass
class Hall:
    app: Any
    seed: Seed
    terminals: list[Terminal] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)

    @property
    def store(self) -> Any:
        return self.app.extensions["biaojue_store"]

    @property
    def live(self) -> Any:
        return self.app.extensions["biaojue_live"]

    @property
    def sitting_id(self) -> int:
        return self.seed.sitting_id

    def login(self, username: str) -> Any:
        client = self.app.test_client()
        r = client.post("/api/login", json={"username": username, "password": PASSWORDS[username]})
        assert r.status_code == 200, r.get_json()
        return client

    def staff(self, username: str, auth: Any = None) -> Terminal:
        t = Terminal(self.app, username, auth=auth, flask_client=self.login(username))
        self.terminals.append(t)
        assert t.connected, f"{username} refused: {t.refusal}"
        return t

    def pair(self, seat: str) -> str:
        if seat not in self.tokens:
            token, actor = services.pair_with_pin(self.store, self.seed.body_id, seat, demo.DEMO_PIN)
            self.tokens[seat], self.devices[seat] = token, actor.device_id
        return self.tokens[seat]

    def tablet(self, seat: str, *, label: str | None = None, **auth: Any) -> Terminal:
        t = Terminal(self.app, label or f"seat {seat}", auth={"token": self.pair(seat), **auth})
        self.terminals.append(t)
        assert t.connected, f"seat {seat} refused: {t.refusal}"
        return t

    def seat(self, n: int) -> Terminal:
        return self.tablet(str(n))

    def observer(self, j: int = 1) -> Terminal:
        return self.tablet(f"L{j}", label=f"observer L{j}")

    def connect(self, *, auth: Any = None, flask_client: Any = None) -> Terminal:
        """A connection that may be refused."""
        t = Terminal(self.app, "probe", auth=auth, flask_client=flask_client)
        self.terminals.append(t)
        return t

    def person(self, seat: int) -> int:
        return self.seed.member_ids[seat - 1]

    def close(self) -> None:
        for t in self.terminals:
            with contextlib.suppress(Exception):  # already gone
                t.disconnect()
            t.forget()


@pytest.fixture
def hall(app, seeded):
    h = Hall(app, seeded)
    yield h
    h.close()
