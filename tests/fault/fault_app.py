"""An in-process hall for the fuzzing, permission and limit tests: the real app (threading, casts
committed in the request, CSRF on, a SQLite file) with the demo committee, a sitting open, a secret
ballot open, and a client for every role: HTTP (session cookie + CSRF token, or a tablet's bearer
token) and Socket.IO (Flask-SocketIO's test client).

``fingerprint`` names the whole stored state (every row of every table, and the audit chain), and
``restore`` puts the state back as it was after the set-up (row by row, in milliseconds)."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.apps import PASSWORDS, Committee, app_config
from support.hashing import fast_hashing

from voting_server import create_app, demo, models, services
from voting_server.services import Actor

REPLAYED_CAST_ID = "replayed-cast-id-0002"  # member 2's stored vote
MINI_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ErrorLog(logging.Handler):
    """Every log record at ERROR or above, and every record carrying an exception, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            with self.lock_:
                self.records.append(record)

    def texts(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" + (f" [{r.exc_info[0].__name__}: {r.exc_info[1]}]" if r.exc_info
                                                 and r.exc_info[0] else "") for r in self.records]


@dataclass
class HttpClient:
    """A Flask test client that acts as one role: a staff session (cookie + CSRF header), a tablet
    (bearer token) or nobody."""

    app: Any
    role: str
    cookie: str | None = None
    csrf: str | None = None
    token: str | None = None
    client: Any = None

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    def reset(self) -> None:
        """Back to this role's session (a fuzzed logout or login must not change who the next case is)."""
        self.client = self.app.test_client()
        if self.cookie is not None:
            self.client.set_cookie("session", self.cookie)

    def open(self, method: str, path: str, *, csrf: bool = True, headers: dict[str, str] | None = None,
             **kw: Any) -> Any:
        h = dict(headers or {})
        if csrf and self.csrf:
            h.setdefault("X-CSRFToken", self.csrf)
        if self.token:
            h.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=h, **kw)


@dataclass
class Hall(Committee):
    app: Any
    store: Any
    db_path: Path
    round_id: int
    document_id: int
    speaker_request_id: int  # member 2's request to speak
    device_ids: dict[str, int]
    tokens: dict[str, str]
    http: dict[str, HttpClient] = field(default_factory=dict)
    sio: dict[str, Any] = field(default_factory=dict)
    pristine: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    pristine_keys: dict[str, bytes] = field(default_factory=dict)
    errors: ErrorLog = field(default_factory=lambda: ErrorLog())
    columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def socketio(self) -> Any:
        return self.app.extensions["socketio"]

    # --- the stored state ------------------------------------------------------------------------

    def _conn(self) -> Any:
        """One connection of the test's own, kept open (autocommit: each statement sees the last commit)."""
        if getattr(self, "_raw", None) is None:
            self._raw = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
            self._tables = [t.name for t in models.Base.metadata.sorted_tables]
        return contextlib.nullcontext(self._raw)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        with self._conn() as conn:
            conn.execute("BEGIN")  # one read snapshot for every table
            try:
                return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                        for name in self._tables}
            finally:
                conn.execute("COMMIT")

    def fingerprint(self, *, skip: tuple[str, ...] = ()) -> str:
        """A hash of every row of every table (all columns) but ``skip``."""
        digest = hashlib.sha256()
        for name, rows in self.rows().items():
            if name not in skip:
                digest.update(name.encode())
                digest.update(repr(rows).encode())
        return digest.hexdigest()

    def audit_since(self, last_id: int) -> list[str]:
        with self._conn() as conn:
            return [a for (a,) in conn.execute("SELECT action FROM audit_log WHERE id > ? ORDER BY id", (last_id,))]

    def audit_head(self) -> tuple[int, str]:
        with self._conn() as conn:
            return conn.execute("SELECT last_id, last_hash FROM chain_head WHERE id = 1").fetchone()

    def _key_files(self) -> dict[str, bytes]:
        """The secret rounds' wrapping keys in the instance folder (a close destroys its round's key)."""
        folder = self.app.extensions["biaojue_store"].keys_dir
        return {p.name: p.read_bytes() for p in folder.glob("*.key")} if folder.exists() else {}

    def snapshot_state(self) -> None:
        self.pristine = self.rows()
        self.pristine_keys = self._key_files()
        with self._conn() as conn:
            self.columns = {t.name: [c[1] for c in conn.execute(f'PRAGMA table_info("{t.name}")')]
                            for t in models.Base.metadata.sorted_tables}

    def restore(self) -> None:
        """Every table back to the rows it had after the set-up, in one transaction."""
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for t in reversed(models.Base.metadata.sorted_tables):
                    conn.execute(f'DELETE FROM "{t.name}"')
                for t in models.Base.metadata.sorted_tables:
                    rows = self.pristine[t.name]
                    if rows:
                        marks = ", ".join("?" * len(self.columns[t.name]))
                        conn.executemany(f'INSERT INTO "{t.name}" VALUES ({marks})', rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        # the rows of an open secret round are nothing without its wrapping key: put the keys back too
        folder = self.app.extensions["biaojue_store"].keys_dir
        for path in folder.glob("*.key"):
            if path.name not in self.pristine_keys:
                path.unlink()
        for name, key in self.pristine_keys.items():
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)

    def close(self) -> None:
        if getattr(self, "_raw", None) is not None:
            self._raw.close()
            self._raw = None
        self.store.dispose()

    # --- clients ----------------------------------------------------------------------------------

    def socket_client(self, role: str) -> Any:
        """The connected Socket.IO test client of a role (reconnected if a case disconnected it)."""
        client = self.sio.get(role)
        if client is not None and client.is_connected():
            return client
        if role in self.tokens:
            client = self.socketio.test_client(self.app, auth={"token": self.tokens[role]})
        else:
            http = self.http[role]
            http.reset()
            client = self.socketio.test_client(self.app, flask_test_client=http.client)
        assert client.is_connected(), f"{role} could not connect"
        client.get_received()
        self.sio[role] = client
        return client


ROLES = ("anonymous", "observer", "member", "member_other", "chair", "clerk", "display", "admin", "revoked")


def build_hall(folder: Path) -> Hall:
    """The demo committee in a fresh SQLite file, driven to: sitting open, members 1–12 and observer 1
    signed in (13–15 absent), item 1 current, its secret resolution open, member 2 has voted (with
    ``REPLAYED_CAST_ID``) and asked to speak; a PDF on item 1; tablets paired for member 1 (``member``),
    member 2 (``member_other``), observer 1 and member 3 (then revoked: ``revoked``)."""
    db_path = folder / "hall.sqlite3"
    app = create_app(app_config(f"sqlite:///{db_path}", folder, TESTING=False, GROUP_COMMIT=False,
                                LOGIN_MAX_ATTEMPTS=1000000))
    store = app.extensions["biaojue_store"]
    ids = demo.seed(store)
    clerk = Actor(role="clerk", name="何静", user_id=3)
    chair = Actor(role="chair", name="王建国", user_id=2)
    sitting, items, ballot_ids = ids["sitting_id"], ids["items"], ids["ballots"]
    doc = services.add_document(store, clerk, items[0], filename="草案.pdf", data=MINI_PDF,
                                folder=app.config["UPLOAD_FOLDER"], max_bytes=app.config["MAX_DOCUMENT_BYTES"])
    tokens, devices, actors = {}, {}, {}
    for role, seat in (("member", "1"), ("member_other", "2"), ("observer", "L1"), ("revoked", "3")):
        token, actor = services.pair_with_pin(store, ids["body_id"], seat, demo.DEMO_PIN)
        tokens[role], devices[role], actors[role] = token, actor.device_id, actor
    services.open_sitting(store, chair, sitting)
    for pid in ids["member_ids"][:12]:
        services.sign_in(store, Actor(role="member", name="", person_id=pid), sitting)
    services.sign_in(store, actors["observer"], sitting)
    services.start_item(store, chair, items[0])
    round_id = services.open_ballot(store, chair, ballot_ids[0])
    services.cast_vote(store, actors["member_other"], ballot_ids[0], "against", REPLAYED_CAST_ID)
    request_id = services.request_to_speak(store, actors["member_other"], items[0])
    services.revoke_device(store, clerk, devices["revoked"])
    hall = Hall(**ids, app=app, store=store, db_path=db_path, round_id=round_id, document_id=doc,
                speaker_request_id=request_id, device_ids=devices, tokens=dict(tokens))
    for role in ROLES:
        client = HttpClient(app, role, token=tokens.get(role))
        if role in ("chair", "clerk", "display", "admin"):
            client.csrf = client.client.get("/api/session").get_json()["csrf_token"]
            r = client.open("POST", "/api/login", json={"username": role, "password": PASSWORDS[role]})
            assert r.status_code == 200, r.get_json()
            client.csrf = r.get_json()["csrf_token"]
            cookie = client.client.get_cookie("session")
            assert cookie is not None
            client.cookie = cookie.value
        elif role == "anonymous":  # a browser before login: it has fetched /api/session (cookie + CSRF token)
            client.csrf = client.client.get("/api/session").get_json()["csrf_token"]
            cookie = client.client.get_cookie("session")
            client.cookie = cookie.value if cookie is not None else None
        hall.http[role] = client
    del hall.tokens["revoked"]  # a revoked tablet cannot connect: its socket refusal is tested on its own
    hall.revoked_token = tokens["revoked"]  # type: ignore[attr-defined]
    for role in ("member", "member_other", "observer", "chair", "clerk", "display", "admin"):
        hall.socket_client(role)
    hall.snapshot_state()
    return hall


@contextlib.contextmanager
def watched_hall(folder: Path) -> Iterator[Hall]:
    """``build_hall`` with cheap password hashing, every error any logger writes meanwhile kept in
    ``hall.errors``; closed at the end. The tablets' heartbeat (a background write of ``last_seen_at``
    every minute) is held off: the hall compares every row before and after each request."""
    errors = ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    beat = services.devices.HEARTBEAT
    services.devices.HEARTBEAT = dt.timedelta(days=1)
    try:
        with fast_hashing():
            hall = build_hall(folder)
            hall.errors = errors
            yield hall
    finally:
        root.removeHandler(errors)
        services.devices.HEARTBEAT = beat
    hall.close()
