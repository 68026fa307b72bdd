"""Every refused HTTP request is a JSON error with a Chinese and an English message, and changes nothing:
CSRF, permissions, unknown ids, wrong methods, malformed JSON, unknown fields. Never a 500."""
from __future__ import annotations

import re

import pytest
from web_helpers import Api, assert_json_error, counts


def test_csrf_is_on_and_a_change_without_the_token_is_refused(app, clerk, store):
    before = counts(store)
    r = clerk.post("/api/bodies", {"name": "某市人大常委会"}, headers={"X-CSRFToken": ""})
    assert_json_error(r, 400, "csrf")
    bare = Api(app)
    bare.client = clerk.client  # the same logged-in session cookie, no token at all
    r = bare.post("/api/bodies", {"name": "某市人大常委会"})
    assert_json_error(r, 400, "csrf")
    r = clerk.post("/api/bodies", {"name": "某市人大常委会"}, headers={"X-CSRFToken": "forged-token"})
    assert_json_error(r, 400, "csrf")
    assert counts(store) == before
    r = clerk.post("/api/bodies", {"name": "某市人大常委会"})
    assert r.status_code == 201 and isinstance(r.get_json()["id"], int)


def test_login_needs_the_token_too_and_wrong_password_is_refused(app):
    anon = Api(app)
    r = anon.post("/api/login", {"username": "clerk", "password": "clerk-demo-2026"})
    assert_json_error(r, 400, "csrf")
    anon.refresh_csrf()
    r = anon.post("/api/login", {"username": "clerk", "password": "wrong-password"})
    assert_json_error(r, 403, "bad_credentials")
    assert anon.get("/api/session").get_json()["role"] == "anonymous"


def test_english_messages_on_request(clerk):
    r = clerk.get("/api/bodies/999999/people?lang=en")
    body = assert_json_error(r, 404, "not_found")
    assert body["message"] == body["message_en"] and "999999" in body["message"]
    body = assert_json_error(clerk.get("/api/bodies/999999/people"), 404)
    assert body["message"] == body["message_zh"]


@pytest.mark.parametrize("method,url", [
    ("GET", "/api/bodies"), ("POST", "/api/bodies"), ("GET", "/api/bodies/1/people"),
    ("POST", "/api/bodies/1/people"), ("GET", "/api/users"), ("POST", "/api/users"),
    ("GET", "/api/bodies/1/sittings"), ("GET", "/api/sittings/1/agenda"), ("POST", "/api/items/1/ballots"),
    ("GET", "/api/bodies/1/devices"), ("POST", "/api/devices/1/revoke"), ("POST", "/api/people/1/pairing"),
    ("GET", "/api/audit"), ("GET", "/api/audit/verify"), ("GET", "/api/documents/1"),
    ("GET", "/api/ballots/1/results"), ("PUT", "/api/people/1/pin"), ("PATCH", "/api/people/1"),
])
def test_anonymous_is_refused(app, store, method, url):
    anon = Api(app)
    anon.refresh_csrf()
    before = counts(store)
    r = anon.client.open(url, method=method, json={"name": "x", "pin": "1234", "spec": {}},
                         headers={"X-CSRFToken": anon.csrf})
    assert_json_error(r, 403)
    assert counts(store) == before


@pytest.mark.parametrize("who,method,url,payload", [
    ("chair", "POST", "/api/bodies", {"name": "x"}),
    ("display", "POST", "/api/bodies/1/sittings", {"title": "x", "date": "2026-01-01"}),
    ("clerk", "POST", "/api/users", {"username": "newuser", "password": "longenough1", "role": "clerk"}),
    ("clerk", "GET", "/api/users", None),
    ("chair", "POST", "/api/bodies/1/people", {"name": "张三"}),
    ("display", "GET", "/api/audit", None),
    ("chair", "POST", "/api/people/1/pairing", None),
    ("chair", "GET", "/api/bodies/1/devices", None),
    ("admin", "POST", "/api/ballots/1/hands", {"confirm": True, "counts": {}, "ballots": 0}),
])
def test_roles_are_refused_outside_their_permissions(api, store, who, method, url, payload):
    client = api(who)
    before = counts(store)
    r = client._send(method, url, payload)
    body = assert_json_error(r, 403, "forbidden")
    # in words a person reads (who may do it), never the permission's internal name
    assert body["message_zh"].startswith("只有") and not re.search(r"[A-Za-z_]{3,}", body["message_zh"])
    assert counts(store) == before


@pytest.mark.parametrize("method,url,payload", [
    ("GET", "/api/bodies/9999/people", None),
    ("POST", "/api/bodies/9999/people", {"name": "张三"}),
    ("PUT", "/api/bodies/9999/rules", {"preset": "standing_committee"}),
    ("PATCH", "/api/people/9999", {"title": "委员"}),
    ("PUT", "/api/people/9999/pin", {"pin": "1234"}),
    ("POST", "/api/people/9999/pairing", None),
    ("GET", "/api/bodies/9999/sittings", None),
    ("POST", "/api/bodies/9999/sittings", {"title": "x", "date": "2026-01-01"}),
    ("GET", "/api/sittings/9999/agenda", None),
    ("POST", "/api/sittings/9999/items", {"title": "x"}),
    ("POST", "/api/items/9999/ballots", {"spec": {"kind": "resolution", "question": "q"}}),
    ("GET", "/api/items/9999/documents", None),
    ("GET", "/api/documents/9999", None),
    ("GET", "/api/bodies/9999/devices", None),
    ("POST", "/api/devices/9999/revoke", None),
    ("GET", "/api/ballots/9999/results", None),
    ("GET", "/api/bodies/2147483647/people", None),
    ("GET", "/api/bodies/99999999999999999999999/people", None),  # beyond 32 bits: no such route
    ("GET", "/api/bodies/-1/people", None),
    ("GET", "/api/bodies/abc/people", None),
    ("GET", "/api/no-such-route", None),
    ("POST", "/api/ballots/99999999999999999999/open", None),
])
def test_unknown_ids_are_404_json(admin, store, method, url, payload):
    before = counts(store)
    assert_json_error(admin._send(method, url, payload), 404)
    assert counts(store) == before


def test_ids_in_json_out_of_range_are_refused_not_500(clerk, seeded):
    r = clerk.post(f"/api/sittings/{seeded.sitting_id}/items", {"title": "修正案", "amends_item_id": 2**70})
    assert_json_error(r, 404)
    anon = Api(clerk.client.application)
    anon.refresh_csrf()
    assert_json_error(anon.post("/api/pair", {"body_id": 2**70, "seat": "1", "pin": "2468"}), 400, "bad_id")


@pytest.mark.parametrize("method,url", [
    ("DELETE", "/api/bodies"), ("PUT", "/api/bodies"), ("DELETE", "/api/bodies/1/people"),
    ("POST", "/api/people/1"), ("GET", "/api/people/1/pin"), ("GET", "/api/bodies/1/roster/import"),
    ("PUT", "/api/users"), ("GET", "/api/people/1/pairing"), ("POST", "/api/audit"),
    ("PUT", "/api/documents/1"), ("GET", "/api/devices/1/revoke"), ("POST", "/api/ballots/1/results"),
])
def test_wrong_methods_are_405_json(admin, store, method, url):
    before = counts(store)
    r = admin._send(method, url, {})
    body = assert_json_error(r, 405)
    assert body["message_zh"] == "不支持该请求方法"
    assert r.headers.get("Allow")
    assert counts(store) == before


@pytest.mark.parametrize("method,url", [
    ("POST", "/api/bodies"), ("PUT", "/api/bodies/1/rules"), ("POST", "/api/bodies/1/people"),
    ("PATCH", "/api/people/1"), ("PUT", "/api/people/1/pin"), ("POST", "/api/users"),
    ("POST", "/api/bodies/1/sittings"), ("POST", "/api/sittings/1/items"), ("POST", "/api/items/1/ballots"),
])
@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\"text\"", b"", b"\xff\xfe garbage", b"null"])
def test_malformed_json_is_400(admin, store, method, url, raw):
    before = counts(store)
    r = admin._send(method, url, None, data=raw, content_type="application/json")
    assert_json_error(r, 400, "bad_json")
    assert counts(store) == before


def test_unknown_and_missing_fields_are_named(admin, store, seeded):
    before = counts(store)
    r = admin.post(f"/api/bodies/{seeded.body_id}/people", {"name": "张三", "titel": "委员"})
    body = assert_json_error(r, 400, "unknown_field")
    assert "titel" in body["message_zh"]
    r = admin.post(f"/api/bodies/{seeded.body_id}/sittings", {"title": "会议"})
    body = assert_json_error(r, 400, "missing_field")
    assert "date" in body["message_zh"]
    r = admin.patch("/api/people/1", {})
    assert_json_error(r, 400, "nothing_to_change")
    assert counts(store) == before


@pytest.mark.parametrize("payload", [
    {"name": ""}, {"name": None}, {"name": 12}, {"name": ["a"]}, {"name": "x" * 300},
    {"name": "a\x00b"}, {"name": "ok", "preset": "no_such_preset"}, {"name": "ok", "preset": 5},
    {"name": "ok", "overrides": "text"}, {"name": "ok", "overrides": {"no_such_rule": 1}},
])
def test_bad_body_values_are_400(admin, store, payload):
    before = counts(store)
    r = admin.post("/api/bodies", payload)
    assert_json_error(r, 400)
    assert counts(store) == before


def test_garbage_everywhere_is_never_500(app, admin, seeded):
    """Every admin route with hostile values: each answer is a JSON client error or a success."""
    garbage = [None, True, -1, 0, 2**64, 1.5, "", "x" * 10_000, [], {}, {"a": {"b": [1]}}, "２０２６-01-01",
               "\u202e", "<script>"]
    fields = ["name", "preset", "overrides", "role", "seat", "title", "joined_on", "left_on", "external_id", "pin",
              "username", "password", "display_name", "date", "place", "chair_name", "clerk_name", "kind",
              "amends_item_id", "position", "spec", "secret", "allow_change", "method", "timer_seconds",
              "procedural", "threshold"]
    routes = [("POST", "/api/bodies", ["name", "preset", "overrides"]),
              ("PUT", f"/api/bodies/{seeded.body_id}/rules", ["preset", "overrides"]),
              ("POST", f"/api/bodies/{seeded.body_id}/people", ["name", "role", "seat", "title", "joined_on",
                                                                  "left_on", "external_id"]),
              ("PATCH", f"/api/people/{seeded.member_ids[0]}", ["name", "role", "seat", "joined_on", "left_on"]),
              ("PUT", f"/api/people/{seeded.member_ids[0]}/pin", ["pin"]),
              ("POST", "/api/users", ["username", "password", "role", "display_name"]),
              ("POST", f"/api/bodies/{seeded.body_id}/sittings", ["title", "date", "place", "chair_name"]),
              ("POST", f"/api/sittings/{seeded.sitting_id}/items", ["title", "kind", "amends_item_id", "position"]),
              ("POST", "/api/items/1/ballots", ["spec", "title", "secret", "allow_change", "method", "timer_seconds",
                                                "procedural", "threshold"])]
    base = {"name": "张三", "preset": "standing_committee", "username": "u_x", "password": "password-123",
            "role": "member", "title": "题目", "date": "2026-05-01", "pin": "1234",
            "spec": {"kind": "resolution", "question": "q"}}
    assert {f for _m, _u, fs in routes for f in fs} <= set(fields)
    for method, url, route_fields in routes:
        for field in route_fields:
            for value in garbage:
                payload = {k: base[k] for k in route_fields if k in base}
                payload[field] = value
                r = admin._send(method, url, payload)
                assert r.status_code < 500, (method, url, field, value, r.get_data(as_text=True)[:300])
                assert r.is_json
    for url in ["/api/audit?limit=0", "/api/audit?limit=abc", "/api/audit?limit=100000", "/api/audit?before=-5",
                "/api/audit?sitting_id=x", "/api/audit?before=99999999999999999999",
                f"/api/bodies/{seeded.body_id}/people?on=yesterday", "/api/audit?action=" + "x" * 500]:
        r = admin.get(url)
        assert_json_error(r, 400)
