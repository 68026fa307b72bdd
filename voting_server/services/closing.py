"""Closing a round: tally it with ballots/ from the stored counts — the counters of a named round, the
decrypted sums of a secret round's encrypted box — and a show-of-hands count, if one was entered, under
the rule frozen on the round; store the result with that rule (and the box's record). The verifier
re-tallies with the same function, from the box's stored decryption proofs instead of a key."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from . import box
from .base import Actor, Conflict, Tx, requires, rules_refusal, transaction, utcnow
from .lookups import (
    PRESENT,
    awaiting_entry_ids,
    ballot_and_open_round,
    hand_count,
    roster_ids,
    rule_of,
    sitting_of_ballot,
    spec_of,
    voted_ids,
)
from .values import Flag

CONFIRM_VIDEO = Flag(msg("确认结束未录入视频出席人员表决的表决"))


@requires("drive_ballot")
def close_ballot(store: Store, actor: Actor, ballot_id: int, *, confirm_video: bool = False) -> dict[str, Any]:
    """Close the open round, tally it with ballots/ from the stored counts, store the result. A round
    whose box the 监票人 hold is closed to casts and left *counting* until k of them have decrypted its
    sums (``keyholders.give_share``): the answer is then ``{"counting": ...}``, not a result.

    Where the rule has the clerk enter the votes of members attending by video and the clerk has not
    entered them, the close is refused ``video_not_entered`` (nothing changes) until the chair confirms
    (``confirm_video``); the result then counts them as 视频出席未录入, never as 未按."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        sitting = sitting_of_ballot(s, ballot)
        if ballot.method == "hands" and hand_count(s, rnd.id) is None:
            raise Conflict("hands_missing", msg("请先录入举手表决结果"))
        waiting = len(awaiting_entry_ids(s, sitting, rnd))
        if waiting and confirm_video is not True:
            words = msg("视频出席的{n}人的表决尚未录入；仍要结束表决的，请确认（将记为视频出席未录入）", n=waiting)
            raise Conflict("video_not_entered", words, waiting=waiting)
        now = utcnow()
        if rnd.box_mode == box.SHARES and box.box_size(s, rnd):
            box.check_complete(s, rnd)
            rnd.status, rnd.closed_at = box.COUNTING, now
            counting = box.counting_of(s, rnd)
            tx.audit("ballot_counting", {"ballot_id": ballot.id, "round_id": rnd.id, "round": rnd.number,
                                         **counting}, sitting_id=sitting.id, push=True)
            return {"counting": counting}
        secret_counts, record = box.tally_box(s, store.keys_dir, rnd) if rnd.box_mode else (None, None)
        result = publish_result(tx, sitting, ballot, rnd, secret_counts, record, closed_at=now)
    box.destroy_key(store, rnd)
    store.checkpoint()
    return result


def publish_result(tx: Tx, sitting: models.Sitting, ballot: models.Ballot, rnd: models.Round,
                   secret_counts: box.Counts | None, record: dict[str, Any] | None, *,
                   closed_at: dt.datetime | None) -> dict[str, Any]:
    """The close's last step: tally, mark the round closed, audit (pushed) and store the result."""
    s = tx.session
    result, method, absentees = tally_round(s, sitting, ballot, rnd, hand_count(s, rnd.id), secret_counts)
    waiting = awaiting_entry_ids(s, sitting, rnd)  # by video, not entered: named on the record (never 未按)
    now = utcnow()
    rnd.status, rnd.closed_at, rnd.box_sealed = "closed", closed_at or now, None
    entry = tx.audit("ballot_closed", {"ballot_id": ballot.id, "round_id": rnd.id, "round": rnd.number,
                                       "method": method, "result": result,
                                       **({"video_pending": waiting} if waiting else {})},
                     sitting_id=sitting.id, push=True)
    s.add(models.Result(round_id=rnd.id, data=result, rule=dict(rnd.rule), method=method, absentees=absentees,
                        audit_head=entry.hash, audit_id=entry.id, computed_at=now, box=record))
    return result


def _stored_counts(s: Session, rnd: models.Round, hands: models.HandCount | None,
                   secret_counts: box.Counts | None) -> box.Counts:
    counts: box.Counts = {}
    if rnd.box_mode:
        if secret_counts is None:
            raise ValueError("a secret round is tallied from its box's decrypted sums")
        counts = {q: dict(opts) for q, opts in secret_counts.items()}
    for row in s.scalars(select(models.TallyCount).where(models.TallyCount.round_id == rnd.id)):
        counts.setdefault(row.question, {})[row.option] = row.count
    if hands is not None:
        for q, opts in hands.counts.items():
            for o, n in opts.items():
                counts.setdefault(q, {})[o] = counts.get(q, {}).get(o, 0) + n
    return counts


def tally_round(s: Session, sitting: models.Sitting, ballot: models.Ballot, rnd: models.Round,
                hands: models.HandCount | None, secret_counts: box.Counts | None = None,
                ) -> tuple[dict[str, Any], str, list[dict[str, str]]]:
    """Counts + attendance → the rules engine's result (as stored), the method and the absentees.
    A secret round's counts are its box's decrypted sums (``secret_counts``)."""
    counts = _stored_counts(s, rnd, hands, secret_counts)
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
    video_not_voted = sum(1 for pid in roster if att.get(pid) and att[pid].status == "video" and pid not in voted)
    rule = rule_of(rnd.rule)
    pending = ballots.video_pending(rule.video_votes if ballot.method != "hands" else "tablet",
                                    video_not_voted=video_not_voted, entered=hands is not None)
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(roster)))}
    absentees = [{"name": people[pid].name, "status": att[pid].status if pid in att else "absent",
                  "reason": att[pid].reason if pid in att else ""}
                 for pid in roster if pid not in attending and pid in people]
    turnout = ballots.Turnout(entitled=len(roster), present=max(len(attending), cast + invalid + pending), cast=cast,
                              invalid=invalid, hands=method == "hands", video_pending=pending)
    try:
        result = spec_of(rnd.spec).tally(counts, turnout, rule.threshold, rule.quorum, words=rule.words)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    return result.to_dict(), method, absentees
