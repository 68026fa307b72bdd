"""A hall of seats against the real server, and the same load against a bare in-memory server.

    python bench/seats.py --seats 2000 [--database URL] [--async-mode eventlet|gevent|both]
                          [--ballots named,server,tablet] [--no-bare]
    python bench/seats.py --plenary [--seats 450] [--candidates 15] [--places 10] [...]

Starts the real server on 127.0.0.1 with a fresh database holding the demo body at N members (seeded
by ``voting_server.demo``, a tablet paired in every seat; the server process is tests/support's, as in
the tests), connects N seats as real websocket clients, signs them in, opens a ballot, has every seat
cast at once, closes it, and prints: connect time, ack p50/p99, time from the first cast to the last
seat seeing "all voted", time from the close to the last seat having the result, server CPU seconds and
peak RSS. Then the same against bench/bare_server.py, and, as the last line, ``ratio ours/bare: X.XX``
(burst times). Prints numbers; passes or fails nothing. Loopback only.

``--ballots`` runs, in the same server and hall one after the other, a ballot of each kind named: a
named one (``named``, the baseline: no encryption), a secret one the server encrypts (``server``) and a
secret one the tablets encrypt (``tablet``; the load generator encrypts every seat's ballot with the
Python library before the burst, so that its own cost is not counted), and prints each one's burst
and close-to-result times and its burst ratio against the named ballot.

``--plenary`` seats a county congress plenary instead (``bench/plenary.py``: the ``congress_plenary``
preset, 450 deputies in 代表团 of 30 by default) and runs a 票决 of 15 projects for 10 places, every
project answered 赞成 / 不赞成 / 弃权 by every seat, as a named ballot and as secret ones (``--ballots``,
default ``named,tablet``: encrypted by the tablets; ``server``: by the server), then the same burst
against the bare server; it prints the burst ratio against the bare server of each (``ratio named/bare``,
``ratio tablet/bare``, ...).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from plenary import VARIANTS, choice_of, seed_plenary  # noqa: E402  (bench/plenary.py: the plenary's hall)
from support.database import seed_hall  # noqa: E402  (the demo body at any size, through the services)
from support.env import raise_open_files  # noqa: E402
from support.server import ServerProcess  # noqa: E402


class BareServer(ServerProcess):
    """bench/bare_server.py, started, watched and stopped like the real server."""

    name = "bare"

    def __init__(self, instance: Path, *, mode: str, seats: int, logs: Path) -> None:
        super().__init__(None, instance, mode=mode, logs=logs)
        self.seats = seats

    def command(self) -> list[str]:
        return [sys.executable, "bench/bare_server.py", "--port", str(self.port), "--async-mode", self.mode,
                "--seats", str(self.seats)]


# --- the load ----------------------------------------------------------------------------------------


@dataclass
class Seat:
    token: str
    total: int
    round_id: int | None = None
    sio: Any = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    all_voted_at: float | None = None
    result_at: float | None = None
    ack_ms: float | None = None

    def attach(self) -> None:
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False)

        @self.sio.on("event")
        async def _event(data: dict[str, Any]) -> None:
            if data.get("type") in ("ballot_opened", "revote", "runoff_opened"):
                self.opened.set()
            elif data.get("type") == "ballot_closed" and self.result_at is None:
                self.result_at = time.perf_counter()

        @self.sio.on("progress")
        async def _progress(data: dict[str, Any]) -> None:
            if data.get("round_id", self.round_id) != self.round_id:
                return  # another round's (the bare server numbers none)
            if data.get("voted", 0) >= self.total and self.all_voted_at is None:
                self.all_voted_at = time.perf_counter()


def box_of(url: str, ballot_id: int) -> tuple[int, Any, Any, str]:
    """The open round of a ballot: its id, spec, key set and context (read as a tablet receives them)."""
    from sqlalchemy import select

    from voting_server import ballotbox as bb
    from voting_server import models
    from voting_server.db import Store
    from voting_server.services.lookups import spec_of

    store = Store(url)
    try:
        with store.read() as s:
            rnd = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot_id)
                            .order_by(models.Round.number.desc())).first()
            keys = bb.KeySet.from_dict(rnd.box_keys) if rnd.box_keys else None
            return rnd.id, spec_of(rnd.spec), keys, str(rnd.box_context)
    finally:
        store.dispose()


async def run_load(server: ServerProcess, ids: dict[str, Any], *, bare: bool,
                   kinds: tuple[str, ...] = ("",)) -> dict[str, dict[str, float]]:
    import socketio

    base, n = server.url, len(ids["tokens"])
    seats = [Seat(t, n) for t in ids["tokens"]]
    for s in seats:
        s.attach()
    chair = socketio.AsyncClient(reconnection=False)
    if bare:
        await chair.connect(base, transports=["websocket"], auth={"token": "chair"})
    else:
        await chair.connect(base, transports=["websocket"], headers={"Cookie": server.staff_cookie("chair")})

    cpu0 = server.cpu_seconds()
    sem = asyncio.Semaphore(200)

    async def connect(seat: Seat) -> None:
        async with sem:
            for attempt in range(5):
                try:
                    await seat.sio.connect(base, transports=["websocket"], auth={"token": seat.token},
                                           wait_timeout=30)
                    return
                except Exception:
                    await asyncio.sleep(0.2 * (attempt + 1))
            raise RuntimeError("a seat could not connect")

    t0 = time.perf_counter()
    await asyncio.gather(*(connect(s) for s in seats))
    connect_s = time.perf_counter() - t0
    print(f"  connected {sum(1 for s in seats if s.sio.connected)}/{n} in {connect_s:.2f} s, "
          f"server RSS {server.memory_mb():.0f} MB", flush=True)

    ack = await chair.call("open_sitting", {"confirm": True}, timeout=60)
    assert ack.get("ok"), ack
    t0 = time.perf_counter()
    acks = await asyncio.gather(*(s.sio.call("sign_in", {}, timeout=120) for s in seats))
    sign_in_s = time.perf_counter() - t0
    assert all(a.get("ok") for a in acks), [a for a in acks if not a.get("ok")][:3]
    print(f"  signed in, server RSS {server.memory_mb():.0f} MB", flush=True)
    ack = await chair.call("start_item", {"item_id": ids["item_id"]}, timeout=60)
    assert ack.get("ok"), ack
    out = {}
    for kind in kinds:
        out[kind] = await _one_ballot(server, ids, seats, chair, kind, bare=bare)
    cpu1, peak = server.cpu_seconds(), server.memory_mb("VmHWM")
    await asyncio.gather(*(s.sio.disconnect() for s in seats), chair.disconnect(), return_exceptions=True)
    for stats in out.values():
        stats.update(connect_s=connect_s, sign_in_s=sign_in_s, cpu_s=cpu1 - cpu0, peak_rss_mb=peak)
    return out


async def _one_ballot(server: ServerProcess, ids: dict[str, Any], seats: list[Seat], chair: Any, kind: str, *,
                      bare: bool) -> dict[str, float]:
    """One ballot (``kind``: its key in ``ids["ballots_by_kind"]``, or the hall's own ballot): opened,
    cast by every seat at once, closed."""
    ballot_id = ids["ballots_by_kind"][kind] if kind else ids["ballot_id"]
    for s in seats:
        s.opened.clear()
        s.all_voted_at = s.result_at = s.ack_ms = None
    ack = await chair.call("open_ballot", {"ballot_id": ballot_id}, timeout=60)
    assert ack.get("ok"), ack
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in seats)), 60)
    choices = ("for", "against", "abstain")
    round_id = ack.get("round_id")
    payloads = [{"ballot_id": ballot_id, "choice": choice(ids, i)} for i in range(len(seats))]
    if kind == "tablet":
        from voting_server import ballotbox as bb

        round_id, spec, keys, context = box_of(server.database, ballot_id)
        t0 = time.perf_counter()
        payloads = [{"ballot_id": ballot_id, "ballot": bb.encrypt(
            spec, keys, context, choice(ids, i) if "places" in ids else {"main": choices[i % 3]})}
            for i in range(len(seats))]
        print(f"  {len(seats)} ballots encrypted by the load generator in {time.perf_counter() - t0:.1f} s "
              "(not counted)", flush=True)
    for s in seats:
        s.round_id = round_id

    async def cast(i: int, seat: Seat) -> None:
        start = time.perf_counter()
        a = await seat.sio.call("cast", {**payloads[i], "cast_id": uuid.uuid4().hex}, timeout=CAST_TIMEOUT[0])
        seat.ack_ms = (time.perf_counter() - start) * 1000
        assert a.get("ok"), a

    first_cast = time.perf_counter()
    await asyncio.gather(*(cast(i, s) for i, s in enumerate(seats)))
    deadline = time.perf_counter() + CAST_TIMEOUT[0]
    while any(s.all_voted_at is None for s in seats) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    missing = sum(1 for s in seats if s.all_voted_at is None)
    burst_s = max(s.all_voted_at or deadline for s in seats) - first_cast

    print(f"  all voted, server RSS {server.memory_mb():.0f} MB", flush=True)
    close_t = time.perf_counter()
    ack = await chair.call("close_ballot", {"ballot_id": ballot_id}, timeout=120)
    assert ack.get("ok"), ack
    deadline = time.perf_counter() + 60
    while any(s.result_at is None for s in seats) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    result_s = max(s.result_at or deadline for s in seats) - close_t
    acks_ms = sorted(s.ack_ms or 0.0 for s in seats)
    return {"ack_p50_ms": statistics.median(acks_ms),
            "ack_p99_ms": acks_ms[min(len(acks_ms) - 1, int(len(acks_ms) * 0.99))], "burst_s": burst_s,
            "result_s": result_s, "missing": missing}


CAST_TIMEOUT = [120.0]  # seconds a seat waits for its cast's acknowledgement (--cast-timeout)


def choice(ids: dict[str, Any], seat: int) -> Any:
    """Seat ``seat``'s choice: a full 票决 ballot in a plenary, else for / against / abstain in turn."""
    if "places" in ids:
        return choice_of(seat, ids["candidates"], ids["places"])
    return ("for", "against", "abstain")[seat % 3]


def run_one(label: str, server: ServerProcess, ids: dict[str, Any], bare: bool,
            kinds: tuple[str, ...] = ("",)) -> dict[str, dict[str, float]]:
    spy = None
    try:
        server.start()
        if os.environ.get("BENCH_PROFILE"):
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.pid), "--format", "raw", "--rate", "100",
                                    "--nonblocking", "-o",
                                    os.environ["BENCH_PROFILE"] + f"-{label.replace('/', '-')}.txt"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = asyncio.run(run_load(server, ids, bare=bare, kinds=kinds))
    except Exception:
        print(f"{label}: failed; server log in {server.logs[-1] if server.logs else server.log_folder}", flush=True)
        raise
    finally:
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
        server.stop()
    for kind, stats in results.items():
        print(f"{label + ('/' + kind if kind else ''):28s} connect {stats['connect_s']:6.2f} s  "
              f"sign-in {stats['sign_in_s']:5.2f} s  "
              f"ack p50 {stats['ack_p50_ms']:7.1f} ms  p99 {stats['ack_p99_ms']:7.1f} ms  "
              f"burst {stats['burst_s']:5.2f} s  result {stats['result_s']:5.2f} s  "
              f"cpu {stats['cpu_s']:6.2f} s  peak RSS {stats['peak_rss_mb']:6.1f} MB"
              + (f"  MISSING {stats['missing']}" if stats["missing"] else ""), flush=True)
    return results


def add_ballots(url: str, item_id: int, kinds: tuple[str, ...]) -> dict[str, int]:
    """A resolution of each kind on the hall's item: ``named``, or secret with ``server`` or ``tablet``
    encryption."""
    from voting_server import demo, services
    from voting_server.db import Store

    clerk = demo.CLERK
    store = Store(url)
    try:
        return {kind: services.create_ballot(store, clerk, item_id, spec={"kind": "resolution"}, title=f"bench {kind}",
                                             secret=kind != "named",
                                             box_encrypt=None if kind == "named" else kind)
                for kind in kinds}
    finally:
        store.dispose()


@contextlib.contextmanager
def hall_folder(args: argparse.Namespace) -> Iterator[tuple[Path, str]]:
    """A folder for one run's server and its database URL (``--database``, else a SQLite file there)."""
    tmp = Path(tempfile.mkdtemp(prefix="biaojue-bench-"))
    try:
        yield tmp, args.database or f"sqlite:///{tmp / 'bench.sqlite3'}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seats", type=int, default=500)
    parser.add_argument("--database", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--async-mode", default="both", choices=["eventlet", "gevent", "both"])
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--ballots", default="", help="e.g. named,server,tablet: one ballot of each, in one hall")
    parser.add_argument("--plenary", action="store_true", help="a congress plenary's 票决 (default 450 seats)")
    parser.add_argument("--candidates", type=int, default=15, help="--plenary: the projects on the ballot")
    parser.add_argument("--places", type=int, default=10, help="--plenary: the places to fill")
    parser.add_argument("--cast-timeout", type=float, default=120.0,
                        help="seconds a seat waits for its cast to be acknowledged (a long secret 票决 needs more)")
    args = parser.parse_args()
    CAST_TIMEOUT[0] = args.cast_timeout
    if args.plenary:
        plenary(args)
        return
    kinds = tuple(k for k in args.ballots.split(",") if k) or ("",)
    raise_open_files(4 * args.seats + 1024)

    modes = ["eventlet", "gevent"] if args.async_mode == "both" else [args.async_mode]
    print(f"{args.seats} seats, modes: {', '.join(modes)}", flush=True)
    ours: list[float] = []
    bares: list[float] = []
    for mode in modes:
        with hall_folder(args) as (tmp, url):
            t0 = time.perf_counter()
            ids = seed_hall(url, args.seats)
            if kinds != ("",):
                ids["ballots_by_kind"] = add_ballots(url, ids["item_id"], kinds)
            print(f"set-up ({mode}): {time.perf_counter() - t0:.1f} s", flush=True)
            logs = Path(tempfile.gettempdir())
            results = run_one(f"biaojue/{mode}", ServerProcess(url, tmp, mode=mode, logs=logs), ids, bare=False,
                              kinds=kinds)
            ours.append(results[kinds[0]]["burst_s"])
            if "named" in results:
                base = results["named"]["burst_s"]
                for kind, stats in results.items():
                    print(f"{mode}/{kind}: burst {stats['burst_s']:.2f} s, ratio {stats['burst_s'] / base:.2f} "
                          f"against the named ballot; close to result on every seat {stats['result_s']:.2f} s",
                          flush=True)
            if not args.no_bare:
                bare = BareServer(tmp, mode=mode, seats=args.seats, logs=logs)
                bares.append(run_one(f"bare/{mode}", bare, ids, bare=True)[""]["burst_s"])
    if bares:
        for mode, o, b in zip(modes, ours, bares, strict=True):
            print(f"{mode}: burst ours {o:.2f} s, bare {b:.2f} s", flush=True)
        print(f"ratio ours/bare: {statistics.mean(ours) / statistics.mean(bares):.2f}", flush=True)


def plenary(args: argparse.Namespace) -> None:
    """``--plenary``: the named and the secret 票决 (``--ballots``) in one hall, then the bare server's
    burst in the same run; each one's burst ratio against the bare server."""
    seats = args.seats if "--seats" in sys.argv else 450
    raise_open_files(4 * seats + 1024)
    modes = ["eventlet", "gevent"] if args.async_mode == "both" else [args.async_mode]
    kinds = tuple(k for k in args.ballots.split(",") if k) or ("named", "tablet")
    unknown = [k for k in kinds if k not in VARIANTS]
    if unknown:
        raise SystemExit(f"--plenary --ballots: {', '.join(unknown)}? ({', '.join(VARIANTS)})")
    print(f"plenary: {seats} seats, 票决 of {args.candidates} projects for {args.places} places, "
          f"modes: {', '.join(modes)}", flush=True)
    ours: dict[str, list[float]] = {kind: [] for kind in kinds}
    bares: list[float] = []
    for mode in modes:
        with hall_folder(args) as (tmp, url):
            t0 = time.perf_counter()
            ids = seed_plenary(url, seats, candidates=args.candidates, places=args.places, variants=kinds)
            print(f"set-up ({mode}): {time.perf_counter() - t0:.1f} s, {len(ids['delegations'])} 代表团", flush=True)
            logs = Path(tempfile.gettempdir())
            results = run_one(f"biaojue/{mode}", ServerProcess(url, tmp, mode=mode, logs=logs), ids, bare=False,
                              kinds=kinds)
            for kind in kinds:
                ours[kind].append(results[kind]["burst_s"])
            if not args.no_bare:
                bare = BareServer(tmp, mode=mode, seats=seats, logs=logs)
                bares.append(run_one(f"bare/{mode}", bare, ids, bare=True)[""]["burst_s"])
    if bares:
        for i, mode in enumerate(modes):
            print(f"{mode}: burst " + ", ".join(f"{kind} {ours[kind][i]:.2f} s" for kind in kinds)
                  + f", bare {bares[i]:.2f} s", flush=True)
        for kind in kinds:
            print(f"ratio {kind}/bare: {statistics.mean(ours[kind]) / statistics.mean(bares):.2f}", flush=True)


if __name__ == "__main__":
    main()
