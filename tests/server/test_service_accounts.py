"""Staff accounts: account validation, password login with its rate limit and a failure as slow for an
unknown name; failed logins and PINs counted, never audited (seat tablets: test_service_devices.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, TooMany, credentials
from voting_server.services.failures import failure_counts


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
    # a failed login is counted, not audited: anyone can make one, and each entry would be kept for ever
    assert actions == ["login"]
    assert [(kind, count) for kind, _hour, count in failure_counts(st)] == [("login_failed", 3)]
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


def test_a_failed_login_takes_as_long_for_an_unknown_name(world, monkeypatch):
    """With the production cost of argon2: an unknown user name is checked against a dummy hash, so it
    fails as slowly as a wrong password (once 8 ms against 239 ms)."""
    import statistics
    import time

    import argon2

    monkeypatch.setattr(credentials, "_hasher", argon2.PasswordHasher())
    st = world.store
    services.create_user(st, world.admin, username="timed.clerk", password="timed-password-2026", role="clerk")

    def failing(username: str, n: int) -> float:
        start = time.perf_counter()
        with pytest.raises(Forbidden):
            services.login(st, username, "not-the-password", address=f"10.1.{n}.1", max_attempts=1000)
        return time.perf_counter() - start

    failing("nobody.here", 0)  # the dummy hash is made once
    times: dict[str, list[float]] = {"unknown": [], "known": []}
    for n in range(5):
        times["unknown"].append(failing(f"nobody.{n}", n))
        times["known"].append(failing("timed.clerk", n))
    unknown, known = statistics.median(times["unknown"]), statistics.median(times["known"])
    print(f"failed login, median of 5: unknown user {unknown * 1000:.1f} ms, wrong password {known * 1000:.1f} ms")
    assert 0.5 < unknown / known < 2, times


def test_failed_pins_and_logins_do_not_grow_the_audit_chain(world):
    """Anyone on the hall's network can fail a PIN with a new seat string every time, or a login with a new
    name: before, each failure appended a permanent audit entry (40,000 in under 5 minutes), and every
    verification of a sheet recomputed them all. Now the chain does not move; the failures are counted
    per hour."""
    st = world.store
    head_before = services.verify_chain(st)
    for i in range(120):
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, f"seat-{i}", "0000", address=f"10.8.0.{i}")
    for i in range(30):
        with pytest.raises(Forbidden):
            services.login(st, f"guess{i}", "password-guess", address=f"10.9.0.{i}")
    after = services.verify_chain(st)
    assert after.ok and (after.entries, after.head) == (head_before.entries, head_before.head)
    counts = {kind: count for kind, _hour, count in failure_counts(st)}
    assert counts == {"pin_failed": 120, "login_failed": 30}
