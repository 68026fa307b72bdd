"""Speakers of the current item: a member or observer asks for the floor (or withdraws), the chair
grants it, ends the speech (the body's speaking time runs from the grant) and puts the queue in order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg
from .base import Actor, Conflict, Forbidden, get_or_404, iso, requires, transaction, utcnow
from .lookups import observer_ids, roster_ids, ruleset_of, sitting_of_item
from .values import IdList, OneOf, Refusal


@dataclass(frozen=True)
class SpeakerMove:
    before: str
    after: str
    permission: str


SPEAKER_MOVES = {"grant": SpeakerMove("waiting", "granted", "grant_speaker"),
                 "done": SpeakerMove("granted", "done", "grant_speaker"),
                 "withdraw": SpeakerMove("waiting", "withdrawn", "request_to_speak")}
SPEAKER_MOVE = OneOf(tuple(SPEAKER_MOVES), Refusal("bad_move", msg("操作应为准许、结束或撤回")))


@requires("request_to_speak")
def request_to_speak(store: Store, actor: Actor, item_id: int) -> int:
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        if item.status != "current":
            raise Conflict("not_current", msg("只能对当前议题申请发言"))
        sitting = sitting_of_item(s, item)
        if actor.person_id not in set(roster_ids(s, sitting)) | set(observer_ids(s, sitting)):
            raise Forbidden("not_on_roster", msg("您不在本次会议名单中"))
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


def _move_permission(request_id: int, move: str) -> str:
    known = SPEAKER_MOVES.get(move)
    return known.permission if known is not None else "grant_speaker"


@requires("grant_speaker", by=_move_permission)
def move_speaker(store: Store, actor: Actor, request_id: int, move: str) -> None:
    """The chair grants the floor (grant) or ends a speech (done); the speaker may withdraw."""
    step = SPEAKER_MOVES[SPEAKER_MOVE.check(move)]
    with transaction(store, actor) as tx:
        s = tx.session
        req = get_or_404(s, models.SpeakerRequest, request_id, msg("发言申请"))
        if move == "withdraw" and req.person_id != actor.person_id:
            raise Forbidden("not_yourself", msg("只能撤回自己的发言申请"))
        if req.status != step.before:
            # TRANSLATORS: {status} and {before} (waiting, speaking, done, withdrawn) are for English only
            raise Conflict("bad_state", msg("发言申请状态已改变", status=req.status, before=step.before))
        req.status = step.after
        item = s.get(models.AgendaItem, req.item_id)
        assert item is not None
        payload: dict[str, Any] = {"request_id": req.id, "item_id": req.item_id, "person_id": req.person_id}
        if step.after == "granted":  # the speech's time runs from now, as long as the body's rules give one
            sitting = sitting_of_item(s, item)
            req.granted_at, req.limit_seconds = utcnow(), ruleset_of(sitting.body).speaking_seconds or None
            payload.update(granted_at=iso(req.granted_at), limit_seconds=req.limit_seconds)
        tx.audit("speaker_" + step.after, payload, sitting_id=item.sitting_id, push=True)


SPEAKER_ORDER = IdList(msg("发言顺序"), max_len=500)


@requires("grant_speaker")
def order_speakers(store: Store, actor: Actor, item_id: int, order: list[int]) -> None:
    """The chair puts the waiting speakers of the current item in a new order: ``order`` holds every
    waiting request once, first to speak first. A queue that changed meanwhile (a request added,
    withdrawn or given the floor) is refused, so that nobody is dropped or put back by mistake."""
    wanted = SPEAKER_ORDER.check(order)
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        if item.status != "current":
            raise Conflict("not_current", msg("只能调整当前议题的发言顺序"))
        waiting = {r.id: r for r in s.scalars(select(models.SpeakerRequest).where(
            models.SpeakerRequest.item_id == item.id, models.SpeakerRequest.status == "waiting"))}
        if len(set(wanted)) != len(wanted) or set(wanted) != set(waiting):
            raise Conflict("queue_changed", msg("发言申请已有变化，请按最新的发言名单重新排序"),
                           waiting=sorted(waiting))
        for place, request_id in enumerate(wanted, start=1):
            waiting[request_id].position = place
        tx.audit("speakers_ordered", {"item_id": item.id, "order": list(wanted)}, sitting_id=item.sitting_id,
                 push=True)


def speaker_queue(s: Session, item_id: int) -> list[models.SpeakerRequest]:
    """The open requests of an item (the one speaking, then those waiting) in the chair's order: placed
    ones by their place, then the others in the order they asked."""
    rows = s.scalars(select(models.SpeakerRequest).where(
        models.SpeakerRequest.item_id == item_id, models.SpeakerRequest.status.in_(("waiting", "granted")))).all()
    return sorted(rows, key=lambda r: (r.status != "granted", r.position is None, r.position or 0, r.id))
