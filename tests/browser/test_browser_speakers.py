"""The chair's speaker queue in Chromium: two members ask to speak, the chair moves the second up, gives
them the floor and the console shows their speech's time running down from the body's ten minutes; the
hall display shows who speaks with the same clock. A server of its own (the demo committee)."""
from __future__ import annotations

import re

import pytest
from conftest import demo_server
from test_browser_sitting import expect, staff
from test_browser_verify_record import _login, _post

from voting_server import demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("speakers")) as url:
        yield url


def test_the_chair_orders_the_queue_and_times_the_speech(browser, own_server, console, shots_dir) -> None:
    e, base = expect(), own_server
    api = browser.new_context()
    csrf = _login(api, base, "chair")
    _post(api, f"{base}/api/sittings/1/open", {"confirm": True}, csrf=csrf)
    item = api.request.get(f"{base}/api/sittings/1/agenda").json()["items"][0]["id"]
    _post(api, f"{base}/api/items/{item}/start", csrf=csrf)
    for seat in ("3", "5"):
        t = browser.new_context()
        pair_csrf = t.request.get(f"{base}/api/session").json()["csrf_token"]
        pairing = {"body_id": 1, "seat": seat, "pin": demo.DEMO_PIN}
        token = _post(t, f"{base}/api/pair", pairing, csrf=pair_csrf)["token"]
        _post(t, f"{base}/api/sittings/1/sign-in", token=token)
        _post(t, f"{base}/api/items/{item}/speak", token=token)
        t.close()
    _ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport={"width": 1280, "height": 800})
    rows = chair.locator("#speakers-body .speaker")
    e(rows).to_have_count(2)
    names = [rows.nth(i).locator(".speaker-name").inner_text() for i in range(2)]
    assert names[0].startswith("3 ") and names[1].startswith("5 ")
    chair.locator("#speakers-body .speaker").nth(1).get_by_role("button", name=re.compile("提前")).click()
    e(rows.nth(0).locator(".speaker-name")).to_have_text(names[1])
    chair.locator("#speakers-body .speaker").nth(0).get_by_role("button", name="准许发言").click()
    clock = chair.locator("#speakers-body .speaker.st-granted .speech-clock")
    e(clock).to_have_text(re.compile(r"^(10:00|9:5\d|09:5\d)$"))
    first = clock.inner_text()
    chair.wait_for_timeout(2200)
    assert clock.inner_text() != first  # it runs
    chair.locator("#speakers-body").screenshot(path=str(shots_dir / "chair-speakers.png"))
    chair.screenshot(path=str(shots_dir / "chair-speaker-timer.png"))

    _dctx, hall = staff(browser, console, base, "/display", "display", "hall", viewport={"width": 1920, "height": 1080})
    e(hall.locator("#hall-speaker .hall-speaker-name")).to_have_text(names[1])
    e(hall.locator("#hall-speaker .speech-clock")).to_have_text(re.compile(r"^\d{1,2}:\d\d$"))
    assert hall.evaluate("document.scrollingElement.scrollHeight") <= 1080
    hall.screenshot(path=str(shots_dir / "display-speaker-timer.png"))
    assert console.unexpected() == []
