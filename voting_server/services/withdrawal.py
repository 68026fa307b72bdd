"""Withdrawing (撤回) what is already under way, with a stated reason, by the chair or the clerk.

Once a ballot has opened nothing about it changes (``editing`` refuses it); what has opened, or is on the
agenda, can only be withdrawn:

* a ballot never opened is marked withdrawn and can no longer be opened;
* a ballot whose round is open (or, a 监票人 box, counting) is withdrawn and that round ends uncounted
  (status ``withdrawn``): casts are refused from then on, no result is ever computed, and a sealed
  box's key is destroyed after the commit without decrypting anything (``box.destroy_key``); a 监票人
  box is never asked for its shares;
* a ballot whose latest round has a result cannot be withdrawn (results are never undone), nor can an
  item with a result, or an item already dealt with;
* an item withdrawn takes its ballots without a result with it, and stops being the current item.

The withdrawal and its reason are shown wherever the item or ballot is (every audience's snapshot, the
clerk's lists, the sitting's summary sheet); a copy of the sitting leaves withdrawn items and ballots out.
A round withdrawn has no result and so no result sheet. The sheet of an earlier round with a result (a
re-vote withdrawn) stays as it was printed and verified: it records that round, whose result stands; the
withdrawal of the later round is on the summary sheet (and the bundle).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg
from . import box
from .base import Actor, Conflict, Tx, get_or_404, requires, transaction, utcnow
from .lookups import latest_round, sitting_of_item
from .values import Text

REASON = Text(msg("撤回理由"), max_len=200)
LIVE_ROUND = ("open", box.COUNTING)  # a round a withdrawal ends uncounted
WITHDRAWN = "withdrawn"



def _end_uncounted(tx: Tx, ballot: models.Ballot, reason: str) -> models.Round | None:
    """Mark the ballot withdrawn; its open or counting round ends with no result (its sealed key is
    cleared now and its wrapping key destroyed after the commit)."""
    now = utcnow()
    ballot.withdrawn_at, ballot.withdrawn_reason = now, reason
    rnd = latest_round(tx.session, ballot.id)
    if rnd is None or rnd.status not in LIVE_ROUND:
        return None
    rnd.status, rnd.box_sealed = WITHDRAWN, None
    rnd.closed_at = rnd.closed_at or now
    return rnd


def _destroy_keys(store: Store, rounds: list[models.Round]) -> None:
    for rnd in rounds:
        box.destroy_key(store, rnd)


def _withdrawable(s: Session, ballot: models.Ballot) -> None:
    last = latest_round(s, ballot.id)
    if last is not None and last.status == "closed":
        raise Conflict("has_result", msg("表决“{title}”已有表决结果，结果不能撤回", title=ballot.title))


@requires("withdraw_business")
def withdraw_ballot(store: Store, actor: Actor, ballot_id: int, reason: str) -> None:
    """Withdraw a ballot (撤回) with the reason stated: one never opened can no longer be opened; an open
    (or counting) round ends uncounted. Refused when its latest round has a result."""
    reason = REASON.parse(reason)
    with transaction(store, actor) as tx:
        s = tx.session
        ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
        item = get_or_404(s, models.AgendaItem, ballot.item_id, msg("议题"))
        sitting = sitting_of_item(s, item)
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会，不能撤回"))
        if ballot.withdrawn_at is not None:
            raise Conflict("withdrawn", msg("表决“{title}”已经撤回", title=ballot.title))
        _withdrawable(s, ballot)
        rnd = _end_uncounted(tx, ballot, reason)
        tx.audit("ballot_withdrawn", {"ballot_id": ballot.id, "item_id": item.id, "reason": reason,
                                      "round_id": rnd.id if rnd else None, "round": rnd.number if rnd else None},
                 sitting_id=sitting.id, push=True)
        ended = [rnd] if rnd is not None else []
    _destroy_keys(store, ended)


@requires("withdraw_business")
def withdraw_item(store: Store, actor: Actor, item_id: int, reason: str) -> None:
    """Withdraw an item (撤回) with the reason stated, and with it each of its ballots not yet withdrawn
    (an open round ends uncounted). Refused for an item already dealt with or with a result."""
    reason = REASON.parse(reason)
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        sitting = sitting_of_item(s, item)
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会，不能撤回"))
        if item.status == WITHDRAWN:
            raise Conflict("withdrawn", msg("议题“{title}”已经撤回", title=item.title))
        if item.status == "done":
            raise Conflict("item_done", msg("议题“{title}”已审议完毕，不能撤回", title=item.title))
        ballots_of = list(s.scalars(select(models.Ballot).where(models.Ballot.item_id == item.id)
                                    .order_by(models.Ballot.id)))
        for b in ballots_of:
            _withdrawable(s, b)
        ended: list[models.Round] = []
        withdrawn: list[int] = []
        for b in ballots_of:
            if b.withdrawn_at is None:
                withdrawn.append(b.id)
                rnd = _end_uncounted(tx, b, reason)
                if rnd is not None:
                    ended.append(rnd)
        item.status, item.withdrawn_at, item.withdrawn_reason = WITHDRAWN, utcnow(), reason
        tx.audit("item_withdrawn", {"item_id": item.id, "reason": reason, "ballots": withdrawn,
                                    "rounds": [r.id for r in ended]}, sitting_id=sitting.id, push=True)
    _destroy_keys(store, ended)
