"""Casting: one member's ballot in the open round, idempotent and race-free, in batches (the live
server commits casts arriving together in one transaction, then acknowledges each).

Secret ballots: a cast writes a ``Participation`` row without the choice and the member's encrypted
ballot (``services.box``), whose hash is the receipt; no plaintext count is written. Where the tablet
encrypts (``services.encrypted``), the cast carries the encrypted ballot instead of the choice, and its
proofs are verified before the batch's transaction, off the event loop. Named ballots keep
the choice on the participation and increment the ``TallyCount`` counters of the chosen options.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, and_, case, false, or_, select, update
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from . import box, encrypted
from .base import (
    NOT_LINKED,
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    ServiceError,
    Tx,
    get_or_404,
    require,
    requires,
    rules_refusal,
    transaction,
    utcnow,
)
from .devices import revoked_devices, unpaired
from .lookups import (
    hand_count,
    latest_round,
    member_word,
    present_ids,
    roster_ids,
    sitting_of_ballot,
    sitting_words,
    spec_of,
    video_by_clerk,
    video_ids,
    voted_ids,
)
from .values import Refusal, Rule, Word

CAST = "cast_vote"  # the permission of a cast, checked per request in a batch
MAX_CAST_ID = 64
CAST_ID = Word(lambda cast_id: 8 <= len(cast_id) <= MAX_CAST_ID and cast_id.isprintable(),
               # TRANSLATORS: {max_len} is for English only
               Refusal("bad_cast_id", msg("投票编号无效", max_len=MAX_CAST_ID)))
MAX_CHOICE_TEXT = 200  # longer than any question id, option code or option label a ballot can have
MAX_CHOICE_ANSWERS = 500
Choice = str | Mapping[str, str]
Admitted = Mapping[str, str] | encrypted.Checked  # a valid choice, or a tablet's verified ballot


class ChoiceShape(Rule[Choice]):
    """A choice is an option (a short string, for single-question ballots) or a mapping of question ids
    to options. Anything else is refused before the rules engine sees it (and before an error message
    could echo a huge value back). Inside a batch each request's shape is checked again where it is
    admitted, so that one malformed request is refused on its own."""

    json_types = (str, dict)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_choice", msg("选择格式错误"))

    def parse(self, raw: object) -> Mapping[str, str]:
        if isinstance(raw, str):
            if len(raw) > MAX_CHOICE_TEXT:
                raise self.wrong_type(raw)
            return {"main": raw}
        if not isinstance(raw, Mapping) or len(raw) > MAX_CHOICE_ANSWERS:
            raise self.wrong_type(raw)
        for key, value in raw.items():
            if not isinstance(key, str) or not isinstance(value, str) or len(key) > MAX_CHOICE_TEXT \
                    or len(value) > MAX_CHOICE_TEXT:
                raise self.wrong_type(raw)
        return raw

    def check(self, value: Choice) -> Mapping[str, str]:
        return self.parse(value)


CHOICE = ChoiceShape()


@dataclass(frozen=True)
class CastRequest:
    actor: Actor
    ballot_id: int
    choice: Choice | None
    cast_id: str
    person_id: int | None = None  # if given, must be the actor's own
    ballot: Mapping[str, Any] | None = None  # a tablet's encrypted ballot (wire v1), instead of the choice


@requires(CAST)
def cast_vote(store: Store, actor: Actor, ballot_id: int, choice: Choice | None, cast_id: str,
              person_id: int | None = None, ballot: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Cast one member's ballot: their choice, or the ballot their tablet encrypted. Returns the
    acknowledgement; raises ServiceError when refused."""
    [outcome] = cast_many(store, [CastRequest(actor, ballot_id, choice, cast_id, person_id, ballot)])
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
            _check_request(req)
        except ServiceError as err:
            results[i] = err
    sealed = {i: (requests[i].ballot_id, requests[i].ballot) for i, r in enumerate(results)
              if r is None and requests[i].ballot is not None}
    checked = encrypted.check_ballots(store, sealed) if sealed else {}
    for i, check in checked.items():
        if isinstance(check, ServiceError):
            results[i] = check
    todo = [i for i, r in enumerate(results) if r is None]
    ahead = _seal_ahead(store, requests, todo) if todo else {}
    if todo:
        actor = requests[0].actor if len(requests) == 1 else Actor(role="member", name="batch")
        with transaction(store, actor) as tx:
            _cast_in(tx, requests, todo, results, checked, ahead)
    answered: list[dict[str, Any] | ServiceError] = []
    for outcome in results:
        assert outcome is not None  # every request is answered: a vote, a retry, a change or a refusal
        answered.append(outcome)
    return answered


def _seal_ahead(store: Store, requests: Sequence[CastRequest], todo: list[int]) -> dict[int, box.Sealed]:
    """The server's encryption of the choices cast in its secret rounds, done before the batch's
    transaction by the ballot checker's processes, so that a hall casting a 票决 at once does not hold
    the event loop for seconds. Each choice is validated here as in its transaction; the transaction
    takes an encryption only for the same round and choice (else it encrypts again itself), and one it
    refuses is dropped: nothing of it is stored."""
    wanted = {i: requests[i] for i in todo if requests[i].ballot is None and requests[i].choice is not None}
    if not wanted:
        return {}
    with store.read() as s:
        rounds = {b: latest_round(s, b) for b in {r.ballot_id for r in wanted.values()}}
    choices: dict[int, tuple[models.Round, dict[str, str]]] = {}
    for i, req in wanted.items():
        rnd = rounds[req.ballot_id]
        if rnd is None or rnd.status != "open" or not rnd.box_mode or rnd.box_encrypt == box.TABLET \
                or rnd.box_context is None:
            continue
        try:
            choices[i] = (rnd, dict(_validated(spec_of(rnd.spec), req.choice)))
        except (ballots.BallotError, ServiceError):
            continue  # refused in the transaction, with its own words
    return box.seal_choices(store, choices) if choices else {}


def _check_request(req: CastRequest) -> None:
    require(req.actor, CAST)
    CAST_ID.check(req.cast_id)
    if req.actor.person_id is None and req.actor.user_id is not None:
        raise Forbidden("not_linked", NOT_LINKED)
    if req.person_id is not None and req.person_id != req.actor.person_id:
        raise Forbidden("not_yourself", msg("只能为自己投票"))
    if req.actor.person_id is None:
        raise Forbidden("not_a_seat", msg("只有已配对的表决器可以投票"))
    if req.choice is None and req.ballot is None:
        raise CHOICE.wrong_type(None)
    if req.choice is not None and req.ballot is not None:
        raise Invalid("choice_or_ballot", msg("请发送所作的选择，或表决器加密的选票（二者选一）"))


def _cast_in(tx: Tx, requests: Sequence[CastRequest], todo: list[int],
             results: list[dict[str, Any] | ServiceError | None],
             checked: Mapping[int, encrypted.Checked | ServiceError], ahead: Mapping[int, box.Sealed]) -> None:
    cache: dict[int, _BallotCtx] = {}
    admitted: dict[int, list[tuple[int, Admitted]]] = {}
    revoked = revoked_devices(tx.session, {requests[i].actor.device_id for i in todo})
    for i in todo:
        try:
            if requests[i].actor.device_id in revoked:
                raise unpaired()
            ctx = _ctx_for(tx.session, requests[i].ballot_id, cache)
            choice = _admit(ctx, requests[i], checked.get(i))
            admitted.setdefault(ctx.ballot.id, []).append((i, choice))
        except ServiceError as err:
            results[i] = err
    for ballot_id, entries in admitted.items():
        _Recording(tx, cache[ballot_id], requests, results, ahead).record(entries)


@dataclass
class _BallotCtx:
    ballot: models.Ballot
    rnd: models.Round | None
    sitting: models.Sitting
    roster: set[int]
    present: set[int]
    hands_entered: bool = False
    by_clerk: set[int] = field(default_factory=set)  # by video, their votes entered by the clerk


def _ctx_for(s: Session, ballot_id: int, cache: dict[int, _BallotCtx]) -> _BallotCtx:
    if ballot_id not in cache:
        ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
        sitting = sitting_of_ballot(s, ballot)
        rnd = latest_round(s, ballot.id)
        hands = rnd is not None and hand_count(s, rnd.id) is not None
        by_clerk = video_ids(s, sitting.id) if rnd is not None and video_by_clerk(rnd) else set()
        cache[ballot_id] = _BallotCtx(ballot, rnd, sitting, set(roster_ids(s, sitting)), present_ids(s, sitting.id),
                                      hands, by_clerk)
    return cache[ballot_id]


def _admit(ctx: _BallotCtx, req: CastRequest, checked: encrypted.Checked | ServiceError | None) -> Admitted:
    """Every refusal of one cast that the stored state decides, before anything is written."""
    rnd, person_id = ctx.rnd, req.actor.person_id
    if rnd is None or rnd.status != "open":
        raise Conflict("ballot_not_open", msg("表决未开始或已结束"))
    if rnd.deadline is not None and utcnow() > rnd.deadline:
        raise Conflict("time_up", msg("表决时间已到"))
    if person_id not in ctx.roster:
        raise Forbidden("not_entitled", msg("您不是本次会议有表决权的{member}",
                                            member=member_word(sitting_words(ctx.sitting))))
    if person_id not in ctx.present:
        raise Forbidden("not_signed_in", msg("请先签到再表决"))
    if ctx.ballot.method == "hands":
        raise Conflict("hands_only", msg("本项以举手方式表决，请举手"))
    if person_id in ctx.by_clerk:
        msg_ = msg("您为视频出席：按本机关规则，视频出席人员的表决由工作人员录入，不能在表决器上表决")
        raise Conflict("video_by_clerk", msg_)
    if rnd.box_encrypt == box.TABLET:
        if req.ballot is None:
            raise encrypted.tablet_encrypts()
        if not isinstance(checked, encrypted.Checked) or checked.context != rnd.box_context:
            raise encrypted.round_changed()  # checked for a round that closed since (a re-vote opened)
        return checked
    if req.ballot is not None:
        raise encrypted.server_encrypts()
    try:
        return _validated(spec_of(rnd.spec), req.choice)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err


def _validated(spec: ballots.BallotSpec, raw: Choice | None) -> Mapping[str, str]:
    """A member's choice checked by the rules engine. A bare option (``"for"``) answers a ballot of one
    question, whatever its id: a resolution's ``main``, a one-person appointment's ``p1``."""
    choice = CHOICE.check(raw or {})
    questions = spec.questions()
    if isinstance(raw, str) and len(questions) == 1:
        choice = {questions[0].id: raw}
    return spec.validate(choice)


def _insert_new(s: Session, rows: list[dict[str, Any]]) -> set[int]:
    """Insert participations; a member already in the round is skipped by the unique constraint.
    Returns the members inserted."""
    if not rows:
        return set()
    table = cast(Table, models.Participation.__table__)
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=["round_id", "person_id"]) \
        .returning(table.c.person_id)
    return set(s.execute(stmt, rows).scalars())


class _Recording:
    """The admitted casts of one ballot in a batch: new votes inserted together, then retries and
    changes answered one by one."""

    def __init__(self, tx: Tx, ctx: _BallotCtx, requests: Sequence[CastRequest],
                 results: list[dict[str, Any] | ServiceError | None], ahead: Mapping[int, box.Sealed]) -> None:
        assert ctx.rnd is not None
        self.tx, self.ctx, self.rnd, self.requests, self.results = tx, ctx, ctx.rnd, requests, results
        self.ahead = ahead

    def record(self, entries: list[tuple[int, Admitted]]) -> None:
        choice_of = dict(entries)
        first: dict[int, int] = {}
        later: list[int] = []
        rows: list[dict[str, Any]] = []
        for i, choice in entries:
            pid = self.requests[i].actor.person_id
            assert pid is not None
            if pid in first:  # the same member twice in one batch: the second is answered after the first
                later.append(i)
                continue
            first[pid] = i
            rows.append({"id": secrets.token_hex(16), "round_id": self.rnd.id, "person_id": pid,
                         "cast_id": self.requests[i].cast_id, "receipt": _receipt(),
                         "choice": None if self.ctx.ballot.secret or isinstance(choice, encrypted.Checked)
                         else dict(choice)})
        closed_to: set[int] = set()
        if self.ctx.hands_entered and rows:
            # the clerk's show-of-hands count was made against the tablet votes of that moment: a new tablet
            # vote now could count someone twice (and more ballots than members present would never tally)
            voted = voted_ids(self.tx.session, self.rnd.id) & set(first)
            closed_to = set(first) - voted
            rows = [row for row in rows if row["person_id"] in voted]  # retries and changes are answered below
        if self.rnd.box_encrypt == box.TABLET and rows:
            rows = self._unreplayed(rows, first, choice_of, later)
        sealed = self._seal(rows, first, choice_of) if self.rnd.box_mode else {}
        inserted = _insert_new(self.tx.session, rows)
        if sealed:
            self.tx.session.add_all(models.BoxBallot(hash=row["receipt"], round_id=self.rnd.id,
                                                     wire=sealed[row["person_id"]])
                                    for row in rows if row["person_id"] in inserted)
        if self.rnd.box_encrypt == box.TABLET:
            self.tx.session.add_all(models.BoxCiphertext(round_id=self.rnd.id, alpha=alpha)
                                    for row in rows if row["person_id"] in inserted
                                    for alpha in cast(encrypted.Checked, choice_of[first[row["person_id"]]]).alphas)
        later += [first[pid] for pid in closed_to]
        self._new_votes([row for row in rows if row["person_id"] in inserted], first, choice_of)
        later += [first[row["person_id"]] for row in rows if row["person_id"] not in inserted]
        for i in later:
            self._again(i, choice_of[i], closed_to)

    def _unreplayed(self, rows: list[dict[str, Any]], first: dict[int, int], choice_of: dict[int, Admitted],
                    later: list[int]) -> list[dict[str, Any]]:
        """The new votes whose ballot (or one of its ciphertexts) is not in the round yet. A member who
        already voted is answered below (a retry of the same cast is); anyone else is refused."""
        checked = [cast(encrypted.Checked, choice_of[first[row["person_id"]]]) for row in rows]
        seen = encrypted.replays(self.tx.session, self.rnd.id, checked)
        again = [row for row, s in zip(rows, seen, strict=True) if s]
        voted = voted_ids(self.tx.session, self.rnd.id) if again else set()
        for row in again:
            i = first[row["person_id"]]
            if row["person_id"] in voted:
                later.append(i)
            else:
                self.results[i] = encrypted.replayed()
        return [row for row, s in zip(rows, seen, strict=True) if not s]

    def _seal(self, rows: list[dict[str, Any]], first: dict[int, int],
              choice_of: dict[int, Admitted]) -> dict[int, str]:
        """Encrypt each new vote for the round's box (or take the tablet's verified ballot, or the
        encryption made ahead of the transaction); its hash becomes the receipt."""
        wires: dict[int, str] = {}
        for row in rows:
            choice = choice_of[first[row["person_id"]]]
            made = self.ahead.get(first[row["person_id"]])
            if isinstance(choice, encrypted.Checked):
                row["receipt"], wires[row["person_id"]] = choice.receipt, choice.wire
            elif made is not None and made.context == self.rnd.box_context and made.choice == dict(choice):
                row["receipt"], wires[row["person_id"]] = made.receipt, made.wire
            else:
                row["receipt"], wires[row["person_id"]] = box.encrypt_choice(self.rnd, dict(choice))
        return wires

    def _new_votes(self, rows: list[dict[str, Any]], first: dict[int, int],
                   choice_of: dict[int, Admitted]) -> None:
        ballot, rnd = self.ctx.ballot, self.rnd
        deltas: dict[tuple[str, str], int] = {}
        for row in rows:
            i = first[row["person_id"]]
            choice = choice_of[i]
            choice = {} if isinstance(choice, encrypted.Checked) else choice
            for key in choice.items():
                deltas[key] = deltas.get(key, 0) + 1
            self.tx.audit("vote_cast", {"ballot_id": ballot.id, "round_id": rnd.id, "person_id": row["person_id"],
                                        "receipt": row["receipt"], **({} if ballot.secret else {"choice": choice})},
                          sitting_id=self.ctx.sitting.id, actor=self.requests[i].actor)
            # A secret ballot's choice is not echoed: a retry could not repeat it (storage does not know it)
            self.results[i] = _ack(ballot, rnd, row["receipt"], row["cast_id"], None if ballot.secret else choice,
                                   duplicate=False, changed=False)
        if rows:
            if not rnd.box_mode:
                _apply_deltas(self.tx.session, rnd.id, deltas)
            self.tx.session.execute(update(models.Round).where(models.Round.id == rnd.id)
                                    .values(voters=models.Round.voters + len(rows)))

    def _again(self, i: int, choice: Admitted, closed_to: set[int]) -> None:
        req = self.requests[i]
        if req.actor.person_id in closed_to:
            self.results[i] = Conflict("hands_entered", msg("已录入举手表决结果，本轮不再接受电子表决"))
            return
        assert req.actor.person_id is not None
        try:
            self.results[i] = _existing_vote(self.tx, self.ctx, req.actor.person_id, req.cast_id,
                                             {} if isinstance(choice, encrypted.Checked) else choice)
        except ServiceError as err:
            self.results[i] = err


def _apply_deltas(s: Session, round_id: int, deltas: Mapping[tuple[str, str], int]) -> None:
    """One statement for the batch; like ``_count`` it writes every counter row of the round."""
    tc = models.TallyCount
    whens = [(and_(tc.question == q, tc.option == o), n) for (q, o), n in deltas.items()]
    increment: Any = case(*whens, else_=0) if whens else 0
    s.execute(update(tc).where(tc.round_id == round_id).values(count=tc.count + increment))


def _existing_vote(tx: Tx, ctx: _BallotCtx, person_id: int, cast_id: str,
                   choice: Mapping[str, str]) -> dict[str, Any]:
    s, ballot, rnd = tx.session, ctx.ballot, ctx.rnd
    assert rnd is not None
    old = s.scalar(select(models.Participation).where(models.Participation.round_id == rnd.id,
                                                      models.Participation.person_id == person_id))
    assert old is not None
    if old.cast_id == cast_id:  # a retry of the same cast: the first answer again
        return _ack(ballot, rnd, old.receipt, old.cast_id, old.choice, duplicate=True, changed=False)
    if not ballot.allow_change or ballot.secret:
        raise Conflict("already_voted", msg("您已表决，本项表决不允许改票"),
                       receipt=old.receipt)
    previous = dict(old.choice or {})
    if previous == choice:
        old.cast_id = cast_id
        return _ack(ballot, rnd, old.receipt, old.cast_id, choice, duplicate=True, changed=False)
    _count(s, rnd.id, previous, -1)
    _count(s, rnd.id, choice, +1)
    old.choice, old.cast_id = dict(choice), cast_id
    tx.audit("vote_changed", {"ballot_id": ballot.id, "round_id": rnd.id, "person_id": person_id,
                              "receipt": old.receipt, "choice": dict(choice), "previous": previous},
             sitting_id=ctx.sitting.id)
    return _ack(ballot, rnd, old.receipt, old.cast_id, choice, duplicate=False, changed=True)


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


def _ack(ballot: models.Ballot, rnd: models.Round, receipt: str, cast_id: str, choice: Mapping[str, str] | None, *,
         duplicate: bool, changed: bool) -> dict[str, Any]:
    ack: dict[str, Any] = {"ok": True, "ballot_id": ballot.id, "round": rnd.number, "receipt": receipt,
                           "cast_id": cast_id, "duplicate": duplicate, "changed": changed}
    if choice is not None:
        ack["choice"] = dict(choice)  # to the member who cast it, and only to them
    return ack
