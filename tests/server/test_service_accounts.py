"""Staff accounts and seat tablets: account validation, password login with its rate limit and a
failure as slow for an unknown name, one-time pairing codes that expire, PIN pairing (wrong PINs slow
down their source, per seat and over all seats, with back-off; the clerk clears a seat), and revoked
tablets."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from voting_server import demo, models, services
from voting_server.services import Conflict, Forbidden, Invalid, TooMany, accounts
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


def _wait_passes(st, seconds: int) -> None:
    """As if ``seconds`` had passed: every recorded attempt moves back in time."""
    import datetime as dt

    la = models.LoginAttempt.__table__
    with st.engine.begin() as conn:
        for row_id, at in conn.execute(select(la.c.id, la.c.at)).all():
            conn.execute(la.update().where(la.c.id == row_id).values(at=at - dt.timedelta(seconds=seconds)))


def test_wrong_pins_slow_down_their_source_not_the_member(world, refuse):
    """Wrong PINs from one address make that address wait, doubling after the first five; the member
    pairing the same seat from another address is never held up (once 10 wrong PINs from anywhere
    locked the seat for everyone)."""
    st, A, B = world.store, "10.0.0.66", "10.0.0.7"
    waits = []
    for guess in range(12):  # 12 wrong PINs from A, each as soon as A may try again
        try:
            services.pair_with_pin(st, world.body_id, "7", f"{guess:04d}", address=A)
        except TooMany as err:
            waits.append(err.details["retry_after"])
            _wait_passes(st, err.details["retry_after"])
        except Forbidden:
            waits.append(0)
            continue
        with pytest.raises(Forbidden) as info:
            services.pair_with_pin(st, world.body_id, "7", f"{guess:04d}", address=A)
        assert info.value.code == "bad_pin"
    assert waits == [0] * 5 + [2, 4, 8, 16, 32, 64, 128], waits
    refuse(lambda: services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    # the member, at their own tablet, pairs at once
    assert services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=B)[1].person_id == \
        world.members[6].person_id
    # and another seat is free for A as long as A has not tried too many seats
    assert services.pair_with_pin(st, world.body_id, "8", demo.DEMO_PIN, address=A)[1].person_id == \
        world.members[7].person_id


def test_backoff_doubles_after_the_free_tries(world, refuse):
    st, A = world.store, "10.0.0.66"
    for guess in range(5):
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "7", f"{guess:04d}", address=A)
    seen = []
    for _ in range(4):
        with pytest.raises(TooMany) as info:
            services.pair_with_pin(st, world.body_id, "7", "9999", address=A)
        seen.append(info.value.details["retry_after"])
        _wait_passes(st, info.value.details["retry_after"])
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "7", "9999", address=A)
    assert seen == [2, 4, 8, 16], seen
    assert accounts.backoff(10**6, 5) == accounts.PIN_BACKOFF_MAX


def test_one_source_trying_every_seat_is_slowed_down(world, refuse):
    st, A, B = world.store, "10.0.0.66", "10.0.0.7"
    seats = [str(n) for n in range(1, 16)] + ["L1", "L2", "91", "92", "93"]
    for seat in seats[:accounts.PIN_SOURCE_FREE_FAILURES]:  # the demo PIN is wrong for none: one wrong PIN each
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, seat, "0000", address=A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    assert services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN, address=B)[1].person_id == \
        world.members[2].person_id


def test_wrong_pins_are_forgotten_and_cleared(world, refuse):
    st, A = world.store, "10.0.0.66"
    for guess in range(5):
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "7", f"{guess:04d}", address=A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    with st.read() as s:
        assert accounts.pin_failures(s, world.body_id) == {"7": (5, 1)}
    # the clerk clears the seat (the chair may not)
    member = world.members[6].person_id
    refuse(lambda: services.unlock_pin(st, world.chair, member), Forbidden, "forbidden")
    assert services.unlock_pin(st, world.clerk, member) == 5
    with st.read() as s:
        assert accounts.pin_failures(s, world.body_id) == {}
        unlocked = [json.loads(e.payload) for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action == "pin_unlocked"))]
    assert unlocked == [{"person_id": member, "seat": "7", "cleared": 5}]
    assert services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=A)[1].person_id == member
    # a successful pairing clears its seat and source; failures older than the window are not counted
    for guess in range(5):
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "9", f"{guess:04d}", address=A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "9", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    _wait_passes(st, int(accounts.PIN_WINDOW.total_seconds()) + 1)
    assert services.pair_with_pin(st, world.body_id, "9", demo.DEMO_PIN, address=A)[1].person_id == \
        world.members[8].person_id


def test_a_failed_login_takes_as_long_for_an_unknown_name(world, monkeypatch):
    """With the production cost of argon2: an unknown user name is checked against a dummy hash, so it
    fails as slowly as a wrong password (once 8 ms against 239 ms)."""
    import statistics
    import time

    import argon2

    monkeypatch.setattr(accounts, "_hasher", argon2.PasswordHasher())
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
