"""The Socket.IO adapter over the command table, on Flask-SocketIO's public API: a ``Namespace`` whose
``trigger_event`` (documented as the place for special dispatching rules) sends every client event to
one handler. Events are handled on the connection's own green thread (the server runs with
``async_handlers=False``): a cast or sign-in waits there for the writer's commit and returns the
acknowledgement. Connecting runs in Flask's request context (the staff session cookie is read there);
a command needs none, so none is made for it: a hall casting at once would otherwise hold thousands of
request contexts while their casts wait for the commit.

Every event sent with an acknowledgement id gets an answer: a command's, an error object, or
``unknown_event`` for a name that is no command. The names Socket.IO reserves for connecting and
disconnecting never reach the connection handlers when a client sends them as ordinary events.

A staff console drives the one sitting it connected to (``auth.sitting_id``, or the server's choice):
a command whose arguments name an item, ballot, document or speaker's request of another sitting is
refused ``other_sitting`` (``other_body`` for a body the account does not serve) before its service runs.

Every command is weighed against its terminal's rate first (``throttle``): one tablet flooding the
hall is answered ``rate_limited`` at the cost of a dictionary lookup, and each command yields to the
other connections once, so that a connection whose packets arrive faster than they are handled does
not keep the event loop to itself."""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from .. import services
from ..commands import LIVE, Command, unknown_event
from ..i18n import msg
from ..services import ServiceError, storage_refusal
from ..services.base import SITTING_ARGS, check_sitting
from .audiences import Audiences, Conn, body_room, person_room, refused, room, tablet_of
from .deadlines import Deadlines
from .publisher import Publisher
from .snapshots import Snapshots
from .throttle import ABUSE_REFUSALS, Throttle, Verdict
from .transport import Backlogs, cut
from .writer import Writer, server_error

log = logging.getLogger(__name__)

MAX_PAYLOAD = 16 * 1024  # bytes of JSON per inbound event
CONNECTION_EVENTS = ("connect", "disconnect")
RATE_LIMITED = msg("操作过于频繁，请稍后再试")


def error_ack(err: ServiceError) -> dict[str, Any]:
    return {"ok": False, **err.to_dict()}


class LiveNamespace(Namespace):
    def __init__(self, audiences: Audiences, snapshots: Snapshots, publisher: Publisher,
                 writer: Writer | None, deadlines: Deadlines, throttle: Throttle, backlogs: Backlogs) -> None:
        super().__init__("/")
        self.throttle, self.backlogs = throttle, backlogs
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
        self.backlogs.start()
        if self.writer is not None:
            self.writer.start()
        self.socketio.start_background_task(self._heartbeat)

    def _heartbeat(self) -> None:
        """Every ``HEARTBEAT`` the tablets this process serves are seen now; a process that stops without
        recording their disconnects stops writing it, and they read offline after ``ONLINE_FRESH``."""
        every = services.devices.HEARTBEAT.total_seconds()
        while True:
            self.socketio.sleep(every)
            ids = {c.actor.device_id for c in list(self.audiences.conns.values()) if c.actor.device_id is not None}
            if not ids:
                continue
            try:
                services.devices_alive(self.store, ids)
            except Exception:  # the pairing list is for the clerk's eyes: the next beat tries again
                log.exception("recording %d tablets as seen failed", len(ids))

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
        sid = request.sid  # type: ignore[attr-defined]
        tablet = tablet_of(auth)
        if tablet is not None and self.throttle.penalised(throttle_key(tablet, None)):
            raise refused("rate_limited", RATE_LIMITED)  # disconnected for flooding a moment ago
        try:
            conn, snap = self.audiences.admit(sid, auth, session.get("user_id"), session.get("gen"))
        except ConnectionRefusedError:
            raise
        except Exception as error:  # the database out of reach (or too busy to answer in time): refused, retried
            refusal = storage_refusal(error)
            if refusal is None:
                raise
            raise refused(refusal.code, refusal.message) from None
        join_room(room(conn.sitting_id, conn.audience))
        if conn.actor.person_id is not None:
            join_room(person_room(conn.actor.person_id))
        if conn.audience == "clerk":
            join_room(body_room(snap["sitting"]["body"]["id"]))
        emit("snapshot", snap)
        self.publisher.greet(request.sid, conn)  # type: ignore[attr-defined]
        if conn.actor.device_id is not None:
            self.publisher.device_seen(conn.actor.device_id, online=True)

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        conn = self.audiences.drop(sid)
        if conn is not None and conn.tablet is None:
            self.throttle.forget(throttle_key(None, sid))
        device_id = conn.actor.device_id if conn is not None else None
        if device_id is not None and not any(c.actor.device_id == device_id for c in self.audiences.conns.values()):
            self.publisher.device_seen(device_id, online=False)  # its last connection to this process

    def on_command(self, sid: Any, name: Any, args: tuple[Any, ...]) -> dict[str, Any]:
        self.socketio.sleep(0)  # let the other connections' packets (and this one's writer) in between
        command = LIVE.get(name) if isinstance(name, str) else None
        conn = self.audiences.get(sid)
        if conn is None:
            return error_ack(services.Invalid("not_connected", msg("连接未认证")) if command else unknown_event(name))
        verdict = self.throttle.check(throttle_key(conn.tablet, sid), command.name if command else "",
                                      staff=conn.tablet is None)
        if verdict != Verdict.ALLOWED:
            return self._limited(verdict, conn, command.name if command else "")
        if command is None:
            return error_ack(unknown_event(name))
        try:
            return self._run(command, conn, args[0] if args else None)
        except ServiceError as err:
            return error_ack(err)
        except Exception as error:  # never drop the connection over one bad event
            refusal = storage_refusal(error)
            if refusal is not None:  # the database is away for now: retry
                log.warning("event %s: storage unavailable", name)
                return error_ack(refusal)
            log.exception("event %s failed", name)
            return error_ack(server_error())

    def _limited(self, verdict: str, conn: Conn, name: str) -> dict[str, Any]:
        """A command over its terminal's rate; on abuse the tablet is disconnected (every connection of
        it on this process) and the clerk told."""
        if verdict == Verdict.ABUSE:
            device_id = conn.actor.device_id
            log.warning("terminal %s flooded %s: disconnected", device_id, name)
            for sid in self.audiences.drop_device(device_id) if device_id is not None else []:
                cut(self.socketio, self.socketio.server.manager.eio_sid_from_sid(sid, self.namespace))
            if device_id is not None:
                try:
                    services.record_flood(self.store, device_id, conn.sitting_id, name, ABUSE_REFUSALS)
                except Exception:  # the disconnect stands; the record is best effort
                    log.exception("could not record the flood of terminal %s", device_id)
        return error_ack(services.TooMany("rate_limited", RATE_LIMITED))

    def _run(self, command: Command[Any, Any], conn: Conn, payload: object) -> dict[str, Any]:
        given = {f.name: conn.sitting_id for f in command.fields if f.source == "connection"}
        args = command.parse(payload, given, limit=command.max_payload or MAX_PAYLOAD)
        if conn.actor.device_id is not None and command.batch is None:
            services.check_device(self.store, conn.actor.device_id)  # a tablet revoked on another process
        if conn.actor.user_id is not None:  # a staff session ended (logout) since it connected, maybe elsewhere
            services.check_session(self.store, conn.actor.user_id, conn.generation)
            # a console drives the sitting it connected to: a command naming another sitting's row is refused
            check_sitting(self.store, conn.actor, conn.sitting_id,
                          {f.name: getattr(args, f.name) for f in command.fields if f.name in SITTING_ARGS})
        if command.service is None:  # the snapshot: this connection's own
            result: Any = self.snapshots.for_terminal(conn.sitting_id, conn.audience, conn.actor.person_id,
                                                      conn.actor.device_id)
        elif command.batch is not None and self.writer is not None:
            result = self.writer.submit(command.name, command.batch.request(conn.actor, args))
        else:
            result = command.run(self.store, conn.actor, args)
        return command.ack(result, args)


def throttle_key(tablet: str | None, sid: object) -> object:
    """A tablet is weighed by its token (its reconnections share the buckets, and a penalised one is
    refused before the database is asked who it is), a console by its connection."""
    return ("tablet", tablet) if tablet is not None else ("conn", sid)

