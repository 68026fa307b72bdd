"""A whole sitting in a real browser: the chair, the clerk, three member tablets, an observer and the hall
display, each in its own browser context, against the real server with the demo committee (15 members,
quorum 8, votes needed 8).

Sign-in, a resolution with a show-of-hands count for members without a tablet, a failed removal and its
re-vote, an evaluation, a selection created in the clerk console (named, vote changed before the close,
over-selection prevented), a tablet whose network drops mid-vote and whose confirmed vote goes through when
it is back, a tablet reloaded after voting, QR pairing, the speaker queue, the result on every screen, and
no console error anywhere."""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from conftest import seat_tablet, staff_login

pytestmark = pytest.mark.browser

TABLET = {"width": 1280, "height": 800}
LAPTOP = {"width": 1440, "height": 900}
HALL = {"width": 1920, "height": 1080}
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def expect():
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15000)
    return _expect


def staff(browser, console, base, path, user, app_id, viewport=LAPTOP):
    return staff_login(browser, console, base, path, user, app_id, viewport)


def tablet(browser, console, base, seat, name, viewport=TABLET):
    return seat_tablet(browser, console, base, seat, name, viewport)


def vote(page, code, *, confirm=True):
    page.click(f".vote-btn[data-code={code}]")
    if confirm:
        page.click("#confirm-btn")
        expect()(page.locator(".voted")).to_be_visible()


def answer_each(page, codes):
    """Appointment and evaluation ballots: one answer per row, then the confirm step."""
    rows = page.locator(".vote-row, .grade-grid tbody tr")
    for i, code in enumerate(codes):
        rows.nth(i).locator(f".vote-btn[data-code={code}]").click()
    page.click("[data-fk=next]")
    page.click("#confirm-btn")
    expect()(page.locator(".voted")).to_be_visible()


def chair_open(chair, title):
    row = chair.locator(".ballot-row", has_text=title)
    row.get_by_role("button", name="开始表决").click()
    expect()(chair.locator(".live-ballot")).to_be_visible()


def chair_close(chair, *, keyboard=False):
    button = chair.locator(".live-actions").get_by_role("button", name="结束表决")
    if keyboard:  # the console works without a mouse: Enter on the button, Enter on the confirmation
        button.focus()
        chair.keyboard.press("Enter")
        expect()(chair.locator(".inline-confirm button[data-autofocus]")).to_be_focused()
        chair.keyboard.press("Enter")
    else:
        button.click()
        chair.locator(".inline-confirm").get_by_role("button", name="结束表决").click()
    expect()(chair.locator(".closed-ballot")).to_be_visible()


def start_item(chair, title):
    chair.locator(".agenda-item", has_text=title).locator("[data-fk^=start-]").click()
    expect()(chair.locator("#current-title")).to_contain_text(title)


def enter_hands(clerk, counts, shot_to=None):
    for (question, option), n in counts.items():
        clerk.fill(f"#hands-{question}-{option}", str(n))
    clerk.click("#hands-check")
    expect()(clerk.locator(".inline-confirm")).to_contain_text("请再次核对")
    if shot_to:
        shot(clerk, *shot_to)
    clerk.click("#hands-confirm")
    expect()(clerk.locator(".card.hands .notice.ok")).to_be_visible()


UNLABELLED_JS = """() => {
  const named = (el) => (el.labels && el.labels.length) || el.getAttribute("aria-label")
    || el.getAttribute("aria-labelledby") || el.getAttribute("title");
  const out = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!named(el)) out.push(el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) out.push(el.outerHTML.slice(0, 120));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.getAttribute("alt")) out.push(img.outerHTML.slice(0, 120));
  }
  return out;
}"""


def unlabelled(page) -> list[str]:
    """Form controls without a label, buttons and links without a name, images without alt text."""
    return page.evaluate(UNLABELLED_JS)


def shot(page, folder: Path, name: str, *, top: bool = True) -> None:
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)  # let the last push settle before the picture
    page.evaluate("document.getElementById('toasts') && document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(folder / f"{name}.png"))


def test_whole_sitting(browser, live_server, console, shots_dir, tmp_path):
    base = live_server
    e = expect()
    chair_ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app")
    clerk_ctx, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app")
    display_ctx, display = staff(browser, console, base, "/display", "display", "hall", viewport=HALL)
    seats = {n: tablet(browser, console, base, str(n), name) for n, name in ((1, "王建国"), (2, "李秀英"), (3, "张伟"))}
    obs_ctx, observer = tablet(browser, console, base, "L1", "林晓东")
    s1, s2, s3 = (seats[n][1] for n in (1, 2, 3))

    # --- the clerk prepares: a PDF for item 1, and a selection item with a named ballot ---------------
    clerk.goto(base + "/clerk#agenda")
    item1 = clerk.locator(".clerk-item", has_text="预算调整方案")
    pdf = tmp_path / "预算调整方案.pdf"
    pdf.write_bytes(PDF)
    item1.locator("input[type=file]").set_input_files(str(pdf))
    item1.get_by_role("button", name="上传", exact=True).click()
    document_link = clerk.locator(".clerk-item", has_text="预算调整方案").get_by_role("link", name="预算调整方案.pdf")
    e(document_link).to_be_visible()

    clerk.locator("summary", has_text="添加议题").click()
    clerk.fill("#i-title", "2027年县级民生实事项目票决")
    clerk.select_option("#i-kind", "selection")
    clerk.click("#add-item")
    item4 = clerk.locator(".clerk-item", has_text="民生实事项目票决")
    e(item4).to_be_visible()
    item4.get_by_role("button", name="添加表决事项").click()
    e(clerk.locator("#bf-kind")).to_have_value("selection")
    clerk.fill("#bf-title", "民生实事项目票决（限选2项）")
    for i, name in enumerate(["城区学校扩建", "乡镇卫生院改造", "农村公路提档", "老旧小区改造"]):
        if i >= 2:
            clerk.click("#bf-add-row")
        clerk.fill(f"#bf-row-{i}-name", name)
    clerk.fill("#bf-max", "2")
    clerk.select_option("#bf-secret", "named")
    clerk.check("#bf-change")
    clerk.fill("#bf-timer", "300")
    clerk.locator(".ballot-form").scroll_into_view_if_needed()
    shot(clerk, shots_dir, "clerk-ballot-form", top=False)
    clerk.click("#bf-submit")
    e(item4).to_contain_text("民生实事项目票决（限选2项）")
    e(item4).to_contain_text("记名")

    # --- the chair opens the sitting; tablets sign in ----------------------------------------------------
    chair.get_by_role("button", name="宣布开会").click()
    e(chair.locator("#sitting-body .inline-confirm")).to_contain_text("无人签到，仍要开始会议？")
    chair.locator("#sitting-body .inline-confirm").get_by_role("button", name="仍要开始会议").click()
    e(chair.locator(".status-tag.st-sitting-open")).to_be_visible()
    for page in (s1, s2, s3, observer):
        page.click("#signin-btn")
        e(page.locator("#signin-btn")).to_have_count(0)
    e(chair.locator("#att-body .figure.em .figure-n")).to_have_text("3")
    e(chair.locator("#att-body .quorum.lost")).to_be_visible()
    e(chair.locator("#quorum-alert .alert")).to_contain_text("不足法定人数")

    # --- item 1: opening without quorum is refused and offers the override; the chair cancels -------------
    start_item(chair, "关于批准2026年县级预算调整方案的决议（草案）")
    e(s1.locator("#item")).to_contain_text("预算调整方案")
    chair_open_row = chair.locator(".ballot-row", has_text="预算调整方案")
    chair_open_row.get_by_role("button", name="开始表决").click()
    e(chair.locator(".inline-confirm")).to_contain_text("不足法定人数")
    e(chair.locator(".inline-confirm").get_by_role("button", name="仍然开始表决")).to_be_visible()
    chair.locator(".inline-confirm").get_by_role("button", name="取消").click()
    e(chair.locator(".inline-confirm")).to_have_count(0)

    # the member reads the paper in the in-page viewer
    s1.locator(".doc-list button").click()
    e(s1.locator("#doc-viewer .pdf-frame")).to_have_attribute("data", re.compile(r"^blob:"))
    s1.locator("#doc-viewer .viewer-close").click()
    e(s1.locator("#doc-viewer")).to_be_hidden()

    # speaker queue: a member asks, the chair gives the floor, then ends the speech
    s1.get_by_role("button", name="申请发言").click()
    e(chair.locator(".speaker-list")).to_contain_text("王建国")
    chair.locator(".speaker-list").get_by_role("button", name="准许发言").click()
    e(s1.locator(".speak-state.granted")).to_be_visible()
    chair.locator(".speaker-list").get_by_role("button", name="发言结束").click()
    e(chair.locator("#speakers-body")).to_contain_text("暂无发言申请")

    # the clerk records attendance: seven members present without a tablet, one on leave
    clerk.goto(base + "/clerk#live")
    for name in ["刘洋", "陈静", "杨帆", "赵敏", "黄志强", "周丽华", "吴刚"]:
        row = clerk.locator(".att-table tr", has_text=name)
        row.locator("select").select_option("present")
        row.get_by_role("button", name="保存").click()
        e(row.locator("select")).to_have_value("present")
        e(row).not_to_have_class(re.compile("dirty"))
    leave = clerk.locator(".att-table tr", has_text="徐明")
    leave.locator("select").select_option("leave")
    leave.locator("input").fill("因公出差")
    leave.get_by_role("button", name="保存").click()
    e(chair.locator("#att-body .figure.em .figure-n")).to_have_text("10")
    e(chair.locator("#att-body .quorum.ok")).to_contain_text("符合法定人数")
    e(chair.locator("#quorum-alert .alert")).to_have_count(0)
    e(display.locator("#hall-att .figure.em .figure-n")).to_have_text("10")

    # --- the resolution ----------------------------------------------------------------------------------
    chair_open(chair, "预算调整方案")
    e(chair.locator(".chip.live")).to_be_visible()
    for page in (s1, s2, s3):
        e(page.locator(".vote-btn[data-code=for]")).to_be_visible()
    e(s1.locator(".ballot-meta .needed")).to_have_text("需8票通过")
    box = s1.locator(".vote-btn[data-code=for]").bounding_box()
    assert box and box["height"] >= 64 and box["width"] >= 64
    e(observer.locator(".ballot.open")).to_contain_text("列席人员")
    e(observer.locator(".vote-btn")).to_have_count(0)
    e(display.locator(".hall-live")).to_be_visible()

    s1.click(".vote-btn[data-code=for]")
    e(s1.locator(".confirm-bar")).to_contain_text("赞成")
    shot(s1, shots_dir, "seat-voting")
    s1.click("#confirm-btn")
    e(s1.locator(".voted")).to_contain_text("已表决")
    # the receipt of a secret ballot: the hash of the encrypted ballot, its first 16 digits shown
    e(s1.locator(".receipt-code")).to_have_text(re.compile(r"^[0-9A-F]{4}( [0-9A-F]{4}){3} …$"))
    shot(s1, shots_dir, "seat-voted")
    vote(s2, "against")
    shot(observer, shots_dir, "observer")

    # seat 3 chooses, loses the network, confirms anyway: the vote goes out (same cast id) when it is back
    seat3_ctx = seats[3][0]
    s3.click(".vote-btn[data-code=for]")
    seat3_ctx.set_offline(True)
    e(s3.locator("#conn-banner")).to_be_visible()
    e(s3.locator("#conn-banner")).to_contain_text("网络连接中断")
    e(s3.locator(".confirm-bar")).to_contain_text("赞成")  # what was on screen stays
    s3.click("#confirm-btn")
    e(s3.locator("#sending-note")).to_contain_text("恢复后将自动提交")
    s3.wait_for_timeout(1500)
    seat3_ctx.set_offline(False)
    e(s3.locator(".voted")).to_be_visible()
    e(s3.locator("#conn-banner")).to_be_hidden()
    e(chair.locator(".progress-figure strong")).to_have_text("3")
    e(display.locator("#hall-progress .hall-stat-n")).to_contain_text("3")
    # a secret ballot: no names of non-voters, no per-choice counts anywhere before the close
    e(chair.locator(".progress-box")).to_contain_text("无记名表决")
    for page in (chair, display, observer, s1):
        assert "赞成2" not in page.inner_text("body")

    # the seven members without a tablet vote by show of hands; the clerk confirms the count twice
    enter_hands(clerk, {("main", "for"): 6, ("main", "against"): 0, ("main", "abstain"): 1},
                shot_to=(shots_dir, "clerk"))
    chair_close(chair)
    e(chair.locator(".closed-ballot .outcome")).to_have_text("通过")
    e(chair.locator("#announcement")).to_contain_text("应到15人，实到10人")
    e(chair.locator("#announcement")).to_contain_text("赞成8票，反对1票，弃权1票")
    e(chair.locator("#announcement")).to_contain_text("需8票，通过")
    e(display.locator(".hall-result .outcome.giant")).to_have_text("通过")
    e(display.locator(".hall-chart .needed-line").first).to_be_visible()
    for page in (s1, s2, s3, observer):
        e(page.locator(".ballot.closed .outcome")).to_have_text("通过")
    shot(chair, shots_dir, "chair")
    shot(display, shots_dir, "display-result")

    # a tablet reloaded after the close shows the same result and its receipt
    s2.reload()
    e(s2.locator(".ballot.closed .outcome")).to_have_text("通过")
    e(s2.locator(".ballot.closed .receipt-code")).to_be_visible()

    # --- item 2: removal before appointment; the removal fails, then passes on a re-vote ------------------------
    start_item(chair, "人事任免事项")
    chair_open(chair, "免去陈立新")
    e(s1.locator(".vote-row")).to_have_count(1)
    for page in (s1, s2):
        answer_each(page, ["for"])
    answer_each(s3, ["abstain"])
    chair_close(chair)
    e(chair.locator(".closed-ballot .outcome")).to_have_text("未获通过")
    e(chair.locator("#announcement")).to_contain_text("少于通过所需的8票")
    e(display.locator(".hall-result .outcome.giant")).to_have_text("未获通过")
    e(s1.locator(".ballot.closed .outcome")).to_have_text("未获通过")

    row = chair.locator(".ballot-row", has_text="免去陈立新")
    row.get_by_role("button", name="重新表决").click()
    form = chair.locator(".revote-form")
    form.get_by_role("button", name="重新表决").click()  # no reason given: the form asks for one
    e(chair.locator(".live-ballot .chip.warn")).to_have_count(0)
    form.locator(".revote-reason").fill("部分委员未能在计时内表决，重新表决")
    form.get_by_role("button", name="重新表决").click()
    e(chair.locator(".live-ballot .chip.warn")).to_have_text("第2轮")
    e(s1.locator(".ballot.open .chip.warn")).to_have_text("第2轮")
    for page in (s1, s2, s3):
        answer_each(page, ["for"])
    enter_hands(clerk, {("p1", "for"): 6, ("p1", "against"): 1, ("p1", "abstain"): 0})
    chair_close(chair, keyboard=True)
    e(chair.locator(".closed-ballot .outcome")).to_have_text("通过")
    e(chair.locator(".closed-ballot .eyebrow")).to_contain_text("第2轮")
    e(display.locator(".hall-result .outcome.giant")).to_have_text("通过")
    e(observer.locator(".ballot.closed .outcome")).to_have_text("通过")

    # --- item 3: the evaluation grid -------------------------------------------------------------------------
    start_item(chair, "满意度测评")
    chair_open(chair, "满意度测评")
    e(s1.locator(".grade-grid tbody tr")).to_have_count(3)
    for i, code in enumerate(["satisfied", "basic", "unsatisfied"]):
        s1.locator(".grade-grid tbody tr").nth(i).locator(f".vote-btn[data-code={code}]").click()
    shot(s1, shots_dir, "seat-evaluation")
    s1.click("[data-fk=next]")
    s1.click("#confirm-btn")
    e(s1.locator(".voted")).to_be_visible()
    answer_each(s2, ["satisfied", "satisfied", "basic"])
    answer_each(s3, ["basic", "satisfied", "satisfied"])
    chair_close(chair)
    e(chair.locator(".closed-ballot .outcome")).to_have_text("测评完成")
    e(chair.locator(".closed-ballot .result-table tbody tr")).to_have_count(3)
    e(display.locator(".hall-chart .kind-evaluation .bar-row")).to_have_count(3)
    e(s2.locator(".ballot.closed .result-table")).to_contain_text("县卫生健康局")
    shot(display, shots_dir, "display-evaluation")

    # --- item 4: the selection made in the clerk console ---------------------------------------------------------
    start_item(chair, "民生实事项目票决")
    chair_open(chair, "民生实事项目票决")
    e(chair.locator(".countdown.big")).to_have_text(re.compile(r"^0[45]:\d\d$"))
    chair.locator(".live-actions").get_by_role("button", name="延长60秒").click()
    e(chair.locator(".countdown.big")).to_have_text(re.compile(r"^0[56]:\d\d$"))
    e(s1.locator(".select-count")).to_contain_text("已选 0 / 2")
    # nothing chosen yet: the tablet says what confirming would mean (a blank ballot), not "all chosen"
    e(s1.locator(".submit-bar")).to_contain_text("空白票")
    e(s1.locator(".submit-bar")).not_to_contain_text("已全部选择")
    s1.click("#sel-c1")
    s1.click("#sel-c2")
    e(s1.locator(".select-count")).to_contain_text("已选 2 / 2")
    e(s1.locator("#sel-c3")).to_be_disabled()  # over-selection prevented
    e(s1.locator("#sel-c4")).to_be_disabled()
    shot(s1, shots_dir, "seat-selection")
    s1.click("[data-fk=next]")
    e(s1.locator(".confirm-bar")).to_contain_text("城区学校扩建")
    s1.click("#confirm-btn")
    e(s1.locator(".voted-choice")).to_contain_text("乡镇卫生院改造")
    # a named ballot that allows changing: the member changes the vote before the close
    s1.get_by_role("button", name="修改表决").click()
    s1.click("#sel-c2")
    s1.click("#sel-c3")
    s1.click("[data-fk=next]")
    s1.click("#confirm-btn")
    e(s1.locator(".voted-choice")).to_contain_text("农村公路提档")
    e(s1.locator(".voted-choice")).not_to_contain_text("乡镇卫生院改造")
    s2.click("#sel-c1")
    s2.click("[data-fk=next]")
    s2.click("#confirm-btn")
    e(s2.locator(".voted")).to_be_visible()
    # named ballot: the chair sees who has not voted, and reminds them
    e(chair.locator(".non-voters")).to_contain_text("张伟")
    e(chair.locator(".non-voters")).not_to_contain_text("李秀英")
    shot(chair, shots_dir, "chair-voting")
    chair.locator(".live-actions").get_by_role("button", name="提醒未表决人员").click()
    e(s3.locator("#remind")).to_contain_text("尚未表决")
    s3.click("#sel-c1")
    s3.click("#sel-c3")
    s3.click("[data-fk=next]")
    s3.click("#confirm-btn")
    e(s3.locator(".voted")).to_be_visible()
    chair_close(chair)
    e(chair.locator(".closed-ballot .outcome")).to_have_text("无人入选，名额空缺")
    e(chair.locator("#announcement")).to_contain_text("每票最多选2项")
    e(display.locator(".hall-chart .kind-selection .bar-row")).to_have_count(4)
    e(s3.locator(".ballot.closed .result-table")).to_contain_text("城区学校扩建")

    # --- the clerk's results, and pairing a tablet by QR link ---------------------------------------------------
    clerk.goto(base + "/clerk#results")
    e(clerk.locator(".result-card")).to_have_count(4)
    e(clerk.locator(".result-card", has_text="免去陈立新").locator(".round")).to_have_count(2)
    e(clerk.locator(".result-card", has_text="预算调整方案")).to_contain_text("含举手表决")
    shot(clerk, shots_dir, "clerk-results")
    # the printable result sheet, with the signature lines
    sheet_link = clerk.locator(".result-card", has_text="预算调整方案").get_by_role("link", name="签章结果单（PDF）")
    e(sheet_link).to_have_attribute("href", re.compile(r"^/api/ballots/\d+/rounds/1/sheet\.pdf$"))
    clerk.locator(".result-card", has_text="预算调整方案").get_by_role("button", name="网页打印").click()
    clerk.emulate_media(media="print")
    e(clerk.locator("#print-area")).to_be_visible()
    e(clerk.locator("#print-area")).to_contain_text("监票人")
    e(clerk.locator("#print-area .outcome")).to_have_text("通过")
    shot(clerk, shots_dir, "clerk-print")
    clerk.emulate_media(media="screen")
    clerk.goto(base + "/clerk#pairing")
    clerk.locator("tr", has_text="郭文华").get_by_role("button", name="生成二维码：郭文华").click()
    card = clerk.locator(".qr-card", has_text="郭文华")
    e(card.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    code = re.search(r"配对码 (\S+)", card.inner_text()).group(1)
    shot(clerk, shots_dir, "clerk-pairing")
    qr_ctx = browser.new_context(viewport=TABLET, locale="zh-CN")
    qr_page = console.watch(qr_ctx.new_page(), "seat L2")
    qr_page.goto(f"{base}/seat?pair={code}")
    e(qr_page.locator("#who")).to_contain_text("郭文华")
    e(qr_page.locator(".ballot.closed .outcome")).to_have_text("无人入选，名额空缺")
    assert "pair=" not in qr_page.url

    # every control has an accessible name, on every page (the clerk's sections are all built)
    for page in (chair, clerk, display, s1, observer, qr_page):
        assert unlabelled(page) == [], page.url

    # every screen in English too: the static texts, the labels of ballots.labels, no key left untranslated
    english_everywhere(base, chair, clerk, display, s1)

    assert console.unexpected() == [], "\n".join(console.unexpected())
    for ctx in (chair_ctx, clerk_ctx, display_ctx, obs_ctx, qr_ctx, *(c for c, _p in seats.values())):
        ctx.close()


def english_everywhere(base, chair, clerk, display, seat) -> None:
    e = expect()
    with urllib.request.urlopen(base + "/i18n/en.json") as r:
        keys = set(json.load(r)["messages"])
    for page in (chair, clerk, display, seat):
        page.click("#lang-switch")
        e(page.locator("html")).to_have_attribute("lang", "en")
    e(chair.locator("#att-h")).to_have_text("Attendance")
    e(chair.locator(".closed-ballot .outcome")).to_have_text("No place filled")
    e(chair.locator("#att-body .figure-l").nth(2)).to_have_text("On leave")
    e(seat.locator(".ballot.closed .outcome")).to_have_text("No place filled")
    e(seat.locator(".ballot.closed .chip").first).to_have_text("Selection")
    e(seat.locator(".page-name")).to_have_text("Seat tablet")
    e(display.locator(".hall-result .outcome.giant")).to_have_text("No place filled")
    e(display.locator(".hall-ballot-head .chip").first).to_have_text("Result")
    e(clerk.locator(".side-nav a[href='#results']")).to_have_text("Results")
    clerk.click(".side-nav a[href='#results']")
    e(clerk.locator(".result-card").first).to_contain_text("Round 1")
    e(clerk.locator(".result-card").first).to_contain_text("Passed")
    for page in (chair, clerk, display, seat):
        text = page.inner_text("body")
        assert [k for k in keys if k in text] == [], page.url
    for page in (chair, clerk, display, seat):
        page.click("#lang-switch")
        e(page.locator("html")).to_have_attribute("lang", "zh-CN")
    e(chair.locator("#att-h")).to_have_text("出席情况")
    e(seat.locator(".ballot.closed .outcome")).to_have_text("无人入选，名额空缺")


def test_index_links_every_page(browser, live_server, console):
    ctx = browser.new_context(viewport=LAPTOP)
    page = console.watch(ctx.new_page(), "index")
    page.goto(live_server + "/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    for href in ("/seat", "/chair", "/clerk", "/display"):
        expect()(page.locator(f"a[href='{href}']")).to_be_visible()
    page.click("#lang-switch")
    expect()(page.locator("h1")).to_have_text("Electronic voting")
    assert page.get_attribute("html", "lang") == "en"
    page.reload()
    expect()(page.locator("h1")).to_have_text("Electronic voting")  # the choice is remembered
    page.click("#lang-switch")
    assert console.unexpected() == []
    ctx.close()


GOOD_CSV = "姓名,身份,座位号,职务,任职日期\n赵一,组成人员,1,主任,2023-01-01\n钱二,列席,L1,副县长,2023-01-01\n"
BAD_CSV = ("姓名,身份,座位号,职务,任职日期\n赵一,组成人员,1,主任,2023-01-01\n钱二,组成人员,2,委员,2023-13-45\n"
           ",组成人员,3,委员,2023-01-01\n")


def test_clerk_roster_import_and_tablet_revocation(browser, live_server, console, shots_dir, tmp_path):
    """A new body, its roster imported from CSV after the preview shows the problems of a bad file;
    then a tablet of the demo committee revoked by the clerk goes back to the pairing screen."""
    base = live_server
    e = expect()
    clerk_ctx, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app")
    clerk.goto(base + "/clerk#roster")
    clerk.locator("summary", has_text="新建机构").click()
    clerk.fill("#body-name", "某区人大常委会")
    clerk.locator("#body-name").press("Enter")
    e(clerk.locator("#ctx-body option:checked")).to_have_text("某区人大常委会")
    bad = tmp_path / "名单.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    clerk.set_input_files("#roster-file", str(bad))
    clerk.click("#roster-check")
    problems = clerk.locator("#roster-problems tbody tr")
    e(problems).to_have_count(2)
    e(clerk.locator("#roster-problems")).to_contain_text("任职日期")
    e(clerk.locator("#roster-import")).to_be_disabled()
    clerk.locator("#import-title").scroll_into_view_if_needed()
    shot(clerk, shots_dir, "clerk-roster-import", top=False)
    good = tmp_path / "名单2.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    clerk.set_input_files("#roster-file", str(good))
    clerk.click("#roster-check")
    e(clerk.locator("#roster-problems")).to_have_count(0)
    clerk.click("#roster-import")
    e(clerk.locator("#people-title")).to_contain_text("共2人")
    e(clerk.locator("#sec-roster .data-table", has_text="钱二")).to_contain_text("列席")

    # back to the demo committee: a tablet is paired, then revoked
    clerk.select_option("#ctx-body", label="某县人大常委会")
    e(clerk.locator("#people-title")).to_contain_text("共17人")
    seat_ctx, seat = tablet(browser, console, base, "5", "陈静")
    clerk.goto(base + "/clerk#pairing")
    row = clerk.locator("#devices-table tr", has_text="陈静").filter(has_text="已配对")
    row.get_by_role("button", name="撤销").click()
    e(seat.locator("#pairing")).to_be_visible()
    e(seat.locator("#pairing .form-error")).to_contain_text("撤销配对")
    assert seat.evaluate("localStorage.getItem('biaojue.seat.token')") is None

    # someone types wrong PINs on seat 6 (from this machine, like the tablet below): the pairing panel
    # lists the seat, the clerk clears it, and the tablet pairs at once
    guesser = browser.new_context()
    csrf = guesser.request.get(base + "/api/session").json()["csrf_token"]
    codes = [guesser.request.post(base + "/api/pair", data={"body_id": 1, "seat": "6", "pin": f"{n:04d}"},
                                  headers={"X-CSRFToken": csrf}).status for n in range(7)]
    assert codes == [403] * 5 + [429] * 2, codes
    guesser.close()
    clerk.reload()
    lockouts = clerk.locator("#pin-lockouts")
    e(lockouts).to_contain_text("杨帆")
    e(lockouts).to_contain_text("错误5次，来自1个地址")
    lockouts.get_by_role("button", name="清除 杨帆").click()
    e(lockouts).to_have_count(0)
    seat6_ctx, _seat6 = tablet(browser, console, base, "6", "杨帆")
    assert console.unexpected() == [], "\n".join(console.unexpected())
    seat6_ctx.close()
    seat_ctx.close()
    clerk_ctx.close()
