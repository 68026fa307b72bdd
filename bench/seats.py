"""A hall of seats against the real server, and the same load against a bare in-memory server.

    python bench/seats.py --seats 2000 [--database URL] [--async-mode eventlet|gevent|both]

Starts the real server on 127.0.0.1 with a fresh database and an N-member body, connects N seats as
real websocket clients, signs them in, opens a ballot, has every seat cast at once, closes it, and
prints: connect time, ack p50/p99, time from the first cast to the last seat seeing "all voted",
time from the close to the last seat having the result, server CPU seconds and peak RSS. Then the
same against bench/bare_server.py, and, as the last line, ``ratio ours/bare: X.XX`` (burst times).
Prints numbers; passes or fails nothing. Loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- set-up of the real server's database ------------------------------------------------------------


def prepare_database(url: str, seats: int) -> dict[str, Any]:
    """A fresh database with an N-member body, one sitting, one resolution ballot, N paired tablets and
    a chair account. Everything goes through the service layer."""
    from voting_server import services
    from voting_server.db import Store
    from voting_server.migrate import upgrade
    from voting_server.services import SYSTEM, Actor

    store = Store(url)
    if not store.is_sqlite:
        from voting_server import models

        models.Base.metadata.drop_all(store.engine)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(store)
    services.create_user(store, SYSTEM, username="chair", password="bench-chair-pass", role="chair")
    clerk = Actor(role="clerk", name="bench")
    body = services.create_body(store, clerk, name="基准测试代表大会", preset="standing_committee")
    from voting_server.services import roster

    csv = "姓名,身份,座位号\n" + "".join(f"代表{i},组成人员,{i}\n" for i in range(1, seats + 1))
    roster.import_roster(store, clerk, body, csv.encode("utf-8"), "roster.csv")
    import datetime as dt

    sitting = services.create_sitting(store, clerk, body, title="基准测试会议", date=dt.date.today().isoformat())
    item = services.add_item(store, clerk, sitting, title="基准测试议题")
    ballot = services.create_ballot(store, clerk, item, spec={"kind": "resolution"})
    from sqlalchemy import select

    from voting_server import models

    with store.read() as s:
        person_ids = list(s.scalars(select(models.Person.id).where(models.Person.body_id == body)
                                    .order_by(models.Person.id)))
    tokens = []
    for pid in person_ids:
        code = services.create_pairing(store, clerk, pid)
        token, _actor = services.pair_device(store, code)
        tokens.append(token)
    store.dispose()
    return {"sitting_id": sitting, "item_id": item, "ballot_id": ballot, "tokens": tokens}


# --- the load ----------------------------------------------------------------------------------------


@dataclass
class Seat:
    token: str
    total: int
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
            if data.get("type") in ("ballot_opened", "revote"):
                self.opened.set()
            elif data.get("type") == "ballot_closed" and self.result_at is None:
                self.result_at = time.perf_counter()

        @self.sio.on("progress")
        async def _progress(data: dict[str, Any]) -> None:
            if data.get("voted", 0) >= self.total and self.all_voted_at is None:
                self.all_voted_at = time.perf_counter()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def proc_stats(pid: int) -> tuple[float, float]:
    """CPU seconds (user+system) and peak RSS in MB of a process."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = 0.0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cpu, peak


async def login_cookie(base: str) -> str:
    import aiohttp

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/api/session") as r:
            token = (await r.json())["csrf_token"]
        async with http.post(f"{base}/api/login", json={"username": "chair", "password": "bench-chair-pass"},
                             headers={"X-CSRFToken": token}) as r:
            if r.status != 200:
                raise RuntimeError(f"login failed: {r.status} {await r.text()}")
        from yarl import URL

        cookies = http.cookie_jar.filter_cookies(URL(base))
        return "; ".join(f"{k}={v.value}" for k, v in cookies.items())


async def run_load(base: str, tokens: list[str], ids: dict[str, Any], *, bare: bool, pid: int) -> dict[str, float]:
    import socketio

    n = len(tokens)
    seats = [Seat(t, n) for t in tokens]
    for s in seats:
        s.attach()
    chair = socketio.AsyncClient(reconnection=False)
    if bare:
        await chair.connect(base, transports=["websocket"], auth={"token": "chair"})
    else:
        await chair.connect(base, transports=["websocket"], headers={"Cookie": await login_cookie(base)})

    cpu0, _ = proc_stats(pid)
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
          f"server RSS {rss_mb(pid):.0f} MB", flush=True)

    ack = await chair.call("open_sitting", {}, timeout=60)
    assert ack.get("ok"), ack
    t0 = time.perf_counter()
    acks = await asyncio.gather(*(s.sio.call("sign_in", {}, timeout=120) for s in seats))
    sign_in_s = time.perf_counter() - t0
    assert all(a.get("ok") for a in acks), [a for a in acks if not a.get("ok")][:3]
    print(f"  signed in, server RSS {rss_mb(pid):.0f} MB", flush=True)
    ack = await chair.call("start_item", {"item_id": ids["item_id"]}, timeout=60)
    assert ack.get("ok"), ack
    ack = await chair.call("open_ballot", {"ballot_id": ids["ballot_id"]}, timeout=60)
    assert ack.get("ok"), ack
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in seats)), 60)

    choices = ("for", "against", "abstain")

    async def cast(i: int, seat: Seat) -> None:
        start = time.perf_counter()
        a = await seat.sio.call("cast", {"ballot_id": ids["ballot_id"], "choice": choices[i % 3],
                                         "cast_id": uuid.uuid4().hex}, timeout=120)
        seat.ack_ms = (time.perf_counter() - start) * 1000
        assert a.get("ok"), a

    first_cast = time.perf_counter()
    await asyncio.gather(*(cast(i, s) for i, s in enumerate(seats)))
    deadline = time.perf_counter() + 60
    while any(s.all_voted_at is None for s in seats) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    missing = sum(1 for s in seats if s.all_voted_at is None)
    burst_s = max(s.all_voted_at or deadline for s in seats) - first_cast

    print(f"  all voted, server RSS {rss_mb(pid):.0f} MB", flush=True)
    close_t = time.perf_counter()
    ack = await chair.call("close_ballot", {"ballot_id": ids["ballot_id"]}, timeout=120)
    assert ack.get("ok"), ack
    deadline = time.perf_counter() + 60
    while any(s.result_at is None for s in seats) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    result_s = max(s.result_at or deadline for s in seats) - close_t
    cpu1, peak = proc_stats(pid)
    acks_ms = sorted(s.ack_ms or 0.0 for s in seats)
    await asyncio.gather(*(s.sio.disconnect() for s in seats), chair.disconnect(), return_exceptions=True)
    return {"connect_s": connect_s, "sign_in_s": sign_in_s, "ack_p50_ms": statistics.median(acks_ms),
            "ack_p99_ms": acks_ms[min(len(acks_ms) - 1, int(len(acks_ms) * 0.99))], "burst_s": burst_s,
            "result_s": result_s, "cpu_s": cpu1 - cpu0, "peak_rss_mb": peak, "missing": missing}


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_one(label: str, cmd: list[str], port: int, tokens: list[str], ids: dict[str, Any], bare: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log_path = Path(tempfile.gettempdir()) / f"bench-{label.replace('/', '-')}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    spy = None
    try:
        wait_healthy(port, proc)
        if os.environ.get("BENCH_PROFILE"):
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(proc.pid), "--format", "raw", "--rate", "100",
                                    "--nonblocking", "-o", os.environ["BENCH_PROFILE"] + f"-{label.replace('/', '-')}.txt"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stats = asyncio.run(run_load(f"http://127.0.0.1:{port}", tokens, ids, bare=bare, pid=proc.pid))
    except Exception:
        print(f"{label}: failed; server log in {log_path}", flush=True)
        raise
    finally:
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"{label:28s} connect {stats['connect_s']:6.2f} s  sign-in {stats['sign_in_s']:5.2f} s  "
          f"ack p50 {stats['ack_p50_ms']:7.1f} ms  p99 {stats['ack_p99_ms']:7.1f} ms  "
          f"burst {stats['burst_s']:5.2f} s  result {stats['result_s']:5.2f} s  "
          f"cpu {stats['cpu_s']:6.2f} s  peak RSS {stats['peak_rss_mb']:6.1f} MB"
          + (f"  MISSING {stats['missing']}" if stats["missing"] else ""), flush=True)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seats", type=int, default=500)
    parser.add_argument("--database", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--async-mode", default="both", choices=["eventlet", "gevent", "both"])
    parser.add_argument("--no-bare", action="store_true")
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.seats + 1024)), hard))

    modes = ["eventlet", "gevent"] if args.async_mode == "both" else [args.async_mode]
    print(f"{args.seats} seats, modes: {', '.join(modes)}", flush=True)
    ours: list[float] = []
    bares: list[float] = []
    for mode in modes:
        tmp = Path(tempfile.mkdtemp(prefix="biaojue-bench-"))
        try:
            url = args.database or f"sqlite:///{tmp / 'bench.sqlite3'}"
            t0 = time.perf_counter()
            ids = prepare_database(url, args.seats)
            print(f"set-up ({mode}): {time.perf_counter() - t0:.1f} s", flush=True)
            port = free_port()
            cmd = [sys.executable, "run.py", "--port", str(port), "--database", url, "--instance", str(tmp),
                   "--async-mode", mode]
            ours.append(run_one(f"biaojue/{mode}", cmd, port, ids["tokens"], ids, bare=False)["burst_s"])
            if not args.no_bare:
                port = free_port()
                cmd = [sys.executable, "bench/bare_server.py", "--port", str(port), "--async-mode", mode,
                       "--seats", str(args.seats)]
                bares.append(run_one(f"bare/{mode}", cmd, port, ids["tokens"], ids, bare=True)["burst_s"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if bares:
        for mode, o, b in zip(modes, ours, bares):
            print(f"{mode}: burst ours {o:.2f} s, bare {b:.2f} s", flush=True)
        print(f"ratio ours/bare: {statistics.mean(ours) / statistics.mean(bares):.2f}", flush=True)


if __name__ == "__main__":
    main()
