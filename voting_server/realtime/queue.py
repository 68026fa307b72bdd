"""The message queue between several server processes (Redis), kept off every acknowledgement's path
and watched.

Python-socketio's Redis manager publishes each push in the green thread that emits it, on a connection
without a timeout: with Redis stalled, a cast's acknowledgement waited for the publish (the writer
publishes the committed events before it answers). Here:

- a push is handed to this process's own terminals at once, and published for the other processes from a
  bounded outbox that one background green thread drains (``drain``), on a connection with socket
  timeouts; a push to one connection of this process is not published at all;
- the listener reads the channel with a ping of its own every ``timeout / 3`` seconds: nothing heard for
  ``timeout`` seconds, a refused connection or a failed publish marks the queue down (``health``);
  it reconnects every second;
- while the queue is down nothing is published (what the other processes would miss is resent as
  snapshots); once both the listener and the publisher answer again, ``on_restored`` runs (the process
  sends every one of its terminals a fresh snapshot) and a resync request is published, so that every
  other process does the same for its terminals (they may have missed what this one published).
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

log = logging.getLogger(__name__)

OUTBOX = 2000  # pushes waiting to be published; past that the queue counts as stalled
RETRY_EVERY = 0.5  # seconds between reconnection attempts
PING = "biaojue-queue-ping"
RESYNC = "biaojue_resync"  # a process asks the others to resend their terminals' snapshots


@dataclass(frozen=True)
class QueueState:
    ok: bool
    reason: str | None = None
    since: float = 0.0  # time.time() of the last change
    dropped: int = 0  # pushes not published while down

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason, "since": round(self.since, 3), "dropped": self.dropped}


class MessageQueue(RedisManager):  # type: ignore[misc]  # python-socketio is untyped
    """A ``client_manager`` for Flask-SocketIO; ``url`` a redis:// URL, ``timeout`` in seconds."""

    name = "redis"

    def __init__(self, url: str, *, channel: str, timeout: float = 3.0) -> None:
        super().__init__(url, channel=channel)
        self.timeout = timeout
        self.on_lost: Callable[[QueueState], None] = lambda state: None
        self.on_restored: Callable[[QueueState], None] = lambda state: None
        self.on_resync_request: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self._listening = False  # subscribed, and a ping answered within the timeout
        self._publishing = False  # the publisher's connection answered its last command
        self._ever_up = False
        self._state = QueueState(False, "connecting", time.time())
        self._outbox: Any = None
        self._publisher: redis.Redis | None = None

    # --- health -----------------------------------------------------------------------------------------

    @property
    def health(self) -> QueueState:
        return self._state

    def _client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=self.timeout,
                                    socket_connect_timeout=self.timeout, retry=Retry(NoBackoff(), 0),
                                    health_check_interval=0)

    def _set(self, *, listening: bool | None = None, publishing: bool | None = None,
             reason: str | None = None) -> None:
        with self._lock:
            was = self._state
            if listening is not None:
                self._listening = listening
            if publishing is not None:
                self._publishing = publishing
            ok = self._listening and self._publishing
            if ok == was.ok:
                if not ok and reason and was.reason == "connecting":  # never reached yet: say why
                    self._state = dataclasses.replace(was, reason=reason)
                return
            self._state = QueueState(ok, None if ok else (reason or "lost"), time.time(),
                                     0 if ok else was.dropped)
            first = ok and not self._ever_up
            self._ever_up = self._ever_up or ok
            state = self._state
        if ok and first:
            log.info("message queue connected")
        elif ok:
            log.warning("message queue restored: resending every terminal's snapshot (%d pushes were not "
                        "published)", was.dropped)
        if ok:
            self._spawn(self.on_restored, state)
            if not first or was.dropped:
                self._enqueue({"method": RESYNC, "host_id": self.host_id})
        else:
            log.error("message queue lost: %s", state.reason)
            self._spawn(self.on_lost, state)

    def _spawn(self, fn: Callable[..., None], *args: Any) -> None:
        def run() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("message queue callback failed")
        self.server.start_background_task(run)

    # --- publishing -------------------------------------------------------------------------------------

    def initialize(self) -> None:
        self._outbox = self.server.eio.create_queue(OUTBOX)
        super().initialize()  # the listener (python-socketio's thread over ``_listen``)
        self.server.start_background_task(self._drain)

    def emit(self, event: str, data: Any, namespace: str | None = None, room: str | None = None,
             skip_sid: Any = None, callback: Any = None, to: str | None = None, **kwargs: Any) -> Any:
        room = to or room
        ns = namespace or "/"
        if callback is None and isinstance(room, str) and (self.is_connected(room, ns)
                                                           or self.is_pre_connected(room, ns)):
            kwargs["ignore_queue"] = True  # one connection, and it is here
        return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback,
                            **kwargs)

    def _publish(self, data: dict[str, Any]) -> None:
        """Called after the push was handed to this process's terminals: never waits."""
        if not self._state.ok:
            self._drop()
            return
        self._enqueue(data)

    def _enqueue(self, data: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait(data)
        except Exception:  # full: Redis is not taking what we publish
            self._drop()
            self._set(publishing=False, reason="publishing stalled (outbox full)")

    def _drop(self) -> None:
        with self._lock:
            self._state = QueueState(self._state.ok, self._state.reason, self._state.since,
                                     self._state.dropped + 1)

    def _drain(self) -> None:
        empty = self.server.eio.get_queue_empty_exception()
        while True:
            try:
                message = self._outbox.get(timeout=RETRY_EVERY)
            except empty:
                message = None
            try:
                if self._publisher is None:
                    self._publisher = self._client()
                if message is None or not self._state.ok:
                    if not self._publishing:
                        self._publisher.ping()
                        self._set(publishing=True)
                    if message is not None:
                        self._drop()
                    continue
                self._publisher.publish(self.channel, self.json.dumps(message))
            except Exception as exc:
                self._reset_publisher()
                self._set(publishing=False, reason=f"publish failed: {_describe(exc)}")
                if message is not None:
                    self._drop()
                self.server.sleep(RETRY_EVERY)

    def _reset_publisher(self) -> None:
        client, self._publisher = self._publisher, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
                client.connection_pool.disconnect()

    # --- listening --------------------------------------------------------------------------------------

    def _listen(self) -> Iterator[Any]:
        while True:
            try:
                yield from self._listen_once()
            except Exception as exc:
                self._set(listening=False, reason=f"listening failed: {_describe(exc)}")
            self.server.sleep(RETRY_EVERY)

    def _listen_once(self) -> Iterator[Any]:
        client = self._client()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        channel = self.channel.encode("utf-8")
        every = self.timeout / 3
        try:
            pubsub.subscribe(self.channel)
            heard = time.monotonic()
            pinged = 0.0
            while True:
                now = time.monotonic()
                if now - pinged >= every:
                    pubsub.ping(PING)
                    pinged = now
                message = pubsub.get_message(timeout=every / 2)
                if message is not None:
                    heard = time.monotonic()
                    if message["type"] == "pong":
                        self._set(listening=True)  # answered after the subscription: subscribed
                    elif message["type"] == "message" and message["channel"] == channel:
                        data = self._decoded(message["data"])
                        if data is not None:
                            yield data
                elif time.monotonic() - heard > self.timeout:
                    raise TimeoutError(f"no answer from Redis for {self.timeout:g} s")
        finally:
            with contextlib.suppress(Exception):
                pubsub.close()
            with contextlib.suppress(Exception):
                client.close()

    def _decoded(self, raw: Any) -> Any:
        try:
            data = self.json.loads(raw)
        except Exception:
            return None
        if isinstance(data, dict) and data.get("method") == RESYNC:
            if data.get("host_id") != self.host_id:
                self._spawn(self.on_resync_request)
            return None
        return data


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
