"""Every screen fits its device, in a real browser against the real server (the sitting of ``hall``):
the hall display at 1920×1080 is never taller than the screen and nothing on it overflows its box or is
too small or faint to read from the back of the hall, for a 票决 of ten long-named projects, a plenary's
15-choose-10 (more than the display charts: a table), a 测评 of eight departments and a combined
appointment of three persons, open and closed."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import DEMO_PIN as PIN
from hall import choices, hall_sitting
from layout import broken_words, faint_fills, hard_to_read, overflowing, page_height
from support.env import missing
from support.polling import wait_for
from test_browser_sitting import HALL, LAPTOP, TABLET, answer_each, chair_close, expect, shot, staff

pytestmark = pytest.mark.browser

# The hall is read from its back row: no text under 20 px on a 1920-px screen, and WCAG's AAA contrast
# for large text (4.5:1) at the least.
HALL_MIN_PX = 20
HALL_MIN_CONTRAST = 4.5


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    with hall_sitting(tmp_path_factory.mktemp("hall")) as h:
        yield h


def hall_problems(display) -> list[str]:
    """Why the display does not fit the hall: taller than the screen, an overflowing box, text too small
    or too faint (the operator's tools at the bottom excepted)."""
    display.wait_for_timeout(400)
    problems = [] if page_height(display) <= HALL["height"] else [f"the page is {page_height(display)} px tall"]
    problems += overflowing(display, "#hall")
    for part in (".hall-head", "#hall-att", "#hall-item", "#hall-ballot"):
        problems += hard_to_read(display, part, min_size=HALL_MIN_PX, min_contrast=HALL_MIN_CONTRAST,
                                 skip=".hall-tools")
    return problems + faint_fills(display, "#hall-ballot")


@pytest.mark.parametrize("name", ["selection", "plenary_selection", "evaluation", "appointment"])
def test_the_hall_display_fits_1920_by_1080(browser, console, hall, shots_dir, name):
    e = expect()
    ctx, display = staff(browser, console, hall.url, "/display", "display", "hall", viewport=HALL)
    hall.open(name)
    e(display.locator(".hall-live")).to_be_visible()
    shot(display, shots_dir, f"display-{name}-open")
    problems = [f"open: {p}" for p in hall_problems(display)]
    track = display.locator("#hall-progress .progress-track").bounding_box()
    if not (track and track["height"] <= 40 and track["width"] >= 8 * track["height"]):
        problems.append(f"the progress bar is not a bar: {track}")
    hall.cast(name, choices(name))
    hall.close(name)
    e(display.locator(".hall-result")).to_be_visible()
    shot(display, shots_dir, f"display-{name}-result")
    problems += [f"closed: {p}" for p in hall_problems(display)]
    assert problems == [], "\n".join(problems)
    assert console.unexpected() == [], console.unexpected()
    ctx.close()


def sheet_text(pdf: bytes) -> str:
    """The text of a sheet (pdftotext, from poppler-utils, which ``make test`` installs)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        missing("pdftotext (poppler-utils) is not installed")
    return subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_show_of_hands_in_its_own_words(browser, console, hall, shots_dir):
    """A ballot by show of hands alone: the chair waits for the clerk's count (no tablets to count, nobody
    to remind, no time to extend), closes once it is in; the announcement, the screens and the sheet say
    未表决 (never 未按表决器) and never call it 无记名."""
    e = expect()
    chair_ctx, chair = staff(browser, console, hall.url, "/chair", "chair", "chair-app", viewport=LAPTOP)
    display_ctx, display = staff(browser, console, hall.url, "/display", "display", "hall", viewport=HALL)
    hall.open("hands")
    live = chair.locator(".live-ballot")
    e(live.locator(".hands-wait")).to_have_text("举手表决 — 等待工作人员录入")
    e(live).not_to_contain_text("已表决")
    e(live.get_by_role("button", name="提醒未表决人员")).to_have_count(0)
    e(live.get_by_role("button", name="延长60秒")).to_have_count(0)
    e(live.get_by_role("button", name="结束表决")).to_be_disabled()
    e(live.locator(".chips")).to_contain_text("举手表决")
    e(live.locator(".chips")).not_to_contain_text("无记名")
    e(display.locator(".hall-ballot-head .chips")).not_to_contain_text("无记名")
    shot(chair, shots_dir, "chair-hands-waiting")
    hall.hands("hands", {"main": {"for": 9, "against": 1, "abstain": 1}}, 11)
    e(live.locator(".hands-wait")).to_have_text("举手表决结果已录入，可以结束表决")
    chair_close(chair)
    hall.open_now = None
    announcement = chair.locator("#announcement")
    e(announcement).to_contain_text("赞成9票，反对1票，弃权1票，未表决1人。需8票，通过。")
    for page in (chair, display):
        text = page.inner_text("body")
        assert "未按表决器" not in text and "无记名" not in text, page.url
    e(chair.locator(".closed-ballot .bar-label", has_text="未表决")).to_be_visible()
    shot(chair, shots_dir, "chair-hands-closed")
    shot(display, shots_dir, "display-hands-result")
    sheet = sheet_text(hall.sheet("hands"))
    assert "未表决" in sheet and "未按表决器" not in sheet and "无记名" not in sheet, sheet
    assert "公开举手" in sheet
    assert console.unexpected() == [], console.unexpected()
    chair_ctx.close()
    display_ctx.close()


# The sizes a seat is used at: the 1280×800 tablet, the same tablet upright, a 390-px and a 360-px phone.
SEAT_SIZES = {"tablet": TABLET, "portrait": {"width": 800, "height": 1280}, "phone": {"width": 390, "height": 844},
              "small-phone": {"width": 360, "height": 740}}


# Running text, where Chinese may end a line between any two characters (the agenda's item titles too).
RUNNING_TEXT = ".announcement-text, .muted, .notice p, .seat-agenda .agenda-title"


def words_broken_at_every_size(page, words, shots_dir, stage) -> list[str]:
    """The words broken across lines at each seat size (a picture of each size too)."""
    problems = []
    for size, viewport in SEAT_SIZES.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(150)
        problems += [f"{stage} at {size}: {p}" for p in broken_words(page, words, RUNNING_TEXT)]
        problems += [f"{stage} at {size}: {p}" for p in overflowing(page, "#seat-app", scrolls=True)]
        shot(page, shots_dir, f"seat-{stage}-{size}")
    page.set_viewport_size(TABLET)
    return problems


def test_the_seat_brings_an_opening_ballot_forward_and_speaks_each_kinds_words(browser, console, hall, shots_dir):
    """Seat 13 signs in and reads the item's paper; the selection that opens comes over it. A selection
    says 每项入选需8票 and, with nothing chosen, that confirming casts a blank ballot (never 已全部选择); an
    evaluation says 评为满意需8票, and its result shows 满意率. At the tablet, upright and phone sizes no
    word (请签到, 已表决, 不满意, the receipt code) is broken across two lines."""
    e = expect()
    ctx = browser.new_context(viewport=TABLET, locale="zh-CN", has_touch=True)
    seat = console.watch(ctx.new_page(), "seat 13")
    seat.goto(hall.url + "/seat")
    seat.fill("#pair-seat", "13")
    seat.fill("#pair-pin", PIN)
    seat.click("#pairing button[type=submit]")
    e(seat.locator("#who")).to_contain_text("马骏")
    hall.start("seat_selection")
    e(seat.locator("#signin-btn")).to_be_visible()
    problems = words_broken_at_every_size(seat, ["请签到", "签到"], shots_dir, "signin")
    seat.set_viewport_size(SEAT_SIZES["phone"])
    seat.click("#signin-btn")
    e(seat.locator("#signin-btn")).to_have_count(0)
    e(seat.locator("#toasts .toast.ok")).to_be_visible()
    problems += [f"signed in at phone: {p}" for p in toasts_over_buttons(seat)]
    seat.set_viewport_size(TABLET)

    seat.locator(".doc-list button").click()
    e(seat.locator("#doc-viewer")).to_be_visible()
    hall.open("seat_selection")
    e(seat.locator("#doc-viewer")).to_be_hidden()
    e(seat.locator("#ballot-title")).to_be_focused()
    e(seat.locator("#ballot-title")).to_be_in_viewport()
    e(seat.locator(".ballot-meta .needed")).to_have_text("每项入选需8票")
    e(seat.locator(".select-count")).to_contain_text("已选 0 / 3")
    e(seat.locator(".submit-bar")).not_to_contain_text("已全部选择")
    e(seat.locator(".submit-bar")).to_contain_text("空白票")
    seat.click("#sel-c1")
    e(seat.locator(".submit-bar")).not_to_contain_text("已全部选择")
    seat.click("[data-fk=next]")
    seat.click("#confirm-btn")
    e(seat.locator(".voted")).to_be_visible()
    hall.close("seat_selection")

    hall.open("seat_evaluation")
    e(seat.locator(".ballot-meta .needed")).to_have_text("评为满意需8票")
    e(seat.locator(".ballot-meta")).not_to_contain_text("通过")
    problems += words_broken_at_every_size(seat, ["不满意", "基本满意", "满意"], shots_dir, "evaluation")
    answer_each(seat, ["satisfied", "basic", "unsatisfied"])
    receipt = seat.locator(".receipt-code").inner_text()
    problems += words_broken_at_every_size(seat, ["已表决", receipt], shots_dir, "voted")
    hall.cast("seat_evaluation", [{"d1": "satisfied", "d2": "satisfied", "d3": "basic"}] * 9)
    hall.close("seat_evaluation")
    table = seat.locator(".ballot.closed .result-table")
    e(table.locator("thead")).to_contain_text("满意率")
    e(table.locator("tbody tr").first.locator(".satisfaction")).to_have_text("100.0%")  # 10 of 10 满意
    e(table.locator("tbody tr").nth(2).locator(".satisfaction")).to_have_text("0.0%")
    problems += words_broken_at_every_size(seat, ["不满意", "基本满意", "满意率", receipt], shots_dir, "result")
    assert problems == [], "\n".join(problems)
    assert console.unexpected() == [], console.unexpected()
    ctx.close()


# Visible toasts that lie over a visible button.
TOAST_OVER_BUTTON_JS = """() => {
  const out = [];
  const over = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const toast of document.querySelectorAll("#toasts .toast")) {
    const t = toast.getBoundingClientRect();
    for (const b of document.querySelectorAll("button, a.btn, select, input")) {
      const r = b.getBoundingClientRect();
      if (r.width && getComputedStyle(b).visibility !== "hidden" && over(t, r)) {
        out.push(`${toast.textContent} over ${b.textContent.trim() || b.id}`);
      }
    }
  }
  return out;
}"""

# An error shown, then a success: the error goes (core/notify.js, as every page uses it).
ERRORS_GO_JS = """async () => {
  const notify = await import("/static/ui/js/core/notify.js");
  notify.ackOk({ ok: false, error: "x", message: "旧的错误" });
  const before = document.querySelectorAll("#toasts .toast.error").length;
  notify.ackOk({ ok: true });
  const afterAck = document.querySelectorAll("#toasts .toast.error").length;
  notify.ackOk({ ok: false, error: "x", message: "又一个错误" });
  notify.toast("已完成", "ok");
  return [before, afterAck, document.querySelectorAll("#toasts .toast.error").length];
}"""


def toasts_over_buttons(page) -> list[str]:
    return list(page.evaluate(TOAST_OVER_BUTTON_JS))


FOCUS_JS = """() => { const el = document.activeElement; const s = getComputedStyle(el);
  return { fk: el.dataset ? el.dataset.fk || "" : "", outline: s.outlineStyle, width: parseFloat(s.outlineWidth) }; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUS_JS)


def test_the_chair_drives_a_ballot_by_keyboard_alone(browser, console, hall, shots_dir):
    """N starts the next item, O opens its ballot, R reminds, C closes and Enter confirms; after each
    step the focus, visibly outlined, is on the next action; the console lists the keys."""
    e = expect()
    if hall.open_now is not None:
        hall.close(hall.open_now)
    hall.chair.ok("start_item", {"item_id": hall.items["keyboard_before"]})
    ctx, chair = staff(browser, console, hall.url, "/chair", "chair", "chair-app", viewport=LAPTOP)
    e(chair.locator("#current-title")).to_contain_text("财政预算执行情况的报告")
    e(chair.locator(".keys-help")).to_contain_text("开始下一议题")
    chair.keyboard.press("n")
    e(chair.locator("#current-title")).to_contain_text("关于批准县级财政预算执行情况报告的决议")
    e(chair.locator("#current-panel [data-fk^='open-']")).to_be_focused()
    ring = focused(chair)
    assert ring["outline"] != "none" and ring["width"] >= 2, ring
    chair.keyboard.press("o")
    e(chair.locator(".live-ballot")).to_be_visible()
    e(chair.locator(".live-actions [data-fk='close']")).to_be_focused()
    hall.cast("keyboard", [{"main": "for"}] * 10)
    e(chair.locator(".progress-figure strong")).to_have_text("10")
    e(chair.locator(".live-actions [data-fk='close']")).to_be_focused()  # a push does not move the focus
    chair.keyboard.press("r")
    e(chair.locator("#toasts .toast.ok")).to_be_visible()
    assert toasts_over_buttons(chair) == []
    assert chair.evaluate(ERRORS_GO_JS) == [1, 0, 0]
    assert wait_for(lambda: hall.seats[-1].received("remind"), 10)
    assert not hall.seats[0].received("remind")
    chair.keyboard.press("c")
    e(chair.locator(".inline-confirm [data-fk='confirm-yes']")).to_be_focused()
    shot(chair, shots_dir, "chair-keyboard-confirm", top=False)
    chair.keyboard.press("Enter")
    e(chair.locator(".closed-ballot .outcome")).to_have_text("通过")
    e(chair.locator("#agenda-body [data-fk^='start-']").first).to_be_visible()
    assert focused(chair)["fk"].startswith("start-"), focused(chair)
    shot(chair, shots_dir, "chair-keyboard-closed")
    assert console.unexpected() == [], console.unexpected()
    ctx.close()
