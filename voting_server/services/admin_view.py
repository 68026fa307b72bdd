"""What the administration screens read: bodies, roster, accounts, tablets, sittings, agenda, documents,
results and the audit log. Each function checks who is asking; none changes anything.

Secret ballots stay secret here too: a ballot shows only how many have voted while it is open, and
results are the stored tallies of closed rounds."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg
from .audit import verify_chain
from .base import Actor, Forbidden, Invalid, check_body, get_or_404, iso, requires, utcnow
from .devices import is_online, pin_failures
from .lookups import (
    ballot_status,
    followed_sitting,
    item_of_ballot,
    planned_sittings,
    present_ids,
    ruleset_of,
    sitting_of_ballot,
    sitting_of_item,
    words_json,
)

AUDIT_PAGE_MAX = 500


def _person_dict(p: models.Person, today: dt.date) -> dict[str, Any]:
    return {"id": p.id, "body_id": p.body_id, "name": p.name, "role": p.role, "seat": p.seat, "title": p.title,
            "joined_on": p.joined_on.isoformat(), "left_on": p.left_on.isoformat() if p.left_on else None,
            "external_id": p.external_id, "delegation": p.delegation, "has_pin": p.pin_hash is not None,
            "current": p.joined_on <= today and (p.left_on is None or p.left_on > today)}


def _check_seat_body(s: Session, actor: Actor, body_id: int) -> None:
    """A seat tablet reads only what belongs to its own body."""
    person = s.get(models.Person, actor.person_id)
    if person is None or person.body_id != body_id:
        raise Forbidden("other_body", msg("无权查看其他机构的内容"))


# --- bodies, people, users, devices ---------------------------------------------------------------


@requires("read_setup")
def list_bodies(store: Store, actor: Actor) -> list[dict[str, Any]]:
    with store.read() as s:
        counts: dict[tuple[int, str], int] = {
            (body_id, role): n for body_id, role, n in s.execute(
                select(models.Person.body_id, models.Person.role, func.count())
                .where(models.Person.left_on.is_(None)).group_by(models.Person.body_id, models.Person.role))}
        return [{"id": b.id, "name": b.name, "preset": b.preset, "overrides": b.overrides or {},
                 "words": words_json(ruleset_of(b).words), "video_votes": ruleset_of(b).video_votes,
                 "created_at": iso(b.created_at), "members": counts.get((b.id, "member"), 0),
                 "observers": counts.get((b.id, "observer"), 0)}
                for b in s.scalars(select(models.Body).order_by(models.Body.id)) if actor.serves(b.id)]


@requires("read_setup")
def list_people(store: Store, actor: Actor, body_id: int, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The roster of a body with membership dates; ``current`` says who is in office on ``on`` (today)."""
    day = on or dt.date.today()
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        people = s.scalars(select(models.Person).where(models.Person.body_id == body_id)
                           .order_by(models.Person.role, models.Person.id))
        return [_person_dict(p, day) for p in people]


@requires("manage_users")
def list_users(store: Store, actor: Actor) -> list[dict[str, Any]]:
    """Staff accounts, each with the bodies it serves (none: every body) and the member it sits as."""
    with store.read() as s:
        bodies: dict[int, list[int]] = {}
        for ub in s.scalars(select(models.UserBody).order_by(models.UserBody.body_id)):
            bodies.setdefault(ub.user_id, []).append(ub.body_id)
        people = {p.id: p for p in s.scalars(select(models.Person).join(
            models.User, models.User.person_id == models.Person.id))}
        return [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
                 "active": u.active, "created_at": iso(u.created_at), "bodies": bodies.get(u.id, []),
                 "person_id": u.person_id,
                 "person": None if u.person_id is None else {
                     "id": u.person_id, "name": people[u.person_id].name, "seat": people[u.person_id].seat,
                     "body_id": people[u.person_id].body_id}}
                for u in s.scalars(select(models.User).order_by(models.User.id))]


def device_status(d: models.Device, now: dt.datetime) -> str:
    if d.revoked_at is not None:
        return "revoked"
    if d.token_hash is not None:
        return "paired"
    if d.pairing_expires is not None and d.pairing_expires >= now:
        return "pending"
    return "expired"


@requires("manage_devices")
def list_devices(store: Store, actor: Actor, body_id: int) -> list[dict[str, Any]]:
    """Tablets of a body: pending (code not yet used), paired, expired or revoked, each with whether it
    is online, when it was last seen and whether its person has signed in to the body's open sitting.
    No secrets."""
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        return devices_of(s, body_id)


def devices_of(s: Session, body_id: int) -> list[dict[str, Any]]:
    """The pairing list of a body (``list_devices``; also the clerk's ``devices`` push)."""
    now = utcnow()
    rows = s.execute(select(models.Device, models.Person).join(models.Person)
                     .where(models.Person.body_id == body_id).order_by(models.Device.id)).all()
    # signed in to the sitting the body's tablets show: its open one, else the next planned one
    sitting = followed_sitting(s, body_id) or next(iter(planned_sittings(s, body_id)), None)
    present = present_ids(s, sitting.id) if sitting is not None else set()
    return [{"id": d.id, "person_id": p.id, "name": p.name, "seat": p.seat, "role": p.role,
             "status": device_status(d, now), "created_at": iso(d.created_at), "paired_at": iso(d.paired_at),
             "revoked_at": iso(d.revoked_at), "pairing_expires": iso(d.pairing_expires),
             "online": is_online(d, now) and device_status(d, now) == "paired",
             "online_since": iso(d.online_since), "last_seen_at": iso(d.last_seen_at),
             "signed_in": None if sitting is None else p.id in present}
            for d, p in rows]


@requires("manage_devices")
def pin_lockouts(store: Store, actor: Actor, body_id: int) -> list[dict[str, Any]]:
    """Seats of a body on which wrong PINs were typed lately (the clerk may clear them: ``unlock_pin``)."""
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        failures = pin_failures(s, body_id)
        if not failures:
            return []
        people = {p.seat: p for p in s.scalars(select(models.Person).where(
            models.Person.body_id == body_id, models.Person.seat.in_(list(failures))))}
        return [{"seat": seat, "person_id": people[seat].id if seat in people else None,
                 "name": people[seat].name if seat in people else None, "failures": n, "sources": sources}
                for seat, (n, sources) in sorted(failures.items())]


# --- sittings, agenda, documents --------------------------------------------------------------------


def _sitting_dict(sitting: models.Sitting) -> dict[str, Any]:
    return {"id": sitting.id, "body_id": sitting.body_id, "title": sitting.title, "date": sitting.date.isoformat(),
            "place": sitting.place, "status": sitting.status, "chair_name": sitting.chair_name,
            "clerk_name": sitting.clerk_name, "opened_at": iso(sitting.opened_at), "closed_at": iso(sitting.closed_at)}


@requires("read_setup")
def list_sittings(store: Store, actor: Actor, body_id: int) -> list[dict[str, Any]]:
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        items = dict(s.execute(select(models.AgendaItem.sitting_id, func.count()).join(models.Sitting)
                               .where(models.Sitting.body_id == body_id).group_by(models.AgendaItem.sitting_id)).all())
        return [{**_sitting_dict(x), "items": items.get(x.id, 0)}
                for x in s.scalars(select(models.Sitting).where(models.Sitting.body_id == body_id)
                                   .order_by(models.Sitting.date.desc(), models.Sitting.id.desc()))]


def _round_dict(r: models.Round, result: models.Result | None) -> dict[str, Any]:
    return {"id": r.id, "number": r.number, "status": r.status, "opened_at": iso(r.opened_at),
            "closed_at": iso(r.closed_at), "deadline": iso(r.deadline), "voters": r.voters,
            "quorum_override": r.quorum_override,
            "outcome": result.data.get("outcome") if result is not None else None}


def _ballots_of(s: Session, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    ballots = s.scalars(select(models.Ballot).where(models.Ballot.item_id.in_(item_ids))
                        .order_by(models.Ballot.id)).all()
    rounds: dict[int, list[models.Round]] = {}
    for r in s.scalars(select(models.Round).where(models.Round.ballot_id.in_([b.id for b in ballots]))
                       .order_by(models.Round.number)):
        rounds.setdefault(r.ballot_id, []).append(r)
    results = {res.round_id: res for res in s.scalars(select(models.Result).where(
        models.Result.round_id.in_([r.id for rs in rounds.values() for r in rs])))}
    out: dict[int, list[dict[str, Any]]] = {}
    for b in ballots:
        rs = rounds.get(b.id, [])
        out.setdefault(b.item_id, []).append({
            "id": b.id, "title": b.title, "kind": b.kind, "secret": b.secret, "method": b.method,
            "allow_change": b.allow_change, "procedural": b.procedural, "timer_seconds": b.timer_seconds,
            "rule": b.rule, "spec": b.spec, "status": ballot_status(rs, b.withdrawn_at is not None),
            "box_keys": b.box_keys, "box_encrypt": b.box_encrypt, "withdrawn_reason": b.withdrawn_reason,
            "withdrawn_at": iso(b.withdrawn_at),
            "rounds": [_round_dict(r, results.get(r.id)) for r in rs]})
    return out


def _documents_of(s: Session, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for d in s.scalars(select(models.Document).where(models.Document.item_id.in_(item_ids))
                       .order_by(models.Document.id)):
        out.setdefault(d.item_id, []).append({"id": d.id, "item_id": d.item_id, "filename": d.filename,
                                              "size": d.size, "sha256": d.sha256,
                                              "uploaded_at": iso(d.uploaded_at)})
    return out


@requires("read_setup")
def agenda(store: Store, actor: Actor, sitting_id: int) -> dict[str, Any]:
    """A sitting with its items in order, each with its documents and ballots (status and rounds)."""
    with store.read() as s:
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        items = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting.id)
                          .order_by(models.AgendaItem.position)).all()
        ids = [i.id for i in items]
        ballots, documents = _ballots_of(s, ids), _documents_of(s, ids)
        return {"sitting": _sitting_dict(sitting),
                "items": [{"id": i.id, "position": i.position, "title": i.title, "kind": i.kind,
                           "status": i.status, "amends_item_id": i.amends_item_id,
                           "withdrawn_reason": i.withdrawn_reason, "withdrawn_at": iso(i.withdrawn_at),
                           "documents": documents.get(i.id, []), "ballots": ballots.get(i.id, [])}
                          for i in items]}


@requires("read_documents")
def item_documents(store: Store, actor: Actor, item_id: int) -> list[dict[str, Any]]:
    with store.read() as s:
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        if actor.is_seat:
            _check_seat_body(s, actor, sitting_of_item(s, item).body_id)
        return _documents_of(s, [item.id]).get(item.id, [])


@requires("read_documents")
def document_file(store: Store, actor: Actor, document_id: int) -> dict[str, Any]:
    """Who may read a document: staff, and the tablets of members and observers of the same body.
    Returns the stored file name (under the upload folder) and the name to show."""
    with store.read() as s:
        doc = get_or_404(s, models.Document, document_id, msg("文件"))
        item = get_or_404(s, models.AgendaItem, doc.item_id, msg("议题"))
        if actor.is_seat:
            _check_seat_body(s, actor, sitting_of_item(s, item).body_id)
        return {"id": doc.id, "stored_name": doc.stored_name, "filename": doc.filename, "size": doc.size,
                "sha256": doc.sha256}


# --- results and audit ----------------------------------------------------------------------------


@requires("read_results")
def ballot_results(store: Store, actor: Actor, ballot_id: int) -> dict[str, Any]:
    """Every round of a ballot with its stored result (closed rounds only; nothing is recounted)."""
    with store.read() as s:
        ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
        item = item_of_ballot(s, ballot)
        sitting = sitting_of_item(s, item)
        if actor.is_seat:
            _check_seat_body(s, actor, sitting.body_id)
        rounds = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot.id)
                           .order_by(models.Round.number)).all()
        results = {r.round_id: r for r in s.scalars(select(models.Result).where(
            models.Result.round_id.in_([r.id for r in rounds])))}
        hands = {h.round_id: h for h in s.scalars(select(models.HandCount).where(
            models.HandCount.round_id.in_([r.id for r in rounds])))}
        out_rounds = []
        for r in rounds:
            entry = _round_dict(r, results.get(r.id))
            res = results.get(r.id)
            entry["result"] = None if res is None else {
                "data": res.data, "rule": res.rule, "method": res.method, "absentees": res.absentees,
                "audit_head": res.audit_head, "audit_id": res.audit_id, "computed_at": iso(res.computed_at)}
            h = hands.get(r.id)
            entry["show_of_hands"] = None if h is None or r.status != "closed" else {
                "counts": h.counts, "ballots": h.ballots, "invalid": h.invalid, "entered_by": h.entered_by,
                "entered_at": iso(h.entered_at), "note": h.note}
            out_rounds.append(entry)
        return {"ballot": {"id": ballot.id, "item_id": item.id, "item_title": item.title, "title": ballot.title,
                           "kind": ballot.kind, "secret": ballot.secret, "method": ballot.method,
                           "status": ballot_status(list(rounds), ballot.withdrawn_at is not None),
                           "withdrawn_reason": ballot.withdrawn_reason},
                "sitting": _sitting_dict(sitting), "rounds": out_rounds}


@requires("read_audit")
def audit_page(store: Store, actor: Actor, *, before: int | None = None, limit: int = 100,
               sitting_id: int | None = None, action: str | None = None) -> dict[str, Any]:
    """Newest entries first, ``limit`` at a time; pass ``next_before`` back as ``before`` for the next page."""
    for value, name in ((before, "before"), (sitting_id, "sitting_id")):
        if value is not None and value < 1:
            raise Invalid("bad_param", msg("参数{name}必须是正整数", name=name))
    if not 1 <= limit <= AUDIT_PAGE_MAX:
        raise Invalid("bad_param", msg("每页条数必须在1到{max}之间", max=AUDIT_PAGE_MAX))
    if action is not None and len(action) > 60:
        raise Invalid("bad_param", msg("操作类型无效"))
    with store.read() as s:
        q = select(models.AuditEntry)
        if actor.bodies is not None:  # an account serving some bodies reads their sittings' entries only
            q = q.where(models.AuditEntry.sitting_id.in_(select(models.Sitting.id).where(
                models.Sitting.body_id.in_(sorted(actor.bodies)))))
        if sitting_id is not None:
            q = q.where(models.AuditEntry.sitting_id == sitting_id)
        if action:
            q = q.where(models.AuditEntry.action == action)
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        if before is not None:
            q = q.where(models.AuditEntry.id < before)
        rows = s.scalars(q.order_by(models.AuditEntry.id.desc()).limit(limit + 1)).all()
        head = s.get(models.ChainHead, 1)
        more = len(rows) > limit
        rows = rows[:limit]
        secret = _secret_ballots(s, rows)
        return {"entries": [_entry_view(e, secret) for e in rows],
                "total": total, "next_before": rows[-1].id if more and rows else None,
                "head": {"id": head.last_id, "hash": head.last_hash} if head else None}


# Entries that name who has (or has not) voted in a round. On a secret ballot the view shows neither the
# member nor the receipt, during the ballot and after it: nobody learns who voted when (RULES.md 8). The
# stored entry is unchanged, so its hash is the stored one and /api/audit/verify checks the whole chain.
NAMES_VOTERS = ("vote_cast", "reminded")


def _secret_ballots(s: Session, rows: Any) -> set[int]:
    ids: set[int] = set()
    for e in rows:
        if e.action in NAMES_VOTERS:
            ballot_id = json.loads(e.payload).get("ballot_id")
            if isinstance(ballot_id, int):
                ids.add(ballot_id)
    if not ids:
        return set()
    return set(s.scalars(select(models.Ballot.id).where(models.Ballot.id.in_(ids), models.Ballot.secret.is_(True))))


def _entry_view(e: models.AuditEntry, secret: set[int]) -> dict[str, Any]:
    payload = json.loads(e.payload)
    entry = {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "sitting_id": e.sitting_id,
             "seq": e.seq, "payload": payload, "prev_hash": e.prev_hash, "hash": e.hash}
    if e.action not in NAMES_VOTERS or payload.get("ballot_id") not in secret:
        return entry
    kept = {k: payload[k] for k in ("ballot_id", "round_id") if k in payload}
    if e.action == "vote_cast":
        entry["actor"] = "member"
    elif "person_ids" in payload:  # a reminder written before its entry held the count only
        kept["count"] = len(payload["person_ids"])
    else:
        return entry
    entry["payload"], entry["redacted"] = kept, True
    return entry


@requires("read_audit")
def verify_audit(store: Store, actor: Actor) -> dict[str, Any]:
    report = verify_chain(store)
    return {"ok": report.ok, "entries": report.entries, "head": report.head, "broken_id": report.broken_id,
            "reason": report.reason, "message": str(report)}


def ensure_exists(store: Store, kind: str, ident: int, actor: Actor | None = None) -> None:
    """NotFound unless a ballot or sitting with this id exists; Forbidden (``other_body``) when ``actor`` is
    a seat tablet of another body than the sitting's, or an account that does not serve its body."""
    with store.read() as s:
        if kind == "ballot":
            sitting = sitting_of_ballot(s, get_or_404(s, models.Ballot, ident, msg("表决")))
        else:
            sitting = get_or_404(s, models.Sitting, ident, msg("会议"))
        if actor is not None and actor.is_seat:
            _check_seat_body(s, actor, sitting.body_id)
        if actor is not None:
            check_body(actor, sitting.body_id)


def round_status(store: Store, ballot_id: int, number: int) -> str | None:
    """``open``/``closed`` for a round of a ballot, None when there is no such round."""
    with store.read() as s:
        return s.scalar(select(models.Round.status).where(models.Round.ballot_id == ballot_id,
                                                          models.Round.number == number))
