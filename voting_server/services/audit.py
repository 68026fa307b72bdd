"""The audit chain: verify every entry's hash and link, and name the first broken one."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import models
from ..db import Store
from .base import entry_hash


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.entries} entries, head {self.head}"
        return f"audit chain broken at entry {self.broken_id}: {self.reason}"


def verify_chain(store: Store, *, up_to: int | None = None) -> ChainReport:
    """Recompute every hash from the genesis (or up to entry ``up_to``). Checks ids are consecutive,
    each entry links to the previous hash, its own hash matches its content, and the chain head
    row agrees with the last entry."""
    prev = models.GENESIS_HASH
    expected_id = 1
    count = 0
    with store.read() as s:
        q = select(models.AuditEntry).order_by(models.AuditEntry.id)
        if up_to is not None:
            q = q.where(models.AuditEntry.id <= up_to)
        for e in s.scalars(q.execution_options(yield_per=1000)):
            if e.id != expected_id:
                return ChainReport(False, count, prev, expected_id, f"entry {expected_id} is missing (next is {e.id})")
            if e.prev_hash != prev:
                return ChainReport(False, count, prev, e.id, "does not link to the previous entry's hash")
            h = entry_hash(id=e.id, at=e.at, actor=e.actor, action=e.action, sitting_id=e.sitting_id, seq=e.seq,
                           payload=e.payload, prev_hash=e.prev_hash)
            if h != e.hash:
                return ChainReport(False, count, prev, e.id, "content does not match its hash (altered)")
            prev, expected_id, count = e.hash, expected_id + 1, count + 1
        if up_to is None:
            head = s.get(models.ChainHead, 1)
            if head is not None and (head.last_id != count or head.last_hash != prev):
                # the first entry the head and the stored chain disagree on: a missing last entry, an entry
                # past the head's end, or (same length, other hash) the last entry
                first = min(head.last_id, count) + 1 if head.last_id != count else count
                return ChainReport(False, count, prev, first,
                                   f"the chain head says {head.last_id} entries ending in {head.last_hash[:12]}…, "
                                   f"but {count} are stored ending in {prev[:12]}…")
    return ChainReport(True, count, prev)
