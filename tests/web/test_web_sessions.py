"""Staff sessions end on the server: a session cookie copied anywhere stops working once its account
logs out, gets a new password or is disabled; and the cookie is ``Secure`` when served over HTTPS."""
from __future__ import annotations

from sqlalchemy import select
from support.apps import PASSWORDS, app_on_copy

from voting_server import models


def user_id(store, username):
    with store.read() as s:
        return s.scalar(select(models.User.id).where(models.User.username == username))


def copy_of(api, client):
    """Another browser holding the same session cookie (copied out of the first one)."""
    other = api()
    other.client.set_cookie("session", client.client.get_cookie("session").value)
    other.refresh_csrf()
    return other


def signed_out(client):
    assert client.get("/api/session").get_json()["role"] == "anonymous"
    r = client.get("/api/users")
    assert r.status_code == 403 and r.get_json()["error"] == "login_required", r.get_json()


def test_a_copied_cookie_is_refused_after_logout(api):
    admin = api().login("admin")
    copy = copy_of(api, admin)
    assert copy.get("/api/users").status_code == 200
    assert admin.post("/api/logout").status_code == 200
    signed_out(admin)
    signed_out(copy)
    again = api().login("admin")  # a new login is a new session, which works
    assert again.get("/api/users").status_code == 200
    signed_out(copy)


def test_logout_ends_every_session_of_the_account_only(api):
    first, second = api().login("clerk"), api().login("clerk")
    chair = api().login("chair")
    assert first.post("/api/logout").status_code == 200
    assert second.get("/api/session").get_json()["role"] == "anonymous"
    assert chair.get("/api/session").get_json()["role"] == "chair", "another account's session stays"


def test_a_cookie_without_its_generation_is_refused(app, api):
    """A cookie signed with the right key but naming only the account (as before sessions could end)."""
    client = api()
    with client.client.session_transaction() as sess:
        sess["user_id"] = user_id(app.extensions["biaojue_store"], "admin")
    assert client.get("/api/session").get_json()["role"] == "anonymous"


def test_a_new_password_ends_the_accounts_sessions(api, store):
    admin, chair = api().login("admin"), api().login("chair")
    uid = user_id(store, "chair")
    r = admin.patch(f"/api/users/{uid}", {"password": "a-new-password-1"})
    assert r.status_code == 200, r.get_json()
    assert chair.get("/api/session").get_json()["role"] == "anonymous"
    api().login("chair", "a-new-password-1")
    assert admin.get("/api/users").status_code == 200, "the admin's own session stays"


def test_a_disabled_account_loses_its_sessions_for_good(api, store):
    admin, clerk = api().login("admin"), api().login("clerk")
    uid = user_id(store, "clerk")
    assert admin.patch(f"/api/users/{uid}", {"active": False}).status_code == 200
    signed_out(clerk)
    assert admin.patch(f"/api/users/{uid}", {"active": True}).status_code == 200
    signed_out(clerk)  # enabled again: the old cookie stays ended
    api().login("clerk")


def test_update_user_refusals(api, store):
    admin, clerk = api().login("admin"), api().login("clerk")
    own = user_id(store, "admin")
    r = admin.patch(f"/api/users/{own}", {"active": False})
    assert r.status_code == 409 and r.get_json()["error"] == "own_account"
    assert admin.patch(f"/api/users/{own}", {}).get_json()["error"] == "nothing_to_change"
    assert admin.patch(f"/api/users/{own}", {"password": "short"}).get_json()["error"] == "weak_password"
    assert admin.patch("/api/users/999999", {"active": False}).status_code == 404
    r = clerk.patch(f"/api/users/{own}", {"password": "a-new-password-1"})
    assert r.status_code == 403, "only an administrator changes accounts"


def session_cookie_header(response):
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def login_response(client, base_url):
    """Logging in as a browser does (over HTTPS, the CSRF check also wants a same-origin Referer)."""
    csrf = client.get("/api/session", base_url=base_url).get_json()["csrf_token"]
    r = client.post("/api/login", json={"username": "chair", "password": PASSWORDS["chair"]},
                    headers={"X-CSRFToken": csrf, "Referer": "https://localhost/"}, base_url=base_url)
    assert r.status_code == 200, r.get_json()
    return r


def test_cookie_is_secure_over_https(app):
    header = session_cookie_header(login_response(app.test_client(), "https://localhost"))
    assert "; Secure" in header and "; HttpOnly" in header and "SameSite=Lax" in header


def test_cookie_is_not_secure_over_plain_http(app):
    """A hall on a plain LAN address: a Secure cookie would never come back, and nobody could log in."""
    header = session_cookie_header(login_response(app.test_client(), "http://localhost"))
    assert "Secure" not in header


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(seeded, tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"}
    for hops, secure in ((0, False), (1, True)):
        (tmp_path / str(hops)).mkdir()
        with app_on_copy(seeded, tmp_path / str(hops), TRUSTED_PROXIES=hops) as app:
            client = app.test_client()
            client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in forwarded.items()})
            header = session_cookie_header(login_response(client, "http://localhost"))
            assert ("; Secure" in header) is secure, (hops, header)


def test_secure_cookies_can_be_forced(seeded, tmp_path):
    with app_on_copy(seeded, tmp_path, SESSION_COOKIE_SECURE="true") as app:
        assert "; Secure" in session_cookie_header(login_response(app.test_client(), "http://localhost"))
