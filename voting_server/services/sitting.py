"""Driving a sitting: open and close it, sign-in and attendance, the current agenda item (speakers are
in :mod:`.speakers`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .base import (
    NOT_LINKED,
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    Tx,
    get_or_404,
    require,
    requires,
    transaction,
    utcnow,
)
from .devices import revoked_devices, unpaired
from .lookups import (
    PRESENT,
    body_rule,
    current_item,
    followed_sitting,
    member_word,
    observer_ids,
    open_round,
    open_round_of_item,
    planned_sittings,
    present_ids,
    roster_ids,
    sitting_of_item,
    sitting_rule,
    sitting_words,
)
from .values import OneOf, Refusal, Text

ATTENDANCE = ("present", "video", "leave", "absent")
ATTENDANCE_STATUS = OneOf(ATTENDANCE, Refusal("bad_status", msg("出席状态应为出席、视频、请假或缺席")))
REASON = Text(msg("原因"), max_len=200, allow_empty=True)
SIGN_IN = "sign_in"  # the permission of a sign-in, checked per request in a batch


def attendance_counts(session: Session, sitting: models.Sitting) -> dict[str, int]:
    roster = set(roster_ids(session, sitting))
    counts = {"entitled": len(roster), "present": 0, "video": 0, "leave": 0, "absent": 0}
    seen = 0
    for row in session.scalars(select(models.Attendance).where(models.Attendance.sitting_id == sitting.id)):
        if row.person_id in roster:
            counts[row.status] += 1
            seen += 1
    counts["absent"] += len(roster) - seen
    counts["attending"] = counts["present"] + counts["video"]
    return counts


def delegation_counts(session: Session, sitting: models.Sitting) -> list[dict[str, Any]]:
    """应到 / 实到 / 请假 / 缺席 (and 视频) of each delegation (代表团) of the roster, in roster order
    (``ballots.attendance_by_delegation``); empty when nobody on the roster has a delegation. Attendance
    only: never a ballot's choices by delegation."""
    roster = roster_ids(session, sitting)
    grouped: dict[int, str | None] = {pid: d for pid, d in session.execute(
        select(models.Person.id, models.Person.delegation).where(
            models.Person.id.in_(roster), models.Person.delegation.is_not(None)))}
    if not grouped:
        return []
    status: dict[int, str] = {pid: st for pid, st in session.execute(
        select(models.Attendance.person_id, models.Attendance.status).where(
            models.Attendance.sitting_id == sitting.id))}
    rows = ballots.attendance_by_delegation((grouped.get(pid), status.get(pid, "absent")) for pid in roster)
    return [r.to_dict() for r in rows]


def _attendance_row(session: Session, sitting_id: int, person_id: int) -> models.Attendance:
    row = session.get(models.Attendance, (sitting_id, person_id))
    if row is None:
        row = models.Attendance(sitting_id=sitting_id, person_id=person_id, status="absent", reason="")
        session.add(row)
    return row


def attendance_summary(session: Session, sitting: models.Sitting) -> dict[str, Any]:
    """应到 / 实到 / 请假 / 缺席 and whether the quorum holds, under the sitting's rule (``sitting_rule``)."""
    counts = attendance_counts(session, sitting)
    rule = sitting_rule(session, sitting)
    quorum = rule.quorum
    return {**counts, "quorum_needed": quorum.needed(counts["entitled"]),
            "quorum_held": quorum.holds(counts["entitled"], counts["attending"]),
            "quorum_rule_zh": quorum.describe_zh(rule.words), "delegations": delegation_counts(session, sitting)}


@requires("open_sitting")
def open_sitting(store: Store, actor: Actor, sitting_id: int, *, confirm: bool = True) -> None:
    """Open a planned sitting. Every terminal of the body on another planned sitting moves to it (a
    ``sitting_moved`` event in each of those), and the sign-ins made there in the last hours count here
    (``carry_early_sign_ins``). A sitting nobody has signed in to (the one opening it aside) opens only
    with ``confirm`` (the consoles' command sends false until the chair or clerk confirms)."""
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status != "planned":
            # TRANSLATORS: {status} (planned, open or closed) is for English only
            raise Conflict("bad_state", msg("会议已开幕或已闭会", status=sitting.status))
        sitting.roster = roster_ids(s, sitting)
        if not sitting.roster:
            raise Conflict("empty_roster", msg("名单中没有{members}，不能开会",
                                               members=member_word(sitting_words(sitting), plural=True)))
        sitting.rule = body_rule(sitting.body).to_dict()
        for pid in sitting.roster + observer_ids(s, sitting):
            _attendance_row(s, sitting.id, pid)
        sitting.status, sitting.opened_at = "open", utcnow()
        s.flush()
        carried = carry_early_sign_ins(s, sitting)
        s.flush()
        if not confirm and not present_ids(s, sitting.id) - {actor.person_id}:
            raise Conflict("nobody_present", msg("尚无人签到，确认后才能开始会议"))
        chair_present = _chair_signs_in(s, sitting, actor)
        s.flush()
        tx.audit("sitting_opened", {"sitting_id": sitting.id, "roster": sitting.roster,
                                    "attendance": attendance_summary(s, sitting),
                                    "early_sign_ins": sorted(pid for pids in carried.values() for pid in pids)},
                 sitting_id=sitting.id, push=True)
        for other in planned_sittings(s, sitting.body_id):
            tx.audit("sitting_moved", {"sitting_id": other.id, "moved_to": sitting.id,
                                       "sign_ins_moved": carried.get(other.id, [])},
                     sitting_id=other.id, push=True)
        _tell_open_sittings(tx, sitting.body_id, sitting.id, sitting)
        if chair_present is not None:
            tx.audit("signed_in", {"person_id": chair_present}, sitting_id=sitting.id)


def _chair_signs_in(s: Session, sitting: models.Sitting, actor: Actor) -> int | None:
    """A chair whose account is linked to a member of the roster is present from the moment they open
    the sitting (unless the clerk recorded them otherwise: leave, video, or absent with a reason)."""
    if actor.person_id is None or actor.user_id is None or sitting.roster is None \
            or actor.person_id not in sitting.roster:
        return None
    row = _attendance_row(s, sitting.id, actor.person_id)
    if row.status != "absent" or row.reason:
        return None
    row.status, row.signed_in_at = "present", utcnow()
    return actor.person_id


EARLY_SIGN_IN = dt.timedelta(hours=12)


def carry_early_sign_ins(s: Session, sitting: models.Sitting) -> dict[int, list[int]]:
    """An early sign-in counts for the sitting that opens: a person of its roster (or an observer) who
    signed in on another planned sitting of the body within ``EARLY_SIGN_IN`` before the opening is
    present here, signed in at that time, unless the clerk recorded them otherwise here (leave, video);
    the sign-in leaves the other sitting. Answers the people moved, by the sitting they came from."""
    assert sitting.opened_at is not None
    since = sitting.opened_at - EARLY_SIGN_IN
    others = [p.id for p in planned_sittings(s, sitting.body_id)]
    if not others:
        return {}
    here = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    moved: dict[int, list[int]] = {}
    for row in s.scalars(select(models.Attendance).where(
            models.Attendance.sitting_id.in_(others), models.Attendance.status == "present",
            models.Attendance.signed_in_at.is_not(None), models.Attendance.signed_in_at >= since)
            .order_by(models.Attendance.signed_in_at)):
        target = here.get(row.person_id)
        if target is None:
            continue  # not on this sitting's roster
        if target.status == "absent" and not target.reason:
            target.status, target.signed_in_at = "present", row.signed_in_at
        if target.status in PRESENT:
            row.status, row.signed_in_at = "absent", None
            moved.setdefault(row.sitting_id, []).append(row.person_id)
    return moved


@requires("close_sitting")
def close_sitting(store: Store, actor: Actor, sitting_id: int) -> None:
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status != "open":
            # TRANSLATORS: {status} (planned, open or closed) is for English only
            raise Conflict("bad_state", msg("会议未在进行中", status=sitting.status))
        if open_round(s, sitting.id) is not None:
            raise Conflict("ballot_open", msg("还有表决未结束，请先结束表决"))
        item = current_item(s, sitting.id)
        if item is not None:
            item.status = "done"
        followed = followed_sitting(s, sitting.body_id)
        sitting.status, sitting.closed_at = "closed", utcnow()
        tx.audit("sitting_closed", {"sitting_id": sitting.id}, sitting_id=sitting.id, push=True)
        if followed is not None and followed.id == sitting.id:
            # the body's planned sittings followed this one: now the one opened before it, or none
            after = followed_sitting(s, sitting.body_id, besides=sitting.id)
            for other in planned_sittings(s, sitting.body_id):
                tx.audit("sitting_moved", {"sitting_id": other.id, "moved_to": after.id if after else None,
                                           "sign_ins_moved": []}, sitting_id=other.id, push=True)
            _tell_open_sittings(tx, sitting.body_id, sitting.id, after)


def _tell_open_sittings(tx: Tx, body_id: int, changed: int, followed: models.Sitting | None) -> None:
    """The body's other open sittings (besides ``changed``, the one opening or closing) learn which sitting
    the body now follows (``sitting.opened_elsewhere``): their consoles say so and offer to switch, and
    never switch by themselves (a chair may be in the middle of a ballot there)."""
    others = tx.session.scalars(select(models.Sitting).where(
        models.Sitting.body_id == body_id, models.Sitting.status == "open", models.Sitting.id != changed))
    for other in others:
        elsewhere = followed.id if followed is not None and followed.id != other.id else None
        tx.audit("sitting_elsewhere", {"sitting_id": other.id, "opened_elsewhere": elsewhere},
                 sitting_id=other.id, push=True)


# --- sign-in and attendance ----------------------------------------------------------------------


@requires(SIGN_IN)
def sign_in(store: Store, actor: Actor, sitting_id: int) -> None:
    """A member or observer signs in (签到) from their own tablet."""
    [outcome] = sign_in_many(store, [(actor, sitting_id)])
    if outcome is not None:
        raise outcome


def sign_in_many(store: Store, requests: Sequence[tuple[Actor, int]]) -> list[ServiceError | None]:
    """Sign-ins in one transaction (a hall signing in at once); each succeeds (None) or is refused on
    its own. Not numbered in the sitting's sequence: terminals get coalesced attendance pushes, not
    one push per seat."""
    results: list[ServiceError | None] = [None] * len(requests)
    todo = []
    for i, (actor, _sitting_id) in enumerate(requests):
        try:
            require(actor, SIGN_IN)
            if actor.person_id is None:
                if actor.user_id is not None:
                    raise Forbidden("not_linked", NOT_LINKED)
                raise Forbidden("not_a_seat", msg("只有已配对的表决器可以签到"))
            todo.append(i)
        except ServiceError as err:
            results[i] = err
    if not todo:
        return results
    batch_actor = requests[todo[0]][0] if len(todo) == 1 else Actor(role="member", name="batch")
    with transaction(store, batch_actor) as tx:
        batch = _SignIns(tx, {pid for i in todo if (pid := requests[i][0].person_id) is not None})
        revoked = revoked_devices(tx.session, {requests[i][0].device_id for i in todo})
        for i in todo:
            actor, sitting_id = requests[i]
            try:
                if actor.device_id in revoked:
                    raise unpaired()
                batch.sign_in(actor, sitting_id)
            except ServiceError as err:
                results[i] = err
    return results


class _SignIns:
    """One batch of sign-ins: the people, sittings and attendance rows it reads, each read once."""

    def __init__(self, tx: Tx, person_ids: set[int]) -> None:
        self.tx, self.s, self.pids = tx, tx.session, person_ids
        self.people = {p.id: p for p in self.s.scalars(select(models.Person).where(models.Person.id.in_(person_ids)))}
        self.sittings: dict[int, tuple[models.Sitting, set[int] | None]] = {}
        self.rows: dict[tuple[int, int], models.Attendance] = {}
        self.followed: dict[int, int | None] = {}  # planned sitting -> the body's open sitting it follows

    def _sitting(self, sitting_id: int) -> tuple[models.Sitting, set[int] | None]:
        if sitting_id not in self.sittings:
            sitting = get_or_404(self.s, models.Sitting, sitting_id, msg("会议"))
            self.sittings[sitting_id] = (sitting, set(sitting.roster) if sitting.roster is not None else None)
            for row in self.s.scalars(select(models.Attendance).where(
                    models.Attendance.sitting_id == sitting.id, models.Attendance.person_id.in_(self.pids))):
                self.rows[(sitting.id, row.person_id)] = row
        return self.sittings[sitting_id]

    def sign_in(self, actor: Actor, sitting_id: int) -> None:
        sitting, roster = self._sitting(sitting_id)
        if sitting.status == "planned":
            # a tablet still on a planned sitting while another of the body is open: the sign-in counts there
            if sitting.id not in self.followed:
                found = followed_sitting(self.s, sitting.body_id)
                self.followed[sitting.id] = found.id if found is not None else None
            if (open_id := self.followed[sitting.id]) is not None:
                sitting, roster = self._sitting(open_id)
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会"))
        person = self.people.get(actor.person_id) if actor.person_id is not None else None
        if person is None:
            raise NotFound("not_found", msg("人员不存在"))
        if person.body_id != sitting.body_id or not _on_sitting_roster(sitting, roster, person):
            raise Forbidden("not_on_roster", msg("您不在本次会议名单中"))
        row = self.rows.get((sitting.id, person.id))
        if row is None:
            row = models.Attendance(sitting_id=sitting.id, person_id=person.id, status="absent", reason="")
            self.s.add(row)
            self.rows[(sitting.id, person.id)] = row
        if row.status in PRESENT:
            return  # signing in twice changes nothing
        row.status, row.reason, row.signed_in_at = "present", "", utcnow()
        self.tx.audit("signed_in", {"person_id": person.id}, sitting_id=sitting.id, actor=actor)


def _on_sitting_roster(sitting: models.Sitting, roster: set[int] | None, person: models.Person) -> bool:
    if person.role == "observer":
        return person.joined_on <= sitting.date and (person.left_on is None or person.left_on > sitting.date)
    if roster is not None:
        return person.id in roster
    return person.is_member_on(sitting.date)


@requires("set_attendance")
def set_attendance(store: Store, actor: Actor, sitting_id: int, person_id: int, status: str,
                   reason: str = "") -> None:
    """The clerk records attendance: present on site, by video, on leave (with a reason) or absent."""
    status = ATTENDANCE_STATUS.check(status)
    reason = REASON.check(reason)
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会"))
        person = get_or_404(s, models.Person, person_id, msg("人员"))
        if person.id not in set(roster_ids(s, sitting)) | set(observer_ids(s, sitting)):
            raise Invalid("not_on_roster", msg("{name}不在本次会议名单中", name=person.name))
        row = _attendance_row(s, sitting.id, person.id)
        before = attendance_summary(s, sitting)["quorum_held"] if sitting.status == "open" else None
        row.status, row.reason = status, reason
        if status in PRESENT and row.signed_in_at is None:
            row.signed_in_at = utcnow()
        s.flush()
        after = attendance_summary(s, sitting)
        tx.audit("attendance_set", {"person_id": person.id, "status": status, "reason": reason,
                                    "attendance": after, "quorum_lost": before is True and not after["quorum_held"]},
                 sitting_id=sitting.id)


# --- the agenda ----------------------------------------------------------------------------------


@requires("drive_agenda")
def start_item(store: Store, actor: Actor, item_id: int) -> None:
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        sitting = sitting_of_item(s, item)
        if sitting.status != "open":
            raise Conflict("sitting_not_open", msg("会议尚未开幕"))
        if item.status == "current":
            return
        if item.status == "withdrawn":
            raise Conflict("withdrawn", msg("议题“{title}”已撤回", title=item.title))
        current = current_item(s, sitting.id)
        if current is not None:
            _refuse_if_ballot_open(s, current.id)
            current.status = "done"
        item.status = "current"
        tx.audit("item_started", {"item_id": item.id, "previous_item_id": current.id if current else None},
                 sitting_id=sitting.id, push=True)


@requires("drive_agenda")
def finish_item(store: Store, actor: Actor, item_id: int) -> None:
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        if item.status != "current":
            raise Conflict("not_current", msg("该议题不是当前议题"))
        _refuse_if_ballot_open(s, item.id)
        item.status = "done"
        tx.audit("item_finished", {"item_id": item.id}, sitting_id=item.sitting_id, push=True)


def _refuse_if_ballot_open(s: Session, item_id: int) -> None:
    if open_round_of_item(s, item_id) is not None:
        raise Conflict("ballot_open", msg("该议题还有表决未结束"))
