"""A soak run: a 45-member standing committee sits through 50 ballots, with tablets reconnecting at random.

    python bench/soak.py [--members 45] [--ballots 50] [--database URL] [--reconnect 0.15] [--seed 1]

Starts the real server (eventlet) on 127.0.0.1 with a fresh database seeded by ``voting_server.demo``:
45 members with paired tablets, the staff accounts, 50 agenda items with one ballot each (secret and named
resolutions, evaluations of three departments, selections of two projects out of four). For each ballot
the chair starts the item and opens the ballot; every seat votes after a random pause of up to a second;
a random share of the seats (15 %) drops its connection at a random moment of the ballot and reconnects,
before or after voting; the chair closes; the tally is checked against what the seats chose, and every
reconnected seat's snapshot against its own vote.

Prints latency percentiles (cast acknowledgement, open until every seat shows the ballot, close until
every seat has the result, reconnect until the fresh snapshot) and the server's RSS after every fifth
ballot, then the RSS growth after the warm-up. Passes or fails nothing; loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.database import seed_hall  # noqa: E402  (the demo body at any size, through the services)
from support.server import ServerProcess  # noqa: E402

from voting_server import demo, services  # noqa: E402
from voting_server.db import Store  # noqa: E402

GRADES = ("satisfied", "basic", "unsatisfied")


def prepare(url: str, members: int, ballots: int) -> dict[str, Any]:
    """The hall of bench/seats.py (body, members, tablets, the first ballot) plus ballots - 1 more items."""
    ids = seed_hall(url, members)
    store = Store(url)
    clerk = demo.CLERK
    plan = [(ids["item_id"], ids["ballot_id"], "resolution", True)]
    for k in range(1, ballots):
        kind = ("resolution", "resolution", "evaluation", "selection")[k % 4]
        secret = k % 4 != 1  # every fourth a named resolution
        item = services.add_item(store, clerk, ids["sitting_id"], title=f"第{k + 1}项议题", kind=kind)
        spec: dict[str, Any] = {"kind": "resolution", "question": f"表决第{k + 1}项"}
        if kind == "evaluation":
            spec = {"kind": "evaluation", "objects": [{"id": f"d{j}", "name": f"部门{j}"} for j in (1, 2, 3)]}
        elif kind == "selection":
            spec = {"kind": "selection", "max_marks": 2, "options": "mark",
                    "candidates": [{"id": f"c{j}", "name": f"项目{j}"} for j in (1, 2, 3, 4)]}
        ballot = services.create_ballot(store, clerk, item, spec=spec, secret=secret)
        plan.append((item, ballot, kind, secret))
    store.dispose()
    return {**ids, "plan": plan}


def choice_for(kind: str, rng: random.Random) -> Any:
    if kind == "evaluation":
        return {f"d{j}": rng.choice(GRADES) for j in (1, 2, 3)}
    if kind == "selection":
        return {c: "mark" for c in rng.sample(["c1", "c2", "c3", "c4"], rng.randint(0, 2))}
    return rng.choice(("for", "against", "abstain"))


def expected_counts(kind: str, choices: list[Any]) -> dict[str, dict[str, int]]:
    if kind == "evaluation":
        return {d: {g: sum(1 for c in choices if c[d] == g) for g in GRADES} for d in ("d1", "d2", "d3")}
    if kind == "selection":
        return {c: {"mark": sum(1 for ch in choices if c in ch)} for c in ("c1", "c2", "c3", "c4")}
    return {"main": {o: choices.count(o) for o in ("for", "against", "abstain")}}


class Seat:
    def __init__(self, token: str, base: str) -> None:
        self.token, self.base = token, base
        self.sio: Any = None
        self.snapshot: dict[str, Any] | None = None
        self.got: asyncio.Event = asyncio.Event()
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.voted_all_at: float | None = None

    async def connect(self) -> float:
        import socketio

        t0 = time.perf_counter()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.got = asyncio.Event()

        @self.sio.on("snapshot")
        async def _snapshot(data: dict[str, Any]) -> None:
            self.snapshot = data
            self.got.set()

        @self.sio.on("event")
        async def _event(data: dict[str, Any]) -> None:
            self.events.append((time.perf_counter(), data))

        for attempt in range(5):
            try:
                await self.sio.connect(self.base, transports=["websocket"], auth={"token": self.token}, wait_timeout=30)
                await asyncio.wait_for(self.got.wait(), 30)
                return time.perf_counter() - t0
            except Exception:
                await asyncio.sleep(0.2 * (attempt + 1))
        raise RuntimeError("a seat could not connect")

    def saw(self, kind: str, ballot_id: int, since: float) -> float | None:
        for at, ev in self.events:
            if at >= since and ev["type"] == kind and (ev["changes"].get("ballot") or {}).get("id") == ballot_id:
                return at
        return None


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def sitting(server: ServerProcess, ids: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    import socketio

    base, rng = server.url, random.Random(args.seed)
    chair = socketio.AsyncClient(reconnection=False)
    await chair.connect(base, transports=["websocket"], headers={"Cookie": server.staff_cookie("chair")})
    seats = [Seat(t, base) for t in ids["tokens"]]
    await asyncio.gather(*(s.connect() for s in seats))
    assert (await chair.call("open_sitting", {"confirm": True}, timeout=60))["ok"]
    signed = await asyncio.gather(*(s.sio.call("sign_in", {}, timeout=60) for s in seats))
    assert all(a["ok"] for a in signed)

    lat: dict[str, list[float]] = {"cast ack": [], "open → all seats": [], "close → all seats": [],
                                   "reconnect → snapshot": []}
    rss: list[tuple[int, float]] = [(0, server.memory_mb())]
    reconnects = 0
    started = time.perf_counter()
    for number, (item, ballot, kind, secret) in enumerate(ids["plan"], start=1):
        assert (await chair.call("start_item", {"item_id": item}, timeout=60))["ok"]
        t_open = time.perf_counter()
        opened = await chair.call("open_ballot", {"ballot_id": ballot}, timeout=60)
        assert opened["ok"], opened
        round_id = opened["round_id"]
        deadline = time.perf_counter() + 30
        while any(s.saw("ballot_opened", ballot, t_open) is None for s in seats) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        lat["open → all seats"].append(max(s.saw("ballot_opened", ballot, t_open) or deadline for s in seats) - t_open)

        choices = [choice_for(kind, rng) for _ in seats]
        droppers = set(rng.sample(range(len(seats)), max(1, int(len(seats) * args.reconnect))))
        receipts: dict[int, str] = {}

        async def vote(i: int, ballot: int = ballot, choices: list[Any] = choices, droppers: set[int] = droppers,
                       receipts: dict[int, str] = receipts, round_id: int = round_id) -> None:
            seat = seats[i]
            cast = {"ballot_id": ballot, "choice": choices[i], "cast_id": uuid.uuid4().hex}
            drop_first = i in droppers and rng.random() < 0.5
            await asyncio.sleep(rng.uniform(0, 1.0))
            if drop_first:
                await seat.sio.disconnect()
                lat["reconnect → snapshot"].append(await seat.connect())
            t0 = time.perf_counter()
            ack = await seat.sio.call("cast", cast, timeout=60)
            lat["cast ack"].append(time.perf_counter() - t0)
            assert ack["ok"], ack
            receipts[i] = ack["receipt"]
            if i in droppers and not drop_first:
                await asyncio.sleep(rng.uniform(0, 0.5))
                await seat.sio.disconnect()
                lat["reconnect → snapshot"].append(await seat.connect())
                me = seat.snapshot["me"]["vote"]  # type: ignore[index]
                assert me["round_id"] == round_id and me["voted"] and me["receipt"] == ack["receipt"], me

        await asyncio.gather(*(vote(i) for i in range(len(seats))))
        reconnects += len(droppers)
        t_close = time.perf_counter()
        closed = await chair.call("close_ballot", {"ballot_id": ballot}, timeout=60)
        assert closed["ok"], closed
        counts = {q["question_id"]: q["counts"] for q in closed["result"]["questions"]}
        assert counts == expected_counts(kind, choices), (kind, counts, expected_counts(kind, choices))
        deadline = time.perf_counter() + 30
        while any(s.saw("ballot_closed", ballot, t_close) is None for s in seats) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        closed_at = max(s.saw("ballot_closed", ballot, t_close) or deadline for s in seats)
        lat["close → all seats"].append(closed_at - t_close)
        for s in seats:  # keep the clients' own memory flat
            s.events = [e for e in s.events if e[0] >= t_close]
        if number % 5 == 0:
            rss.append((number, server.memory_mb()))
            print(f"  ballot {number:3d} ({kind:10s} {'secret' if secret else 'named '})  "
                  f"server RSS {rss[-1][1]:6.1f} MB  reconnects so far {reconnects:4d}  "
                  f"elapsed {time.perf_counter() - started:6.1f} s", flush=True)
    await asyncio.gather(*(s.sio.disconnect() for s in seats), chair.disconnect(), return_exceptions=True)
    return {"lat": lat, "rss": rss, "reconnects": reconnects, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=45)
    parser.add_argument("--ballots", type=int, default=50)
    parser.add_argument("--database", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--reconnect", type=float, default=0.15, help="share of seats that reconnect per ballot")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="biaojue-soak-"))
    try:
        url = args.database or f"sqlite:///{tmp / 'soak.sqlite3'}"
        t0 = time.perf_counter()
        ids = prepare(url, args.members, args.ballots)
        print(f"soak: {args.members} members, {args.ballots} ballots, {args.reconnect:.0%} of the seats reconnect "
              f"per ballot; set-up {time.perf_counter() - t0:.1f} s ({dt.date.today()})", flush=True)
        with ServerProcess(url, tmp) as server:
            out = asyncio.run(sitting(server, ids, args))
            cpu, peak = server.cpu_seconds(), server.memory_mb("VmHWM")
        print(f"\n{args.ballots} ballots in {out['seconds']:.1f} s, {out['reconnects']} reconnects, every tally "
              f"checked; server CPU {cpu:.1f} s, peak RSS {peak:.1f} MB")
        print(f"{'latency (ms)':24s} {'n':>5s} {'p50':>8s} {'p90':>8s} {'p99':>8s} {'max':>8s}")
        for name, values in out["lat"].items():
            ms = [v * 1000 for v in values]
            print(f"{name:24s} {len(ms):5d} {statistics.median(ms):8.1f} {pct(ms, 0.9):8.1f} {pct(ms, 0.99):8.1f} "
                  f"{max(ms):8.1f}")
        rss = out["rss"]
        print("server RSS over time (MB): " + "  ".join(f"#{n}:{m:.1f}" for n, m in rss))
        start = min(10, rss[-1][0])
        warm = [m for n, m in rss if n >= start]
        print(f"RSS growth after the warm-up (ballot {start} to {rss[-1][0]}): {warm[-1] - warm[0]:+.1f} MB "
              f"(min {min(warm):.1f}, max {max(warm):.1f})")
        problems = server.problems_in_logs()
        print(f"server log: {len(problems)} error lines" + (f"; first: {problems[0]}" if problems else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
