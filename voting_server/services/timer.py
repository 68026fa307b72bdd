"""The round's timer: extending it, the moment it runs out (every terminal is told; a body whose rules
say so has the round closed then, by the server's clock), and the chair's reminder to those who have
not voted."""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg
from .base import CLOCK, Actor, ServiceError, iso, requires, transaction, utcnow
from .closing import close_ballot
from .lookups import ballot_and_open_round, non_voter_ids, ruleset_of, sitting_of_ballot
from .values import Bounded, Refusal

log = logging.getLogger(__name__)

EXTEND_SECONDS = Bounded(10, 3600, Refusal("bad_timer", msg("延长时间必须在10到3600秒之间")))


@requires("drive_ballot")
def extend_timer(store: Store, actor: Actor, ballot_id: int, seconds: int) -> None:
    seconds = EXTEND_SECONDS.check(seconds)
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        base = max(rnd.deadline or utcnow(), utcnow())
        rnd.deadline = base + dt.timedelta(seconds=seconds)
        tx.audit("timer_extended", {"ballot_id": ballot.id, "round_id": rnd.id, "deadline": iso(rnd.deadline)},
                 sitting_id=sitting_of_ballot(s, ballot).id, push=True)


@requires("drive_ballot")
def remind_non_voters(store: Store, actor: Actor, ballot_id: int) -> int:
    """The chair reminds present members who have not voted; their tablets are told. Answers how many.
    On a named ballot the audit entry names them; on a secret one it holds the count only (during a
    secret ballot nobody learns who has voted, only how many): the push finds the tablets to remind
    from the stored votes (``reminded_person_ids``)."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        sitting = sitting_of_ballot(s, ballot)
        missing = sorted(non_voter_ids(s, sitting, rnd.id))
        who: dict[str, Any] = {"count": len(missing)} if ballot.secret else {"person_ids": missing}
        tx.audit("reminded", {"ballot_id": ballot.id, "round_id": rnd.id, **who}, sitting_id=sitting.id, push=True)
        return len(missing)


def reminded_person_ids(store: Store, payload: dict[str, Any]) -> list[int]:
    """The members a ``reminded`` event is for: named in it (a named ballot), or, on a secret ballot,
    those present who have still not voted in its round."""
    if "person_ids" in payload:
        return list(payload["person_ids"])
    with store.read() as s:
        rnd = s.get(models.Round, payload["round_id"])
        if rnd is None or rnd.status != "open":
            return []
        ballot = s.get(models.Ballot, rnd.ballot_id)
        assert ballot is not None
        return non_voter_ids(s, sitting_of_ballot(s, ballot), rnd.id)


# --- the deadline --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """What the server's clock learns of one round at (or after) its deadline. ``deadline`` is the
    round's deadline as stored now (a later one when the chair extended it: wait again until then);
    ``closed`` whether the round is closed (now, by the body's rule, or before)."""

    round_id: int
    deadline: dt.datetime | None
    closed: bool
    time_up: bool = False
    announced: bool = False  # this call wrote the ``time_up`` event


def timed_rounds(store: Store) -> list[tuple[int, dt.datetime]]:
    """Every open round with a deadline, as (round id, deadline): what the clock waits for at start-up."""
    with store.read() as s:
        rows = s.execute(select(models.Round.id, models.Round.deadline).where(
            models.Round.status == "open", models.Round.deadline.is_not(None)).order_by(models.Round.deadline))
        return [(rid, deadline) for rid, deadline in rows if deadline is not None]


def deadline_reached(store: Store, round_id: int, *, now: dt.datetime | None = None) -> Deadline:
    """The round's time is up at ``now`` (the server's clock unless given): announce it once (a pushed
    ``time_up`` event, by the system, numbered in the sitting's sequence), then, when the body's rules
    say ``auto_close_at_deadline``, close the round with the normal close (its ``ballot_closed`` event is
    by the system too). Safe to call early, late, twice or from several processes: before the deadline
    it only says when that is; the announcement is written once per round and deadline (under the
    write lock); a round already closed is left alone. A close the rules refuse (a show-of-hands ballot
    without its count, or video attendees' votes the clerk has not entered) is left to the chair, whose
    console prompts for it."""
    now = now or utcnow()
    with transaction(store, CLOCK) as tx:
        s = tx.session
        rnd = s.get(models.Round, round_id)
        if rnd is None or rnd.status != "open" or rnd.deadline is None:
            return Deadline(round_id, rnd.deadline if rnd else None, closed=rnd is None or rnd.status != "open")
        if now < rnd.deadline:
            return Deadline(round_id, rnd.deadline, closed=False)
        ballot = rnd.ballot
        sitting = sitting_of_ballot(s, ballot)
        auto_close = ruleset_of(sitting.body).auto_close_at_deadline
        deadline, ballot_id = rnd.deadline, ballot.id
        announced = not _announced(s, sitting.id, rnd)
        if announced:
            tx.audit("time_up", {"ballot_id": ballot.id, "round_id": rnd.id, "deadline": iso(rnd.deadline),
                                 "auto_close": auto_close}, sitting_id=sitting.id, push=True)
    if not auto_close:
        return Deadline(round_id, deadline, closed=False, time_up=True, announced=announced)
    try:
        close_ballot(store, CLOCK, ballot_id)
    except ServiceError as err:  # closed meanwhile (by the chair, another process) or refused by the rules
        log.info("round %s not closed at its deadline: %s", round_id, err.code)
        with store.read() as s:
            rnd = s.get(models.Round, round_id)
            return Deadline(round_id, deadline, closed=rnd is not None and rnd.status != "open", time_up=True,
                            announced=announced)
    return Deadline(round_id, deadline, closed=True, time_up=True, announced=announced)


def _announced(s: Session, sitting_id: int, rnd: models.Round) -> bool:
    """Whether time-up of this round at this deadline was already announced: the sitting's last
    ``time_up`` entry (read under the write lock, so two processes cannot both write one)."""
    last = s.scalar(select(models.AuditEntry.payload).where(
        models.AuditEntry.sitting_id == sitting_id, models.AuditEntry.action == "time_up")
        .order_by(models.AuditEntry.id.desc()).limit(1))
    if last is None:
        return False
    payload = json.loads(last)
    return bool(payload.get("round_id") == rnd.id and payload.get("deadline") == iso(rnd.deadline))
