"""The stored state of Biaojue: SQLAlchemy 2.0 tables with typed columns.

Only services/ writes these rows. Two storage rules matter most:

* A secret choice is stored only encrypted: ``Participation`` says who has voted (no choice; its
  receipt is the hash of the member's encrypted ballot), ``BoxBallot`` holds the round's encrypted
  ballots (one ciphertext per option, see ``ballotbox``), and no plaintext count of a secret round
  exists before the close, when only the sums are decrypted. Named ballots keep the choice on the
  participation row and count in ``TallyCount``.
* Results and audit entries are append-only: a guard below refuses any UPDATE or DELETE of them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# --- bodies, people, accounts -------------------------------------------------------------------


class Body(Base):
    """A committee with its rulebook: a preset from ballots/ plus overrides."""

    __tablename__ = "bodies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    preset: Mapped[str] = mapped_column(String(50), default="standing_committee")
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Person(Base):
    """A member (votes) or an observer (列席, never votes), with effective-dated membership."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("body_id", "external_id", name="uq_people_external"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # member | observer
    seat: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")  # 职务, shown on sheets
    delegation: Mapped[str | None] = mapped_column(String(100))  # 代表团 of a plenary's deputy (None: none)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    pin_hash: Mapped[str | None] = mapped_column(String(200))

    def is_member_on(self, day: dt.date) -> bool:
        return self.role == "member" and self.joined_on <= day and (self.left_on is None or self.left_on > day)


class HallLayout(Base):
    """The seat map of a body's hall: rows × seats, each cell a seat label or a gap, and zones (主席台, a
    代表团's block) with a name and a colour. ``layout`` is the checked map (services.halls). People are
    placed on it by their ``seat`` label."""

    __tablename__ = "hall_layouts"
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class User(Base):
    """A staff account: admin, chair, clerk or display."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Every session cookie carries the value it was issued under; logout, a new password or disabling
    # the account raise it, which ends every session of the account at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the member a chair (or clerk) also is: counted present when their console joins the opened
    # sitting, and casting their own ballot from the console (one vote per person, console or seat)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", name="fk_users_person_id"))


class UserBody(Base):
    """A body a staff account serves. An administrator serves every body; an account with none serves
    the only body while there is one and no body once there are more (``accounts.served_bodies``); one
    with some reads and drives only those bodies' sittings."""

    __tablename__ = "user_bodies"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), primary_key=True)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ok: Mapped[bool] = mapped_column(Boolean)


class Device(Base):
    """A seat tablet paired to one person. Only hashes of the pairing code and the token are stored."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    pairing_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    paired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # its live connection: when it last connected or went away, and since when it is connected (None:
    # offline). Kept for the clerk's pairing list; not audited (a tablet's Wi-Fi comes and goes).
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    online_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    person: Mapped[Person] = relationship()


# --- sittings and agenda --------------------------------------------------------------------------


class Sitting(Base):
    """One meeting (会议). ``seq`` numbers the pushes to terminals; ``roster`` is the snapshot at opening,
    ``rule`` the body's rule (``ballots.Rule``) frozen then: the quorum shown while no ballot is on screen."""

    __tablename__ = "sittings"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | open | closed
    seq: Mapped[int] = mapped_column(Integer, default=0)
    roster: Mapped[list[int] | None] = mapped_column(JSON)  # member ids entitled at opening
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the body's rule at opening
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    chair_name: Mapped[str] = mapped_column(String(100), default="")
    clerk_name: Mapped[str] = mapped_column(String(100), default="")
    # 监票人 key shares (``ballot_box_keys = "shares"``): the public key set dealt at the sitting's key
    # ceremony and who holds which share ([{"index", "user_id", "name"}]); the shares are on key cards only.
    box_keys: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    box_holders: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    body: Mapped[Body] = relationship()


class Attendance(Base):
    __tablename__ = "attendance"
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="absent")  # present | video | leave | absent
    reason: Mapped[str] = mapped_column(String(200), default="")
    signed_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(30), default="resolution")
    amends_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | current | done | withdrawn
    # 撤回: when and why the item was withdrawn (its ballots without a result are withdrawn with it)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BallotTemplate(Base):
    """A ballot's settings saved under a name by a body's clerk ("任命 — 逐人 — 无记名"): the request that
    creates a ballot from it (``spec``, perhaps without its rows, ``secret``, ``method`` …)."""

    __tablename__ = "ballot_templates"
    __table_args__ = (UniqueConstraint("body_id", "name", name="uq_ballot_template_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- ballots, rounds, votes, results ---------------------------------------------------------------


class Ballot(Base):
    """One question put to the vote. ``spec`` is a ballots/ spec dict; ``rule`` the threshold and quorum."""

    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(30))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(20), default="tablet")  # tablet | hands | mixed
    timer_seconds: Mapped[int | None] = mapped_column(Integer)
    procedural: Mapped[bool] = mapped_column(Boolean, default=False)
    # the body's ballot_box_keys / ballot_box_encrypt for this ballot (None: the body's rule)
    box_keys: Mapped[str | None] = mapped_column(String(20))
    box_encrypt: Mapped[str | None] = mapped_column(String(20))
    # 撤回: when and why the ballot was withdrawn; its open round then ended uncounted (status withdrawn)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))
    item: Mapped[AgendaItem] = relationship()
    rounds: Mapped[list[Round]] = relationship(order_by="Round.number", back_populates="ballot")


class Round(Base):
    """One round of a ballot (a re-vote is a new round). The rule and attendance are frozen at open."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("ballot_id", "number", name="uq_round_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | counting | closed | withdrawn
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    deadline: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    quorum_override: Mapped[bool] = mapped_column(Boolean, default=False)
    voters: Mapped[int] = mapped_column(Integer, default=0)  # how many have voted (no choice)
    revote_reason: Mapped[str | None] = mapped_column(String(300))  # why the chair called this re-vote
    # the encrypted ballot box of a secret round (NULL for named rounds): who holds the key
    # (sealed | shares), the context every hash and key file is bound to, the public key set, and
    # (sealed mode, until the tally) the private key sealed under a wrapping key in the instance folder
    box_mode: Mapped[str | None] = mapped_column(String(20))
    box_context: Mapped[str | None] = mapped_column(String(256))
    box_keys: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    box_sealed: Mapped[str | None] = mapped_column(Text)
    box_encrypt: Mapped[str | None] = mapped_column(String(20))  # server | tablet
    box_partials: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))  # shares, as given
    ballot: Mapped[Ballot] = relationship(back_populates="rounds")


class Participation(Base):
    """Who has voted in a round. For secret ballots ``choice`` stays NULL: what was chosen lives only in
    the member's encrypted ballot (``BoxBallot``), whose hash is the receipt. The primary key is a
    random id so that no insertion order can be read from it."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("round_id", "person_id", name="uq_one_vote_per_member"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    cast_id: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(String(64))
    choice: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))  # named ballots only


class BoxBallot(Base):
    """One encrypted ballot of a secret round, in the wire form of ``ballotbox`` (ciphertexts and
    validity proofs, no option in the clear); keyed by its hash, the member's receipt."""

    __tablename__ = "box_ballots"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    wire: Mapped[str] = mapped_column(Text)


class BoxCiphertext(Base):
    """The α of every ciphertext a tablet encrypted in a round: the key refuses one cast twice (a
    tablet reusing its randomness, or a copied ciphertext), which the box could not add at the close."""

    __tablename__ = "box_ciphertexts"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    alpha: Mapped[str] = mapped_column(String(64), primary_key=True)


class TallyCount(Base):
    """Per-option counter of a named round: no member, no time, no order."""

    __tablename__ = "tally_counts"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    option: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class HandCount(Base):
    """A show-of-hands count entered by the clerk (whole ballot, or added to the tablet count)."""

    __tablename__ = "hand_counts"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    ballots: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(300), default="")


class Result(Base):
    """The tally of a closed round, computed by ballots/ and stored with the rule it ran under."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # ballots.Result.to_dict()
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(20))
    absentees: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{name, status, reason}]
    audit_head: Mapped[str] = mapped_column(String(64))
    audit_id: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # a secret round's box at the close: its hash, the decrypted sums and the key holders' partial
    # decryptions with their proofs (anyone re-checks them against the stored ballots)
    box: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


# --- speakers and audit -----------------------------------------------------------------------------


class SpeakerRequest(Base):
    __tablename__ = "speaker_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # waiting | granted | done | withdrawn
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # the place in the queue the chair gave it (None: in the order of asking, after those placed)
    position: Mapped[int | None] = mapped_column(Integer)
    granted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # when the floor was given
    limit_seconds: Mapped[int | None] = mapped_column(Integer)  # the body's speaking time then (None: no limit)


class ChainHead(Base):
    """One row: the hash and id of the last audit entry. Locked by every write transaction, which
    serializes writers so that the chain never forks."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only, hash-chained record of every change. ``seq`` is set for entries pushed to terminals."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    sitting_id: Mapped[int | None] = mapped_column(Integer, index=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """One row: the last audit entry whose chain was recomputed from the genesis (by a full verification,
    or step by step from the previous checkpoint). Public verification hashes only the entries after it;
    ``verify-audit`` recomputes the whole chain again and moves it back when it finds a break."""

    __tablename__ = "audit_checkpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))


class FailureCount(Base):
    """Failed anonymous attempts (a wrong PIN, a failed login), counted per kind and hour. They are kept
    out of the audit chain: anyone can make them, and each would be a permanent entry."""

    __tablename__ = "failure_counts"
    __table_args__ = (UniqueConstraint("kind", "hour", name="uq_failure_counts_hour"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    hour: Mapped[str] = mapped_column(String(40))  # the hour's start, ISO (UTC)
    count: Mapped[int] = mapped_column(Integer, default=0)


GENESIS_HASH = "0" * 64

_APPEND_ONLY = (Result, AuditEntry, HandCount)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_edits_of_history(state: Any) -> None:
    if state.is_update or state.is_delete:
        for mapper in state.all_mappers:
            if mapper.class_ in _APPEND_ONLY:
                raise PermissionError(f"{mapper.class_.__name__} rows are never edited or deleted")


@event.listens_for(Session, "before_flush")
def _refuse_edits_of_history(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, _APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError(f"{type(obj).__name__} rows are never edited or deleted")
