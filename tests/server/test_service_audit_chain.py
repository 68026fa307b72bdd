"""The audit log is append-only and hash-chained: after a sitting the chain verifies; any change made
behind the application's back (raw SQL) is found and the first broken entry is named; the ORM refuses to
edit or delete results, audit entries and show-of-hands counts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from voting_server import models, services


@pytest.fixture
def sat(world):
    """A short sitting: a resolution voted with a show-of-hands addition, then closed."""
    st = world.store
    world.open_and_sign_in(12)
    services.set_attendance(st, world.clerk, world.sitting_id, world.members[12].person_id, "video")
    services.start_item(st, world.chair, world.items[0])
    services.open_ballot(st, world.chair, world.ballots[0])
    for m, c in zip(world.members, ["for"] * 9 + ["against"] * 2 + ["abstain"], strict=False):
        world.cast(m, world.ballots[0], c)
    services.enter_show_of_hands(st, world.clerk, world.ballots[0], counts={"main": {"for": 1}}, ballots_cast=1)
    services.close_ballot(st, world.chair, world.ballots[0])
    services.close_sitting(st, world.chair, world.sitting_id)
    return world


def raw(store, sql: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def entry_row(store, entry_id: int) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(models.AuditEntry.__table__).where(models.AuditEntry.id == entry_id))
                    .one()._mapping)


def restore(store, row: dict) -> None:
    table = models.AuditEntry.__table__
    with store.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.id == row["id"]))
        conn.execute(table.insert(), [row])


def test_chain_verifies_after_a_sitting(sat):
    report = services.verify_chain(sat.store)
    assert report.ok, str(report)
    with sat.store.read() as s:
        head = s.get(models.ChainHead, 1)
        last = s.scalar(select(models.AuditEntry).order_by(models.AuditEntry.id.desc()).limit(1))
        result = s.scalars(select(models.Result)).one()
        closing = s.get(models.AuditEntry, result.audit_id)
    assert report.entries == head.last_id == last.id and report.head == head.last_hash == last.hash
    assert closing.action == "ballot_closed" and closing.hash == result.audit_head
    assert services.verify_chain(sat.store, up_to=result.audit_id).head == result.audit_head


def test_tampering_is_found_at_the_first_broken_entry(sat):
    st = sat.store
    n = services.verify_chain(st).entries
    k = n // 2
    original = entry_row(st, k)

    def broken() -> tuple[int | None, str]:
        report = services.verify_chain(st)
        assert not report.ok
        return report.broken_id, report.reason

    # the payload of an entry
    raw(st, "UPDATE audit_log SET payload = :p WHERE id = :k", p=original["payload"].replace("}", ',"x":1}'), k=k)
    assert broken() == (k, "content does not match its hash (altered)")
    restore(st, original)
    assert services.verify_chain(st).ok

    # its hash
    raw(st, "UPDATE audit_log SET hash = :h WHERE id = :k", h="f" * 64, k=k)
    assert broken() == (k, "content does not match its hash (altered)")
    restore(st, original)

    # its link to the previous entry
    raw(st, "UPDATE audit_log SET prev_hash = :h WHERE id = :k", h="0" * 64, k=k)
    assert broken() == (k, "does not link to the previous entry's hash")
    restore(st, original)

    # another field the hash covers (who did it)
    raw(st, "UPDATE audit_log SET actor = 'admin:1:someone' WHERE id = :k", k=k)
    assert broken()[0] == k
    restore(st, original)

    # an entry altered and re-hashed consistently: the next entry no longer links to it
    from voting_server.services.base import entry_hash

    forged_payload = original["payload"].replace("}", ',"x":1}')
    forged = entry_hash(id=k, at=original["at"], actor=original["actor"], action=original["action"],
                        sitting_id=original["sitting_id"], seq=original["seq"], payload=forged_payload,
                        prev_hash=original["prev_hash"])
    raw(st, "UPDATE audit_log SET payload = :p, hash = :h WHERE id = :k", p=forged_payload, h=forged, k=k)
    assert broken() == (k + 1, "does not link to the previous entry's hash")
    restore(st, original)

    # an entry deleted from the middle
    raw(st, "DELETE FROM audit_log WHERE id = :k", k=k)
    assert broken()[0] == k
    assert "missing" in broken()[1]
    restore(st, original)

    # the first entry
    first = entry_row(st, 1)
    raw(st, "DELETE FROM audit_log WHERE id = 1")
    assert broken()[0] == 1
    restore(st, first)

    # the last entry deleted (the head still counts it)
    last = entry_row(st, n)
    raw(st, "DELETE FROM audit_log WHERE id = :n", n=n)
    assert broken()[0] == n
    restore(st, last)
    assert services.verify_chain(st).ok

    # the chain head: another hash, fewer entries, more entries
    head = (n, last["hash"])
    raw(st, "UPDATE chain_head SET last_hash = :h WHERE id = 1", h="e" * 64)
    assert broken()[0] == n
    raw(st, "UPDATE chain_head SET last_hash = :h, last_id = :i WHERE id = 1", h=entry_row(st, n - 1)["hash"], i=n - 1)
    assert broken()[0] == n  # entry n lies beyond the head's end
    raw(st, "UPDATE chain_head SET last_id = :i WHERE id = 1", i=n + 1)
    assert broken()[0] == n + 1  # the head counts an entry that is not stored
    raw(st, "UPDATE chain_head SET last_id = :i, last_hash = :h WHERE id = 1", i=head[0], h=head[1])
    assert services.verify_chain(st).ok


def test_the_orm_refuses_to_edit_or_delete_history(sat):
    st = sat.store
    for model in (models.Result, models.AuditEntry, models.HandCount):
        with st.write_session() as s, s.begin():
            obj = s.scalars(select(model).limit(1)).one()
            if model is models.Result:
                obj.data = {**obj.data, "outcome": "failed"}
            elif model is models.AuditEntry:
                obj.payload = "{}"
            else:
                obj.counts = {"main": {"for": 5}}
            with pytest.raises(PermissionError):
                s.flush()
            s.rollback()
        with st.write_session() as s, s.begin():
            s.delete(s.scalars(select(model).limit(1)).one())
            with pytest.raises(PermissionError):
                s.flush()
            s.rollback()
    assert services.verify_chain(st).ok
    with st.read() as s:
        assert s.scalars(select(models.Result)).one().data["outcome"] == "passed"


def test_appending_to_history_is_allowed(sat):
    """The guard refuses edits, not new rows: a re-vote adds a round, a show-of-hands count and a result."""
    st = sat.store
    sid = services.create_sitting(st, sat.clerk, sat.body_id, title="第三十七次会议", date="2026-11-26")
    item = services.add_item(st, sat.clerk, sid, title="关于某事项的决定")
    ballot = services.create_ballot(st, sat.clerk, item, spec={"kind": "resolution"}, method="hands")
    services.open_sitting(st, sat.chair, sid)
    for m in sat.members[:10]:
        services.sign_in(st, m, sid)
    services.start_item(st, sat.chair, item)
    for _ in range(2):
        if _:
            services.revote(st, sat.chair, ballot, reason="举手计数有误", confirm_passed=True)
        else:
            services.open_ballot(st, sat.chair, ballot)
        services.enter_show_of_hands(st, sat.clerk, ballot, counts={"main": {"for": 8, "against": 2}},
                                     ballots_cast=10)
        services.close_ballot(st, sat.chair, ballot)
    with st.read() as s:
        assert len(s.scalars(select(models.Result)).all()) == 3
        assert len(s.scalars(select(models.HandCount)).all()) == 3
    assert services.verify_chain(st).ok


class HashCounter:
    """Counts the entry hashes the audit module recomputes."""

    def __init__(self, monkeypatch) -> None:
        from voting_server.services import audit

        self.n = 0
        real = audit.entry_hash

        def counted(**kw):
            self.n += 1
            return real(**kw)

        monkeypatch.setattr(audit, "entry_hash", counted)


def test_verification_from_the_checkpoint_hashes_only_what_is_new(sat, monkeypatch):
    st = sat.store
    with st.read() as s:
        close_id = s.scalar(select(models.Result.audit_id))
    head = services.verify_chain(st).entries
    hashes = HashCounter(monkeypatch)
    assert services.verify_chain(st, up_to=close_id, from_checkpoint=True).ok  # before the checkpoint
    assert hashes.n <= 2
    assert services.audit.checkpoint(st)[0] == head
    services.create_body(st, sat.admin, name="另一个委员会")  # its entry, and the accounts it links to the first
    services.create_body(st, sat.admin, name="第三个委员会")
    with st.read() as s:
        added = (s.scalar(select(func.count()).select_from(models.AuditEntry)) or 0) - head
    assert added >= 2
    hashes.n = 0
    report = services.verify_chain(st, from_checkpoint=True)
    assert report.ok and report.entries == head + added and report.checkpoint == head
    assert hashes.n == added + 1  # the new entries, and the checkpoint's own
    assert services.audit.checkpoint(st)[0] == head + added


def test_a_break_before_the_checkpoint_is_found_by_the_full_verification(sat):
    st = sat.store
    head = services.verify_chain(st).entries
    victim = head - 5
    raw(st, "UPDATE audit_log SET payload = '{}' WHERE id = :i", i=victim)
    # entries before the checkpoint are taken as verified (only the one asked for and the checkpoint's own
    # entry are rehashed) …
    assert services.verify_chain(st, up_to=head - 1, from_checkpoint=True).ok
    # … what is asked for is rehashed …
    broken = services.verify_chain(st, up_to=victim, from_checkpoint=True)
    assert not broken.ok and broken.broken_id == victim
    # … and the full verification (verify-audit) finds the break and moves the checkpoint back before it
    full = services.verify_chain(st)
    assert not full.ok and full.broken_id == victim
    assert services.audit.checkpoint(st)[0] == victim - 1
    again = services.verify_chain(st, from_checkpoint=True)
    assert not again.ok and again.broken_id == victim


def test_an_altered_checkpoint_entry_is_found(sat):
    st = sat.store
    head = services.verify_chain(st).entries
    raw(st, "UPDATE audit_log SET actor = 'someone' WHERE id = :i", i=head)
    report = services.verify_chain(st, from_checkpoint=True)
    assert not report.ok and report.broken_id == head and "altered" in report.reason
