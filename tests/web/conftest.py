"""HTTP tests: a real app (SQLite file, CSRF on) with the demo committee, driven through Flask's test
client exactly as a browser or tablet would: log in, send the CSRF token, pair by PIN, use the bearer
token.

The seeded database is built once per run (``support.apps``) and copied for every test."""
from __future__ import annotations

import pytest
from support.apps import Seed, app_on_copy, seed_file
from support.hashing import fast_password_hashing  # noqa: F401  (autouse: every test hashes cheaply)
from web_helpers import TODAY, Api


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seed:
    return seed_file(tmp_path_factory.mktemp("seed"), today=TODAY)


@pytest.fixture
def app(seeded, tmp_path, config_overrides):
    with app_on_copy(seeded, tmp_path, **config_overrides) as app:
        yield app


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
