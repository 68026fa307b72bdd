"""Helpers of the service tests."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from voting_server import models, services


def each(cases: Iterable[tuple[Any, ...]], check: Callable[..., object]) -> None:
    """Run ``check(*case)`` for every case in one world, naming the case when it fails."""
    for case in cases:
        try:
            check(*case)
        except BaseException as err:
            raise AssertionError(f"case {repr(case)[:120]}: {err}") from err


def rows(store, model, *where):
    with store.read() as s:
        return list(s.scalars(select(model).where(*where)))


def one(store, model, ident):
    with store.read() as s:
        obj = s.get(model, ident)
        if obj is not None:
            s.expunge(obj)
        return obj


def last_audit(store):
    with store.read() as s:
        entry = s.scalar(select(models.AuditEntry).order_by(models.AuditEntry.id.desc()).limit(1))
        return entry.action, json.loads(entry.payload), entry.seq


def close_first_ballot(world):
    """Item 1's resolution voted and closed (a result on record)."""
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    for m in world.members[:9]:
        world.cast(m, world.ballots[0], "for")
    services.close_ballot(world.store, world.chair, world.ballots[0])
