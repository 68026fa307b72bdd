"""Snapshots for terminals, with the shared part cached per sitting and audience."""
from __future__ import annotations

from typing import Any

from ..db import Store
from ..services import terminal_view


class Snapshots:
    """A full snapshot is the shared part of its sitting and audience plus the terminal's own ``me``.
    The shared part is cached with the state it was built from (seq and last change): a hall of seats
    reconnecting at once costs one build per audience plus each seat's own ``me``. The last change (the
    audit chain's head) is part of the stamp because sign-ins and attendance changes are not numbered in
    ``seq`` but change the attendance section; it is read first, so a cached part is never older than
    its stamp. Only the latest part is kept: a sitting's snapshot grows with its agenda, and one per
    change would hold many of them."""

    MAX_CACHED = 64

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[int, str], tuple[tuple[int, int], dict[str, Any]]] = {}

    def for_terminal(self, sitting_id: int, audience: str, person_id: int | None,
                     device_id: int | None = None) -> dict[str, Any]:
        return self.for_terminals([(sitting_id, audience, person_id, device_id)])[0]

    def for_terminals(self, wanted: list[tuple[int, str, int | None, int | None]]) -> list[dict[str, Any]]:
        """Snapshots for many terminals (sitting, audience, person, device) in one read: the shared part,
        and the open round's progress, once per sitting and audience; each terminal's own ``me``."""
        out: list[dict[str, Any]] = []
        with self.store.read() as s:
            version = terminal_view.last_change(s)
            sittings: dict[int, Any] = {}
            shared: dict[tuple[int, str], dict[str, Any]] = {}
            for sitting_id, audience, person_id, device_id in wanted:
                if sitting_id not in sittings:
                    sittings[sitting_id] = terminal_view.get_sitting(s, sitting_id)
                sitting = sittings[sitting_id]
                if (sitting_id, audience) not in shared:
                    shared[(sitting_id, audience)] = self._shared(s, sitting, audience, version)
                snap = dict(shared[(sitting_id, audience)])
                if person_id is not None:
                    snap["me"] = {**terminal_view.me_section(s, sitting, person_id), "device_id": device_id}
                out.append(snap)
        return out

    def _shared(self, s: Any, sitting: Any, audience: str, version: int) -> dict[str, Any]:
        stamp = (sitting.seq, version)
        cached = self._cache.get((sitting.id, audience))
        if cached is not None and cached[0] == stamp:
            base = cached[1]
        else:
            base = terminal_view.build_sections(s, sitting, audience, terminal_view.SECTIONS)
            base["seq"], base["audience"] = sitting.seq, audience
            if len(self._cache) > self.MAX_CACHED:
                self._cache.clear()
            self._cache[(sitting.id, audience)] = (stamp, base)
        snap = dict(base)
        if snap.get("ballot") and snap["ballot"]["status"] == "open":
            voters = terminal_view.progress_in(s, sitting)  # the same connection: see progress_in
            if voters is not None:
                snap["ballot"] = {**snap["ballot"], "voted": voters["voted"], "time_up": voters["time_up"]}
                if "non_voters" in voters and audience in terminal_view.STAFF_AUDIENCES:
                    snap["ballot"]["non_voters"] = voters["non_voters"]
        return snap
