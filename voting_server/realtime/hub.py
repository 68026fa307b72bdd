"""The Socket.IO hub: connections, inbound commands, pushes, progress coalescing and group commit.

Rooms: ``s<sitting>:<audience>`` for every terminal of an audience in a sitting, ``p<person>`` for
a person's tablets, ``d<device>`` for one paired tablet.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from flask import request, session
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from socketio import packet as socketio_packet

from .. import services
from ..db import Store
from ..services import Actor, ServiceError, queries
from ..services.voting import CastRequest

log = logging.getLogger(__name__)

AUDIENCE_OF_ROLE = {"member": "seat", "observer": "observer", "chair": "chair", "clerk": "clerk",
                    "admin": "clerk", "display": "display"}
MAX_PAYLOAD = 16 * 1024  # bytes of JSON per inbound event
MAX_BATCH = 500
WRITER_COMMANDS = ("cast", "sign_in")
RESERVED_EVENTS = ("connect", "disconnect", "connect_error", "message")  # never accepted from a client  # committed by the one writer, acknowledged after its commit


@dataclass(frozen=True, slots=True)
class Conn:
    actor: Actor
    sitting_id: int
    audience: str


def room(sitting_id: int, audience: str) -> str:
    return f"s{sitting_id}:{audience}"


class Refused(ServiceError):
    status = 400


# --- inbound commands: name -> (parameters, handler) ------------------------------------------------
# A parameter spec is (type or tuple of types, required).

INT, STR, BOOL, DICT = (int,), (str,), (bool,), (dict,)
COMMANDS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "snapshot": {},
    "sign_in": {},
    "cast": {"ballot_id": (INT, True), "choice": ((str, dict), True), "cast_id": (STR, True),
             "person_id": (INT, False)},
    "speak": {"item_id": (INT, True)},
    "speaker": {"request_id": (INT, True), "move": (STR, True)},
    "open_sitting": {},
    "close_sitting": {},
    "start_item": {"item_id": (INT, True)},
    "finish_item": {"item_id": (INT, True)},
    "open_ballot": {"ballot_id": (INT, True), "override_quorum": (BOOL, False)},
    "close_ballot": {"ballot_id": (INT, True)},
    "revote": {"ballot_id": (INT, True), "override_quorum": (BOOL, False)},
    "extend": {"ballot_id": (INT, True), "seconds": (INT, True)},
    "remind": {"ballot_id": (INT, True)},
    "set_attendance": {"person_id": (INT, True), "status": (STR, True), "reason": (STR, False)},
    "hands": {"ballot_id": (INT, True), "counts": (DICT, True), "ballots": (INT, True), "invalid": (INT, False),
              "note": (STR, False), "confirm": (BOOL, True)},
}


def check_payload(name: str, payload: Any) -> dict[str, Any]:
    """Types, sizes and fields of one inbound event; raises Refused naming what is wrong."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise Refused("bad_payload", "数据格式错误：应为对象", "the payload must be an object")
    try:
        size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        raise Refused("bad_payload", "数据无法解析", "the payload is not plain JSON") from None
    if size > MAX_PAYLOAD:
        raise Refused("payload_too_large", "数据过大", f"the payload is larger than {MAX_PAYLOAD} bytes")
    spec = COMMANDS[name]
    for key in payload:
        if key not in spec:
            raise Refused("unknown_field", f"未知字段：{str(key)[:40]}", f"unknown field {str(key)[:40]!r}")
    for key, (types, required) in spec.items():
        if key not in payload:
            if required:
                raise Refused("missing_field", f"缺少字段：{key}", f"missing field {key!r}")
            continue
        value = payload[key]
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            names = "/".join(t.__name__ for t in types)
            raise Refused("bad_field", f"字段{key}类型错误", f"field {key!r} must be {names}")
    return payload


def refused(code: str, zh: str, en: str) -> ConnectionRefusedError:
    """A refused connection: the client's connect_error carries ``message`` (English) and
    ``data`` = {error, message, message_zh, message_en}."""
    return ConnectionRefusedError(en, {"error": code, "message": zh, "message_zh": zh, "message_en": en})


def error_ack(err: ServiceError) -> dict[str, Any]:
    return {"ok": False, **err.to_dict()}


class Hub:
    def __init__(self, socketio: SocketIO, store: Store, *, progress_interval: float = 0.25,
                 group_commit: bool = True) -> None:
        self.sio = socketio
        self.store = store
        self.interval = progress_interval
        self.group_commit = group_commit
        self.conns: dict[str, Conn] = {}
        self._dirty: set[int] = set()  # sittings whose ballot progress changed
        self._dirty_attendance: set[int] = set()  # sittings whose attendance changed
        self._lock = threading.Lock()
        self._started = False
        self._queue: Any = None
        # (sitting, audience) -> ((seq, last change), shared part): only the latest state is kept
        self._snap_cache: dict[tuple[int, str], tuple[tuple[int, int], dict[str, Any]]] = {}
        self._bodies: dict[int, int | None] = {}
        self._default_sittings: dict[int | None, tuple[float, int | None]] = {}

    # --- wiring -------------------------------------------------------------------------------

    def register(self) -> None:
        self.sio.on_event("connect", self.on_connect)
        self.sio.on_event("disconnect", self.on_disconnect)
        for name in COMMANDS:
            self.sio.on_event(name, self._handler(name))
        self.store.subscribe(self.on_events)
        self._wrap_event_dispatch()

    def _wrap_event_dispatch(self) -> None:
        """Two things before python-socketio dispatches a client's event:

        * the reserved names (connect, disconnect, …) sent as ordinary events by a client are dropped:
          they must not reach the connection handlers;
        * casts and sign-ins are answered by the writer after its commit, without a green thread
          waiting for each one: a hall voting at once would otherwise hold thousands of suspended
          handlers (tens of MB). The acknowledgement is the same Socket.IO ack, sent later.
        """
        server = self.sio.server
        original = server._handle_event_internal

        def handle_event(srv: Any, sid: str, eio_sid: str, data: list[Any], namespace: str, ack_id: Any) -> Any:
            name = data[0] if data else None
            if name in RESERVED_EVENTS or not isinstance(name, str):
                return None
            if self.group_commit and name in WRITER_COMMANDS and ack_id is not None and srv.async_handlers:
                conn = self.conns.get(sid)
                if conn is not None:
                    def reply(outcome: Any) -> None:
                        answer = error_ack(outcome) if isinstance(outcome, ServiceError) \
                            else (outcome if isinstance(outcome, dict) else {"ok": True})
                        srv._send_packet(eio_sid, srv.packet_class(socketio_packet.ACK, namespace=namespace,
                                                                   id=ack_id, data=[answer]))
                    try:
                        args = check_payload(name, data[1] if len(data) > 1 else None)
                        self._submit(name, self._writer_request(name, conn, args), reply)
                    except ServiceError as err:
                        reply(err)
                    return None
            return original(srv, sid, eio_sid, data, namespace, ack_id)

        server._handle_event_internal = handle_event

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        self._queue = self.sio.server.eio.create_queue()
        self.sio.start_background_task(self._progress_loop)
        if self.group_commit:
            self.sio.start_background_task(self._writer_loop)

    # --- connections ----------------------------------------------------------------------------

    def authenticate(self, auth: Any) -> Actor:
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token")
        if token is not None:
            actor = services.device_actor(self.store, token)
            if actor is None:
                raise refused("revoked", "表决器未配对或已被撤销", "this tablet is not paired or was revoked")
            return actor
        user_id = session.get("user_id")
        actor = services.user_actor(self.store, user_id) if isinstance(user_id, int) else None
        if actor is None:
            raise refused("unauthenticated", "请先登录或配对表决器", "log in or pair this tablet first")
        return actor

    def on_connect(self, auth: Any = None) -> None:
        self._start()
        actor = self.authenticate(auth)
        audience = AUDIENCE_OF_ROLE[actor.role]
        wanted = auth.get("sitting_id") if isinstance(auth, dict) else None
        body_id = self._body_of(actor.person_id) if actor.person_id else None
        if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, int)):
            raise refused("bad_sitting", "会议编号无效", "sitting_id must be an integer")
        sitting_id = wanted if wanted is not None else self._default_sitting(body_id)
        if sitting_id is None:
            raise refused("no_sitting", "当前没有会议", "there is no sitting")
        try:
            snap = self.snapshot_for(sitting_id, audience, actor.person_id, actor.device_id)
        except ServiceError as err:
            raise refused(err.code, err.zh, err.en) from None
        if body_id is not None and snap["sitting"]["body"]["id"] != body_id:
            raise refused("not_on_roster", "您不属于该会议的机构", "you are not a member of this sitting's body")
        sid = request.sid  # type: ignore[attr-defined]
        self.conns[sid] = Conn(actor=actor, sitting_id=sitting_id, audience=audience)
        join_room(room(sitting_id, audience))
        if actor.person_id is not None:
            join_room(f"p{actor.person_id}")
        emit("snapshot", snap)

    def _body_of(self, person_id: int) -> int | None:
        """A person's body never changes: remembered per process."""
        if person_id not in self._bodies:
            self._bodies[person_id] = queries.person_body(self.store, person_id)
        return self._bodies[person_id]

    def _default_sitting(self, body_id: int | None) -> int | None:
        """The sitting a terminal joins when it names none; remembered for a second, so that a hall
        connecting at once asks the database once."""
        now = time.monotonic()
        cached = self._default_sittings.get(body_id)
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        sitting_id = queries.current_sitting_for(self.store, body_id=body_id)
        self._default_sittings[body_id] = (now, sitting_id)
        return sitting_id

    def on_disconnect(self, *args: Any) -> None:
        self.conns.pop(request.sid, None)  # type: ignore[attr-defined]

    def snapshot_for(self, sitting_id: int, audience: str, person_id: int | None,
                     device_id: int | None = None) -> dict[str, Any]:
        """A full snapshot. The shared part is cached per (sitting, audience) with the state it was built
        from (seq and last change): a hall of seats reconnecting at once costs one build per audience plus
        each seat's own ``me``. The last change (the audit chain's head) is part of the stamp because
        sign-ins and attendance changes are not numbered in ``seq`` but change the attendance section; it
        is read first, so a cached part is never older than its stamp. Only the latest part is kept: a
        sitting's snapshot grows with its agenda, and one per change would hold many of them."""
        with self.store.read() as s:
            version = queries.last_change(s)
            sitting = queries.get_sitting(s, sitting_id)
            stamp = (sitting.seq, version)
            cached = self._snap_cache.get((sitting_id, audience))
            if cached is not None and cached[0] == stamp:
                base = cached[1]
            else:
                base = queries.build_sections(s, sitting, audience, queries.SECTIONS)
                base["seq"], base["audience"] = sitting.seq, audience
                if len(self._snap_cache) > 64:
                    self._snap_cache.clear()
                self._snap_cache[(sitting_id, audience)] = (stamp, base)
            snap = dict(base)
            if snap.get("ballot") and snap["ballot"]["status"] == "open":
                rnd_voters = queries.progress_in(s, sitting)  # the same connection: see progress_in
                if rnd_voters is not None:
                    snap["ballot"] = {**snap["ballot"], "voted": rnd_voters["voted"]}
                    if "non_voters" in rnd_voters and audience in queries.STAFF_AUDIENCES:
                        snap["ballot"]["non_voters"] = rnd_voters["non_voters"]
            if person_id is not None:
                snap["me"] = {**queries.me_section(s, sitting, person_id), "device_id": device_id}
            return snap

    # --- inbound --------------------------------------------------------------------------------

    def _handler(self, name: str) -> Callable[..., dict[str, Any]]:
        def handle(payload: Any = None, *extra: Any) -> dict[str, Any]:
            conn = self.conns.get(request.sid)  # type: ignore[attr-defined]
            if conn is None:
                return error_ack(Refused("not_connected", "连接未认证", "the connection is not authenticated"))
            try:
                args = check_payload(name, payload)
                if conn.actor.device_id is not None and name not in WRITER_COMMANDS:
                    services.check_device(self.store, conn.actor.device_id)
                return getattr(self, "cmd_" + name)(conn, args) or {"ok": True}
            except ServiceError as err:
                return error_ack(err)
            except Exception:  # never drop the connection over one bad event
                log.exception("event %s failed", name)
                return error_ack(Refused("server_error", "服务器内部错误，请重试", "internal error; please retry"))

        handle.__name__ = f"on_{name}"
        return handle

    def cmd_snapshot(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "snapshot": self.snapshot_for(conn.sitting_id, conn.audience, conn.actor.person_id,
                                                          conn.actor.device_id)}

    def cmd_sign_in(self, conn: Conn, args: dict[str, Any]) -> None:
        if not self.group_commit:
            services.sign_in(self.store, conn.actor, conn.sitting_id)
            return
        outcome = self._through_writer("sign_in", self._writer_request("sign_in", conn, args))
        if isinstance(outcome, ServiceError):
            raise outcome

    def cmd_cast(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        req = self._writer_request("cast", conn, args)
        if not self.group_commit:
            return services.cast_vote(self.store, conn.actor, req.ballot_id, req.choice, req.cast_id, req.person_id)
        outcome = self._through_writer("cast", req)
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    @staticmethod
    def _writer_request(kind: str, conn: Conn, args: dict[str, Any]) -> Any:
        if kind == "cast":
            return CastRequest(conn.actor, args["ballot_id"], args["choice"], args["cast_id"], args.get("person_id"))
        return (conn.actor, conn.sitting_id)

    def _submit(self, kind: str, request: Any, reply: Callable[[Any], None]) -> None:
        self._start()
        self._queue.put((kind, request, reply))

    def _through_writer(self, kind: str, request: Any) -> Any:
        """Hand a request to the one writer and wait for its committed answer."""
        done = self.sio.server.eio.create_event()
        slot: list[Any] = []

        def reply(outcome: Any) -> None:
            slot.append(outcome)
            done.set()

        self._submit(kind, request, reply)
        if not done.wait(30):
            raise Refused("timeout", "服务器繁忙，请重试", "the server is busy; retry (a cast with the same cast_id)")
        return slot[0]

    def cmd_speak(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "request_id": services.request_to_speak(self.store, conn.actor, args["item_id"])}

    def cmd_speaker(self, conn: Conn, args: dict[str, Any]) -> None:
        services.move_speaker(self.store, conn.actor, args["request_id"], args["move"])

    def cmd_open_sitting(self, conn: Conn, args: dict[str, Any]) -> None:
        services.open_sitting(self.store, conn.actor, conn.sitting_id)

    def cmd_close_sitting(self, conn: Conn, args: dict[str, Any]) -> None:
        services.close_sitting(self.store, conn.actor, conn.sitting_id)

    def cmd_start_item(self, conn: Conn, args: dict[str, Any]) -> None:
        services.start_item(self.store, conn.actor, args["item_id"])

    def cmd_finish_item(self, conn: Conn, args: dict[str, Any]) -> None:
        services.finish_item(self.store, conn.actor, args["item_id"])

    def cmd_open_ballot(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        rid = services.open_ballot(self.store, conn.actor, args["ballot_id"],
                                   override_quorum=args.get("override_quorum", False))
        return {"ok": True, "round_id": rid}

    def cmd_close_ballot(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": services.close_ballot(self.store, conn.actor, args["ballot_id"])}

    def cmd_revote(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        rid = services.revote(self.store, conn.actor, args["ballot_id"], override_quorum=args.get("override_quorum", False))
        return {"ok": True, "round_id": rid}

    def cmd_extend(self, conn: Conn, args: dict[str, Any]) -> None:
        services.extend_timer(self.store, conn.actor, args["ballot_id"], args["seconds"])

    def cmd_remind(self, conn: Conn, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "reminded": len(services.remind_non_voters(self.store, conn.actor, args["ballot_id"]))}

    def cmd_set_attendance(self, conn: Conn, args: dict[str, Any]) -> None:
        services.set_attendance(self.store, conn.actor, conn.sitting_id, args["person_id"], args["status"],
                                args.get("reason", ""))

    def cmd_hands(self, conn: Conn, args: dict[str, Any]) -> None:
        if args["confirm"] is not True:
            raise Refused("confirm_required", "请再次确认举手表决结果", "confirm the count (confirm: true)")
        services.enter_show_of_hands(self.store, conn.actor, args["ballot_id"], counts=args["counts"],
                                     ballots_cast=args["ballots"], invalid=args.get("invalid", 0),
                                     note=args.get("note", ""))

    # --- group commit -----------------------------------------------------------------------------

    def _writer_loop(self) -> None:
        """One writer: take every cast and sign-in waiting, commit each kind in one transaction, then
        answer each request."""
        empty = self.sio.server.eio.get_queue_empty_exception()
        batch_fns = {"cast": services.cast_many, "sign_in": services.sign_in_many}
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except empty:
                    break
            for kind, fn in batch_fns.items():
                group = [item for item in batch if item[0] == kind]
                if not group:
                    continue
                try:
                    outcomes: list[Any] = fn(self.store, [request for _k, request, _r in group])
                except Exception:
                    log.exception("%s batch failed", kind)
                    outcomes = [Refused("server_error", "服务器内部错误，请重试",
                                        "internal error; please retry")] * len(group)
                for (_k, _r, reply), outcome in zip(group, outcomes):
                    try:
                        reply(outcome)
                    except Exception:  # the terminal went away; its vote is committed all the same
                        log.debug("could not answer a %s request", kind, exc_info=True)
            self.sio.sleep(0)

    # --- outbound ---------------------------------------------------------------------------------

    def on_events(self, events: list[services.Event]) -> None:
        """Called after each commit with its stored events; pushes them, redacted per audience."""
        for ev in events:
            if ev.seq is not None and ev.sitting_id is not None:
                self._push(ev)
            if ev.action in ("vote_cast", "vote_changed") and ev.sitting_id is not None:
                self._dirty.add(ev.sitting_id)
                vote = {"round_id": ev.payload["round_id"], "voted": True, "receipt": ev.payload["receipt"],
                        "choice": ev.payload.get("choice")}
                self.sio.emit("me_vote", {"sitting_id": ev.sitting_id, "vote": vote}, to=f"p{ev.payload['person_id']}")
            elif ev.action in ("signed_in", "attendance_set") and ev.sitting_id is not None:
                self._dirty_attendance.add(ev.sitting_id)
                status = ev.payload.get("status", "present")
                self.sio.emit("me", {"sitting_id": ev.sitting_id,
                                     "me": {"attendance": status, "signed_in": status in ("present", "video")}},
                              to=f"p{ev.payload['person_id']}")
            elif ev.action == "reminded":
                for pid in ev.payload["person_ids"]:
                    self.sio.emit("remind", {"sitting_id": ev.sitting_id, "ballot_id": ev.payload["ballot_id"]},
                                  to=f"p{pid}")
            elif ev.action == "device_revoked":
                did = ev.payload["device_id"]
                # To the person's room (one room per person keeps a hall's memory small); the tablet
                # whose me.device_id matches forgets its token. Local connections are closed here; a
                # revoked tablet on another process is refused by every service from now on.
                self.sio.emit("revoked", {"device_id": did, "message": "本表决器已被撤销配对",
                                          "message_en": "this tablet was unpaired"}, to=f"p{ev.payload['person_id']}")
                for sid, conn in list(self.conns.items()):
                    if conn.actor.device_id == did:
                        self.conns.pop(sid, None)
                        try:
                            self.sio.server.disconnect(sid, namespace="/")
                        except Exception:  # already gone
                            pass

    def _push(self, ev: services.Event) -> None:
        names = queries.SECTIONS_BY_ACTION.get(ev.action, ())
        with self.store.read() as s:
            sitting = queries.get_sitting(s, ev.sitting_id)  # type: ignore[arg-type]
            per_audience = queries.sections_by_audience(s, sitting, names)
        for aud, changes in per_audience.items():
            self.sio.emit("event", {"seq": ev.seq, "type": ev.action, "sitting_id": ev.sitting_id,
                                    "changes": changes}, to=room(ev.sitting_id, aud))  # type: ignore[arg-type]

    def _progress_loop(self) -> None:
        """Coalesced pushes: at most one ``progress`` and one ``attendance`` message per sitting and
        interval, however many votes or sign-ins arrived in it."""
        while True:
            self.sio.sleep(self.interval)
            if self._dirty_attendance:
                dirty, self._dirty_attendance = self._dirty_attendance, set()
                for sitting_id in dirty:
                    self._guarded(self._push_attendance, sitting_id)
            if self._dirty:
                dirty, self._dirty = self._dirty, set()
                for sitting_id in dirty:
                    self._guarded(self._push_progress, sitting_id)

    def _guarded(self, fn: Callable[[int], None], sitting_id: int) -> None:
        try:
            fn(sitting_id)
        except Exception:  # a failed push loses nothing: terminals resync from stored state
            log.exception("%s for sitting %s failed", fn.__name__, sitting_id)

    def _current_seq(self, sitting_id: int) -> int:
        with self.store.read() as s:
            return queries.get_sitting(s, sitting_id).seq

    def _push_attendance(self, sitting_id: int) -> None:
        # Rebuilt when a numbered event was committed while it was being built: terminals drop a
        # coalesced push older than what they have (protocol.md), so a stale one would be lost.
        for _attempt in range(3):
            with self.store.read() as s:
                sitting = queries.get_sitting(s, sitting_id)
                seq = sitting.seq
                per_audience = queries.sections_by_audience(s, sitting, ("attendance", "ballot"))
            if self._current_seq(sitting_id) == seq:
                break
        for aud, changes in per_audience.items():
            self.sio.emit("attendance", {"sitting_id": sitting_id, "seq": seq, **changes}, to=room(sitting_id, aud))

    def _push_progress(self, sitting_id: int) -> None:
        data = queries.progress(self.store, sitting_id)
        if data is None:
            return
        public = {k: v for k, v in data.items() if k != "non_voters"}
        for aud in queries.AUDIENCES:
            payload = data if aud in queries.STAFF_AUDIENCES else public
            self.sio.emit("progress", {"sitting_id": sitting_id, **payload}, to=room(sitting_id, aud))
