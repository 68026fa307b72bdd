"""Coalescing: ballot progress and attendance reach terminals as at most one push per interval and sitting,
however fast votes and sign-ins arrive; never one broadcast per vote."""
from __future__ import annotations

import itertools
import secrets
import time

import pytest
from support.polling import wait_for

INTERVAL = 0.25


@pytest.fixture
def config_overrides():
    return {"PROGRESS_INTERVAL": INTERVAL}


def gaps(times):
    return [b - a for a, b in itertools.pairwise(times)]


def push_times(t, name):
    return [at for n, _d, at in t.log if n == name]


def test_fifteen_casts_make_a_few_progress_pushes(hall):
    chair, clerk, display, observer = hall.staff("chair"), hall.staff("clerk"), hall.staff("display"), hall.observer()
    seats = {n: hall.seat(n) for n in range(1, 16)}
    terminals = [chair, clerk, display, observer, *seats.values()]
    chair.ok("open_sitting", {"confirm": True})
    t0 = time.monotonic()
    for s in seats.values():
        s.ok("sign_in")
    signing = time.monotonic() - t0
    ballot_id = hall.seed.ballots[0]
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    # let the sign-ins' attendance pushes go out before counting
    assert wait_for(lambda: [t.pump() for t in terminals] and all(
        t.received("attendance") and t.received("attendance")[-1]["attendance"]["attending"] == 15
        for t in terminals), 3), "the attendance pushes did not settle"
    for t in terminals:
        times = push_times(t, "attendance")
        assert len(times) <= signing / INTERVAL + 2, f"{t.label}: {len(times)} attendance pushes for 15 sign-ins"
        assert all(g > INTERVAL * 0.5 for g in gaps(times)), f"{t.label}: attendance pushes {gaps(times)} apart"
    chair.ok("open_ballot", {"ballot_id": ballot_id})
    for t in terminals:
        t.pump()
        t.log.clear()

    start = time.monotonic()
    for s in seats.values():
        s.ok("cast", {"ballot_id": ballot_id, "choice": "for", "cast_id": secrets.token_hex(8)})
    casting = time.monotonic() - start

    def all_seen():
        for t in terminals:
            t.pump()
        return all(t.received("progress") and t.received("progress")[-1]["voted"] == 15 for t in terminals)

    assert wait_for(all_seen, 3), {t.label: [p["voted"] for p in t.received("progress")] for t in terminals}
    time.sleep(INTERVAL * 2)  # nothing more should come
    allowed = int(casting / INTERVAL) + 2
    for t in terminals:
        t.pump()
        progress = t.received("progress")
        assert len(progress) <= allowed, f"{t.label}: {len(progress)} progress pushes for 15 casts in {casting:.2f} s"
        assert len(progress) < 15
        assert progress[-1]["voted"] == 15 and progress[-1]["ballot_id"] == ballot_id
        voted = [p["voted"] for p in progress]
        assert voted == sorted(voted), f"{t.label}: progress went backwards {voted}"
        assert all(g > INTERVAL * 0.5 for g in gaps(push_times(t, "progress"))), \
            f"{t.label}: progress pushes {gaps(push_times(t, 'progress'))} apart"
        assert t.received("event") == [], "a cast is not a numbered event"
    for n, s in seats.items():
        assert len(s.received("me_vote")) == 1, f"seat {n} got the me_vote of others"
    for t in (chair, clerk, display, observer):
        assert t.received("me_vote") == []


def test_no_progress_without_votes(hall):
    chair, seat = hall.staff("chair"), hall.seat(1)
    chair.ok("open_sitting", {"confirm": True})
    seat.ok("sign_in")
    deadline = time.monotonic() + 3  # the coalesced attendance push: one, however busy the machine
    while time.monotonic() < deadline and not all(t.received("attendance") for t in (chair, seat)):
        for t in (chair, seat):
            t.pump()
        time.sleep(INTERVAL)
    time.sleep(INTERVAL * 3)  # and nothing more after it
    for t in (chair, seat):
        t.pump()
        assert t.received("progress") == []
        assert len(t.received("attendance")) == 1
