"""Helpers of the service tests."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def each(cases: Iterable[tuple[Any, ...]], check: Callable[..., object]) -> None:
    """Run ``check(*case)`` for every case in one world, naming the case when it fails."""
    for case in cases:
        try:
            check(*case)
        except BaseException as err:
            raise AssertionError(f"case {repr(case)[:120]}: {err}") from err
