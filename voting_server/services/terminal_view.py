"""What the terminals show: the snapshot of each audience of a sitting and the sections pushes
replace, built from stored state.

A snapshot is a dict of sections (``sitting``, ``attendance``, ``agenda``, ``ballot``, ``speakers``,
``results``) plus ``me`` for a seat. Pushes carry replacement sections built by the same functions,
so a terminal that applies them ends where a fresh snapshot would. Secret ballots never show
per-choice counts before the close; a member sees only their own choice, and only on named ballots.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from . import box
from .base import NotFound, get_or_404, iso, utcnow
from .keyholders import holders_of
from .lookups import (
    PRESENT,
    awaiting_entry_ids,
    ballot_status,
    current_item,
    followed_sitting,
    hand_count,
    non_voter_ids,
    observer_ids,
    open_round,
    roster_ids,
    round_on_screen,
    rule_of,
    ruleset_of,
    sitting_words,
    spec_of,
    video_by_clerk,
    words_json,
)
from .runoff import details_of, standing_json
from .sitting import attendance_counts, attendance_summary
from .speakers import speaker_queue

AUDIENCES = ("seat", "observer", "chair", "clerk", "display")
STAFF_AUDIENCES = ("chair", "clerk")
SECTIONS = ("sitting", "attendance", "agenda", "ballot", "speakers", "results")

# Which snapshot sections each pushed (numbered) event replaces. Sign-ins and attendance changes are
# not numbered: they reach terminals as coalesced ``attendance`` pushes (see realtime/).
SECTIONS_BY_ACTION: dict[str, tuple[str, ...]] = {
    "sitting_created": ("sitting",),
    "sitting_copied": ("sitting", "agenda"),
    "agenda_imported": ("agenda", "ballot"),
    "sitting_opened": ("sitting", "attendance", "agenda", "ballot"),
    "sitting_closed": ("sitting", "agenda", "ballot", "speakers"),
    "sitting_moved": ("sitting", "attendance"),
    "sitting_elsewhere": ("sitting",),
    "item_added": ("agenda",),
    "item_started": ("agenda", "ballot", "speakers"),
    "item_finished": ("agenda", "ballot", "speakers"),
    "document_added": ("agenda",),
    "ballot_created": ("agenda", "ballot"),
    "ballot_opened": ("agenda", "ballot"),
    "revote": ("agenda", "ballot"),
    "runoff_opened": ("agenda", "ballot"),
    "timer_extended": ("ballot",),
    "time_up": ("ballot",),
    "show_of_hands_entered": ("ballot",),
    "ballot_counting": ("agenda", "ballot"),
    "tally_share_given": ("ballot",),
    "ballot_closed": ("agenda", "ballot", "results"),
    "keys_dealt": ("sitting",),
    "reminded": (),
    "speaker_requested": ("speakers",),
    "speaker_granted": ("speakers",),
    "speaker_done": ("speakers",),
    "speaker_withdrawn": ("speakers",),
    "speakers_ordered": ("speakers",),
    "sitting_changed": ("sitting",),
    "item_changed": ("agenda",),
    "item_moved": ("agenda",),
    "item_deleted": ("agenda",),
    "ballot_changed": ("agenda",),
    "ballot_deleted": ("agenda",),
    "document_replaced": ("agenda",),
    "document_deleted": ("agenda",),
    "ballot_withdrawn": ("agenda", "ballot"),
    "item_withdrawn": ("agenda", "ballot", "speakers"),
}


def get_sitting(s: Session, sitting_id: int) -> models.Sitting:
    return get_or_404(s, models.Sitting, sitting_id, msg("会议"))


def last_change(s: Session) -> int:
    """The id of the last audit entry. Every committed change appends one (sign-ins and attendance too,
    which are not numbered in a sitting's sequence), so this names the stored state a read sees."""
    return s.scalar(select(models.ChainHead.last_id).where(models.ChainHead.id == 1)) or 0


def snapshot(store: Store, sitting_id: int, audience: str, person_id: int | None = None) -> dict[str, Any]:
    with store.read() as s:
        sitting = get_sitting(s, sitting_id)
        data = build_sections(s, sitting, audience, SECTIONS)
        data["seq"] = sitting.seq
        data["audience"] = audience
        if person_id is not None:
            data["me"] = me_section(s, sitting, person_id)
        return data


def build_sections(s: Session, sitting: models.Sitting, audience: str, names: Iterable[str]) -> dict[str, Any]:
    builders = {"sitting": sitting_section, "attendance": attendance_section, "agenda": agenda_section,
                "ballot": ballot_section, "speakers": speakers_section, "results": results_section}
    return {name: builders[name](s, sitting, audience) for name in names}


def sections_by_audience(s: Session, sitting: models.Sitting, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The same sections for every audience. Staff consoles (chair, clerk) see more than the rest
    (seats, observers, the hall display), who all see the same: two builds, not five."""
    names = tuple(names)
    staff = build_sections(s, sitting, "chair", names)
    public = build_sections(s, sitting, "seat", names)
    return {aud: staff if aud in STAFF_AUDIENCES else public for aud in AUDIENCES}


def sitting_section(s: Session, sitting: models.Sitting, audience: str) -> dict[str, Any]:
    body = sitting.body
    return {"id": sitting.id, "title": sitting.title, "date": sitting.date.isoformat(), "place": sitting.place,
            "status": sitting.status, "body": {"id": body.id, "name": body.name, "preset": body.preset,
                                                 "words": words_json(sitting_words(sitting))},
            "chair_name": sitting.chair_name, "clerk_name": sitting.clerk_name,
            "opened_at": iso(sitting.opened_at), "closed_at": iso(sitting.closed_at),
            "key_holders": holders_of(sitting), "moved_to": moved_to(s, sitting),
            "opened_elsewhere": opened_elsewhere(s, sitting)}


def opened_elsewhere(s: Session, sitting: models.Sitting) -> dict[str, Any] | None:
    """On an open sitting: another sitting of the body opened after it (the one the body's terminals
    follow), ``{"id", "title"}``, which the consoles on this one offer to switch to; None otherwise (a
    planned sitting has ``moved_to``)."""
    if sitting.status != "open":
        return None
    followed = followed_sitting(s, sitting.body_id)
    return None if followed is None or followed.id == sitting.id else {"id": followed.id, "title": followed.title}


def moved_to(s: Session, sitting: models.Sitting) -> int | None:
    """Where the terminals of a planned sitting go: the body's open sitting (``followed_sitting``), if any."""
    if sitting.status != "planned":
        return None
    followed = followed_sitting(s, sitting.body_id)
    return followed.id if followed is not None else None


def attendance_section(s: Session, sitting: models.Sitting, audience: str) -> dict[str, Any]:
    summary = attendance_summary(s, sitting)
    if audience not in STAFF_AUDIENCES:
        return summary  # seats, observers and the hall see the counts; the consoles see who
    roster = roster_ids(s, sitting)
    observers = observer_ids(s, sitting)
    rows = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    people = s.scalars(select(models.Person).where(models.Person.id.in_(roster + observers))).all()
    order = {pid: i for i, pid in enumerate(roster + observers)}
    listing = []
    for p in sorted(people, key=lambda p: order[p.id]):
        row = rows.get(p.id)
        entry = {"person_id": p.id, "name": p.name, "seat": p.seat, "role": p.role, "title": p.title,
                 "delegation": p.delegation, "status": row.status if row else "absent"}
        entry["reason"] = row.reason if row else ""
        listing.append(entry)
    return {**summary, "people": listing}


def agenda_section(s: Session, sitting: models.Sitting, audience: str) -> dict[str, Any]:
    items = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting.id)
                      .order_by(models.AgendaItem.position)).all()
    item_ids = [i.id for i in items]
    docs: dict[int, list[dict[str, Any]]] = {}
    for d in s.scalars(select(models.Document).where(models.Document.item_id.in_(item_ids)).order_by(models.Document.id)):
        docs.setdefault(d.item_id, []).append({"id": d.id, "filename": d.filename, "size": d.size})
    ballot_rows: dict[int, list[dict[str, Any]]] = {}
    for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id.in_(item_ids)).order_by(models.Ballot.id)):
        ballot_rows.setdefault(b.item_id, []).append({
            "id": b.id, "title": b.title, "kind": b.kind, "secret": b.secret, "method": b.method,
            "status": ballot_status(b.rounds, b.withdrawn_at is not None), "rounds": len(b.rounds),
            "withdrawn_reason": b.withdrawn_reason})
    current = next((i.id for i in items if i.status == "current"), None)
    return {"current_item_id": current, "items": [
        {"id": i.id, "position": i.position, "title": i.title, "kind": i.kind, "status": i.status,
         "amends_item_id": i.amends_item_id, "documents": docs.get(i.id, []), "ballots": ballot_rows.get(i.id, []),
         "withdrawn_reason": i.withdrawn_reason}
        for i in items]}


def ballot_section(s: Session, sitting: models.Sitting, audience: str) -> dict[str, Any] | None:
    rnd = round_on_screen(s, sitting)
    if rnd is None:
        return None
    ballot = rnd.ballot
    spec = spec_of(rnd.spec)
    listed = spec.listed() if isinstance(spec, ballots.PlacesSpec) else ()
    details = {c.id: details_of(c) for c in listed}  # a 票决 candidate's 投资额, 责任单位, 简介, paper
    rule = rule_of(rnd.rule)
    threshold = rule.threshold
    counts = attendance_counts(s, sitting)
    needed = threshold.needed(ballots.Turnout(entitled=counts["entitled"], present=counts["attending"]))
    data: dict[str, Any] = {
        "id": ballot.id, "item_id": ballot.item_id, "title": ballot.title, "kind": ballot.kind,
        "secret": ballot.secret, "method": ballot.method, "allow_change": ballot.allow_change,
        "round_id": rnd.id, "round": rnd.number, "status": rnd.status, "opened_at": iso(rnd.opened_at),
        "deadline": iso(rnd.deadline), "closed_at": iso(rnd.closed_at),
        "time_up": time_is_up(rnd),
        "auto_close": rnd.deadline is not None and ruleset_of(sitting.body).auto_close_at_deadline,
        "spec": rnd.spec, "questions": [
            {"id": q.id, "label": q.label, "options": [{"code": o.code, "zh": o.zh, "en": o.en} for o in q.options],
             **({"details": d} if (d := details.get(q.id)) else {})}
            for q in spec.questions()],
        "limits": spec.limits(),
        "threshold_zh": threshold.describe_zh(rule.words), "threshold_en": threshold.describe_en(rule.words),
        "needed": needed, "present": counts["attending"], "entitled": counts["entitled"], "voted": rnd.voters,
        "result": None, "withdrawn_reason": ballot.withdrawn_reason if rnd.status == "withdrawn" else None,
    }
    if rnd.status == "open" and spec.limits().get("write_in_prefix"):
        data["write_in_roster"] = write_in_roster(s, sitting, spec)
    if rnd.status == "open" and rnd.box_encrypt == box.TABLET:
        # what a seat needs to encrypt its member's choice (ballotbox/ballot.js): the rules are computed here
        data["box"] = {"encrypt": box.TABLET, "keys": rnd.box_keys, "context": rnd.box_context,
                       "layout": box.layout_of(rnd).to_dict()}
    if rnd.status == box.COUNTING:
        data["counting"] = box.counting_of(s, rnd)
    if rnd.status == "closed":
        result = s.scalar(select(models.Result).where(models.Result.round_id == rnd.id))
        data["result"] = result.data if result else None
        data["method_used"] = result.method if result else None
        if isinstance(spec, ballots.PlacesSpec):
            data["standing"] = standing_json(s, ballot)  # what comes next: a run-off, a further election
    elif audience in STAFF_AUDIENCES and not ballot.secret:
        data["non_voters"] = non_voters(s, sitting, rnd)
    if rnd.status == "open" and ballot.method == "hands":
        data["hands_entered"] = hand_count(s, rnd.id) is not None  # a show of hands waits for the clerk's count
    if rnd.status == "open":
        data.update(video_waiting(s, sitting, rnd, named=audience in STAFF_AUDIENCES and not ballot.secret))
    return data


def video_waiting(s: Session, sitting: models.Sitting, rnd: models.Round, *, named: bool) -> dict[str, Any]:
    """How members attending by video vote in the open round (``video_votes``, the round's rule) and, when
    the clerk enters their votes, how many still wait for it (视频出席，待录入: never 未按), with their names
    where ``named`` (staff, a named ballot), and whether the clerk's count is entered."""
    data: dict[str, Any] = {"video_votes": rule_of(rnd.rule).video_votes}
    if video_by_clerk(rnd):
        waiting = awaiting_entry_ids(s, sitting, rnd)
        data["video_pending"] = len(waiting)
        data["hands_entered"] = hand_count(s, rnd.id) is not None
        if named:
            people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(waiting)))}
            data["video_waiting"] = [{"person_id": pid, "name": people[pid].name, "seat": people[pid].seat}
                                     for pid in waiting]
    return data


def write_in_roster(s: Session, sitting: models.Sitting, spec: ballots.BallotSpec) -> list[str]:
    """The names a deputy may pick for 另选他人: the body's members of the sitting's roster who are not
    candidates, nor elected in an earlier round, by name (two persons of one name told apart by their
    delegation, "李四（城关代表团）")."""
    listed = {ballots.write_in_key(q.label) for q in spec.questions()}
    listed |= {ballots.write_in_key(p.name) for p in getattr(spec, "chosen_before", ())}
    people = s.scalars(select(models.Person).where(models.Person.id.in_(roster_ids(s, sitting)))
                       .order_by(models.Person.name, models.Person.id)).all()
    names = Counter(p.name for p in people)
    out = []
    for p in people:
        label = f"{p.name}（{p.delegation}）" if names[p.name] > 1 and p.delegation else p.name
        if ballots.write_in_key(p.name) not in listed and label not in out:
            out.append(label)
    return out


def time_is_up(rnd: models.Round, now: dt.datetime | None = None) -> bool:
    """Whether an open round's time has run out (its deadline passed on the server's clock): casts are
    refused ``time_up`` from then on, and every terminal shows 时间到."""
    return rnd.status == "open" and rnd.deadline is not None and (now or utcnow()) >= rnd.deadline


def non_voters(s: Session, sitting: models.Sitting, rnd: models.Round) -> list[dict[str, Any]]:
    """Present members who have not voted yet (shown to the chair for named ballots only)."""
    missing = non_voter_ids(s, sitting, rnd.id)
    people = {p.id: p for p in s.scalars(select(models.Person).where(models.Person.id.in_(missing)))}
    return [{"person_id": pid, "name": people[pid].name, "seat": people[pid].seat} for pid in missing]


def progress(store: Store, sitting_id: int) -> dict[str, Any] | None:
    """The cheap, coalesced part: how many have voted in the open round (never what they chose)."""
    with store.read() as s:
        return progress_in(s, get_sitting(s, sitting_id))


def progress_in(s: Session, sitting: models.Sitting) -> dict[str, Any] | None:
    """``progress`` within a session the caller already holds (a second connection checked out while
    holding the first can exhaust the pool when a hall reconnects at once)."""
    rnd = open_round(s, sitting.id)
    if rnd is None:
        return None
    data: dict[str, Any] = {"ballot_id": rnd.ballot_id, "round_id": rnd.id, "voted": rnd.voters,
                            "time_up": time_is_up(rnd), "seq": sitting.seq}
    if not rnd.ballot.secret:
        data["non_voters"] = non_voters(s, sitting, rnd)
    data.update(video_waiting(s, sitting, rnd, named=not rnd.ballot.secret))
    return data


def speakers_section(s: Session, sitting: models.Sitting, audience: str) -> list[dict[str, Any]]:
    current = current_item(s, sitting.id)
    if current is None:
        return []
    queue = speaker_queue(s, current.id)
    people = {p.id: p for p in s.scalars(select(models.Person).where(
        models.Person.id.in_({r.person_id for r in queue})))} if queue else {}
    return [{"id": r.id, "person_id": r.person_id, "name": people[r.person_id].name, "seat": people[r.person_id].seat,
             "role": people[r.person_id].role, "status": r.status, **_speech_time(r)} for r in queue]


def _speech_time(r: models.SpeakerRequest) -> dict[str, Any]:
    """A speech given the floor: since when, for how long, and until when (``ends_at``, for a countdown
    from the server's clock; None without a limit)."""
    if r.status != "granted" or r.granted_at is None:
        return {}
    ends = r.granted_at + dt.timedelta(seconds=r.limit_seconds) if r.limit_seconds else None
    return {"granted_at": iso(r.granted_at), "limit_seconds": r.limit_seconds, "ends_at": iso(ends)}


def results_section(s: Session, sitting: models.Sitting, audience: str) -> list[dict[str, Any]]:
    rows = s.execute(select(models.Result, models.Round, models.Ballot).join(
        models.Round, models.Round.id == models.Result.round_id).join(
        models.Ballot, models.Ballot.id == models.Round.ballot_id).join(
        models.AgendaItem, models.AgendaItem.id == models.Ballot.item_id).where(
        models.AgendaItem.sitting_id == sitting.id).order_by(models.Result.id)).all()
    return [{"ballot_id": b.id, "title": b.title, "kind": b.kind, "round": r.number, "outcome": res.data["outcome"],
             "announcement_zh": res.data.get("announcement_zh"), "announcement_en": res.data.get("announcement_en"),
             "method": res.method, "closed_at": iso(r.closed_at)} for res, r, b in rows]


def me_section(s: Session, sitting: models.Sitting, person_id: int) -> dict[str, Any]:
    """What one seat shows about its own person: attendance, and whether (and, for named ballots,
    how) they voted in the round on screen."""
    person = s.get(models.Person, person_id)
    if person is None:
        raise NotFound("not_found", msg("人员不存在"))
    row = s.get(models.Attendance, (sitting.id, person_id))
    entitled = person_id in sitting.roster if sitting.roster is not None else person.is_member_on(sitting.date)
    vote = None
    rnd = round_on_screen(s, sitting)
    if rnd is not None:
        part = s.scalar(select(models.Participation).where(models.Participation.round_id == rnd.id,
                                                           models.Participation.person_id == person_id))
        vote = {"round_id": rnd.id, "voted": part is not None, "receipt": part.receipt if part else None,
                "choice": part.choice if part is not None and part.choice is not None else None}
    return {"person_id": person.id, "name": person.name, "seat": person.seat, "role": person.role,
            "title": person.title, "entitled": entitled, "attendance": row.status if row else "absent",
            "signed_in": bool(row and row.status in PRESENT), "vote": vote}


def current_sitting_for(store: Store, *, body_id: int | None = None,
                        bodies: Iterable[int] | None = None) -> int | None:
    """The sitting a terminal joins by default (of the body, or of ``bodies``): the open one (of several,
    the one opened last: the one terminals follow), else the next planned, else the latest."""
    with store.read() as s:
        q = select(models.Sitting)
        if body_id is not None:
            q = q.where(models.Sitting.body_id == body_id)
        if bodies is not None:
            q = q.where(models.Sitting.body_id.in_(list(bodies)))
        opened = s.scalar(q.where(models.Sitting.status == "open")
                          .order_by(models.Sitting.opened_at.desc(), models.Sitting.id.desc()).limit(1))
        if opened is not None:
            return opened.id
        found = s.scalar(q.where(models.Sitting.status == "planned").order_by(models.Sitting.date, models.Sitting.id))
        if found is not None:
            return found.id
        latest = s.scalar(q.order_by(models.Sitting.id.desc()).limit(1))
        return latest.id if latest else None


def person_body(store: Store, person_id: int) -> int | None:
    with store.read() as s:
        p = s.get(models.Person, person_id)
        return p.body_id if p else None


def body_of(store: Store, *, person_id: object = None, sitting_id: object = None) -> int | None:
    """The body of a person (else of a sitting), or None where neither is stored."""
    if isinstance(person_id, int):
        return person_body(store, person_id)
    if not isinstance(sitting_id, int):
        return None
    with store.read() as s:
        sitting = s.get(models.Sitting, sitting_id)
        return sitting.body_id if sitting else None


def open_sittings_of(store: Store, *, body_id: int | None = None, person_id: int | None = None) -> list[int]:
    """The open sittings of a body (or of a person's body): where a change of its people shows in the
    consoles' attendance lists (observers are read on the day; members from the roster frozen at opening)."""
    if body_id is None and person_id is not None:
        body_id = person_body(store, person_id)
    if body_id is None:
        return []
    with store.read() as s:
        return list(s.scalars(select(models.Sitting.id).where(models.Sitting.body_id == body_id,
                                                              models.Sitting.status == "open")))


def unclosed_sittings(s: Session, body_id: int) -> list[int]:
    """The planned and open sittings of a body (where its clerks' consoles are)."""
    return list(s.scalars(select(models.Sitting.id).where(models.Sitting.body_id == body_id,
                                                          models.Sitting.status != "closed")))
