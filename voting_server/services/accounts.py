"""Staff accounts (password login, rate-limited) and seat tablets (pairing link/QR or member PIN,
revocable). Secrets are stored only as hashes: passwords and PINs with argon2, pairing codes and
device tokens with SHA-256 (they are long random values)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg, pmsg
from .base import (
    STAFF_ROLES,
    SYSTEM,
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    TooMany,
    get_or_404,
    requires,
    transaction,
    utcnow,
)
from .values import Both, OneOf, Refusal, Text, Word

_hasher = PasswordHasher()
PAIRING_TTL = dt.timedelta(hours=12)
UNPAIRED = msg("本表决器已被撤销配对")

USERNAME = Both(Text(msg("用户名"), max_len=64),
                Word(lambda name: name.replace("_", "").replace("-", "").replace(".", "").isalnum(),
                     Refusal("bad_username", msg("用户名只能包含字母、数字和 _ - ."))))
PASSWORD = Word(lambda password: 8 <= len(password) <= 200,
                Refusal("weak_password", msg("密码至少8个字符")))
STAFF_ROLE = OneOf(STAFF_ROLES, Refusal("bad_role", msg("角色应为 admin、chair、clerk 或 display")))
DISPLAY_NAME = Text(pmsg("account", "姓名"), max_len=100)  # the user name when none is given
PIN = Word(lambda pin: pin.isdigit() and 4 <= len(pin) <= 8,
           Refusal("bad_pin", msg("PIN 必须是4到8位数字")))


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def check_secret(hashed: str | None, secret: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@requires("manage_users")
def create_user(store: Store, actor: Actor, *, username: str, password: str, role: str,
                display_name: str | None = None) -> int:
    username = USERNAME.check(username)
    role = STAFF_ROLE.check(role)
    password = PASSWORD.check(password)
    display_name = DISPLAY_NAME.check(display_name or username)
    with transaction(store, actor) as tx:
        if tx.session.scalar(select(models.User.id).where(models.User.username == username)) is not None:
            raise Conflict("username_taken", msg("用户名{username}已存在", username=username))
        user = models.User(username=username, display_name=display_name, role=role,
                           password_hash=hash_secret(password), active=True, created_at=utcnow())
        tx.session.add(user)
        tx.session.flush()
        tx.audit("user_created", {"user_id": user.id, "username": username, "role": role})
        return user.id


def login(store: Store, username: object, password: object, *, address: str, max_attempts: int = 5,
          window_seconds: int = 300) -> Actor:
    """Check a staff password (as typed into the login form). Failed attempts per username and address
    are limited."""
    if not isinstance(username, str) or not isinstance(password, str) or len(username) > 64 or len(password) > 200:
        raise Invalid("bad_login", msg("请输入用户名和密码"))
    since = utcnow() - dt.timedelta(seconds=window_seconds)
    with store.read() as s:
        failures = s.scalar(select(func.count()).select_from(models.LoginAttempt).where(
            models.LoginAttempt.username == username, models.LoginAttempt.address == address,
            models.LoginAttempt.ok.is_(False), models.LoginAttempt.at >= since)) or 0
        if failures >= max_attempts:
            raise TooMany("too_many_attempts", msg("登录失败次数过多，请稍后再试"))
        user = s.scalar(select(models.User).where(models.User.username == username))
        ok = user is not None and user.active and check_secret(user.password_hash, password)
    actor = Actor(role=user.role, name=user.display_name, user_id=user.id) if ok and user else None
    with transaction(store, actor or Actor(role="anonymous", name=username[:40])) as tx:
        tx.session.execute(delete(models.LoginAttempt).where(models.LoginAttempt.at < since))
        tx.session.add(models.LoginAttempt(username=username, address=address[:64], at=utcnow(), ok=ok))
        tx.audit("login" if ok else "login_failed", {"username": username, "address": address[:64]})
    if actor is None:
        raise Forbidden("bad_credentials", msg("用户名或密码错误"))
    return actor


def user_actor(store: Store, user_id: object) -> Actor | None:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return None
    with store.read() as s:
        user = s.get(models.User, user_id)
        if user is None or not user.active:
            return None
        return Actor(role=user.role, name=user.display_name, user_id=user.id)


# --- seat tablets -------------------------------------------------------------------------------


@requires("manage_devices")
def create_pairing(store: Store, actor: Actor, person_id: int) -> str:
    """A one-time pairing code for one person's tablet (shown as a QR code by the clerk)."""
    code = secrets.token_urlsafe(18)
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        device = models.Device(person_id=person.id, pairing_hash=_sha(code), pairing_expires=utcnow() + PAIRING_TTL,
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
        device = tx.session.scalar(select(models.Device).where(models.Device.pairing_hash == _sha(code)))
        if device is None or device.revoked_at is not None or device.pairing_expires is None \
                or device.pairing_expires < utcnow():
            raise Forbidden("bad_code", msg("配对码无效或已过期"))
        device.pairing_hash, device.pairing_expires = None, None
        device.token_hash, device.paired_at = _sha(token), utcnow()
        person = device.person
        tx.audit("device_paired", {"device_id": device.id, "person_id": person.id})
        actor = Actor(role=person.role, name=person.name, person_id=person.id, device_id=device.id)
    return token, actor


PIN_MAX_FAILURES = 10  # per seat within PIN_WINDOW: a 4-digit PIN must not be guessable by trying them all
PIN_WINDOW = dt.timedelta(minutes=5)


def pair_with_pin(store: Store, body_id: object, seat: object, pin: object) -> tuple[str, Actor]:
    """Pair a tablet by seat number and the member's PIN. Failed attempts per seat are limited."""
    if isinstance(body_id, bool) or not isinstance(body_id, int) or not 0 < body_id < 2**31 \
            or not isinstance(seat, str) or not isinstance(pin, str) or len(pin) > 16 or len(seat) > 20:
        raise Invalid("bad_pin", msg("请输入座位号和PIN"))
    key = f"pin:{body_id}:{seat}"
    since = utcnow() - PIN_WINDOW
    with store.read() as s:
        failures = s.scalar(select(func.count()).select_from(models.LoginAttempt).where(
            models.LoginAttempt.username == key, models.LoginAttempt.ok.is_(False),
            models.LoginAttempt.at >= since)) or 0
        if failures >= PIN_MAX_FAILURES:
            raise TooMany("too_many_attempts", msg("PIN错误次数过多，请稍后再试或请工作人员配对"))
        person = s.scalar(select(models.Person).where(models.Person.body_id == body_id, models.Person.seat == seat,
                                                      models.Person.left_on.is_(None)))
        ok = person is not None and check_secret(person.pin_hash, pin)
    if not ok or person is None:
        with transaction(store, Actor(role="anonymous", name="pairing")) as tx:
            tx.session.add(models.LoginAttempt(username=key, address="", at=utcnow(), ok=False))
            tx.audit("pin_failed", {"body_id": body_id, "seat": seat})
        raise Forbidden("bad_pin", msg("座位号或PIN错误"))
    token = secrets.token_urlsafe(32)
    with transaction(store, Actor(role=person.role, name=person.name, person_id=person.id)) as tx:
        device = models.Device(person_id=person.id, token_hash=_sha(token), created_at=utcnow(), paired_at=utcnow())
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
                        .where(models.Device.token_hash == _sha(token))).first()
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


@requires("manage_devices")
def set_pin(store: Store, actor: Actor, person_id: int, pin: str) -> None:
    """The member's PIN for pairing a tablet by seat number (stored only as a hash)."""
    pin = PIN.check(pin)
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        person.pin_hash = hash_secret(pin)
        tx.audit("pin_set", {"person_id": person.id})
