"""The connections' transport, below the commands: what a client's bytes may make the server do.

* ``guard_packets``: every Socket.IO packet a client sends is taken through one handler in front of
  python-socketio's own (registered with Engine.IO's public ``on``). A packet that cannot be decoded,
  or an event that is not a list with a name, is dropped (the connection stays up) and, when it
  carries an acknowledgement id, answered ``bad_payload``. Binary packets are refused with a close:
  no terminal sends any, and a packet announcing attachments would otherwise make the server keep
  every later message of the connection as one of them (and its memory grow with them).
* ``WebsocketGuard``: a websocket frame that Engine.IO cannot take (an empty text frame) ends that
  connection with a close frame 1002 (protocol error), never an HTTP 500 written into the stream.
* ``strict_text_frames``: a text message that is not UTF-8 closes the connection with 1007 (RFC 6455
  section 8.1 and 7.4.1), as the protocol says, not with 1011 (internal error) as eventlet would.
* ``Backlogs``: every connection's queue of pushes is bounded. A terminal that stops reading (but keeps
  its connection, or answers pings) is dropped once more than ``MAX_QUEUED`` pushes wait for it; when it
  reads again it reconnects and resyncs from a fresh snapshot (docs/protocol.md, the resync rule).

``cut`` ends one connection at once: Socket.IO's disconnect and a shutdown of its TCP socket, so that
neither a client that ignores the disconnect nor one that never reads keeps the server busy."""
from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
from collections.abc import Callable, Iterable
from typing import Any

from flask_socketio import SocketIO

from ..i18n import msg
from ..services import Invalid

log = logging.getLogger(__name__)

MAX_QUEUED = 50  # pushes waiting for one connection before it is dropped (a reading tablet has ~0)
SWEEP_SECONDS = 1.0
EVENT, BINARY_EVENT, BINARY_ACK = "2", "5", "6"
ACK_ID = re.compile(r"2(?:/[^,]*,)?(\d{1,15})")
PROTOCOL_ERROR_CLOSE = b"\x88\x02\x03\xea"  # RFC 6455 5.5.1: FIN + close, 2 bytes of payload, 1002
MALFORMED = msg("数据无法解析")


def transport_socket(environ: dict[str, Any]) -> socket.socket | None:
    """The TCP socket under a connection, where the server exposes it (eventlet's input, or the
    sockets gunicorn and Werkzeug name); None otherwise (then only Socket.IO's disconnect is sent)."""
    given = environ.get("eventlet.input")
    sock = given.get_socket() if given is not None and hasattr(given, "get_socket") else None
    sock = sock or environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    return sock if hasattr(sock, "shutdown") else None


def cut(socketio: SocketIO, eio_sid: str) -> None:
    """End one Engine.IO connection now, without waiting for its queued pushes."""
    server = socketio.server
    sock = transport_socket(server.environ.get(eio_sid) or {})
    conn = server.eio.sockets.get(eio_sid)
    if conn is not None:
        conn.close(wait=False, abort=True)  # runs the disconnect handlers
        server.eio.sockets.pop(eio_sid, None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def guard_packets(socketio: SocketIO) -> None:
    server = socketio.server
    handle = server.eio.handlers["message"]  # python-socketio's own

    def on_message(eio_sid: str, data: Any) -> Any:
        if isinstance(data, bytes) or (isinstance(data, str) and data[:1] in (BINARY_EVENT, BINARY_ACK)):
            log.info("binary packet from %s: closed", eio_sid)
            cut(socketio, eio_sid)
            return None
        try:
            return handle(eio_sid, data)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError):
            malformed(socketio, eio_sid, data)
            return None

    server.eio.on("message", on_message)


def malformed(socketio: SocketIO, eio_sid: str, data: object) -> None:
    """A packet that could not be decoded or dispatched: answered when it names an acknowledgement id."""
    text = data if isinstance(data, str) else ""
    log.info("malformed packet from %s (%d characters) dropped", eio_sid, len(text))
    found = ACK_ID.match(text) if text[:1] == EVENT else None
    if found is None:
        return
    answer = {"ok": False, **Invalid("bad_payload", MALFORMED).to_dict()}
    namespace = text[1:text.index(",") + 1] if text[1:2] == "/" else ""
    with contextlib.suppress(Exception):  # the connection is gone already
        socketio.server.eio.send(eio_sid, f"3{namespace}{found.group(1)}{json.dumps([answer])}")


class WebsocketGuard:
    """WSGI middleware around the Socket.IO server: a websocket connection whose handling raises (a frame
    Engine.IO cannot decode) is closed with 1002 instead of answered as a failed HTTP request."""

    def __init__(self, app: Callable[..., Iterable[bytes]], socketio: SocketIO) -> None:
        self.app, self.socketio = app, socketio

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            return self.app(environ, start_response)
        try:
            return self.app(environ, start_response)
        except Exception as exc:  # the upgrade was answered: only a close frame may follow
            log.info("websocket closed on a bad frame: %s", exc)
            self._close(environ)
            return []

    def _close(self, environ: dict[str, Any]) -> None:
        server = self.socketio.server
        for eio_sid, env in list(server.environ.items()):
            if env is environ:
                with contextlib.suppress(Exception):
                    server.eio.sockets[eio_sid].close(wait=False, abort=True)
                server.eio.sockets.pop(eio_sid, None)
        sock = transport_socket(environ)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.sendall(PROTOCOL_ERROR_CLOSE)
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(ImportError):
            import eventlet.wsgi

            eventlet.wsgi.WSGI_LOCAL.already_handled = True  # as eventlet's own websocket handler does


def strict_text_frames(async_mode: str) -> None:
    """Under eventlet, fail a connection whose text message is not UTF-8 with 1007 (RFC 6455, 8.1: "MUST
    _Fail the WebSocket Connection_"; 7.4.1: 1007, data not consistent with the type of the message).

    eventlet's frame reader turns a decoding error into 1007 only where it decodes a frame as it arrives;
    a message is decoded again when it is complete (``RFC6455WebSocket.Message.getvalue``), outside that
    guard, and an error there closes with 1011 'Internal Server Error' and a logged traceback. The wrapper
    raises eventlet's own ``FailedConnectionError(1007)`` there, which its reader answers with that close.
    Applied once; harmless where eventlet already does it."""
    if async_mode != "eventlet":
        return
    from eventlet import websocket

    message = websocket.RFC6455WebSocket.Message
    if getattr(message.getvalue, "strict_utf8", False):
        return
    decode = message.getvalue

    def getvalue(self: Any) -> Any:
        try:
            return decode(self)
        except UnicodeDecodeError:
            raise websocket.FailedConnectionError(1007, "Text data must be valid utf-8") from None

    getvalue.strict_utf8 = True  # type: ignore[attr-defined]
    message.getvalue = getvalue  # type: ignore[method-assign]


class Backlogs:
    """The sweep over every connection's queue of pushes (``MAX_QUEUED``)."""

    def __init__(self, socketio: SocketIO, *, limit: int = MAX_QUEUED, every: float = SWEEP_SECONDS) -> None:
        self.socketio, self.limit, self.every = socketio, limit, every
        self.dropped = 0

    def start(self) -> None:
        self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        while True:
            self.socketio.sleep(self.every)
            try:
                self.sweep()
            except Exception:  # the next sweep tries again
                log.exception("backlog sweep failed")

    def sweep(self) -> list[str]:
        behind = [sid for sid, conn in list(self.socketio.server.eio.sockets.items())
                  if conn.queue.qsize() > self.limit]
        for sid in behind:
            log.warning("connection %s fell %d pushes behind: dropped", sid, self.limit)
            cut(self.socketio, sid)
        self.dropped += len(behind)
        return behind
