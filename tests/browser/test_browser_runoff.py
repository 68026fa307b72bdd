"""A 15-choose-10 票决 with a tie at the cut-off, in real browsers against a server of its own (the demo
committee, all 15 members signed in): the first round chose 8 projects and left 养老服务中心、学校食堂改造、
公交线路优化 tied at 10 votes for the 2 places left. The chair's console (1280×800) offers
"就票数相等的项目再次投票" on that result and opens the run-off; a tablet (1280×800) and a phone (390×844)
show only the three tied projects, with their details (投资额, 责任单位, 简介) unfolded on a tap, and vote
(at most 2 marks); the other members vote as the other tablets would; the chair closes. The chair and the
hall display (1920×1080) show the final list of both rounds in order (10 projects). Screenshots of every
screen; no console error anywhere."""
from __future__ import annotations

import uuid

import pytest
from conftest import demo_server
from sqlalchemy import select
from test_browser_sitting import HALL, PDF, expect, staff, tablet

from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHAIR = Actor(role="chair", name="王建国")
CLERK = Actor(role="clerk", name="何静")
PROJECTS = ["城区供水管网改造", "农村公路提升", "城区学校扩建", "乡镇卫生院改造", "老旧小区改造", "农贸市场提升",
            "公共厕所新建", "城区停车场建设", "养老服务中心", "学校食堂改造", "公交线路优化", "河道综合治理",
            "文化广场建设", "体育公园建设", "路灯照明改造"]
DETAILS = {9: ("800万元", "县民政局", "新建县城区养老服务中心一处，床位120张，配套康复、助餐设施。"),
           10: ("450万元", "县教育局", "改造全县12所中小学食堂，更新设备，实行明厨亮灶。"),
           11: ("600万元", "县交通运输局", "")}


def _spec() -> dict:
    candidates = []
    for n, name in enumerate(PROJECTS, 1):
        c = {"id": f"c{n}", "name": name}
        if n in DETAILS:
            amount, unit, summary = DETAILS[n]
            c |= {"amount": amount, "responsible_unit": unit, **({"summary": summary} if summary else {})}
        candidates.append(c)
    return {"kind": "selection", "max_marks": 10, "candidates": candidates}


def _cast(store, member: Actor, ballot: int, ids: list[str]) -> None:
    services.cast_vote(store, member, ballot, dict.fromkeys(ids, "mark"), uuid.uuid4().hex)


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """The first round, voted and closed before any terminal connects: every member marks projects 1–8
    and two of 9–11 (in turn), so 9, 10 and 11 have 10 votes each for the 2 places left."""
    folder = tmp_path_factory.mktemp("runoff")
    with demo_server(folder) as url:
        store = Store(f"sqlite:///{folder / 'db.sqlite3'}")
        with store.read() as s:
            sid = s.scalar(select(models.Sitting.id))
            members = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
                select(models.Person).where(models.Person.role == "member").order_by(models.Person.id))]
        services.open_sitting(store, CHAIR, sid)
        for m in members:
            services.sign_in(store, m, sid)
        item = services.add_item(store, CLERK, sid, title="2027年民生实事项目票决", kind="selection")
        ballot = services.create_ballot(store, CLERK, item, spec=_spec(), title="民生实事项目票决（15选10）")
        services.start_item(store, CHAIR, item)
        services.open_ballot(store, CHAIR, ballot)
        pairs = (("c9", "c10"), ("c10", "c11"), ("c9", "c11"))
        for n, m in enumerate(members):
            _cast(store, m, ballot, [f"c{i}" for i in range(1, 9)] + list(pairs[n % 3]))
        result = services.close_ballot(store, CHAIR, ballot)
        assert result["outcome"] == "tie" and result["ties"] == [["c9", "c10", "c11"]]
        yield url, store, ballot, members
        store.dispose()


def shot(page, shots_dir, name, *, full=False):
    page.wait_for_timeout(300)
    page.evaluate("document.getElementById('toasts') && document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(shots_dir / f"runoff-{name}.png"), full_page=full)


def _vote_runoff(page, ids):
    for cid in ids:
        page.click(f"#sel-{cid}")
    page.click("[data-fk=next]")
    page.click("#confirm-btn")
    expect()(page.locator(".voted")).to_be_visible()


def test_a_tie_at_the_cut_off_goes_to_a_runoff_and_the_hall_shows_the_final_list(browser, console, sitting, shots_dir):
    base, store, ballot, members = sitting
    e = expect()
    _c1, seat = tablet(browser, console, base, "1", "1号座位", viewport=TABLET)
    _c2, phone = tablet(browser, console, base, "2", "2号座位", viewport=PHONE)
    _c3, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=TABLET)
    _c4, display = staff(browser, console, base, "/display", "display", "hall", viewport=HALL)

    # the tied result: the chair is told what follows and offered the run-off
    note = chair.locator(".closed-ballot .standing-note")
    e(note).to_contain_text("应选10个名额，已选出8个；余下2个名额须就票数相等者再次投票")
    e(chair.locator("#announcement")).to_contain_text("养老服务中心、学校食堂改造、公交线路优化得票相同")
    button = chair.locator(f"[data-fk=runoff-{ballot}]")
    e(button).to_have_text("就票数相等的项目再次投票")
    shot(chair, shots_dir, "chair-tie", full=True)
    button.click()
    e(chair.locator(".live-ballot")).to_be_visible()
    e(chair.locator(f"[data-fk=runoff-{ballot}]")).to_have_count(0)

    # the tablets: only the three tied projects, at most two marks, the details on a tap
    for page in (seat, phone):
        e(page.locator(".checklist li")).to_have_count(3)
        e(page.locator(".checklist")).to_contain_text("养老服务中心")
        e(page.locator(".checklist")).not_to_contain_text("城区供水管网改造")
        e(page.locator(".select-count")).to_contain_text("已选 0 / 2")
    phone.locator("[data-fk=cand-c9] summary").click()
    e(phone.locator("[data-fk=cand-c9] .cand-dl")).to_contain_text("县民政局")
    e(phone.locator("[data-fk=cand-c9] .cand-dl")).to_contain_text("床位120张")
    e(phone.locator("[data-fk=cand-c9] summary")).to_contain_text("投资800万元")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(phone, shots_dir, "phone-details", full=True)
    phone.click("#sel-c9")  # a mark keeps the details open (a redraw does not fold them)
    e(phone.locator("[data-fk=cand-c9]")).to_have_attribute("open", "")
    phone.click("#sel-c9")
    seat.locator("[data-fk=cand-c10] summary").click()
    e(seat.locator("[data-fk=cand-c10] .cand-dl")).to_contain_text("明厨亮灶")
    seat.click("#sel-c9")
    seat.click("#sel-c10")
    e(seat.locator("#sel-c11")).to_be_disabled()  # two places: no third mark
    shot(seat, shots_dir, "seat-runoff")
    seat.click("[data-fk=next]")
    seat.click("#confirm-btn")
    e(seat.locator(".voted")).to_be_visible()
    _vote_runoff(phone, ["c9", "c11"])
    for n, m in enumerate(members[2:]):  # the other tablets: 养老服务中心 and 学校食堂改造 by most
        _cast(store, m, ballot, ["c9", "c10"] if n < 8 else ["c11"])
    e(chair.locator(".progress-figure strong")).not_to_have_text("0")  # the tablets' votes reach the chair
    chair.locator(".live-actions").get_by_role("button", name="结束表决").click()
    chair.locator(".inline-confirm").get_by_role("button", name="结束表决").click()

    # the final list of both rounds, in order: the first round's 8, then the run-off's 2
    final = [*PROJECTS[:8], "养老服务中心", "学校食堂改造"]
    for page in (chair, display):
        block = page.locator(".final-list")
        e(block).to_contain_text("应选10项，入选10项")
        e(block.locator(".final-names li")).to_have_count(10)
        assert block.locator(".final-name").all_inner_texts() == final
    e(display.locator(".hall-final")).to_contain_text("县民政局")  # compactly: amount and unit
    e(chair.locator("#announcement")).to_contain_text("连同此前入选的8项，共入选10项")
    e(seat.locator(".announcement-text")).to_contain_text("共入选10项")
    e(chair.locator(f"[data-fk=runoff-{ballot}]")).to_have_count(0)
    shot(chair, shots_dir, "chair-final", full=True)
    shot(display, shots_dir, "display-final")
    shot(seat, shots_dir, "seat-final", full=True)
    shot(phone, shots_dir, "phone-final", full=True)
    assert console.unexpected() == []


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["1280x800", "390x844"])
def test_the_clerk_enters_each_candidates_details_and_paper(browser, console, sitting, shots_dir, tmp_path, viewport):
    """The clerk's selection form takes 投资额, 责任单位, 简介 and one of the item's papers per candidate;
    the ballot is stored with them (and without for a candidate left bare); the form fits a phone."""
    base, store, _ballot, _members = sitting
    e = expect()
    _c, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app", viewport=viewport)
    clerk.goto(base + "/clerk#agenda")
    title = f"2028年民生实事项目票决（{viewport['width']}）"
    clerk.locator("summary", has_text="添加议题").click()
    clerk.fill("#i-title", title)
    clerk.select_option("#i-kind", "selection")
    clerk.click("#add-item")
    item = clerk.locator(".clerk-item", has_text=title)
    pdf = tmp_path / "供水管网改造方案.pdf"
    pdf.write_bytes(PDF)
    item.locator("input[type=file]").set_input_files(str(pdf))
    item.get_by_role("button", name="上传", exact=True).click()
    e(item.get_by_role("link", name="供水管网改造方案.pdf")).to_be_visible()
    item.get_by_role("button", name="添加表决事项").click()
    e(clerk.locator("#bf-kind")).to_have_value("selection")
    clerk.fill("#bf-row-0-name", "城区供水管网改造")
    clerk.fill("#bf-row-0-amount", "1200万元")
    clerk.fill("#bf-row-0-responsible_unit", "县水利局")
    clerk.fill("#bf-row-0-summary", "改造老城区供水管网18公里")
    clerk.select_option("#bf-row-0-document_id", label="供水管网改造方案.pdf")
    clerk.fill("#bf-row-1-name", "农村公路提升")
    clerk.fill("#bf-max", "1")
    clerk.locator(".ballot-form").scroll_into_view_if_needed()
    assert clerk.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    clerk.locator(".ballot-form").screenshot(path=str(shots_dir / f"runoff-clerk-form-{viewport['width']}.png"))
    clerk.click("#bf-submit")
    e(clerk.locator(".ballot-form")).to_have_count(0)
    e(item).to_contain_text("未开始")  # the ballot is on the item
    with store.read() as s:
        it = s.scalar(select(models.AgendaItem).where(models.AgendaItem.title == title))
        ballot = s.scalar(select(models.Ballot).where(models.Ballot.item_id == it.id))
        doc = s.scalar(select(models.Document).where(models.Document.item_id == it.id))
        first, second = ballot.spec["candidates"]
    assert first == {"id": "c1", "name": "城区供水管网改造", "amount": "1200万元", "responsible_unit": "县水利局",
                     "summary": "改造老城区供水管网18公里", "document_id": str(doc.id)}
    assert second == {"id": "c2", "name": "农村公路提升"}
    assert console.unexpected() == []
