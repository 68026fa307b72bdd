"""A congress plenary's attendance in the clerk's console in a real browser (the real server, its own
demo database): a plenary body with 3 delegations (代表团) imported from a roster file, its sitting
opened, and the attendance screen lists the deputies by delegation, each under its 应到 / 实到 / 请假 /
缺席, named 代表 (never 组成人员); a change of attendance moves the counts of its delegation. At 1280×800,
with screenshots. No console error."""
from __future__ import annotations

import pytest
from conftest import demo_server
from test_browser_copying import call, clerk_page, expect

pytestmark = pytest.mark.browser

DELEGATIONS = ["城关镇代表团", "河西乡代表团", "东山镇代表团"]
ROSTER = "姓名,身份,座位号,代表团\n" + "".join(
    f"代表{i:02d},代表,{i},{DELEGATIONS[(i - 1) // 4]}\n" for i in range(1, 13)) + "县长甲,列席,L1,\n"

UPLOAD_JS = """async ([url, text]) => {
  const s = await (await fetch("/api/session", { credentials: "same-origin" })).json();
  const form = new FormData();
  form.append("file", new Blob([text], { type: "text/csv" }), "代表名单.csv");
  const r = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": s.csrf_token },
    body: form });
  return [r.status, await r.json()];
}"""


@pytest.fixture(scope="module")
def plenary_server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("plenary-server")) as url:
        yield url


def test_the_clerk_sees_attendance_by_delegation(browser, console, plenary_server, shots_dir):
    base = plenary_server
    ctx, page = clerk_page(browser, console, base, {"width": 1280, "height": 800})

    body = call(page, "POST", "/api/bodies", {"name": "某县人民代表大会", "preset": "congress_plenary"})["id"]
    status, out = page.evaluate(UPLOAD_JS, [f"/api/bodies/{body}/roster/import", ROSTER])
    assert status == 201 and out["imported"] == 13, out
    people = {p["name"]: p for p in call(page, "GET", f"/api/bodies/{body}/people")["people"]}
    sitting = call(page, "POST", f"/api/bodies/{body}/sittings", {"title": "县第十八届人民代表大会第五次会议",
                                                                  "date": "2026-12-20", "place": "县会议中心"})["id"]
    call(page, "POST", f"/api/sittings/{sitting}/open", {"confirm": True})
    for name, status_, reason in [("代表01", "leave", "病假"), ("代表06", "video", ""), ("代表09", "present", ""),
                                  ("代表10", "present", "")]:
        call(page, "PUT", f"/api/sittings/{sitting}/attendance/{people[name]['id']}",
             {"status": status_, "reason": reason})

    page.reload()
    expect()(page.locator("#clerk-app")).to_be_visible()
    page.select_option("#ctx-body", str(body))
    page.select_option("#ctx-sitting", str(sitting))
    page.goto(base + "/clerk#live")
    table = page.locator(".att-table")
    groups = table.locator("tr.att-group")
    expect()(groups).to_have_count(4)  # three delegations, then the observers
    expected = [("城关镇代表团", "应到4人，实到0人（视频0人），请假1人，缺席3人"),
                ("河西乡代表团", "应到4人，实到1人（视频1人），请假0人，缺席3人"),
                ("东山镇代表团", "应到4人，实到2人（视频0人），请假0人，缺席2人")]
    for i, (name, counts) in enumerate(expected):
        expect()(groups.nth(i)).to_contain_text(name)
        expect()(groups.nth(i)).to_contain_text(counts)
    expect()(groups.nth(3)).to_contain_text("列席人员")
    # each delegation's deputies under it, in its own row group
    first = table.locator("tbody.att-delegation").nth(0)
    expect()(first.locator("tr:not(.att-group)")).to_have_count(4)
    expect()(first).to_contain_text("代表01")
    expect()(first).to_contain_text("代表")
    expect()(table).not_to_contain_text("组成人员")
    expect()(page.locator("#sec-live")).not_to_contain_text("组成人员")
    page.screenshot(path=str(shots_dir / "clerk-attendance-delegations-1280x800.png"), full_page=False)
    page.locator(".att-table").scroll_into_view_if_needed()
    page.screenshot(path=str(shots_dir / "clerk-attendance-delegations-1280x800-full.png"), full_page=True)

    # the clerk records 代表02 on leave: the first delegation's counts follow
    pid = people["代表02"]["id"]
    page.select_option(f"#att-status-{pid}", "leave")
    page.fill(f"#att-reason-{pid}", "因公外出")
    page.click(f"[data-fk=att-save-{pid}]")
    expect()(groups.nth(0)).to_contain_text("应到4人，实到0人（视频0人），请假2人，缺席2人")
    assert console.unexpected() == []
    ctx.close()
