"""Real clients against a running server: ``python run.py`` (eventlet, the default, and gevent) on a free
port of 127.0.0.1, python-socketio clients over WebSocket: seats with their device token, the chair and
the hall display with the session cookie of an HTTP login. A ballot is run end to end; a seat drops and
comes back mid-ballot and shows exactly what it showed; a cast retried with the same cast id after the
reconnect is answered with the first receipt and counts once."""
from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from support.apps import Seed
from support.clients import LiveClient
from support.polling import wait_for
from support.server import ServerProcess
from support.terminal import first_difference, shown

from voting_server import ballotbox as bb
from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.services.lookups import spec_of

pytestmark = pytest.mark.timeout(120)


class Running:
    def __init__(self, seed: Seed, folder: Path, mode: str, seats: int = 8) -> None:
        self.seed = seed
        db = folder / "live.sqlite3"
        shutil.copyfile(seed.path, db)
        self.url = f"sqlite:///{db}"
        self.store = Store(self.url)
        self.tokens = {n: services.pair_with_pin(self.store, seed.body_id, str(n), demo.DEMO_PIN)[0]
                       for n in range(1, seats + 1)}
        # one server for the module: its eight tablets send more than a person would (the rates have tests
        # of their own: test_realtime_throttle, tests/fault/test_fault_flood.py)
        self.server = ServerProcess(self.url, folder, mode=mode, env={"LIVE_RATE_SCALE": "100"})
        self.clients: list[LiveClient] = []

    def start(self) -> Running:
        self.server.start()
        return self

    def seat(self, n: int) -> LiveClient:
        t = LiveClient(self.server.url, f"seat {n}", token=self.tokens[n])
        self.clients.append(t)
        return t.connect()

    def staff(self, username: str) -> LiveClient:
        t = LiveClient(self.server.url, username, cookie=self.server.staff_cookie(username))
        self.clients.append(t)
        return t.connect()

    def voters(self, ballot_id: int) -> int:
        with self.store.read() as s:
            rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id)
                           .order_by(models.Round.number.desc()))
            return rnd.voters

    def participations(self, ballot_id: int) -> int:
        with self.store.read() as s:
            return len(s.scalars(select(models.Participation).join(models.Round)
                                 .where(models.Round.ballot_id == ballot_id)).all())

    def stop(self) -> None:
        for c in self.clients:
            c.disconnect()
        self.server.stop()
        self.store.dispose()


@pytest.fixture(params=["eventlet", "gevent"])
def running(request, seeded, tmp_path):
    r = Running(seeded, tmp_path, request.param)
    try:
        yield r.start()
    finally:
        r.stop()


def test_ballot_end_to_end_with_a_dropped_seat(running):
    r, seed = running, running.seed
    ballot_id = seed.ballots[0]
    chair, display = r.staff("chair"), r.staff("display")
    seats = {n: r.seat(n) for n in range(1, 9)}
    assert chair.view()["audience"] == "chair" and display.view()["audience"] == "display"
    assert seats[3].view()["me"]["seat"] == "3"

    chair.ok("open_sitting", {"confirm": True})
    for s in seats.values():
        s.ok("sign_in")
    for t in [chair, display, *seats.values()]:  # the coalesced attendance pushes are in
        assert wait_for(lambda t=t: t.view()["attendance"]["attending"] == 8, 5), t.label
    chair.ok("start_item", {"item_id": seed.items[0]})
    round_id = chair.ok("open_ballot", {"ballot_id": ballot_id})["round_id"]
    for t in [chair, display, *seats.values()]:
        assert wait_for(lambda t=t: (t.view().get("ballot") or {}).get("round_id") == round_id, 5), \
            f"{t.label} did not see the ballot open"

    # seat 1 votes, then drops; seat 2 drops before voting
    cast_id = secrets.token_hex(8)
    first = seats[1].ok("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": cast_id})
    assert wait_for(lambda: seats[1].view()["me"]["vote"]["voted"], 5), "no me_vote"
    ok, diff = seats[1].settle()  # what the tablet shows once the coalesced pushes are in
    assert ok, diff
    before = seats[1].view()
    seats[1].disconnect()
    seats[2].disconnect()
    for n in range(3, 8):
        seats[n].ok("cast", {"ballot_id": ballot_id, "choice": ["for", "against", "abstain"][n % 3],
                             "cast_id": secrets.token_hex(8)})

    back = r.seat(1)
    snap = back.view()
    assert snap["ballot"]["round_id"] == round_id and snap["ballot"]["status"] == "open"
    assert snap["ballot"]["voted"] == 6
    vote = snap["me"]["vote"]
    assert vote["round_id"] == snap["ballot"]["round_id"] and vote["voted"] is True
    assert vote["receipt"] == first["receipt"]
    assert vote == before["me"]["vote"], "the reloaded tablet shows its vote exactly as before"
    assert first_difference({k: v for k, v in snap.items() if k not in ("ballot", "seq")},
                            {k: v for k, v in before.items() if k not in ("ballot", "seq")}) is None

    retry = back.ok("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": cast_id})
    assert retry["duplicate"] is True and retry["receipt"] == first["receipt"]
    assert r.voters(ballot_id) == 6 and r.participations(ballot_id) == 6

    again = r.seat(2)
    assert again.view()["me"]["vote"] == {"round_id": round_id, "voted": False, "receipt": None, "choice": None}
    again.ok("cast", {"ballot_id": ballot_id, "choice": "against", "cast_id": secrets.token_hex(8)})

    # bad casts and sign-ins over the wire: error acknowledgements, the connection stays
    for name, payload, code in [("cast", {"ballot_id": True, "choice": "for", "cast_id": secrets.token_hex(8)},
                                 "bad_field"),
                                ("cast", [ballot_id], "bad_payload"),
                                ("cast", {"ballot_id": ballot_id, "choice": "for"}, "missing_field"),
                                ("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": "x" * 62000},
                                 "payload_too_large"),
                                ("cast", {"ballot_id": 999999, "choice": "for", "cast_id": secrets.token_hex(8)},
                                 "not_found"),
                                ("sign_in", {"x": 1}, "unknown_field"),
                                ("open_ballot", {"ballot_id": ballot_id}, "forbidden")]:
        ack = seats[8].call(name, payload)
        assert isinstance(ack, dict) and ack.get("error") == code, (name, payload, ack)
    assert seats[8].fresh()["me"]["seat"] == "8"
    assert r.voters(ballot_id) == 7

    live = [chair, display, back, again, *(seats[n] for n in range(3, 9))]
    for t in live:
        assert wait_for(lambda t=t: t.view()["ballot"]["voted"] == 7, 5), f"{t.label}: {t.view()['ballot']}"
    result = chair.ok("close_ballot", {"ballot_id": ballot_id})["result"]
    assert result["turnout"]["cast"] == 7
    for t in live:
        assert wait_for(lambda t=t: t.view()["ballot"]["status"] == "closed", 5), t.label
        assert t.view()["ballot"]["result"]["questions"][0]["counts"] == result["questions"][0]["counts"]
    chair.ok("close_sitting")
    for t in live:
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"
        assert t.errors == [], f"{t.label}: {t.errors}"
        assert t.view()["sitting"]["status"] == "closed"
    log = r.server.log_text()
    assert "Traceback" not in log, log[-3000:]


def test_tablets_encrypt_their_ballots_end_to_end(running):
    """A round whose tablets encrypt: each seat gets the key, the round's context and the layout, casts
    a ballot the Python library encrypted (as the seat page's ballot.js does), the server checks its
    proofs in its checker processes and the close counts every one; a plaintext choice, a copied
    ballot and a forged proof are refused, a retry is answered with the first receipt."""
    r, seed = running, running.seed
    clerk = services.Actor(role="clerk", name="何静", user_id=3)
    ballot_id = services.create_ballot(r.store, clerk, seed.items[0], spec={"kind": "resolution"},
                                       box_encrypt="tablet")
    chair = r.staff("chair")
    seats = {n: r.seat(n) for n in range(1, 9)}
    chair.ok("open_sitting", {"confirm": True})
    for s in seats.values():
        s.ok("sign_in")
    chair.ok("start_item", {"item_id": seed.items[0]})
    round_id = chair.ok("open_ballot", {"ballot_id": ballot_id})["round_id"]
    for t in seats.values():
        assert wait_for(lambda t=t: (t.view().get("ballot") or {}).get("round_id") == round_id, 5), t.label
    shown_box = seats[1].view()["ballot"]["box"]
    spec = spec_of(seats[1].view()["ballot"]["spec"])
    keys = bb.KeySet.from_dict(shown_box["keys"])
    assert shown_box["encrypt"] == "tablet" and shown_box["layout"] == bb.Layout.of(spec).to_dict()
    choices = {1: "for", 2: "for", 3: "against", 4: "for", 5: "abstain", 6: "for", 7: "against"}
    wires = {n: bb.encrypt(spec, keys, shown_box["context"], {"main": c}) for n, c in choices.items()}
    cast_ids = {n: secrets.token_hex(8) for n in choices}
    acks = {n: seats[n].ok("cast", {"ballot_id": ballot_id, "ballot": wires[n], "cast_id": cast_ids[n]})
            for n in choices}
    assert len({a["receipt"] for a in acks.values()}) == 7 and all(len(a["receipt"]) == 64 for a in acks.values())
    retry = seats[3].ok("cast", {"ballot_id": ballot_id, "ballot": wires[3], "cast_id": cast_ids[3]})
    assert retry["duplicate"] is True and retry["receipt"] == acks[3]["receipt"]
    forged = {**wires[1], "sums": wires[2]["sums"]}  # proofs of another ballot
    for payload, code in [({"choice": "for"}, "tablet_encrypts"), ({"ballot": wires[1]}, "duplicate_ballot"),
                          ({"ballot": forged}, "bad_proof"), ({"ballot": "not a ballot"}, "bad_field")]:
        ack = seats[8].call("cast", {"ballot_id": ballot_id, "cast_id": secrets.token_hex(8), **payload})
        assert isinstance(ack, dict) and ack.get("error") == code, (payload, ack)
    assert r.voters(ballot_id) == 7
    with r.store.read() as s:
        stored = set(s.scalars(select(models.BoxBallot.hash).where(models.BoxBallot.round_id == round_id)))
    assert stored == {a["receipt"] for a in acks.values()}
    result = chair.ok("close_ballot", {"ballot_id": ballot_id})["result"]
    assert result["questions"][0]["counts"] == {"for": 4, "against": 2, "abstain": 1}
    for t in seats.values():
        assert wait_for(lambda t=t: t.view()["ballot"]["status"] == "closed", 5), t.label
        assert t.view()["ballot"]["result"]["questions"][0]["counts"] == result["questions"][0]["counts"]
    log = r.server.log_text()
    assert "Traceback" not in log and "ballot checker failed" not in log, log[-3000:]


def test_refused_over_the_wire(running):
    """A real client sees the reason of a refusal as ``connect_error`` data (``err.data.error``)."""
    import socketio

    r = running
    t = LiveClient(r.server.url, "stranger", token=secrets.token_urlsafe(32))
    r.clients.append(t)
    with pytest.raises(socketio.exceptions.ConnectionError):
        t.connect(timeout=5)
    assert wait_for(lambda: t.refusal is not None, 3)
    assert isinstance(t.refusal, dict) and (t.refusal.get("data") or {}).get("error") == "revoked", t.refusal


def test_unparseable_frames_leave_the_connection_up(running):
    """A packet nested deeper than the JSON parser goes, and one that is not JSON: dropped, nothing changes,
    the connection keeps working."""
    r = running
    seat = r.seat(1)
    r.staff("chair").ok("open_sitting", {"confirm": True})
    seat.sio.eio.send('2["snapshot",' + "[" * 20000 + "]" * 20000 + "]")
    seat.sio.eio.send('2["snapshot",{"a":')
    seat.sio.eio.send('21["cast",{"ballot_id":1,"choice":"for","cast_id":"abcdefgh12"')
    time.sleep(0.5)
    assert seat.sio.connected
    assert seat.call("sign_in", {}).get("ok") is True
    assert seat.fresh()["me"]["signed_in"] is True
    ok, diff = seat.settle()
    assert ok, diff


@pytest.mark.parametrize("event", ["connect", "disconnect"])
def test_reserved_event_names_from_a_client_change_nothing(running, event):
    """``connect`` and ``disconnect`` are the server's own handlers; a client that sends them as events must
    neither become someone else (another tablet's token) nor be forgotten while its socket stays up."""
    r = running
    seat = r.seat(1)
    r.staff("chair").ok("open_sitting", {"confirm": True})
    seat.sio.emit(event, {"token": r.tokens[2]})
    time.sleep(0.5)
    assert seat.sio.connected
    ack = seat.call("sign_in", {})
    assert ack.get("ok") is True, f"after a {event!r} event from the client: {ack}"
    snap = seat.fresh()
    assert snap["me"]["seat"] == "1", f"after a {event!r} event the connection acts as seat {snap['me']['seat']}"
    assert len(seat.received("snapshot")) == 1, "the server ran its connect handler again"


def test_seq_is_consecutive_for_real_clients(running):
    """Numbered events reach every terminal in order and without gaps while the chair drives quickly."""
    r, seed = running, running.seed
    chair, display = r.staff("chair"), r.staff("display")
    seat = r.seat(4)
    chair.ok("open_sitting", {"confirm": True})
    for _ in range(3):
        chair.ok("start_item", {"item_id": seed.items[0]})
        chair.ok("start_item", {"item_id": seed.items[1]})
    for t in (chair, display, seat):
        assert wait_for(lambda t=t: len(t.received("event")) >= 7, 10), (t.label, t.received("event"))
        seqs = [d["seq"] for d in t.received("event")]
        start = t.received("snapshot")[0]["seq"]
        assert seqs == list(range(start + 1, start + 1 + len(seqs))) and len(seqs) == 7, (t.label, seqs)
        assert shown(t.state)["agenda"]["current_item_id"] == seed.items[1]
