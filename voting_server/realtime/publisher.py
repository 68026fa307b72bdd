"""The publisher: committed events routed to the rooms that may see them, redacted per audience, and
the coalesced pushes (ballot progress and attendance at most once per interval and sitting, however
many votes or sign-ins arrive). The only place that emits to terminals besides a connection's own
snapshot."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask_socketio import SocketIO

from .. import services
from ..db import Store
from ..i18n import msg
from ..services import Event, admin_view, halls, terminal_view, timer
from ..services.accounts import SESSIONS_ENDED
from ..services.devices import UNPAIRED
from .audiences import Audiences, Conn, body_room, person_room, room

if TYPE_CHECKING:
    from .queue import MessageQueue, QueueState

log = logging.getLogger(__name__)

RESYNC_BATCH = 50  # terminals whose fresh snapshots are built in one read after the queue came back
PEOPLE_CHANGES = ("person_added", "person_changed", "roster_imported")  # shown in the consoles' attendance
FLOODED = msg("一台表决器发送指令过于频繁，已被断开连接")
DEFAULT_CHANGES = ("sitting_created", "sitting_opened", "sitting_closed")  # where a terminal joins by default
# what the clerk consoles of the body list (its roster, its sittings), whichever sitting each one shows
BODY_CHANGES = (*PEOPLE_CHANGES, "sitting_created", "sitting_copied", "sitting_changed", "sitting_deleted",
                "sitting_opened", "sitting_closed")
ALERT_FIELDS = ("device_id", "person_id", "command", "refusals")
DEVICE_CHANGES = ("pairing_created", "device_paired", "device_revoked")  # shown in the clerk's pairing list


class Publisher:
    def __init__(self, socketio: SocketIO, store: Store, audiences: Audiences, *, interval: float = 0.25,
                 queue: MessageQueue | None = None) -> None:
        self.socketio, self.store, self.audiences = socketio, store, audiences
        self.interval = interval
        self.queue = queue
        if queue is not None:
            queue.on_lost = self.sync_changed
            queue.on_restored = self._queue_restored
            queue.on_resync_request = self.resync_all
        self._dirty: set[int] = set()  # sittings whose ballot progress changed
        self._dirty_attendance: set[int] = set()  # sittings whose attendance changed
        self._dirty_devices: set[int] = set()  # bodies whose pairing list changed (online, signed in)
        self._body_of_sitting: dict[int, int] = {}  # a sitting's body never changes

    def start(self) -> None:
        self.socketio.start_background_task(self._coalescing_loop)

    def on_events(self, events: list[Event]) -> None:
        """Called after each commit with its stored events; pushes them, redacted per audience."""
        for ev in events:
            if ev.action in BODY_CHANGES:
                self._body_changed(ev)
            if ev.sitting_id is None:
                if ev.action in DEVICE_CHANGES:
                    self._devices_of_person(ev.payload.get("person_id"))
                if ev.action == "hall_saved":
                    self._push_hall(ev.payload["body_id"], ev.payload["layout"])
                if ev.action == "device_revoked":
                    self._revoked(ev)
                elif ev.action == SESSIONS_ENDED:
                    self._disconnect(self.audiences.drop_user(ev.payload["user_id"]))
                elif ev.action in PEOPLE_CHANGES:
                    self._dirty_attendance.update(terminal_view.open_sittings_of(
                        self.store, body_id=ev.payload.get("body_id"), person_id=ev.payload.get("person_id")))
                continue
            if ev.action in DEFAULT_CHANGES:
                self.audiences.forget_default_sittings()
            if ev.seq is not None:
                self._push(ev, ev.sitting_id)
            if ev.action in ("vote_cast", "vote_changed"):
                self._dirty.add(ev.sitting_id)
                vote = {"round_id": ev.payload["round_id"], "voted": True, "receipt": ev.payload["receipt"],
                        "choice": ev.payload.get("choice")}
                self.socketio.emit("me_vote", {"sitting_id": ev.sitting_id, "vote": vote},
                                   to=person_room(ev.payload["person_id"]))
            elif ev.action in ("signed_in", "attendance_set"):
                self._dirty_attendance.add(ev.sitting_id)
                self._dirty_devices.add(self._sitting_body(ev.sitting_id))
                self._me_attendance(ev.sitting_id, ev.payload["person_id"], ev.payload.get("status", "present"))
            elif ev.action == "sitting_moved":
                for pid in ev.payload["sign_ins_moved"]:  # an early sign-in went to the sitting that opened
                    self._me_attendance(ev.sitting_id, pid, "absent")
                    self._me_attendance(ev.payload["moved_to"], pid, "present")
            elif ev.action == "terminal_flooded":
                self.socketio.emit("alert", {"sitting_id": ev.sitting_id, "code": "terminal_flooded",
                                             "message": FLOODED.render("zh"), "message_en": FLOODED.render("en"),
                                             **{k: ev.payload.get(k) for k in ALERT_FIELDS}},
                                   to=room(ev.sitting_id, "clerk"))
            elif ev.action == "reminded":
                for pid in timer.reminded_person_ids(self.store, ev.payload):
                    self.socketio.emit("remind", {"sitting_id": ev.sitting_id, "ballot_id": ev.payload["ballot_id"]},
                                       to=person_room(pid))

    def _body_changed(self, ev: Event) -> None:
        """To the body's clerk consoles: its roster or its list of sittings changed (they reload it). A
        deleted sitting has no room left to push into, and a person belongs to no sitting."""
        body_id = ev.payload.get("body_id")
        if not isinstance(body_id, int):
            body_id = terminal_view.body_of(self.store, person_id=ev.payload.get("person_id"),
                                            sitting_id=ev.sitting_id)
        if body_id is None:
            return
        self.socketio.emit("body_changed", {"body_id": body_id, "type": ev.action, "sitting_id": ev.sitting_id},
                           to=body_room(body_id))

    def _me_attendance(self, sitting_id: int, person_id: int, status: str) -> None:
        self.socketio.emit("me", {"sitting_id": sitting_id,
                                  "me": {"attendance": status, "signed_in": status in ("present", "video")}},
                           to=person_room(person_id))

    def _revoked(self, ev: Event) -> None:
        """To the person's room (one room per person keeps a hall's memory small); the tablet whose
        me.device_id matches forgets its token. Local connections are closed here; a revoked tablet on
        another process is refused by every service from now on."""
        did = ev.payload["device_id"]
        self.socketio.emit("revoked", {"device_id": did, "message": UNPAIRED.render("zh"),
                                       "message_en": UNPAIRED.render("en")}, to=person_room(ev.payload["person_id"]))
        self._disconnect(self.audiences.drop_device(did))

    def _disconnect(self, sids: list[str]) -> None:
        """Close these local connections (a revoked tablet's, an ended staff session's); a connection
        on another process is refused by its next command."""
        for sid in sids:
            try:
                self.socketio.server.disconnect(sid, namespace="/")
            except Exception:  # already gone
                log.debug("could not disconnect %s", sid, exc_info=True)

    def _push(self, ev: Event, sitting_id: int) -> None:
        names = terminal_view.SECTIONS_BY_ACTION.get(ev.action, ())
        with self.store.read() as s:
            sitting = terminal_view.get_sitting(s, sitting_id)
            per_audience = terminal_view.sections_by_audience(s, sitting, names)
        for aud, changes in per_audience.items():
            self.socketio.emit("event", {"seq": ev.seq, "type": ev.action, "sitting_id": sitting_id,
                                         "changes": changes}, to=room(sitting_id, aud))

    # --- the clerk's pairing list -------------------------------------------------------------------------

    def device_seen(self, device_id: int, *, online: bool) -> None:
        """A tablet of this process connected, or its last connection here went away: stored, and its
        body's pairing list pushed to the clerks (coalesced)."""
        try:
            body_id = services.device_seen(self.store, device_id, online=online)
        except Exception:  # the pairing list is for the clerk's eyes: a failure here refuses nothing
            log.exception("recording tablet %s as %s failed", device_id, "online" if online else "offline")
            return
        if body_id is not None:
            self._dirty_devices.add(body_id)

    def _devices_of_person(self, person_id: object) -> None:
        if isinstance(person_id, int):
            body_id = terminal_view.person_body(self.store, person_id)
            if body_id is not None:
                self._dirty_devices.add(body_id)

    def _sitting_body(self, sitting_id: int) -> int:
        if sitting_id not in self._body_of_sitting:
            with self.store.read() as s:
                self._body_of_sitting[sitting_id] = terminal_view.get_sitting(s, sitting_id).body_id
        return self._body_of_sitting[sitting_id]

    def _push_devices(self, body_id: int) -> None:
        """``devices`` to the clerks of the body's sittings not yet closed: the whole pairing list; and
        ``tablets`` (whose tablets are online, for the seat map) to the body's clerk consoles and the
        chairs of those sittings."""
        with self.store.read() as s:
            devices = admin_view.devices_of(s, body_id)
            sittings = terminal_view.unclosed_sittings(s, body_id)
            online = halls.online_people(s, body_id)
        for sitting_id in sittings:
            self.socketio.emit("devices", {"sitting_id": sitting_id, "body_id": body_id, "devices": devices},
                               to=room(sitting_id, "clerk"))
        self._to_map_consoles(body_id, "tablets", {"body_id": body_id, "online": online}, sittings)

    def _push_hall(self, body_id: int, layout: dict[str, Any]) -> None:
        """``hall``: the body's new seat map, to its clerk consoles and the chairs of its sittings not yet closed."""
        with self.store.read() as s:
            sittings = terminal_view.unclosed_sittings(s, body_id)
        self._to_map_consoles(body_id, "hall", {"body_id": body_id, "hall": layout}, sittings)

    def _to_map_consoles(self, body_id: int, name: str, payload: dict[str, Any], sittings: list[int]) -> None:
        self.socketio.emit(name, payload, to=body_room(body_id))
        for sitting_id in sittings:
            self.socketio.emit(name, {"sitting_id": sitting_id, **payload}, to=room(sitting_id, "chair"))

    def _coalescing_loop(self) -> None:
        """At most one ``progress`` and one ``attendance`` message per sitting and interval, one
        ``devices`` message per body."""
        while True:
            self.socketio.sleep(self.interval)
            if self._dirty_devices:
                dirty, self._dirty_devices = self._dirty_devices, set()
                for body_id in dirty:
                    self._guarded(self._push_devices, body_id)
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
            return terminal_view.get_sitting(s, sitting_id).seq

    def _push_attendance(self, sitting_id: int) -> None:
        # Rebuilt when a numbered event was committed while it was being built: terminals drop a
        # coalesced push older than what they have (protocol.md), so a stale one would be lost.
        per_audience: dict[str, dict[str, Any]] = {}
        seq = 0
        for _attempt in range(3):
            with self.store.read() as s:
                sitting = terminal_view.get_sitting(s, sitting_id)
                seq = sitting.seq
                per_audience = terminal_view.sections_by_audience(s, sitting, ("attendance", "ballot"))
            if self._current_seq(sitting_id) == seq:
                break
        for aud, changes in per_audience.items():
            self.socketio.emit("attendance", {"sitting_id": sitting_id, "seq": seq, **changes},
                               to=room(sitting_id, aud))

    def _push_progress(self, sitting_id: int) -> None:
        data = terminal_view.progress(self.store, sitting_id)
        if data is None:
            return
        public = {k: v for k, v in data.items() if k not in ("non_voters", "video_waiting")}
        for aud in terminal_view.AUDIENCES:
            payload = data if aud in terminal_view.STAFF_AUDIENCES else public
            self.socketio.emit("progress", {"sitting_id": sitting_id, **payload}, to=room(sitting_id, aud))

    # --- the message queue between processes ---------------------------------------------------------------

    def greet(self, sid: str, conn: Conn) -> None:
        """After a connection's snapshot: a console that connects while the queue is down sees the banner."""
        if self.queue is not None and not self.queue.health.ok and conn.audience in terminal_view.STAFF_AUDIENCES:
            self.socketio.emit("sync", self._sync_payload(self.queue.health), to=sid)

    def sync_changed(self, state: QueueState) -> None:
        """Tell this process's consoles that the sync between processes stopped (or works again)."""
        payload = self._sync_payload(state)
        for sid, conn in list(self.audiences.conns.items()):
            if conn.audience in terminal_view.STAFF_AUDIENCES:
                self.socketio.emit("sync", payload, to=sid)

    def _queue_restored(self, state: QueueState) -> None:
        self.sync_changed(state)
        self.resync_all()

    def resync_all(self) -> None:
        """Every terminal of this process gets a fresh snapshot: what other processes published while the
        queue was down never arrived (the resync rule of docs/protocol.md). Built in reads of RESYNC_BATCH
        terminals each, yielding between them."""
        conns = list(self.audiences.conns.items())
        sent = 0
        for start in range(0, len(conns), RESYNC_BATCH):
            batch = [(sid, conn) for sid, conn in conns[start:start + RESYNC_BATCH] if self.audiences.get(sid)]
            snaps: list[dict[str, Any] | None]
            try:
                snaps = list(self.audiences.snapshots.for_terminals(
                    [(c.sitting_id, c.audience, c.actor.person_id, c.actor.device_id) for _sid, c in batch]))
            except Exception:  # a sitting is gone, or storage failed: one by one, skipping what fails
                snaps = [self._one_snapshot(conn) for _sid, conn in batch]
            for (sid, _conn), snap in zip(batch, snaps, strict=True):
                if snap is not None:
                    self.socketio.emit("snapshot", snap, to=sid)
                    sent += 1
            self.socketio.sleep(0)
        log.info("sent %d terminals a fresh snapshot", sent)

    def _one_snapshot(self, conn: Conn) -> dict[str, Any] | None:
        try:
            return self.audiences.snapshots.for_terminal(conn.sitting_id, conn.audience, conn.actor.person_id,
                                                         conn.actor.device_id)
        except Exception:  # the terminal resyncs by itself at its next gap
            log.warning("a fresh snapshot for a terminal of sitting %s failed", conn.sitting_id, exc_info=True)
            return None

    @staticmethod
    def _sync_payload(state: QueueState) -> dict[str, Any]:
        return {"ok": state.ok, "reason": state.reason, "since": round(state.since, 3)}
