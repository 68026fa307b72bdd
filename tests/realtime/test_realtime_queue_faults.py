"""The message queue between two server processes, under faults: each process reaches Redis through a TCP
proxy of its own on loopback (``support.proxy``), which holds packets (a stalled Redis: connections stay
open, nothing answers) or cuts every connection (an outage). PostgreSQL (a private schema), a private
channel. Runs in CI; elsewhere it is skipped when PostgreSQL or Redis is not reachable.

- Redis stalled under process A: A's terminals are acknowledged as fast as ever (publishing is off the
  acknowledgement's path) and A's consoles learn that the sync between processes stopped.
- Redis cut under both and restored: every seat of process B holds a correct snapshot within seconds,
  with what process A committed during the outage and right after it (the close of the ballot)."""
from __future__ import annotations

import json
import math
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from support import pg
from support.clients import LiveClient
from support.env import need_service
from support.hashing import fast_hashing
from support.polling import wait_for
from support.proxy import TcpProxy
from support.server import ServerProcess

from voting_server import demo, services
from voting_server.db import Store
from voting_server.migrate import upgrade

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(180)]

ACK_P99_LIMIT = 0.2  # seconds, on the healthy process while Redis is stalled
MEMBERS = 50
HOLD = 90.0  # seconds Redis is stalled, at most
ATTENDANCE = 280  # attendance changes recorded by the clerk during the stall (a p99 of 300 acks)
BASELINE = 100  # the same kind of acknowledgements measured before, with Redis answering
LOADED = 1.5  # how much slower than that baseline the stalled run may be, when the baseline misses 200 ms
ACK_WAIT = 10.0  # seconds an acknowledgement is waited for while Redis is stalled
RESYNC_LIMIT = 5.0  # seconds from Redis's return to every seat of B holding a correct snapshot


@dataclass
class TwoProcesses:
    store: Store
    ids: dict[str, Any]
    a: ServerProcess
    b: ServerProcess
    proxy_a: TcpProxy
    proxy_b: TcpProxy
    clients: list[LiveClient] = field(default_factory=list)

    def tablet(self, server: ServerProcess, seat: int) -> LiveClient:
        token, _actor = services.pair_with_pin(self.store, self.ids["body_id"], str(seat), demo.DEMO_PIN)
        t = LiveClient(server.url, f"seat {seat} on {'A' if server is self.a else 'B'}", token=token)
        self.clients.append(t)
        return t.connect()

    def console(self, server: ServerProcess, username: str) -> LiveClient:
        t = LiveClient(server.url, f"{username} on {'A' if server is self.a else 'B'}",
                       cookie=server.staff_cookie(username))
        self.clients.append(t)
        return t.connect()


@pytest.fixture
def two(tmp_path) -> Iterator[TwoProcesses]:
    need_service("Redis", "127.0.0.1", 6379)
    with pg.schema("mq") as url, TcpProxy("127.0.0.1", 6379) as proxy_a, TcpProxy("127.0.0.1", 6379) as proxy_b:
        store = Store(url)
        servers: list[ServerProcess] = []
        hall: TwoProcesses | None = None
        try:
            upgrade(store)
            with fast_hashing():
                ids = demo.seed(store, members=MEMBERS)
            channel = f"biaojue-test-{secrets.token_hex(6)}"
            for name, proxy in (("a", proxy_a), ("b", proxy_b)):
                folder = tmp_path / name
                folder.mkdir()
                servers.append(ServerProcess(url, folder, mode="eventlet", message_queue=proxy.url(), channel=channel))
            for server in servers:
                server.start()
            for server in servers:
                assert wait_for(lambda s=server: healthz(s).get("queue", {}).get("ok", True), 10), healthz(server)
            hall = TwoProcesses(store, ids, servers[0], servers[1], proxy_a, proxy_b)
            yield hall
        finally:
            proxy_a.restore()
            proxy_b.restore()
            for c in hall.clients if hall else []:
                c.disconnect()
            for server in servers:
                server.stop()
            store.dispose()


def healthz(server: ServerProcess) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as r:
            return json.load(r)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as err:
        return json.loads(err.read())  # type: ignore[no-any-return]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


class Unanswered(Exception):
    """An acknowledgement that did not come within ACK_WAIT seconds: the measurement stops there."""


def timed(t: LiveClient, name: str, payload: Any, took: list[float]) -> dict[str, Any]:
    import socketio

    start = time.monotonic()
    try:
        ack = t.call(name, payload, timeout=ACK_WAIT)
    except socketio.exceptions.TimeoutError:
        took.append(ACK_WAIT)
        raise Unanswered(f"{t.label} {name}") from None
    took.append(time.monotonic() - start)
    assert isinstance(ack, dict) and ack.get("ok") is True, f"{t.label} {name}: {ack}"
    return ack


def test_a_stalled_queue_never_delays_an_acknowledgement(two):
    ids = two.ids
    chair = two.console(two.a, "chair")
    clerk = two.console(two.a, "clerk")
    seats = [two.tablet(two.a, n) for n in range(1, 11)]
    seat_on_b = two.tablet(two.b, 11)
    chair.ok("open_sitting")
    chair.ok("start_item", {"item_id": ids["items"][0]})
    baseline: list[float] = []  # the same acknowledgements with Redis answering: what this machine does now
    for i in range(BASELINE):
        timed(clerk, "set_attendance", {"person_id": ids["member_ids"][20 + i % 30], "status": "present"}, baseline)

    two.proxy_a.hold()  # Redis stops answering process A; its connections stay open
    held = time.monotonic()
    release = threading.Timer(HOLD, two.proxy_a.release)  # at the latest
    release.start()
    took: list[float] = []
    unanswered = None
    try:
        try:
            measure(two, chair, clerk, seats, took)
        except Unanswered as err:
            unanswered = str(err)
        late = f" ({unanswered} unanswered after {ACK_WAIT:g} s)" if unanswered else ""
        print(f"\nRedis stalled under process A: {len(took)} acknowledgements on A, p99 {p99(took) * 1000:.0f} ms, "
              f"max {max(took) * 1000:.0f} ms{late}; with Redis answering: p99 {p99(baseline) * 1000:.0f} ms "
              f"of {len(baseline)}")
        # under 200 ms; on a machine busy enough to miss that with Redis answering, no slower than then
        limit = max(ACK_P99_LIMIT, LOADED * p99(baseline))
        assert p99(took) < limit, \
            f"ack p99 {p99(took) * 1000:.0f} ms with Redis stalled (sorted: {[round(x, 3) for x in sorted(took)]})"
        assert wait_for(lambda: healthz(two.a)["status"] == "degraded", 10), healthz(two.a)
        down = healthz(two.a)
        print(f"/healthz of A {time.monotonic() - held:.1f} s into the stall: {down}")
        assert down["database"]["ok"] is True and down["queue"]["ok"] is False and down["queue"]["reason"]
        assert wait_for(lambda: any(not s["ok"] for s in chair.received("sync")), 5), \
            f"chair on A: no sync push while the queue is down ({chair.received('sync')})"
        assert time.monotonic() - held < HOLD, "the stall ended before the checks did"
    finally:
        release.cancel()
        two.proxy_a.release()

    # released: A reconnects, and the seat on B holds what A committed while the queue was stalled
    assert wait_for(lambda: healthz(two.a)["status"] == "ok", 15), healthz(two.a)
    assert wait_for(lambda: (seat_on_b.view().get("ballot") or {}).get("voted") == len(seats), RESYNC_LIMIT), \
        f"seat on B: {seat_on_b.view().get('ballot')}"
    ok, diff = seat_on_b.settle()
    assert ok, diff
    assert wait_for(lambda: chair.received("sync") and chair.received("sync")[-1]["ok"], 5), chair.received("sync")


def measure(two: TwoProcesses, chair: LiveClient, clerk: LiveClient, seats: list[LiveClient],
            took: list[float]) -> None:
    """One command after another (what is measured is the queue, not the machine's load): every seat signs
    in, the clerk records attendance ``ATTENDANCE`` times, the chair opens the ballot, every seat casts, the chair
    reminds; each of them publishes to the queue."""
    ids = two.ids
    for t in seats:
        timed(t, "sign_in", {}, took)
    for i in range(ATTENDANCE):  # members who have no tablet here (and the quorum for the ballot)
        person = ids["member_ids"][20 + i % 30]
        timed(clerk, "set_attendance", {"person_id": person, "status": ("video", "present")[i // 30 % 2]}, took)
    ballot = timed(chair, "open_ballot", {"ballot_id": ids["ballots"][0]}, took)
    for t in seats:
        assert wait_for(lambda t=t: (t.view().get("ballot") or {}).get("round_id") == ballot["round_id"], 5), \
            f"{t.label}: the open ballot was not pushed to the seats of its own process"
    for t in seats:
        timed(t, "cast", {"ballot_id": ids["ballots"][0], "choice": "for", "cast_id": secrets.token_hex(8)}, took)
    timed(chair, "remind", {"ballot_id": ids["ballots"][0]}, took)
