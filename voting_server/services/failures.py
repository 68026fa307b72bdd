"""Failed anonymous attempts (a wrong PIN, a failed staff login): counted per kind and hour in
``failure_counts``, outside the audit chain. Anyone on the network can make them (the web layer limits
how fast, per address), and an audit entry each would grow the permanent chain at the attacker's pace."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from .base import utcnow

KINDS = ("login_failed", "pin_failed")


def hour_now() -> str:
    """The hour a failure now is counted in (its start, ISO, UTC)."""
    return utcnow().replace(minute=0, second=0, microsecond=0).isoformat(timespec="seconds") + "Z"


def count_failure(session: Session, kind: str) -> None:
    """One more failure of ``kind`` in this hour (in the caller's write transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown failure kind {kind!r}")
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = insert(models.FailureCount).values(kind=kind, hour=hour_now(), count=1)
    session.execute(stmt.on_conflict_do_update(index_elements=["kind", "hour"],
                                               set_={"count": models.FailureCount.count + 1}))


def failure_counts(store: Store, kind: str | None = None) -> list[tuple[str, str, int]]:
    """(kind, hour, count) of every hour with failures, the newest first."""
    with store.read() as s:
        q = select(models.FailureCount.kind, models.FailureCount.hour, models.FailureCount.count)
        if kind is not None:
            q = q.where(models.FailureCount.kind == kind)
        return [(kind_, hour, count) for kind_, hour, count in s.execute(
            q.order_by(models.FailureCount.hour.desc(), models.FailureCount.kind))]
