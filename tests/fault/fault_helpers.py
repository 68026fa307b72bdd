"""Helpers of the fault tests: a TCP relay that can drop every connection at once, the choices a hall
makes, and checks on the stored votes. The server process, the clients that keep a terminal's state and
the seeded hall are ``support.server``, ``support.clients`` and ``support.database``.

Everything runs on 127.0.0.1."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from support.clients import AsyncLiveClient
from support.polling import wait_until
from support.server import ServerProcess

CHOICES = ("for", "against", "abstain")


def choice_of(index: int) -> str:
    return CHOICES[index % 3]


def expected_counts(n: int) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for i in range(n):
        counts[choice_of(i)] += 1
    return counts


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


class Phases(dict[str, float]):
    """Seconds from the start of a run to the end of each of its phases: ``phase("connected")``."""

    def __init__(self) -> None:
        super().__init__()
        self.start = time.monotonic()

    def __call__(self, name: str) -> None:
        self[name] = round(time.monotonic() - self.start, 1)


# --- a hall of clients ----------------------------------------------------------------------------------


async def open_hall(server: ServerProcess, ids: dict[str, Any], seats_url: str,
                    phase: Phases) -> tuple[AsyncLiveClient, list[AsyncLiveClient], int]:
    """The chair's console on the server (wired: it stays up through whatever happens to the hall), every
    seat connected at ``seats_url`` and signed in, the resolution of ``seed_hall`` open and on every
    seat's screen. Returns (chair, seats, round_id)."""
    chair = AsyncLiveClient("chair", headers={"Cookie": server.staff_cookie("chair")})
    await chair.connect(server.url)
    assert (await chair.call("open_sitting", {"confirm": True}))["ok"]
    seats = [AsyncLiveClient(f"seat{i}", auth={"token": t}) for i, t in enumerate(ids["tokens"])]
    await gather_limited([s.connect(seats_url) for s in seats])
    phase("connected")
    signed = await asyncio.gather(*(s.call("sign_in") for s in seats))
    assert all(a["ok"] for a in signed), [a for a in signed if not a["ok"]][:3]
    assert (await chair.call("start_item", {"item_id": ids["item_id"]}))["ok"]
    opened = await chair.call("open_ballot", {"ballot_id": ids["ballot_id"]})
    assert opened["ok"], opened
    round_id: int = opened["round_id"]
    await wait_until(lambda: all((s.state.get("ballot") or {}).get("round_id") == round_id for s in seats), 60,
                     "every seat to show the open ballot")
    phase("opened")
    return chair, seats, round_id


async def gather_limited(coros: list[Any], limit: int = 200) -> list[Any]:
    sem = asyncio.Semaphore(limit)

    async def run(coro: Any) -> Any:
        async with sem:
            return await coro

    return await asyncio.gather(*(run(c) for c in coros))


# --- the stored votes --------------------------------------------------------------------------------------


def stored_round(url: str, round_id: int, instance: Path | None = None) -> dict[str, Any]:
    """Participations and counts of one round, read straight from the database (a secret round's box
    decrypted with the key in the server's instance folder, as only its holder could)."""
    from sqlalchemy import select
    from support.box import open_counts

    from voting_server import models
    from voting_server.db import Store

    store = Store(url, keys_dir=None if instance is None else instance / "ballotbox")
    try:
        with store.read() as s:
            parts = [(p.person_id, p.receipt, p.cast_id, p.choice) for p in s.scalars(
                select(models.Participation).where(models.Participation.round_id == round_id))]
            counts = {(q, o): n for q, opts in open_counts(store, round_id).items() for o, n in opts.items()}
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


def seeded_sqlite(path: Path, *, members: int = 10, seats: int = 7) -> tuple[dict[str, Any], list[str]]:
    """The demo committee in a new SQLite file at ``path`` (store closed again), and the device tokens of
    seats 1 to ``seats``, paired with the demo PIN."""
    from support.hashing import fast_hashing

    from voting_server import demo, services
    from voting_server.db import Store
    from voting_server.migrate import upgrade

    store = Store(f"sqlite:///{path}")
    try:
        upgrade(store)
        with fast_hashing():
            ids = demo.seed(store, members=members)
        tokens = [services.pair_with_pin(store, ids["body_id"], str(n), demo.DEMO_PIN)[0]
                  for n in range(1, seats + 1)]
    finally:
        store.dispose()
    return ids, tokens
