"""Closing a round: tally it with ballots/ from the stored counters (and a show-of-hands count, if one
was entered) under the rule frozen on the round, and store the result with that rule. The verifier
re-tallies with the same function."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .base import Actor, Conflict, requires, rules_refusal, transaction, utcnow
from .lookups import (
    PRESENT,
    ballot_and_open_round,
    hand_count,
    roster_ids,
    rule_of,
    sitting_of_ballot,
    spec_of,
    voted_ids,
)


@requires("drive_ballot")
def close_ballot(store: Store, actor: Actor, ballot_id: int) -> dict[str, Any]:
    """Close the open round, tally it with ballots/ from the stored counts, store the result."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        sitting = sitting_of_ballot(s, ballot)
        hands = hand_count(s, rnd.id)
        if ballot.method == "hands" and hands is None:
            raise Conflict("hands_missing", msg("请先录入举手表决结果"))
        result, method, absentees = tally_round(s, sitting, ballot, rnd, hands)
        now = utcnow()
        rnd.status, rnd.closed_at = "closed", now
        entry = tx.audit("ballot_closed", {"ballot_id": ballot.id, "round_id": rnd.id, "round": rnd.number,
                                           "method": method, "result": result},
                         sitting_id=sitting.id, push=True)
        s.add(models.Result(round_id=rnd.id, data=result, rule=dict(rnd.rule), method=method, absentees=absentees,
                            audit_head=entry.hash, audit_id=entry.id, computed_at=now))
    store.checkpoint()
    return result


def _stored_counts(s: Session, rnd: models.Round, hands: models.HandCount | None) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in s.scalars(select(models.TallyCount).where(models.TallyCount.round_id == rnd.id)):
        counts.setdefault(row.question, {})[row.option] = row.count
    if hands is not None:
        for q, opts in hands.counts.items():
            for o, n in opts.items():
                counts.setdefault(q, {})[o] = counts.get(q, {}).get(o, 0) + n
    return counts


def tally_round(s: Session, sitting: models.Sitting, ballot: models.Ballot, rnd: models.Round,
                hands: models.HandCount | None) -> tuple[dict[str, Any], str, list[dict[str, str]]]:
    """Counts + attendance → the rules engine's result (as stored), the method and the absentees."""
    counts = _stored_counts(s, rnd, hands)
    tablet = rnd.voters
    cast, invalid = tablet, 0
    if hands is not None:
        cast += hands.ballots
        invalid += hands.invalid
    method = "tablet" if hands is None else ("hands" if tablet == 0 else "mixed")
    roster = roster_ids(s, sitting)
    att = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    voted = voted_ids(s, rnd.id)
    attending = {pid for pid in roster if (att.get(pid) and att[pid].status in PRESENT) or pid in voted}
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(roster)))}
    absentees = [{"name": people[pid].name, "status": att[pid].status if pid in att else "absent",
                  "reason": att[pid].reason if pid in att else ""}
                 for pid in roster if pid not in attending and pid in people]
    turnout = ballots.Turnout(entitled=len(roster), present=max(len(attending), cast + invalid), cast=cast,
                              invalid=invalid)
    rule = rule_of(rnd.rule)
    try:
        result = spec_of(rnd.spec).tally(counts, turnout, rule.threshold, rule.quorum)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    return result.to_dict(), method, absentees
