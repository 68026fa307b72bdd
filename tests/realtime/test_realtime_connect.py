"""Connecting: who may connect as what, the snapshot each audience gets, and refused connections (a
``connect_error`` whose data names the reason, as docs/protocol.md section 1 and the seat page expect:
``err.data.error``)."""
from __future__ import annotations

import secrets

import pytest
from realtime_helpers import CLERK, Terminal
from sqlalchemy import select
from support.terminal import first_difference

from voting_server import demo, models, services
from voting_server.services import Actor, terminal_view

SECTIONS = {"sitting", "attendance", "agenda", "ballot", "speakers", "results", "seq", "audience"}
CHAIR = Actor(role="chair", name="王建国")


def snapshot_of(t):
    [snap] = t.received("snapshot")
    return snap


def expected(hall, audience, person_id=None, device_id=None):
    snap = terminal_view.snapshot(hall.store, hall.sitting_id, audience, person_id)
    if person_id is not None:
        snap["me"]["device_id"] = device_id
    return snap


def test_seat_snapshot(hall):
    seat = hall.seat(3)
    snap = snapshot_of(seat)
    assert set(snap) == SECTIONS | {"me"}
    assert snap["audience"] == "seat"
    assert snap["sitting"]["id"] == hall.sitting_id and snap["sitting"]["status"] == "planned"
    assert snap["sitting"]["body"]["id"] == hall.seed.body_id
    assert "people" not in snap["attendance"], "a seat sees the counts, never who is absent"
    assert snap["attendance"]["entitled"] == 15 and snap["attendance"]["attending"] == 0
    assert [i["id"] for i in snap["agenda"]["items"]] == hall.seed.items
    assert [b["status"] for i in snap["agenda"]["items"] for b in i["ballots"]] == ["draft"] * 4
    assert snap["ballot"] is None and snap["speakers"] == [] and snap["results"] == []
    assert snap["me"] == {"person_id": hall.person(3), "name": demo.MEMBERS[2], "seat": "3", "role": "member",
                          "title": "副主任", "entitled": True, "attendance": "absent", "signed_in": False,
                          "vote": None, "device_id": hall.devices["3"]}
    assert first_difference(snap, expected(hall, "seat", hall.person(3), hall.devices["3"])) is None
    assert seat.fresh() == snap, "the snapshot command answers what the connect sent"


def test_observer_snapshot(hall):
    obs = hall.observer(2)
    snap = snapshot_of(obs)
    assert snap["audience"] == "observer"
    assert "people" not in snap["attendance"]
    me = snap["me"]
    assert (me["person_id"], me["role"], me["seat"], me["entitled"]) == (hall.seed.observer_ids[1], "observer",
                                                                          "L2", False)
    assert first_difference(snap, expected(hall, "observer", me["person_id"], hall.devices["L2"])) is None


@pytest.mark.parametrize("username,audience", [("chair", "chair"), ("clerk", "clerk"), ("admin", "clerk")])
def test_staff_snapshot(hall, username, audience):
    services.set_attendance(hall.store, CLERK, hall.sitting_id, hall.person(14), "leave", "因公出差")
    t = hall.staff(username)
    snap = snapshot_of(t)
    assert set(snap) == SECTIONS, "staff consoles have no `me`"
    assert snap["audience"] == audience
    people = snap["attendance"]["people"]
    assert len(people) == 17, "every member and observer, with status and reason"
    assert [p["person_id"] for p in people] == hall.seed.member_ids + hall.seed.observer_ids
    leave = next(p for p in people if p["person_id"] == hall.person(14))
    assert (leave["status"], leave["reason"]) == ("leave", "因公出差")
    assert first_difference(snap, expected(hall, audience)) is None


def test_display_snapshot(hall):
    t = hall.staff("display")
    snap = snapshot_of(t)
    assert set(snap) == SECTIONS
    assert snap["audience"] == "display"
    assert "people" not in snap["attendance"]
    assert first_difference(snap, expected(hall, "display")) is None


def test_snapshots_of_an_open_ballot(hall):
    """An open secret ballot on every screen: the question and its options, how many voted, never a result
    or (for a secret ballot) who has not voted; each tablet its own state."""
    store = hall.store
    services.open_sitting(store, CHAIR, hall.sitting_id)
    for n in range(1, 11):
        services.sign_in(store, Actor(role="member", name=str(n), person_id=hall.person(n)), hall.sitting_id)
    services.start_item(store, CHAIR, hall.seed.items[0])
    round_id = services.open_ballot(store, CHAIR, hall.seed.ballots[0])
    voter = Actor(role="member", name="1", person_id=hall.person(1))
    ack = services.cast_vote(store, voter, hall.seed.ballots[0], "for", secrets.token_hex(8))

    terminals = {"seat": hall.seat(1), "seat2": hall.seat(2), "observer": hall.observer(1),
                 "chair": hall.staff("chair"), "clerk": hall.staff("clerk"), "display": hall.staff("display")}
    for label, t in terminals.items():
        snap = snapshot_of(t)
        ballot = snap["ballot"]
        assert ballot["id"] == hall.seed.ballots[0] and ballot["round_id"] == round_id, label
        assert (ballot["status"], ballot["secret"], ballot["voted"], ballot["result"]) == ("open", True, 1, None)
        assert [o["code"] for o in ballot["questions"][0]["options"]] == ["for", "against", "abstain"]
        assert (ballot["present"], ballot["entitled"], ballot["needed"]) == (10, 15, 8)
        assert "non_voters" not in ballot, f"{label}: non-voters of a secret ballot"
        assert snap["agenda"]["current_item_id"] == hall.seed.items[0]
        assert snap["attendance"]["attending"] == 10
    me1, me2 = snapshot_of(terminals["seat"])["me"], snapshot_of(terminals["seat2"])["me"]
    assert me1["vote"] == {"round_id": round_id, "voted": True, "receipt": ack["receipt"], "choice": None}
    assert me1["signed_in"] is True and me1["attendance"] == "present"
    assert me2["vote"] == {"round_id": round_id, "voted": False, "receipt": None, "choice": None}
    assert snapshot_of(terminals["observer"])["me"]["vote"]["voted"] is False


# --- refused connections ---------------------------------------------------------------------------


def refused(t, code):
    assert not t.connected, f"connected although it should be refused with {code}"
    assert t.received("snapshot") == [], "a refused connection got a snapshot"
    data = t.refusal
    assert isinstance(data, dict), f"no connect_error data: {data!r}"
    reason = data.get("data")
    assert isinstance(reason, dict) and reason.get("error") == code, \
        f"connect_error should carry data.error == {code!r} (protocol.md section 1, client.js), got {data!r}"
    assert reason.get("message") and reason.get("message_en")


@pytest.mark.parametrize("auth,code", [
    (None, "unauthenticated"),
    ({}, "unauthenticated"),
    ("a string", "unauthenticated"),
    ({"token": secrets.token_urlsafe(32)}, "revoked"),
    ({"token": 12345678901234567890}, "revoked"),
    ({"token": "short"}, "revoked"),
    ({"token": "x" * 5000}, "revoked"),
    ({"token": None, "sitting_id": 1}, "unauthenticated"),
], ids=["none", "empty", "not-a-dict", "unknown-token", "int-token", "short-token", "huge-token", "null-token"])
def test_refused_without_valid_credentials(hall, auth, code):
    t = hall.connect(auth=auth)
    refused(t, code)
    assert hall.live.audiences.conns == {}


@pytest.mark.parametrize("sitting_id,code", [("1", "bad_sitting"), (True, "bad_sitting"), (1.5, "bad_sitting"),
                                             (999999, "not_found"), (2**40, "not_found"), (-1, "not_found")])
def test_refused_bad_sitting(hall, sitting_id, code):
    t = hall.connect(auth={"token": hall.pair("1"), "sitting_id": sitting_id})
    refused(t, code)


def test_refused_revoked_token(hall):
    token = hall.pair("4")
    services.revoke_device(hall.store, CLERK, hall.devices["4"])
    refused(hall.connect(auth={"token": token}), "revoked")


def test_refused_other_bodys_sitting_and_no_sitting(hall):
    store = hall.store
    other_body = services.create_body(store, CLERK, name="另一个县人大常委会")
    other_sitting = services.create_sitting(store, CLERK, other_body, title="另一次会议", date="2099-01-01")
    # a seat of the demo body naming the other body's sitting
    refused(hall.connect(auth={"token": hall.pair("1"), "sitting_id": other_sitting}), "not_on_roster")
    # a member of a body without any sitting
    lonely_body = services.create_body(store, CLERK, name="没有会议的机构")
    pid = services.add_person(store, CLERK, lonely_body, {"name": "孤单", "role": "member", "seat": "1",
                                                          "joined_on": "2021-10-01"})
    services.set_pin(store, CLERK, pid, "1357")
    token, _actor = services.pair_with_pin(store, lonely_body, "1", "1357")
    refused(hall.connect(auth={"token": token}), "no_sitting")


def test_refused_after_logout(hall):
    client = hall.login("chair")
    assert hall.connect(flask_client=client).connected
    client.post("/api/logout")
    refused(hall.connect(flask_client=client), "unauthenticated")


def test_logout_ends_a_connected_console(hall):
    """Logging out (in any browser of the account) disconnects the account's consoles on this process;
    another account's console stays."""
    chair, clerk = hall.staff("chair"), hall.staff("clerk")
    elsewhere = hall.login("chair")  # the same account in another browser
    assert elsewhere.post("/api/logout").status_code == 200
    chair.pump()
    clerk.pump()
    assert not chair.connected, "the chair's console is disconnected"
    assert clerk.connected
    assert clerk.call("snapshot")["ok"]


def test_a_console_of_an_ended_session_on_another_process_is_refused(hall, monkeypatch):
    """The logout was handled by another process (no local connection dropped): the console's next
    command is refused ``session_ended``."""
    chair = hall.staff("chair")
    monkeypatch.setattr(hall.live.audiences, "drop_user", lambda user_id: [])
    services.logout(hall.store, chair_id(hall))
    ack = chair.call("snapshot")
    assert ack["ok"] is False and ack["error"] == "session_ended", ack


def chair_id(hall):
    with hall.store.read() as s:
        return s.scalar(select(models.User.id).where(models.User.username == "chair"))


def test_revoked_while_connected(hall):
    """The clerk unpairs a tablet: it is told (``revoked`` with its device id) and disconnected; the
    member's other tablet stays; the old token is refused from then on."""
    seat = hall.seat(5)
    token2, actor2 = services.pair_with_pin(hall.store, hall.seed.body_id, "5", demo.DEMO_PIN)
    other = Terminal(hall.app, "second tablet of seat 5", auth={"token": token2})
    hall.terminals.append(other)
    assert other.connected
    services.revoke_device(hall.store, CLERK, hall.devices["5"])
    seat.pump()
    other.pump()
    notes = seat.received("revoked")
    assert notes and notes[-1]["device_id"] == hall.devices["5"]
    assert not seat.connected, "the revoked tablet is disconnected"
    assert other.connected, "the member's other tablet is not"
    assert all(n["device_id"] != actor2.device_id for n in other.received("revoked"))
    assert other.fresh()["me"]["device_id"] == actor2.device_id
    refused(hall.connect(auth={"token": hall.tokens["5"]}), "revoked")
