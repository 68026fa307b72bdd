"""Argon2 at its smallest cost (the same algorithm): production cost takes about 0.1 s a hash, and the
demo committee alone has 21 passwords and PINs. What is tested does not depend on how hard they are to
crack; a hash keeps its own cost, so a server process checks these quickly too."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import argon2
import pytest

FAST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextlib.contextmanager
def fast_hashing() -> Iterator[None]:
    """Within the block the service layer hashes and checks secrets with ``FAST_HASHER``."""
    from voting_server.services import credentials

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(credentials, "_hasher", FAST_HASHER)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Every test of a suite whose conftest imports this fixture hashes with ``FAST_HASHER``."""
    with fast_hashing():
        yield
