"""People as they really sit, in a real browser (its own demo server): the administrator links the
chair's account to the member 王建国 in the clerk's console; the chair's console shows a neutral quorum
note before the sitting opens, is asked to confirm opening an empty hall, is counted present at once,
and votes from the console; the member's seat then shows the vote as cast, and the pairing list shows
that tablet online and signed in, then offline once it is gone, without a reload. Screenshots
at a laptop's, a tablet's, a phone's and a hall screen's size. No console error anywhere."""
from __future__ import annotations

import re

import pytest
from conftest import demo_server, seat_tablet, staff_login

pytestmark = pytest.mark.browser

SIZES = {"1280x800": {"width": 1280, "height": 800}, "800x1280": {"width": 800, "height": 1280},
         "390x844": {"width": 390, "height": 844}, "1920x1080": {"width": 1920, "height": 1080}}


def expect():
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15000)
    return _expect


def staff(browser, console, base, path, user, app_id, viewport=SIZES["1280x800"]):
    return staff_login(browser, console, base, path, user, app_id, viewport, online=False)


def tablet(browser, console, base, seat, name, viewport=SIZES["1280x800"]):
    return seat_tablet(browser, console, base, seat, name, viewport)


def shot(page, folder, name):
    page.wait_for_timeout(300)
    page.evaluate("document.getElementById('toasts') && document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def at_sizes(page, folder, name, sizes=SIZES):
    for size, viewport in sizes.items():
        page.set_viewport_size(viewport)
        shot(page, folder, f"{name}-{size}")
    page.set_viewport_size(SIZES["1280x800"])


def fits_a_phone(page, table):
    """At 390×844 the page never scrolls sideways: a wide table scrolls inside its own box."""
    page.set_viewport_size(SIZES["390x844"])
    page.wait_for_timeout(200)
    widths = page.evaluate("""(sel) => { const t = document.querySelector(sel);
      return [document.documentElement.scrollWidth, innerWidth, t.parentElement.clientWidth, t.scrollWidth]; }""",
                           table)
    page.set_viewport_size(SIZES["1280x800"])
    page_width, viewport, box, wide = widths
    assert page_width <= viewport, f"{table}: the page is {page_width} px wide on a {viewport} px phone"
    assert box <= viewport and wide >= box, widths


def test_the_chair_sits_and_votes_as_a_member(browser, console, shots_dir, tmp_path):
    e = expect()
    with demo_server(tmp_path) as base:
        # --- the administrator links the chair's account to the member 王建国 ------------------------
        admin_ctx, admin = staff(browser, console, base, "/clerk", "admin", "clerk-app")
        admin.goto(base + "/clerk#accounts")
        row = admin.locator("#users-table tr[data-user=chair]")
        e(row).to_be_visible()
        row.locator("select.user-person").select_option(label="1 · 王建国")
        e(admin.locator(".toast").last).to_contain_text("账户已更新")
        e(admin.locator("#users-table tr[data-user=chair] select.user-person")).to_have_value(re.compile(r"^\d+$"))
        at_sizes(admin, shots_dir, "people-accounts")
        fits_a_phone(admin, "#users-table")
        # a clerk's console has no accounts section
        clerk_ctx, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app")
        e(clerk.locator('.side-nav a[href="#accounts"]')).to_be_hidden()

        # --- the chair opens the sitting and is present at once ---------------------------------------
        chair_ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app")
        e(chair.locator("#conn-dot")).to_have_attribute("data-state", "online")
        e(chair.locator("#my-vote")).to_contain_text("王建国")
        # before the sitting opens the quorum line is a neutral note over the empty hall, not an alarm
        e(chair.locator("#att-body .quorum.pending")).to_contain_text("尚未开会")
        e(chair.locator("#att-body .quorum.lost")).to_have_count(0)
        e(chair.locator("#quorum-alert .alert")).to_have_count(0)
        at_sizes(chair, shots_dir, "people-chair-before-opening")
        # opening with nobody signed in asks first; cancelling keeps the sitting planned
        chair.get_by_role("button", name="宣布开会").click()
        confirm = chair.locator("#sitting-body .inline-confirm")
        e(confirm).to_contain_text("无人签到，仍要开始会议？")
        shot(chair, shots_dir, "people-chair-open-empty-1280x800")
        confirm.get_by_role("button", name="取消").click()
        e(confirm).to_have_count(0)
        e(chair.locator(".status-tag.st-sitting-planned")).to_be_visible()
        chair.get_by_role("button", name="宣布开会").click()
        confirm.get_by_role("button", name="仍要开始会议").click()
        e(chair.locator(".status-tag.st-sitting-open")).to_be_visible()
        e(chair.locator("#att-body .quorum.lost")).to_be_visible()  # open now: the quorum's absence is an alarm
        e(chair.locator("#my-vote .my-attendance .status-tag")).to_have_text("出席")
        e(chair.locator("#att-body .figure.em .figure-n")).to_have_text("1")

        # --- the chair votes from the console -------------------------------------------------------
        chair.locator(".agenda-item").first.locator("[data-fk^=start-]").click()
        e(chair.locator("#current-title")).to_be_visible()
        chair.locator(".ballot-row").first.get_by_role("button", name="开始表决").click()
        chair.locator(".inline-confirm").get_by_role("button", name="仍然开始表决").click()
        e(chair.locator(".live-ballot")).to_be_visible()
        e(chair.locator("#my-vote-cast")).to_be_disabled()
        chair.locator("#my-vote .my-option[data-option=for]").click()
        at_sizes(chair, shots_dir, "people-chair-choosing")
        chair.click("#my-vote-cast")
        e(chair.locator("#my-vote-done")).to_contain_text("您已表决")
        e(chair.locator(".progress-figure strong")).to_have_text("1")
        at_sizes(chair, shots_dir, "people-chair-voted")

        # --- the member's own seat finds the vote cast (one vote per member) ---------------------------
        seat_ctx, seat = tablet(browser, console, base, "1", "王建国")
        e(seat.locator(".voted")).to_contain_text("已表决")
        shot(seat, shots_dir, "people-seat-voted")

        # --- the pairing list shows the tablet online, signed in, then offline, live ---------------------
        admin.click('.side-nav a[href="#pairing"]')
        row = admin.locator("#devices-table tr", has_text="王建国")
        e(row.locator(".link-state")).to_have_text("在线")
        e(row.locator(".device-signed")).to_have_text("已签到")
        e(row.locator(".device-seen")).not_to_have_text("—")
        at_sizes(admin, shots_dir, "people-pairing-online")
        fits_a_phone(admin, "#devices-table")
        seat_ctx.close()
        e(row.locator(".link-state")).to_have_text("离线")
        shot(admin, shots_dir, "people-pairing-offline-1280x800")

        for ctx in (chair_ctx, clerk_ctx, admin_ctx):
            ctx.close()
    assert console.unexpected() == []
