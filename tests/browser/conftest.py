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
