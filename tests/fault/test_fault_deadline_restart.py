"""A deadline that passes while the server is down: a body whose rules close a timed ballot at its
deadline has the round closed when the server starts again (announced ``time_up`` and closed, both by the
system), and a seat connecting then sees the result; a body without that rule sees the round still open
with 时间到 (``time_up``) for the chair to close. A real server process (eventlet), killed with SIGKILL
right after the ballot opens, started again on the same database after the deadline."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update
from support.clients import LiveClient
from support.database import seed_hall
from support.polling import wait_for

from voting_server import models, services
from voting_server.db import Store

TIMER = 2  # seconds (written straight into the database: the command refuses timers under 10 s)


def prepare(url: str, *, auto_close: bool) -> dict:
    ids = seed_hall(url, 3)
    store = Store(url)
    try:
        if auto_close:
            services.update_body_rules(store, services.SYSTEM, ids["body_id"], preset="standing_committee",
                                       overrides={"auto_close_at_deadline": True})
        with store.engine.begin() as conn:
            conn.execute(update(models.Ballot).where(models.Ballot.id == ids["ballot_id"]).values(timer_seconds=TIMER))
    finally:
        store.dispose()
    return ids


def the_round(url: str, round_id: int) -> tuple[str, list[tuple[str, str]]]:
    store = Store(url)
    try:
        with store.read() as s:
            rnd = s.get(models.Round, round_id)
            assert rnd is not None
            entries = [(e.action, e.actor) for e in s.scalars(select(models.AuditEntry).where(
                models.AuditEntry.action.in_(("time_up", "ballot_closed"))).order_by(models.AuditEntry.id))]
            return rnd.status, entries
    finally:
        store.dispose()


def open_then_kill(server, ids: dict) -> tuple[int, float]:
    server.start()
    chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair")).connect()
    try:
        chair.ok("open_sitting", {"confirm": True})
        chair.ok("start_item", {"item_id": ids["item_id"]})
        opened = chair.ok("open_ballot", {"ballot_id": ids["ballot_id"], "override_quorum": True})
        server.kill9()
        opened_at = time.monotonic()
    finally:
        chair.disconnect()
    server.wait_dead()
    return opened["round_id"], opened_at


@pytest.mark.timeout(120)
@pytest.mark.parametrize("auto_close", [True, False], ids=["auto_close", "chair_closes"])
def test_a_deadline_passed_while_down_is_handled_at_start(database_url, servers, tmp_path, auto_close):
    ids = prepare(database_url, auto_close=auto_close)
    server = servers(database_url, tmp_path)
    round_id, opened_at = open_then_kill(server, ids)
    assert the_round(database_url, round_id) == ("open", [])  # nothing happened before the kill
    time.sleep(max(0.0, opened_at + TIMER + 0.5 - time.monotonic()))

    server.start()
    if auto_close:
        assert wait_for(lambda: the_round(database_url, round_id)[0] == "closed", 10), "not closed at start"
        assert the_round(database_url, round_id)[1] == [("time_up", "system"), ("ballot_closed", "system")]
    else:
        assert wait_for(lambda: the_round(database_url, round_id)[1], 10), "time-up not announced at start"
        assert the_round(database_url, round_id) == ("open", [("time_up", "system")])
    seat = LiveClient(server.url, "seat", token=ids["tokens"][0]).connect()
    try:
        ballot = seat.state["ballot"]
        assert ballot["round_id"] == round_id
        if auto_close:
            assert ballot["status"] == "closed" and ballot["result"] is not None
        else:
            assert ballot["status"] == "open" and ballot["time_up"] is True
    finally:
        seat.disconnect()
    server.stop()
    server.assert_clean_logs()
