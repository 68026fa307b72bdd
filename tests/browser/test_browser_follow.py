"""Terminals follow the sitting that opens, in a real browser against a server of its own (the demo
committee and a second planned sitting dated later, so that every terminal first joins the older one).
Three tablets (1280×800, 800×1280 and a 390×844 phone), the chair's console and the hall display are on
the older sitting; one member signs in early; the clerk chooses the newer sitting in the console and
opens it. Every tablet, the chair and the display show the newer sitting without a reload, and the early
sign-in counts there."""
from __future__ import annotations

import pytest
from conftest import demo_and_store
from test_browser_sitting import HALL, LAPTOP, expect, shot, staff, tablet

from voting_server import services
from voting_server.services import Actor

pytestmark = pytest.mark.browser

VIEWPORTS = {"1280x800": {"width": 1280, "height": 800}, "800x1280": {"width": 800, "height": 1280},
             "390x844": {"width": 390, "height": 844}}
NEWER = "县第十八届人大常委会第三十七次会议"
OLDER = "县第十八届人大常委会第三十六次会议"
NO_RELOAD = "window.__same_page = 'yes'"


@pytest.fixture(scope="module")
def two_sittings(tmp_path_factory):
    with demo_and_store(tmp_path_factory.mktemp("follow")) as (url, store, body_id):
        newer = services.create_sitting(store, Actor(role="clerk", name="何静"), body_id, title=NEWER,
                                        date="2099-12-30", place="第一会议室")
        services.add_item(store, Actor(role="clerk", name="何静"), newer, title="关于召开下次会议的决定")
        yield url, newer


def test_tablets_chair_and_display_move_to_the_sitting_that_opens(browser, console, two_sittings, shots_dir):
    base, newer = two_sittings
    seats = {size: tablet(browser, console, base, str(n), f"{n}号座位", viewport=vp)[1]
             for n, (size, vp) in enumerate(VIEWPORTS.items(), start=1)}
    _chair_ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=VIEWPORTS["1280x800"])
    _display_ctx, display = staff(browser, console, base, "/display", "display", "hall", viewport=HALL)
    terminals = {**{f"seat {size}": page for size, page in seats.items()}, "chair": chair, "display": display}
    title = {name: "#hall-title" if name == "display" else "#top-title" for name in terminals}
    for name, page in terminals.items():
        expect()(page.locator(title[name])).to_contain_text(OLDER)
        page.evaluate(NO_RELOAD)
    early = seats["1280x800"]
    early.click("#signin-btn")  # signed in on the older sitting, before anything opened
    expect()(early.locator("#signin-btn")).to_have_count(0)
    for size, page in seats.items():
        shot(page, shots_dir, f"follow-before-{size}")

    _clerk_ctx, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app", viewport=LAPTOP)
    clerk.select_option("#ctx-sitting", str(newer))
    clerk.locator("[data-fk=open-sitting]").click()
    expect()(clerk.locator(".st-sitting-open")).to_be_visible()

    for name, page in terminals.items():
        expect()(page.locator(title[name])).to_contain_text(NEWER)
        assert page.evaluate("window.__same_page") == "yes", f"{name} was reloaded"
    expect()(early.locator("#signin-btn")).to_have_count(0)  # the early sign-in counts in the opened sitting
    for size in ("800x1280", "390x844"):
        expect()(seats[size].locator("#signin-btn")).to_be_visible()
    expect()(chair.locator("#att-body")).to_contain_text("1")
    for size, page in seats.items():
        shot(page, shots_dir, f"follow-after-{size}")
    shot(chair, shots_dir, "follow-after-chair")
    shot(display, shots_dir, "follow-after-display")
    assert console.unexpected() == []
