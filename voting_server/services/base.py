"""The frame every service function runs in: who is acting, what they may do, typed errors with a
message for people (:mod:`voting_server.i18n`), and the unit of work that writes rows + audit entries
in one transaction and publishes the committed events afterwards."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store, storage_failure
from ..i18n import Bilingual, Message, Words, catalogue, msg

STAFF_ROLES = ("admin", "chair", "clerk", "display")


class ServiceError(Exception):
    """A refused request. ``code`` is stable for programs; ``message`` is for people (``zh`` and ``en``
    are its Chinese and English, which every answer carries)."""

    status = 400

    def __init__(self, code: str, message: Words, **details: Any) -> None:
        if not isinstance(message, (Message, Bilingual)):
            raise TypeError(f"a refusal's words are msg(...), not {type(message).__name__}")
        self.code, self.message, self.details = code, message, details
        self.zh, self.en = message.render("zh"), message.render("en")
        super().__init__(self.en)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The answer: ``message`` in ``lang`` (a language without a catalogue reads English)."""
        message = self.message.render(lang) if lang in catalogue().languages else self.en
        return {"error": self.code, "message": message, "message_zh": self.zh, "message_en": self.en,
                **({"details": self.details} if self.details else {})}


class Invalid(ServiceError):
    status = 400


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class TooMany(ServiceError):
    status = 429


class Unavailable(ServiceError):
    status = 503


STORAGE_RETRY_AFTER = 2  # seconds a refused request waits before it is sent again, while the database is away


def storage_refusal(error: BaseException) -> Unavailable | None:
    """``storage_unavailable`` (503, retry after ``details.retry_after`` seconds) when ``error`` says the
    database is out of reach for now (``db.storage_failure``); ``None`` for any other error."""
    if storage_failure(error) is None:
        return None
    return Unavailable("storage_unavailable", msg("数据库暂时不可用，请稍后重试"), retry_after=STORAGE_RETRY_AFTER)


def rules_refusal(err: ballots.BallotError) -> Invalid:
    """The rules engine's refusal of a value (its words are written in both languages in ``ballots/``)."""
    return Invalid(err.code, Bilingual(err.zh, err.en))


@dataclass(frozen=True)
class Actor:
    """Who makes a request. Staff have ``user_id``; seat tablets have ``person_id`` (+ ``device_id``).
    A staff account linked to a member has that ``person_id`` too (a chair who is a member votes).
    ``bodies``: the bodies a staff account serves (None: every body)."""

    role: str
    name: str = ""
    user_id: int | None = None
    person_id: int | None = None
    device_id: int | None = None
    bodies: frozenset[int] | None = None

    def serves(self, body_id: int) -> bool:
        """Whether the actor may read and drive what belongs to the body."""
        return self.bodies is None or body_id in self.bodies

    @property
    def label(self) -> str:
        if self.user_id is not None:
            return f"{self.role}:{self.user_id}:{self.name}"
        if self.person_id is not None:
            return f"{self.role}:person:{self.person_id}:{self.name}"
        return self.role

    @property
    def is_seat(self) -> bool:
        return self.role in ("member", "observer") and self.person_id is not None


ANONYMOUS = Actor(role="anonymous")
SYSTEM = Actor(role="admin", name="system")
# The server's clock: announces that a round's time is up and, where the body's rules say so, closes
# the round at its deadline (audited as "system"). No login has this role.
CLOCK = Actor(role="system", name="deadline")

# Who may do what. One table; the permission matrix test reads it and checks every service against it.
PERMISSIONS: dict[str, frozenset[str]] = {
    name: frozenset(roles)
    for name, roles in {
        "manage_users": ("admin",),
        "manage_body": ("admin", "clerk"),
        "manage_roster": ("admin", "clerk"),
        "manage_devices": ("admin", "clerk"),
        "prepare_sitting": ("admin", "clerk"),
        "set_attendance": ("admin", "clerk"),
        "open_sitting": ("chair", "clerk"),
        "close_sitting": ("chair",),
        "drive_agenda": ("chair",),
        "drive_ballot": ("chair", "system"),  # system: the close at the deadline a body's rules ask for
        "override_quorum": ("chair",),
        "enter_show_of_hands": ("clerk",),
        "withdraw_business": ("chair", "clerk"),  # 撤回 an item or a ballot, with the reason stated
        "grant_speaker": ("chair",),
        "sign_in": ("member", "observer", "chair"),  # chair: an account linked to a member (users.person_id)
        "cast_vote": ("member", "chair"),
        "decrypt_tally": ("member",),  # a 监票人 of the sitting, on their own seat
        "request_to_speak": ("member", "observer"),
        "read_results": ("admin", "chair", "clerk", "display", "member", "observer"),
        "read_audit": ("admin", "clerk", "chair"),
        "read_setup": ("admin", "clerk", "chair", "display"),  # bodies, roster, sittings, agenda
        "read_documents": ("admin", "chair", "clerk", "display", "member", "observer"),  # seats: own body
    }.items()
}


# What a person is told when they may not do something: who may, in words (the permission's name is in
# the refusal's details, for programs, never in its message).
REFUSALS: dict[str, Message] = {
    "manage_users": msg("只有系统管理员可以管理用户账户"),
    "manage_body": msg("只有工作人员可以设置机构及其议事规则"),
    "manage_roster": msg("只有工作人员可以管理人员名单"),
    "manage_devices": msg("只有工作人员可以管理表决器"),
    "prepare_sitting": msg("只有工作人员可以准备会议"),
    "set_attendance": msg("只有工作人员可以登记出席情况"),
    "open_sitting": msg("只有主持人或工作人员可以宣布开会"),
    "close_sitting": msg("只有主持人可以宣布散会"),
    "drive_agenda": msg("只有主持人可以主持议程"),
    "drive_ballot": msg("只有主持人可以开始或结束表决"),
    "override_quorum": msg("只有主持人可以在不足法定人数时决定继续表决"),
    "enter_show_of_hands": msg("只有工作人员可以录入举手表决结果"),
    "withdraw_business": msg("只有主持人和工作人员可以撤回议题或表决"),
    "grant_speaker": msg("只有主持人可以安排发言"),
    "sign_in": msg("只有名单中的人员和列席人员可以签到"),
    "cast_vote": msg("只有有表决权的人员可以表决"),
    "decrypt_tally": msg("只有监票人可以在自己的表决器上参与解密计票"),
    "request_to_speak": msg("只有名单中的人员和列席人员可以申请发言"),
    "read_results": msg("请先登录，或在已配对的表决器上查看表决结果"),
    "read_audit": msg("只有工作人员、主持人和系统管理员可以查看审计记录"),
    "read_setup": msg("请先登录后查看会议安排"),
    "read_documents": msg("请先登录，或在已配对的表决器上查看会议文件"),
}
OBSERVER_CASTS = msg("列席人员没有表决权")
NOT_LINKED = msg("您的账户未关联名单中的人员，不能签到或表决（请系统管理员在账户中关联）")


def refusal_words(actor: Actor, permission: str) -> Message:
    """What ``actor`` is told when ``permission`` is refused: an observer who tries to vote has no vote."""
    if permission == "cast_vote" and actor.role == "observer":
        return OBSERVER_CASTS
    return REFUSALS[permission]


def require(actor: Actor, permission: str) -> None:
    if actor.role not in PERMISSIONS[permission]:
        raise Forbidden("forbidden", refusal_words(actor, permission), permission=permission, role=actor.role)


OTHER_BODY = msg("无权查看或操作其他机构的会议")


def check_body(actor: Actor, body_id: int | None) -> None:
    """Refuse (``other_body``) what belongs to a body the actor's account does not serve."""
    if body_id is not None and not actor.serves(body_id):
        raise Forbidden("other_body", OTHER_BODY, body_id=body_id)


# The arguments that name something of one body, and how to find that body. A service called by an
# actor who serves only some bodies is refused when one of them names another body's row (a row that
# does not exist is left to the service, which answers not_found).
def _body_via_item(child: Any, item_column: Any) -> Callable[[Session, int], int | None]:
    """The body of a row that hangs on an agenda item (a ballot, a document, a speaker's request)."""
    return lambda s, i: s.scalar(select(models.Sitting.body_id).join(
        models.AgendaItem, models.AgendaItem.sitting_id == models.Sitting.id).join(
        child, item_column == models.AgendaItem.id).where(child.id == i))


_BODY_OF: dict[str, Callable[[Session, int], int | None]] = {
    "body_id": lambda s, i: i,
    "sitting_id": lambda s, i: s.scalar(select(models.Sitting.body_id).where(models.Sitting.id == i)),
    "item_id": lambda s, i: s.scalar(select(models.Sitting.body_id).join(
        models.AgendaItem, models.AgendaItem.sitting_id == models.Sitting.id).where(models.AgendaItem.id == i)),
    "ballot_id": _body_via_item(models.Ballot, models.Ballot.item_id),
    "document_id": _body_via_item(models.Document, models.Document.item_id),
    "request_id": _body_via_item(models.SpeakerRequest, models.SpeakerRequest.item_id),
    "person_id": lambda s, i: s.scalar(select(models.Person.body_id).where(models.Person.id == i)),
    "device_id": lambda s, i: s.scalar(select(models.Person.body_id).join(
        models.Device, models.Device.person_id == models.Person.id).where(models.Device.id == i)),
    "template_id": lambda s, i: s.scalar(select(models.BallotTemplate.body_id).where(models.BallotTemplate.id == i)),
}


def body_named(s: Session, name: str, ident: object) -> int | None:
    """The body of the row an argument names (``_BODY_OF``); None when it names nothing."""
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return _BODY_OF[name](s, ident)


def check_bodies(store: Store, actor: Actor, named: dict[str, object]) -> None:
    """Refuse a call whose arguments name a row of a body the actor does not serve."""
    if actor.bodies is None:
        return
    wanted = {k: v for k, v in named.items() if k in _BODY_OF and v is not None}
    if not wanted:
        return
    with store.read() as s:
        for name, ident in wanted.items():
            check_body(actor, body_named(s, name, ident))


# The arguments that name something of one sitting, and how to find that sitting: a console drives the
# sitting it picked (``check_sitting``), and a command naming a row of another one is refused.
def _sitting_via_item(child: Any, item_column: Any) -> Callable[[Session, int], int | None]:
    return lambda s, i: s.scalar(select(models.AgendaItem.sitting_id).join(
        child, item_column == models.AgendaItem.id).where(child.id == i))


_SITTING_OF: dict[str, Callable[[Session, int], int | None]] = {
    "sitting_id": lambda s, i: s.scalar(select(models.Sitting.id).where(models.Sitting.id == i)),
    "item_id": lambda s, i: s.scalar(select(models.AgendaItem.sitting_id).where(models.AgendaItem.id == i)),
    "ballot_id": _sitting_via_item(models.Ballot, models.Ballot.item_id),
    "document_id": _sitting_via_item(models.Document, models.Document.item_id),
    "request_id": _sitting_via_item(models.SpeakerRequest, models.SpeakerRequest.item_id),
}
SITTING_ARGS = frozenset(_SITTING_OF)


def check_sitting(store: Store, actor: Actor, sitting_id: int, named: dict[str, object]) -> None:
    """Refuse a console's command whose arguments name a row of another sitting than the one the console
    drives (``sitting_id``, picked when it connected): ``other_body`` when that sitting's body is not one
    the account serves, else ``other_sitting`` naming both. A row that does not exist is left to the
    service (``not_found``)."""
    wanted = {k: v for k, v in named.items() if k in _SITTING_OF and v is not None}
    if not wanted:
        return
    with store.read() as s:
        for name, ident in wanted.items():
            if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
                continue
            other_id = _SITTING_OF[name](s, ident)
            if other_id is None or other_id == sitting_id:
                continue
            other, current = s.get(models.Sitting, other_id), s.get(models.Sitting, sitting_id)
            assert other is not None
            check_body(actor, other.body_id)
            # TRANSLATORS: {other} and {current} are sittings' titles, e.g. 县第十八届人大常委会第三十七次会议
            raise Forbidden("other_sitting", msg("该操作属于{other}，本控制台正在主持的是{current}；请先在会议列表中切换到该会议",
                                                 other=other.title, current=current.title if current else str(sitting_id)),
                            sitting_id=other_id, connected_sitting_id=sitting_id)


F = TypeVar("F", bound=Callable[..., Any])
_PERMISSION_OF: dict[Callable[..., object], str] = {}


def requires(permission: str, *, by: Callable[..., str] | None = None) -> Callable[[F], F]:
    """A service that checks ``permission`` before anything else (or the permission ``by`` names for
    the call's arguments, e.g. a speaker withdrawing their own request). The permission is recorded
    with the function, so that the command table reads it from the service instead of writing it again."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)
        scoped = any(name in _BODY_OF for name in signature.parameters)

        @functools.wraps(fn)
        def checked(store: Store, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            require(actor, permission if by is None else by(*args, **kwargs))
            if scoped and actor.bodies is not None:
                check_bodies(store, actor, signature.bind_partial(store, actor, *args, **kwargs).arguments)
            return fn(store, actor, *args, **kwargs)

        _PERMISSION_OF[checked] = permission
        return cast(F, checked)

    return wrap


def permission_of(service: Callable[..., object]) -> str:
    """The permission a service checks first (``requires``)."""
    return _PERMISSION_OF[service]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(ts: dt.datetime | None) -> str | None:
    return None if ts is None else ts.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(*, id: int, at: str, actor: str, action: str, sitting_id: int | None, seq: int | None,
               payload: str, prev_hash: str) -> str:
    body = canonical({"id": id, "at": at, "actor": actor, "action": action, "sitting_id": sitting_id,
                      "seq": seq, "payload": payload, "prev": prev_hash})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Event:
    """A committed change, built from its stored audit entry. ``seq`` is set when terminals get it."""

    id: int
    action: str
    sitting_id: int | None
    seq: int | None
    payload: dict[str, Any]
    at: str
    actor: str


@dataclass(frozen=True)
class AuditRecord:
    """An audit entry written in the current transaction (its row is inserted at the commit)."""

    id: int
    hash: str
    event: Event


@dataclass
class Tx:
    """One write transaction. ``audit`` appends a chained entry; ``push=True`` also numbers it in the
    sitting's sequence so terminals receive it. Entries are inserted together just before the commit."""

    session: Session
    actor: Actor
    head: models.ChainHead
    entries: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def audit(self, action: str, payload: dict[str, Any], *, sitting_id: int | None = None,
              push: bool = False, actor: Actor | None = None) -> AuditRecord:
        seq = None
        if push:
            if sitting_id is None:
                raise ValueError("a pushed event needs a sitting")
            seq = self.session.execute(
                update(models.Sitting).where(models.Sitting.id == sitting_id)
                .values(seq=models.Sitting.seq + 1).returning(models.Sitting.seq)
            ).scalar_one()
        at = iso(utcnow())
        assert at is not None
        body = canonical(payload)
        label = (actor or self.actor).label
        new_id = self.head.last_id + 1
        h = entry_hash(id=new_id, at=at, actor=label, action=action, sitting_id=sitting_id,
                       seq=seq, payload=body, prev_hash=self.head.last_hash)
        self.entries.append({"id": new_id, "at": at, "actor": label, "action": action, "sitting_id": sitting_id,
                             "seq": seq, "payload": body, "prev_hash": self.head.last_hash, "hash": h})
        self.head.last_id, self.head.last_hash = new_id, h
        event = Event(id=new_id, action=action, sitting_id=sitting_id, seq=seq, payload=payload, at=at, actor=label)
        self.events.append(event)
        return AuditRecord(id=new_id, hash=h, event=event)

    def write_entries(self) -> None:
        if self.entries:
            self.session.execute(insert(models.AuditEntry), self.entries)
            self.entries = []


def lock_head(session: Session) -> models.ChainHead:
    head = session.scalars(select(models.ChainHead).where(models.ChainHead.id == 1).with_for_update()).one_or_none()
    if head is None:
        raise RuntimeError("the database is not initialised (run: python -m voting_server init-db)")
    return head


@contextmanager
def transaction(store: Store, actor: Actor) -> Iterator[Tx]:
    """Write rows and audit entries in one transaction; publish the events only after the commit.
    Nothing inside may emit or wait on the network (a green thread yielding while holding the write
    lock would stall every other writer)."""
    session = store.write_session()
    try:
        with session.begin():
            tx = Tx(session=session, actor=actor, head=lock_head(session))
            yield tx
            tx.write_entries()
            session.flush()
        events = tx.events
    finally:
        session.close()
    store.publish(events)


MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger values name nothing


M = TypeVar("M", bound=models.Base)


def get_or_404(session: Session, model: type[M], ident: int, what: Message) -> M:
    """The row with this id, or ``not_found`` naming ``what`` it is (an id outside 1..2^31-1 names nothing)."""
    obj = session.get(model, ident) if 0 < ident <= MAX_ID else None
    if obj is None:
        raise NotFound("not_found", msg("{what}不存在（{id}）", what=what, id=ident))
    return obj
