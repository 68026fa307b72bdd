"""Waiting for a condition: pushes arrive from other threads and processes a moment after the command."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll ``check`` until it returns something true; returns it, or the last value at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


async def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    """Within a running event loop: wait until ``check()`` is true, or fail naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)
