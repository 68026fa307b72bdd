"""The live commands' rates (realtime/throttle.py), on a clock the test moves: a terminal's burst, its
refill, one bucket per command, abuse and the penalty that follows it, and the scale."""
from __future__ import annotations

import pytest

from voting_server import config
from voting_server.config import ConfigError
from voting_server.realtime.throttle import (
    ABUSE_REFUSALS,
    ABUSE_WINDOW,
    DEFAULT_RATE,
    PENALTY_SECONDS,
    RATES,
    STAFF_FACTOR,
    Throttle,
    Verdict,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verdicts(throttle: Throttle, key: object, command: str, n: int, *, staff: bool = False) -> list[str]:
    return [throttle.check(key, command, staff=staff) for _ in range(n)]


def test_a_burst_then_the_rate():
    clock = Clock()
    throttle = Throttle(clock=clock)
    burst = int(RATES["snapshot"].burst)
    assert verdicts(throttle, "t", "snapshot", burst) == [Verdict.ALLOWED] * burst
    assert throttle.check("t", "snapshot") == Verdict.LIMITED
    clock.now += 1 / RATES["snapshot"].per_second
    assert throttle.check("t", "snapshot") == Verdict.ALLOWED
    assert throttle.check("t", "snapshot") == Verdict.LIMITED
    clock.now += 3600  # refilled up to the burst, not beyond
    assert verdicts(throttle, "t", "snapshot", burst + 1)[-1] == Verdict.LIMITED


def test_buckets_per_command_and_per_terminal():
    throttle = Throttle(clock=Clock())
    burst = int(RATES["snapshot"].burst)
    verdicts(throttle, "a", "snapshot", burst)
    assert throttle.check("a", "snapshot") == Verdict.LIMITED
    assert throttle.check("a", "cast") == Verdict.ALLOWED
    assert throttle.check("b", "snapshot") == Verdict.ALLOWED
    assert verdicts(throttle, "c", "request_receipt", int(DEFAULT_RATE.burst) + 1)[-1] == Verdict.LIMITED


def test_abuse_disconnects_then_the_penalty_ends():
    clock = Clock()
    throttle = Throttle(clock=clock)
    burst = int(RATES["cast"].burst)
    seen = verdicts(throttle, "t", "cast", burst + ABUSE_REFUSALS)
    assert seen[:burst] == [Verdict.ALLOWED] * burst
    assert seen[burst:-1] == [Verdict.LIMITED] * (ABUSE_REFUSALS - 1)
    assert seen[-1] == Verdict.ABUSE
    assert throttle.penalised("t") and not throttle.penalised("other")
    clock.now += PENALTY_SECONDS - 0.1
    assert throttle.penalised("t")
    clock.now += 0.2
    assert not throttle.penalised("t")
    assert throttle.check("t", "cast") == Verdict.ALLOWED  # a fresh start


def test_refusals_spread_over_windows_are_not_abuse():
    clock = Clock()
    throttle = Throttle(clock=clock)
    verdicts(throttle, "t", "snapshot", int(RATES["snapshot"].burst))
    for _ in range(3):
        assert set(verdicts(throttle, "t", "snapshot", ABUSE_REFUSALS // 2)) == {Verdict.LIMITED}
        clock.now += ABUSE_WINDOW + 0.01
        verdicts(throttle, "t", "snapshot", int(RATES["snapshot"].burst))  # the refilled burst


def test_forget_and_scale():
    clock = Clock()
    throttle = Throttle(scale=10, clock=clock)
    burst = int(RATES["snapshot"].burst) * 10
    assert set(verdicts(throttle, "t", "snapshot", burst)) == {Verdict.ALLOWED}
    assert throttle.check("t", "snapshot") == Verdict.LIMITED
    throttle.forget("t")
    assert throttle.check("t", "snapshot") == Verdict.ALLOWED
    for bad in (0, -1.0):
        with pytest.raises(ValueError):
            Throttle(scale=bad)


@pytest.mark.parametrize("value", [0, -2, "fast", True])
def test_a_bad_scale_stops_the_start(tmp_path, value):
    with pytest.raises(ConfigError, match="LIVE_RATE_SCALE"):
        config.load({"LIVE_RATE_SCALE": value}, str(tmp_path))


def test_the_scale_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVE_RATE_SCALE", "2.5")
    assert config.load({}, str(tmp_path))["LIVE_RATE_SCALE"] == 2.5
    monkeypatch.setenv("LIVE_RATE_SCALE", "many")
    with pytest.raises(ConfigError, match="LIVE_RATE_SCALE must be a positive number, not 'many'"):
        config.load({}, str(tmp_path))


def test_a_staff_console_has_more_room():
    throttle = Throttle(clock=Clock())
    burst = int(DEFAULT_RATE.burst)
    assert verdicts(throttle, "tablet", "set_attendance", burst + 1)[-1] == Verdict.LIMITED
    seen = verdicts(throttle, "console", "set_attendance", burst * STAFF_FACTOR + 1, staff=True)
    assert set(seen[:-1]) == {Verdict.ALLOWED} and seen[-1] == Verdict.LIMITED
