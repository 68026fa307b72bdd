"""The clerk's and admin's preparation over HTTP: bodies and rules, people, PINs, accounts, sittings,
agenda items, ballots, tablet pairing and revocation, and the audit log."""
from __future__ import annotations

import base64
import io
import json

from PIL import Image
from web_helpers import Api, assert_json_error, counts, pair_tablet

from voting_server import demo


def test_bodies_and_their_rules(admin, clerk, api, store):
    bodies = clerk.get("/api/bodies").get_json()["bodies"]
    assert [(b["name"], b["preset"], b["members"], b["observers"]) for b in bodies] == \
        [("某县人大常委会", "standing_committee", 15, 2)]
    r = clerk.post("/api/bodies", {"name": "某县人民代表大会", "preset": "congress_plenary"})
    assert r.status_code == 201
    body_id = r.get_json()["id"]
    assert clerk.put(f"/api/bodies/{body_id}/rules", {"preset": "standing_committee",
                                                      "overrides": {}}).get_json() == {"ok": True}
    # the clerk serves the body it created (and the one it served); the chair, with no body set, keeps the
    # body it served, now linked
    listed = {b["id"]: b for b in clerk.get("/api/bodies").get_json()["bodies"]}
    assert listed[body_id]["preset"] == "standing_committee" and len(listed) == 2
    assert [b["name"] for b in api("chair").get("/api/bodies").get_json()["bodies"]] == ["某县人大常委会"]
    assert api("display").get("/api/bodies").status_code == 200

    before = counts(store)
    assert_json_error(clerk.put(f"/api/bodies/{body_id}/rules", {"preset": "no_such_preset"}), 400)
    assert_json_error(clerk.put(f"/api/bodies/{body_id}/rules", {"preset": "standing_committee",
                                                                  "overrides": [1]}), 400)
    assert_json_error(api("chair").put(f"/api/bodies/{body_id}/rules", {"preset": "standing_committee"}), 403)
    assert counts(store) == before


def test_people_add_change_pin_and_list(app, clerk, store, seeded):
    url = f"/api/bodies/{seeded.body_id}/people"
    r = clerk.post(url, {"name": "补选委员", "role": "组成人员", "seat": "16", "title": "委员",
                         "joined_on": "2026-03-01", "external_id": "B-16"})
    assert r.status_code == 201
    pid = r.get_json()["id"]
    people = {p["id"]: p for p in clerk.get(url).get_json()["people"]}
    assert people[pid] == {"id": pid, "body_id": seeded.body_id, "name": "补选委员", "role": "member", "seat": "16",
                           "title": "委员", "joined_on": "2026-03-01", "left_on": None, "external_id": "B-16",
                           "delegation": None, "has_pin": False, "current": people[pid]["current"]}
    assert "pin_hash" not in json.dumps(people)
    on_day = {p["id"]: p for p in clerk.get(url + "?on=2026-02-01").get_json()["people"]}
    assert on_day[pid]["current"] is False and on_day[seeded.member_ids[0]]["current"] is True

    before = counts(store)
    assert_json_error(clerk.post(url, {"name": "重复座位", "seat": "16"}), 409, "duplicate_seat")
    assert_json_error(clerk.post(url, {"name": "x", "role": "主任"}), 400, "bad_role")
    assert_json_error(clerk.post(url, {"name": "x", "joined_on": "2026-02-30"}), 400, "bad_date")
    assert_json_error(clerk.patch(f"/api/people/{pid}", {"seat": "1"}), 409, "duplicate_seat")
    assert_json_error(clerk.patch(f"/api/people/{pid}", {"left_on": "2020-01-01"}), 400, "bad_dates")
    assert_json_error(clerk.put(f"/api/people/{pid}/pin", {"pin": "12"}), 400, "bad_pin")
    assert_json_error(clerk.put(f"/api/people/{pid}/pin", {"pin": 123456}), 400, "bad_pin")
    assert_json_error(clerk.put(f"/api/people/{pid}/pin", {}), 400, "missing_field")
    assert counts(store) == before

    # resigns: the seat is free again
    assert clerk.patch(f"/api/people/{pid}", {"left_on": "2026-06-30"}).get_json() == {"ok": True}
    assert clerk.post(url, {"name": "接任委员", "seat": "16"}).status_code == 201
    assert clerk.put(f"/api/people/{seeded.member_ids[0]}/pin", {"pin": "97531"}).status_code == 200
    anon = Api(app)
    anon.refresh_csrf()
    assert_json_error(anon.post("/api/pair", {"body_id": seeded.body_id, "seat": "1", "pin": demo.DEMO_PIN}),
                      403, "bad_pin")
    assert pair_tablet(app, seeded.body_id, "1", "97531").token


def test_accounts_only_by_the_admin_and_never_with_hashes(admin, clerk, api, store):
    r = admin.post("/api/users", {"username": "clerk2", "password": "second-clerk-pw", "role": "clerk",
                                  "display_name": "办公室 李明"})
    assert r.status_code == 201
    users = admin.get("/api/users").get_json()["users"]
    assert {u["username"] for u in users} == {"admin", "chair", "clerk", "display", "clerk2"}
    assert all(set(u) == {"id", "username", "display_name", "role", "active", "created_at", "bodies", "person_id",
                          "person"} for u in users)
    assert "argon2" not in json.dumps(users)
    before = counts(store)
    assert_json_error(admin.post("/api/users", {"username": "clerk2", "password": "another-pw-1",
                                                "role": "clerk"}), 409, "username_taken")
    assert_json_error(admin.post("/api/users", {"username": "x1", "password": "short", "role": "clerk"}), 400,
                      "weak_password")
    assert_json_error(admin.post("/api/users", {"username": "x1", "password": "longenough", "role": "root"}), 400,
                      "bad_role")
    assert_json_error(admin.post("/api/users", {"username": "bad name!", "password": "longenough",
                                                "role": "clerk"}), 400, "bad_username")
    assert_json_error(clerk.get("/api/users"), 403)
    assert counts(store) == before
    assert Api(clerk.client.application).login("clerk2", "second-clerk-pw")


def test_sittings_items_and_ballots(clerk, api, store, seeded):
    r = clerk.post(f"/api/bodies/{seeded.body_id}/sittings", {"title": "第三十七次会议", "date": "2026-12-20",
                                                              "place": "第一会议室", "chair_name": "王建国"})
    assert r.status_code == 201
    sitting_id = r.get_json()["id"]
    sittings = api("chair").get(f"/api/bodies/{seeded.body_id}/sittings").get_json()["sittings"]
    assert [(s["id"], s["status"], s["items"]) for s in sittings if s["id"] == sitting_id] == \
        [(sitting_id, "planned", 0)]

    main = clerk.post(f"/api/sittings/{sitting_id}/items", {"title": "关于某某条例的决定（草案）"}).get_json()["id"]
    amend = clerk.post(f"/api/sittings/{sitting_id}/items", {"title": "修正案", "amends_item_id": main,
                                                             "position": 1}).get_json()["id"]
    report = clerk.post(f"/api/sittings/{sitting_id}/items", {"title": "工作报告", "kind": "report"}).get_json()["id"]
    b1 = clerk.post(f"/api/items/{main}/ballots", {"spec": {"kind": "resolution", "question": "表决草案"}})
    assert b1.status_code == 201
    b2 = clerk.post(f"/api/items/{amend}/ballots", {"spec": {"kind": "resolution"}, "secret": False,
                                                    "allow_change": True, "method": "mixed", "timer_seconds": 60,
                                                    "title": "表决修正案"})
    assert b2.status_code == 201

    agenda = api("display").get(f"/api/sittings/{sitting_id}/agenda").get_json()
    assert agenda["sitting"]["title"] == "第三十七次会议"
    assert [(i["id"], i["position"], i["kind"]) for i in agenda["items"]] == \
        [(amend, 1, "resolution"), (main, 2, "resolution"), (report, 3, "report")]
    ballot = agenda["items"][0]["ballots"][0]
    assert (ballot["title"], ballot["kind"], ballot["secret"], ballot["method"], ballot["status"],
            ballot["rounds"]) == ("表决修正案", "resolution", False, "mixed", "draft", [])
    assert agenda["items"][1]["ballots"][0]["secret"] is True  # the preset's default
    assert agenda["items"][1]["amends_item_id"] is None and agenda["items"][0]["amends_item_id"] == main

    before = counts(store)
    url = f"/api/items/{main}/ballots"
    assert_json_error(clerk.post(url, {"spec": {"kind": "lottery"}}), 400)
    assert_json_error(clerk.post(url, {"spec": "resolution"}), 400, "bad_spec")
    assert_json_error(clerk.post(url, {"spec": {"kind": "resolution"}, "method": "telepathy"}), 400, "bad_method")
    assert_json_error(clerk.post(url, {"spec": {"kind": "resolution"}, "timer_seconds": 5}), 400, "bad_timer")
    assert_json_error(clerk.post(url, {"spec": {"kind": "resolution"}, "allow_change": True}), 400,
                      "secret_no_change")
    assert_json_error(clerk.post(url, {"spec": {"kind": "resolution"}, "threshold": "half"}), 400, "bad_threshold")
    assert_json_error(clerk.post(f"/api/sittings/{sitting_id}/items", {"title": "x", "kind": "party"}), 400, "bad_kind")
    assert_json_error(clerk.post(f"/api/sittings/{sitting_id}/items", {"title": "x", "position": 9}), 400,
                      "bad_position")
    assert_json_error(clerk.post(f"/api/bodies/{seeded.body_id}/sittings", {"title": "x", "date": "明天"}), 400,
                      "bad_date")
    assert_json_error(api("chair").post(f"/api/sittings/{sitting_id}/items", {"title": "x"}), 403)
    assert counts(store) == before


def test_pairing_by_link_and_qr_then_revocation(app, clerk, store, seeded):
    person = seeded.member_ids[4]
    r = clerk.post(f"/api/people/{person}/pairing")
    assert r.status_code == 201
    data = r.get_json()
    code = data["code"]
    assert data["url"] == f"/seat?pair={code}" and data["link"].endswith(data["url"])
    assert data["link"].startswith("http://")
    assert data["qr"].startswith("data:image/png;base64,")
    png = base64.b64decode(data["qr"].split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).format == "PNG"

    devices = clerk.get(f"/api/bodies/{seeded.body_id}/devices").get_json()["devices"]
    assert [(d["person_id"], d["status"]) for d in devices] == [(person, "pending")]
    assert "hash" not in json.dumps(devices)

    tablet = Api(app)
    tablet.refresh_csrf()
    r = tablet.post("/api/pair", {"code": code})
    assert r.status_code == 200 and r.get_json()["person_id"] == person
    tablet.token = r.get_json()["token"]
    assert tablet.get("/api/session").get_json()["person_id"] == person
    again = Api(app)
    again.refresh_csrf()
    assert_json_error(again.post("/api/pair", {"code": code}), 403, "bad_code")  # one use only

    devices = clerk.get(f"/api/bodies/{seeded.body_id}/devices").get_json()["devices"]
    assert [d["status"] for d in devices] == ["paired"]
    device_id = devices[0]["id"]
    assert clerk.post(f"/api/devices/{device_id}/revoke").get_json() == {"ok": True}
    assert clerk.post(f"/api/devices/{device_id}/revoke").status_code == 200  # twice changes nothing
    assert clerk.get(f"/api/bodies/{seeded.body_id}/devices").get_json()["devices"][0]["status"] == "revoked"
    assert_json_error(tablet.get("/api/session"), 403, "revoked")
    assert_json_error(tablet.post(f"/api/sittings/{seeded.sitting_id}/sign-in"), 403, "revoked")


def test_public_url_is_used_for_the_pairing_link(app, clerk, seeded):
    app.config["PUBLIC_URL"] = "http://10.0.0.5:5000/"
    data = clerk.post(f"/api/people/{seeded.member_ids[0]}/pairing").get_json()
    assert data["link"] == f"http://10.0.0.5:5000/seat?pair={data['code']}"


def test_the_audit_log_pages_and_verifies(admin, clerk, api, store, seeded):
    for i in range(5):
        clerk.post(f"/api/bodies/{seeded.body_id}/sittings", {"title": f"会议{i}", "date": "2026-12-01"})
    total = counts(store)["audit_log"]
    page = clerk.get("/api/audit?limit=7").get_json()
    assert page["total"] == total and len(page["entries"]) == 7
    ids = [e["id"] for e in page["entries"]]
    assert ids == list(range(total, total - 7, -1))
    assert page["head"]["id"] == total and page["head"]["hash"] == page["entries"][0]["hash"]
    assert page["entries"][0]["action"] == "sitting_created" and page["entries"][0]["payload"]["title"] == "会议4"
    seen = list(ids)
    before = page["next_before"]
    while before is not None:
        page = clerk.get(f"/api/audit?limit=50&before={before}").get_json()
        seen += [e["id"] for e in page["entries"]]
        before = page["next_before"]
    assert seen == list(range(total, 0, -1))
    only = api("chair").get("/api/audit?action=sitting_created&limit=500").get_json()
    assert only["total"] == 6 and {e["action"] for e in only["entries"]} == {"sitting_created"}
    by_sitting = admin.get(f"/api/audit?sitting_id={seeded.sitting_id}").get_json()
    assert by_sitting["entries"] and all(e["sitting_id"] == seeded.sitting_id for e in by_sitting["entries"])

    report = admin.get("/api/audit/verify").get_json()
    assert report["ok"] is True and report["entries"] == total and report["broken_id"] is None
    assert_json_error(api("display").get("/api/audit/verify"), 403)
    tablet = pair_tablet(clerk.client.application, seeded.body_id, "3")
    assert_json_error(tablet.get("/api/audit"), 403)


def test_a_tampered_audit_log_is_reported(admin, store):
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET payload = '{\"name\":\"forged\"}' WHERE id = 3"))
    report = admin.get("/api/audit/verify").get_json()
    assert report["ok"] is False and report["broken_id"] == 3 and "altered" in report["reason"]
