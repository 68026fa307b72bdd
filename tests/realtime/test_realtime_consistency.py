"""Event consistency, as Zulip tests its event system: every audience takes a snapshot, an action happens,
the terminal applies the pushes it received to its old snapshot (docs/protocol.md section 3), and the
result must equal a fresh snapshot asked for with the ``snapshot`` command. Every numbered ``event`` must
carry exactly the next sequence number of the terminal's audience room.

The only liberty taken is the one protocol.md states: "you have voted" is ``me.vote.round_id ==
ballot.round_id and me.vote.voted``, so a vote of an earlier round and ``null`` both read "not voted"."""
from __future__ import annotations

import secrets
import time

from realtime_helpers import CLERK, Terminal

from voting_server import demo, services
from voting_server.services import Actor

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def member(hall, n: int) -> Actor:
    return Actor(role="member", name=str(n), person_id=hall.person(n))


def test_pushes_bring_every_audience_to_a_fresh_snapshot(hall, tmp_path):
    store, sid = hall.store, hall.sitting_id
    items, ballots = hall.seed.items, hall.seed.ballots
    token1b, _ = services.pair_with_pin(store, hall.seed.body_id, "1", demo.DEMO_PIN)
    terminals = {
        "seat1": hall.seat(1), "seat2": hall.seat(2), "observer": hall.observer(1), "chair": hall.staff("chair"),
        "clerk": hall.staff("clerk"), "admin": hall.staff("admin"), "display": hall.staff("display"),
    }
    terminals["seat1b"] = Terminal(hall.app, "second tablet of seat 1", auth={"token": token1b})
    hall.terminals.append(terminals["seat1b"])
    seat1, seat2, observer, chair, clerk = (terminals[k] for k in ("seat1", "seat2", "observer", "chair", "clerk"))
    start_seq = {label: t.state["seq"] for label, t in terminals.items()}
    named: dict[str, int] = {}
    log: list[str] = []

    def cast(n: int, ballot_id: int, choice) -> None:
        services.cast_vote(store, member(hall, n), ballot_id, choice, secrets.token_hex(8))

    def add_named_item() -> None:
        named["item"] = services.add_item(store, CLERK, sid, title="关于召开下次会议的决定", kind="resolution",
                                          position=2)
        named["ballot"] = services.create_ballot(store, CLERK, named["item"], secret=False, allow_change=True,
                                                 spec={"kind": "resolution", "question": "是否同意"})
        services.add_document(store, CLERK, named["item"], filename="决定草案.pdf", data=MINIMAL_PDF,
                              folder=str(tmp_path / "docs"), max_bytes=1 << 20)

    def speakers() -> None:
        rid = seat2.ok("speak", {"item_id": items[0]})["request_id"]
        orid = observer.ok("speak", {"item_id": items[0]})["request_id"]
        chair.ok("speaker", {"request_id": rid, "move": "grant"})
        chair.ok("speaker", {"request_id": rid, "move": "done"})
        observer.ok("speaker", {"request_id": orid, "move": "withdraw"})
        seat1.ok("speak", {"item_id": items[0]})

    def first_round_casts() -> None:
        seat1.ok("cast", {"ballot_id": ballots[0], "choice": "for", "cast_id": secrets.token_hex(8)})
        for n in range(3, 10):
            cast(n, ballots[0], ["for", "against", "abstain"][n % 3])

    def second_round_casts() -> None:
        seat2.ok("cast", {"ballot_id": ballots[0], "choice": "against", "cast_id": secrets.token_hex(8)})
        for n in range(3, 12):
            cast(n, ballots[0], "for")

    def named_casts() -> None:
        seat1.ok("cast", {"ballot_id": named["ballot"], "choice": "for", "cast_id": secrets.token_hex(8)})
        terminals["seat1b"].ok("cast", {"ballot_id": named["ballot"], "choice": "against",
                                        "cast_id": secrets.token_hex(8)})  # a change from the other tablet
        for n in range(3, 8):
            cast(n, named["ballot"], "for")

    def hands() -> None:
        clerk.ok("hands", {"ballot_id": ballots[1], "counts": {"p1": {"for": 9, "against": 2, "abstain": 1}},
                           "ballots": 12, "invalid": 0, "note": "表决器故障", "confirm": True})

    steps = [
        ("open sitting", lambda: chair.ok("open_sitting")),
        ("sign-ins over Socket.IO", lambda: [t.ok("sign_in") for t in (seat1, seat2, observer)]),
        ("sign-ins through the services", lambda: [services.sign_in(store, member(hall, n), sid)
                                                   for n in range(3, 13)]),
        ("set attendance", lambda: [clerk.ok("set_attendance", {"person_id": hall.person(14), "status": "leave",
                                                                "reason": "出差"}),
                                    clerk.ok("set_attendance", {"person_id": hall.person(15), "status": "video"}),
                                    clerk.ok("set_attendance", {"person_id": hall.person(12), "status": "absent"})]),
        ("start item 1", lambda: chair.ok("start_item", {"item_id": items[0]})),
        ("speak, grant, done, withdraw", speakers),
        ("open secret ballot", lambda: chair.ok("open_ballot", {"ballot_id": ballots[0]})),
        ("casts", first_round_casts),
        ("extend", lambda: chair.ok("extend", {"ballot_id": ballots[0], "seconds": 120})),
        ("remind", lambda: chair.ok("remind", {"ballot_id": ballots[0]})),
        ("attendance during a ballot", lambda: clerk.ok("set_attendance", {"person_id": hall.person(12),
                                                                            "status": "present"})),
        ("close ballot", lambda: chair.ok("close_ballot", {"ballot_id": ballots[0]})),
        ("revote", lambda: chair.ok("revote", {"ballot_id": ballots[0]})),
        ("casts in the new round", second_round_casts),
        ("close the new round", lambda: chair.ok("close_ballot", {"ballot_id": ballots[0]})),
        ("add item, ballot and document through the services", add_named_item),
        ("finish item 1", lambda: chair.ok("finish_item", {"item_id": items[0]})),
        ("start the added item", lambda: chair.ok("start_item", {"item_id": named["item"]})),
        ("open named ballot", lambda: chair.ok("open_ballot", {"ballot_id": named["ballot"]})),
        ("named casts and a change", named_casts),
        ("close named ballot", lambda: chair.ok("close_ballot", {"ballot_id": named["ballot"]})),
        ("start item 2 (moves on from the added one)", lambda: chair.ok("start_item", {"item_id": items[1]})),
        ("open the removal", lambda: chair.ok("open_ballot", {"ballot_id": ballots[1]})),
        ("show of hands", hands),
        ("close by hands", lambda: chair.ok("close_ballot", {"ballot_id": ballots[1]})),
        ("close sitting", lambda: chair.ok("close_sitting")),
    ]
    for label, action in steps:
        action()
        log.append(label)
        for name, t in terminals.items():
            ok, diff = t.settle()
            assert ok, f"after {' → '.join(log)}: {name} ({t.state.get('audience')}) differs from a fresh " \
                       f"snapshot at {diff}"

    final_seq = chair.state["seq"]
    assert chair.state["sitting"]["status"] == "closed"
    for name, t in terminals.items():
        assert t.seqs == list(range(start_seq[name] + 1, final_seq + 1)), f"{name}: {t.seqs}"
    assert len(chair.state["results"]) == 4
    assert seat1.state["me"]["vote"]["voted"] is True


def test_a_coalesced_push_built_before_a_numbered_event_does_not_undo_it(hall, monkeypatch):
    """The attendance push is built by the coalescing loop from what it reads, and sent a moment later. If a
    numbered event (here: the close of the ballot) is pushed in between, a terminal applying the attendance
    push afterwards (protocol.md: "replace attendance and ballot") must not end up showing the ballot open
    again. The gap is widened on purpose so that the order is certain."""
    from voting_server.realtime import publisher as publisher_module

    store, sid = hall.store, hall.sitting_id
    chair, seat = hall.staff("chair"), hall.seat(1)
    chair.ok("open_sitting")
    for n in range(1, 13):
        services.sign_in(store, member(hall, n), sid)
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": hall.seed.ballots[0]})
    for t in (chair, seat):
        assert t.settle()[0]

    built, release = [], []
    original = publisher_module.terminal_view.sections_by_audience

    def slow_build(s, sitting, names):
        out = original(s, sitting, names)
        if tuple(names) == ("attendance", "ballot"):
            built.append(time.monotonic())
            deadline = time.monotonic() + 2
            while not release and time.monotonic() < deadline:
                time.sleep(0.01)
        return out

    monkeypatch.setattr(publisher_module.terminal_view, "sections_by_audience", slow_build)
    services.sign_in(store, member(hall, 13), sid)  # marks attendance dirty; the loop starts building
    assert _wait(lambda: built), "the attendance push was not built"
    chair.ok("close_ballot", {"ballot_id": hall.seed.ballots[0]})
    release.append(True)
    time.sleep(0.3)
    monkeypatch.setattr(publisher_module.terminal_view, "sections_by_audience", original)
    for t in (chair, seat):
        t.pump()
        assert t.state["ballot"]["status"] == "closed", \
            f"{t.label}: a stale attendance push re-opened the closed ballot on screen"
        ok, diff = t.settle(timeout=0.5)
        assert ok, f"{t.label}: {diff}"


def _wait(check, timeout=3.0):
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()
