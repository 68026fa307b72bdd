"""Correcting what was entered, from the clerk's console in a real browser (a demo server of its own for
each screen size): the sitting's title, an item's title, an appointment ballot's title and method
through the ballot form, the agenda reordered by dragging and by the keyboard (Alt+↓, the focus staying
on the moved item), a person's name, an item deleted; then, with the sitting open and item 2 current, its
title corrected and its paper uploaded, replaced and deleted. A second clerk console and a seat tablet
show each change without a reload. A correction of a ballot the chair has opened meanwhile is refused
with the server's Chinese message and changes nothing; the controls for it are gone. No console error
besides that refusal."""
from __future__ import annotations

import pytest
from conftest import demo_server
from test_browser_copying import call
from test_browser_sitting import PDF, expect, shot, staff, tablet

pytestmark = pytest.mark.browser

SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}
SECOND = {"width": 1280, "height": 800}
NO_RELOAD = "window.__same_page = 'yes'"

def saved(page, button, text):
    """Press ``button``; the console confirms with ``text`` (a success toast)."""
    page.click(button)
    expect()(page.locator(".toast.ok").last).to_contain_text(text)


def shows(locator, *texts):
    for text in texts:
        expect()(locator).to_contain_text(text)


@pytest.fixture
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("editing")) as url:
        yield url


def items_of(page):
    return page.locator(".clerk-items > .clerk-item")


def titles(page):
    return page.locator(".clerk-items > .clerk-item h3")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_clerk_corrects_the_agenda_and_every_console_follows(browser, console, server, shots_dir, size, tmp_path):
    e = expect()
    viewport = SIZES[size]
    _a_ctx, a = staff(browser, console, server, "/clerk", "clerk", "clerk-app", viewport=viewport)
    _b_ctx, b = staff(browser, console, server, "/clerk", "clerk", "clerk-app", viewport=SECOND)
    _s_ctx, seat = tablet(browser, console, server, "3", "张伟", viewport=viewport)
    sitting = call(a, "GET", "/api/bodies")["bodies"][0]["id"]
    sitting = call(a, "GET", f"/api/bodies/{sitting}/sittings")["sittings"][0]["id"]
    agenda = call(a, "GET", f"/api/sittings/{sitting}/agenda")["items"]
    i1, i2, i3 = (i["id"] for i in agenda)
    remove, appoint = (x["id"] for x in agenda[1]["ballots"])
    for page in (a, b):
        page.goto(server + "/clerk#agenda")
        e(items_of(page)).to_have_count(3)
    for page in (a, b, seat):
        page.evaluate(NO_RELOAD)

    # the sitting's title
    a.click(f"#edit-sitting-{sitting}")
    a.fill("#se-title", "县第十八届人大常委会第三十六次会议（更正）")
    shot(a, shots_dir, f"edit-sitting-{size}", top=False)
    saved(a, "#se-save", "会议信息已修改")
    for page in (a, b, seat):
        e(page.locator("#top-title")).to_contain_text("第三十六次会议（更正）")
    e(b.locator("#sittings-title + table tbody")).to_contain_text("第三十六次会议（更正）")
    e(b.locator("#items-title")).to_contain_text("第三十六次会议（更正）")

    # an item's title
    a.click(f"#edit-item-{i1}")
    a.fill(f"#ie-title-{i1}", "关于批准2026年县级预算调整方案的决议")
    saved(a, f"#ie-save-{i1}", "议题已修改")
    e(b.locator(f"#item-{i1} h3")).to_have_text("关于批准2026年县级预算调整方案的决议")

    # an appointment ballot, through the ballot form prefilled
    a.click(f"#edit-ballot-{appoint}")
    e(a.locator("#bf-heading")).to_have_text("修改表决")
    e(a.locator("#bf-kind")).to_have_value("appointment")
    e(a.locator("#bf-title")).to_have_value("任命许文涛为县教育局局长")
    e(a.locator("#bf-row-0-name")).to_have_value("许文涛")
    e(a.locator("#bf-template")).to_have_count(0)
    a.fill("#bf-title", "任命许文涛同志为县教育局局长")
    a.select_option("#bf-method", "hands")
    e(a.locator("#bf-rule option").first).to_have_text("保持现有设定（赞成票超过全体应到人数的1/2）")
    a.select_option("#bf-rule", "custom")  # the rule override: at least two thirds of those present
    a.select_option("#bf-th-strict", "inclusive")
    a.select_option("#bf-th-base", "present")
    a.select_option("#bf-th-fraction", "2/3")
    e(a.locator("#bf-title")).to_have_value("任命许文涛同志为县教育局局长")  # kept through the redraw
    shot(a, shots_dir, f"edit-ballot-{size}", top=False)
    saved(a, "#bf-submit", "表决已修改")
    shows(b.locator(f"[data-ballot='{appoint}']"), "任命许文涛同志为县教育局局长", "举手")
    stored = call(a, "GET", f"/api/sittings/{sitting}/agenda")["items"][1]["ballots"][1]
    assert (stored["title"], stored["method"], stored["spec"]["persons"][0]["name"]) == \
        ("任命许文涛同志为县教育局局长", "hands", "许文涛")
    assert stored["rule"]["threshold"] == {"base": "present", "fraction": "2/3", "strict": False}

    # reordering: item 3 dragged onto item 2 (dropped near its end, both on screen), then Alt+↑ on it
    # and its ↓ button: the focus stays on the moved item
    a.locator(f"#move-{i3}").scroll_into_view_if_needed()
    box = a.locator(f"#item-{i2}").bounding_box()
    a.drag_and_drop(f"#move-{i3}", f"#item-{i2}", target_position={"x": 30, "y": box["height"] - 8})
    e(a.locator(".toast.ok").last).to_contain_text("已移至第2项")
    for page in (a, b):
        e(titles(page).nth(1)).to_contain_text("满意度测评")
    a.focus(f"#move-{i3}")
    a.keyboard.press("Alt+ArrowUp")
    e(a.locator(".toast.ok").last).to_contain_text("已移至第1项")
    for page in (a, b):
        e(titles(page).nth(0)).to_contain_text("满意度测评")
        e(titles(page).nth(1)).to_contain_text("预算调整方案")
    e(a.locator(f"#move-{i3}")).to_be_focused()
    shot(a, shots_dir, f"edit-reordered-{size}", top=False)
    a.click(f"#down-{i3}")  # the arrow buttons move it too, and keep the focus on it
    for page in (a, b):
        e(titles(page).nth(1)).to_contain_text("满意度测评")
    e(a.locator(f"#item-{i3} :focus")).to_have_count(1)
    assert [i["id"] for i in call(a, "GET", f"/api/sittings/{sitting}/agenda")["items"]] == [i1, i3, i2]

    # an item deleted, after its confirmation
    a.click(f"#delete-item-{i3}")
    saved(a, f"#delete-item-{i3}-yes", "议题已删除")
    for page in (a, b):
        e(items_of(page)).to_have_count(2)
        e(titles(page).nth(1)).to_contain_text("人事任免事项")

    # a person's name, in the roster
    person = call(a, "GET", f"/api/bodies/{call(a, 'GET', '/api/bodies')['bodies'][0]['id']}/people")["people"][1]
    for page in (a, b):
        page.evaluate("location.hash = '#roster'")
    a.click(f"#edit-person-{person['id']}")
    e(a.locator("#pe-name")).to_have_value(person["name"])
    a.fill("#pe-name", "李秀英（更正）")
    a.fill("#pe-title", "常务副主任")
    shot(a, shots_dir, f"edit-person-{size}", top=False)
    saved(a, "#pe-save", "人员信息已修改")
    shows(b.locator(f"tr[data-person='{person['id']}']"), "李秀英（更正）", "常务副主任")

    # the chair opens the sitting and takes up item 2: its title and papers are corrected on the tablet too
    _c_ctx, chair = staff(browser, console, server, "/chair", "chair", "chair-app", viewport=SECOND)
    call(chair, "POST", f"/api/sittings/{sitting}/open", {"confirm": True})
    call(chair, "POST", f"/api/items/{i2}/start", {})
    for page in (a, b):
        page.evaluate("location.hash = '#agenda'")
    e(seat.locator(".item-title")).to_have_text("人事任免事项")
    e(a.locator(f"#edit-sitting-{sitting}")).to_be_visible()  # open, nothing voted yet: still correctable
    a.click(f"#edit-item-{i2}")
    a.fill(f"#ie-title-{i2}", "人事任免事项（教育局）")
    a.click(f"#ie-save-{i2}")
    for page in (b,):
        e(page.locator(f"#item-{i2} h3")).to_have_text("人事任免事项（教育局）")
    e(seat.locator(".item-title")).to_have_text("人事任免事项（教育局）")

    first, second = tmp_path / "任免说明.pdf", tmp_path / "任免说明（修订）.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF.replace(b"595 842", b"842 595"))
    a.set_input_files(f"#doc-file-{i2}", str(first))
    a.locator(f"#item-{i2} .inline-form button[type=submit]").click()
    e(a.locator(".toast.ok").last).to_contain_text("文件已上传")
    e(seat.locator(".doc-list")).to_contain_text("任免说明.pdf")
    doc = call(a, "GET", f"/api/sittings/{sitting}/agenda")["items"][1]["documents"][0]["id"]
    a.set_input_files(f"#doc-replace-{doc}", str(second))
    e(a.locator(".toast.ok").last).to_contain_text("文件已更换")
    for page in (a, b, seat):
        e(page.locator(".doc-list")).to_contain_text("任免说明（修订）.pdf")
    shot(a, shots_dir, f"edit-document-{size}")
    a.click(f"#delete-doc-{doc}")
    saved(a, f"#delete-doc-{doc}-yes", "文件已删除")
    for page in (a, b):
        e(page.locator(f"#item-{i2} .doc-list")).to_have_count(0)
    e(seat.locator(".doc-list li")).to_have_count(0)

    # a correction refused: the chair opens the ballot while the clerk is correcting it
    a.click(f"#edit-ballot-{remove}")
    a.fill("#bf-title", "免去陈立新同志的县教育局局长职务")
    call(chair, "POST", f"/api/ballots/{remove}/open", {"override_quorum": True})
    e(b.locator(f"#edit-ballot-{remove}")).to_have_count(0)
    e(b.locator(f"#edit-ballot-{appoint}")).to_be_visible()  # the other ballot of the item is not opened
    e(b.locator(f"#edit-item-{i2}")).to_have_count(0)
    e(b.locator(f"#move-{i2}")).to_have_count(0)
    e(b.locator(f"#edit-sitting-{sitting}")).to_have_count(0)
    a.click("#bf-submit")
    e(a.locator(".ballot-form .form-error")).to_contain_text("已经开始，不能再修改或删除")
    e(a.locator(".toast.error").last).to_contain_text("已经开始，不能再修改或删除")
    e(a.locator("#bf-title")).to_have_value("免去陈立新同志的县教育局局长职务")  # the form keeps what was typed
    shot(a, shots_dir, f"edit-refused-{size}", top=False)
    stored = call(a, "GET", f"/api/sittings/{sitting}/agenda")["items"][1]["ballots"][0]
    assert stored["title"] == "免去陈立新的县教育局局长职务"
    a.get_by_role("button", name="取消").last.click()
    e(a.locator(f"#edit-ballot-{remove}")).to_have_count(0)
    a.evaluate("location.hash = '#roster'")  # the next correction that succeeds takes the old error away
    a.click(f"#edit-person-{person['id']}")
    a.fill("#pe-seat", "33")
    saved(a, "#pe-save", "人员信息已修改")
    e(a.locator(".toast.error")).to_have_count(0)
    e(b.locator(f"tr[data-person='{person['id']}'] td").first).to_have_text("33")
    for page in (a, b, seat):
        assert page.evaluate("window.__same_page") == "yes"
    assert [x for x in console.unexpected() if "status of 409" not in x] == []
