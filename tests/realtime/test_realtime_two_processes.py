"""Two server processes, one sitting: PostgreSQL (a private schema) and a Redis message queue (a private
channel). The chair on process A opens a ballot; seats on process B see it. Seats on both cast, some
members from a tablet on each process at the same moment with different cast ids: each member counts
once, and progress and the result reach the seats of both processes. Runs in CI (PostgreSQL and Redis
are there); elsewhere it is skipped when either is not reachable."""
from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import select
from support import pg
from support.clients import LiveClient
from support.env import REDIS_URL, need_service
from support.hashing import fast_hashing
from support.polling import wait_for
from support.server import ServerProcess

from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.migrate import upgrade

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(150)]


@pytest.fixture
def two_servers(tmp_path):
    need_service("Redis", "127.0.0.1", 6379)
    with pg.schema("rt") as url:
        store = Store(url)
        servers: list[ServerProcess] = []
        clients: list[LiveClient] = []
        try:
            upgrade(store)
            with fast_hashing():
                ids = demo.seed(store)
            channel = f"biaojue-test-{secrets.token_hex(6)}"
            for name in ("a", "b"):
                folder = tmp_path / name
                folder.mkdir()
                servers.append(ServerProcess(url, folder, mode="eventlet", message_queue=REDIS_URL, channel=channel))
            for server in servers:
                server.start()
            yield store, ids, servers[0], servers[1], clients
        finally:
            for c in clients:
                c.disconnect()
            for server in servers:
                server.stop()
            store.dispose()


def test_two_processes_share_one_sitting(two_servers):
    store, ids, a, b, clients = two_servers
    body_id, ballot_id = ids["body_id"], ids["ballots"][0]

    def tablet(server, seat: int, label: str) -> LiveClient:
        token, _actor = services.pair_with_pin(store, body_id, str(seat), demo.DEMO_PIN)
        t = LiveClient(server.url, label, token=token)
        clients.append(t)
        return t.connect()

    def console(server, username: str) -> LiveClient:
        t = LiveClient(server.url, f"{username} on {server.port}", cookie=server.staff_cookie(username))
        clients.append(t)
        return t.connect()

    chair = console(a, "chair")
    display_b = console(b, "display")
    on_b = {n: tablet(b, n, f"seat {n} on B") for n in range(1, 9)}
    on_a = {n: tablet(a, n, f"seat {n} on A") for n in range(9, 13)}
    twins = {n: tablet(a, n, f"second tablet of seat {n} on A") for n in (1, 2, 3)}
    everyone = [chair, display_b, *on_b.values(), *on_a.values(), *twins.values()]

    chair.ok("open_sitting", {"confirm": True})
    for t in [*on_b.values(), *on_a.values(), *twins.values()]:
        t.ok("sign_in")
    for t in everyone:  # the coalesced attendance pushes (from both processes) are in
        assert wait_for(lambda t=t: t.view()["attendance"]["attending"] == 12, 10), t.label
    chair.ok("start_item", {"item_id": ids["items"][0]})
    round_id = chair.ok("open_ballot", {"ballot_id": ballot_id})["round_id"]
    for t in everyone:
        assert wait_for(lambda t=t: any(e["type"] == "ballot_opened" for e in t.received("event")), 10), \
            f"{t.label} did not receive ballot_opened"
        assert wait_for(lambda t=t: (t.view().get("ballot") or {}).get("round_id") == round_id, 5), t.label

    # every tablet casts at once; members 1-3 from both of their tablets, with different cast ids
    plan = [(t, n, "for" if n % 4 else "against") for n, t in {**on_b, **on_a}.items()]
    plan += [(t, n, "abstain") for n, t in twins.items()]
    acks: dict[str, dict] = {}
    barrier = threading.Barrier(len(plan))

    def cast(t, n, choice):
        barrier.wait(10)
        acks[t.label] = t.call("cast", {"ballot_id": ballot_id, "choice": choice, "cast_id": secrets.token_hex(8)})

    threads = [threading.Thread(target=cast, args=p) for p in plan]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert len(acks) == len(plan), "a cast was not answered"
    for n in (1, 2, 3):
        pair = [acks[on_b[n].label], acks[twins[n].label]]
        oks = [x for x in pair if x.get("ok")]
        assert len(oks) == 1, f"member {n} from two processes: {pair}"
        refused = [x for x in pair if not x.get("ok")]
        assert refused[0]["error"] == "already_voted"
    for n in range(4, 13):
        t = on_b.get(n) or on_a[n]
        assert acks[t.label].get("ok") is True, acks[t.label]

    with store.read() as s:
        rnd = s.get(models.Round, round_id)
        parts = s.scalars(select(models.Participation.person_id).where(models.Participation.round_id == round_id)).all()
    assert rnd.voters == 12 and sorted(parts) == sorted(ids["member_ids"][:12])

    for t in everyone:
        assert wait_for(lambda t=t: t.received("progress") and t.received("progress")[-1]["voted"] == 12, 10), \
            f"{t.label}: progress {[p['voted'] for p in t.received('progress')]}"

    result = chair.ok("close_ballot", {"ballot_id": ballot_id})["result"]
    assert result["turnout"]["cast"] == 12
    assert sum(result["questions"][0]["counts"].values()) == 12
    for t in everyone:
        assert wait_for(lambda t=t: t.view()["ballot"]["status"] == "closed", 10), t.label
        assert t.view()["ballot"]["result"]["turnout"]["cast"] == 12
        assert t.errors == [], f"{t.label}: {t.errors}"
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"
    for server in (a, b):
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
