"""HTTP tests: a real app (SQLite file, CSRF on) with the demo committee, driven through Flask's test
client exactly as a browser or tablet would: log in, send the CSRF token, pair by PIN, use the bearer
token.

Seeding hashes 21 passwords and PINs (argon2), so the seeded database is built once per run and copied
for every test."""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from typing import Any

import pytest
from web_helpers import TODAY, Api

from voting_server import create_app, demo


@dataclass(frozen=True)
class Seed:
    path: str
    body_id: int
    sitting_id: int
    member_ids: list[int]


def _config(db_path: str, instance: str, **extra: Any) -> dict[str, Any]:
    return {"DATABASE_URL": f"sqlite:///{db_path}", "INSTANCE_PATH": instance, "ASYNC_MODE": "threading",
            "TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef0123", **extra}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seed:
    folder = tmp_path_factory.mktemp("seed")
    db_path = str(folder / "seed.sqlite3")
    app = create_app(_config(db_path, str(folder)))
    store = app.extensions["biaojue_store"]
    ids = demo.seed(store, today=TODAY)
    store.dispose()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Seed(db_path, ids["body_id"], ids["sitting_id"], ids["member_ids"])


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(seeded, tmp_path, config_overrides):
    db_path = tmp_path / "test.sqlite3"
    shutil.copyfile(seeded.path, db_path)
    app = create_app(_config(str(db_path), str(tmp_path), **config_overrides))
    yield app
    app.extensions["biaojue_store"].dispose()


@pytest.fixture
def store(app):
    return app.extensions["biaojue_store"]


@pytest.fixture(scope="session")
def session_cookies() -> dict[str, str]:
    """Signed session cookies of the staff logins, by username. Every test database is a copy of the
    same seed and the secret key is fixed, so a cookie from one HTTP login is valid in every test;
    this spares an argon2 check per client."""
    return {}


@pytest.fixture
def api(app, session_cookies):
    """Make clients: ``api("clerk")`` is logged in (over HTTP, once per run); ``api()`` is anonymous."""

    def make(username: str | None = None) -> Api:
        client = Api(app)
        if username is None:
            return client
        if username in session_cookies:
            client.client.set_cookie("session", session_cookies[username])
            client.refresh_csrf()
            return client
        client.login(username)
        cookie = client.client.get_cookie("session")
        assert cookie is not None
        session_cookies[username] = cookie.value
        return client

    return make


@pytest.fixture
def clerk(api) -> Api:
    return api("clerk")


@pytest.fixture
def chair(api) -> Api:
    return api("chair")


@pytest.fixture
def admin(api) -> Api:
    return api("admin")
