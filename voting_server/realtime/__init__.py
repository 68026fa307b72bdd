"""Live sitting over Socket.IO: the only place that emits to terminals."""
from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from ..db import Store


def init_realtime(app: Flask, store: Store) -> SocketIO:
    mode = app.config["ASYNC_MODE"]
    socketio = SocketIO(app, async_mode=mode, message_queue=app.config.get("MESSAGE_QUEUE"),
                        max_http_buffer_size=1_000_000, ping_interval=25, ping_timeout=20)
    return socketio
