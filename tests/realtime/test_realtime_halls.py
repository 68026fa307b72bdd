"""The consoles' live seat map: a map saved by the clerk reaches the chair and every clerk console of the
body as ``hall``; a tablet connecting or going away reaches them as ``tablets`` (whose tablets are
online); tablets and the hall display get neither."""
from __future__ import annotations

from support.polling import wait_for


def last(t, name):
    t.pump()
    pushes = t.received(name)
    return pushes[-1] if pushes else None


def test_the_map_and_the_tablets_reach_the_chair_and_the_clerks(hall):
    chair, clerk, display = hall.staff("chair"), hall.staff("clerk"), hall.staff("display")
    http = hall.login("clerk")
    layout = {"rows": 1, "cols": 3, "seats": [["1", None, "2"]], "zones": [{"name": "主席台", "colour": "#dbe7f7"}],
              "zone_of": [[0, None, None]]}
    r = http.put(f"/api/bodies/{hall.seed.body_id}/hall", json={"layout": layout})
    assert r.status_code == 200 and r.get_json() == {"rows": 1, "cols": 3, "seats": 2}
    for t in (chair, clerk):
        assert wait_for(lambda t=t: last(t, "hall") is not None, 5), t.label
        push = last(t, "hall")
        assert push["body_id"] == hall.seed.body_id and push["hall"]["seats"] == [["1", None, "2"]]
    assert last(chair, "hall")["sitting_id"] == hall.sitting_id

    seat = hall.seat(2)
    pid = hall.person(2)
    for t in (chair, clerk):
        assert wait_for(lambda t=t: pid in ((last(t, "tablets") or {}).get("online") or []), 5), t.label
    assert http.get(f"/api/bodies/{hall.seed.body_id}/hall").get_json()["online"] == [pid]
    seat.disconnect()
    for t in (chair, clerk):
        assert wait_for(lambda t=t: pid not in (last(t, "tablets") or {}).get("online", [pid]), 5), t.label

    quiet = [display, hall.seat(3)]
    for t in quiet:
        t.pump()
        assert t.received("hall") == [] and t.received("tablets") == [], t.label


def test_a_refused_map_pushes_nothing(hall):
    chair = hall.staff("chair")
    http = hall.login("clerk")
    r = http.put(f"/api/bodies/{hall.seed.body_id}/hall", json={"layout": {"rows": 61, "cols": 1, "seats": []}})
    assert r.status_code == 400 and r.get_json()["error"] == "bad_hall"
    assert r.get_json()["message_zh"] == "排数必须是1到60之间的整数"
    r = hall.login("chair").put(f"/api/bodies/{hall.seed.body_id}/hall",
                                json={"layout": {"rows": 1, "cols": 1, "seats": [["1"]]}})
    assert r.status_code == 403
    chair.pump()
    assert chair.received("hall") == []
