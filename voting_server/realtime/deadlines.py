"""The server's clock over open timed rounds: one green thread per round, asleep until its deadline.
Then ``services.deadline_reached`` tells every terminal that the time is up (the ``time_up`` event,
pushed like any other) and, where the body's rules say ``auto_close_at_deadline``, closes the round.

Armed at start-up for every open timed round (a round whose deadline passed while the server was down
is handled at once: announced, and closed if its body says so), and again by the events of this
process that set a deadline (``ballot_opened``, ``revote``, ``runoff_opened``, ``timer_extended``). A deadline moved on
another process is found when this one's thread wakes: the service answers with the round's deadline
as stored, and the thread sleeps again until then. Several processes may watch one round: the service
announces once and closes once."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from flask_socketio import SocketIO

from .. import services
from ..db import Store
from ..services import Event
from ..services.base import utcnow

log = logging.getLogger(__name__)

DEADLINE_EVENTS = ("ballot_opened", "revote", "runoff_opened", "timer_extended")
MAX_SLEEP = 60.0  # seconds one sleep lasts at most (a thread wakes, reads the time, sleeps again)
RETRY = 2.0  # seconds before trying again when the database could not be reached


def parse_deadline(value: object) -> dt.datetime | None:
    """An ISO deadline as the events carry it ("...Z", UTC) as a naive UTC datetime."""
    if not isinstance(value, str):
        return None
    return dt.datetime.fromisoformat(value.removesuffix("Z"))


class Deadlines:
    def __init__(self, socketio: SocketIO, store: Store, *, now: Callable[[], dt.datetime] = utcnow,
                 sleep: Callable[[float], Any] | None = None) -> None:
        self.socketio, self.store, self.now = socketio, store, now
        self.sleep = sleep or socketio.sleep
        self._armed: dict[int, dt.datetime] = {}  # round id -> the deadline its thread waits for
        self._started = False

    def start(self) -> None:
        """Arm every open timed round of the database (once per process)."""
        if self._started:
            return
        self._started = True
        for round_id, deadline in services.timed_rounds(self.store):
            self.arm(round_id, deadline)

    def armed(self) -> dict[int, dt.datetime]:
        return dict(self._armed)

    def on_events(self, events: list[Event]) -> None:
        for ev in events:
            if ev.action in DEADLINE_EVENTS:
                deadline = parse_deadline(ev.payload.get("deadline"))
                if deadline is not None:
                    self.arm(int(ev.payload["round_id"]), deadline)

    def arm(self, round_id: int, deadline: dt.datetime) -> None:
        known = self._armed.get(round_id)
        if known is not None and known >= deadline:
            return
        self._armed[round_id] = deadline
        if known is None:
            self.socketio.start_background_task(self._watch, round_id)

    def _watch(self, round_id: int) -> None:
        try:
            while round_id in self._armed:
                now = self.now()
                wait = (self._armed[round_id] - now).total_seconds()
                if wait > 0:  # a sleep that ends a little early is followed by another, short one
                    self.sleep(min(wait, MAX_SLEEP))
                    continue
                try:
                    outcome = services.deadline_reached(self.store, round_id, now=now)
                except Exception:  # the database is away: try again shortly (the round stays open meanwhile)
                    log.warning("the deadline of round %s could not be handled; trying again", round_id, exc_info=True)
                    self.sleep(RETRY)
                    continue
                if outcome.closed or outcome.deadline is None:
                    return
                latest = max(self._armed[round_id], outcome.deadline)  # moved here or on another process
                if outcome.time_up and latest <= outcome.deadline:
                    return  # announced (and left to the chair): an extension arms the round again
                self._armed[round_id] = latest
        finally:
            self._armed.pop(round_id, None)
