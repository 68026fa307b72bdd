"""Realtime fixtures: a real app (SQLite file, threading mode, fast progress pushes) with the demo committee
(15 members, 2 observers, staff accounts, one sitting), and a ``hall`` that connects terminals through
Flask-SocketIO's test client: tablets paired by seat + PIN, staff logged in over HTTP (their session
cookie is what the Socket.IO connection authenticates with).

The seeded database is built once per run (``support.apps``) and copied for every test."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from realtime_helpers import Terminal
from support.apps import PASSWORDS, Seed, app_on_copy, seed_file
from support.hashing import fast_password_hashing  # noqa: F401  (autouse: every test hashes cheaply)

from voting_server import demo, services

REALTIME_CONFIG = {"WTF_CSRF_ENABLED": False, "PROGRESS_INTERVAL": 0.05}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seed:
    return seed_file(tmp_path_factory.mktemp("realtime-seed"))


@pytest.fixture
def app(seeded, tmp_path, config_overrides):
    with app_on_copy(seeded, tmp_path, **{**REALTIME_CONFIG, **config_overrides}) as app:
        yield app


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
