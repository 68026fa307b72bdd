"""A member attending by video (视频出席) in a real browser, under the standing committee's rule that the
clerk enters their votes: the chair's console (1280×800) shows them as 视频出席，待工作人员录入, never among
those who have not voted; the member's own tablet (a 390×844 phone) says the clerk enters the vote and
offers no buttons; closing asks first and the result says 视频出席未录入1人, not 未按. Screenshots of both."""
from __future__ import annotations

import pytest
from conftest import demo_server
from sqlalchemy import select
from test_browser_sitting import expect, staff, tablet

from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHAIR = Actor(role="chair", name="王建国")
CLERK = Actor(role="clerk", name="何静")


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """The demo server; its sitting opened, members 3 to 11 signed in, member 13 by video, item 1 taken
    up and its (secret) resolution open. Answers (address, the member by video)."""
    folder = tmp_path_factory.mktemp("video")
    with demo_server(folder) as url:
        store = Store(f"sqlite:///{folder / 'db.sqlite3'}")
        with store.read() as s:
            sid = s.scalar(select(models.Sitting.id))
            items = list(s.scalars(select(models.AgendaItem.id).where(models.AgendaItem.sitting_id == sid)
                                   .order_by(models.AgendaItem.position)))
            ballot = s.scalar(select(models.Ballot.id).where(models.Ballot.item_id == items[0]))
            people = s.scalars(select(models.Person).where(models.Person.role == "member")
                               .order_by(models.Person.id)).all()
            members = [Actor(role="member", name=p.name, person_id=p.id) for p in people]
            video = {"seat": people[12].seat, "name": people[12].name}
        services.open_sitting(store, CHAIR, sid)
        for m in members[2:11]:
            services.sign_in(store, m, sid)
        services.set_attendance(store, CLERK, sid, members[12].person_id, "video", "因公在外，视频参会")
        services.start_item(store, CHAIR, items[0])
        services.open_ballot(store, CHAIR, ballot)
        store.dispose()
        yield url, video


def test_the_chair_sees_video_votes_waiting_for_the_clerk_never_as_not_voted(browser, console, sitting, shots_dir):
    base, video = sitting
    e = expect()
    _c1, phone = tablet(browser, console, base, video["seat"], video["name"], viewport=PHONE)
    _c2, seat = tablet(browser, console, base, "3", "", viewport=TABLET)
    _c3, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=TABLET)

    notice = phone.locator(".video-by-clerk")
    e(notice).to_have_text("您为视频出席：按本机关规则，您的表决由工作人员录入，不在表决器上表决。")
    assert phone.locator(".vote-btn").count() == 0
    phone.screenshot(path=str(shots_dir / "video-seat-phone.png"), full_page=True)

    seat.click(".vote-btn[data-code=for]")
    seat.click("#confirm-btn")
    e(seat.locator(".voted")).to_be_visible()

    wait = chair.locator("#chair-progress .video-wait")
    e(wait).to_have_text("视频出席，待工作人员录入（1人）")
    e(chair.locator("#chair-progress .progress-figure")).to_contain_text("1")
    assert "未按" not in chair.locator("#chair-progress").inner_text()
    chair.screenshot(path=str(shots_dir / "video-chair-waiting.png"), full_page=True)

    chair.locator(".live-actions").get_by_role("button", name="结束表决").click()
    confirm = chair.locator(".inline-confirm")
    e(confirm).to_contain_text("视频出席的1人的表决尚未由工作人员录入")
    e(confirm).to_contain_text("不计为未按表决器")
    chair.screenshot(path=str(shots_dir / "video-chair-confirm.png"), full_page=True)
    confirm.get_by_role("button", name="结束表决").click()
    e(chair.locator(".closed-ballot")).to_be_visible()
    e(chair.locator("#announcement")).to_contain_text("视频出席未录入1人。")
    # 9 on site, one voted: 8 未按; the member by video is not among them
    e(chair.locator("#announcement")).to_contain_text("未按表决器8人")
    e(chair.locator(".closed-head")).to_contain_text("视频出席未录入1人")
    chair.screenshot(path=str(shots_dir / "video-chair-closed.png"), full_page=True)
