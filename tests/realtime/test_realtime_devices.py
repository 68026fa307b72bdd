"""The clerk's pairing list, live: a tablet connecting shows online at once (``devices`` pushed to the
clerks of its body's sittings), its sign-in shows, and when its last connection goes it shows offline
with when it was last seen; the same state is what GET /api/bodies/<id>/devices answers."""
from __future__ import annotations

from realtime_helpers import CLERK
from support.polling import wait_for

from voting_server import models
from voting_server.services import admin_view


def device_row(clerk, device_id: int) -> dict | None:
    pushes = clerk.received("devices")
    if not pushes:
        return None
    return next((d for d in pushes[-1]["devices"] if d["id"] == device_id), None)


def test_the_pairing_list_follows_the_tablets(hall):
    clerk = hall.staff("clerk")
    seat = hall.seat(5)
    device_id = hall.devices["5"]
    assert wait_for(lambda: clerk.pump() is not None and (device_row(clerk, device_id) or {}).get("online"), 5), \
        clerk.received("devices")
    push = clerk.received("devices")[-1]
    assert push["body_id"] == hall.seed.body_id and push["sitting_id"] == hall.sitting_id
    row = device_row(clerk, device_id)
    assert row["status"] == "paired" and row["last_seen_at"] and row["signed_in"] is False

    assert seat.cmd("sign_in", {})["ok"] is True
    assert wait_for(lambda: clerk.pump() is not None and (device_row(clerk, device_id) or {}).get("signed_in"), 5)

    seat.disconnect()
    assert wait_for(lambda: clerk.pump() is not None and (device_row(clerk, device_id) or {}).get("online") is False, 5)
    listed = {d["id"]: d for d in admin_view.list_devices(hall.store, CLERK, hall.seed.body_id)}
    assert listed[device_id]["online"] is False and listed[device_id]["last_seen_at"]
    assert listed[device_id]["signed_in"] is True
    with hall.store.read() as s:
        device = s.get(models.Device, device_id)
        assert device.online_since is None and device.last_seen_at is not None
    # a second tablet of the body, never connected: never seen, offline
    assert clerk.errors == []


def test_only_the_clerks_get_the_pairing_list(hall):
    chair, display = hall.staff("chair"), hall.staff("display")
    clerk = hall.staff("clerk")
    other = hall.seat(6)
    assert wait_for(lambda: clerk.pump() is not None and device_row(clerk, hall.devices["6"]) is not None, 5)
    for t in (chair, display, other):
        t.pump()
        assert t.received("devices") == [], t.label
