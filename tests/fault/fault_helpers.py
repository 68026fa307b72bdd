"""Helpers of the fault tests: a real server process that can be killed and restarted, a hall of real
Socket.IO clients that keep their state the way a terminal does (snapshot, numbered events, coalesced
pushes), a TCP relay that can drop every connection at once, and checks on the stored votes.

Everything runs on 127.0.0.1. Every process started here is killed by its owner's ``stop``/``kill``
(the fixtures call it in teardown)."""
from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHAIR_USER, CHAIR_PASSWORD = "chair", "bench-chair-pass"  # the account bench/seats.py creates
CHOICES = ("for", "against", "abstain")


def bench_seats() -> Any:
    """bench/seats.py as a module: its database preparation and process helpers are shared."""
    spec = importlib.util.spec_from_file_location("biaojue_bench_seats", ROOT / "bench" / "seats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("biaojue_bench_seats", module)
    spec.loader.exec_module(module)
    return module


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def choice_of(index: int) -> str:
    return CHOICES[index % 3]


def expected_counts(n: int) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for i in range(n):
        counts[choice_of(i)] += 1
    return counts


# --- PostgreSQL: a private schema per run ---------------------------------------------------------------


@contextlib.contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A fresh schema in the test database; yields a URL whose connections use it; dropped afterwards."""
    import sqlalchemy as sa

    schema = f"f_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- the server process ----------------------------------------------------------------------------------


TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\bERROR\b|\bCRITICAL\b")


class ServerProcess:
    """``python run.py`` on 127.0.0.1; every start writes its own log file."""

    def __init__(self, database: str, instance: Path, *, port: int | None = None, mode: str = "eventlet") -> None:
        self.database, self.instance, self.mode = database, instance, mode
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log_path = self.instance / f"server-{len(self.logs) + 1}.log"
        self.logs.append(log_path)
        cmd = [sys.executable, "run.py", "--port", str(self.port), "--database", self.database,
               "--instance", str(self.instance), "--async-mode", self.mode]
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                         stdout=log, stderr=subprocess.STDOUT)
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log_text()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was not committed is lost."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait_dead(self, timeout: float = 10) -> None:
        if self.proc is not None:
            self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def rss_mb(self) -> float:
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def log_text(self, index: int = -1) -> str:
        if not self.logs:
            return ""
        return self.logs[index].read_text(encoding="utf-8", errors="replace")

    def problems_in_logs(self) -> list[str]:
        """Lines of any log that show an exception or an error."""
        found = []
        for path in self.logs:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if TRACEBACK.search(line):
                    found.append(f"{path.name}: {line}")
        return found


# --- a relay in front of the server: drops every connection at once --------------------------------------


class Relay:
    """A TCP relay on 127.0.0.1 in front of the server. ``drop_all`` is a hall losing its network:
    each tablet's connection is reset, while the server side stays open and silent (no FIN reaches
    the server, which finds out only by its ping timeout), exactly what a failed access point does."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.server: asyncio.AbstractServer | None = None
        self.pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.blackholed: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0, backlog=4096)
        self.port = self.server.sockets[0].getsockname()[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _accept(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            s_reader, s_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            c_writer.transport.abort()
            return
        pair = (c_writer, s_writer)
        self.pairs.append(pair)
        for reader, writer, discard in ((c_reader, s_writer, False), (s_reader, c_writer, True)):
            task = asyncio.ensure_future(self._pipe(reader, writer, pair, discard_when_dropped=discard))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter], *, discard_when_dropped: bool) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if pair in self.pairs:
                    writer.write(data)
                    await writer.drain()
                elif not discard_when_dropped:
                    return
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            if pair in self.pairs:
                self.pairs.remove(pair)
                for w in pair:
                    w.transport.abort()

    def drop_all(self) -> int:
        """Reset every tablet-side connection; keep the server side open and read (and discard) what
        the server still sends. Returns how many connections were dropped."""
        dropped = list(self.pairs)
        self.pairs.clear()
        for c_writer, s_writer in dropped:
            c_writer.transport.abort()
            self.blackholed.append(s_writer)
        return len(dropped)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for c_writer, s_writer in self.pairs:
            c_writer.transport.abort()
            s_writer.transport.abort()
        for w in self.blackholed:
            w.transport.abort()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.sleep(0)


# --- terminals ---------------------------------------------------------------------------------------------


@dataclass
class Terminal:
    """A Socket.IO client that keeps its state as docs/protocol.md asks: replace everything on a
    snapshot, apply numbered events in order (a gap asks for a fresh snapshot), apply attendance,
    progress, me and me_vote as they come. Every message received is recorded."""

    name: str
    auth: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    record: bool = False
    sio: Any = None
    state: dict[str, Any] = field(default_factory=dict)
    seq: int = -1
    snapshots: int = 0
    received: list[tuple[str, Any]] = field(default_factory=list)
    first_snapshot: dict[str, Any] | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    gaps: int = 0
    on_message: Callable[[Terminal, str, Any], None] | None = None

    def new_client(self) -> Any:
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False)
        self.connected, self.dropped = asyncio.Event(), asyncio.Event()
        self.state, self.seq, self.first_snapshot = {}, -1, None
        for name in ("snapshot", "event", "attendance", "progress", "me", "me_vote", "remind", "revoked"):
            self.sio.on(name, self._handler(name))
        self.sio.on("disconnect", self._on_disconnect)
        return self.sio

    async def _on_disconnect(self, *args: Any) -> None:
        self.dropped.set()

    def _handler(self, name: str) -> Callable[[Any], Any]:
        async def handle(data: Any = None) -> None:
            if self.record:
                self.received.append((name, copy.deepcopy(data)))
            if self.on_message is not None:
                self.on_message(self, name, data)
            getattr(self, "_apply_" + name, lambda _d: None)(data)

        return handle

    def _apply_snapshot(self, snap: dict[str, Any]) -> None:
        self.state = copy.deepcopy(snap)
        self.seq = snap["seq"]
        self.snapshots += 1
        if self.first_snapshot is None:
            self.first_snapshot = copy.deepcopy(snap)
        self.connected.set()

    def _apply_event(self, ev: dict[str, Any]) -> None:
        if ev["seq"] <= self.seq:
            return
        if ev["seq"] > self.seq + 1:
            self.gaps += 1
            asyncio.ensure_future(self.resync())
            return
        self.state.update(copy.deepcopy(ev["changes"]))
        self.seq = ev["seq"]

    def _apply_attendance(self, data: dict[str, Any]) -> None:
        self.state["attendance"] = copy.deepcopy(data["attendance"])
        self.state["ballot"] = copy.deepcopy(data["ballot"])

    def _apply_progress(self, data: dict[str, Any]) -> None:
        ballot = self.state.get("ballot")
        if ballot and ballot.get("round_id") == data["round_id"]:
            ballot["voted"] = data["voted"]
            if "non_voters" in data:
                ballot["non_voters"] = data["non_voters"]

    def _apply_me(self, data: dict[str, Any]) -> None:
        self.state.setdefault("me", {}).update(data["me"])

    def _apply_me_vote(self, data: dict[str, Any]) -> None:
        self.state.setdefault("me", {})["vote"] = dict(data["vote"])

    async def resync(self) -> None:
        ack = await self.sio.call("snapshot", {}, timeout=60)
        if ack.get("ok"):
            self._apply_snapshot(ack["snapshot"])

    async def connect(self, base: str, *, attempts: int = 5, wait: float = 30) -> None:
        last: Exception | None = None
        for attempt in range(attempts):
            self.new_client()
            try:
                await self.sio.connect(base, transports=["websocket"], auth=self.auth, headers=dict(self.headers or {}),
                                       wait_timeout=wait)
                await asyncio.wait_for(self.connected.wait(), wait)
                return
            except Exception as exc:  # the listener's backlog is full for a moment: try again
                last = exc
                with contextlib.suppress(Exception):
                    await self.sio.disconnect()
                await asyncio.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"{self.name} could not connect: {last!r}")

    async def call(self, event: str, payload: Any = None, timeout: float = 120) -> Any:
        return await self.sio.call(event, {} if payload is None else payload, timeout=timeout)

    @property
    def me_vote(self) -> dict[str, Any] | None:
        return (self.state.get("me") or {}).get("vote")

    @property
    def has_voted(self) -> bool:
        """"You have voted", as docs/protocol.md defines it."""
        vote, ballot = self.me_vote, self.state.get("ballot")
        return bool(vote and ballot and vote["round_id"] == ballot["round_id"] and vote["voted"])


async def gather_limited(coros: list[Any], limit: int = 200) -> list[Any]:
    sem = asyncio.Semaphore(limit)

    async def run(coro: Any) -> Any:
        async with sem:
            return await coro

    return await asyncio.gather(*(run(c) for c in coros))


async def staff_cookie(base: str, username: str = CHAIR_USER, password: str = CHAIR_PASSWORD) -> str:
    """Log in over HTTP as a browser would; the session cookie as a Cookie header."""
    import aiohttp
    from yarl import URL

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/api/session") as r:
            token = (await r.json())["csrf_token"]
        async with http.post(f"{base}/api/login", json={"username": username, "password": password},
                             headers={"X-CSRFToken": token}) as r:
            if r.status != 200:
                raise RuntimeError(f"login failed: {r.status} {await r.text()}")
        cookies = http.cookie_jar.filter_cookies(URL(base))
        return "; ".join(f"{k}={v.value}" for k, v in cookies.items())


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


def new_cast_id() -> str:
    return uuid.uuid4().hex


# --- the stored votes --------------------------------------------------------------------------------------


def stored_round(url: str, round_id: int) -> dict[str, Any]:
    """Participations and counters of one round, read straight from the database."""
    from sqlalchemy import select

    from voting_server import models
    from voting_server.db import Store

    store = Store(url)
    try:
        with store.read() as s:
            parts = [(p.person_id, p.receipt, p.cast_id, p.choice) for p in s.scalars(
                select(models.Participation).where(models.Participation.round_id == round_id))]
            counts = {(c.question, c.option): c.count for c in s.scalars(
                select(models.TallyCount).where(models.TallyCount.round_id == round_id))}
            rnd = s.get(models.Round, round_id)
            assert rnd is not None
            return {"participations": parts, "counts": counts, "voters": rnd.voters, "status": rnd.status}
    finally:
        store.dispose()


def verify_chain(url: str) -> Any:
    from voting_server.db import Store
    from voting_server.services import verify_chain as verify

    store = Store(url)
    try:
        return verify(store)
    finally:
        store.dispose()


def person_ids_by_token(url: str, tokens: list[str]) -> list[int]:
    from voting_server.db import Store
    from voting_server.services import device_actor

    store = Store(url)
    try:
        out = []
        for t in tokens:
            actor = device_actor(store, t)
            assert actor is not None and actor.person_id is not None
            out.append(actor.person_id)
        return out
    finally:
        store.dispose()
