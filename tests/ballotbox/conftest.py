"""Fixtures of the ballot-box tests: key sets of both modes."""
from __future__ import annotations

import pytest
from ballotbox_helpers import CONTEXT, FAST, PINS

from voting_server import ballotbox as bb


@pytest.fixture(scope="session")
def dealing() -> bb.Dealing:
    """A 2-of-3 key set on cards protected by PINS."""
    return bb.deal(2, 3, PINS, FAST)


@pytest.fixture(scope="session")
def threshold_keys(dealing) -> bb.KeySet:
    return bb.KeySet.from_dict(dealing.keys)


@pytest.fixture(scope="session")
def holders(dealing, threshold_keys) -> list[bb.Share]:
    return [bb.unlock(card, pin, threshold_keys) for card, pin in zip(dealing.cards, PINS, strict=True)]


@pytest.fixture()
def sealed(tmp_path):
    """A server-sealed round: (key folder, sealed round, key set)."""
    folder = bb.KeyFolder(tmp_path / "ballotbox")
    opened = folder.open_round(CONTEXT)
    return folder, opened, bb.KeySet.from_dict(opened.keys)

