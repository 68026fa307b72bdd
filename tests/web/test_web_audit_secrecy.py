"""The audit log as the consoles read it keeps a secret ballot secret: during the ballot and after it,
nobody learns who voted when (no member, no receipt on a vote's entry), and a reminder tells the chair
how many have not voted, never who. A named ballot's entries name the members. The stored chain is
unchanged: its verification still covers every entry."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from web_helpers import pair_tablet

from voting_server import models


def ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:400])
    return r.get_json()


def entries(client, sitting, action, ballot):
    page = ok(client.get(f"/api/audit?sitting_id={sitting}&action={action}&limit=500"))
    return [e for e in page["entries"] if e["payload"]["ballot_id"] == ballot]


def names_someone(entry, people) -> list[str]:
    text = json.dumps(entry, ensure_ascii=False)
    found = [f"person:{pid}" for pid, _name in people if f"person:{pid}:" in text]
    return found + [name for _pid, name in people if name in text]


def test_secret_ballot_audit_shows_counts_only(app, api, clerk, chair, admin, seeded, store):
    sitting, body = seeded.sitting_id, seeded.body_id
    with store.read() as s:
        people = [(p.id, p.name) for p in s.scalars(select(models.Person).where(models.Person.body_id == body))]
        secret_ballot = seeded.ballots[0]
        assert s.get(models.Ballot, secret_ballot).secret is True
    tablets = [pair_tablet(app, body, str(seat)) for seat in range(1, 16)]
    ok(chair.post(f"/api/sittings/{sitting}/open", {"confirm": True}))
    for t in tablets:
        ok(t.post(f"/api/sittings/{sitting}/sign-in"))
    ok(chair.post(f"/api/items/{seeded.items[0]}/start"))
    ok(chair.post(f"/api/ballots/{secret_ballot}/open"))
    receipts = []
    for t in tablets[:10]:
        r = ok(t.post(f"/api/ballots/{secret_ballot}/cast", {"choice": "for", "cast_id": uuid.uuid4().hex}))
        receipts.append(r["receipt"])

    # while the ballot is open: every console that reads the audit sees how many, not who
    assert ok(chair.post(f"/api/ballots/{secret_ballot}/remind")) == {"reminded": 5}
    for reader in (chair, clerk, admin):
        casts = entries(reader, sitting, "vote_cast", secret_ballot)
        assert len(casts) == 10
        for e in casts:
            assert e["actor"] == "member" and e["redacted"] is True, e
            assert set(e["payload"]) == {"ballot_id", "round_id"}, e
            assert not names_someone(e, people), e
            assert not any(code in json.dumps(e) for code in receipts), e
        reminded = entries(reader, sitting, "reminded", secret_ballot)
        assert len(reminded) == 1 and reminded[0]["payload"]["count"] == 5
        assert "person_ids" not in reminded[0]["payload"] and not names_someone(reminded[0]["payload"], people)
    # what is stored for the reminder holds the count only
    with store.read() as s:
        stored = [json.loads(p) for p in s.scalars(select(models.AuditEntry.payload).where(
            models.AuditEntry.action == "reminded"))]
    assert stored and all("person_ids" not in p and p["count"] == 5 for p in stored), stored

    # after the close too (RULES.md: nobody may learn it, during or after the vote)
    ok(chair.post(f"/api/ballots/{secret_ballot}/close"))
    casts = entries(clerk, sitting, "vote_cast", secret_ballot)
    assert len(casts) == 10 and all(e["actor"] == "member" and set(e["payload"]) == {"ballot_id", "round_id"}
                                    for e in casts)
    # the chain is whole: the view is redacted, not the stored entries
    report = ok(admin.get("/api/audit/verify"))
    assert report["ok"] is True, report


def test_named_ballot_audit_names_the_members(app, api, clerk, chair, seeded, store):
    sitting, body = seeded.sitting_id, seeded.body_id
    item = ok(clerk.post(f"/api/sittings/{sitting}/items", {"title": "关于记名表决的决定"}), 201)["id"]
    ballot = ok(clerk.post(f"/api/items/{item}/ballots", {"spec": {"kind": "resolution"}, "secret": False}), 201)["id"]
    tablets = [pair_tablet(app, body, str(seat)) for seat in range(1, 11)]
    ok(chair.post(f"/api/sittings/{sitting}/open", {"confirm": True}))
    for t in tablets:
        ok(t.post(f"/api/sittings/{sitting}/sign-in"))
    ok(chair.post(f"/api/items/{item}/start"))
    ok(chair.post(f"/api/ballots/{ballot}/open"))
    ok(tablets[0].post(f"/api/ballots/{ballot}/cast", {"choice": "for", "cast_id": uuid.uuid4().hex}))
    assert ok(chair.post(f"/api/ballots/{ballot}/remind")) == {"reminded": 9}
    casts = entries(chair, sitting, "vote_cast", ballot)
    assert len(casts) == 1 and "person_id" in casts[0]["payload"] and "redacted" not in casts[0]
    assert casts[0]["actor"].startswith("member:person:")
    reminded = entries(chair, sitting, "reminded", ballot)
    assert len(reminded[0]["payload"]["person_ids"]) == 9
