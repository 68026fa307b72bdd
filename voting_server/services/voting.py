"""Ballots in a live sitting: open, cast (idempotent, race-free, in batches), close and tally,
show-of-hands entry, re-vote, timer and reminders.

Secret ballots: a cast writes a ``Participation`` row without the choice and increments the
``TallyCount`` counters of the chosen options; nothing stored links the two.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import ballots
from sqlalchemy import and_, case, false, or_, select, update
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from .base import (
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    ServiceError,
    Tx,
    get_or_404,
    iso,
    require,
    transaction,
    utcnow,
)
from .accounts import revoked_devices
from .sitting import PRESENT, attendance_counts, roster_ids

MAX_CAST_ID = 64


@lru_cache(maxsize=256)
def _spec_cached(key: str) -> Any:
    import json

    return ballots.spec_from_dict(json.loads(key))


def spec_of(spec_dict: Mapping[str, Any]) -> Any:
    from .base import canonical

    return _spec_cached(canonical(spec_dict))


def rules_of(rule: Mapping[str, Any]) -> tuple[Any, Any]:
    return ballots.Threshold.from_dict(rule["threshold"]), ballots.Quorum.from_dict(rule["quorum"])


def _sitting_of_ballot(s: Session, ballot: models.Ballot) -> models.Sitting:
    item = s.get(models.AgendaItem, ballot.item_id)
    assert item is not None
    sitting = s.get(models.Sitting, item.sitting_id)
    assert sitting is not None
    return sitting


def _open_round_of(s: Session, ballot_id: Any) -> tuple[models.Ballot, models.Round]:
    """The ballot and its open round, or the refusal every action on an open ballot gives."""
    ballot = get_or_404(s, models.Ballot, ballot_id, "表决", "ballot")
    rnd = latest_round(s, ballot.id)
    if rnd is None or rnd.status != "open":
        raise Conflict("ballot_not_open", "表决未在进行中", "the ballot is not open")
    return ballot, rnd


def latest_round(s: Session, ballot_id: int) -> models.Round | None:
    return s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id)
                    .order_by(models.Round.number.desc()).limit(1))


# --- open ------------------------------------------------------------------------------------------


def open_ballot(store: Store, actor: Actor, ballot_id: int, *, override_quorum: Any = False) -> int:
    """Open the first round of a ballot. Refused without quorum unless the chair overrides (audited)."""
    return _open_round(store, actor, ballot_id, override_quorum=override_quorum, revote=False)


def revote(store: Store, actor: Actor, ballot_id: int, *, override_quorum: Any = False) -> int:
    """A re-vote (重新表决): a new round of a closed ballot. Earlier rounds and results stay."""
    return _open_round(store, actor, ballot_id, override_quorum=override_quorum, revote=True)


def _open_round(store: Store, actor: Actor, ballot_id: int, *, override_quorum: Any, revote: bool) -> int:
    require(actor, "drive_ballot")
    if not isinstance(override_quorum, bool):
        raise Invalid("bad_flag", "override_quorum 必须是真或假", "override_quorum must be true or false")
    if override_quorum:
        require(actor, "override_quorum")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot = get_or_404(s, models.Ballot, ballot_id, "表决", "ballot")
        sitting = _sitting_of_ballot(s, ballot)
        item = s.get(models.AgendaItem, ballot.item_id)
        assert item is not None
        if sitting.status != "open":
            raise Conflict("sitting_not_open", "会议尚未开幕或已闭会", "the sitting is not open")
        if item.status != "current":
            raise Conflict("not_current", "只能对当前议题进行表决", "only the current item can be voted on")
        last = latest_round(s, ballot.id)
        if revote:
            if last is None:
                raise Conflict("never_opened", "该表决尚未进行，无需重新表决", "the ballot has not been voted yet")
            if last.status == "open":
                raise Conflict("ballot_open", "本轮表决尚未结束", "the current round is still open")
        elif last is not None:
            raise Conflict("already_opened", "该表决已经开始过；如需再次表决请使用重新表决",
                           "the ballot was already opened; use revote for a new round")
        other = s.scalar(select(models.Round.id).join(models.Ballot).join(models.AgendaItem).where(
            models.AgendaItem.sitting_id == sitting.id, models.Round.status == "open"))
        if other is not None:
            raise Conflict("another_open", "另一项表决正在进行，请先结束", "another ballot is open; close it first")
        _check_amendments_first(s, item)
        _check_removal_first(s, sitting, ballot)
        counts = attendance_counts(s, sitting)
        threshold, quorum = rules_of(ballot.rule)
        held = quorum.holds(counts["entitled"], counts["attending"])
        if not held and not override_quorum:
            raise Conflict("no_quorum", f"实到{counts['attending']}人，不足法定人数（需{quorum.needed(counts['entitled'])}人），不能表决",
                           f"{counts['attending']} present, quorum needs {quorum.needed(counts['entitled'])}",
                           needed=quorum.needed(counts["entitled"]), present=counts["attending"])
        now = utcnow()
        number = 1 if last is None else last.number + 1
        rnd = models.Round(ballot_id=ballot.id, number=number, status="open", rule=dict(ballot.rule),
                           spec=dict(ballot.spec), opened_at=now, quorum_override=bool(override_quorum and not held),
                           deadline=now + dt.timedelta(seconds=ballot.timer_seconds) if ballot.timer_seconds else None,
                           voters=0)
        s.add(rnd)
        s.flush()
        spec = spec_of(ballot.spec)
        s.add_all(models.TallyCount(round_id=rnd.id, question=q.id, option=o.code, count=0)
                  for q in spec.questions() for o in q.options)
        needed = threshold.needed(ballots.Turnout(entitled=counts["entitled"], present=counts["attending"]))
        tx.audit("revote" if revote else "ballot_opened",
                 {"ballot_id": ballot.id, "round_id": rnd.id, "round": number, "item_id": item.id,
                  "kind": ballot.kind, "secret": ballot.secret, "method": ballot.method,
                  "deadline": iso(rnd.deadline), "entitled": counts["entitled"], "present": counts["attending"],
                  "needed": needed, "quorum_held": held, "quorum_override": rnd.quorum_override},
                 sitting_id=sitting.id, push=True)
        return rnd.id


def _check_amendments_first(s: Session, item: models.AgendaItem) -> None:
    """议事规则 Art. 46: amendments to an item are voted before the item."""
    amendments = s.scalars(select(models.AgendaItem).where(models.AgendaItem.amends_item_id == item.id)).all()
    for amendment in amendments:
        for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id == amendment.id)):
            last = latest_round(s, b.id)
            if last is None or last.status != "closed":
                raise Conflict("amendment_first", f"须先表决修正案“{amendment.title}”",
                               f"the amendment '{amendment.title}' must be voted first")


def _check_removal_first(s: Session, sitting: models.Sitting, ballot: models.Ballot) -> None:
    """先免后任: an appointment to a post waits until any removal from the same post is voted."""
    if ballot.kind != "appointment":
        return
    posts = {p.get("post") for p in ballot.spec.get("persons", []) if p.get("action") == "appoint" and p.get("post")}
    if not posts:
        return
    others = s.scalars(select(models.Ballot).join(models.AgendaItem).where(
        models.AgendaItem.sitting_id == sitting.id, models.Ballot.kind == "appointment",
        models.Ballot.id != ballot.id))
    for other in others:
        removes = {p.get("post") for p in other.spec.get("persons", []) if p.get("action") == "remove"}
        clash = posts & removes
        last = latest_round(s, other.id)
        if clash and (last is None or last.status != "closed"):
            post = sorted(clash)[0]
            raise Conflict("removal_first", f"“{post}”须先表决免职，再表决任命",
                           f"the removal from '{post}' must be voted before the appointment")


# --- cast ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastRequest:
    actor: Actor
    ballot_id: Any
    choice: Any
    cast_id: Any
    person_id: Any = None  # if given, must be the actor's own


def cast_vote(store: Store, actor: Actor, ballot_id: Any, choice: Any, cast_id: Any,
              person_id: Any = None) -> dict[str, Any]:
    """Cast one member's ballot. Returns the acknowledgement; raises ServiceError when refused."""
    [outcome] = cast_many(store, [CastRequest(actor, ballot_id, choice, cast_id, person_id)])
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def cast_many(store: Store, requests: Sequence[CastRequest]) -> list[dict[str, Any] | ServiceError]:
    """Group commit: cast several ballots in one transaction; each succeeds or is refused on its own.
    Acknowledgements are returned only after the commit.

    New participations go in with one ``INSERT … ON CONFLICT DO NOTHING``: the unique constraint on
    (round, member), not a prior check, decides that a member counts once; whoever was not inserted
    is answered as a retry (same cast id), a change (where allowed) or a refusal."""
    results: list[dict[str, Any] | ServiceError | None] = [None] * len(requests)
    for i, req in enumerate(requests):  # refusals that need no database are answered on their own
        try:
            require(req.actor, "cast_vote")
            _validate_request(req)
        except ServiceError as err:
            results[i] = err
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return results  # type: ignore[return-value]
    actor = requests[0].actor if len(requests) == 1 else Actor(role="member", name="batch")
    with transaction(store, actor) as tx:
        cache: dict[int, _BallotCtx] = {}
        admitted: dict[int, list[tuple[int, dict[str, str]]]] = {}
        revoked = revoked_devices(tx.session, {requests[i].actor.device_id for i in todo})  # type: ignore[misc]
        for i in todo:
            try:
                if requests[i].actor.device_id in revoked:
                    raise Forbidden("revoked", "本表决器已被撤销配对", "this tablet was unpaired")
                ctx = _ctx_for(tx.session, requests[i].ballot_id, cache)
                choice = _admit(ctx, requests[i])
                admitted.setdefault(ctx.ballot.id, []).append((i, choice))
            except ServiceError as err:
                results[i] = err
        for ballot_id, entries in admitted.items():
            _record_casts(tx, cache[ballot_id], requests, entries, results)
    return results  # type: ignore[return-value]


@dataclass
class _BallotCtx:
    ballot: models.Ballot
    rnd: models.Round | None
    sitting: models.Sitting
    roster: set[int]
    present: set[int]
    hands_entered: bool = False


def _ctx_for(s: Session, ballot_id: int, cache: dict[int, _BallotCtx]) -> _BallotCtx:
    if ballot_id not in cache:
        ballot = get_or_404(s, models.Ballot, ballot_id, "表决", "ballot")
        sitting = _sitting_of_ballot(s, ballot)
        present = set(s.scalars(select(models.Attendance.person_id).where(
            models.Attendance.sitting_id == sitting.id, models.Attendance.status.in_(PRESENT))))
        rnd = latest_round(s, ballot.id)
        hands = rnd is not None and s.scalar(
            select(models.HandCount.id).where(models.HandCount.round_id == rnd.id)) is not None
        cache[ballot_id] = _BallotCtx(ballot, rnd, sitting, set(roster_ids(s, sitting)), present, hands)
    return cache[ballot_id]


def _admit(ctx: _BallotCtx, req: CastRequest) -> dict[str, str]:
    """Every refusal of one cast that the stored state decides, before anything is written."""
    rnd, person_id = ctx.rnd, req.actor.person_id
    if rnd is None or rnd.status != "open":
        raise Conflict("ballot_not_open", "表决未开始或已结束", "the ballot is not open")
    if rnd.deadline is not None and utcnow() > rnd.deadline:
        raise Conflict("time_up", "表决时间已到", "voting time is up")
    if person_id not in ctx.roster:
        raise Forbidden("not_entitled", "您不是本次会议有表决权的组成人员", "you are not entitled to vote in this sitting")
    if person_id not in ctx.present:
        raise Forbidden("not_signed_in", "请先签到再表决", "sign in before voting")
    if ctx.ballot.method == "hands":
        raise Conflict("hands_only", "本项以举手方式表决，请举手", "this ballot is by show of hands")
    raw = _check_choice_shape(req.choice)
    try:
        return spec_of(rnd.spec).validate(raw)
    except ballots.BallotError as err:
        raise Invalid(err.code, err.zh, err.en) from err
    except (TypeError, AttributeError, ValueError) as err:
        raise Invalid("bad_choice", "选择格式错误", f"the choice is malformed: {type(err).__name__}") from err


def _insert_new(s: Session, rows: list[dict[str, Any]]) -> set[int]:
    """Insert participations; a member already in the round is skipped by the unique constraint.
    Returns the members inserted."""
    if not rows:
        return set()
    table = models.Participation.__table__
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=["round_id", "person_id"]) \
        .returning(table.c.person_id)
    return set(s.execute(stmt, rows).scalars())


def _record_casts(tx: Tx, ctx: _BallotCtx, requests: Sequence[CastRequest],
                  entries: list[tuple[int, dict[str, str]]], results: list[Any]) -> None:
    s, ballot, rnd = tx.session, ctx.ballot, ctx.rnd
    assert rnd is not None
    rows: list[dict[str, Any]] = []
    first: dict[int, int] = {}
    choice_of = dict(entries)
    later: list[int] = []
    for i, choice in entries:
        pid = requests[i].actor.person_id
        assert pid is not None
        if pid in first:  # the same member twice in one batch: the second is answered after the first
            later.append(i)
            continue
        first[pid] = i
        rows.append({"id": secrets.token_hex(16), "round_id": rnd.id, "person_id": pid,
                     "cast_id": requests[i].cast_id, "receipt": _receipt(),
                     "choice": None if ballot.secret else dict(choice)})
    closed_to: set[int] = set()
    if ctx.hands_entered and rows:
        # the clerk's show-of-hands count was made against the tablet votes of that moment: a new tablet
        # vote now could count someone twice (and more ballots than members present would never tally)
        voted = set(s.scalars(select(models.Participation.person_id).where(
            models.Participation.round_id == rnd.id, models.Participation.person_id.in_(list(first)))))
        closed_to = set(first) - voted
        rows = [row for row in rows if row["person_id"] in voted]  # retries and changes are answered below
    inserted = _insert_new(s, rows)
    later += [first[pid] for pid in closed_to]
    deltas: dict[tuple[str, str], int] = {}
    for row in rows:
        i = first[row["person_id"]]
        if row["person_id"] not in inserted:
            later.append(i)
            continue
        choice = choice_of[i]
        for key in choice.items():
            deltas[key] = deltas.get(key, 0) + 1
        tx.audit("vote_cast", {"ballot_id": ballot.id, "round_id": rnd.id, "person_id": row["person_id"],
                               "receipt": row["receipt"], **({} if ballot.secret else {"choice": choice})},
                 sitting_id=ctx.sitting.id, actor=requests[i].actor)
        # A secret ballot's choice is not echoed: a retry could not repeat it (storage does not know it)
        results[i] = _ack_of(ballot, rnd, row["receipt"], row["cast_id"], None if ballot.secret else choice,
                             duplicate=False, changed=False)
    if inserted:
        _apply_deltas(s, rnd.id, deltas)
        s.execute(update(models.Round).where(models.Round.id == rnd.id)
                  .values(voters=models.Round.voters + len(inserted)))
    for i in later:
        req = requests[i]
        if req.actor.person_id in closed_to:
            results[i] = Conflict("hands_entered", "已录入举手表决结果，本轮不再接受电子表决",
                                  "the show-of-hands count is entered; this round takes no more tablet votes")
            continue
        try:
            results[i] = _existing_vote(tx, ballot, rnd, ctx.sitting, req.actor.person_id, req.cast_id, choice_of[i])
        except ServiceError as err:
            results[i] = err


def _apply_deltas(s: Session, round_id: int, deltas: Mapping[tuple[str, str], int]) -> None:
    """One statement for the batch; like ``_count`` it writes every counter row of the round."""
    tc = models.TallyCount
    whens = [(and_(tc.question == q, tc.option == o), n) for (q, o), n in deltas.items()]
    increment: Any = case(*whens, else_=0) if whens else 0
    s.execute(update(tc).where(tc.round_id == round_id).values(count=tc.count + increment))


def _validate_request(req: CastRequest) -> None:
    if isinstance(req.ballot_id, bool) or not isinstance(req.ballot_id, int):
        raise Invalid("bad_id", "表决编号无效", "ballot_id must be an integer")
    if not isinstance(req.cast_id, str) or not 8 <= len(req.cast_id) <= MAX_CAST_ID or not req.cast_id.isprintable():
        raise Invalid("bad_cast_id", "投票编号无效", f"cast_id must be a string of 8..{MAX_CAST_ID} characters")
    if req.person_id is not None and req.person_id != req.actor.person_id:
        raise Forbidden("not_yourself", "只能为自己投票", "you can only vote for yourself")
    if req.actor.person_id is None:
        raise Forbidden("not_a_seat", "只有已配对的表决器可以投票", "only a paired seat can vote")


MAX_CHOICE_TEXT = 200  # longer than any question id, option code or option label a ballot can have
MAX_CHOICE_ANSWERS = 500


def _check_choice_shape(choice: Any) -> Mapping[str, str]:
    """A choice is an option (a short string, for single-question ballots) or a mapping of question ids to
    options. Anything else is refused here, before the rules engine sees it (and before an error message
    could echo a huge value back)."""
    bad = Invalid("bad_choice", "选择格式错误", "the choice must be an option or a mapping of questions to options")
    if isinstance(choice, str):
        if len(choice) > MAX_CHOICE_TEXT:
            raise bad
        return {"main": choice}
    if not isinstance(choice, Mapping) or len(choice) > MAX_CHOICE_ANSWERS:
        raise bad
    for key, value in choice.items():
        if not isinstance(key, str) or not isinstance(value, str) or len(key) > MAX_CHOICE_TEXT \
                or len(value) > MAX_CHOICE_TEXT:
            raise bad
    return choice


def _existing_vote(tx: Tx, ballot: models.Ballot, rnd: models.Round, sitting: models.Sitting, person_id: int,
                   cast_id: str, choice: dict[str, str]) -> dict[str, Any]:
    s = tx.session
    old = s.scalar(select(models.Participation).where(models.Participation.round_id == rnd.id,
                                                      models.Participation.person_id == person_id))
    assert old is not None
    if old.cast_id == cast_id:  # a retry of the same cast: the first answer again
        return _ack(ballot, rnd, old, old.choice, duplicate=True, changed=False)
    if not ballot.allow_change or ballot.secret:
        raise Conflict("already_voted", "您已表决，本项表决不允许改票", "you have already voted; changing is not allowed",
                       receipt=old.receipt)
    previous = dict(old.choice or {})
    if previous == choice:
        old.cast_id = cast_id
        return _ack(ballot, rnd, old, choice, duplicate=True, changed=False)
    _count(s, rnd.id, previous, -1)
    _count(s, rnd.id, choice, +1)
    old.choice, old.cast_id = dict(choice), cast_id
    tx.audit("vote_changed", {"ballot_id": ballot.id, "round_id": rnd.id, "person_id": person_id,
                              "receipt": old.receipt, "choice": choice, "previous": previous},
             sitting_id=sitting.id)
    return _ack(ballot, rnd, old, choice, duplicate=False, changed=True)


def _count(s: Session, round_id: int, choice: Mapping[str, str], delta: int) -> None:
    """Add ``delta`` to the counters of the chosen options. Every counter row of the round is written
    (most of them with +0): a database that records which transaction last wrote a row (PostgreSQL's
    ``xmin``) must not show which counters a member's transaction touched."""
    if not choice:  # a blank ballot (a selection with no mark) moves no counter but still writes them all
        chosen: Any = false()
    else:
        chosen = or_(*(and_(models.TallyCount.question == q, models.TallyCount.option == o)
                       for q, o in choice.items()))
    s.execute(update(models.TallyCount).where(models.TallyCount.round_id == round_id)
              .values(count=models.TallyCount.count + case((chosen, delta), else_=0)))


_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by people


def _receipt() -> str:
    n = secrets.randbits(50)
    code = "".join(_RECEIPT_ALPHABET[(n >> (5 * k)) & 31] for k in range(10))
    return f"{code[:5]}-{code[5:]}"


def _ack(ballot: models.Ballot, rnd: models.Round, part: models.Participation, choice: Any, *,
         duplicate: bool, changed: bool) -> dict[str, Any]:
    return _ack_of(ballot, rnd, part.receipt, part.cast_id, choice, duplicate=duplicate, changed=changed)


def _ack_of(ballot: models.Ballot, rnd: models.Round, receipt: str, cast_id: str, choice: Any, *,
            duplicate: bool, changed: bool) -> dict[str, Any]:
    ack = {"ok": True, "ballot_id": ballot.id, "round": rnd.number, "receipt": receipt,
           "cast_id": cast_id, "duplicate": duplicate, "changed": changed}
    if choice is not None:
        ack["choice"] = dict(choice)  # to the member who cast it, and only to them
    return ack


# --- timer, reminders ------------------------------------------------------------------------------


def extend_timer(store: Store, actor: Actor, ballot_id: int, seconds: Any) -> None:
    require(actor, "drive_ballot")
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 10 <= seconds <= 3600:
        raise Invalid("bad_timer", "延长时间必须在10到3600秒之间", "seconds must be 10..3600")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = _open_round_of(s, ballot_id)
        base = max(rnd.deadline or utcnow(), utcnow())
        rnd.deadline = base + dt.timedelta(seconds=seconds)
        tx.audit("timer_extended", {"ballot_id": ballot.id, "round_id": rnd.id, "deadline": iso(rnd.deadline)},
                 sitting_id=_sitting_of_ballot(s, ballot).id, push=True)


def remind_non_voters(store: Store, actor: Actor, ballot_id: int) -> list[int]:
    """The chair reminds present members who have not voted; their tablets are told."""
    require(actor, "drive_ballot")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = _open_round_of(s, ballot_id)
        sitting = _sitting_of_ballot(s, ballot)
        voted = set(s.scalars(select(models.Participation.person_id).where(
            models.Participation.round_id == rnd.id)))
        present = set(s.scalars(select(models.Attendance.person_id).where(
            models.Attendance.sitting_id == sitting.id, models.Attendance.status.in_(PRESENT))))
        missing = sorted((present & set(roster_ids(s, sitting))) - voted)
        tx.audit("reminded", {"ballot_id": ballot.id, "round_id": rnd.id, "person_ids": missing},
                 sitting_id=sitting.id, push=True)
        return missing


# --- show of hands ---------------------------------------------------------------------------------


def enter_show_of_hands(store: Store, actor: Actor, ballot_id: int, *, counts: Any, ballots_cast: Any,
                        invalid: Any = 0, note: Any = "") -> None:
    """The clerk enters a show-of-hands count for an open round: the whole count (device failure or a
    show-of-hands ballot) or the video attendees' count added to the tablets'. Once per round."""
    require(actor, "enter_show_of_hands")
    from .text import clean_text

    note = clean_text(note, "备注", "note", max_len=300, allow_empty=True)
    for value, zh, en in ((ballots_cast, "表决票数", "ballots_cast"), (invalid, "无效票数", "invalid")):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100000:
            raise Invalid("bad_count", f"{zh}必须是非负整数", f"{en} must be a non-negative integer")
    if not isinstance(counts, Mapping):
        raise Invalid("bad_counts", "计票数据格式错误", "counts must be an object of questions")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = _open_round_of(s, ballot_id)
        if s.scalar(select(models.HandCount.id).where(models.HandCount.round_id == rnd.id)) is not None:
            raise Conflict("already_entered", "本轮已录入举手结果", "a show-of-hands count was already entered")
        spec = spec_of(rnd.spec)
        clean: dict[str, dict[str, int]] = {}
        questions = {q.id: q for q in spec.questions()}
        for qid, opts in counts.items():
            if qid not in questions or not isinstance(opts, Mapping):
                raise Invalid("unknown_question", f"未知表决事项：{str(qid)[:40]}", f"unknown question {str(qid)[:40]!r}")
            codes = {o.code for o in questions[qid].options}
            clean[qid] = {}
            for code, n in opts.items():
                if code not in codes:
                    raise Invalid("unknown_option", f"未知选项：{str(code)[:20]}", f"unknown option {str(code)[:20]!r}")
                if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                    raise Invalid("bad_count", "票数必须是非负整数", "every count must be a non-negative integer")
                clean[qid][code] = n
            if sum(clean[qid].values()) > ballots_cast:
                raise Invalid("count_exceeds", f"“{questions[qid].label}”各项票数之和超过表决票数",
                              f"the counts for {qid!r} add up to more than the ballots cast")
        sitting = _sitting_of_ballot(s, ballot)
        attending = attendance_counts(s, sitting)["attending"]
        if rnd.voters + ballots_cast + invalid > attending:
            raise Invalid("count_exceeds_present",
                          f"电子表决{rnd.voters}票加举手{ballots_cast + invalid}票，超过实到人数{attending}",
                          f"{rnd.voters} tablet + {ballots_cast + invalid} hand ballots exceed {attending} present")
        _check_hand_count(spec, rnd, clean, ballots_cast, invalid, entitled=len(roster_ids(s, sitting)),
                          present=attending)
        s.add(models.HandCount(round_id=rnd.id, counts=clean, ballots=ballots_cast, invalid=invalid,
                               entered_by=actor.name or actor.label, entered_at=utcnow(), note=note))
        tx.audit("show_of_hands_entered", {"ballot_id": ballot.id, "round_id": rnd.id, "ballots": ballots_cast,
                                           "invalid": invalid, "note": note, "entered_by": actor.name},
                 sitting_id=sitting.id, push=True)


def _check_hand_count(spec: Any, rnd: models.Round, counts: dict[str, dict[str, int]], ballots_cast: int,
                      invalid: int, *, entitled: int, present: int) -> None:
    """A count is entered once and never edited, so whatever would stop the close from tallying it is
    refused now: every question answered on every valid ballot (all kinds but a selection by marks), and
    the kind's own limits (marks per ballot, caps), checked by tallying the count on its own."""
    if not (spec.kind == "selection" and spec.options == "mark"):
        for q in spec.questions():
            given = sum(counts.get(q.id, {}).values())
            if given != ballots_cast:
                raise Invalid("count_mismatch", f"“{q.label}”各项票数之和为{given}，与表决票数{ballots_cast}不符",
                              f"the counts for {q.id!r} add up to {given}, not the {ballots_cast} ballots cast")
    threshold, quorum = rules_of(rnd.rule)
    try:
        spec.tally(counts, ballots.Turnout(entitled=entitled, present=present, cast=ballots_cast, invalid=invalid),
                   threshold, quorum)
    except ballots.BallotError as err:
        raise Invalid(err.code, err.zh, err.en) from err


# --- close -----------------------------------------------------------------------------------------


def close_ballot(store: Store, actor: Actor, ballot_id: int) -> dict[str, Any]:
    """Close the open round, tally it with ballots/ from the stored counts, store the result."""
    require(actor, "drive_ballot")
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = _open_round_of(s, ballot_id)
        sitting = _sitting_of_ballot(s, ballot)
        hands = s.scalar(select(models.HandCount).where(models.HandCount.round_id == rnd.id))
        if ballot.method == "hands" and hands is None:
            raise Conflict("hands_missing", "请先录入举手表决结果", "enter the show-of-hands count first")
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


def tally_round(s: Session, sitting: models.Sitting, ballot: models.Ballot, rnd: models.Round,
                hands: models.HandCount | None) -> tuple[dict[str, Any], str, list[dict[str, str]]]:
    """Counts + attendance → ballots/ Result dict. Also used by the verifier to re-tally."""
    spec = spec_of(rnd.spec)
    threshold, quorum = rules_of(rnd.rule)
    counts: dict[str, dict[str, int]] = {}
    for row in s.scalars(select(models.TallyCount).where(models.TallyCount.round_id == rnd.id)):
        counts.setdefault(row.question, {})[row.option] = row.count
    tablet = rnd.voters
    cast, invalid = tablet, 0
    if hands is not None:
        for q, opts in hands.counts.items():
            for o, n in opts.items():
                counts.setdefault(q, {})[o] = counts.get(q, {}).get(o, 0) + n
        cast += hands.ballots
        invalid += hands.invalid
    method = "tablet" if hands is None else ("hands" if tablet == 0 else "mixed")
    roster = roster_ids(s, sitting)
    att = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    voted = set(s.scalars(select(models.Participation.person_id).where(models.Participation.round_id == rnd.id)))
    attending = {pid for pid in roster if (att.get(pid) and att[pid].status in PRESENT) or pid in voted}
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(roster)))}
    absentees = [{"name": people[pid].name, "status": att[pid].status if pid in att else "absent",
                  "reason": att[pid].reason if pid in att else ""}
                 for pid in roster if pid not in attending and pid in people]
    turnout = ballots.Turnout(entitled=len(roster), present=max(len(attending), cast + invalid), cast=cast,
                              invalid=invalid)
    try:
        result = spec.tally(counts, turnout, threshold, quorum)
    except ballots.BallotError as err:
        raise Invalid(err.code, err.zh, err.en) from err
    return result.to_dict(), method, absentees
