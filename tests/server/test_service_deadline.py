"""Time's up: at a round's deadline every terminal is told (a pushed ``time_up`` event, by the system,
once per round and deadline), and a body whose rules say ``auto_close_at_deadline`` has the round closed
then by the normal close, audited as done by the system. The server's clock is given to the service
(``now=``), so these tests wait for nothing; the deadline thread is tested with a clock of its own."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from voting_server import models, services
from voting_server.realtime.deadlines import Deadlines

SECOND = dt.timedelta(seconds=1)


def audit(store, action: str) -> list[models.AuditEntry]:
    with store.read() as s:
        return list(s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == action)
                              .order_by(models.AuditEntry.id)))


def open_round(store) -> models.Round:
    with store.read() as s:
        return s.scalars(select(models.Round).where(models.Round.status == "open")).one()


def timed(live, seconds: int = 60) -> dt.datetime:
    """Give the open round a deadline; returns it."""
    services.extend_timer(live.store, live.chair, live.ballots[0], seconds)
    deadline = open_round(live.store).deadline
    assert deadline is not None
    return deadline


@pytest.fixture
def pushed(store):
    events: list[services.Event] = []
    store.subscribe(events.extend)
    return events


def test_before_the_deadline_nothing_happens(live, pushed):
    deadline = timed(live)
    pushed.clear()
    rnd = open_round(live.store)
    outcome = services.deadline_reached(live.store, rnd.id, now=deadline - SECOND)
    assert (outcome.time_up, outcome.closed, outcome.deadline) == (False, False, deadline)
    assert pushed == [] and audit(live.store, "time_up") == []


def test_time_up_is_announced_once_by_the_system_and_the_round_stays_open(live, pushed):
    deadline = timed(live)
    rnd = open_round(live.store)
    with live.store.read() as s:
        seq = s.get(models.Sitting, live.sitting_id).seq
    pushed.clear()
    outcome = services.deadline_reached(live.store, rnd.id, now=deadline)
    assert (outcome.time_up, outcome.announced, outcome.closed) == (True, True, False)
    [entry] = audit(live.store, "time_up")
    assert entry.actor == "system" and entry.seq == seq + 1
    assert json.loads(entry.payload) == {"ballot_id": live.ballots[0], "round_id": rnd.id,
                                         "deadline": services.base.iso(deadline), "auto_close": False}
    assert [(e.action, e.seq) for e in pushed] == [("time_up", seq + 1)]
    # late, again, from another process: announced once
    again = services.deadline_reached(live.store, rnd.id, now=deadline + 30 * SECOND)
    assert (again.time_up, again.announced) == (True, False)
    assert len(audit(live.store, "time_up")) == 1
    assert open_round(live.store).status == "open"  # the chair closes it


def test_an_extension_after_time_up_is_announced_again_at_its_new_deadline(live):
    deadline = timed(live)
    rnd = open_round(live.store)
    services.deadline_reached(live.store, rnd.id, now=deadline)
    services.extend_timer(live.store, live.chair, live.ballots[0], 30)
    later = open_round(live.store).deadline
    assert later == deadline + 30 * SECOND
    assert not services.deadline_reached(live.store, rnd.id, now=deadline + SECOND).time_up
    assert services.deadline_reached(live.store, rnd.id, now=later).announced
    assert len(audit(live.store, "time_up")) == 2


def test_a_body_that_says_so_has_the_round_closed_at_its_deadline_by_the_system(live, pushed):
    services.update_body_rules(live.store, live.clerk, live.body_id, preset="standing_committee",
                               overrides={"auto_close_at_deadline": True})
    for m in live.members[:9]:
        live.cast(m, live.ballots[0], "for")
    deadline = timed(live)
    rnd_id = open_round(live.store).id
    pushed.clear()
    outcome = services.deadline_reached(live.store, rnd_id, now=deadline)
    assert (outcome.time_up, outcome.closed) == (True, True)
    assert [e.action for e in pushed] == ["time_up", "ballot_closed"]
    [closed] = audit(live.store, "ballot_closed")
    assert closed.actor == "system"
    assert json.loads(audit(live.store, "time_up")[0].payload)["auto_close"] is True
    with live.store.read() as s:
        rnd = s.get(models.Round, rnd_id)
        result = s.scalar(select(models.Result).where(models.Result.round_id == rnd_id))
        assert rnd.status == "closed" and result is not None
        assert result.data["outcome"] == "passed"  # 9 of 15 members for: the normal tally
    # called again (another process, a restart): nothing more
    pushed.clear()
    assert services.deadline_reached(live.store, rnd_id, now=deadline + SECOND).closed
    assert pushed == [] and len(audit(live.store, "ballot_closed")) == 1


def test_a_round_the_chair_closed_first_is_left_alone(live, pushed):
    services.update_body_rules(live.store, live.clerk, live.body_id, preset="standing_committee",
                               overrides={"auto_close_at_deadline": True})
    deadline = timed(live)
    rnd_id = open_round(live.store).id
    services.close_ballot(live.store, live.chair, live.ballots[0])
    pushed.clear()
    outcome = services.deadline_reached(live.store, rnd_id, now=deadline)
    assert outcome.closed and not outcome.time_up and pushed == []
    assert [e.actor for e in audit(live.store, "ballot_closed")] == ["chair:2:王建国"]


def test_the_open_timed_rounds_are_what_the_clock_waits_for(live):
    assert services.timed_rounds(live.store) == []  # the demo's resolution has no timer
    deadline = timed(live)
    assert services.timed_rounds(live.store) == [(open_round(live.store).id, deadline)]


class FakeClock:
    """A clock that moves only when the deadline thread sleeps (by exactly the time it sleeps)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now, self.slept = now, 0.0

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += dt.timedelta(seconds=seconds)


class InlineSocketIO:
    """Runs a background task at once, in the caller's thread (with the fake clock, it never waits)."""

    def start_background_task(self, fn, *args):
        fn(*args)

    def sleep(self, seconds: float) -> None:
        raise AssertionError("the fake clock sleeps")


def test_the_deadline_thread_sleeps_until_the_deadline_then_closes(live):
    services.update_body_rules(live.store, live.clerk, live.body_id, preset="standing_committee",
                               overrides={"auto_close_at_deadline": True})
    deadline = timed(live, 90)
    rnd_id = open_round(live.store).id
    clock = FakeClock(deadline - 90 * SECOND)
    deadlines = Deadlines(InlineSocketIO(), live.store, now=clock, sleep=clock.sleep)
    deadlines.start()  # at start-up: arms the open timed round; the inline thread runs to its end
    assert clock.now >= deadline and clock.slept == pytest.approx(90, abs=0.01)
    with live.store.read() as s:
        assert s.get(models.Round, rnd_id).status == "closed"
    assert deadlines.armed() == {}
