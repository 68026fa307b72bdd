"""Real Socket.IO clients of a server process (see ``server``), over WebSocket, that keep a terminal's
state (see ``terminal``): ``LiveClient`` in threads (python-socketio's ``Client``), ``AsyncLiveClient``
in asyncio, for a hall of hundreds. A seat connects with its device token (``auth``), a console with the
session cookie of a staff login (``cookie``)."""
from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from .polling import wait_for
from .terminal import PUSHES, Console, Screen, State


class LiveClient(Console):
    """python-socketio's threaded client (its handlers run in threads of their own)."""

    def __init__(self, url: str, label: str, *, token: str | None = None, cookie: str | None = None,
                 sitting_id: int | None = None, follows: bool = False) -> None:
        import socketio

        super().__init__(label)
        self.url, self.token, self.cookie, self.sitting_id = url, token, cookie, sitting_id
        self.follows, self.moves = follows, list[int]()  # as the pages do: join the sitting ``sitting.moved_to`` names
        self.sio = socketio.Client(reconnection=False)
        self.refusal: Any = None
        self.sio.on("connect_error", self._on_refused)
        for name in PUSHES:
            self.sio.on(name, self._handler(name))

    def _on_refused(self, data: Any = None) -> None:
        self.refusal = data

    def _handler(self, name: str) -> Callable[..., None]:
        def on(data: Any = None, *_rest: Any) -> None:
            self.take(name, data)
            if self.follows and name in ("snapshot", "event"):
                self._follow()
        return on

    def _follow(self) -> None:
        """On a planned sitting whose ``moved_to`` names the body's open one: reconnect to that one (from a
        thread of its own: a handler may not wait for its own client's disconnect)."""
        with self.lock:
            sitting = self.state.get("sitting") or {}
            to = sitting.get("moved_to") if sitting.get("status") == "planned" else None
        if to is None or to == self.sitting_id:
            return
        self.sitting_id = to
        self.moves.append(to)

        def move() -> None:
            self.disconnect()
            wait_for(lambda: not self.sio.connected, 5)
            self.connect()

        threading.Thread(target=move, daemon=True).start()

    def connect(self, timeout: float = 10) -> LiveClient:
        auth: dict[str, Any] | None = {"token": self.token} if self.token else None
        if self.sitting_id is not None:
            auth = {**(auth or {}), "sitting_id": self.sitting_id}
        headers = {"Cookie": self.cookie} if self.cookie else None
        with self.lock:
            self.state.clear()
        self.sio.connect(self.url, transports=["websocket"], auth=auth, headers=headers, wait_timeout=timeout)
        assert wait_for(lambda: "seq" in self.state, timeout), f"{self.label}: no snapshot after connect"
        return self

    def call(self, name: str, payload: Any = None, timeout: float = 15) -> Any:
        return self.acknowledged(name, self.sio.call(name, {} if payload is None else payload, timeout=timeout))

    def disconnect(self) -> None:
        with contextlib.suppress(Exception):
            self.sio.disconnect()


class AsyncLiveClient(Screen):
    """python-socketio's asyncio client. ``connect`` may be called again after a drop: a new connection,
    a new snapshot (``first_snapshot`` is the first one of each connection); ``dropped`` is set when the
    connection goes."""

    def __init__(self, label: str, *, auth: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(label)
        self.auth, self.headers = auth, dict(headers or {})
        self.sio: Any = None
        self.first_snapshot: State | None = None
        self.ready, self.dropped = asyncio.Event(), asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()

    def _new_client(self) -> None:
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False)
        self.ready, self.dropped = asyncio.Event(), asyncio.Event()
        self.state, self.first_snapshot = {}, None
        for name in PUSHES:
            self.sio.on(name, self._handler(name))
        self.sio.on("disconnect", self._on_disconnect)

    async def _on_disconnect(self, *_args: Any) -> None:
        self.dropped.set()

    def _handler(self, name: str) -> Callable[[Any], Coroutine[Any, Any, None]]:
        async def handle(data: Any = None) -> None:
            self.take(name, data)
            if name == "snapshot":
                self._snapshot_taken(data)
        return handle

    def _snapshot_taken(self, snapshot: State) -> None:
        if self.first_snapshot is None:
            self.first_snapshot = copy.deepcopy(snapshot)
        self.ready.set()

    def resync(self) -> None:
        task = asyncio.ensure_future(self._resync())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _resync(self) -> None:
        ack = await self.sio.call("snapshot", {}, timeout=60)
        if ack.get("ok"):
            self.replace(ack["snapshot"])
            self._snapshot_taken(ack["snapshot"])

    async def connect(self, base: str, *, attempts: int = 5, wait: float = 30) -> None:
        last: Exception | None = None
        for attempt in range(attempts):
            self._new_client()
            try:
                await self.sio.connect(base, transports=["websocket"], auth=self.auth, headers=dict(self.headers),
                                       wait_timeout=wait)
                await asyncio.wait_for(self.ready.wait(), wait)
                return
            except Exception as exc:  # the listener's backlog is full for a moment: try again
                last = exc
                with contextlib.suppress(Exception):
                    await self.sio.disconnect()
                await asyncio.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"{self.label} could not connect: {last!r}")

    async def call(self, event: str, payload: Any = None, timeout: float = 120) -> Any:
        return await self.sio.call(event, {} if payload is None else payload, timeout=timeout)
