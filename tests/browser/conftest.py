"""Browser tests: the real server (``run.py`` with eventlet and the demo committee) in a subprocess, and
Debian's Chromium driven by Playwright (Python, sync API). Never ``playwright install``: the browser is
the system's ``/usr/bin/chromium``.

Outside CI a missing Chromium, Playwright or Socket.IO browser client skips these tests with the reason;
in CI (``CI=true``) it fails them.

Screenshots are written to a temporary folder; with ``BIAOJUE_SCREENSHOTS=1`` they go to
``docs/screenshots/`` (how the pictures in the README are made)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.env import ROOT, missing
from support.server import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SOCKET_IO_JS = ROOT / "terminal_ui" / "static" / "vendor" / "socket.io.esm.min.js"

# Console errors the browser itself reports while a test has cut a tablet's network on purpose.
EXPECTED_OFFLINE = ("net::ERR_INTERNET_DISCONNECTED",)


@contextmanager
def demo_server(folder: Path) -> Iterator[str]:
    """A server with the demo committee and its SQLite database in ``folder``, on a free port: its address."""
    if not SOCKET_IO_JS.exists():
        missing(f"{SOCKET_IO_JS.relative_to(ROOT)} is missing (run `make assets`)")
    with ServerProcess(f"sqlite:///{folder / 'db.sqlite3'}", folder, demo=True) as server:
        yield server.url


@contextmanager
def demo_and_store(folder: Path) -> Iterator[tuple[str, Any, int]]:
    """A demo server on its own database in ``folder`` and a store on that database, to add what a test
    needs before its pages open (sittings, bodies, accounts): the address, the store and the demo body."""
    from sqlalchemy import select

    from voting_server import models
    from voting_server.db import Store

    url = f"sqlite:///{folder / 'db.sqlite3'}"
    with ServerProcess(url, folder, demo=True) as server:
        store = Store(url)
        try:
            with store.read() as s:
                body_id = s.scalar(select(models.Body.id))
            yield server.url, store, body_id
        finally:
            store.dispose()


STAFF_PASSWORDS = {"admin": "admin-demo-2026", "chair": "chair-demo-2026", "clerk": "clerk-demo-2026",
                   "display": "display-demo-2026"}
DEMO_PIN = "2468"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=15000)
    return expect


def staff_login(browser: Any, console: Console, base: str, path: str, user: str, app_id: str, viewport: Any,
                *, online: bool = True) -> tuple[Any, Any]:
    """A new browser context logged in as a demo staff account on ``path``; waits for the page (and,
    with ``online``, for its live connection)."""
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = console.watch(ctx.new_page(), user)
    page.goto(base + path)
    page.fill("#login-user", user)
    page.fill("#login-pass", STAFF_PASSWORDS[user])
    page.click(".login-card button[type=submit]")
    _expect()(page.locator(f"#{app_id}")).to_be_visible()
    if online:
        _expect()(page.locator("#conn-dot")).to_have_attribute("data-state", "online")
    return ctx, page


def seat_tablet(browser: Any, console: Console, base: str, seat: str, name: str, viewport: Any) -> tuple[Any, Any]:
    """A new touch context paired with the demo PIN of ``seat`` and online, showing ``name``."""
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True)
    page = console.watch(ctx.new_page(), f"seat {seat}")
    page.goto(base + "/seat")
    page.fill("#pair-seat", seat)
    page.fill("#pair-pin", DEMO_PIN)
    page.click("#pairing button[type=submit]")
    _expect()(page.locator("#who")).to_contain_text(name)
    _expect()(page.locator("#conn-dot")).to_have_attribute("data-state", "online")
    return ctx, page


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The session server with the demo committee, on a free port; stopped at the end."""
    with demo_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API keeps an asyncio loop running while it is
    open; closing it after each module keeps later tests (which call asyncio.run) unaffected."""
    if not os.path.exists(CHROMIUM):
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    if os.environ.get("BIAOJUE_SCREENSHOTS", "") in ("1", "true", "yes"):
        path = ROOT / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


class Console:
    """Every console error and uncaught exception of the pages it watches."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any, name: str) -> Any:
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{name}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"{name}: uncaught {e}"))
        return page

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in EXPECTED_OFFLINE)]


@pytest.fixture
def console() -> Console:
    return Console()
