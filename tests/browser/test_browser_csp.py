"""Every page under its Content-Security-Policy in Chromium: the index, the seat tablet, the chair and
clerk consoles (each section), the hall display and the verification page load and draw an open ballot's
progress and a closed ballot's result bars (styles set by a script) with no policy violation — neither a
``securitypolicyviolation`` event nor a console message — and every page is served with the policy.

On a server of its own (the demo committee), since it opens and closes a ballot."""
from __future__ import annotations

import json

import pytest
from support.server import ServerProcess

pytestmark = pytest.mark.browser

PASSWORDS = {"chair": "chair-demo-2026", "clerk": "clerk-demo-2026", "display": "display-demo-2026"}
PIN = "2468"
CLERK_SECTIONS = ("live", "roster", "agenda", "pairing", "results", "audit")
# every securitypolicyviolation of the page (and of its frames), kept where the test reads it
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
}, true);
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("csp")
    with ServerProcess(f"sqlite:///{folder / 'db.sqlite3'}", folder, demo=True) as proc:
        yield proc.url


class Watched:
    """The pages of one test: every violation event, every console message about the policy, every
    console error, and each page response's policy header."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.policies: dict[str, str | None] = {}

    def page(self, ctx, name):
        ctx.add_init_script(WATCH)
        page = ctx.new_page()

        def on_console(m):
            text = m.text
            if m.type == "error" or "Content Security Policy" in text or "Content-Security-Policy" in text:
                self.problems.append(f"{name}: console {m.type}: {text}")

        page.on("console", on_console)
        page.on("pageerror", lambda e: self.problems.append(f"{name}: uncaught {e}"))
        page.on("response", lambda r: r.request.resource_type == "document" and self.policies.__setitem__(
            r.url, r.headers.get("content-security-policy")))
        return page

    def collect(self, page, name):
        for v in page.evaluate("window.__violations || []"):
            self.problems.append(f"{name}: securitypolicyviolation {v}")
        page.evaluate("window.__violations = []")


def api(ctx, base, method, path, body=None):
    csrf = ctx.request.get(f"{base}/api/session").json()["csrf_token"]
    r = ctx.request.fetch(f"{base}{path}", method=method, data=json.dumps(body or {}),
                          headers={"X-CSRFToken": csrf, "Content-Type": "application/json"})
    assert r.ok, (path, r.status, r.text())
    return r.json()


def login(page, base, path, user, app_id):
    from playwright.sync_api import expect

    page.goto(base + path)
    page.fill("#login-user", user)
    page.fill("#login-pass", PASSWORDS[user])
    page.click(".login-card button[type=submit]")
    expect(page.locator(f"#{app_id}")).to_be_visible(timeout=15000)
    expect(page.locator("#conn-dot")).to_have_attribute("data-state", "online", timeout=15000)


def test_the_detector_sees_a_violation(browser, server):
    """The watch works: an inline style and an inline script on a page are reported."""
    watched = Watched()
    ctx = browser.new_context()
    page = watched.page(ctx, "index")
    page.goto(server + "/")
    page.evaluate("""() => {
      const el = document.createElement("div"); el.setAttribute("style", "color: red"); document.body.append(el);
      const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.body.append(s);
    }""")
    page.wait_for_timeout(300)
    watched.collect(page, "index")
    assert page.evaluate("window.__ran === undefined"), "an inline script ran"
    kinds = " ".join(watched.problems)
    assert "style-src" in kinds and "script-src" in kinds, watched.problems
    ctx.close()


def test_every_page_loads_without_a_policy_violation(browser, server):
    from playwright.sync_api import expect

    watched = Watched()
    chair_ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    chair = watched.page(chair_ctx, "chair")
    login(chair, server, "/chair", "chair", "chair-app")
    clerk_ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    clerk = watched.page(clerk_ctx, "clerk")
    login(clerk, server, "/clerk", "clerk", "clerk-app")
    display_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    display = watched.page(display_ctx, "display")
    login(display, server, "/display", "display", "hall")
    seat_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True)
    seat = watched.page(seat_ctx, "seat")
    seat.goto(server + "/seat")
    seat.fill("#pair-seat", "1")
    seat.fill("#pair-pin", PIN)
    seat.click("#pairing button[type=submit]")
    expect(seat.locator("#conn-dot")).to_have_attribute("data-state", "online", timeout=15000)

    # an open ballot (progress bars on the consoles and the display), then its result (result bars)
    agenda = chair_ctx.request.get(f"{server}/api/sittings/1/agenda").json()
    item = agenda["items"][0]
    ballot_id = item["ballots"][0]["id"]
    api(chair_ctx, server, "POST", "/api/sittings/1/open", {"confirm": True})
    seat.click("#signin-btn")
    api(chair_ctx, server, "POST", f"/api/items/{item['id']}/start")
    api(chair_ctx, server, "POST", f"/api/ballots/{ballot_id}/open", {"override_quorum": True})
    expect(chair.locator(".progress-fill")).to_be_attached(timeout=15000)
    expect(display.locator(".progress-fill")).to_be_attached(timeout=15000)
    seat.click(".vote-btn[data-code=for]")
    seat.click("#confirm-btn")
    expect(seat.locator(".voted")).to_be_visible(timeout=15000)
    api(chair_ctx, server, "POST", f"/api/ballots/{ballot_id}/close")
    expect(chair.locator(".bar-fill").first).to_be_attached(timeout=15000)
    expect(display.locator(".bar-fill").first).to_be_attached(timeout=15000)
    width = chair.locator(".bar-fill").first.evaluate("el => el.style.width")
    assert width.endswith("%"), f"the result bar's width was not applied: {width!r}"

    for name in CLERK_SECTIONS:
        clerk.goto(f"{server}/clerk#{name}")
        expect(clerk.locator(f"#sec-{name}")).to_be_visible(timeout=15000)
        clerk.wait_for_timeout(300)
        watched.collect(clerk, f"clerk#{name}")

    other_ctx = browser.new_context(locale="zh-CN")
    for path in ("/", "/verify", f"/verify?sheet=B{ballot_id}-R1&h={'0' * 64}"):
        page = watched.page(other_ctx, path)
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        watched.collect(page, path)
    for page, name in ((chair, "chair"), (display, "display"), (seat, "seat")):
        page.reload()
        expect(page.locator("#conn-dot")).to_have_attribute("data-state", "online", timeout=15000)
        page.wait_for_timeout(300)
        watched.collect(page, name)

    for ctx in (chair_ctx, clerk_ctx, display_ctx, seat_ctx, other_ctx):
        ctx.close()
    assert watched.problems == [], "\n".join(watched.problems)
    assert watched.policies and all(watched.policies.values()), f"a page without a policy: {watched.policies}"
    print(f"\n[csp] {len(watched.policies)} page addresses, every one with the policy; 0 violations")
