"""Helpers of the HTTP tests: a JSON client that sends the CSRF token or a tablet's bearer token, and
checks on refused requests (a JSON error, nothing changed)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from support.apps import PASSWORDS

from voting_server import demo, models

TODAY = dt.date.today()


class Api:
    """A test client that behaves like the consoles: JSON in and out, CSRF header on every change."""

    def __init__(self, app: Any, token: str | None = None) -> None:
        self.client = app.test_client()
        self.csrf: str | None = None
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.csrf:
            headers.setdefault("X-CSRFToken", self.csrf)
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def refresh_csrf(self) -> str:
        self.csrf = self.client.get("/api/session").get_json()["csrf_token"]
        return self.csrf

    def login(self, username: str, password: str | None = None) -> Api:
        self.refresh_csrf()
        r = self.post("/api/login", {"username": username, "password": password or PASSWORDS[username]})
        assert r.status_code == 200, r.get_json()
        self.csrf = r.get_json()["csrf_token"]
        return self

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def _send(self, method: str, url: str, json: Any = None, **kw: Any) -> Any:
        headers = self._headers(kw.pop("headers", None))
        if json is not None:
            kw["json"] = json
        return self.client.open(url, method=method, headers=headers, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self._send("POST", url, json, **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self._send("PUT", url, json, **kw)

    def patch(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self._send("PATCH", url, json, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self._send("DELETE", url, None, **kw)


def pair_tablet(app: Any, body_id: int, seat: str, pin: str = demo.DEMO_PIN) -> Api:
    anon = Api(app)
    anon.refresh_csrf()  # the seat page fetches /api/session first, like any page
    r = anon.post("/api/pair", {"body_id": body_id, "seat": seat, "pin": pin})
    assert r.status_code == 200, r.get_json()
    return Api(app, token=r.get_json()["token"])


def counts(store: Any) -> dict[str, int]:
    """How many rows each table holds: compared before and after a refused request."""
    with store.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (models.Body, models.Person, models.User, models.Device, models.Sitting,
                          models.AgendaItem, models.Document, models.Ballot, models.Round, models.Result,
                          models.AuditEntry)}


def assert_json_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    assert r.is_json, r.get_data(as_text=True)[:200]
    body = r.get_json()
    assert body["message"] and body["message_zh"] and body["message_en"], body
    if code is not None:
        assert body["error"] == code, body
    return body
