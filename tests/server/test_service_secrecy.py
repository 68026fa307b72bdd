"""Secret means secret in storage: after a secret ballot, nothing stored — no table, no column, no audit
payload, no pushed event, and on PostgreSQL not even the transaction ids of the rows — links a member to
a choice. A named ballot does store the choices."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import Date, DateTime, select
from support.box import chosen, open_counts

from voting_server import models, services

CHOICES = ["for", "against", "abstain", "for", "for", "against", "abstain", "for", "against", "for", "abstain", "for"]
OPTION_WORDS = ("for", "against", "abstain", "赞成", "反对", "弃权")


def run_ballot(world, *, secret: bool, events: list) -> tuple[int, int, list[dict]]:
    st = world.store
    world.open_and_sign_in()
    item = services.add_item(st, world.clerk, world.sitting_id, title="关于某项人事的决定")
    ballot = services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, secret=secret)
    services.start_item(st, world.chair, item)
    round_id = services.open_ballot(st, world.chair, ballot)
    st.subscribe(events.extend)
    acks = [services.cast_vote(st, m, ballot, c, uuid.uuid4().hex)
            for m, c in zip(world.members, CHOICES, strict=False)]
    return ballot, round_id, acks


def rows_of(store) -> dict[str, list[dict]]:
    with store.engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in models.Base.metadata.sorted_tables}


def mentions_a_choice(value) -> bool:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return any(f'"{w}"' in text or text == w for w in OPTION_WORDS)


def test_secret_ballot_storage_links_no_member_to_a_choice(world):
    events: list = []
    ballot, round_id, acks = run_ballot(world, secret=True, events=events)
    assert all("choice" not in a for a in acks)  # not even echoed: a retry could not repeat it
    rows = rows_of(world.store)

    # who has voted: no choice, no time, no order
    parts = [p for p in rows["participations"] if p["round_id"] == round_id]
    assert len(parts) == len(CHOICES)
    assert all(p["choice"] is None for p in parts)
    table = models.Participation.__table__
    assert set(table.c.keys()) == {"id", "round_id", "person_id", "cast_id", "receipt", "choice"}
    assert not [c.name for c in table.c if isinstance(c.type, (DateTime, Date)) or c.name.endswith("_at")]
    ids_in_voting_order = [next(p["id"] for p in parts if p["person_id"] == m.person_id)
                           for m in world.members[:len(CHOICES)]]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids_in_voting_order)
    assert ids_in_voting_order not in (sorted(ids_in_voting_order), sorted(ids_in_voting_order, reverse=True))
    receipts = [a["receipt"] for a in acks]
    assert len(set(receipts)) == len(receipts) and receipts != sorted(receipts)

    # what was chosen: only encrypted, in the round's box; no plaintext counter of a secret round exists
    assert not [r for r in rows["tally_counts"] if r["round_id"] == round_id]
    boxed = [r for r in rows["box_ballots"] if r["round_id"] == round_id]
    assert sorted(r["hash"] for r in boxed) == sorted(receipts)
    assert not any(mentions_a_choice(json.loads(r["wire"])) for r in boxed)
    assert chosen(open_counts(world.store, round_id)) == {("main", "for"): 6, ("main", "against"): 3,
                                                          ("main", "abstain"): 3}

    # no row anywhere that names a person also names an option
    for name, table_rows in rows.items():
        for row in table_rows:
            if row.get("person_id") is not None:
                assert not mentions_a_choice({k: v for k, v in row.items() if k != "person_id"}), (name, row)
    for entry in rows["audit_log"]:
        payload = json.loads(entry["payload"])
        if "person_id" in payload or "person_ids" in payload:
            assert not mentions_a_choice(payload), entry
        if entry["action"] == "vote_cast":
            assert set(payload) == {"ballot_id", "round_id", "person_id", "receipt"}
    # nor does any event handed to the live push
    cast_events = [e for e in events if e.action == "vote_cast"]
    assert len(cast_events) == len(CHOICES)
    assert not any(mentions_a_choice(e.payload) for e in cast_events)

    # the close decrypts only the sums, and then destroys the round's key
    result = services.close_ballot(world.store, world.chair, ballot)
    assert result["questions"][0]["counts"] == {"for": 6, "against": 3, "abstain": 3}
    assert not list(world.store.keys_dir.glob("*.key"))
    with world.store.read() as s:
        assert s.get(models.Round, round_id).box_sealed is None


def test_secret_selection_keeps_no_counter_and_decrypts_the_marks(world):
    """A selection's marks are encrypted per candidate (an unmarked one encrypts 0): no counter row."""
    st = world.store
    world.open_and_sign_in()
    item = services.add_item(st, world.clerk, world.sitting_id, title="民生实事项目票决", kind="selection")
    ballot = services.create_ballot(st, world.clerk, item, spec={
        "kind": "selection", "max_marks": 2, "candidates": [{"id": f"c{i}", "name": f"项目{i}"} for i in range(1, 5)]})
    services.start_item(st, world.chair, item)
    round_id = services.open_ballot(st, world.chair, ballot)
    marks = [{"c1": "mark"}, {"c2": "mark", "c3": "mark"}, {}, {"c4": "mark"}]
    for m, choice in zip(world.members, marks, strict=False):
        services.cast_vote(st, m, ballot, choice, uuid.uuid4().hex)
    with st.read() as s:
        assert not s.scalars(select(models.TallyCount).where(models.TallyCount.round_id == round_id)).all()
        assert len(s.scalars(select(models.BoxBallot).where(models.BoxBallot.round_id == round_id)).all()) == 4
    assert chosen(open_counts(st, round_id)) == {("c1", "mark"): 1, ("c2", "mark"): 1, ("c3", "mark"): 1,
                                                 ("c4", "mark"): 1}


def test_named_ballot_stores_the_choices(world):
    events: list = []
    _ballot, round_id, _acks = run_ballot(world, secret=False, events=events)
    with world.store.read() as s:
        parts = {p.person_id: p.choice for p in s.scalars(
            select(models.Participation).where(models.Participation.round_id == round_id))}
        cast_entries = [json.loads(e.payload) for e in s.scalars(
            select(models.AuditEntry).where(models.AuditEntry.action == "vote_cast").order_by(models.AuditEntry.id))]
    assert parts == {m.person_id: {"main": c} for m, c in zip(world.members, CHOICES, strict=False)}
    assert [(e["person_id"], e["choice"]) for e in cast_entries] == [
        (m.person_id, {"main": c}) for m, c in zip(world.members, CHOICES, strict=False)]


def test_no_screen_shows_per_choice_counts_of_an_open_secret_ballot(world):
    """Before the close, every audience's snapshot and the progress push say only how many have voted."""
    import re

    from voting_server.services import terminal_view

    events: list = []
    ballot, _round_id, _acks = run_ballot(world, secret=True, events=events)
    per_choice = re.compile(r'"(for|against|abstain)": ?\d')
    views = {audience: terminal_view.snapshot(world.store, world.sitting_id, audience)
             for audience in terminal_view.AUDIENCES}
    views["seat"] = terminal_view.snapshot(world.store, world.sitting_id, "seat", world.members[1].person_id)
    views["progress"] = terminal_view.progress(world.store, world.sitting_id)
    for audience, view in views.items():
        text_ = json.dumps(view, ensure_ascii=False, default=str)
        assert not per_choice.search(text_), audience
    assert views["chair"]["ballot"]["voted"] == views["progress"]["voted"] == len(CHOICES)
    assert views["seat"]["me"]["vote"]["voted"] is True and views["seat"]["me"]["vote"]["choice"] is None
    services.close_ballot(world.store, world.chair, ballot)
    closed = terminal_view.snapshot(world.store, world.sitting_id, "display")
    assert per_choice.search(json.dumps(closed["ballot"]["result"], ensure_ascii=False))
