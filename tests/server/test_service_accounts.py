"""Staff accounts and seat tablets: account validation, password login with its rate limit, one-time
pairing codes that expire, PIN pairing (rate-limited per seat), and revoked tablets."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from voting_server import demo, models, services
from voting_server.services import Conflict, Forbidden, Invalid, TooMany


def test_create_user_validation(world, refuse):
    st, admin = world.store, world.admin
    cases = [
        ({"username": "a b", "password": "password-2026", "role": "clerk"}, Invalid, "bad_username"),
        ({"username": "x" * 65, "password": "password-2026", "role": "clerk"}, Invalid, "text_too_long"),
        ({"username": "", "password": "password-2026", "role": "clerk"}, Invalid, "missing_text"),
        ({"username": "new.clerk", "password": "short", "role": "clerk"}, Invalid, "weak_password"),
        ({"username": "new.clerk", "password": "p" * 201, "role": "clerk"}, Invalid, "weak_password"),
        ({"username": "new.clerk", "password": "password-2026", "role": "member"}, Invalid, "bad_role"),
        ({"username": "new.clerk", "password": "password-2026", "role": "clerk", "display_name": "名" * 101}, Invalid,
         "text_too_long"),
        ({"username": "clerk", "password": "password-2026", "role": "clerk"}, Conflict, "username_taken"),
    ]
    for kw, exc, code in cases:
        refuse(lambda kw=kw: services.create_user(st, admin, **kw), exc, code)
    refuse(lambda: services.create_user(st, world.clerk, username="x1", password="password-2026", role="clerk"),
           Forbidden, "forbidden")
    uid = services.create_user(st, admin, username="he_jing-2", password="password-2026", role="clerk",
                               display_name="何静")
    with st.read() as s:
        user = s.get(models.User, uid)
        assert (user.username, user.display_name, user.role, user.active) == ("he_jing-2", "何静", "clerk", True)
        assert "password-2026" not in user.password_hash and user.password_hash.startswith("$argon2")


def test_login_success_and_failure(world, refuse):
    st = world.store
    actor = services.login(st, "chair", "chair-demo-2026", address="10.0.0.5")
    assert (actor.role, actor.name, actor.user_id) == ("chair", "王建国", 2)
    assert services.user_actor(st, actor.user_id) == actor
    for username, password in (("chair", "wrong-password"), ("nobody", "chair-demo-2026"),
                               ("CHAIR", "chair-demo-2026")):
        with pytest.raises(Forbidden) as info:
            services.login(st, username, password, address="10.0.0.5")
        assert info.value.code == "bad_credentials"
    for username, password in ((None, "x"), ("chair", None), ("c" * 65, "x"), ("chair", "p" * 201)):
        refuse(lambda u=username, p=password: services.login(st, u, p, address="10.0.0.5"), Invalid, "bad_login")
    with st.read() as s:
        attempts = [(a.username, a.ok) for a in s.scalars(select(models.LoginAttempt).order_by(models.LoginAttempt.id))]
        actions = [e.action for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action.in_(("login", "login_failed"))).order_by(models.AuditEntry.id))]
        payloads = [e.payload for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action.in_(("login", "login_failed"))))]
    assert attempts == [("chair", True), ("chair", False), ("nobody", False), ("CHAIR", False)]
    assert actions == ["login", "login_failed", "login_failed", "login_failed"]
    assert not any("chair-demo-2026" in p or "wrong-password" in p for p in payloads)  # no password is logged


def test_inactive_user_cannot_log_in(world):
    st = world.store
    with st.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = :f WHERE username = 'display'"), {"f": False})
    with pytest.raises(Forbidden):
        services.login(st, "display", "display-demo-2026", address="10.0.0.9")
    assert services.user_actor(st, 4) is None


def test_login_rate_limit(world, refuse):
    st = world.store
    for _ in range(5):
        with pytest.raises(Forbidden):
            services.login(st, "clerk", "guess-guess", address="10.0.0.7", max_attempts=5)
    # the sixth attempt is refused before the password is looked at, even the right one
    refuse(lambda: services.login(st, "clerk", "clerk-demo-2026", address="10.0.0.7", max_attempts=5),
           TooMany, "too_many_attempts")
    # another address and another account are not affected
    assert services.login(st, "clerk", "clerk-demo-2026", address="10.0.0.8").role == "clerk"
    assert services.login(st, "admin", "admin-demo-2026", address="10.0.0.7").role == "admin"
    # the window passes
    with st.engine.begin() as conn:
        conn.execute(models.LoginAttempt.__table__.update().values(at=_minutes_ago(10)))
    assert services.login(st, "clerk", "clerk-demo-2026", address="10.0.0.7", max_attempts=5).role == "clerk"


def _minutes_ago(n: int):
    import datetime as dt

    from voting_server.services.base import utcnow

    return utcnow() - dt.timedelta(minutes=n)


def test_user_actor(world):
    st = world.store
    assert services.user_actor(st, 1).role == "admin"
    for bad in (True, False, "1", None, 1.0, 99999):
        assert services.user_actor(st, bad) is None, bad


def test_pairing_code_is_one_time_and_expires(world, refuse):
    st, clerk = world.store, world.clerk
    m = world.members[3]
    code = services.create_pairing(st, clerk, m.person_id)
    with st.read() as s:
        device = s.scalars(select(models.Device)).one()
        assert device.pairing_hash is not None and code not in device.pairing_hash  # only a hash is stored
    token, actor = services.pair_device(st, code)
    assert (actor.role, actor.person_id, actor.name) == ("member", m.person_id, m.name)
    assert services.device_actor(st, token) == actor
    refuse(lambda: services.pair_device(st, code), Forbidden, "bad_code")  # used
    for bad in (None, 123, "short", "x" * 65):
        refuse(lambda bad=bad: services.pair_device(st, bad), Invalid, "bad_code")
    refuse(lambda: services.pair_device(st, "an-unknown-code-of-good-length"), Forbidden, "bad_code")

    late = services.create_pairing(st, clerk, m.person_id)
    with st.engine.begin() as conn:
        conn.execute(models.Device.__table__.update().where(models.Device.pairing_hash.is_not(None))
                     .values(pairing_expires=_minutes_ago(1)))
    refuse(lambda: services.pair_device(st, late), Forbidden, "bad_code")

    revoked = services.create_pairing(st, clerk, m.person_id)
    with st.read() as s:
        pending = s.scalars(select(models.Device).order_by(models.Device.id.desc())).first()
    services.revoke_device(st, clerk, pending.id)
    refuse(lambda: services.pair_device(st, revoked), Forbidden, "bad_code")


def test_revoked_device_acts_as_no_one(world, refuse):
    st, clerk = world.store, world.clerk
    token, actor = services.pair_device(st, services.create_pairing(st, clerk, world.observers[0].person_id))
    assert actor.role == "observer" and services.device_actor(st, token) == actor
    services.revoke_device(st, clerk, actor.device_id)
    assert services.device_actor(st, token) is None
    with st.read() as s:
        n = len(s.scalars(select(models.AuditEntry)).all())
    services.revoke_device(st, clerk, actor.device_id)  # revoking twice changes nothing
    with st.read() as s:
        assert len(s.scalars(select(models.AuditEntry)).all()) == n
    refuse(lambda: services.revoke_device(st, clerk, 99999), services.NotFound, "not_found")
    for bad in (None, 5, "short", "x" * 101, token + "x"):
        assert services.device_actor(st, bad) is None


def test_pin_pairing(world, refuse):
    st = world.store
    token, actor = services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN)
    assert actor.person_id == world.members[2].person_id and actor.role == "member"
    assert services.device_actor(st, token) == actor
    token2, _ = services.pair_with_pin(st, world.body_id, "L1", demo.DEMO_PIN)
    assert services.device_actor(st, token2).role == "observer"
    for body, seat, pin, exc, code in ((world.body_id, "3", "0000", Forbidden, "bad_pin"),
                                       (world.body_id, "99", demo.DEMO_PIN, Forbidden, "bad_pin"),
                                       (world.body_id + 1, "3", demo.DEMO_PIN, Forbidden, "bad_pin"),
                                       (world.body_id, 3, demo.DEMO_PIN, Invalid, "bad_pin"),
                                       (world.body_id, "3", 2468, Invalid, "bad_pin"),
                                       (str(world.body_id), "3", demo.DEMO_PIN, Invalid, "bad_pin"),
                                       ([world.body_id], "3", demo.DEMO_PIN, Invalid, "bad_pin"),
                                       (True, "3", demo.DEMO_PIN, Invalid, "bad_pin"),
                                       (world.body_id, "3", "1" * 17, Invalid, "bad_pin")):
        with pytest.raises(exc) as info:
            services.pair_with_pin(st, body, seat, pin)
        assert info.value.code == code, (body, seat, pin)
    # a member who has left can no longer pair
    services.update_person(st, world.clerk, world.members[2].person_id, {"left_on": "2026-11-30"})
    with pytest.raises(Forbidden):
        services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN)
    for pin in ("12", "abcd", "123456789"):
        refuse(lambda pin=pin: services.set_pin(st, world.clerk, world.members[4].person_id, pin), Invalid, "bad_pin")
    services.set_pin(st, world.clerk, world.members[4].person_id, "97531")
    assert services.pair_with_pin(st, world.body_id, "5", "97531")[1].person_id == world.members[4].person_id


def test_pin_guessing_is_limited_per_seat(world, refuse):
    st = world.store
    for guess in range(10):
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "7", f"{guess:04d}")
    refuse(lambda: services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN), TooMany, "too_many_attempts")
    assert services.pair_with_pin(st, world.body_id, "8", demo.DEMO_PIN)[1].person_id == world.members[7].person_id
    with st.read() as s:
        failed = [json.loads(e.payload) for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action == "pin_failed"))]
    assert len(failed) == 10 and all(f == {"body_id": world.body_id, "seat": "7"} for f in failed)
    with st.engine.begin() as conn:
        conn.execute(models.LoginAttempt.__table__.update().values(at=_minutes_ago(6)))
    assert services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN)[1].person_id == world.members[6].person_id
