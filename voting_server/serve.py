"""Serving: the Socket.IO-capable WSGI server for the chosen async mode, sized for a hall."""
from __future__ import annotations

from flask import Flask

MAX_CONNECTIONS = 10000  # eventlet's WSGI server refuses past 1,024 by default
BACKLOG = 2048  # a hall of tablets connecting at once


def serve(app: Flask, *, host: str, port: int) -> None:
    socketio = app.extensions["socketio"]
    live = app.extensions.get("biaojue_live")
    if live is not None:  # rounds whose deadline passes (or passed while the server was down)
        live.deadlines.start()
        live.start_queue()
    mode = socketio.async_mode
    if mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        sock = eventlet.listen((host, port), backlog=BACKLOG)
        # debug=False: a failed request is answered 500 without its traceback
        eventlet.wsgi.server(sock, app, max_size=MAX_CONNECTIONS, log_output=False, debug=False)
    elif mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        server = pywsgi.WSGIServer((host, port), app, handler_class=WebSocketHandler, log=None, backlog=BACKLOG)
        server.serve_forever()
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
