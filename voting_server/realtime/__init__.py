"""The live sitting over Socket.IO, by job: ``audiences`` (who connects as what, the connection
registry, rooms), ``snapshots`` (the cached shared part per sitting and audience), ``writer`` (the
group commit of casts and sign-ins), ``publisher`` (committed events to rooms, coalesced progress and
attendance), ``deadlines`` (the server's clock over open timed rounds), ``queue`` (the message queue between
several processes, watched) and ``namespace`` (the adapter
over the command table). This package is the only place
that emits to terminals. The protocol is documented in docs/protocol.md."""
from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask
from flask_socketio import SocketIO

from ..commands import LIVE
from ..db import Store
from .audiences import Audiences
from .deadlines import Deadlines
from .namespace import LiveNamespace
from .publisher import Publisher
from .queue import MessageQueue
from .snapshots import Snapshots
from .throttle import Throttle
from .transport import Backlogs, WebsocketGuard, guard_packets, strict_text_frames
from .writer import Writer


@dataclass
class Live:
    """The live server's parts (``app.extensions["biaojue_live"]``)."""

    socketio: SocketIO
    audiences: Audiences
    snapshots: Snapshots
    publisher: Publisher
    queue: MessageQueue | None
    writer: Writer | None
    namespace: LiveNamespace
    deadlines: Deadlines

    def start_queue(self) -> None:
        """Connect to the message queue now (python-socketio would wait for the first terminal): its
        health is known from the start."""
        server = self.socketio.server
        if self.queue is not None and not server.manager_initialized:
            server.manager_initialized = True
            server.manager.initialize()


def init_realtime(app: Flask, store: Store) -> SocketIO:
    # async_handlers=False: each client's events are handled on the green thread reading its connection
    # (a cast waits there for the writer's commit; a client flooding events delays only itself).
    # manage_session=False: the staff session cookie is read once at connect (Flask's own session);
    # no per-connection copy of it is kept, which matters with thousands of seats.
    # SOCKETIO_CHANNEL: the message queue's channel; servers sharing one Redis for different halls (or
    # test runs) use different channels.
    # The message queue (several processes over Redis) is our own client manager: publishing is off
    # every acknowledgement's path and the queue is watched (see queue.py).
    channel = app.config.get("SOCKETIO_CHANNEL") or os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio"
    url = app.config.get("MESSAGE_QUEUE")
    queue = MessageQueue(url, channel=channel, timeout=float(app.config["MESSAGE_QUEUE_TIMEOUT"])) if url else None
    socketio = SocketIO(app, async_mode=app.config["ASYNC_MODE"], client_manager=queue,
                        manage_session=False, async_handlers=False,
                        max_http_buffer_size=64 * 1024, ping_interval=20, ping_timeout=20,
                        cors_allowed_origins=app.config.get("CORS_ORIGINS") or None)
    snapshots = Snapshots(store)
    audiences = Audiences(store, snapshots)
    publisher = Publisher(socketio, store, audiences, interval=float(app.config["PROGRESS_INTERVAL"]), queue=queue)
    writer = Writer(socketio, store, LIVE.values()) if app.config.get("GROUP_COMMIT", True) else None
    deadlines = Deadlines(socketio, store)
    throttle = Throttle(scale=float(app.config["LIVE_RATE_SCALE"]))
    backlogs = Backlogs(socketio)
    namespace = LiveNamespace(audiences, snapshots, publisher, writer, deadlines, throttle, backlogs)
    socketio.on_namespace(namespace)
    guard_packets(socketio)
    strict_text_frames(app.config["ASYNC_MODE"])
    app.wsgi_app = WebsocketGuard(app.wsgi_app, socketio)  # type: ignore[method-assign]
    store.subscribe(publisher.on_events)
    store.subscribe(deadlines.on_events)
    app.extensions["biaojue_live"] = Live(socketio, audiences, snapshots, publisher, queue, writer, namespace, deadlines)
    return socketio


__all__ = ["Live", "init_realtime"]
