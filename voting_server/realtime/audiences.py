"""Connections and audiences: who a terminal is (a paired tablet's token or a staff session), which
sitting it joins, and the registry of this process's connections.

Rooms: ``s<sitting>:<audience>`` for every terminal of an audience in a sitting, ``p<person>`` for a
person's tablets, ``b<body>:clerk`` for the clerk consoles of a body (whatever sitting they show)."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from flask_socketio import ConnectionRefusedError

from .. import services
from ..db import Store
from ..i18n import Words, msg
from ..services import Actor, ServiceError, terminal_view
from ..services.accounts import NO_BODIES
from ..services.base import OTHER_BODY
from .snapshots import Snapshots

AUDIENCE_OF_ROLE = {"member": "seat", "observer": "observer", "chair": "chair", "clerk": "clerk",
                    "admin": "clerk", "display": "display"}


@dataclass(frozen=True, slots=True)
class Conn:
    actor: Actor
    sitting_id: int
    audience: str
    tablet: str | None = None  # a paired tablet's token, digested: the same across its reconnections
    generation: int | None = None  # a staff connection: the session generation of its cookie


def tablet_of(auth: object) -> str | None:
    """The digest of the tablet token a connection presents (None for a staff console)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest() if isinstance(token, str) else None


def room(sitting_id: int, audience: str) -> str:
    return f"s{sitting_id}:{audience}"


def person_room(person_id: int) -> str:
    return f"p{person_id}"


def body_room(body_id: int) -> str:
    """The clerk consoles of a body: its roster and its list of sittings are theirs to follow."""
    return f"b{body_id}:clerk"


def refused(code: str, message: Words) -> ConnectionRefusedError:
    """A refused connection: the client's connect_error carries ``message`` (English) and
    ``data`` = {error, message, message_zh, message_en}."""
    zh, en = message.render("zh"), message.render("en")
    return ConnectionRefusedError(en, {"error": code, "message": zh, "message_zh": zh, "message_en": en})


class Audiences:
    """The connections of this process, each with who it is and the sitting and audience it joined."""

    def __init__(self, store: Store, snapshots: Snapshots) -> None:
        self.store, self.snapshots = store, snapshots
        self.conns: dict[str, Conn] = {}
        self._bodies: dict[int, int | None] = {}
        self._default_sittings: dict[tuple[int, ...] | None, tuple[float, int | None]] = {}

    def authenticate(self, auth: dict[str, Any], user_id: object, generation: object = None) -> Actor:
        token = auth.get("token")
        if token is not None:
            actor = services.device_actor(self.store, token)
            if actor is None:
                raise refused("revoked", msg("表决器未配对或已被撤销"))
            return actor
        staff = services.session_actor(self.store, user_id, generation)
        if staff is None:
            raise refused("unauthenticated", msg("请先登录或配对表决器"))
        return staff

    def admit(self, sid: str, auth: object, user_id: object, generation: object = None) -> tuple[Conn, dict[str, Any]]:
        """Authenticate a connecting terminal (a tablet's token, or the account and session generation
        of a staff cookie), find its sitting, register it; answers its snapshot. Raises the refusal (a
        ``ConnectionRefusedError``) otherwise."""
        data = auth if isinstance(auth, dict) else {}
        actor = self.authenticate(data, user_id, generation)
        if actor.bodies is not None and not actor.bodies:  # a staff account serving no body yet
            raise refused("no_bodies", NO_BODIES)
        audience = AUDIENCE_OF_ROLE[actor.role]
        wanted = data.get("sitting_id")
        # a seat follows its person's body; a staff console the bodies its account serves (all: None)
        body_id = self._body_of(actor.person_id) if actor.person_id and actor.user_id is None else None
        bodies = (body_id,) if body_id is not None else tuple(sorted(actor.bodies)) if actor.bodies else None
        if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, int)):
            raise refused("bad_sitting", msg("会议编号无效"))
        sitting_id = wanted if wanted is not None else self._default_sitting(bodies)
        if sitting_id is None:
            raise refused("no_sitting", msg("当前没有会议"))
        try:
            snap = self.snapshots.for_terminal(sitting_id, audience, actor.person_id, actor.device_id)
        except ServiceError as err:
            raise refused(err.code, err.message) from None
        if body_id is not None and snap["sitting"]["body"]["id"] != body_id:
            raise refused("not_on_roster", msg("您不属于该会议的机构"))
        if not actor.serves(snap["sitting"]["body"]["id"]):
            raise refused("other_body", OTHER_BODY)
        staff_generation = generation if actor.user_id is not None and isinstance(generation, int) else None
        conn = Conn(actor=actor, sitting_id=sitting_id, audience=audience, generation=staff_generation,
                    tablet=tablet_of(data) if actor.device_id is not None else None)
        self.conns[sid] = conn
        return conn, snap

    def get(self, sid: str) -> Conn | None:
        return self.conns.get(sid)

    def drop(self, sid: str) -> Conn | None:
        return self.conns.pop(sid, None)

    def drop_user(self, user_id: int) -> list[str]:
        """Forget the connections of a staff account whose sessions ended; answers their ids."""
        sids = [sid for sid, conn in list(self.conns.items()) if conn.actor.user_id == user_id]
        for sid in sids:
            self.conns.pop(sid, None)
        return sids

    def drop_device(self, device_id: int) -> list[str]:
        """Forget the connections of a tablet whose pairing was revoked; answers their ids."""
        sids = [sid for sid, conn in list(self.conns.items()) if conn.actor.device_id == device_id]
        for sid in sids:
            self.conns.pop(sid, None)
        return sids

    def _body_of(self, person_id: int) -> int | None:
        """A person's body never changes: remembered per process."""
        if person_id not in self._bodies:
            self._bodies[person_id] = terminal_view.person_body(self.store, person_id)
        return self._bodies[person_id]

    def forget_default_sittings(self) -> None:
        """A sitting was created, opened or closed: the next connection asks again where to go."""
        self._default_sittings.clear()

    def _default_sitting(self, bodies: tuple[int, ...] | None) -> int | None:
        """The sitting a terminal joins when it names none (of ``bodies``: None, any body); remembered
        for a second, so that a hall connecting at once asks the database once."""
        now = time.monotonic()
        cached = self._default_sittings.get(bodies)
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        sitting_id = terminal_view.current_sitting_for(self.store, bodies=bodies)
        self._default_sittings[bodies] = (now, sitting_id)
        return sitting_id
