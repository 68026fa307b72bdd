"""The public verification page: a clerk's signed sheet verifies, a sheet with one byte changed does
not, and a QR address with a wrong digest is refused — each with the checks listed."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from support.env import missing

from voting_server import demo

pytestmark = pytest.mark.browser
PASSWORDS = {u: p for u, p, _r, _n in demo.STAFF}


def _login(ctx, base: str, username: str) -> None:
    csrf = ctx.request.get(f"{base}/api/session").json()["csrf_token"]
    r = ctx.request.post(f"{base}/api/login", data=json.dumps({"username": username, "password": PASSWORDS[username]}),
                         headers={"X-CSRFToken": csrf, "Content-Type": "application/json"})
    assert r.ok, r.text()


def _closed_round(ctx, base: str) -> tuple[int, int]:
    """A closed round of the demo sitting (the whole-sitting test before this one closes several)."""
    agenda = ctx.request.get(f"{base}/api/sittings/1/agenda").json()
    for item in agenda["items"]:
        for ballot in item["ballots"]:
            for rnd in ballot["rounds"]:
                if rnd["status"] == "closed":
                    return ballot["id"], rnd["number"]
    pytest.fail("no closed ballot in the demo sitting: run the whole browser suite (the sitting test closes them)")


def test_verify_page(browser, live_server, console, shots_dir, tmp_path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _login(ctx, live_server, "clerk")
    ballot_id, number = _closed_round(ctx, live_server)
    r = ctx.request.get(f"{live_server}/api/ballots/{ballot_id}/rounds/{number}/sheet.pdf")
    assert r.ok and r.body().startswith(b"%PDF-")
    good = tmp_path / "sheet.pdf"
    good.write_bytes(r.body())
    data = bytearray(r.body())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(data))
    ctx.close()

    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = console.watch(visitor.new_page(), "verify")
    page.goto(f"{live_server}/verify")
    page.set_input_files("#verify-file", str(good))
    page.get_by_role("button", name="核验", exact=True).click()
    page.get_by_text("全部核验通过").wait_for(timeout=60000)  # the first verification starts its worker
    assert page.locator("td.bad").count() == 0
    assert page.locator("td.good").count() >= 5
    page.screenshot(path=str(shots_dir / "verify.png"), full_page=True)

    page.set_input_files("#verify-file", str(bad))
    page.get_by_role("button", name="核验", exact=True).click()
    page.get_by_text("核验未通过").wait_for()
    assert page.locator("td.bad").count() >= 1

    page.goto(f"{live_server}/verify?sheet=B{ballot_id}-R{number}&h={'0' * 64}")
    page.get_by_text("核验未通过").wait_for()
    assert console.unexpected() == []
    visitor.close()


def test_the_clerk_sets_the_public_address(browser, live_server, console, shots_dir) -> None:
    """The clerk console's 公开地址 field: saved, shown as in force, printed on the next sheet; cleared again."""
    public = "https://biaojue.example.cn/hall"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = console.watch(ctx.new_page(), "clerk")
    page.goto(f"{live_server}/clerk#roster")
    page.fill("#login-user", "clerk")
    page.fill("#login-pass", PASSWORDS["clerk"])
    page.click(".login-card button[type=submit]")
    page.locator("#public-url-details summary").click()
    page.get_by_text("尚未设置公开地址").wait_for()
    page.fill("#public-url", public)
    page.click("#public-url-save")
    page.get_by_text("正在使用此处保存的公开地址").wait_for()
    page.locator("#public-url-details").screenshot(path=str(shots_dir / "clerk-public-url.png"))

    ballot_id, number = _closed_round(ctx, live_server)
    r = ctx.request.get(f"{live_server}/api/ballots/{ballot_id}/rounds/{number}/sheet.pdf",
                        headers={"X-Forwarded-Host": "verify-biaojue.evil.example"})
    if shutil.which("pdftotext") is None:
        missing("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=r.body(), capture_output=True, check=True)
    text = "".join(out.stdout.decode().split())
    assert f"{public}/verify?sheet=B{ballot_id}-R{number}&h=" in text and "evil" not in text

    page.fill("#public-url", "")
    page.click("#public-url-save")
    page.get_by_text("尚未设置公开地址").wait_for()
    assert console.unexpected() == []
    ctx.close()
