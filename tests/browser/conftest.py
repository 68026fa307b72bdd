"""Browser tests: the real server (``run.py`` with eventlet and the demo committee) in a subprocess, and
Debian's Chromium driven by Playwright (Python, sync API). Never ``playwright install``: the browser is
the system's ``/usr/bin/chromium``.

Outside CI a missing Chromium, Playwright or Socket.IO browser client skips these tests with the reason;
in CI (``CI=true``) it fails them.

Screenshots are written to a temporary folder; with ``BIAOJUE_SCREENSHOTS=1`` they go to
``docs/screenshots/`` (how the pictures in the README are made)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SOCKET_IO_JS = ROOT / "terminal_ui" / "static" / "vendor" / "socket.io.esm.min.js"

# Console errors the browser itself reports while a test has cut a tablet's network on purpose.
EXPECTED_OFFLINE = ("net::ERR_INTERNET_DISCONNECTED",)


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI must run the browser tests)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The session server with the demo committee, on a free port; stopped at the end."""
    if not SOCKET_IO_JS.exists():
        _missing(f"{SOCKET_IO_JS.relative_to(ROOT)} is missing (run `make assets`)")
    folder = tmp_path_factory.mktemp("live")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(folder / "server.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--port", str(port), "--instance", str(folder),
             "--database", f"sqlite:///{folder / 'db.sqlite3'}", "--async-mode", "eventlet", "--demo"],
            cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            _wait_until_up(proc, base, folder / "server.log")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _wait_until_up(proc: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start:\n" + log_path.read_text()[-4000:])
        time.sleep(0.25)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API keeps an asyncio loop running while it is
    open; closing it after each module keeps later tests (which call asyncio.run) unaffected."""
    if not os.path.exists(CHROMIUM):
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed")
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
