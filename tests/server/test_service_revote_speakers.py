"""A re-vote states its reason (stored on its round, in its audit entry, printed on its sheet); a ballot
that passed is voted again only with the chair's explicit confirmation. The speaker queue: the chair
puts it in order, and a speech's time runs from the grant for as long as the body's rules give."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from voting_server import models, services
from voting_server.services import Conflict, Invalid
from voting_server.services.base import utcnow
from voting_server.services.terminal_view import speakers_section
from voting_server.sheets import data as sd


def _closed(world, choices):
    """The demo resolution, voted with ``choices`` by the first members, closed: its result."""
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    for m, choice in zip(world.members, choices, strict=False):
        world.cast(m, world.ballots[0], choice)
    return services.close_ballot(world.store, world.chair, world.ballots[0])


def _rounds(world):
    with world.store.read() as s:
        return s.scalars(select(models.Round).where(models.Round.ballot_id == world.ballots[0])
                         .order_by(models.Round.number)).all()


def test_a_revote_needs_its_reason(world, refuse):
    world.open_and_sign_in(12)
    assert _closed(world, ["for"] * 5 + ["against"] * 7)["outcome"] == "failed"
    for reason, code in (("", "missing_text"), ("   ", "missing_text"), ("x" * 301, "text_too_long"),
                         ("表决器\x00故障", "bad_characters")):
        err = refuse(lambda r=reason: services.revote(world.store, world.chair, world.ballots[0], reason=r),
                     Invalid, code)
        assert "重新表决的理由" in err.zh and "reason" not in err.zh
    assert [r.number for r in _rounds(world)] == [1]


def test_the_reason_is_stored_audited_and_printed(world):
    world.open_and_sign_in(12)
    _closed(world, ["for"] * 5 + ["against"] * 7)
    services.revote(world.store, world.chair, world.ballots[0], reason=" 第一轮有两台表决器发生故障 ")
    first, second = _rounds(world)
    assert first.revote_reason is None and second.revote_reason == "第一轮有两台表决器发生故障"
    with world.store.read() as s:
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "revote")).one()
    assert json.loads(entry.payload)["reason"] == "第一轮有两台表决器发生故障"
    for m in world.members[:12]:
        world.cast(m, world.ballots[0], "for")
    services.close_ballot(world.store, world.chair, world.ballots[0])
    with world.store.read() as s:
        doc2, doc1 = sd.result_document(s, world.ballots[0], 2), sd.result_document(s, world.ballots[0], 1)
    assert doc2["round"]["revote_reason"] == "第一轮有两台表决器发生故障"
    assert "revote_reason" not in doc1["round"]  # a round without one reads exactly as before


def test_revoting_a_passed_ballot_needs_confirmation(world, refuse):
    world.open_and_sign_in(12)
    assert _closed(world, ["for"] * 10 + ["against"] * 2)["outcome"] == "passed"
    err = refuse(lambda: services.revote(world.store, world.chair, world.ballots[0], reason="有委员提出异议"),
                 Conflict, "confirm_passed_required")
    assert "已获通过" in err.zh and "confirm" not in err.zh
    refuse(lambda: services.revote(world.store, world.chair, world.ballots[0], reason="有委员提出异议",
                                   confirm_passed=False), Conflict, "confirm_passed_required")
    assert [r.number for r in _rounds(world)] == [1]
    services.revote(world.store, world.chair, world.ballots[0], reason="有委员提出异议", confirm_passed=True)
    assert [(r.number, r.status) for r in _rounds(world)] == [(1, "closed"), (2, "open")]


def test_a_failed_ballot_needs_no_confirmation(world):
    world.open_and_sign_in(12)
    _closed(world, ["against"] * 12)
    services.revote(world.store, world.chair, world.ballots[0], reason="表决器故障")
    assert [r.number for r in _rounds(world)] == [1, 2]


# --- speakers ---------------------------------------------------------------------------------------


def _queue(world):
    services.start_item(world.store, world.chair, world.items[0])
    return [services.request_to_speak(world.store, m, world.items[0]) for m in world.members[:3]]


def _section(world):
    with world.store.read() as s:
        return speakers_section(s, s.get(models.Sitting, world.sitting_id), "chair")


def test_the_chair_orders_the_queue(world, refuse):
    world.open_and_sign_in(12)
    a, b, c = _queue(world)
    assert [x["id"] for x in _section(world)] == [a, b, c]  # in the order of asking
    services.order_speakers(world.store, world.chair, world.items[0], [c, a, b])
    assert [x["id"] for x in _section(world)] == [c, a, b]
    services.move_speaker(world.store, world.chair, a, "grant")
    assert [(x["id"], x["status"]) for x in _section(world)] == [(a, "granted"), (c, "waiting"), (b, "waiting")]
    late = services.request_to_speak(world.store, world.members[3], world.items[0])
    assert [x["id"] for x in _section(world)] == [a, c, b, late]  # a later request joins at the end
    with world.store.read() as s:
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "speakers_ordered")).one()
    assert json.loads(entry.payload) == {"item_id": world.items[0], "order": [c, a, b]}


def test_an_order_that_is_not_the_queue_is_refused(world, refuse):
    world.open_and_sign_in(12)
    a, b, c = _queue(world)
    for order in ([a, b], [a, b, c, c], [a, b, c, 99999], [], [a, a, b]):
        err = refuse(lambda o=order: services.order_speakers(world.store, world.chair, world.items[0], o),
                     Conflict, "queue_changed")
        assert err.details["waiting"] == sorted([a, b, c])
    for bad in ("1,2", [a, "b"], [True]):
        refuse(lambda o=bad: services.order_speakers(world.store, world.chair, world.items[0], o),
               Invalid, "bad_list")
    refuse(lambda: services.order_speakers(world.store, world.chair, world.items[1], []), Conflict, "not_current")
    refuse(lambda: services.order_speakers(world.store, world.members[0], world.items[0], [a, b, c]),
           services.Forbidden, "forbidden")


def _speaking_time(world, seconds):
    services.update_body_rules(world.store, world.clerk, world.body_id, preset="standing_committee",
                               overrides={"speaking_seconds": seconds})


def test_a_speech_runs_for_the_bodys_speaking_time(world):
    world.open_and_sign_in(12)
    a, b, _c = _queue(world)
    before = utcnow()
    services.move_speaker(world.store, world.chair, a, "grant")
    speaking = _section(world)[0]
    granted = dt.datetime.fromisoformat(speaking["granted_at"].rstrip("Z"))
    assert before <= granted <= utcnow()
    assert speaking["limit_seconds"] == 600  # the preset's ten minutes
    assert dt.datetime.fromisoformat(speaking["ends_at"].rstrip("Z")) - granted == dt.timedelta(seconds=600)
    assert "ends_at" not in _section(world)[1]  # those waiting have no clock yet
    services.move_speaker(world.store, world.chair, a, "done")
    # the body's own speaking time (a setting), for the next speech; 0: no limit
    _speaking_time(world, 300)
    services.move_speaker(world.store, world.chair, b, "grant")
    assert _section(world)[0]["limit_seconds"] == 300
    services.move_speaker(world.store, world.chair, b, "done")
    _speaking_time(world, 0)
    c = _section(world)[0]["id"]
    services.move_speaker(world.store, world.chair, c, "grant")
    assert _section(world)[0]["limit_seconds"] is None and _section(world)[0]["ends_at"] is None
