"""Wrong PINs over HTTP: they slow down the address that sends them (429 with Retry-After), never the
member pairing the same seat from their own tablet; the clerk sees the seats with wrong PINs on the
devices read and clears one (``POST /api/people/<id>/pin/unlock``)."""
from __future__ import annotations

from web_helpers import Api, assert_json_error

from voting_server import demo

A, B = "10.0.0.66", "10.0.0.7"


def pair(app, body_id, seat, pin, address):
    anon = Api(app)
    anon.refresh_csrf()
    return anon.post("/api/pair", {"body_id": body_id, "seat": seat, "pin": pin}, environ_base={"REMOTE_ADDR": address})


def test_an_attacker_cannot_lock_the_member_out(app, api, clerk, chair, seeded):
    body = seeded.body_id
    answers = [pair(app, body, "7", f"{guess:04d}", A) for guess in range(10)]
    # the member at their own tablet pairs at once (once 10 wrong PINs locked the seat for everyone)
    r = pair(app, body, "7", demo.DEMO_PIN, B)
    assert r.status_code == 200, r.get_json()
    assert [r.status_code for r in answers] == [403] * 5 + [429] * 5
    late = answers[5]
    assert late.get_json()["error"] == "too_many_attempts"
    assert late.headers["Retry-After"] == "2" and late.get_json()["details"] == {"retry_after": 2}
    member = r.get_json()["person_id"]
    assert r.get_json()["person_id"] == seeded.member_ids[6]
    # while A still waits
    assert_json_error(pair(app, body, "7", demo.DEMO_PIN, A), 429, "too_many_attempts")

    # the clerk's pairing panel reads which seats had wrong PINs, and clears one
    devices = clerk.get(f"/api/bodies/{body}/devices").get_json()
    assert devices["pin_lockouts"] == [{"seat": "7", "person_id": member, "name": devices["pin_lockouts"][0]["name"],
                                        "failures": 5, "sources": 1}]
    assert_json_error(chair.post(f"/api/people/{member}/pin/unlock"), 403, "forbidden")
    assert_json_error(chair.get(f"/api/bodies/{body}/devices"), 403, "forbidden")
    r = clerk.post(f"/api/people/{member}/pin/unlock")
    assert r.status_code == 200 and r.get_json() == {"cleared": 5}, r.get_json()
    assert clerk.get(f"/api/bodies/{body}/devices").get_json()["pin_lockouts"] == []
    assert pair(app, body, "7", demo.DEMO_PIN, A).status_code == 200
    assert_json_error(clerk.post("/api/people/999999/pin/unlock"), 404, "not_found")
