"""Time's up reaches every terminal: when an open round's deadline passes, the server pushes a numbered
``time_up`` event (its ballot section says ``time_up: true``) to seats, observers, chair, clerk and display,
without anyone sending anything; a body whose rules say ``auto_close_at_deadline`` then sees the round
closed by the system. (The deadline is made short by writing the ballot's timer straight into the
database: the command refuses timers under 10 s.)"""
from __future__ import annotations

import secrets

from sqlalchemy import update
from support.polling import wait_for

from voting_server import models, services
from voting_server.services import SYSTEM

TIMER = 1  # second


def short_timer(hall, ballot_id: int) -> None:
    with hall.store.engine.begin() as conn:
        conn.execute(update(models.Ballot).where(models.Ballot.id == ballot_id).values(timer_seconds=TIMER))


def open_with_short_timer(hall, chair, seat) -> int:
    """The sitting open, the seat signed in, the first ballot open with a deadline TIMER from now."""
    chair.ok("open_sitting", {"confirm": True})
    seat.ok("sign_in")
    ballot_id = hall.seed.ballots[0]
    short_timer(hall, ballot_id)
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": ballot_id, "override_quorum": True})
    return ballot_id


def events_of(terminal, kind: str) -> list[dict]:
    return [e for e in terminal.received("event") if e["type"] == kind]


def test_time_up_is_pushed_to_every_terminal_and_the_chair_still_closes(hall):
    chair, clerk, display, observer = hall.staff("chair"), hall.staff("clerk"), hall.staff("display"), hall.observer()
    seat = hall.seat(1)
    terminals = [chair, clerk, display, observer, seat]
    ballot_id = open_with_short_timer(hall, chair, seat)
    assert chair.state["ballot"]["time_up"] is False and chair.state["ballot"]["deadline"]

    assert wait_for(lambda: [t.pump() for t in terminals] and all(events_of(t, "time_up") for t in terminals),
                    TIMER + 5), {t.label: [e["type"] for e in t.received("event")] for t in terminals}
    for t in terminals:
        assert t.errors == []
        assert t.state["ballot"]["time_up"] is True and t.state["ballot"]["status"] == "open", t.label
        assert t.fresh()["ballot"]["time_up"] is True  # a terminal connecting now is told too
    assert chair.state["ballot"]["auto_close"] is False
    refused = seat.call("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": secrets.token_hex(8)})
    assert refused["error"] == "time_up"
    chair.ok("close_ballot", {"ballot_id": ballot_id})


def test_a_body_that_closes_at_the_deadline_sees_the_round_closed_by_the_system(hall):
    services.update_body_rules(hall.store, SYSTEM, hall.seed.body_id, preset="standing_committee",
                               overrides={"auto_close_at_deadline": True})
    chair, seat = hall.staff("chair"), hall.seat(1)
    ballot_id = open_with_short_timer(hall, chair, seat)
    assert chair.state["ballot"]["auto_close"] is True
    seat.ok("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": secrets.token_hex(8)})

    assert wait_for(lambda: [t.pump() for t in (chair, seat)] and all(
        events_of(t, "ballot_closed") for t in (chair, seat)), TIMER + 5)
    for t in (chair, seat):
        assert [e["type"] for e in t.received("event")][-2:] == ["time_up", "ballot_closed"]
        assert t.state["ballot"]["status"] == "closed" and t.state["ballot"]["result"] is not None
        assert t.errors == []
    with hall.store.read() as s:
        actors = [e.actor for e in s.query(models.AuditEntry).filter(
            models.AuditEntry.action.in_(("time_up", "ballot_closed")))]
    assert actors == ["system", "system"]
