"""Helpers of the realtime tests: in-process terminals (Flask-SocketIO's test client) that keep their state
by the rule of docs/protocol.md (``support.terminal``), and a scan of every received payload for what
must not be there. Real clients of a ``run.py`` process are ``support.clients``."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask_socketio.test_client import SocketIOTestClient
from socketio import packet as sio_packet
from support.terminal import Console, SeqError

from voting_server.services import Actor

CLERK = Actor(role="clerk", name="办公室 何静")


def walk(obj: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every (path, key, value) of every dict inside ``obj``."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from walk(value, f"{path}[{i}]")


OPTION_CODES = {"for", "against", "abstain", "satisfied", "basic", "unsatisfied", "mark"}


def tally_leaks(obj: Any) -> list[str]:
    """Anything in a payload that would tell per-choice counts: a result, counts, or a mapping of
    option codes to numbers."""
    found = []
    for path, key, value in walk(obj):
        if key == "result" and value is not None:
            found.append(f"{path}.result")
        if key in ("counts", "tally", "tallies") and value:
            found.append(f"{path}.{key}")
        if isinstance(value, dict) and value and set(value) <= OPTION_CODES \
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
            found.append(f"{path}.{key} (option counts)")
    return found


# --- in-process terminals (Flask-SocketIO test client) --------------------------------------------------


class TimedList(list):  # type: ignore[type-arg]
    """The test client's receive queue; remembers when each push arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: dict[int, float] = {}

    def append(self, item: Any) -> None:
        self.times[id(item)] = time.monotonic()
        super().append(item)


class RecordingTestClient(SocketIOTestClient):  # type: ignore[misc]
    """The Flask-SocketIO test client, keeping the ``connect_error`` data of a refused connection."""

    connect_error: Any = None

    def connect(self, namespace: str | None = None, query_string: str | None = None, headers: Any = None,
                auth: Any = None) -> None:
        self.queue = TimedList()
        server = self.socketio.server
        send = server._send_packet

        def capture(eio_sid: str, pkt: Any) -> Any:
            if eio_sid == self.eio_sid and pkt.packet_type == sio_packet.CONNECT_ERROR:
                self.connect_error = pkt.data
            return send(eio_sid, pkt)

        server._send_packet = capture
        try:
            super().connect(namespace=namespace, query_string=query_string, headers=headers, auth=auth)
        finally:
            server._send_packet = send


class Terminal(Console):
    """One connected terminal in this process. The pushes the server sends wait in the test client's
    queue until ``pump`` applies them; a numbered event after a gap fails the test (``SeqError``)."""

    settle_seconds = 3.0

    def __init__(self, app: Any, label: str, *, auth: Any = None, flask_client: Any = None) -> None:
        super().__init__(label)
        self.app = app
        self.client = RecordingTestClient(app, app.extensions["socketio"], auth=auth,
                                          flask_test_client=flask_client)
        if self.connected:
            self.pump()

    @property
    def connected(self) -> bool:
        return bool(self.client.is_connected())

    @property
    def refusal(self) -> Any:
        return self.client.connect_error

    def pump(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        """Take what arrived (pop by pop: pushes from the server's threads may be appending), apply it."""
        got = []
        queue = self.client.queue
        while queue:
            item = queue.pop(0)
            at = queue.times.pop(id(item), None) if isinstance(queue, TimedList) else None
            name, data = item["name"], (item["args"][0] if item["args"] else None)
            got.append((name, data))
            self.take(name, data, at)
        return got

    def numbered_gap(self, message: str) -> None:
        raise SeqError(message)

    def resync(self) -> None:
        ack = self.client.emit("snapshot", {}, callback=True)
        assert isinstance(ack, dict) and ack.get("ok"), f"{self.label}: resync refused: {ack}"
        self.replace(ack["snapshot"])

    def cmd(self, name: str, *args: Any) -> Any:
        """Send a command with any arguments and return its acknowledgement (also kept in ``log``)."""
        self.pump()
        ack = self.acknowledged(name, self.client.emit(name, *args, callback=True))
        self.pump()
        return ack

    def call(self, name: str, payload: Any = None, timeout: float = 15) -> Any:
        return self.cmd(name, {} if payload is None else payload)

    def disconnect(self) -> None:
        if self.connected:
            self.client.disconnect()

    def forget(self) -> None:
        SocketIOTestClient.clients.pop(self.client.eio_sid, None)
