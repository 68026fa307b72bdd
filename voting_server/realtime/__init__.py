"""Live sitting over Socket.IO: who may connect as what, snapshots per audience, pushes built from
committed events, coalesced ballot progress, group-committed casts. This package is the only place
that emits to terminals. The protocol is documented in docs/protocol.md."""
from __future__ import annotations

import os

from flask import Flask
from flask_socketio import SocketIO

from ..db import Store
from .hub import Hub


def init_realtime(app: Flask, store: Store) -> SocketIO:
    # manage_session=False: the staff session cookie is read once at connect (Flask's own session);
    # no per-connection copy of it is kept, which matters with thousands of seats.
    # SOCKETIO_CHANNEL: the message queue's channel; servers sharing one Redis for different halls (or
    # test runs) use different channels.
    channel = app.config.get("SOCKETIO_CHANNEL") or os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio"
    socketio = SocketIO(app, async_mode=app.config["ASYNC_MODE"], message_queue=app.config.get("MESSAGE_QUEUE"),
                        channel=channel, manage_session=False,
                        max_http_buffer_size=64 * 1024, ping_interval=20, ping_timeout=20,
                        cors_allowed_origins=app.config.get("CORS_ORIGINS") or None)
    hub = Hub(socketio, store, progress_interval=float(app.config["PROGRESS_INTERVAL"]),
              group_commit=bool(app.config.get("GROUP_COMMIT", True)))
    hub.register()
    app.extensions["biaojue_hub"] = hub
    return socketio


__all__ = ["init_realtime", "Hub"]
