"""Driving a sitting: open and close it, sign-in and attendance, the current agenda item, speakers."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from .base import Actor, Conflict, Forbidden, Invalid, NotFound, ServiceError, get_or_404, require, transaction, utcnow
from .text import clean_text

ATTENDANCE = ("present", "video", "leave", "absent")
PRESENT = ("present", "video")


def roster_ids(session: Session, sitting: models.Sitting) -> list[int]:
    """Members entitled to vote in the sitting: the snapshot taken at opening, or (before it) the
    members of the body on the sitting's date."""
    if sitting.roster is not None:
        return list(sitting.roster)
    people = session.scalars(select(models.Person).where(models.Person.body_id == sitting.body_id,
                                                          models.Person.role == "member"))
    return sorted(p.id for p in people if p.is_member_on(sitting.date))


def observer_ids(session: Session, sitting: models.Sitting) -> list[int]:
    people = session.scalars(select(models.Person).where(models.Person.body_id == sitting.body_id,
                                                          models.Person.role == "observer"))
    return sorted(p.id for p in people if p.joined_on <= sitting.date and (p.left_on is None
                                                                          or p.left_on > sitting.date))


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


def present_ids(session: Session, sitting: models.Sitting) -> set[int]:
    roster = set(roster_ids(session, sitting))
    rows = session.scalars(select(models.Attendance.person_id).where(
        models.Attendance.sitting_id == sitting.id, models.Attendance.status.in_(PRESENT)))
    return {pid for pid in rows if pid in roster}


def _attendance_row(session: Session, sitting_id: int, person_id: int) -> models.Attendance:
    row = session.get(models.Attendance, (sitting_id, person_id))
    if row is None:
        row = models.Attendance(sitting_id=sitting_id, person_id=person_id, status="absent", reason="")
        session.add(row)
    return row


def attendance_summary(session: Session, sitting: models.Sitting) -> dict[str, Any]:
    """应到 / 实到 / 请假 / 缺席 and whether the quorum (the body's rule, from ballots/) holds."""
    counts = attendance_counts(session, sitting)
    from .setup import ruleset_of

    quorum = ruleset_of(sitting.body).quorum
    return {**counts, "quorum_needed": quorum.needed(counts["entitled"]),
            "quorum_held": quorum.holds(counts["entitled"], counts["attending"]),
            "quorum_rule_zh": quorum.describe_zh()}


def open_sitting(store: Store, actor: Actor, sitting_id: int) -> None:
    require(actor, "open_sitting")
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, "会议", "sitting")
        if sitting.status != "planned":
            raise Conflict("bad_state", "会议已开幕或已闭会", f"the sitting is {sitting.status}, not planned")
        sitting.roster = roster_ids(s, sitting)
        if not sitting.roster:
            raise Conflict("empty_roster", "名单中没有组成人员，不能开会", "the roster has no members on that day")
        for pid in sitting.roster + observer_ids(s, sitting):
            _attendance_row(s, sitting.id, pid)
        sitting.status, sitting.opened_at = "open", utcnow()
        s.flush()
        tx.audit("sitting_opened", {"sitting_id": sitting.id, "roster": sitting.roster,
                                    "attendance": attendance_summary(s, sitting)},
                 sitting_id=sitting.id, push=True)


def close_sitting(store: Store, actor: Actor, sitting_id: int) -> None:
    require(actor, "close_sitting")
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, "会议", "sitting")
        if sitting.status != "open":
            raise Conflict("bad_state", "会议未在进行中", f"the sitting is {sitting.status}, not open")
        open_round = s.scalar(select(models.Round.id).join(models.Ballot).join(models.AgendaItem).where(
            models.AgendaItem.sitting_id == sitting.id, models.Round.status == "open"))
        if open_round is not None:
            raise Conflict("ballot_open", "还有表决未结束，请先结束表决", "a ballot is still open")
        for item in s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting.id,
                                                               models.AgendaItem.status == "current")):
            item.status = "done"
        sitting.status, sitting.closed_at = "closed", utcnow()
        tx.audit("sitting_closed", {"sitting_id": sitting.id}, sitting_id=sitting.id, push=True)


def sign_in(store: Store, actor: Actor, sitting_id: int) -> None:
    """A member or observer signs in (签到) from their own tablet."""
    [outcome] = sign_in_many(store, [(actor, sitting_id)])
    if outcome is not None:
        raise outcome


def sign_in_many(store: Store, requests: Sequence[tuple[Actor, Any]]) -> list[ServiceError | None]:
    """Sign-ins in one transaction (a hall signing in at once); each succeeds (None) or is refused on
    its own. Not numbered in the sitting's sequence: terminals get coalesced attendance pushes, not
    one push per seat."""
    results: list[ServiceError | None] = [None] * len(requests)
    todo = []
    for i, (actor, sitting_id) in enumerate(requests):
        try:
            require(actor, "sign_in")
            if actor.person_id is None:
                raise Forbidden("not_a_seat", "只有已配对的表决器可以签到", "only a paired seat can sign in")
            todo.append(i)
        except ServiceError as err:
            results[i] = err
    if not todo:
        return results
    batch_actor = requests[todo[0]][0] if len(todo) == 1 else Actor(role="member", name="batch")
    with transaction(store, batch_actor) as tx:
        s = tx.session
        pids = {requests[i][0].person_id for i in todo}
        people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(pids)))}
        sittings: dict[Any, tuple[models.Sitting, set[int] | None]] = {}
        rows: dict[tuple[int, int], models.Attendance] = {}
        from .accounts import revoked_devices

        revoked = revoked_devices(s, {requests[i][0].device_id for i in todo})  # type: ignore[misc]
        for i in todo:
            actor, sitting_id = requests[i]
            try:
                if actor.device_id in revoked:
                    raise Forbidden("revoked", "本表决器已被撤销配对", "this tablet was unpaired")
                if sitting_id not in sittings:
                    sitting = get_or_404(s, models.Sitting, sitting_id, "会议", "sitting")
                    sittings[sitting_id] = (sitting, set(sitting.roster) if sitting.roster is not None else None)
                    for row in s.scalars(select(models.Attendance).where(models.Attendance.sitting_id == sitting.id,
                                                                          models.Attendance.person_id.in_(pids))):
                        rows[(sitting.id, row.person_id)] = row
                sitting, roster = sittings[sitting_id]
                if sitting.status == "closed":
                    raise Conflict("sitting_closed", "会议已闭会", "the sitting is closed")
                person = people.get(actor.person_id)  # type: ignore[arg-type]
                if person is None:
                    raise NotFound("not_found", "人员不存在", "the person does not exist")
                if person.body_id != sitting.body_id or not _on_sitting_roster(sitting, roster, person):
                    raise Forbidden("not_on_roster", "您不在本次会议名单中", "you are not on this sitting's roster")
                row = rows.get((sitting.id, person.id))
                if row is None:
                    row = models.Attendance(sitting_id=sitting.id, person_id=person.id, status="absent", reason="")
                    s.add(row)
                    rows[(sitting.id, person.id)] = row
                if row.status in PRESENT:
                    continue  # signing in twice changes nothing
                row.status, row.reason, row.signed_in_at = "present", "", utcnow()
                tx.audit("signed_in", {"person_id": person.id}, sitting_id=sitting.id, actor=actor)
            except ServiceError as err:
                results[i] = err
    return results


def _on_sitting_roster(sitting: models.Sitting, roster: set[int] | None, person: models.Person) -> bool:
    if person.role == "observer":
        return person.joined_on <= sitting.date and (person.left_on is None or person.left_on > sitting.date)
    if roster is not None:
        return person.id in roster
    return person.is_member_on(sitting.date)


def set_attendance(store: Store, actor: Actor, sitting_id: int, person_id: int, status: Any,
                   reason: Any = "") -> None:
    """The clerk records attendance: present on site, by video, on leave (with a reason) or absent."""
    require(actor, "set_attendance")
    if status not in ATTENDANCE:
        raise Invalid("bad_status", "出席状态应为出席、视频、请假或缺席",
                      "status must be present, video, leave or absent")
    reason = clean_text(reason, "原因", "reason", max_len=200, allow_empty=True)
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, "会议", "sitting")
        if sitting.status == "closed":
            raise Conflict("sitting_closed", "会议已闭会", "the sitting is closed")
        person = get_or_404(s, models.Person, person_id, "人员", "person")
        if person.id not in set(roster_ids(s, sitting)) | set(observer_ids(s, sitting)):
            raise Invalid("not_on_roster", f"{person.name}不在本次会议名单中", f"{person.name} is not on the roster")
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


def start_item(store: Store, actor: Actor, item_id: int) -> None:
    require(actor, "drive_agenda")
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, "议题", "item")
        sitting = s.get(models.Sitting, item.sitting_id)
        assert sitting is not None
        if sitting.status != "open":
            raise Conflict("sitting_not_open", "会议尚未开幕", "the sitting is not open")
        if item.status == "current":
            return
        current = s.scalar(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting.id,
                                                            models.AgendaItem.status == "current"))
        if current is not None:
            _refuse_if_ballot_open(s, current.id)
            current.status = "done"
        item.status = "current"
        tx.audit("item_started", {"item_id": item.id, "previous_item_id": current.id if current else None},
                 sitting_id=sitting.id, push=True)


def finish_item(store: Store, actor: Actor, item_id: int) -> None:
    require(actor, "drive_agenda")
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, "议题", "item")
        if item.status != "current":
            raise Conflict("not_current", "该议题不是当前议题", "the item is not the current item")
        _refuse_if_ballot_open(s, item.id)
        item.status = "done"
        tx.audit("item_finished", {"item_id": item.id}, sitting_id=item.sitting_id, push=True)


def _refuse_if_ballot_open(s: Session, item_id: int) -> None:
    open_round = s.scalar(select(models.Round.id).join(models.Ballot).where(
        models.Ballot.item_id == item_id, models.Round.status == "open"))
    if open_round is not None:
        raise Conflict("ballot_open", "该议题还有表决未结束", "a ballot on this item is still open")


# --- speakers ------------------------------------------------------------------------------------


def request_to_speak(store: Store, actor: Actor, item_id: int) -> int:
    require(actor, "request_to_speak")
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, "议题", "item")
        if item.status != "current":
            raise Conflict("not_current", "只能对当前议题申请发言", "you can only ask to speak on the current item")
        sitting = s.get(models.Sitting, item.sitting_id)
        assert sitting is not None
        if actor.person_id not in set(roster_ids(s, sitting)) | set(observer_ids(s, sitting)):
            raise Forbidden("not_on_roster", "您不在本次会议名单中", "you are not on this sitting's roster")
        waiting = s.scalar(select(models.SpeakerRequest.id).where(
            models.SpeakerRequest.item_id == item.id, models.SpeakerRequest.person_id == actor.person_id,
            models.SpeakerRequest.status.in_(("waiting", "granted"))))
        if waiting is not None:
            return int(waiting)
        req = models.SpeakerRequest(item_id=item.id, person_id=actor.person_id, status="waiting",
                                    requested_at=utcnow())
        s.add(req)
        s.flush()
        tx.audit("speaker_requested", {"request_id": req.id, "item_id": item.id, "person_id": actor.person_id},
                 sitting_id=sitting.id, push=True)
        return req.id


SPEAKER_MOVES = {"grant": ("waiting", "granted"), "done": ("granted", "done"),
                 "withdraw": ("waiting", "withdrawn")}


def move_speaker(store: Store, actor: Actor, request_id: int, move: Any) -> None:
    """The chair grants the floor (grant) or ends a speech (done); the speaker may withdraw."""
    if not isinstance(move, str) or move not in SPEAKER_MOVES:
        raise Invalid("bad_move", "操作应为准许、结束或撤回", "move must be grant, done or withdraw")
    require(actor, "request_to_speak" if move == "withdraw" else "grant_speaker")
    with transaction(store, actor) as tx:
        s = tx.session
        req = get_or_404(s, models.SpeakerRequest, request_id, "发言申请", "speaker request")
        if move == "withdraw" and req.person_id != actor.person_id:
            raise Forbidden("not_yourself", "只能撤回自己的发言申请", "you can only withdraw your own request")
        before, after = SPEAKER_MOVES[move]
        if req.status != before:
            raise Conflict("bad_state", "发言申请状态已改变", f"the request is {req.status}, not {before}")
        req.status = after
        item = s.get(models.AgendaItem, req.item_id)
        assert item is not None
        tx.audit("speaker_" + after, {"request_id": req.id, "item_id": req.item_id, "person_id": req.person_id},
                 sitting_id=item.sitting_id, push=True)
