"""Per-address rate limits on what anyone may call without signing in: past the limit, 429
``rate_limited`` with ``Retry-After`` and the words in Chinese and English; staff and paired tablets are
not limited by them; ``/healthz`` never is. And a full queue of verifications answers 503 ``busy``."""
from __future__ import annotations

import threading

import pytest
from web_helpers import Api, assert_json_error, pair_tablet


@pytest.fixture
def config_overrides():
    return {"RATE_LIMIT_VERIFY": "5 per minute", "RATE_LIMIT_LOGIN": "4 per minute",
            "RATE_LIMIT_ANONYMOUS": "30 per minute"}


def rate_limited(r) -> dict:
    assert r.status_code == 429, (r.status_code, r.get_data(as_text=True)[:300])
    body = r.get_json()
    assert body["error"] == "rate_limited", body
    assert "请求过于频繁" in body["message_zh"] and "too many requests" in body["message_en"], body
    retry_after = body["details"]["retry_after"]
    assert retry_after > 0 and int(r.headers["Retry-After"]) == retry_after
    return body


def test_anonymous_verification_is_limited_per_address(app, clerk):
    anonymous = Api(app)
    for _ in range(5):
        assert anonymous.get("/api/verify?sheet=B1-R1&h=anything").status_code == 200
    body = rate_limited(anonymous.get("/api/verify?sheet=B1-R1&h=anything"))
    assert "5 per 1 minute" in body["message_en"]
    assert rate_limited(anonymous.get("/api/verify?sheet=B1-R1&h=anything&lang=en"))["message"].startswith("too many")
    # another address is not affected; a signed-in console is not limited by the anonymous limits
    other = anonymous.get("/api/verify?sheet=B1-R1&h=anything", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200
    for _ in range(8):
        assert clerk.get("/api/verify?sheet=B1-R1&h=anything").status_code == 200
    assert anonymous.get("/healthz").status_code == 200


def test_failed_pins_and_logins_are_limited_per_address(app):
    anonymous = Api(app)
    anonymous.refresh_csrf()
    for i in range(2):
        assert anonymous.post("/api/pair", {"body_id": 1, "seat": f"x{i}", "pin": "0000"}).status_code == 403
        assert anonymous.post("/api/login", {"username": f"guess{i}", "password": "guess-guess"}).status_code == 403
    rate_limited(anonymous.post("/api/pair", {"body_id": 1, "seat": "1", "pin": "2468"}))
    rate_limited(anonymous.post("/api/login", {"username": "clerk", "password": "guess-guess"}))
    # a tablet of another address still pairs
    other = Api(app)
    other.client.environ_base["REMOTE_ADDR"] = "10.1.2.4"
    other.refresh_csrf()
    assert other.post("/api/pair", {"body_id": 1, "seat": "1", "pin": "2468"}).status_code == 200


def test_every_anonymous_route_has_the_default_limit(app):
    anonymous = Api(app)
    answers = [anonymous.get("/api/session").status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    rate_limited(anonymous.get("/api/session"))
    # a paired tablet (its token) is not limited by the anonymous default
    other = Api(app)
    other.client.environ_base["REMOTE_ADDR"] = "10.1.2.5"
    tablet = pair_tablet_at(other, app)
    assert all(tablet.get("/api/session").status_code == 200 for _ in range(35))


def test_a_full_verification_queue_answers_busy():
    from voting_server.sheets.worker import Busy, Limits, WorkerPool

    pool = WorkerPool(Limits(workers=1, queue=0, timeout=5))
    entered, release = threading.Event(), threading.Event()

    def slow():
        entered.set()
        release.wait(5)
        return []

    worker = threading.Thread(target=lambda: pool.run({"kind": "reference"}, inline=slow))
    worker.start()
    assert entered.wait(5)
    with pytest.raises(Busy) as info:
        pool.run({"kind": "reference"}, inline=lambda: [])
    assert info.value.status == 503 and info.value.code == "busy" and info.value.details["retry_after"] > 0
    release.set()
    worker.join(5)
    assert pool.run({"kind": "reference"}, inline=lambda: []) == []


def pair_tablet_at(client: Api, app) -> Api:
    client.refresh_csrf()
    r = client.post("/api/pair", {"body_id": 1, "seat": "3", "pin": "2468"})
    assert r.status_code == 200, r.get_json()
    tablet = Api(app, token=r.get_json()["token"])
    tablet.client.environ_base["REMOTE_ADDR"] = "10.1.2.5"
    return tablet


def test_a_caller_the_database_cannot_tell_now_is_refused_after_one_question(app, clerk, monkeypatch):
    """The rate limits ask who is calling (staff and tablets are not limited): with the database stalled,
    Flask-Limiter took its failure for its own storage failing and asked again, and again, each time a
    wait of DATABASE_TIMEOUT, until the database came back. Now the database is asked once, and the
    request (a tablet's cast, a console's read) is refused 503 ``storage_unavailable`` with a retry hint."""
    from sqlalchemy import exc

    from voting_server import services

    tablet = pair_tablet(app, 1, "1")
    asked: list[str] = []

    def stalled(name):
        def ask(*_args):
            asked.append(name)
            raise exc.OperationalError("SELECT 1", None, Exception("the database did not answer within 2 s"),
                                       connection_invalidated=True)
        return ask

    monkeypatch.setattr(services, "device_actor", stalled("device_actor"))
    monkeypatch.setattr(services, "session_actor", stalled("session_actor"))
    for request, question in ((lambda: tablet.post("/api/ballots/1/cast", {"choice": "for"}), "device_actor"),
                              (lambda: clerk.get("/api/bodies"), "session_actor")):
        asked.clear()
        r = request()
        body = assert_json_error(r, 503, "storage_unavailable")
        assert int(r.headers["Retry-After"]) == body["details"]["retry_after"] >= 1, body
        assert asked == [question], asked
