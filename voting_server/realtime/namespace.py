"""The Socket.IO adapter over the command table, on Flask-SocketIO's public API: a ``Namespace`` whose
``trigger_event`` (documented as the place for special dispatching rules) sends every client event to
one handler. Events are handled on the connection's own green thread (the server runs with
``async_handlers=False``): a cast or sign-in waits there for the writer's commit and returns the
acknowledgement. Connecting runs in Flask's request context (the staff session cookie is read there);
a command needs none, so none is made for it: a hall casting at once would otherwise hold thousands of
request contexts while their casts wait for the commit.

Every event sent with an acknowledgement id gets an answer: a command's, an error object, or
``unknown_event`` for a name that is no command. The names Socket.IO reserves for connecting and
disconnecting never reach the connection handlers when a client sends them as ordinary events."""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import request, session
from flask_socketio import Namespace, emit, join_room

from .. import services
from ..commands import LIVE, Command, unknown_event
from ..i18n import msg
from ..services import ServiceError
from .audiences import Audiences, Conn, person_room, room
from .deadlines import Deadlines
from .publisher import Publisher
from .snapshots import Snapshots
from .writer import Writer, server_error

log = logging.getLogger(__name__)

MAX_PAYLOAD = 16 * 1024  # bytes of JSON per inbound event
CONNECTION_EVENTS = ("connect", "disconnect")


def error_ack(err: ServiceError) -> dict[str, Any]:
    return {"ok": False, **err.to_dict()}


class LiveNamespace(Namespace):
    def __init__(self, audiences: Audiences, snapshots: Snapshots, publisher: Publisher,
                 writer: Writer | None, deadlines: Deadlines) -> None:
        super().__init__("/")
        self.audiences, self.snapshots, self.publisher, self.writer = audiences, snapshots, publisher, writer
        self.deadlines = deadlines
        self.store = audiences.store
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """The writer, the coalescing loop and the deadlines' clock, started with the first connection
        (the clock also when the server starts serving: ``serve``)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self.deadlines.start()
        self.publisher.start()
        if self.writer is not None:
            self.writer.start()

    def trigger_event(self, event: Any, *args: Any) -> Any:
        sid = args[0] if args else None
        if event in CONNECTION_EVENTS:
            if self.server.manager.is_connected(sid, self.namespace):
                # a connected client sent the name as an ordinary event: a real connect or disconnect is
                # dispatched while the connection is still pending, never while it is established
                return error_ack(unknown_event(event))
            return super().trigger_event(event, *args)
        # the arguments as one tuple, not *args: each starred call deepens the C stack a waiting cast keeps
        return self.on_command(sid, event, args[1:])

    def on_connect(self, auth: Any = None) -> None:
        self.start()
        conn, snap = self.audiences.admit(request.sid, auth, session.get("user_id"),  # type: ignore[attr-defined]
                                          session.get("gen"))
        join_room(room(conn.sitting_id, conn.audience))
        if conn.actor.person_id is not None:
            join_room(person_room(conn.actor.person_id))
        emit("snapshot", snap)
        self.publisher.greet(request.sid, conn)  # type: ignore[attr-defined]

    def on_disconnect(self, reason: Any = None) -> None:
        self.audiences.drop(request.sid)  # type: ignore[attr-defined]

    def on_command(self, sid: Any, name: Any, args: tuple[Any, ...]) -> dict[str, Any]:
        command = LIVE.get(name) if isinstance(name, str) else None
        if command is None:
            return error_ack(unknown_event(name))
        conn = self.audiences.get(sid)
        if conn is None:
            return error_ack(services.Invalid("not_connected", msg("连接未认证")))
        try:
            return self._run(command, conn, args[0] if args else None)
        except ServiceError as err:
            return error_ack(err)
        except Exception:  # never drop the connection over one bad event
            log.exception("event %s failed", name)
            return error_ack(server_error())

    def _run(self, command: Command[Any, Any], conn: Conn, payload: object) -> dict[str, Any]:
        given = {f.name: conn.sitting_id for f in command.fields if f.source == "connection"}
        args = command.parse(payload, given, limit=MAX_PAYLOAD)
        if conn.actor.device_id is not None and command.batch is None:
            services.check_device(self.store, conn.actor.device_id)  # a tablet revoked on another process
        if conn.actor.user_id is not None:  # a staff session ended (logout) since it connected, maybe elsewhere
            services.check_session(self.store, conn.actor.user_id, conn.generation)
        if command.service is None:  # the snapshot: this connection's own
            result: Any = self.snapshots.for_terminal(conn.sitting_id, conn.audience, conn.actor.person_id,
                                                      conn.actor.device_id)
        elif command.batch is not None and self.writer is not None:
            result = self.writer.submit(command.name, command.batch.request(conn.actor, args))
        else:
            result = command.run(self.store, conn.actor, args)
        return command.ack(result, args)
