"""Terminals follow the sitting that opens, with real clients of a ``run.py`` process (python-socketio over
WebSocket, following ``sitting.moved_to`` as the pages do): with two planned sittings every seat, the chair
and the hall display join the older one; the clerk opens the newer one; each of them is moved to it
without reloading, and a member who signed in early is present in the opened sitting."""
from __future__ import annotations

import pytest
from support.clients import LiveClient
from support.polling import wait_for
from support.terminal import first_difference, shown
from test_realtime_server import Running

from voting_server import services
from voting_server.services import Actor

pytestmark = pytest.mark.timeout(120)
CLERK = Actor(role="clerk", name="办公室 何静")


@pytest.fixture
def running(seeded, tmp_path):
    r = Running(seeded, tmp_path, "eventlet", seats=4)
    newer = services.create_sitting(r.store, CLERK, seeded.body_id, title="县第十八届人大常委会第三十七次会议",
                                    date="2099-12-30")  # later than the seeded one: the older is joined first
    r.newer = newer
    try:
        yield r.start()
    finally:
        r.stop()


def follower(r: Running, label: str, **how) -> LiveClient:
    t = LiveClient(r.server.url, label, follows=True, **how)
    r.clients.append(t)
    return t.connect()


def test_opening_the_newer_sitting_moves_every_terminal_and_keeps_the_early_sign_in(running):
    r, older, newer = running, running.seed.sitting_id, running.newer
    seats = [follower(r, f"seat {n}", token=r.tokens[n]) for n in (1, 2, 3)]
    chair = follower(r, "chair", cookie=r.server.staff_cookie("chair"))
    display = follower(r, "display", cookie=r.server.staff_cookie("display"))
    terminals = [*seats, chair, display]
    for t in terminals:
        assert t.state["sitting"]["id"] == older and t.state["sitting"]["status"] == "planned", t.label
    early = seats[0].ok("sign_in")  # signed in before anything opened: on the older sitting
    assert early["ok"] and wait_for(lambda: seats[0].state["me"]["signed_in"], 5)

    clerk = LiveClient(r.server.url, "clerk", cookie=r.server.staff_cookie("clerk"), sitting_id=newer)
    r.clients.append(clerk)
    clerk.connect()
    clerk.ok("open_sitting", {"confirm": True})

    for t in terminals:
        assert wait_for(lambda t=t: t.sio.connected and t.state.get("sitting", {}).get("id") == newer, 10), \
            f"{t.label} stayed on {t.state.get('sitting', {}).get('id')}"
        assert t.moves == [newer], t.label
        moved = [data for data in t.received("event") if data["type"] == "sitting_moved"]
        assert [m["changes"]["sitting"]["moved_to"] for m in moved] == [newer], t.label  # the push it acted on
        assert t.state["sitting"]["status"] == "open"
    assert seats[0].state["me"]["signed_in"] is True  # the early sign-in counts in the opened sitting
    assert seats[1].state["me"]["signed_in"] is False
    assert wait_for(lambda: chair.state["attendance"]["present"] == 1, 5), chair.state["attendance"]
    people = {p["person_id"]: p["status"] for p in chair.state["attendance"]["people"]}
    assert people[r.seed.member_ids[0]] == "present"

    # after the move each terminal is where a fresh snapshot of the opened sitting says, and keeps following it
    seats[1].ok("sign_in")
    for t in terminals:
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"
    assert wait_for(lambda: display.state["attendance"]["present"] == 2, 5)
    fresh = seats[0].fresh()
    assert first_difference(shown(seats[0].state), shown(fresh)) is None
