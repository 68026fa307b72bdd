"""Rates of the live commands: a token bucket per terminal and per command (a tablet by its pairing,
so that reconnecting does not refill it; a staff console by its connection, at ``STAFF_FACTOR`` times
the rates). A command over its rate
is answered ``rate_limited`` without being parsed or run; a terminal refused too often in a short
window is abusing the hall: it is disconnected, refused for a while when it reconnects, and the clerk
is told (docs/protocol.md, "Rates").

The rates are generous for a person at a tablet (a member taps at most a few times a second; a page
asks for a snapshot when it reconnects) and small against a script. ``scale`` multiplies every rate
and burst (the setting ``LIVE_RATE_SCALE``; in-process tests raise it, a hall never needs to)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    burst: float


RATES: dict[str, Rate] = {
    "snapshot": Rate(1.0, 5),
    "cast": Rate(4.0, 10),
    "sign_in": Rate(2.0, 5),
}
DEFAULT_RATE = Rate(10.0, 30)  # every other command (the consoles' actions, receipts, a seat's choices)

STAFF_FACTOR = 10  # a staff console (a signed-in account, driving the sitting) gets ten times the rates
ABUSE_REFUSALS = 200  # refusals within ABUSE_WINDOW seconds: the terminal is disconnected
ABUSE_WINDOW = 10.0
PENALTY_SECONDS = 30.0  # how long a disconnected tablet is refused when it reconnects


@dataclass(slots=True)
class _Terminal:
    buckets: dict[str, list[float]] = field(default_factory=dict)  # command -> [tokens, stamp]
    refusals: int = 0
    window_start: float = 0.0


class Verdict:
    ALLOWED, LIMITED, ABUSE = "allowed", "limited", "abuse"


class Throttle:
    def __init__(self, scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if not scale > 0:
            raise ValueError("the rate scale must be positive")
        self.scale, self.clock = scale, clock
        self._terminals: dict[object, _Terminal] = {}
        self._penalised: dict[object, float] = {}  # key -> refused until

    def check(self, key: object, command: str, *, staff: bool = False) -> str:
        """One command of a terminal: allowed, limited (answer ``rate_limited``) or abuse (disconnect)."""
        now = self.clock()
        term = self._terminals.get(key)
        if term is None:
            term = self._terminals[key] = _Terminal(window_start=now)
        rate = RATES.get(command, DEFAULT_RATE)
        scale = self.scale * STAFF_FACTOR if staff else self.scale
        burst = rate.burst * scale
        bucket = term.buckets.get(command)
        if bucket is None:
            bucket = term.buckets[command] = [burst, now]
        tokens = min(burst, bucket[0] + (now - bucket[1]) * rate.per_second * scale)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return Verdict.ALLOWED
        bucket[0] = tokens
        if now - term.window_start > ABUSE_WINDOW:
            term.window_start, term.refusals = now, 0
        term.refusals += 1
        if term.refusals >= ABUSE_REFUSALS * scale:
            self._penalised[key] = now + PENALTY_SECONDS
            self._terminals.pop(key, None)
            return Verdict.ABUSE
        return Verdict.LIMITED

    def penalised(self, key: object) -> bool:
        """Whether a terminal disconnected for abuse is still refused."""
        until = self._penalised.get(key)
        if until is None:
            return False
        if self.clock() >= until:
            del self._penalised[key]
            return False
        return True

    def forget(self, key: object) -> None:
        """A console's connection is gone (a tablet's buckets outlive its connections)."""
        self._terminals.pop(key, None)
