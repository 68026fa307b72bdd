"""The clerk consoles of a body follow its roster and its list of sittings, whichever sitting each one
shows: a person corrected (no sitting of its own), a sitting created, corrected or deleted (a deleted
sitting has no room left) reach every clerk console of the body as ``body_changed``; tablets, the chair
and the hall display get none of it."""
from __future__ import annotations

from realtime_helpers import CLERK
from support.polling import wait_for

from voting_server import services


def changes(t):
    t.pump()
    return [(m["type"], m["sitting_id"]) for m in t.received("body_changed")]


def test_roster_and_sittings_reach_every_clerk_console_of_the_body(hall):
    other = services.create_sitting(hall.store, CLERK, hall.seed.body_id, title="第三十七次会议", date="2099-12-30")
    here = hall.staff("clerk")
    there = hall.staff("clerk", auth={"sitting_id": other})
    assert here.state["sitting"]["id"] == hall.sitting_id and there.state["sitting"]["id"] == other
    quiet = [hall.seat(1), hall.staff("chair"), hall.staff("display")]
    clerks = (here, there)

    http = hall.login("clerk")
    person = hall.person(2)
    assert http.patch(f"/api/people/{person}", json={"name": "李秀英（更正）"}).status_code == 200
    for t in clerks:
        assert wait_for(lambda t=t: ("person_changed", None) in changes(t), 5), t.label

    assert http.patch(f"/api/sittings/{other}", json={"title": "第三十七次会议（更正）"}).status_code == 200
    assert http.delete(f"/api/sittings/{other}").status_code == 200
    for t in clerks:
        assert wait_for(lambda t=t: ("sitting_deleted", other) in changes(t), 5), t.label
        assert ("sitting_changed", other) in changes(t), t.label
        assert all(m["body_id"] == hall.seed.body_id for m in t.received("body_changed"))

    for t in quiet:
        t.pump()
        assert t.received("body_changed") == [], t.label
