"""One tablet floods the hall: a paired tablet's script sends a command as fast as a raw websocket
allows (thousands a second, each with an acknowledgement id), reconnecting whenever it is dropped,
while 100 other seats go on with the sitting. A real server process (eventlet, default rates).

The other seats' acknowledgements must stay quick (the flood adds less than 200 ms to their p99, against
the same calls measured before the flood in the same run); the flooder must be answered
``rate_limited``, disconnected, and refused when it comes back at once; the clerk's console is told,
the audit log keeps it, and the server's memory does not grow. Flooded: ``snapshot`` (each one a
snapshot to build) and a malformed ``cast`` (each one a payload to parse and refuse)."""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import threading
import time
from typing import Any

import pytest
from fault_helpers import Phases, choice_of, open_hall
from sqlalchemy import select
from support.clients import AsyncLiveClient
from support.database import seed_hall
from support.polling import wait_until
from support.terminal import new_cast_id

from voting_server import models
from voting_server.db import Store

SEATS = 100
FLOOD_SECONDS = 6.0
RECONNECT_PAUSE = 0.05  # the flooder comes back twenty times a second (a connection flood is another matter)
PACKETS = {
    "snapshot": '["snapshot",{}]',
    "cast": '["cast",{"ballot_id":"x","choice":7}]',
}


def flood(port: int, token: str, packet: str, seconds: float, out: Any) -> None:
    """The flooder, in a process of its own: Engine.IO framing by hand, over websocket-client; a thread
    reads the answers while the process sends."""
    import websocket

    counts = {"sent": 0, "limited": 0, "refused": 0, "connections": 0}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                             timeout=5)
        except OSError:
            time.sleep(0.05)
            continue
        try:
            ws.recv()  # the Engine.IO open packet
            ws.send("40" + json.dumps({"token": token}))
            answer = ws.recv()
            if answer.startswith("44"):
                counts["refused"] += "rate_limited" in answer
                time.sleep(RECONNECT_PAUSE)
                continue
            counts["connections"] += 1
            gone = threading.Event()
            reader = threading.Thread(target=read_answers, args=(ws, counts, gone), daemon=True)
            reader.start()
            while time.monotonic() < end and not gone.is_set():
                counts["sent"] += 1
                ws.send(f"42{counts['sent']}{packet}")
        except (OSError, websocket.WebSocketException):
            pass  # dropped by the server: come back at once, as a hostile script would
        finally:
            ws.close()
    out.put(counts)


def read_answers(ws: Any, counts: dict[str, int], gone: threading.Event) -> None:
    try:
        while True:
            frame = ws.recv()
            if not frame or frame == "41":
                break
            counts["limited"] += "rate_limited" in frame
    except Exception:  # the connection is gone
        pass
    gone.set()


async def timed_calls(seats: list[AsyncLiveClient], event: str, payload: Any, *, spacing: float) -> list[float]:
    """Each seat's call, one every ``spacing`` seconds (ten at a time at most): each one's seconds."""
    sem = asyncio.Semaphore(10)

    async def one(i: int, seat: AsyncLiveClient) -> float:
        await asyncio.sleep(i * spacing)
        async with sem:
            start = time.monotonic()
            ack = await seat.call(event, payload(i) if callable(payload) else payload, timeout=60)
            assert ack.get("ok"), ack
            return time.monotonic() - start

    return list(await asyncio.gather(*(one(i, s) for i, s in enumerate(seats))))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", sorted(PACKETS))
def test_one_tablet_floods_the_hall(servers, tmp_path, command):
    url = f"sqlite:///{tmp_path / 'flood.sqlite3'}"
    ids = seed_hall(url, SEATS + 1)
    flooder_token, ids["tokens"] = ids["tokens"][-1], ids["tokens"][:-1]
    server = servers(url, tmp_path)
    server.start()
    figures = asyncio.run(flood_run(server, ids, flooder_token, command))
    base, during = figures["baseline"], figures["flood"]
    print(f"\n[flood {command}] flooder sent {figures['flooder']['sent']} commands in {FLOOD_SECONDS:.0f} s "
          f"({figures['flooder']['sent'] / FLOOD_SECONDS:.0f}/s), answered rate_limited "
          f"{figures['flooder']['limited']}, connections {figures['flooder']['connections']}, refused reconnects "
          f"{figures['flooder']['refused']}; others' ack ms p50/p99: before {base[0]:.0f}/{base[1]:.0f}, "
          f"during {during[0]:.0f}/{during[1]:.0f}; clerk alerts {figures['alerts']}; RSS MB "
          f"{figures['rss'][0]:.0f} -> {figures['rss'][1]:.0f}")
    # what the flood adds to the others' p99, against the same calls before it (the machine's own load apart)
    assert during[1] - base[1] < 200, f"the other seats' ack p99 was {during[1]:.0f} ms during the flood"
    assert figures["flooder"]["limited"] > 0 and figures["flooder"]["refused"] > 0, figures["flooder"]
    assert figures["alerts"] >= 1
    assert figures["rss"][1] - figures["rss"][0] < 20
    store = Store(url)
    try:
        with store.read() as s:
            flooded = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "terminal_flooded")).all()
    finally:
        store.dispose()
    assert flooded and all(json.loads(e.payload)["command"] == command for e in flooded)
    server.assert_clean_logs()


async def flood_run(server: Any, ids: dict[str, Any], flooder_token: str, command: str) -> dict[str, Any]:
    chair, seats, _round_id = await open_hall(server, ids, server.url, Phases())
    clerk = AsyncLiveClient("clerk", headers={"Cookie": server.staff_cookie("clerk")})
    await clerk.connect(server.url)
    alerts: list[Any] = []
    clerk.sio.on("alert", lambda data: alerts.append(data))
    spacing = FLOOD_SECONDS / 2 / SEATS  # the seats' calls spread over half the flood
    baseline = await timed_calls(seats, "snapshot", {}, spacing=spacing)
    rss_before = server.memory_mb()

    out: Any = multiprocessing.get_context("fork").Queue()
    proc = multiprocessing.get_context("fork").Process(
        target=flood, args=(server.port, flooder_token, PACKETS[command], FLOOD_SECONDS, out), daemon=True)
    proc.start()
    await asyncio.sleep(0.5)  # the flood under way
    during = await timed_calls(seats, "snapshot", {}, spacing=spacing)
    cast_ids = [new_cast_id() for _ in seats]
    during += await timed_calls(seats, "cast", lambda i: {"ballot_id": ids["ballot_id"], "choice": choice_of(i),
                                                          "cast_id": cast_ids[i]}, spacing=spacing)
    flooder = await asyncio.get_running_loop().run_in_executor(None, out.get, True, 60)
    proc.join(10)
    await wait_until(lambda: bool(alerts), 10, "the clerk's alert")
    rss_after = server.memory_mb()
    for client in (chair, clerk, *seats):
        await client.sio.disconnect()

    def ms(values: list[float]) -> tuple[float, float]:
        return percentile(values, 50) * 1000, percentile(values, 99) * 1000

    return {"baseline": ms(baseline), "flood": ms(during), "flooder": flooder, "alerts": len(alerts),
            "rss": (rss_before, rss_after)}
