"""/verify shows what it verified: a sheet's record on file (body, sitting, item, counts, outcome,
announcement) beside every check in words; a tampered sheet is reported as 文件被修改; a member checks
the receipt code their tablet showed, alone. At 1280×800 and 390×844, with screenshots; the home page
links to the page. A server of its own (the demo committee), one round voted and closed here."""
from __future__ import annotations

import json
import uuid

import pytest
from conftest import demo_server
from test_browser_sitting import expect, tablet, vote

from voting_server import demo

pytestmark = pytest.mark.browser
PASSWORDS = {u: p for u, p, _r, _n in demo.STAFF}
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("verify-record")) as url:
        yield url


def _post(ctx, url, body=None, *, csrf=None, token=None):
    headers = {"Content-Type": "application/json"}
    if csrf:
        headers["X-CSRFToken"] = csrf
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = ctx.request.post(url, data=json.dumps(body or {}), headers=headers)
    assert r.ok, (url, r.status, r.text())
    return r.json()


def _login(ctx, base, username):
    csrf = ctx.request.get(f"{base}/api/session").json()["csrf_token"]
    return _post(ctx, f"{base}/api/login", {"username": username, "password": PASSWORDS[username]},
                 csrf=csrf)["csrf_token"]


@pytest.fixture(scope="module")
def closed_round(browser, own_server):
    """The demo's first ballot voted by ten seats (seat 1 on its own tablet page) and closed; returns
    the signed sheet, the close's result and the receipt seat 1's tablet showed."""
    base = own_server
    chair = browser.new_context()
    csrf = _login(chair, base, "chair")
    _post(chair, f"{base}/api/sittings/1/open", {"confirm": True}, csrf=csrf)
    agenda = chair.request.get(f"{base}/api/sittings/1/agenda").json()
    item = agenda["items"][0]
    ballot_id = item["ballots"][0]["id"]
    _post(chair, f"{base}/api/items/{item['id']}/start", csrf=csrf)
    seat_ctx, seat = tablet(browser, _Quiet(), base, "1", "")
    seat.click("#signin-btn")
    expect()(seat.locator("#signin-btn")).to_have_count(0)
    tokens = []
    for n in range(2, 11):
        t = browser.new_context()
        pair_csrf = t.request.get(f"{base}/api/session").json()["csrf_token"]
        pairing = {"body_id": 1, "seat": str(n), "pin": demo.DEMO_PIN}
        token = _post(t, f"{base}/api/pair", pairing, csrf=pair_csrf)["token"]
        _post(t, f"{base}/api/sittings/1/sign-in", token=token)
        tokens.append((t, token))
    _post(chair, f"{base}/api/ballots/{ballot_id}/open", csrf=csrf)
    vote(seat, "for")
    shown = seat.locator(".voted .receipt-code").first.inner_text().strip()
    seat_ctx.close()
    for n, (t, token) in enumerate(tokens, start=2):
        _post(t, f"{base}/api/ballots/{ballot_id}/cast", {"choice": "against" if n == 10 else "for",
                                                          "cast_id": uuid.uuid4().hex}, token=token)
        t.close()
    result = _post(chair, f"{base}/api/ballots/{ballot_id}/close", csrf=csrf)["result"]
    r = chair.request.get(f"{base}/api/ballots/{ballot_id}/rounds/1/sheet.pdf")
    pdf = r.body()
    assert r.ok and pdf.startswith(b"%PDF-")
    chair.close()
    return {"pdf": pdf, "result": result, "receipt": shown, "ballot": item["ballots"][0], "item": item}


class _Quiet:
    def watch(self, page, _name):
        return page


def _tampered(pdf: bytes) -> bytes:
    """One byte changed inside the first compressed page stream: the printed page is not what was signed."""
    pos = pdf.index(b"stream", pdf.index(b"/Filter")) + 40
    b = bytearray(pdf)
    b[pos] ^= 0x01
    return bytes(b)


WIDER = """(w) => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > w + 0.5)
  .map((el) => `${el.tagName}.${el.className}#${el.id}: ${Math.round(el.getBoundingClientRect().right)}`).slice(0, 8)"""


def _fits(page, width):
    """Nothing sticks out on the right: the page never scrolls sideways."""
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, page.evaluate(WIDER, width)


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_verify_shows_the_record_beside_the_checks(browser, own_server, closed_round, console, shots_dir, tmp_path,
                                                   size) -> None:
    e = expect()
    viewport = SIZES[size]
    good, bad = tmp_path / "sheet.pdf", tmp_path / "tampered.pdf"
    good.write_bytes(closed_round["pdf"])
    bad.write_bytes(_tampered(closed_round["pdf"]))
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = console.watch(ctx.new_page(), "verify")

    page.goto(own_server + "/")
    page.locator("a.index-card[href='/verify']").click()
    page.wait_for_url("**/verify")

    # a genuine sheet: its record on file, then every check in words
    page.set_input_files("#verify-file", str(good))
    page.get_by_role("button", name="核验", exact=True).click()
    e(page.locator(".verdict")).to_contain_text("全部核验通过")
    record = page.locator(".verify-records .record")
    e(record).to_have_count(1)
    result = closed_round["result"]
    for text in ("某县人大常委会", "第三十六次会议", closed_round["item"]["title"], "议程第1项", "第1轮",
                 "应到15人，实到10人", result["announcement_zh"], "通过"):
        e(record).to_contain_text(text)
    counts = record.locator("table.record-counts")
    e(counts.locator("thead")).to_contain_text("赞成")
    e(counts.locator("tbody td").nth(0)).to_have_text(str(result["questions"][0]["counts"]["for"]))
    e(counts.locator("tbody td").nth(1)).to_have_text(str(result["questions"][0]["counts"]["against"]))
    checks = page.locator(".verify-checks table.checks tr")
    e(checks).to_have_count(7)
    assert page.locator(".verify-checks td.bad").count() == 0
    text = page.locator("#verify-result").inner_text()
    assert "（failed）" not in text and "（passed）" not in text and "_" not in text
    if size == "laptop":  # side by side: the checks to the right of the record
        rec, chk = page.locator(".verify-records").bounding_box(), page.locator(".verify-checks").bounding_box()
        assert chk["x"] >= rec["x"] + rec["width"] - 1 and abs(chk["y"] - rec["y"]) < 5
    _fits(page, viewport["width"])
    page.screenshot(path=str(shots_dir / f"verify-record-{size}.png"), full_page=True)

    # one changed byte: 文件被修改, not a certificate that is invalid; no record is shown for it
    page.set_input_files("#verify-file", str(bad))
    page.get_by_role("button", name="核验", exact=True).click()
    e(page.locator(".verdict")).to_contain_text("核验未通过：文件被修改")
    text = page.locator("#verify-result").inner_text()
    assert "证书无效" not in text and "证书已失效" not in text and "INVALID" not in text
    e(page.locator(".verify-records")).to_contain_text("不显示存档记录")
    e(page.locator(".verify-checks")).to_contain_text("文件被修改")
    _fits(page, viewport["width"])
    page.screenshot(path=str(shots_dir / f"verify-tampered-{size}.png"), full_page=True)

    # the receipt, exactly as the tablet showed it, alone
    page.fill("#receipt-code", closed_round["receipt"])
    page.get_by_role("button", name="核对", exact=True).click()
    found = page.locator("#receipt-result")
    e(found).to_contain_text("找到该回执")
    e(found).to_contain_text(closed_round["ballot"]["title"])
    e(found).to_contain_text("第1轮")
    page.fill("#receipt-code", "ZZZZZ-ZZZZZ")
    page.get_by_role("button", name="核对", exact=True).click()
    e(found).to_contain_text("未找到该回执")
    page.fill("#receipt-code", closed_round["receipt"])
    page.get_by_role("button", name="核对", exact=True).click()
    e(found).to_contain_text("找到该回执")
    _fits(page, viewport["width"])
    page.locator("#receipt-result").scroll_into_view_if_needed()
    page.screenshot(path=str(shots_dir / f"verify-receipt-{size}.png"), full_page=True)
    assert console.unexpected() == []
    ctx.close()
