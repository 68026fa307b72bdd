"""Casting is idempotent and race-free: a retry returns the first acknowledgement, a second ballot is
refused, and threads racing on one member or on many members count each member exactly once. Runs on a
file-based SQLite database (WAL) and on PostgreSQL."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from support.box import open_counts

from voting_server import models, services
from voting_server.services import CastRequest, Conflict


@pytest.fixture
def live(world):
    world.open_and_sign_in()
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    return world


def state(store, ballot_id: int) -> tuple[int, int, dict[str, int], int]:
    """(participations, round.voters, counters, vote_cast audit entries) of the ballot's latest round."""
    with store.read() as s:
        rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id)
                       .order_by(models.Round.number.desc()))
        parts = s.scalar(select(func.count()).select_from(models.Participation)
                         .where(models.Participation.round_id == rnd.id))
        counters = {o: n for opts in open_counts(store, rnd.id).values() for o, n in opts.items()}
        entries = s.scalar(select(func.count()).select_from(models.AuditEntry)
                           .where(models.AuditEntry.action == "vote_cast"))
        return parts, rnd.voters, counters, entries


def race(n: int, fn) -> list:
    """Run ``fn(i)`` in ``n`` threads released together; return each outcome (a value or the exception)."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as err:  # noqa: BLE001 - collected and checked by the caller
            out[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a cast hung"
    return out


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "named"])
def test_retry_with_the_same_cast_id_returns_the_first_ack(world, refuse, secret):
    st = world.store
    world.open_and_sign_in()
    item = services.add_item(st, world.clerk, world.sitting_id, title="关于某事项的决定")
    ballot = services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, secret=secret)
    services.start_item(st, world.chair, item)
    services.open_ballot(st, world.chair, ballot)
    m = world.members[0]
    first = services.cast_vote(st, m, ballot, "for", "tablet-cast-0001")
    assert first["duplicate"] is False
    # the choice is echoed on a named ballot only: a secret one's acknowledgement never carries it
    assert first.get("choice") == (None if secret else {"main": "for"})
    before = state(st, ballot)
    assert before[:3] == (1, 1, {"for": 1, "against": 0, "abstain": 0})
    again = services.cast_vote(st, m, ballot, "for", "tablet-cast-0001")
    assert again["duplicate"] is True
    # exactly the same acknowledgement, secret or named
    assert {k: v for k, v in again.items() if k != "duplicate"} == {k: v for k, v in first.items() if k != "duplicate"}
    if not secret:
        assert again["choice"] == {"main": "for"}
    # a retry whose body changed on the way is still the first vote, not a second one
    services.cast_vote(st, m, ballot, "against", "tablet-cast-0001")
    assert state(st, ballot) == before
    err = refuse(lambda: services.cast_vote(st, m, ballot, "against", "tablet-cast-0002"), Conflict, "already_voted")
    assert err.details["receipt"] == first["receipt"]


def test_one_member_racing_with_different_cast_ids_counts_once(live):
    m = live.members[0]
    out = race(20, lambda i: services.cast_vote(live.store, m, live.ballots[0], ["for", "against", "abstain"][i % 3],
                                                f"race-{i:04d}-{uuid.uuid4().hex[:8]}"))
    acks = [o for o in out if isinstance(o, dict)]
    refusals = [o for o in out if not isinstance(o, dict)]
    assert len(acks) == 1 and acks[0]["duplicate"] is False
    assert len(refusals) == 19 and all(isinstance(e, Conflict) and e.code == "already_voted" for e in refusals)
    parts, voters, counters, entries = state(live.store, live.ballots[0])
    assert (parts, voters, sum(counters.values()), entries) == (1, 1, 1, 1)
    winner = int(acks[0]["cast_id"].split("-")[1])  # the secret ballot's ack names no choice: its cast does
    assert counters[["for", "against", "abstain"][winner % 3]] == 1


def test_one_member_racing_with_the_same_cast_id_gets_one_receipt(live):
    m = live.members[0]
    out = race(20, lambda i: services.cast_vote(live.store, m, live.ballots[0], "for", "double-tap-00000001"))
    assert all(isinstance(o, dict) for o in out), [o for o in out if not isinstance(o, dict)]
    assert len({o["receipt"] for o in out}) == 1
    assert sorted(o["duplicate"] for o in out) == [False] + [True] * 19
    parts, voters, counters, entries = state(live.store, live.ballots[0])
    assert (parts, voters, counters, entries) == (1, 1, {"for": 1, "against": 0, "abstain": 0}, 1)


def test_many_members_at_once_are_all_counted_once(live):
    members = live.members  # 15, all present; each from two tablets at once
    choices = ["for"] * 9 + ["against"] * 4 + ["abstain"] * 2
    out = race(30, lambda i: services.cast_vote(live.store, members[i % 15], live.ballots[0], choices[i % 15],
                                                uuid.uuid4().hex))
    acks = [o for o in out if isinstance(o, dict)]
    assert len(acks) == 15 and all(not a["duplicate"] for a in acks)
    assert all(isinstance(o, Conflict) and o.code == "already_voted" for o in out if not isinstance(o, dict))
    parts, voters, counters, entries = state(live.store, live.ballots[0])
    assert (parts, voters, counters, entries) == (15, 15, {"for": 9, "against": 4, "abstain": 2}, 15)
    result = services.close_ballot(live.store, live.chair, live.ballots[0])
    assert result["questions"][0]["counts"] == {"for": 9, "against": 4, "abstain": 2}
    assert result["questions"][0]["not_voted"] == 0
    assert services.verify_chain(live.store).ok


def test_group_commit_batch_counts_each_member_once(live):
    """A batch (as the live server group-commits casts) with a double tap and a retry inside it."""
    m = live.members
    reqs = [CastRequest(m[0], live.ballots[0], "for", "batch-0000-a"),
            CastRequest(m[0], live.ballots[0], "against", "batch-0000-b"),
            CastRequest(m[1], live.ballots[0], "against", "batch-0001-a"),
            CastRequest(m[1], live.ballots[0], "against", "batch-0001-a"),
            CastRequest(m[2], live.ballots[0], ["bad"], "batch-0002-a"),
            CastRequest(m[3], live.ballots[0], "abstain", "batch-0003-a", m[4].person_id)]
    out = services.cast_many(live.store, reqs)
    assert out[0]["ok"] and not out[0]["duplicate"]
    assert isinstance(out[1], Conflict) and out[1].code == "already_voted"
    assert out[2]["ok"] and out[3]["duplicate"] and out[3]["receipt"] == out[2]["receipt"]
    assert out[4].code == "bad_choice" and out[5].code == "not_yourself"
    parts, voters, counters, entries = state(live.store, live.ballots[0])
    assert (parts, voters, counters, entries) == (2, 2, {"for": 1, "against": 1, "abstain": 0}, 2)
    # and concurrent batches racing each other
    out = race(6, lambda i: services.cast_many(live.store, [
        CastRequest(m[j], live.ballots[0], "for", f"batch-{i}-{j:04d}") for j in range(4, 15)]))
    assert all(isinstance(o, list) for o in out), out
    wins = [r for batch in out for r in batch if isinstance(r, dict)]
    assert len(wins) == 11
    parts, voters, counters, entries = state(live.store, live.ballots[0])
    assert (parts, voters, counters, entries) == (13, 13, {"for": 12, "against": 1, "abstain": 0}, 13)
