"""What a sheet states, read from stored rows only (never recounted).

A closed round becomes a *result document*: a plain, JSON-ready dict holding everything the result
sheet prints — body, sitting, item, ballot, round, the stored ``Result`` (counts, rule, outcome,
announcement), attendance at the close, the show-of-hands entry, named votes and the audit-chain head.
Its canonical JSON is embedded in the signed PDF, and its SHA-256 is the ``h`` of the QR address.
The verifier rebuilds the document from the database and compares.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import config, models
from ..i18n import msg
from ..services.base import Conflict, NotFound, canonical, iso
from ..services.lookups import observer_ids, roster_ids, ruleset_of, sitting_words
from ..services.sitting import attendance_counts, delegation_counts

RESULT_FORMAT = "biaojue.result/1"
ATTENDANCE_FORMAT = "biaojue.attendance/1"

_SHEET_RE = re.compile(r"^B(\d{1,10})-R(\d{1,6})$")


# --- ids and digests ------------------------------------------------------------------------------


def sheet_id(ballot_id: int, round_number: int) -> str:
    """The id of the result sheet of one round: ``B<ballot>-R<round>`` (printed and in the QR)."""
    return f"B{ballot_id}-R{round_number}"


def parse_sheet_id(value: str) -> tuple[int, int] | None:
    m = _SHEET_RE.match(value.strip()) if isinstance(value, str) else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def attendance_sheet_id(sitting_id: int) -> str:
    return f"S{sitting_id}-ATT"


def summary_sheet_id(sitting_id: int) -> str:
    return f"S{sitting_id}-SUM"


def bundle_sheet_id(sitting_id: int) -> str:
    return f"S{sitting_id}-ALL"


def canonical_bytes(doc: Any) -> bytes:
    """The canonical JSON of a document (sorted keys, no spaces, UTF-8) — what is embedded and hashed."""
    return canonical(doc).encode("utf-8")


def digest(doc: Any) -> str:
    """SHA-256 of the canonical JSON: the ``h`` of the verification address."""
    return hashlib.sha256(canonical_bytes(doc)).hexdigest()


def verify_url(base_url: str, sheet: str, h: str) -> str:
    return f"{base_url.rstrip('/')}/verify?sheet={sheet}&h={h}"


def default_base_url() -> str | None:
    """The public address of the environment (``BIAOJUE_PUBLIC_URL``, or the older ``BIAOJUE_BASE_URL``),
    for sheets made on the command line; ``None`` when neither is set. Never a request's Host."""
    value = os.environ.get("BIAOJUE_PUBLIC_URL") or os.environ.get("BIAOJUE_BASE_URL")
    return config.public_url(value) if value else None


# --- local time -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalTime:
    """Stored times are naive UTC; sheets print local time (``BIAOJUE_TIMEZONE``, default Asia/Shanghai)."""

    tz: dt.tzinfo
    label: str

    def fmt(self, value: dt.datetime | str | None, *, seconds: bool = True) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.rstrip("Z"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_time(name: str | None = None) -> LocalTime:
    name = name or os.environ.get("BIAOJUE_TIMEZONE") or "Asia/Shanghai"
    try:
        from zoneinfo import ZoneInfo

        tz: dt.tzinfo = ZoneInfo(name)
    except (ImportError, KeyError, ValueError):  # no tz database here: China Standard Time has no DST
        tz, name = dt.timezone(dt.timedelta(hours=8)), "UTC+08:00"
    offset = dt.datetime.now(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    label = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return LocalTime(tz, label if name.startswith("UTC") else f"{name}, {label}")


# --- loading --------------------------------------------------------------------------------------


@dataclass
class Loaded:
    body: models.Body
    sitting: models.Sitting
    item: models.AgendaItem
    ballot: models.Ballot
    round: models.Round
    result: models.Result


def load_round(s: Session, ballot_id: int, round_number: int) -> Loaded:
    """The stored rows of one closed round; NotFound / Conflict (not closed yet) otherwise."""
    ballot = s.get(models.Ballot, ballot_id) if isinstance(ballot_id, int) and 0 < ballot_id < 2**31 else None
    if ballot is None:
        raise NotFound("not_found", msg("表决不存在（{ballot}）", ballot=ballot_id))
    rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot.id,
                                              models.Round.number == round_number))
    if rnd is None:
        raise NotFound("not_found", msg("该表决没有第{round}轮", round=round_number))
    result = s.scalar(select(models.Result).where(models.Result.round_id == rnd.id))
    if result is None:
        raise Conflict("not_closed", msg("该轮表决尚未结束，没有结果"))
    item = s.get(models.AgendaItem, ballot.item_id)
    assert item is not None
    sitting = s.get(models.Sitting, item.sitting_id)
    assert sitting is not None
    return Loaded(sitting.body, sitting, item, ballot, rnd, result)


def closed_rounds(s: Session, sitting_id: int) -> list[tuple[int, int]]:
    """(ballot_id, round) of every stored result of a sitting, in agenda order."""
    rows = s.execute(select(models.Ballot.id, models.Round.number).join(
        models.Round, models.Round.ballot_id == models.Ballot.id).join(
        models.Result, models.Result.round_id == models.Round.id).join(
        models.AgendaItem, models.AgendaItem.id == models.Ballot.item_id).where(
        models.AgendaItem.sitting_id == sitting_id).order_by(
        models.AgendaItem.position, models.Ballot.id, models.Round.number)).all()
    return [(int(b), int(r)) for b, r in rows]


def _seat_key(seat: str | None, pid: int) -> tuple[int, str, int]:
    if seat and seat.isdigit():
        return (int(seat), "", pid)
    return (10**9, seat or "", pid)


def _named_votes(s: Session, loaded: Loaded) -> list[dict[str, Any]]:
    roster = roster_ids(s, loaded.sitting)
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(roster)))}
    choices = {p.person_id: p.choice for p in s.scalars(select(models.Participation).where(
        models.Participation.round_id == loaded.round.id))}
    order = sorted((pid for pid in roster if pid in people), key=lambda pid: _seat_key(people[pid].seat, pid))
    waiting = _video_pending(s, loaded)
    return [{"person_id": pid, "seat": people[pid].seat, "name": people[pid].name, "title": people[pid].title,
             "voted": pid in choices, "choice": choices.get(pid), **({"video_pending": True} if pid in waiting else {})}
            for pid in order]


def _video_pending(s: Session, loaded: Loaded) -> set[int]:
    """Those attending by video whose votes the clerk had not entered when the round closed, as its
    ``ballot_closed`` entry in the audit chain names them."""
    if not loaded.result.data.get("turnout", {}).get("video_pending"):
        return set()
    entry = s.get(models.AuditEntry, loaded.result.audit_id)
    return set(json.loads(entry.payload).get("video_pending", [])) if entry is not None else set()


def result_document(s: Session, ballot_id: int, round_number: int) -> dict[str, Any]:
    """The canonical record of one closed round, from stored rows only."""
    lo = load_round(s, ballot_id, round_number)
    hands = s.scalar(select(models.HandCount).where(models.HandCount.round_id == lo.round.id))
    return {
        "format": RESULT_FORMAT,
        "sheet_id": sheet_id(lo.ballot.id, lo.round.number),
        "body": {"id": lo.body.id, "name": lo.body.name},
        "sitting": {"id": lo.sitting.id, "title": lo.sitting.title, "date": lo.sitting.date.isoformat(),
                    "place": lo.sitting.place, "chair": lo.sitting.chair_name, "clerk": lo.sitting.clerk_name},
        "item": {"id": lo.item.id, "position": lo.item.position, "title": lo.item.title},
        "ballot": {"id": lo.ballot.id, "title": lo.ballot.title, "kind": lo.ballot.kind,
                   "secret": lo.ballot.secret, "procedural": lo.ballot.procedural},
        "round": {"id": lo.round.id, "number": lo.round.number, "opened_at": iso(lo.round.opened_at),
                  "closed_at": iso(lo.round.closed_at), "quorum_override": lo.round.quorum_override,
                  # a re-vote's reason (only where one was given, so that earlier sheets read as they were)
                  **({"revote_reason": lo.round.revote_reason} if lo.round.revote_reason else {})},
        "spec": lo.round.spec,
        "rule": lo.result.rule,
        "method": lo.result.method,
        "result": lo.result.data,
        "absentees": lo.result.absentees,
        "hands": None if hands is None else {
            "ballots": hands.ballots, "invalid": hands.invalid, "counts": hands.counts,
            "entered_by": hands.entered_by, "entered_at": iso(hands.entered_at), "note": hands.note},
        "named_votes": None if lo.ballot.secret else _named_votes(s, lo),
        "audit": {"id": lo.result.audit_id, "head": lo.result.audit_head},
        **({"box": _box_record(lo)} if lo.round.box_mode else {}),
    }


def _box_record(lo: Loaded) -> dict[str, Any]:
    """A secret round's encrypted box as the sheet carries it: what anyone needs, with the stored
    ballots, to re-check the tally without a key (the key set, the round's context, the box hash, the
    decrypted sums and each key holder's partial decryption with its proofs; the 监票人 who decrypted,
    by name; an election's write-ins counted by name)."""
    record = dict(lo.result.box or {})
    return {"mode": lo.round.box_mode, "context": lo.round.box_context, "keys": lo.round.box_keys,
            "hash": record.get("hash"), "ballots": record.get("ballots"), "holders": record.get("holders", []),
            "counts": record.get("counts"), "partials": record.get("partials", []),
            **({"holder_names": record["holder_names"]} if record.get("holder_names") else {}),
            **({"writeins": record["writeins"]} if "writeins" in record else {})}


def earlier_rounds(s: Session, ballot_id: int, round_number: int) -> list[dict[str, Any]]:
    """The result documents of the rounds before ``round_number`` (a re-vote shows them)."""
    numbers = s.scalars(select(models.Round.number).join(models.Result, models.Result.round_id == models.Round.id)
                        .where(models.Round.ballot_id == ballot_id, models.Round.number < round_number)
                        .order_by(models.Round.number)).all()
    return [result_document(s, ballot_id, n) for n in numbers]


def chain_head(s: Session) -> dict[str, Any]:
    head = s.get(models.ChainHead, 1)
    return {"id": head.last_id if head else 0, "head": head.last_hash if head else models.GENESIS_HASH}


# --- attendance -----------------------------------------------------------------------------------


def attendance_document(s: Session, sitting_id: int) -> dict[str, Any]:
    """Attendance of a sitting as stored now (final once the sitting is closed)."""
    sitting = s.get(models.Sitting, sitting_id) if isinstance(sitting_id, int) and 0 < sitting_id < 2**31 else None
    if sitting is None:
        raise NotFound("not_found", msg("会议不存在（{sitting}）", sitting=sitting_id))
    roster = roster_ids(s, sitting)
    observers = observer_ids(s, sitting)
    rows = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(roster + observers)))}

    def entry(pid: int) -> dict[str, Any]:
        p, row = people[pid], rows.get(pid)
        return {"person_id": pid, "seat": p.seat, "name": p.name, "title": p.title, "role": p.role,
                "status": row.status if row else "absent", "reason": row.reason if row else "",
                "signed_in_at": iso(row.signed_in_at) if row else None,
                # only where there is one, so that sheets made before delegations read as they were
                **({"delegation": p.delegation} if p.delegation else {})}

    counts = attendance_counts(s, sitting)
    delegations = delegation_counts(s, sitting)
    quorum = ruleset_of(sitting.body).quorum
    words = sitting_words(sitting)

    def ordered(ids: list[int]) -> list[int]:
        return sorted((i for i in ids if i in people), key=lambda i: _seat_key(people[i].seat, i))

    return {
        "format": ATTENDANCE_FORMAT,
        "sheet_id": attendance_sheet_id(sitting.id),
        "body": {"id": sitting.body.id, "name": sitting.body.name},
        "sitting": {"id": sitting.id, "title": sitting.title, "date": sitting.date.isoformat(),
                    "place": sitting.place, "chair": sitting.chair_name, "clerk": sitting.clerk_name,
                    "status": sitting.status, "opened_at": iso(sitting.opened_at),
                    "closed_at": iso(sitting.closed_at)},
        "counts": counts,
        "quorum": {"needed": quorum.needed(counts["entitled"]),
                   "held": quorum.holds(counts["entitled"], counts["attending"]),
                   "rule_zh": quorum.describe_zh(words), "rule_en": quorum.describe_en(words)},
        "members": [entry(pid) for pid in ordered(roster)],
        "observers": [entry(pid) for pid in ordered(observers)],
        # the body's words, where they are not the standing committee's (sheets made before read as they were)
        **({} if words == ballots.MEMBERS else {"words": words.to_dict()}),
        # attendance per delegation (代表团), where the roster has delegations; never choices by delegation
        **({"delegations": delegations} if delegations else {}),
    }


# --- sitting overview -----------------------------------------------------------------------------


def sitting_overview(s: Session, sitting_id: int) -> dict[str, Any]:
    """Every item and ballot of a sitting with the result documents of its closed rounds."""
    att = attendance_document(s, sitting_id)
    items = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting_id)
                      .order_by(models.AgendaItem.position)).all()
    out_items = []
    for item in items:
        ballots_out = []
        for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id == item.id).order_by(models.Ballot.id)):
            rounds = [result_document(s, b.id, r.number) for r in b.rounds if r.status == "closed"]
            open_round = next((r.number for r in b.rounds if r.status == "open"), None)
            ended = next((r.number for r in b.rounds if r.status == "withdrawn"), None)
            ballots_out.append({"id": b.id, "title": b.title, "kind": b.kind, "secret": b.secret,
                                "method": b.method, "rounds": rounds, "open_round": open_round,
                                "withdrawn": _withdrawal(b.withdrawn_at, b.withdrawn_reason, ended)})
        out_items.append({"id": item.id, "position": item.position, "title": item.title, "kind": item.kind,
                          "status": item.status, "ballots": ballots_out,
                          "withdrawn": _withdrawal(item.withdrawn_at, item.withdrawn_reason)})
    return {"attendance": att, "items": out_items, "audit": chain_head(s)}


def _withdrawal(at: dt.datetime | None, reason: str | None, round_number: int | None = None) -> dict[str, Any] | None:
    """撤回: when, the reason stated and (a ballot) the round that ended uncounted; None when not withdrawn."""
    if at is None:
        return None
    return {"at": iso(at), "reason": reason or "", "round": round_number}


def overview_results(overview: dict[str, Any]) -> list[dict[str, Any]]:
    """The result documents of every closed round in a sitting overview, in agenda order."""
    return [d for item in overview["items"] for b in item["ballots"] for d in b["rounds"]]
