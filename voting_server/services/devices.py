"""Seat tablets: paired by a one-time link or QR code from the clerk, or by seat number and the member's
PIN (wrong PINs slow down their source, with back-off; the clerk clears a seat), and revocable. Only
hashes are stored (``credentials``): the PIN with argon2, pairing codes and device tokens with SHA-256."""
from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg
from .base import (
    SYSTEM,
    Actor,
    Forbidden,
    Invalid,
    TooMany,
    get_or_404,
    requires,
    transaction,
    utcnow,
)
from .credentials import check_secret_evenly, hash_secret, hash_token
from .failures import count_failure
from .values import Refusal, Word

PAIRING_TTL = dt.timedelta(hours=12)
#: A process that serves a tablet writes its ``last_seen_at`` this often (``devices_alive``) ...
HEARTBEAT = dt.timedelta(seconds=60)
#: ... and a tablet not seen for this long is offline, whatever ``online_since`` says: the process
#: that served it stopped (a crash, a kill -9, a power cut) without recording the disconnect.
ONLINE_FRESH = 2 * HEARTBEAT + dt.timedelta(seconds=30)
UNPAIRED = msg("本表决器已被撤销配对")
PIN = Word(lambda pin: pin.isdigit() and 4 <= len(pin) <= 8,
           Refusal("bad_pin", msg("PIN 必须是4到8位数字")))


@requires("manage_devices")
def create_pairing(store: Store, actor: Actor, person_id: int) -> str:
    """A one-time pairing code for one person's tablet (shown as a QR code by the clerk)."""
    code = secrets.token_urlsafe(18)
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        device = models.Device(person_id=person.id, pairing_hash=hash_token(code), pairing_expires=utcnow() + PAIRING_TTL,
                               created_at=utcnow())
        tx.session.add(device)
        tx.session.flush()
        tx.audit("pairing_created", {"device_id": device.id, "person_id": person.id})
    return code


def pair_device(store: Store, code: object) -> tuple[str, Actor]:
    """Redeem a pairing code: returns the device token the tablet keeps, and who it acts as."""
    if not isinstance(code, str) or not 10 <= len(code) <= 64:
        raise Invalid("bad_code", msg("配对码无效"))
    token = secrets.token_urlsafe(32)
    with transaction(store, Actor(role="anonymous", name="pairing")) as tx:
        device = tx.session.scalar(select(models.Device).where(models.Device.pairing_hash == hash_token(code)))
        if device is None or device.revoked_at is not None or device.pairing_expires is None \
                or device.pairing_expires < utcnow():
            raise Forbidden("bad_code", msg("配对码无效或已过期"))
        device.pairing_hash, device.pairing_expires = None, None
        device.token_hash, device.paired_at = hash_token(token), utcnow()
        person = device.person
        tx.audit("device_paired", {"device_id": device.id, "person_id": person.id})
        actor = Actor(role=person.role, name=person.name, person_id=person.id, device_id=device.id)
    return token, actor


# Wrong PINs slow down the source that types them, never the seat for everyone: a member pairing from
# another address is not held up by someone guessing elsewhere. Per seat and source, the first
# PIN_FREE_FAILURES are free, then each further try waits twice as long after the last failure
# (PIN_BACKOFF_FIRST, doubling, at most PIN_BACKOFF_MAX); per source over every seat of the hall (one PIN
# tried on every seat), the same from PIN_SOURCE_FREE_FAILURES on. Failures are remembered for
# PIN_WINDOW; a successful pairing clears its seat and source, and the clerk can clear a seat
# (``unlock_pin``). A 4-digit PIN then takes one source days to guess, and the clerk sees the failures.
PIN_FREE_FAILURES = 5
PIN_SOURCE_FREE_FAILURES = 20
PIN_BACKOFF_FIRST = dt.timedelta(seconds=2)
PIN_BACKOFF_MAX = dt.timedelta(minutes=15)
PIN_WINDOW = dt.timedelta(hours=1)
PIN_KEY_PREFIX = "pin:"  # LoginAttempt.username of a PIN try: pin:<body id>:<seat> (no user name has a colon)


def _pin_key(body_id: int, seat: str) -> str:
    return f"{PIN_KEY_PREFIX}{body_id}:{seat}"


def backoff(failures: int, free: int) -> dt.timedelta:
    """How long after the last failure the next try is allowed (zero while failures are still free)."""
    if failures < free:
        return dt.timedelta(0)
    return min(PIN_BACKOFF_FIRST * (1 << min(failures - free, 20)), PIN_BACKOFF_MAX)


def _pin_wait(s: Session, key: str, address: str, now: dt.datetime) -> dt.timedelta:
    """How long this source must still wait before trying a PIN on this seat (zero: it may try now)."""
    la = models.LoginAttempt
    recent = (la.ok.is_(False), la.at >= now - PIN_WINDOW, la.address == address)
    wait = dt.timedelta(0)
    for where, free in ((la.username == key, PIN_FREE_FAILURES),
                        (la.username.startswith(PIN_KEY_PREFIX), PIN_SOURCE_FREE_FAILURES)):
        n, last = s.execute(select(func.count(), func.max(la.at)).where(where, *recent)).one()
        if n and isinstance(last, dt.datetime):
            wait = max(wait, last + backoff(int(n), free) - now)
    return wait


def pair_with_pin(store: Store, body_id: object, seat: object, pin: object, *,
                  address: str = "?") -> tuple[str, Actor]:
    """Pair a tablet by seat number and the member's PIN. Failed attempts slow down their source
    (per seat and over all seats, with back-off); other sources are not held up."""
    if isinstance(body_id, bool) or not isinstance(body_id, int) or not 0 < body_id < 2**31 \
            or not isinstance(seat, str) or not isinstance(pin, str) or len(pin) > 16 or len(seat) > 20:
        raise Invalid("bad_pin", msg("请输入座位号和PIN"))
    key, address, now = _pin_key(body_id, seat), address[:64], utcnow()
    with store.read() as s:
        wait = _pin_wait(s, key, address, now)
        if wait > dt.timedelta(0):
            raise TooMany("too_many_attempts", msg("PIN错误次数过多，请稍后再试或请工作人员配对"),
                          retry_after=max(1, math.ceil(wait.total_seconds())))
        person = s.scalar(select(models.Person).where(models.Person.body_id == body_id, models.Person.seat == seat,
                                                      models.Person.left_on.is_(None)))
        ok = check_secret_evenly(person.pin_hash if person else None, pin) and person is not None
    if not ok or person is None:
        with store.write_session() as ws, ws.begin():  # counted, not audited: anyone can fail a PIN
            ws.add(models.LoginAttempt(username=key, address=address, at=utcnow(), ok=False))
            count_failure(ws, "pin_failed")
        raise Forbidden("bad_pin", msg("座位号或PIN错误"))
    token = secrets.token_urlsafe(32)
    with transaction(store, Actor(role=person.role, name=person.name, person_id=person.id)) as tx:
        tx.session.execute(delete(models.LoginAttempt).where(models.LoginAttempt.username == key,
                                                             models.LoginAttempt.address == address))
        device = models.Device(person_id=person.id, token_hash=hash_token(token), created_at=utcnow(), paired_at=utcnow())
        tx.session.add(device)
        tx.session.flush()
        tx.audit("device_paired", {"device_id": device.id, "person_id": person.id, "by": "pin"})
        actor = Actor(role=person.role, name=person.name, person_id=person.id, device_id=device.id)
    return token, actor


def device_actor(store: Store, token: object) -> Actor | None:
    """Who a device token acts as; None for unknown or revoked tokens."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    with store.read() as s:
        row = s.execute(select(models.Device.id, models.Device.revoked_at, models.Person.id, models.Person.role,
                               models.Person.name).join(models.Person, models.Person.id == models.Device.person_id)
                        .where(models.Device.token_hash == hash_token(token))).first()
    if row is None or row[1] is not None:
        return None
    device_id, _revoked, person_id, role, name = row
    return Actor(role=role, name=name, person_id=person_id, device_id=device_id)


def check_device(store: Store, device_id: int | None) -> None:
    """Refuse a tablet whose pairing was revoked (no device: staff, nothing to check)."""
    if device_id is None:
        return
    with store.read() as s:
        revoked = s.scalar(select(models.Device.revoked_at).where(models.Device.id == device_id))
    if revoked is not None:
        raise unpaired()


def unpaired() -> Forbidden:
    """The refusal of a tablet whose pairing was revoked."""
    return Forbidden("revoked", UNPAIRED)


def revoked_devices(session: Session, device_ids: set[int | None]) -> set[int]:
    """Which of these tablets were unpaired (one query for a batch)."""
    ids = {d for d in device_ids if d is not None}
    if not ids:
        return set()
    return set(session.scalars(select(models.Device.id).where(models.Device.id.in_(ids),
                                                             models.Device.revoked_at.is_not(None))))


@requires("manage_devices")
def revoke_device(store: Store, actor: Actor, device_id: int) -> None:
    with transaction(store, actor) as tx:
        device = get_or_404(tx.session, models.Device, device_id, msg("表决器"))
        if device.revoked_at is not None:
            return
        device.revoked_at = utcnow()
        tx.audit("device_revoked", {"device_id": device.id, "person_id": device.person_id})


def record_flood(store: Store, device_id: int, sitting_id: int, command: str, refusals: int) -> None:
    """A tablet sent commands so far over its rate that it was disconnected (realtime/throttle.py): kept
    in the audit log, by the system, and told to the sitting's clerks (not numbered: no terminal's state
    changes)."""
    with transaction(store, SYSTEM) as tx:
        person_id = tx.session.scalar(select(models.Device.person_id).where(models.Device.id == device_id))
        tx.audit("terminal_flooded", {"device_id": device_id, "person_id": person_id, "command": command[:40],
                                      "refusals": refusals}, sitting_id=sitting_id)


def pin_failures(s: Session, body_id: int) -> dict[str, tuple[int, int]]:
    """Recent wrong PINs of a body's seats: seat -> (failures, sources), for the clerk."""
    la, prefix = models.LoginAttempt, _pin_key(body_id, "")
    rows = s.execute(select(la.username, func.count(), func.count(func.distinct(la.address))).where(
        la.username.startswith(prefix), la.ok.is_(False), la.at >= utcnow() - PIN_WINDOW).group_by(la.username))
    return {key[len(prefix):]: (n, sources) for key, n, sources in rows}


@requires("manage_devices")
def unlock_pin(store: Store, actor: Actor, person_id: int) -> int:
    """The clerk clears the wrong PINs typed on a person's seat, from every source: whoever was made to
    wait may try again at once. Answers how many failures were cleared."""
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        if person.seat is None:
            return 0
        where = models.LoginAttempt.username == _pin_key(person.body_id, person.seat)
        cleared = tx.session.scalar(select(func.count()).select_from(models.LoginAttempt).where(where)) or 0
        tx.session.execute(delete(models.LoginAttempt).where(where))
        tx.audit("pin_unlocked", {"person_id": person.id, "seat": person.seat, "cleared": cleared})
        return cleared


@requires("manage_devices")
def set_pin(store: Store, actor: Actor, person_id: int, pin: str) -> None:
    """The member's PIN for pairing a tablet by seat number (stored only as a hash)."""
    pin = PIN.check(pin)
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        person.pin_hash = hash_secret(pin)
        tx.audit("pin_set", {"person_id": person.id})


def is_online(device: models.Device, now: dt.datetime) -> bool:
    """Whether a tablet is connected now: recorded online, and seen lately by the process serving it."""
    return device.online_since is not None and device.last_seen_at is not None \
        and device.last_seen_at >= now - ONLINE_FRESH


def online_clause(now: dt.datetime) -> Any:
    """:func:`is_online` as a condition of a query of devices."""
    return and_(models.Device.online_since.is_not(None), models.Device.last_seen_at >= now - ONLINE_FRESH)


def devices_alive(store: Store, device_ids: Iterable[int]) -> None:
    """The tablets a process still serves are seen now (its heartbeat, every :data:`HEARTBEAT`): one
    statement per 500 tablets, not audited."""
    ids, now = sorted(set(device_ids)), utcnow()
    with store.write_session() as ws, ws.begin():
        for i in range(0, len(ids), 500):
            ws.execute(update(models.Device).where(models.Device.id.in_(ids[i:i + 500]),
                                                   models.Device.online_since.is_not(None))
                       .values(last_seen_at=now))


def device_seen(store: Store, device_id: int, *, online: bool) -> int | None:
    """A paired tablet connected (``online``) or its last connection here went away: when it was last
    seen and since when it is online, for the clerk's pairing list. Answers its person's body (None: no
    such tablet). Not audited: a tablet's network comes and goes, and each entry would be kept for ever."""
    now = utcnow()
    with store.write_session() as ws, ws.begin():
        device = ws.get(models.Device, device_id)
        if device is None:
            return None
        device.last_seen_at = now
        device.online_since = (device.online_since or now) if online else None
        return ws.scalar(select(models.Person.body_id).where(models.Person.id == device.person_id))
