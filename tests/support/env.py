"""The machine the tests run on: where the project is, whether this is CI, where PostgreSQL and Redis are,
and what to do when something a test needs is missing (outside CI it skips with the reason; in CI it
fails, since CI must run everything)."""
from __future__ import annotations

import os
import resource
import socket
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("BIAOJUE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BIAOJUE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def missing(message: str) -> NoReturn:
    """Something a test needs is not there: skip with the reason, or fail in CI."""
    import pytest

    if IN_CI:
        pytest.fail(message + " (CI must run this test)")
    pytest.skip(message)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if not reachable(host, port):
        missing(f"{name} is not reachable at {host}:{port}")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raise_open_files(wanted: int) -> None:
    """Allow this process ``wanted`` open files (a hall of clients), as far as the hard limit lets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))
