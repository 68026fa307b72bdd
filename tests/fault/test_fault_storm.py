"""A reconnect storm: 1,000 seats lose the network at once in the middle of a ballot and come back.

A real server process (eventlet) behind a TCP relay; 1,000 real websocket clients, all signed in, a secret
resolution open. 400 seats have voted (acknowledged); 100 more press just as the network goes (their casts
may or may not reach the server); as the first of them is acknowledged, every tablet-side connection is
reset at once, while the server's side stays open and silent, as when an access point fails: the server
learns of it only by its ping timeout. All seats reconnect at once. Each one's fresh snapshot must say
exactly what is stored: whether it has voted and its receipt, how many have voted, who is present. The seats
without an acknowledgement send again with the same cast_id, the other 500 vote, and every seat ends showing
all 1,000 votes and its own, with each vote stored once."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from fault_helpers import (
    Phases,
    Relay,
    choice_of,
    expected_counts,
    gather_limited,
    open_hall,
    stored_round,
    verify_chain,
)
from support.database import seed_hall
from support.polling import wait_until
from support.terminal import new_cast_id

SEATS = 1000
VOTED_BEFORE = 400  # acknowledged before the drop
IN_FLIGHT = 100  # pressed as the network went


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_reconnect_storm_mid_ballot(servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'storm.sqlite3'}"
    ids = seed_hall(url, SEATS)
    server = servers(url, tmp_path)
    server.start()
    figures = asyncio.run(storm_run(server, url, ids, ids["member_ids"]))
    print(f"\n[storm] seats {SEATS}: dropped {figures['dropped']} connections at once; acknowledged before "
          f"the drop {figures['acked']}, in flight {IN_FLIGHT} ({figures['in_flight_stored']} stored, "
          f"{figures['in_flight_acked']} acknowledged before the drop); seats resynced with a correct snapshot "
          f"{figures['resynced']}/{SEATS}; final stored {figures['final']}, tally {figures['tally']}; "
          f"seconds {figures['phases']}")
    server.assert_clean_logs()


async def storm_run(server: Any, url: str, ids: dict[str, Any], person_ids: list[int]) -> dict[str, Any]:
    n = len(ids["tokens"])
    phase = Phases()

    relay = Relay(server.port)
    await relay.start()
    try:
        chair, seats, round_id = await open_hall(server, ids, relay.base, phase)

        cast_ids = [new_cast_id() for _ in seats]

        def cast(i: int) -> dict[str, Any]:
            return {"ballot_id": ids["ballot_id"], "choice": choice_of(i), "cast_id": cast_ids[i]}

        early = range(VOTED_BEFORE)
        acks = await asyncio.gather(*(seats[i].call("cast", cast(i)) for i in early))
        assert all(a["ok"] for a in acks)
        acked = {i: a for i, a in zip(early, acks, strict=True)}
        await wait_until(lambda: all(s.state["ballot"]["voted"] == VOTED_BEFORE for s in seats), 30,
                         "every seat to show the first votes")
        phase("first votes")

        # --- the storm ---------------------------------------------------------------------------------
        in_flight = range(VOTED_BEFORE, VOTED_BEFORE + IN_FLIGHT)
        late_acks: dict[int, dict[str, Any]] = {}
        dropped = 0

        def on_late_ack(i: int, ack: dict[str, Any]) -> None:
            nonlocal dropped
            late_acks[i] = ack
            if not dropped:  # the network goes as the first of these acknowledgements comes back
                dropped = relay.drop_all()

        await asyncio.gather(*(seats[i].sio.emit("cast", cast(i), callback=lambda a, i=i: on_late_ack(i, a))
                               for i in in_flight))
        await wait_until(lambda: bool(dropped), 30, "the first acknowledgement of a pressed seat")
        await wait_until(lambda: all(s.dropped.is_set() for s in seats), 60, "every seat to notice the drop")
        acked.update(late_acks)
        in_flight_acked = len(late_acks)
        await asyncio.sleep(1.0)  # whatever reached the server is committed by now
        at_drop = stored_round(url, round_id, server.instance)
        stored = {pid: receipt for pid, receipt, _c, _ch in at_drop["participations"]}
        for i, ack in acked.items():
            assert ack["ok"] and stored.get(person_ids[i]) == ack["receipt"]
        phase("dropped")

        await gather_limited([s.connect(relay.base) for s in seats], limit=500)
        phase("reconnected")
        resynced = 0
        for i, s in enumerate(seats):
            snap = s.first_snapshot
            assert snap is not None
            ballot, me = snap["ballot"], snap["me"]
            assert (ballot["round_id"], ballot["status"]) == (round_id, "open"), (i, ballot)
            assert ballot["voted"] == len(stored), (i, ballot["voted"], len(stored))
            assert snap["attendance"]["present"] == n and snap["attendance"]["quorum_held"], snap["attendance"]
            assert me["signed_in"] and me["attendance"] == "present", me
            vote = me["vote"]
            assert vote["round_id"] == round_id
            assert vote["voted"] == (person_ids[i] in stored), (i, vote)
            assert vote["receipt"] == stored.get(person_ids[i]), (i, vote)
            if i in acked:
                assert vote["receipt"] == acked[i]["receipt"]
            resynced += 1

        # --- the rest vote; the unacknowledged send again with the same cast_id ------------------------------
        rest = [i for i in range(n) if i not in acked]
        answers = await asyncio.gather(*(seats[i].call("cast", cast(i)) for i in rest))
        for i, ack in zip(rest, answers, strict=True):
            assert ack["ok"], (i, ack)
            assert ack["duplicate"] == (person_ids[i] in stored), (i, ack)
            if person_ids[i] in stored:
                assert ack["receipt"] == stored[person_ids[i]]
        await wait_until(lambda: all(s.has_voted and s.state["ballot"]["voted"] == n for s in seats), 60,
                         "every seat to show all votes and its own")
        phase("everyone voted")

        # the state each seat built from pushes is what a fresh snapshot says
        fresh = await gather_limited([s.call("snapshot") for s in seats], limit=500)
        for s, ack in zip(seats, fresh, strict=True):
            assert ack["ok"]
            assert ack["snapshot"]["me"]["vote"] == s.state["me"]["vote"]
            assert ack["snapshot"]["ballot"]["voted"] == s.state["ballot"]["voted"] == n

        final = stored_round(url, round_id, server.instance)
        persons = Counter(pid for pid, _r, _c, _ch in final["participations"])
        assert set(persons) == set(person_ids) and max(persons.values()) == 1
        assert final["voters"] == n
        want = expected_counts(n)
        assert {o: c for (_q, o), c in final["counts"].items()} == want
        closed = await chair.call("close_ballot", {"ballot_id": ids["ballot_id"]})
        assert closed["ok"], closed
        assert closed["result"]["questions"][0]["counts"] == want
        assert closed["result"]["turnout"]["cast"] == n
        assert verify_chain(url).ok
        phase("closed")
        in_flight_stored = sum(1 for i in in_flight if person_ids[i] in stored)
        await asyncio.gather(*(s.sio.disconnect() for s in seats + [chair]), return_exceptions=True)
    finally:
        await relay.close()
    return {"dropped": dropped, "acked": VOTED_BEFORE, "in_flight_stored": in_flight_stored,
            "in_flight_acked": in_flight_acked, "resynced": resynced, "final": len(final["participations"]),
            "tally": closed["result"]["questions"][0]["counts"], "phases": dict(phase)}
