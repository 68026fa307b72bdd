"""The round's timer and the chair's reminder to those who have not voted."""
from __future__ import annotations

import datetime as dt

from ..db import Store
from ..i18n import msg
from .base import Actor, iso, requires, transaction, utcnow
from .lookups import ballot_and_open_round, non_voter_ids, sitting_of_ballot
from .values import Bounded, Refusal

EXTEND_SECONDS = Bounded(10, 3600, Refusal("bad_timer", msg("延长时间必须在10到3600秒之间")))


@requires("drive_ballot")
def extend_timer(store: Store, actor: Actor, ballot_id: int, seconds: int) -> None:
    seconds = EXTEND_SECONDS.check(seconds)
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        base = max(rnd.deadline or utcnow(), utcnow())
        rnd.deadline = base + dt.timedelta(seconds=seconds)
        tx.audit("timer_extended", {"ballot_id": ballot.id, "round_id": rnd.id, "deadline": iso(rnd.deadline)},
                 sitting_id=sitting_of_ballot(s, ballot).id, push=True)


@requires("drive_ballot")
def remind_non_voters(store: Store, actor: Actor, ballot_id: int) -> list[int]:
    """The chair reminds present members who have not voted; their tablets are told."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        sitting = sitting_of_ballot(s, ballot)
        missing = sorted(non_voter_ids(s, sitting, rnd.id))
        tx.audit("reminded", {"ballot_id": ballot.id, "round_id": rnd.id, "person_ids": missing},
                 sitting_id=sitting.id, push=True)
        return missing
