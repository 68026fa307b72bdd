"""The consoles' banner when the message queue between server processes is down: a server with the demo
committee whose Redis is reached through a TCP proxy (``support.proxy``); the proxy cuts Redis off, the
chair and clerk consoles show "多个服务进程之间的同步中断" while a seat tablet shows nothing; Redis back,
the banner goes. Needs Redis (skipped outside CI when it is not reachable), Chromium and Playwright."""
from __future__ import annotations

import pytest
from conftest import SOCKET_IO_JS
from support.env import ROOT, missing, need_service
from support.proxy import TcpProxy
from support.server import ServerProcess
from test_browser_sitting import expect, staff, tablet

pytestmark = [pytest.mark.browser, pytest.mark.redis]

BANNER = "多个服务进程之间的同步中断"


@pytest.fixture
def queued_server(tmp_path):
    if not SOCKET_IO_JS.exists():
        missing(f"{SOCKET_IO_JS.relative_to(ROOT)} is missing (run `make assets`)")
    need_service("Redis", "127.0.0.1", 6379)
    with TcpProxy("127.0.0.1", 6379) as proxy:
        server = ServerProcess(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, demo=True,
                               message_queue=proxy.url(), channel=f"biaojue-browser-{tmp_path.name}")
        with server:
            yield server, proxy
        proxy.restore()


def test_the_consoles_show_when_the_sync_between_processes_stops(browser, console, queued_server):
    server, proxy = queued_server
    e = expect()
    _chair_ctx, chair = staff(browser, console, server.url, "/chair", "chair", "chair-app")
    _clerk_ctx, clerk = staff(browser, console, server.url, "/clerk", "clerk", "clerk-app")
    _seat_ctx, seat = tablet(browser, console, server.url, "1", "王建国")
    for page in (chair, clerk, seat):
        e(page.locator("#conn-banner")).to_be_hidden()

    proxy.cut()
    for page in (chair, clerk):
        e(page.locator("#conn-banner")).to_be_visible()
        e(page.locator("#conn-banner")).to_contain_text(BANNER)
        e(page.locator("#conn-dot")).to_have_attribute("data-state", "online")  # the page's own link is fine
    e(seat.locator("#conn-banner")).to_be_hidden()
    chair.reload()  # a console that connects while the queue is down is told at once
    e(chair.locator("#conn-banner")).to_contain_text(BANNER)

    proxy.restore()
    for page in (chair, clerk):
        e(page.locator("#conn-banner")).to_be_hidden()
    assert console.unexpected() == []
