"""Terminals follow the sitting that opens (docs/protocol.md, "Which sitting a terminal shows"): with two
planned sittings of a body, opening the second numbers a ``sitting_moved`` event in the first whose
``sitting.moved_to`` names the opened one; an early sign-in on the first counts for the opened one; a
sign-in sent for a planned sitting while another of the body is open counts there; closing the opened
sitting points the planned ones back (to another open sitting, or none)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from voting_server import models, services
from voting_server.services import sitting as sitting_service
from voting_server.services import terminal_view


def second_sitting(world, date: str = "2026-11-26") -> int:
    return services.create_sitting(world.store, world.clerk, world.body_id, title="第三十七次会议", date=date)


def status_of(world, sitting_id: int, person_id: int) -> str:
    with world.store.read() as s:
        row = s.get(models.Attendance, (sitting_id, person_id))
        return row.status if row else "absent"


def events(world, action: str) -> list[models.AuditEntry]:
    with world.store.read() as s:
        return list(s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == action)
                              .order_by(models.AuditEntry.id)))


def test_opening_the_second_planned_sitting_moves_the_first_ones_terminals(world):
    st, first = world.store, world.sitting_id
    second = second_sitting(world)
    assert terminal_view.current_sitting_for(st, body_id=world.body_id) == first  # the older one, before
    assert terminal_view.snapshot(st, first, "seat")["sitting"]["moved_to"] is None
    seq = terminal_view.snapshot(st, first, "seat")["seq"]
    services.open_sitting(st, world.clerk, second)
    snap = terminal_view.snapshot(st, first, "seat")
    assert (snap["sitting"]["status"], snap["sitting"]["moved_to"], snap["seq"]) == ("planned", second, seq + 1)
    [moved] = events(world, "sitting_moved")
    assert (moved.sitting_id, moved.seq) == (first, seq + 1)
    assert terminal_view.snapshot(st, second, "chair")["sitting"]["moved_to"] is None  # the open one stays
    assert terminal_view.current_sitting_for(st, body_id=world.body_id) == second


def test_an_early_sign_in_counts_for_the_sitting_that_opens(world):
    st, first = world.store, world.sitting_id
    second = second_sitting(world)
    early, on_leave = world.members[0], world.members[1]
    services.sign_in(st, early, first)  # the tablet showed the older planned sitting
    services.sign_in(st, on_leave, first)
    services.set_attendance(st, world.clerk, second, on_leave.person_id, "leave", "出差")  # the clerk knew better
    services.open_sitting(st, world.clerk, second)
    assert status_of(world, second, early.person_id) == "present"
    assert status_of(world, first, early.person_id) == "absent"  # the sign-in left the other sitting
    assert status_of(world, second, on_leave.person_id) == "leave"  # what the clerk recorded stands
    assert status_of(world, first, on_leave.person_id) == "present"
    opened = events(world, "sitting_opened")[-1]
    assert f'"early_sign_ins":[{early.person_id}]' in opened.payload
    assert terminal_view.snapshot(st, second, "chair")["attendance"]["present"] == 1


def test_a_sign_in_long_before_the_opening_does_not_count(world):
    st, first = world.store, world.sitting_id
    second = second_sitting(world)
    services.sign_in(st, world.members[0], first)
    with st.write_session() as s, s.begin():
        s.execute(update(models.Attendance).where(models.Attendance.sitting_id == first).values(
            signed_in_at=dt.datetime(2026, 1, 1) - sitting_service.EARLY_SIGN_IN))
    services.open_sitting(st, world.clerk, second)
    assert status_of(world, second, world.members[0].person_id) == "absent"
    assert status_of(world, first, world.members[0].person_id) == "present"


def test_a_sign_in_sent_for_the_planned_sitting_counts_for_the_open_one(world):
    st, first = world.store, world.sitting_id
    second = second_sitting(world)
    services.open_sitting(st, world.clerk, second)
    services.sign_in(st, world.members[2], first)  # a tablet that has not moved yet
    assert status_of(world, second, world.members[2].person_id) == "present"
    assert status_of(world, first, world.members[2].person_id) == "absent"
    [signed] = events(world, "signed_in")
    assert signed.sitting_id == second


def test_closing_the_opened_sitting_points_the_planned_ones_back(world):
    st, first = world.store, world.sitting_id
    second = second_sitting(world)
    third = second_sitting(world, "2026-12-20")
    services.open_sitting(st, world.clerk, second)
    assert [e.sitting_id for e in events(world, "sitting_moved")] == [first, third]
    services.close_sitting(st, world.chair, second)
    moved = events(world, "sitting_moved")
    assert [(e.sitting_id, '"moved_to":null' in e.payload) for e in moved[2:]] == [(first, True), (third, True)]
    for sid in (first, third):
        assert terminal_view.snapshot(st, sid, "display")["sitting"]["moved_to"] is None
    assert terminal_view.current_sitting_for(st, body_id=world.body_id) == first


def test_a_sitting_of_another_body_is_not_followed(world):
    st = world.store
    other = services.create_body(st, world.clerk, name="邻县人大常委会")
    services.add_person(st, world.clerk, other, {"name": "邻县委员", "seat": "1"})
    theirs = services.create_sitting(st, world.clerk, other, title="邻县会议", date="2026-11-26")
    services.open_sitting(st, world.clerk, theirs)
    assert terminal_view.snapshot(st, world.sitting_id, "seat")["sitting"]["moved_to"] is None
    assert events(world, "sitting_moved") == []
