"""The audit chain: verify every entry's hash and link, and name the first broken one.

A full verification recomputes the chain from the genesis. Every successful verification also moves a
stored checkpoint (``models.AuditCheckpoint``) to the last entry it recomputed, so that a verification
``from_checkpoint`` (what the public verification of a sheet does) hashes only the entries written since;
entries before the checkpoint are taken as verified, and only the entry asked for and the checkpoint's own
entry are checked again. ``python -m voting_server verify-audit`` always recomputes the whole chain, and moves
the checkpoint back before a break it finds."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from .base import entry_hash, iso, utcnow

CHECKPOINT_EVERY = 10_000  # entries recomputed between two moves of the checkpoint


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_id: int | None = None
    reason: str = ""
    checkpoint: int = 0  # entries taken as verified from the stored checkpoint (0: recomputed from the genesis)

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.entries} entries, head {self.head}"
        return f"audit chain broken at entry {self.broken_id}: {self.reason}"


def _rehash(e: models.AuditEntry) -> str:
    return entry_hash(id=e.id, at=e.at, actor=e.actor, action=e.action, sitting_id=e.sitting_id, seq=e.seq,
                      payload=e.payload, prev_hash=e.prev_hash)


def checkpoint(store: Store) -> tuple[int, str]:
    """The last verified entry and its hash (0 and the genesis hash when nothing was verified yet)."""
    with store.read() as s:
        row = s.get(models.AuditCheckpoint, 1)
        return (row.last_id, row.last_hash) if row is not None else (0, models.GENESIS_HASH)


def _set_checkpoint(store: Store, last_id: int, last_hash: str, *, forward: bool) -> None:
    """Move the checkpoint forward to a verified entry (``forward``), or back before a break."""
    at = iso(utcnow())
    with store.write_session() as s, s.begin():
        result: Any = s.execute(update(models.AuditCheckpoint).where(
            models.AuditCheckpoint.id == 1,
            models.AuditCheckpoint.last_id < last_id if forward else models.AuditCheckpoint.last_id > last_id)
            .values(last_id=last_id, last_hash=last_hash, at=at))
        if result.rowcount or s.get(models.AuditCheckpoint, 1) is not None:
            return
        if forward and last_id > 0:
            s.add(models.AuditCheckpoint(id=1, last_id=last_id, last_hash=last_hash, at=at))
    # a concurrent verification that wrote the first row first: its checkpoint is as good


def _advance(store: Store, last_id: int, last_hash: str) -> None:
    with contextlib.suppress(IntegrityError):
        _set_checkpoint(store, last_id, last_hash, forward=True)


def _spot_check(s: Session, up_to: int, cp_id: int, cp_hash: str) -> ChainReport:
    """An entry before the checkpoint: it, its link to the one before, and the checkpoint's own entry."""
    at_cp = s.get(models.AuditEntry, cp_id)
    if at_cp is None:
        return ChainReport(False, up_to, cp_hash, cp_id, f"entry {cp_id} (the verified checkpoint) is missing")
    if at_cp.hash != cp_hash or _rehash(at_cp) != cp_hash:
        return ChainReport(False, up_to, cp_hash, cp_id,
                           "content does not match its hash (altered since it was verified)")
    entry = s.get(models.AuditEntry, up_to)
    if entry is None:
        return ChainReport(False, up_to - 1, cp_hash, up_to, f"entry {up_to} is missing")
    before = s.get(models.AuditEntry, up_to - 1) if up_to > 1 else None
    if entry.prev_hash != (before.hash if before is not None else models.GENESIS_HASH):
        return ChainReport(False, up_to - 1, entry.prev_hash, entry.id, "does not link to the previous entry's hash")
    if _rehash(entry) != entry.hash:
        return ChainReport(False, up_to - 1, entry.prev_hash, entry.id, "content does not match its hash (altered)")
    return ChainReport(True, up_to, entry.hash, checkpoint=up_to)


def verify_chain(store: Store, *, up_to: int | None = None, from_checkpoint: bool = False) -> ChainReport:
    """Recompute every hash from the genesis (or up to entry ``up_to``). Checks ids are consecutive,
    each entry links to the previous hash, its own hash matches its content, and the chain head
    row agrees with the last entry. ``from_checkpoint``: start at the stored checkpoint instead of the
    genesis. A chain found intact moves the checkpoint to its last entry; a full verification that finds
    a break moves it back before the break."""
    prev = models.GENESIS_HASH
    expected_id = 1
    count = 0
    cp_id, cp_hash = checkpoint(store)
    with store.read() as s:
        if from_checkpoint and cp_id > 0:
            if up_to is not None and up_to <= cp_id:
                return _spot_check(s, up_to, cp_id, cp_hash)
            at_cp = s.get(models.AuditEntry, cp_id)
            if at_cp is None:
                return ChainReport(False, cp_id - 1, cp_hash, cp_id, f"entry {cp_id} is missing (the verified checkpoint)")
            if at_cp.hash != cp_hash or _rehash(at_cp) != cp_hash:
                return ChainReport(False, cp_id - 1, cp_hash, cp_id,
                                   "content does not match its hash (altered since it was verified)")
            prev, expected_id, count = cp_hash, cp_id + 1, cp_id
        q = select(models.AuditEntry).where(models.AuditEntry.id >= expected_id).order_by(models.AuditEntry.id)
        if up_to is not None:
            q = q.where(models.AuditEntry.id <= up_to)
        report = None
        for e in s.scalars(q.execution_options(yield_per=1000)):
            if e.id != expected_id:
                report = ChainReport(False, count, prev, expected_id, f"entry {expected_id} is missing (next is {e.id})")
            elif e.prev_hash != prev:
                report = ChainReport(False, count, prev, e.id, "does not link to the previous entry's hash")
            elif _rehash(e) != e.hash:
                report = ChainReport(False, count, prev, e.id, "content does not match its hash (altered)")
            if report is not None:
                break
            prev, expected_id, count = e.hash, expected_id + 1, count + 1
            if count % CHECKPOINT_EVERY == 0 and count > cp_id:
                _advance(store, count, prev)  # a long recomputation that is stopped still makes progress
        if report is None and up_to is None:
            head = s.get(models.ChainHead, 1)
            if head is not None and (head.last_id != count or head.last_hash != prev):
                # the first entry the head and the stored chain disagree on: a missing last entry, an entry
                # past the head's end, or (same length, other hash) the last entry
                first = min(head.last_id, count) + 1 if head.last_id != count else count
                report = ChainReport(False, count, prev, first,
                                     f"the chain head says {head.last_id} entries ending in {head.last_hash[:12]}…, "
                                     f"but {count} are stored ending in {prev[:12]}…")
    started = cp_id if from_checkpoint and cp_id > 0 else 0
    if report is None:
        if count > cp_id:
            _advance(store, count, prev)
        return ChainReport(True, count, prev, checkpoint=started)
    if not started and report.broken_id is not None and cp_id >= report.broken_id:
        _set_checkpoint(store, report.entries, report.head, forward=False)  # what was verified no longer holds
    return report
