"""Preparing next month's sitting from the clerk's console in a real browser (the real server, the demo
committee): last month's sitting copied with a new title and date, an agenda file imported after its
preview (a file with bad rows first: every problem listed by row, nothing importable), a ballot created
from a built-in template and its settings saved as a template of the body, and a two-person appointment
list turned into two ballots at once (合并表决 unticked), at a tablet's and a hall screen's size, with
screenshots. No console error anywhere."""
from __future__ import annotations

import pytest
from conftest import demo_server

pytestmark = pytest.mark.browser

PASSWORD = "clerk-demo-2026"
SIZES = {"1280x800": {"width": 1280, "height": 800}, "1920x1080": {"width": 1920, "height": 1080}}

# a request with the clerk's session (cookie and CSRF token), as the console sends it
API_JS = """async ([method, url, body]) => {
  const s = await (await fetch("/api/session", { credentials: "same-origin" })).json();
  const r = await fetch(url, { method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": s.csrf_token },
    body: method === "GET" ? undefined : JSON.stringify(body) });
  return [r.status, await r.json()];
}"""


def expect():
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15000)
    return _expect


def call(page, method: str, url: str, body=None):
    status, data = page.evaluate(API_JS, [method, url, body])
    assert status < 300, (url, status, data)
    return data


def clerk_page(browser, console, base, viewport):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = console.watch(ctx.new_page(), "clerk")
    page.goto(base + "/clerk")
    page.fill("#login-user", "clerk")
    page.fill("#login-pass", PASSWORD)
    page.click(".login-card button[type=submit]")
    expect()(page.locator("#clerk-app")).to_be_visible()
    return ctx, page


def last_month(page, label: str) -> int:
    """Last month's sitting, as the clerk prepared it: a resolution (named, with a timer), an evaluation."""
    body = call(page, "GET", "/api/bodies")["bodies"][0]["id"]
    sid = call(page, "POST", f"/api/bodies/{body}/sittings", {"title": f"第三十五次会议（{label}）",
                                                              "date": "2026-11-20", "place": "第一会议室"})["id"]
    item = call(page, "POST", f"/api/sittings/{sid}/items", {"title": "关于县级财政决算的决议"})["id"]
    call(page, "POST", f"/api/items/{item}/ballots", {"spec": {"kind": "resolution", "question": "是否同意"},
                                                      "secret": False, "timer_seconds": 120})
    item = call(page, "POST", f"/api/sittings/{sid}/items", {"title": "部门工作满意度测评", "kind": "evaluation"})["id"]
    call(page, "POST", f"/api/items/{item}/ballots", {"spec": {"kind": "evaluation", "objects": [
        {"id": "o1", "name": "县民政局"}, {"id": "o2", "name": "县司法局"}]}})
    return sid


def shot(page, shots_dir, name):
    path = shots_dir / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


BAD_AGENDA = "序号,议题,类型,表决方式\n1,关于甲的决定,决议,纸质\n1,,决议,\n".encode()
AGENDA = """第三十六次会议议程
序号,议题,类型,表决方式,记名
1,关于召开县第十八届人民代表大会第六次会议的决定,决议,电子表决,记名
2,听取县政府关于农村饮水安全工作情况的报告,报告,,
""".encode()


def import_agenda(page, shots_dir, size, tmp_path, items):
    """A file with bad rows first (listed, nothing importable), then the right one, looked at and imported."""
    bad, good = tmp_path / "议程（有误）.csv", tmp_path / "议程.csv"
    bad.write_bytes(BAD_AGENDA)
    good.write_bytes(AGENDA)
    page.click("#agenda-import-title")

    def check(path, table, texts):
        page.set_input_files("#agenda-file", str(path))
        page.click("#agenda-check")
        rows = page.locator(f"{table} tbody tr")
        expect()(rows).to_have_count(len(texts))
        for i, text in enumerate(texts):
            expect()(rows.nth(i)).to_contain_text(text)

    check(bad, "#agenda-problems", ["未知表决方式“纸质”", "请填写议题名称", "序号1与第2行重复"])
    expect()(page.locator("#agenda-import")).to_be_disabled()
    shot(page, shots_dir, f"agenda-problems-{size}")
    check(good, "#agenda-rows", ["电子表决 · 记名", "不表决"])
    expect()(page.locator("#agenda-problems")).to_have_count(0)
    shot(page, shots_dir, f"agenda-preview-{size}")
    count = items.count()
    page.click("#agenda-import")
    expect()(page.locator(".toast").last).to_contain_text("已导入2个议题、1项表决")
    expect()(items).to_have_count(count + 2)
    expect()(items.nth(count)).to_contain_text("关于召开县第十八届人民代表大会第六次会议的决定")
    expect()(items.nth(count)).to_contain_text("记名")


def ballot_from_template(page, shots_dir, size, item_id, item):
    """The 4-grade evaluation template fills the form; its settings saved as the body's own template."""
    page.click(f"#add-ballot-{item_id}")
    page.select_option("#bf-template", label="满意度测评 — 4档（含不了解）")
    expect()(page.locator("#bf-kind")).to_have_value("evaluation")
    expect()(page.locator("#bf-unknown")).to_be_checked()
    page.fill("#bf-row-0-name", "县民政局")
    page.fill("#bf-row-1-name", "县司法局")
    page.fill("#bf-tpl-name", f"两局测评（{size}）")
    page.click("#bf-tpl-save")
    expect()(page.locator(".toast").last).to_contain_text("模板已保存")
    expect()(page.locator("#bf-row-1-name")).to_have_value("县司法局")  # the form keeps what was typed
    shot(page, shots_dir, f"template-form-{size}")
    page.click("#bf-submit")
    expect()(page.locator(".toast").last).to_contain_text("表决事项已保存")
    expect()(item.locator("li", has_text="满意度测评")).to_have_count(2)
    page.click("#templates-title")
    saved = page.locator("#templates-table tbody tr", has_text=f"两局测评（{size}）")
    expect()(saved).to_contain_text("含2项")
    expect()(page.locator("#templates-table tbody tr", has_text="任命 — 逐人 — 无记名")).to_contain_text("内置")
    saved.get_by_role("button").click()
    expect()(saved).to_have_count(0)
    # a ballot of the agenda saved as a template: its settings (named, 120 s), not its title
    page.select_option("#tpl-from-ballot", label="关于县级财政决算的决议")
    page.fill("#tpl-from-name", f"决议 — 记名 — 限时（{size}）")
    page.click("#tpl-from-save")
    from_ballot = page.locator("#templates-table tbody tr", has_text=f"决议 — 记名 — 限时（{size}）")
    expect()(from_ballot).to_contain_text("记名 · 电子表决 · 限时120秒")
    shot(page, shots_dir, f"templates-{size}")


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory):
    """A demo server of its own: the sittings, templates and ballots this module adds stay out of the
    session server that the whole-sitting test drives."""
    with demo_server(tmp_path_factory.mktemp("copying")) as url:
        yield url


@pytest.mark.parametrize("size", sorted(SIZES))
def test_clerk_copies_last_months_sitting_imports_an_agenda_uses_a_template_and_votes_a_list_person_by_person(
        browser, console, copy_server, shots_dir, size, tmp_path):
    ctx, page = clerk_page(browser, console, copy_server, SIZES[size])
    source = last_month(page, size)
    page.reload()
    expect()(page.locator("#clerk-app")).to_be_visible()
    page.goto(copy_server + "/clerk#agenda")

    # copy last month's sitting with a new title and date
    page.click("#copy-title-h")
    page.select_option("#copy-from", str(source))
    page.fill("#copy-title", f"第三十六次会议（{size}）")
    page.fill("#copy-date", "2026-12-20")
    shot(page, shots_dir, f"copy-form-{size}")
    page.click("#copy-submit")
    expect()(page.locator("#items-title")).to_contain_text(f"第三十六次会议（{size}）")
    items = page.locator(".clerk-item")
    expect()(items).to_have_count(2)
    expect()(items.nth(0)).to_contain_text("关于县级财政决算的决议")
    expect()(items.nth(0)).to_contain_text("120")
    expect()(items.nth(1)).to_contain_text("部门工作满意度测评")
    sittings = page.locator("#sittings-title + table tbody tr", has_text=f"第三十六次会议（{size}）")
    expect()(sittings).to_contain_text("未开会")

    sitting = page.evaluate("new URL(location.href).searchParams.get('sitting')")
    agenda = call(page, "GET", f"/api/sittings/{sitting}/agenda")["items"]
    ballot_from_template(page, shots_dir, size, agenda[1]["id"], items.nth(1))
    import_agenda(page, shots_dir, size, tmp_path, items)

    # an appointment list of two persons, 合并表决 left unticked: two ballots
    page.locator("#items-title").locator("xpath=..").locator(".form-details > summary").click()
    page.fill("#i-title", "人事任免事项")
    page.select_option("#i-kind", "appointment")
    page.click("#add-item")
    expect()(items).to_have_count(5)
    item_id = call(page, "GET", f"/api/sittings/{sitting}/agenda")["items"][4]["id"]
    page.click(f"#add-ballot-{item_id}")
    page.fill("#bf-row-0-name", "许文涛")
    page.fill("#bf-row-0-post", "县教育局局长")
    page.click("#bf-add-row")
    page.fill("#bf-row-1-name", "周敏")
    page.fill("#bf-row-1-post", "县民政局局长")
    expect()(page.locator("#bf-combined")).not_to_be_checked()
    expect()(page.locator("#bf-per-person")).to_contain_text("共2项")
    page.check("#bf-combined")  # voted at once: no longer one per person (until unticked again)
    expect()(page.locator("#bf-per-person")).to_have_count(0)
    page.uncheck("#bf-combined")
    expect()(page.locator("#bf-per-person")).to_be_visible()
    expect()(page.locator("#bf-row-1-name")).to_have_value("周敏")
    shot(page, shots_dir, f"appointment-list-{size}")
    page.click("#bf-submit")
    expect()(page.locator(".toast").last).to_contain_text("已创建2项表决")
    third = items.nth(4)
    expect()(third).to_contain_text("任命许文涛为县教育局局长")
    expect()(third).to_contain_text("任命周敏为县民政局局长")
    expect()(page.locator(".form-error:not(:empty)")).to_have_count(0)
    shot(page, shots_dir, f"appointment-ballots-{size}")
    assert console.unexpected() == []
    ctx.close()
