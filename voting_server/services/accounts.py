"""Staff accounts: password login (rate-limited per user name and address, a failure as slow for an
unknown name), server-side sessions that logout, a new password or a disabled account end. Passwords
are stored only as argon2 hashes (``credentials``). Seat tablets are in ``devices``."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import msg, pmsg
from .base import (
    STAFF_ROLES,
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    TooMany,
    Tx,
    get_or_404,
    requires,
    transaction,
    utcnow,
)
from .credentials import check_secret_evenly, hash_secret
from .devices import PIN_KEY_PREFIX, PIN_WINDOW
from .failures import count_failure
from .values import Both, OneOf, Refusal, Text, Word

USERNAME = Both(Text(msg("用户名"), max_len=64),
                Word(lambda name: name.replace("_", "").replace("-", "").replace(".", "").isalnum(),
                     Refusal("bad_username", msg("用户名只能包含字母、数字和 _ - ."))))
PASSWORD = Word(lambda password: 8 <= len(password) <= 200,
                Refusal("weak_password", msg("密码至少8个字符")))
STAFF_ROLE = OneOf(STAFF_ROLES, Refusal("bad_role", msg("角色应为 admin、chair、clerk 或 display")))
DISPLAY_NAME = Text(pmsg("account", "姓名"), max_len=100)  # the user name when none is given
LINKED_ROLES = ("chair",)  # the accounts that may sit as a member too


class Unset:
    """``person_id`` not sent (None unlinks the account)."""


UNSET_PERSON: Any = Unset()


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
        # the password is checked (against a dummy hash when there is no such active account) in every
        # case: a failure takes as long for an unknown user name as for a wrong password
        known = user is not None and user.active
        ok = check_secret_evenly(user.password_hash if known and user else None, password) and known
        actor = staff_actor(s, user) if ok and user else None
    if actor is None:  # counted, not audited: anyone can fail a login
        with store.write_session() as ws, ws.begin():
            ws.execute(delete(models.LoginAttempt).where(_stale_attempts(since)))
            ws.add(models.LoginAttempt(username=username, address=address[:64], at=utcnow(), ok=False))
            count_failure(ws, "login_failed")
        raise Forbidden("bad_credentials", msg("用户名或密码错误"))
    with transaction(store, actor) as tx:
        tx.session.execute(delete(models.LoginAttempt).where(_stale_attempts(since)))
        tx.session.add(models.LoginAttempt(username=username, address=address[:64], at=utcnow(), ok=ok))
        tx.audit("login", {"username": username, "address": address[:64]})
    return actor


def _stale_attempts(login_since: dt.datetime) -> Any:
    """Attempts nobody counts any more: logins older than the login window, PIN tries (``devices``, kept
    in the same table) older than PIN_WINDOW."""
    la, is_pin = models.LoginAttempt, models.LoginAttempt.username.startswith(PIN_KEY_PREFIX)
    return or_(and_(~is_pin, la.at < login_since), and_(is_pin, la.at < utcnow() - PIN_WINDOW))


def user_bodies(s: Session, user_id: int) -> list[int]:
    """The bodies linked to an account (``served_bodies`` says what an account with none serves)."""
    return sorted(s.scalars(select(models.UserBody.body_id).where(models.UserBody.user_id == user_id)))


NO_BODIES = msg("您的账户尚未关联任何机构，请系统管理员在“账户”中选择该账户服务的机构")


def served_bodies(s: Session, user: models.User) -> frozenset[int] | None:
    """The bodies an account serves (None: every body). An administrator serves every body. A chair,
    clerk or display account serves the bodies linked to it; with none linked it serves the only body
    while there is one (a single committee needs no setting); creating a second body links such accounts
    to the body they served (``bodies.create_body``). One with none linked once there are two or more
    serves **no body**: it is refused (``no_bodies``) until the administrator links its bodies, so that a
    console never guesses which hall it drives."""
    if user.role == "admin":
        return None
    linked = user_bodies(s, user.id)
    if linked:
        return frozenset(linked)
    return None if (s.scalar(select(func.count()).select_from(models.Body)) or 0) <= 1 else frozenset()


def staff_actor(s: Session, user: models.User) -> Actor:
    """Who an account acts as: its role, the bodies it serves (``served_bodies``) and the member it is
    linked to."""
    return Actor(role=user.role, name=user.display_name, user_id=user.id, person_id=user.person_id,
                 bodies=served_bodies(s, user))


def user_actor(store: Store, user_id: object) -> Actor | None:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return None
    with store.read() as s:
        user = s.get(models.User, user_id)
        if user is None or not user.active:
            return None
        return staff_actor(s, user)


# --- staff sessions ------------------------------------------------------------------------------
# A session cookie holds the account's id and the session generation it was issued under. Logout, a
# new password and disabling the account raise the generation: every cookie issued before, wherever it
# was copied to, is refused from then on (the cookie is signed, but only the server can end it).

SESSION_ENDED = msg("登录已失效，请重新登录")
SESSIONS_ENDED = "sessions_ended"  # the audit action: the account's sessions ended (payload: user_id, why)


def session_generation(store: Store, user_id: int) -> int | None:
    """The generation a new session of this account is issued under (None: no such active account)."""
    with store.read() as s:
        user = s.get(models.User, user_id)
        return user.session_generation if user is not None and user.active else None


def session_actor(store: Store, user_id: object, generation: object) -> Actor | None:
    """Who a session cookie acts as; None once its account's sessions were ended, or the account disabled."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) \
            or isinstance(generation, bool) or not isinstance(generation, int):
        return None
    with store.read() as s:
        user = s.get(models.User, user_id)
        if user is None or not user.active or user.session_generation != generation:
            return None
        return staff_actor(s, user)


def check_session(store: Store, user_id: int | None, generation: int | None) -> None:
    """Refuse a staff connection whose session ended since it connected (no account: a tablet)."""
    if user_id is not None and session_actor(store, user_id, generation) is None:
        raise Forbidden("session_ended", SESSION_ENDED)


def _end_sessions(tx: Tx, user: models.User, why: str) -> None:
    user.session_generation += 1
    tx.audit(SESSIONS_ENDED, {"user_id": user.id, "why": why})


def logout(store: Store, user_id: int | None) -> None:
    """End every session of a staff account (its holder logging out); nothing without an account."""
    actor = user_actor(store, user_id) if user_id is not None else None
    if actor is None:
        return
    with transaction(store, actor) as tx:
        user = tx.session.get(models.User, user_id)
        if user is not None:
            _end_sessions(tx, user, "logout")


@requires("manage_users")
def update_user(store: Store, actor: Actor, user_id: int, *, password: str | None = None,
                active: bool | None = None, bodies: list[int] | None = None,
                person_id: int | None | Unset = UNSET_PERSON) -> None:
    """A new password, the account disabled (or enabled again), the bodies it serves (an empty list: none
    linked, see ``served_bodies``), or the member it is linked to (None: none). Any of these ends every session of the
    account: its consoles sign in again under what it now is."""
    if password is None and active is None and bodies is None and person_id is UNSET_PERSON:
        raise Invalid("nothing_to_change", msg("没有要修改的内容"))
    if password is not None:
        password = PASSWORD.check(password)
    if active is False and user_id == actor.user_id:
        raise Conflict("own_account", msg("不能停用自己的账户"))
    with transaction(store, actor) as tx:
        user = get_or_404(tx.session, models.User, user_id, msg("账户"))
        if password is not None:
            user.password_hash = hash_secret(password)
            tx.audit("password_set", {"user_id": user.id})
        if active is not None and active != user.active:
            user.active = active
            tx.audit("user_enabled" if active else "user_disabled", {"user_id": user.id})
        scope = _set_scope(tx, user, bodies, person_id)
        if password is not None or active is False or scope:
            _end_sessions(tx, user, "password" if password is not None else "disabled" if active is False else "scope")


def _set_scope(tx: Tx, user: models.User, bodies: list[int] | None, person_id: int | None | Unset) -> bool:
    """The bodies an account serves and the member it is linked to; answers whether either changed.
    The member must belong to one of the account's bodies (any body, for an account serving all), and
    no other account may be linked to them."""
    s = tx.session
    old_bodies = user_bodies(s, user.id)
    new_bodies = old_bodies if bodies is None else sorted(set(bodies))
    if user.role == "admin" and new_bodies:
        raise Invalid("admin_bodies", msg("系统管理员管理全部机构，不能限定机构"))
    for body_id in new_bodies:
        get_or_404(s, models.Body, body_id, msg("机构"))
    new_person = user.person_id if isinstance(person_id, Unset) else person_id
    if new_person is not None:
        person = get_or_404(s, models.Person, new_person, msg("人员"))
        if user.role not in LINKED_ROLES:
            raise Invalid("cannot_link", msg("只有主持人的账户可以关联名单中的人员"))
        if person.role != "member":
            raise Invalid("not_a_member", msg("{name}是列席人员，没有表决权", name=person.name))
        if new_bodies and person.body_id not in new_bodies:
            raise Invalid("person_other_body", msg("{name}不属于该账户的机构", name=person.name))
        other = s.scalar(select(models.User.username).where(models.User.person_id == person.id,
                                                            models.User.id != user.id))
        if other is not None:
            raise Conflict("person_linked", msg("{name}已关联账户{username}", name=person.name, username=other))
    changed = False
    if new_bodies != old_bodies:
        s.execute(delete(models.UserBody).where(models.UserBody.user_id == user.id))
        s.add_all([models.UserBody(user_id=user.id, body_id=b) for b in new_bodies])
        tx.audit("user_bodies_set", {"user_id": user.id, "bodies": new_bodies})
        changed = True
    if new_person != user.person_id:
        user.person_id = new_person
        tx.audit("user_person_set", {"user_id": user.id, "person_id": new_person})
        changed = True
    return changed
