"""Seat tablets: one-time pairing codes that expire, PIN pairing (wrong PINs slow down their source, per
seat and over all seats, with back-off; the clerk clears a seat), and revoked tablets."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from voting_server import demo, models, services
from voting_server.services import Forbidden, Invalid, TooMany, devices


def _minutes_ago(n: int):
    import datetime as dt

    from voting_server.services.base import utcnow

    return utcnow() - dt.timedelta(minutes=n)


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


def _five_wrong_pins(world, seat: str, address: str) -> None:
    """The free tries of one seat from one address, all wrong (the demo PIN is none of 0000..0004)."""
    for guess in range(5):
        with pytest.raises(Forbidden):
            services.pair_with_pin(world.store, world.body_id, seat, f"{guess:04d}", address=address)


def test_backoff_doubles_after_the_free_tries(world, refuse):
    st, A = world.store, "10.0.0.66"
    _five_wrong_pins(world, "7", A)
    seen = []
    for _ in range(4):
        with pytest.raises(TooMany) as info:
            services.pair_with_pin(st, world.body_id, "7", "9999", address=A)
        seen.append(info.value.details["retry_after"])
        _wait_passes(st, info.value.details["retry_after"])
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, "7", "9999", address=A)
    assert seen == [2, 4, 8, 16], seen
    assert devices.backoff(10**6, 5) == devices.PIN_BACKOFF_MAX


def test_one_source_trying_every_seat_is_slowed_down(world, refuse):
    st, A, B = world.store, "10.0.0.66", "10.0.0.7"
    seats = [str(n) for n in range(1, 16)] + ["L1", "L2", "91", "92", "93"]
    for seat in seats[:devices.PIN_SOURCE_FREE_FAILURES]:  # the demo PIN is wrong for none: one wrong PIN each
        with pytest.raises(Forbidden):
            services.pair_with_pin(st, world.body_id, seat, "0000", address=A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    assert services.pair_with_pin(st, world.body_id, "3", demo.DEMO_PIN, address=B)[1].person_id == \
        world.members[2].person_id


def test_wrong_pins_are_forgotten_and_cleared(world, refuse):
    st, A = world.store, "10.0.0.66"
    _five_wrong_pins(world, "7", A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    with st.read() as s:
        assert devices.pin_failures(s, world.body_id) == {"7": (5, 1)}
    # the clerk clears the seat (the chair may not)
    member = world.members[6].person_id
    refuse(lambda: services.unlock_pin(st, world.chair, member), Forbidden, "forbidden")
    assert services.unlock_pin(st, world.clerk, member) == 5
    with st.read() as s:
        assert devices.pin_failures(s, world.body_id) == {}
        unlocked = [json.loads(e.payload) for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action == "pin_unlocked"))]
    assert unlocked == [{"person_id": member, "seat": "7", "cleared": 5}]
    assert services.pair_with_pin(st, world.body_id, "7", demo.DEMO_PIN, address=A)[1].person_id == member
    # a successful pairing clears its seat and source; failures older than the window are not counted
    _five_wrong_pins(world, "9", A)
    refuse(lambda: services.pair_with_pin(st, world.body_id, "9", demo.DEMO_PIN, address=A), TooMany,
           "too_many_attempts")
    _wait_passes(st, int(devices.PIN_WINDOW.total_seconds()) + 1)
    assert services.pair_with_pin(st, world.body_id, "9", demo.DEMO_PIN, address=A)[1].person_id == \
        world.members[8].person_id


def test_a_tablet_of_a_process_that_stopped_reads_offline(world):
    """A tablet is online while the process serving it keeps seeing it (its heartbeat); a process killed
    without recording the disconnect leaves ``online_since`` set, and the tablet reads offline once it
    has not been seen for ``ONLINE_FRESH`` -- in the pairing list and on the seat map alike."""
    from voting_server.services import admin_view, halls

    st, clerk = world.store, world.clerk
    m = world.members[0]
    services.pair_device(st, services.create_pairing(st, clerk, m.person_id))
    with st.read() as s:
        device_id = s.scalars(select(models.Device.id)).one()

    def shown() -> tuple[bool, bool]:
        with st.read() as s:
            row = next(d for d in admin_view.devices_of(s, world.body_id) if d["id"] == device_id)
            return row["online"], m.person_id in halls.online_people(s, world.body_id)

    services.device_seen(st, device_id, online=True)
    assert shown() == (True, True)
    stale = _minutes_ago(int(devices.ONLINE_FRESH.total_seconds() // 60) + 1)
    with st.engine.begin() as conn:  # no heartbeat since: its process is gone
        conn.execute(models.Device.__table__.update().values(last_seen_at=stale))
    assert shown() == (False, False)
    services.devices_alive(st, [device_id])  # a process that serves it is still beating
    assert shown() == (True, True)
    services.device_seen(st, device_id, online=False)
    services.devices_alive(st, [device_id])  # a beat never brings back a tablet that disconnected
    assert shown() == (False, False)
