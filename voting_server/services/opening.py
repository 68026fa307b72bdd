"""Opening a ballot: its first round, or a re-vote (a new round of a closed ballot). Refused without
quorum unless the chair overrides it (audited), while another ballot is open, before the item's
amendments are voted (议事规则 Art. 46), and before the removal from the same post (先免后任)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import Message, msg
from . import box
from .base import (
    Actor,
    Conflict,
    Tx,
    get_or_404,
    iso,
    require,
    requires,
    transaction,
    utcnow,
)
from .lookups import (
    item_of_ballot,
    latest_round,
    open_round,
    rule_of,
    ruleset_of,
    sitting_of_item,
    spec_of,
)
from .sitting import attendance_counts
from .values import Flag, Text

OVERRIDE_QUORUM = Flag(msg("override_quorum "))


@requires("drive_ballot")
def open_ballot(store: Store, actor: Actor, ballot_id: int, *, override_quorum: bool = False) -> int:
    """Open the first round of a ballot."""
    return _open_round(store, actor, ballot_id, override_quorum=override_quorum, revote=False)


REVOTE_REASON = Text(msg("重新表决的理由"), max_len=300)
CONFIRM_PASSED = Flag(msg("确认重新表决已通过的事项"))
PASSED = ("passed", "mixed")  # outcomes of a ballot that passed (wholly, or some of its questions)


@requires("drive_ballot")
def revote(store: Store, actor: Actor, ballot_id: int, *, reason: str = "", confirm_passed: bool = False,
           override_quorum: bool = False) -> int:
    """A re-vote (重新表决): a new round of a closed ballot, for the ``reason`` the chair states (required;
    stored on the round and printed on its sheet). A ballot whose last round passed is voted again only
    with ``confirm_passed``. Earlier rounds and results stay."""
    why = REVOTE_REASON.check(reason)
    return _open_round(store, actor, ballot_id, override_quorum=override_quorum, revote=True, reason=why,
                       confirm_passed=confirm_passed is True)


def _open_round(store: Store, actor: Actor, ballot_id: int, *, override_quorum: bool, revote: bool,
                reason: str | None = None, confirm_passed: bool = False) -> int:
    if override_quorum:
        require(actor, "override_quorum")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, item, sitting = ballot_to_open(s, ballot_id)
        last = latest_round(s, ballot.id)
        _check_round_order(last, revote)
        if revote and last is not None and not confirm_passed:
            _check_not_passed(s, last)
        check_hall_free(s, sitting, item, ballot)
        return new_round(tx, store, sitting, item, ballot, last, override_quorum=override_quorum,
                         action="revote" if revote else "ballot_opened",
                         details={"reason": reason} if revote else {}, reason=reason,
                         spec=_revoted_spec(last) if revote else None)


def _revoted_spec(last: models.Round | None) -> ballots.BallotSpec | None:
    """What a re-vote votes on: the round voted again. A run-off's or further election's own spec (the
    candidates left, the places open, those chosen before) is that round's, not the ballot's first; any
    other round votes the ballot's spec (None)."""
    if last is None:
        return None
    spec = spec_of(last.spec)
    return spec if getattr(spec, "stage", "first") != "first" else None


def ballot_to_open(s: Session, ballot_id: int) -> tuple[models.Ballot, models.AgendaItem, models.Sitting]:
    """The ballot, its item and its sitting, or the refusal every opening of a round gives: the sitting
    not open, the ballot or its item withdrawn, the item not the current one."""
    ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
    item = item_of_ballot(s, ballot)
    sitting = sitting_of_item(s, item)
    if sitting.status != "open":
        raise Conflict("sitting_not_open", msg("会议尚未开幕或已闭会"))
    if ballot.withdrawn_at is not None:
        raise Conflict("withdrawn", msg("表决“{title}”已撤回", title=ballot.title))
    if item.withdrawn_at is not None:
        raise Conflict("withdrawn", msg("议题“{title}”已经撤回", title=item.title))
    if item.status != "current":
        raise Conflict("not_current", msg("只能对当前议题进行表决"))
    return ballot, item, sitting


def check_hall_free(s: Session, sitting: models.Sitting, item: models.AgendaItem, ballot: models.Ballot) -> None:
    """No other round open in the sitting, the item's amendments voted first, a removal before an appointment."""
    if open_round(s, sitting.id) is not None:
        raise Conflict("another_open", msg("另一项表决正在进行，请先结束"))
    _check_amendments_first(s, item)
    _check_removal_first(s, sitting, ballot)


def _check_not_passed(s: Session, last: models.Round) -> None:
    """A re-vote of a ballot that passed needs the chair's explicit confirmation."""
    result = s.scalar(select(models.Result).where(models.Result.round_id == last.id))
    if result is not None and result.data.get("outcome") in PASSED:
        raise Conflict("confirm_passed_required",
                       msg("该表决第{round}轮已获通过；确需重新表决的，请确认后再提交", round=last.number))


def check_round_ended(last: models.Round | None, never: Message) -> models.Round:
    """The ballot's last round, ended: refused ``never`` (never opened), open, or awaiting its 监票人."""
    if last is None:
        raise Conflict("never_opened", never)
    if last.status == "open":
        raise Conflict("ballot_open", msg("本轮表决尚未结束"))
    if last.status == box.COUNTING:
        raise Conflict("ballot_counting", msg("本轮表决尚待监票人解密计票"))
    return last


def _check_round_order(last: models.Round | None, revote: bool) -> None:
    if revote:
        check_round_ended(last, msg("该表决尚未进行，无需重新表决"))
    elif last is not None:
        raise Conflict("already_opened", msg("该表决已经开始过；如需再次表决请使用重新表决"))


def new_round(tx: Tx, store: Store, sitting: models.Sitting, item: models.AgendaItem, ballot: models.Ballot,
              last: models.Round | None, *, override_quorum: bool, action: str, details: dict[str, Any],
              reason: str | None = None, spec: ballots.BallotSpec | None = None) -> int:
    """The round, with the ballot's rule and its spec (``spec``: this round's own, e.g. a run-off's; else
    the ballot's) frozen onto it, and its encrypted box (secret ballots) or a zero counter per option
    (named ballots, and show of hands); audited as ``action`` with ``details`` and pushed."""
    s = tx.session
    counts = attendance_counts(s, sitting)
    rule = rule_of(ballot.rule)
    entitled, present = counts["entitled"], counts["attending"]
    held = rule.quorum.holds(entitled, present)
    if not held and not override_quorum:
        needed = rule.quorum.needed(entitled)
        raise Conflict("no_quorum", msg("实到{present}人，不足法定人数（需{needed}人），不能表决", present=present,
                                        needed=needed), needed=needed, present=present)
    now = utcnow()
    number = 1 if last is None else last.number + 1
    rnd = models.Round(ballot_id=ballot.id, number=number, status="open", rule=dict(ballot.rule),
                       spec=dict(ballot.spec) if spec is None else spec.to_dict(), opened_at=now, quorum_override=bool(override_quorum and not held),
                       deadline=now + dt.timedelta(seconds=ballot.timer_seconds) if ballot.timer_seconds else None,
                       voters=0, revote_reason=reason or None)
    s.add(rnd)
    s.flush()
    if box.boxed(ballot):
        box.open_box(store.keys_dir, sitting, ballot, rnd, ruleset_of(sitting.body))
        if store.ballot_checker is not None:  # it checks the tablets' ballots or encrypts the server's
            getattr(store.ballot_checker, "warm", lambda: None)()  # the casts will not wait for it
    else:
        s.add_all(models.TallyCount(round_id=rnd.id, question=q.id, option=o.code, count=0)
                  for q in spec_of(rnd.spec).questions() for o in q.options)
    needed = rule.threshold.needed(ballots.Turnout(entitled=entitled, present=present))
    tx.audit(action,
             {"ballot_id": ballot.id, "round_id": rnd.id, "round": number, "item_id": item.id,
              "kind": ballot.kind, "secret": ballot.secret, "method": ballot.method,
              "deadline": iso(rnd.deadline), "entitled": entitled, "present": present,
              "needed": needed, "quorum_held": held, "quorum_override": rnd.quorum_override,
              **details},
             sitting_id=sitting.id, push=True)
    return rnd.id


def _check_amendments_first(s: Session, item: models.AgendaItem) -> None:
    """议事规则 Art. 46: amendments to an item are voted before the item."""
    amendments = s.scalars(select(models.AgendaItem).where(models.AgendaItem.amends_item_id == item.id)).all()
    for amendment in amendments:
        for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id == amendment.id)):
            last = latest_round(s, b.id)
            if last is None or last.status != "closed":
                raise Conflict("amendment_first", msg("须先表决修正案“{title}”", title=amendment.title))


def _posts(ballot: models.Ballot, action: str) -> set[str]:
    return {str(p["post"]) for p in ballot.spec.get("persons", []) if p.get("action") == action and p.get("post")}


def _check_removal_first(s: Session, sitting: models.Sitting, ballot: models.Ballot) -> None:
    """先免后任: an appointment to a post waits until any removal from the same post is voted."""
    if ballot.kind != "appointment":
        return
    posts = _posts(ballot, "appoint")
    if not posts:
        return
    others = s.scalars(select(models.Ballot).join(models.AgendaItem).where(
        models.AgendaItem.sitting_id == sitting.id, models.Ballot.kind == "appointment",
        models.Ballot.id != ballot.id))
    for other in others:
        clash = posts & _posts(other, "remove")
        last = latest_round(s, other.id)
        if clash and (last is None or last.status != "closed"):
            post = sorted(clash)[0]
            raise Conflict("removal_first", msg("“{post}”须先表决免职，再表决任命", post=post))
