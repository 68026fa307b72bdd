"""Withdrawing (撤回) in a real browser against a server of its own (the demo committee, its sitting open
with 9 members signed in and the budget resolution open): the chair tries to withdraw the open ballot
without a reason (refused, in Chinese, in the dialog), then with one; two tablets (1280×800 and a 390×844
phone), the hall display (1920×1080) and the clerk's agenda show 已撤回 and the reason without a reload.
Then the chair withdraws the appointments item from the agenda: the tablets' agenda and the clerk's list
show it withdrawn with its reason. Screenshots of every screen; no console error anywhere."""
from __future__ import annotations

import json

import pytest
from conftest import demo_server
from sqlalchemy import select
from test_browser_sitting import HALL, LAPTOP, expect, staff, tablet

from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHAIR = Actor(role="chair", name="王建国")
NO_RELOAD = "window.__same_page = 'yes'"
BALLOT_REASON = "议案需进一步修改"
ITEM_REASON = "任免事项另行提请"


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """The demo server; its sitting opened, members 3 to 11 signed in, item 1 taken up and its ballot open
    (set up before any terminal connects). Answers (address, ids)."""
    folder = tmp_path_factory.mktemp("withdraw")
    with demo_server(folder) as url:
        store = Store(f"sqlite:///{folder / 'db.sqlite3'}")
        with store.read() as s:
            sid = s.scalar(select(models.Sitting.id))
            items = list(s.scalars(select(models.AgendaItem.id).where(models.AgendaItem.sitting_id == sid)
                                   .order_by(models.AgendaItem.position)))
            ballots = list(s.scalars(select(models.Ballot.id).where(models.Ballot.item_id == items[0])))
            members = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
                select(models.Person).where(models.Person.role == "member").order_by(models.Person.id))]
        services.open_sitting(store, CHAIR, sid)
        for m in members[2:11]:
            services.sign_in(store, m, sid)
        services.start_item(store, CHAIR, items[0])
        services.open_ballot(store, CHAIR, ballots[0])
        store.dispose()
        yield url, {"items": items, "ballot": ballots[0]}


def shot(page, shots_dir, name):
    page.screenshot(path=str(shots_dir / f"withdraw-{name}.png"), full_page=True)


def test_the_chair_withdraws_an_open_ballot_and_an_item_and_every_screen_says_so(browser, console, sitting,
                                                                                  shots_dir):
    base, ids = sitting
    e = expect()
    _c1, seat = tablet(browser, console, base, "1", "1号座位", viewport=TABLET)
    _c2, phone = tablet(browser, console, base, "2", "2号座位", viewport=PHONE)
    _c3, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=TABLET)
    _c4, display = staff(browser, console, base, "/display", "display", "hall", viewport=HALL)
    _c5, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app", viewport=LAPTOP)
    clerk.click(".side-nav a[href='#agenda']")
    screens = {"seat": seat, "phone": phone, "chair": chair, "display": display, "clerk": clerk}
    for page in screens.values():
        page.evaluate(NO_RELOAD)
    seat.click("#signin-btn")
    seat.click(".vote-btn[data-code=for]")
    seat.click("#confirm-btn")
    e(seat.locator(".voted")).to_be_visible()
    e(display.locator(".hall-live")).to_be_visible()

    # without a reason: refused in Chinese, in the dialog, and nothing changes
    chair.click(f"[data-fk=withdraw-ballot-{ids['ballot']}]")
    dialog = chair.locator("dialog.withdraw-dialog")
    e(dialog).to_be_visible()
    e(dialog).to_contain_text("撤回表决")
    dialog.locator("[data-fk=withdraw-yes]").click()
    e(dialog.locator("#withdraw-error")).to_have_text("请填写撤回理由")
    shot(chair, shots_dir, "chair-no-reason")
    dialog.locator("textarea").fill("   ")
    dialog.locator("[data-fk=withdraw-yes]").click()
    e(dialog.locator("#withdraw-error")).to_have_text("请填写撤回理由")
    e(seat.locator(".voted")).to_be_visible()  # the ballot is still open everywhere
    e(display.locator(".hall-live")).to_be_visible()

    dialog.locator("textarea").fill(BALLOT_REASON)
    dialog.locator("[data-fk=withdraw-yes]").click()
    e(dialog).to_have_count(0)
    for name in ("seat", "phone", "display", "chair"):
        block = screens[name].locator(".withdrawn-block")
        e(block).to_contain_text("已撤回")
        e(block).to_contain_text(f"撤回理由：{BALLOT_REASON}")
    e(seat.locator(".vote-btn")).to_have_count(0)
    e(phone.locator(".vote-btn")).to_have_count(0)
    e(chair.locator(f"[data-fk=withdraw-ballot-{ids['ballot']}]")).to_have_count(0)  # no longer offered
    e(clerk.locator(".clerk-items .withdrawn-note").first).to_contain_text(f"撤回理由：{BALLOT_REASON}")
    for name, page in screens.items():
        shot(page, shots_dir, f"ballot-{name}")

    # an item withdrawn from the chair's agenda: the tablets' agenda and the clerk's list say so
    item = ids["items"][1]
    chair.click(f"[data-fk=withdraw-item-{item}]")
    chair.locator("dialog.withdraw-dialog textarea").fill(ITEM_REASON)
    chair.locator("dialog.withdraw-dialog [data-fk=withdraw-yes]").click()
    e(chair.locator("dialog.withdraw-dialog")).to_have_count(0)
    e(chair.locator(".agenda-item.st-withdrawn .withdrawn-note")).to_contain_text(ITEM_REASON)
    e(chair.locator(f"[data-fk=withdraw-item-{item}]")).to_have_count(0)
    e(chair.locator(f"[data-fk=start-{item}]")).to_have_count(0)  # a withdrawn item is never taken up
    for page in (seat, phone):
        e(page.locator(".seat-agenda .st-withdrawn .withdrawn-note")).to_contain_text(f"撤回理由：{ITEM_REASON}")
    e(clerk.locator(".clerk-item.st-withdrawn .withdrawn-note").first).to_contain_text(ITEM_REASON)
    # the new withdrawal opens the tablet's agenda once; folded by the member, it stays folded
    # when the agenda changes again (the chair takes up the next item)
    e(seat.locator("details.seat-agenda")).to_have_attribute("open", "")
    seat.locator("details.seat-agenda > summary").click()
    e(seat.locator("details.seat-agenda")).not_to_have_attribute("open", "")
    current = seat.evaluate("JSON.stringify(document.querySelector('details.seat-agenda li.st-current')?.textContent)")
    chair.locator("[data-fk^=start-]").first.click()
    e(seat.locator("details.seat-agenda li.st-current")).not_to_have_text(json.loads(current) or "-")
    e(seat.locator("details.seat-agenda")).not_to_have_attribute("open", "")
    for name, page in screens.items():
        shot(page, shots_dir, f"item-{name}")
        assert page.evaluate("window.__same_page") == "yes", f"{name} was reloaded"
    assert console.unexpected() == []
