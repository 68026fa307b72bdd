"""A secret round's counts before the close, for tests only: decrypted as the key holder does, from the
stored ballots and the sealed key in the store's key folder (what only database *and* instance folder
together reveal while the round is open). Named rounds: their counters."""
from __future__ import annotations

from sqlalchemy import select

from voting_server import ballotbox as bb
from voting_server import models
from voting_server.db import Store
from voting_server.services import box


def open_counts(store: Store, round_id: int) -> dict[str, dict[str, int]]:
    """Per question and option, how many chose it so far (zeros included)."""
    with store.read() as s:
        rnd = s.get(models.Round, round_id)
        assert rnd is not None
        if not rnd.box_mode:
            out: dict[str, dict[str, int]] = {}
            for row in s.scalars(select(models.TallyCount).where(models.TallyCount.round_id == round_id)):
                out.setdefault(row.question, {})[row.option] = row.count
            return out
        box_, _ = box.stored_box(s, rnd)
        layout = box.layout_of(rnd)
        partials = []
        if box_.count:
            assert rnd.box_context is not None and rnd.box_sealed is not None
            share = bb.KeyFolder(store.keys_dir).share(rnd.box_context, box.keys_of(rnd), rnd.box_sealed)
            partials.append(bb.partial(box_, share))
        return bb.combine(box_, layout, partials).counts


def chosen(counts: dict[str, dict[str, int]]) -> dict[tuple[str, str], int]:
    """The non-zero counts as {(question, option): n}."""
    return {(q, o): n for q, opts in counts.items() for o, n in opts.items() if n}
