"""The one writer: casts and sign-ins arriving together are committed together (one transaction per
kind), then each waiting command gets its own committed answer."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from flask_socketio import SocketIO

from ..commands import Batch, Command
from ..db import Store
from ..i18n import msg
from ..services import Invalid, ServiceError, storage_refusal

log = logging.getLogger(__name__)

MAX_BATCH = 500
HEAVY_BATCH = 32  # a batch's heavy requests (``Batch.heavy``) committed this many at a time
TIMEOUT = 30.0  # seconds a command waits for its commit before it is answered ``timeout``


def server_error() -> Invalid:
    return Invalid("server_error", msg("服务器内部错误，请重试"))


class Reply(Protocol):
    """The committed answer to one request, waited for by the command that made it."""

    def give(self, outcome: object) -> None: ...

    def take(self, timeout: float) -> tuple[object] | None: ...


class _ThreadReply:
    def __init__(self) -> None:
        self._done = threading.Event()
        self._outcome: tuple[object] | None = None

    def give(self, outcome: object) -> None:
        self._outcome = (outcome,)
        self._done.set()

    def take(self, timeout: float) -> tuple[object] | None:
        return self._outcome if self._done.wait(timeout) else None


class _EventletReply:
    def __init__(self) -> None:
        from eventlet.event import Event

        self._event = Event()

    def give(self, outcome: object) -> None:
        self._event.send((outcome,))

    def take(self, timeout: float) -> tuple[object] | None:
        return self._event.wait(timeout)  # type: ignore[no-any-return]


class _GeventReply:
    def __init__(self) -> None:
        from gevent.event import AsyncResult

        self._result: AsyncResult[tuple[object]] = AsyncResult()

    def give(self, outcome: object) -> None:
        self._result.set((outcome,))

    def take(self, timeout: float) -> tuple[object] | None:
        return self._result.wait(timeout)  # type: ignore[no-any-return]


def replies(async_mode: str) -> Callable[[], Reply]:
    """The lightest one-shot event of the server's async mode: a hall casting at once waits on two
    thousand of them (the green ``threading.Event`` costs about four times the memory of eventlet's)."""
    kinds: dict[str, Callable[[], Reply]] = {"eventlet": _EventletReply, "gevent": _GeventReply}
    return kinds.get(async_mode, _ThreadReply)


def _parts(entry: Batch[Any], group: list[tuple[str, Any, Reply]]) -> list[list[tuple[str, Any, Reply]]]:
    """A kind's requests as the writer commits them: the light ones together, then the heavy ones
    ``HEAVY_BATCH`` at a time."""
    if entry.heavy is None:
        return [group] if group else []
    heavy = [item for item in group if entry.heavy(item[1])]
    light = [item for item in group if not entry.heavy(item[1])]
    return ([light] if light else []) + [heavy[i:i + HEAVY_BATCH] for i in range(0, len(heavy), HEAVY_BATCH)]


class Writer:
    """Takes every waiting request, commits each kind with its batch service, answers each request.

    A command hands its request over and waits on an event for the answer, in the green thread (or
    thread) already reading that terminal's connection: no thread is started per waiting command, and
    a terminal flooding commands delays only itself."""

    def __init__(self, socketio: SocketIO, store: Store, commands: Iterable[Command[Any, Any]]) -> None:
        self.socketio, self.store = socketio, store
        self.batches: dict[str, Batch[Any]] = {c.name: c.batch for c in commands if c.batch is not None}
        self._reply = replies(socketio.async_mode)
        self._queue: Any = None

    def start(self) -> None:
        self._queue = self.socketio.server.eio.create_queue()
        self.socketio.start_background_task(self._loop)

    def submit(self, name: str, request: object) -> object:
        """Hand a request to the writer and wait for its committed answer (a ``ServiceError`` when refused)."""
        reply = self._reply()
        self._queue.put((name, request, reply))
        answer = reply.take(TIMEOUT)
        if answer is None:
            raise Invalid("timeout", msg("服务器繁忙，请重试"))
        outcome = answer[0]
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    def _loop(self) -> None:
        empty = self.socketio.server.eio.get_queue_empty_exception()
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except empty:
                    break
            for name, entry in self.batches.items():
                group = [item for item in batch if item[0] == name]
                for part in _parts(entry, group):
                    self._commit(name, entry, part)
            self.socketio.sleep(0)

    def _commit(self, name: str, entry: Batch[Any], group: list[tuple[str, object, Reply]]) -> None:
        try:
            outcomes: list[object] = entry.run(self.store, [request for _n, request, _r in group])
        except Exception as error:
            refusal = storage_refusal(error)
            if refusal is None:
                log.exception("%s batch failed", name)
            else:  # the database is away for now: the terminals retry (same cast ids)
                log.warning("%s batch of %d: storage unavailable", name, len(group))
            outcomes = [refusal or server_error()] * len(group)
        for (_n, _r, reply), outcome in zip(group, outcomes, strict=True):
            reply.give(outcome)
