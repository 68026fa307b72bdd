"""A database that goes away and comes back, under a real server process: PostgreSQL reached through a TCP
proxy on loopback (``support.proxy``) that cuts every connection (an outage: resets, refused connections)
or holds every packet (a stalled database: connections stay open, nothing answers). The real PostgreSQL
service is never touched; the server runs with DATABASE_TIMEOUT=2. And a SQLite file (with its write-ahead
log) that root cannot write for a while (``chattr +i``) under a running server.

While the database is away, a cast over HTTP and over Socket.IO is refused 503 ``storage_unavailable`` with
a retry hint (``Retry-After``, ``details.retry_after``), never a 500 or a wait without end, within the
documented bound (twice DATABASE_TIMEOUT: a stalled connection, then a new one); ``/healthz`` says the
database is down, with a reason. Once the database is back, the same cast (same cast id) succeeds within
2 s without a restart, and ``/healthz`` says ok again."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fault_helpers import seeded_sqlite
from sqlalchemy import func, select
from support import pg
from support.clients import LiveClient
from support.hashing import fast_hashing
from support.proxy import TcpProxy
from support.server import ServerProcess

from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.migrate import upgrade

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

DATABASE_TIMEOUT = 2.0  # seconds, the server's setting here
BOUND = 2 * DATABASE_TIMEOUT + 1.0  # an answer while the database is away comes within this (plus 1 s of slack)
BACK_WITHIN = 2.0  # seconds from the database's return to a cast that succeeds


@dataclass
class Hall:
    store: Store
    ids: dict[str, Any]
    server: ServerProcess
    proxy: TcpProxy | None  # PostgreSQL's, or None on SQLite
    tokens: list[str]
    clients: list[LiveClient] = field(default_factory=list)
    immutable: list[str] = field(default_factory=list)  # SQLite's files made read-only

    def seat(self, index: int) -> LiveClient:
        t = LiveClient(self.server.url, f"seat {index + 1}", token=self.tokens[index])
        self.clients.append(t)
        return t.connect()


@pytest.fixture
def hall(tmp_path, servers) -> Iterator[Hall]:
    with pg.schema("st") as url, TcpProxy("127.0.0.1", 5432) as proxy:
        store = Store(url)
        made: Hall | None = None
        try:
            upgrade(store)
            with fast_hashing():
                ids = demo.seed(store, members=10)
            through = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
            assert through != url
            server = servers(through, tmp_path, env={"DATABASE_TIMEOUT": str(DATABASE_TIMEOUT)})
            server.start()
            tokens = [services.pair_with_pin(store, ids["body_id"], str(n), demo.DEMO_PIN)[0] for n in range(1, 8)]
            made = Hall(store, ids, server, proxy, tokens)
            chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair"))
            made.clients.append(chair.connect())
            chair.ok("open_sitting", {"confirm": True})
            chair.ok("start_item", {"item_id": ids["items"][0]})
            for i in range(len(tokens)):
                made.seat(i).ok("sign_in")
            chair.ok("open_ballot", {"ballot_id": ids["ballots"][0]})
            yield made
        finally:
            proxy.restore()
            for c in made.clients if made else []:
                c.disconnect()
            store.dispose()


def http(server: ServerProcess, method: str, path: str, body: Any = None, token: str | None = None,
         timeout: float = 40) -> tuple[int | None, Any, dict[str, str], float]:
    """Status, JSON answer, headers and seconds taken (``None`` and the error when nothing came)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body or {}).encode() if method != "GET" else None
    req = urllib.request.Request(server.url + path, method=method, data=data, headers=headers)
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.load(r), dict(r.headers), time.monotonic() - start
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), dict(err.headers), time.monotonic() - start
    except OSError as err:
        return None, repr(err), {}, time.monotonic() - start


def cast_over_http(hall: Hall, seat: int, cast_id: str,
                   timeout: float = 40) -> tuple[int | None, Any, dict[str, str], float]:
    ballot = hall.ids["ballots"][0]
    return http(hall.server, "POST", f"/api/ballots/{ballot}/cast", {"choice": "for", "cast_id": cast_id},
                token=hall.tokens[seat], timeout=timeout)


def cast_over_socketio(t: LiveClient, hall: Hall, cast_id: str) -> tuple[Any, float]:
    start = time.monotonic()
    try:
        ack = t.sio.call("cast", {"ballot_id": hall.ids["ballots"][0], "choice": "for", "cast_id": cast_id},
                         timeout=40)
    except Exception as err:  # no answer at all
        ack = repr(err)
    return ack, time.monotonic() - start


def outage(hall: Hall, fault: str) -> None:
    """While the database is away: refusals with a retry hint, in time; /healthz says down. Then back."""
    assert hall.proxy is not None
    live = hall.clients[2]  # a seat's Socket.IO connection (the chair's is first)
    http_cast, sio_cast = uuid.uuid4().hex, uuid.uuid4().hex
    getattr(hall.proxy, fault)()
    away = time.monotonic()
    status, answer, headers, took = cast_over_http(hall, 0, http_cast)
    code = answer.get("error") if isinstance(answer, dict) else answer
    print(f"\nPostgreSQL {fault}: HTTP cast answered {status} {code} in {took:.2f} s")
    assert status == 503, (status, answer)
    assert answer["error"] == "storage_unavailable" and answer["details"]["retry_after"] >= 1, answer
    assert headers.get("Retry-After") == str(answer["details"]["retry_after"]), headers
    assert took < BOUND, f"HTTP cast refused after {took:.2f} s (bound {BOUND:g} s)"
    ack, took = cast_over_socketio(live, hall, sio_cast)
    print(f"PostgreSQL {fault}: Socket.IO cast acknowledged {ack} in {took:.2f} s")
    assert isinstance(ack, dict) and ack.get("ok") is False and ack.get("error") == "storage_unavailable", ack
    assert ack["details"]["retry_after"] >= 1, ack
    assert took < BOUND, f"Socket.IO cast refused after {took:.2f} s (bound {BOUND:g} s)"
    status, health, _h, took = http(hall.server, "GET", "/healthz")
    print(f"PostgreSQL {fault}: /healthz {status} in {took:.2f} s: {health}")
    assert status == 503 and health["status"] != "ok", health
    assert health["database"]["ok"] is False and health["database"]["reason"], health
    assert took < BOUND, f"/healthz answered after {took:.2f} s (bound {BOUND:g} s)"
    assert time.monotonic() - away < 4 * BOUND

    hall.proxy.restore()  # (restore also releases held packets)
    back = time.monotonic()
    while True:
        status, answer, _h, _t = cast_over_http(hall, 0, http_cast, timeout=10)  # the same cast, retried
        if status == 200 or time.monotonic() - back > 10:
            break
        time.sleep(0.05)
    recovered = time.monotonic() - back
    print(f"PostgreSQL back after a {fault}: a cast succeeded {recovered:.2f} s later ({answer})")
    assert status == 200 and answer["ok"] is True, answer
    assert recovered < BACK_WITHIN, f"a cast succeeded only {recovered:.2f} s after PostgreSQL came back"
    ack, took = cast_over_socketio(live, hall, sio_cast)
    assert isinstance(ack, dict) and ack.get("ok") is True, ack
    status, health, _h, _t = http(hall.server, "GET", "/healthz")
    assert status == 200 and health["status"] == "ok" and health["database"] == {"ok": True}, health
    with hall.store.read() as s:  # each cast counted once
        assert s.scalar(select(func.count()).select_from(models.Participation)) == 2


def test_a_cut_database_is_refused_with_a_retry_hint_and_used_again(hall):
    outage(hall, "cut")


def test_a_stalled_database_is_refused_in_time_and_used_again(hall):
    outage(hall, "hold")


@pytest.fixture
def sqlite_hall(tmp_path, servers) -> Iterator[Hall]:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed (a file root cannot write is made with chattr +i)")
    path = tmp_path / "biaojue.sqlite3"
    ids, tokens = seeded_sqlite(path)
    store = Store(f"sqlite:///{path}")
    server = servers(f"sqlite:///{path}", tmp_path, env={"DATABASE_TIMEOUT": str(DATABASE_TIMEOUT)})
    server.start()
    made = Hall(store, ids, server, None, tokens)
    files = [str(path), f"{path}-wal"]
    try:
        chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair"))
        made.clients.append(chair.connect())
        chair.ok("open_sitting", {"confirm": True})
        chair.ok("start_item", {"item_id": ids["items"][0]})
        for i in range(len(tokens)):
            made.seat(i).ok("sign_in")
        chair.ok("open_ballot", {"ballot_id": ids["ballots"][0]})
        if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode != 0:
            pytest.skip("chattr +i does not work on this file system")
        made.immutable = files
        yield made
    finally:
        subprocess.run(["chattr", "-i", *files], capture_output=True)
        for c in made.clients:
            c.disconnect()


def test_a_read_only_sqlite_file_is_refused_and_used_again_once_writable(sqlite_hall):
    hall = sqlite_hall
    casts = [uuid.uuid4().hex for _ in range(4)]
    for i, cast_id in enumerate(casts):  # every connection of the pool meets the read-only file
        status, answer, headers, took = cast_over_http(hall, i, cast_id)
        print(f"\nSQLite read-only: HTTP cast answered {status} {answer} in {took:.2f} s")
        assert status == 503 and answer["error"] == "storage_unavailable", (status, answer)
        assert headers.get("Retry-After") == str(answer["details"]["retry_after"]), headers
    status, health, _h, _t = http(hall.server, "GET", "/healthz")
    print(f"SQLite read-only: /healthz {status}: {health}")
    assert status == 503 and health["database"]["ok"] is False and health["database"]["reason"], health
    subprocess.run(["chattr", "-i", *hall.immutable], check=True)
    back = time.monotonic()
    for i, cast_id in enumerate(casts):
        while True:
            status, answer, _h, _t = cast_over_http(hall, i, cast_id, timeout=10)
            if status == 200 or time.monotonic() - back > 10:
                break
            time.sleep(0.05)
        assert status == 200 and answer["ok"] is True, answer
    recovered = time.monotonic() - back
    print(f"SQLite writable again: {len(casts)} casts succeeded within {recovered:.2f} s")
    assert recovered < BACK_WITHIN, f"the casts succeeded only {recovered:.2f} s after the file was writable"
    status, health, _h, _t = http(hall.server, "GET", "/healthz")
    assert status == 200 and health["database"] == {"ok": True}, health
