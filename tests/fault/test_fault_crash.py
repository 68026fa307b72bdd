"""kill -9 in the middle of a 500-seat burst: every acknowledged vote is stored, none twice.

A real server process (eventlet), 500 real websocket clients, all signed in, a secret resolution open. Every
seat casts at once, the way a hall presses: within 1.5 seconds, so that the server is still committing
batches when it dies (500 casts sent in the same millisecond are committed in one batch and acknowledged
together, and a kill after half of the acknowledgements would catch nothing in flight). When about half the
acknowledgements have arrived the server is killed with SIGKILL. It is restarted on the same port and
database; each seat reconnects, takes the fresh snapshot (which must say exactly whether its vote was
stored, with the stored receipt) and sends again, with the same cast_id, every cast it had no
acknowledgement for. Then each seat's vote is stored exactly once, every acknowledged receipt is in the
stored participations, and the close counts each choice once."""
from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest
from fault_helpers import (
    Phases,
    choice_of,
    expected_counts,
    gather_limited,
    open_hall,
    stored_round,
    verify_chain,
)
from support.clients import AsyncLiveClient
from support.database import seed_hall
from support.polling import wait_until
from support.terminal import new_cast_id

SEATS = 500
SPREAD = 1.5  # seconds over which the hall presses


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_kill9_mid_burst_keeps_every_acknowledged_vote_once(database_url, servers, tmp_path):
    ids = seed_hall(database_url, SEATS)
    server = servers(database_url, tmp_path)
    server.start()
    figures = asyncio.run(crash_run(server, database_url, ids, ids["member_ids"]))
    kind = database_url.split(":", 1)[0].split("+", 1)[0]
    print(f"\n[crash/{kind}] seats {SEATS}: acknowledged before the kill {figures['acked']}, "
          f"stored at the kill {figures['stored_at_kill']} ({figures['stored_unacked']} stored without an "
          f"acknowledgement, {figures['lost_unacked']} never reached the database), retried with the same "
          f"cast_id {figures['retried']} ({figures['retry_duplicates']} answered as duplicates), "
          f"seats resynced {figures['resynced']}/{SEATS}, final stored {figures['final']}, "
          f"tally {figures['tally']}; seconds {figures['phases']}")
    server.assert_clean_logs()


async def crash_run(server: Any, url: str, ids: dict[str, Any], person_ids: list[int]) -> dict[str, Any]:
    n = len(ids["tokens"])
    phase = Phases()

    chair, seats, round_id = await open_hall(server, ids, server.url, phase)
    # --- the burst, and the kill after about half the acknowledgements --------------------------------
    cast_ids = [new_cast_id() for _ in seats]
    acked: dict[int, dict[str, Any]] = {}

    def on_ack(i: int) -> Any:
        def callback(ack: dict[str, Any]) -> None:
            acked[i] = ack
            if len(acked) >= n // 2:
                server.kill9()
        return callback

    rng = random.Random(7)
    delays = [rng.uniform(0, SPREAD) for _ in seats]

    async def press(i: int, seat: AsyncLiveClient) -> None:
        await asyncio.sleep(delays[i])
        if seat.sio.connected and not seat.dropped.is_set():
            await seat.sio.emit("cast", {"ballot_id": ids["ballot_id"], "choice": choice_of(i),
                                         "cast_id": cast_ids[i]}, callback=on_ack(i))

    await asyncio.gather(*(press(i, s) for i, s in enumerate(seats)), return_exceptions=True)
    await wait_until(lambda: all(s.dropped.is_set() for s in seats + [chair]), 60,
                     "every client to see the server go")
    server.wait_dead()
    phase("killed")
    acked_before = dict(acked)
    assert all(a["ok"] and not a["duplicate"] for a in acked_before.values()), list(acked_before.values())[:3]
    assert n // 2 <= len(acked_before) <= n

    at_kill = stored_round(url, round_id, server.instance)
    stored = {pid: receipt for pid, receipt, _cid, _choice in at_kill["participations"]}
    assert len(stored) == len(at_kill["participations"]) == at_kill["voters"]
    for i, ack in acked_before.items():  # an acknowledgement is sent only after the commit
        assert stored.get(person_ids[i]) == ack["receipt"], f"seat {i}: acknowledged but not stored"
    assert at_kill["status"] == "open"

    # --- restart; every seat reconnects and resyncs -------------------------------------------------------
    server.start()
    phase("restarted")
    await chair.connect(server.url)
    await gather_limited([s.connect(server.url) for s in seats])
    phase("reconnected")
    resynced = 0
    for i, s in enumerate(seats):
        snap = s.first_snapshot
        assert snap is not None
        ballot, vote = snap["ballot"], snap["me"]["vote"]
        assert ballot["round_id"] == round_id and ballot["status"] == "open", ballot
        assert ballot["voted"] == len(stored), (ballot["voted"], len(stored))
        assert vote["round_id"] == round_id
        assert vote["voted"] == (person_ids[i] in stored), (i, vote)
        assert vote["receipt"] == stored.get(person_ids[i])
        assert vote["choice"] is None  # secret ballot: not even the member's own screen keeps it
        if i in acked_before:
            assert vote["receipt"] == acked_before[i]["receipt"]
        resynced += 1

    # --- every cast without an acknowledgement is sent again, same cast_id ----------------------------------
    retry = [i for i in range(n) if i not in acked_before]
    answers = await asyncio.gather(*(seats[i].call("cast", {"ballot_id": ids["ballot_id"], "choice": choice_of(i),
                                                           "cast_id": cast_ids[i]}) for i in retry))
    duplicates = 0
    for i, ack in zip(retry, answers, strict=True):
        assert ack["ok"], (i, ack)
        was_stored = person_ids[i] in stored
        assert ack["duplicate"] == was_stored, (i, ack, was_stored)
        if was_stored:
            assert ack["receipt"] == stored[person_ids[i]]
            duplicates += 1
    await wait_until(lambda: all(s.has_voted and s.state["ballot"]["voted"] == n for s in seats), 30,
                     "every seat to show its own vote and all voted")

    phase("retried")
    # --- stored: one participation per seat, every acknowledged receipt, counts exact ------------------------
    final = stored_round(url, round_id, server.instance)
    persons = Counter(pid for pid, _r, _c, _ch in final["participations"])
    assert set(persons) == set(person_ids) and max(persons.values()) == 1
    receipts = {pid: receipt for pid, receipt, _c, _ch in final["participations"]}
    for i, ack in acked_before.items():
        assert receipts[person_ids[i]] == ack["receipt"]
    for i, ack in zip(retry, answers, strict=True):
        assert receipts[person_ids[i]] == ack["receipt"]
    assert all(choice is None for _p, _r, _c, choice in final["participations"])
    assert final["voters"] == n
    want = expected_counts(n)
    assert {o: c for (_q, o), c in final["counts"].items()} == want

    closed = await chair.call("close_ballot", {"ballot_id": ids["ballot_id"]})
    assert closed["ok"], closed
    result = closed["result"]
    assert result["questions"][0]["counts"] == want
    assert sum(result["questions"][0]["counts"].values()) == n == result["turnout"]["cast"]
    report = verify_chain(url)
    assert report.ok, str(report)
    phase("closed")

    await asyncio.gather(*(s.sio.disconnect() for s in seats + [chair]), return_exceptions=True)
    return {"acked": len(acked_before), "stored_at_kill": len(stored),
            "stored_unacked": len(stored) - len(acked_before), "lost_unacked": n - len(stored),
            "retried": len(retry), "retry_duplicates": duplicates, "resynced": resynced,
            "final": len(final["participations"]), "tally": result["questions"][0]["counts"], "phases": dict(phase)}
