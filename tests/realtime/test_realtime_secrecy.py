"""Redaction: what each audience receives while a ballot is open. Every payload a terminal receives (pushes,
acknowledgements, snapshots) is scanned: before the close of a secret ballot nobody gets per-choice counts
or a result, nor who has not voted; a member's own choice reaches only their own tablets, and only on named
ballots; the chair and the clerk get the non-voters of named ballots only."""
from __future__ import annotations

import secrets

from realtime_helpers import CLERK, Terminal, tally_leaks, walk

from voting_server import demo, services

CHOICES = ["for", "for", "against", "abstain", "for", "against", "for", "for", "abstain", "for", "for", "against",
           "for", "for", "for"]


def payloads(t, *, until: int | None = None):
    entries = t.log if until is None else t.log[:until]
    return [(name, data) for name, data, _at in entries]


def open_hall(hall, seats=range(1, 16)):
    """Every audience connected; the sitting opened and signed in over Socket.IO."""
    chair, clerk, display = hall.staff("chair"), hall.staff("clerk"), hall.staff("display")
    observers = [hall.observer(1), hall.observer(2)]
    tablets = {n: hall.seat(n) for n in seats}
    chair.ok("open_sitting", {"confirm": True})
    for t in [*tablets.values(), *observers]:
        t.ok("sign_in")
    # the coalesced attendance pushes go out before the next action (see the stale-push test in
    # test_realtime_consistency.py for what happens when one is built before, and sent after, an event)
    for t in [chair, clerk, display, *observers, *tablets.values()]:
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"
    return chair, clerk, display, observers, tablets


def everyone(chair, clerk, display, observers, tablets, extra=()):
    return [chair, clerk, display, *observers, *tablets.values(), *extra]


def test_secret_ballot_shows_no_counts_and_no_non_voters_before_close(hall):
    chair, clerk, display, observers, tablets = open_hall(hall)
    terminals = everyone(chair, clerk, display, observers, tablets)
    ballot_id = hall.seed.ballots[0]
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": ballot_id})
    for n, t in tablets.items():
        t.ok("cast", {"ballot_id": ballot_id, "choice": CHOICES[n - 1], "cast_id": secrets.token_hex(8)})
        if n == 10:
            assert chair.ok("remind", {"ballot_id": ballot_id})["reminded"] == 5
    for t in terminals:
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"
        assert t.state["ballot"]["voted"] == 15 and t.state["ballot"]["status"] == "open"
    # the reminder reached those who had not voted then (found from the stored votes: the audit entry
    # of a secret ballot's reminder holds the count only)
    assert [n for n, t in tablets.items() if t.received("remind")] == [11, 12, 13, 14, 15]
    marks = {t.label: len(t.log) for t in terminals}

    for t in terminals:
        for name, data in payloads(t):
            leaks = tally_leaks(data)
            assert not leaks, f"{t.label} received per-choice counts before the close in {name}: {leaks}"
            nv = [p for p, key, _v in walk(data) if key == "non_voters"]
            assert not nv, f"{t.label} received non-voters of a secret ballot in {name}: {nv}"
        assert t.received("progress"), f"{t.label} got no progress"
        assert t.received("progress")[-1]["voted"] == 15

    chair.ok("close_ballot", {"ballot_id": ballot_id})
    for t in terminals:
        t.pump()
        closed = [d for d in t.received("event") if d["type"] == "ballot_closed"]
        assert closed, f"{t.label} did not get ballot_closed"
        counts = closed[0]["changes"]["ballot"]["result"]["questions"][0]["counts"]
        assert counts == {c: CHOICES.count(c) for c in ("for", "against", "abstain")}
        # the first result any terminal saw is the ballot_closed push (or the chair's close acknowledgement)
        first = next(i for i, (name, data, _at) in enumerate(t.log) if tally_leaks(data))
        assert first >= marks[t.label], f"{t.label}: a result before the close"


def test_secret_choice_is_not_echoed(hall):
    """On a secret ballot the member's choice is not kept anywhere that links it to them: a reloaded
    tablet shows ``me.vote.choice == null``, and so must the acknowledgement and ``me_vote`` (else a
    tablet shows the choice only until it reloads, and a retried cast answers differently from the first)."""
    chair, _clerk, _display, _observers, tablets = open_hall(hall, seats=range(1, 9))
    ballot_id = hall.seed.ballots[0]
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": ballot_id})
    seat = tablets[1]
    cast_id = secrets.token_hex(8)
    first = seat.ok("cast", {"ballot_id": ballot_id, "choice": "against", "cast_id": cast_id})
    retry = seat.ok("cast", {"ballot_id": ballot_id, "choice": "against", "cast_id": cast_id})
    seat.pump()
    [me_vote] = seat.received("me_vote")
    assert me_vote["vote"]["choice"] is None
    assert seat.fresh()["me"]["vote"]["choice"] is None
    assert retry["duplicate"] is True and retry["receipt"] == first["receipt"]
    assert first.get("choice") is None, f"the acknowledgement of a secret cast carries the choice: {first}"
    assert {k: v for k, v in first.items() if k != "duplicate"} == {k: v for k, v in retry.items() if k != "duplicate"}


def test_named_ballot_own_choice_only_and_non_voters_for_staff(hall):
    store = hall.store
    item = services.add_item(store, CLERK, hall.sitting_id, title="关于召开下次会议的决定", kind="resolution")
    ballot_id = services.create_ballot(store, CLERK, item, spec={"kind": "resolution", "question": "是否同意"},
                                       secret=False, allow_change=True)
    chair, clerk, display, observers, tablets = open_hall(hall, seats=range(1, 13))
    token2, _actor = services.pair_with_pin(store, hall.seed.body_id, "1", demo.DEMO_PIN)
    second = Terminal(hall.app, "second tablet of seat 1", auth={"token": token2})
    hall.terminals.append(second)
    terminals = everyone(chair, clerk, display, observers, tablets, [second])
    chair.ok("start_item", {"item_id": item})
    chair.ok("open_ballot", {"ballot_id": ballot_id})
    receipts: dict[int, str] = {}
    chosen: dict[int, str] = {}
    for n in range(1, 7):
        chosen[n] = CHOICES[n]
        ack = tablets[n].ok("cast", {"ballot_id": ballot_id, "choice": chosen[n], "cast_id": secrets.token_hex(8)})
        assert ack["choice"] == {"main": chosen[n]}
        receipts[n] = ack["receipt"]
    ack = tablets[1].ok("cast", {"ballot_id": ballot_id, "choice": "abstain", "cast_id": secrets.token_hex(8)})
    assert ack["changed"] is True and ack["receipt"] == receipts[1]
    chosen[1] = "abstain"
    for t in terminals:
        ok, diff = t.settle()
        assert ok, f"{t.label}: {diff}"

    owner = {t.label: n for n, t in tablets.items()}
    owner[second.label] = 1
    for t in terminals:
        mine = owner.get(t.label)
        for name, data in payloads(t):
            for path, key, value in walk(data):
                if key == "choice" and value is not None:
                    assert mine is not None, f"{t.label} received a choice in {name}: {path}"
                    assert value in (chosen[mine], {"main": chosen[mine]}, {"main": CHOICES[mine]}), \
                        f"{t.label} received a choice that is not its own in {name}: {value}"
                if key == "receipt" and value is not None:
                    assert mine is not None and value == receipts[mine], f"{t.label} got another's receipt"
            if name == "me_vote":
                assert mine is not None, f"{t.label} got a me_vote"
    for n, t in tablets.items():
        votes = t.received("me_vote")
        if n <= 6:
            assert votes and votes[-1]["vote"]["choice"] == {"main": chosen[n]}
            assert t.state["me"]["vote"]["choice"] == {"main": chosen[n]}
        else:
            assert votes == []
    assert second.received("me_vote")[-1]["vote"]["choice"] == {"main": "abstain"}, "the member's other tablet"

    expected_non_voters = [hall.person(n) for n in range(7, 13)]
    for t in (chair, clerk):
        assert [p["person_id"] for p in t.state["ballot"]["non_voters"]] == expected_non_voters
        progress = t.received("progress")
        assert progress and [p["person_id"] for p in progress[-1]["non_voters"]] == expected_non_voters
        assert [p["person_id"] for p in t.fresh()["ballot"]["non_voters"]] == expected_non_voters
    for t in [display, *observers, *tablets.values(), second]:
        for name, data in payloads(t):
            assert not [p for p, key, _v in walk(data) if key == "non_voters"], f"{t.label} got non_voters ({name})"
