"""Serving: the Socket.IO-capable WSGI server for the chosen async mode, sized for a hall."""
from __future__ import annotations

from typing import Any

from flask import Flask

MAX_CONNECTIONS = 10000  # eventlet's WSGI server refuses past 1,024 by default


def serve(app: Flask, *, host: str, port: int) -> None:
    socketio = app.extensions["socketio"]
    kwargs: dict[str, Any] = {"host": host, "port": port, "log_output": False, "allow_unsafe_werkzeug": True}
    if socketio.async_mode == "eventlet":
        kwargs["max_size"] = MAX_CONNECTIONS
    socketio.run(app, **kwargs)
