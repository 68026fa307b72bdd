"""Ballots the tablets encrypt (``ballot_box_encrypt = "tablet"``): the seat encrypts its member's choice
in the browser and casts the wire ballot (``ballotbox``'s format v1) with its validity proofs; the server
never sees the choice.

Before a batch of casts is written, the proofs of its tablets' ballots are verified under each round's
key and context by the store's ballot checker (``ballotbox.CheckerPool``: worker processes, off the
event loop; without one, here). A ballot whose form, size or proofs fail is refused with the ballot
box's own code (``malformed``, ``ballot_too_large``, ``bad_proof`` …); a ballot made for another round
or key fails its proofs, which bind both. Then, in the cast's transaction, the round must still be the
one the ballot was checked for (``round_changed``), and no ballot with the same hash, nor one
ciphertext of it, may already be in the round (``duplicate_ballot``). A verified ballot is stored as
the server's own encrypted ballots are: its wire text and its hash, the member's receipt.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import ballotbox as bb
from .. import models
from ..db import Store
from ..i18n import msg
from . import box
from .base import Conflict, Invalid, ServiceError, rules_refusal
from .lookups import latest_round
from .values import Rule

__all__ = ["WIRE_BALLOT", "Checked", "check_ballots", "replays"]


class WireBallot(Rule[Mapping[str, Any]]):
    """A tablet's encrypted ballot: a JSON object (its fields are the ballot checker's to read)."""

    json_types = (dict,)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_ballot", msg("加密选票格式错误"))


WIRE_BALLOT = WireBallot()


@dataclass(frozen=True)
class Checked:
    """A tablet's ballot whose proofs verified under the round of ``context``."""

    context: str
    receipt: str
    wire: str
    alphas: tuple[str, ...]


def check_ballots(store: Store, ballots: Mapping[int, tuple[int, object]]) -> dict[int, Checked | ServiceError]:
    """The tablets' ballots of a batch, by request: ``{request: (ballot id, wire ballot)}``, each checked
    against the open round of its ballot. A request whose ballot has no open round encrypted by tablets
    is left out (the cast's own checks refuse it)."""
    with store.read() as s:
        rounds = {ballot_id: latest_round(s, ballot_id) for ballot_id in {b for b, _ in ballots.values()}}
    jobs: list[bb.Job] = []
    where: list[int] = []
    for i, (ballot_id, wire) in ballots.items():
        rnd = rounds[ballot_id]
        if rnd is None or rnd.status != "open" or rnd.box_encrypt != box.TABLET or rnd.box_context is None:
            continue
        jobs.append((box.layout_of(rnd), box.keys_of(rnd), rnd.box_context, wire))
        where.append(i)
    checker = store.ballot_checker or bb.check_all
    out: dict[int, Checked | ServiceError] = {}
    for i, job, outcome in zip(where, jobs, checker(jobs), strict=True):
        if outcome[0] == "ok":
            out[i] = Checked(job[2], outcome[1], outcome[2], tuple(outcome[3]))
        else:
            out[i] = rules_refusal(bb.BallotBoxError(*outcome[1:4]))
    return out


def replays(s: Session, round_id: int, checked: Sequence[Checked]) -> list[bool]:
    """Which of a batch's verified ballots repeat one already in the round, or one before it in the
    batch: the same ballot (its hash), or any one of its ciphertexts (its α)."""
    hashes = set(s.scalars(select(models.BoxBallot.hash).where(
        models.BoxBallot.hash.in_([c.receipt for c in checked]))))
    alphas = set(s.scalars(select(models.BoxCiphertext.alpha).where(
        models.BoxCiphertext.round_id == round_id,
        models.BoxCiphertext.alpha.in_([a for c in checked for a in c.alphas]))))
    out = []
    for c in checked:
        seen = c.receipt in hashes or any(a in alphas for a in c.alphas) or len(set(c.alphas)) < len(c.alphas)
        out.append(seen)
        hashes.add(c.receipt)
        alphas.update(c.alphas)
    return out


def replayed() -> Conflict:
    return Conflict("duplicate_ballot", msg("这张加密选票（或其中的密文）已投入票箱，不能再次投入"))


def round_changed() -> Conflict:
    return Conflict("round_changed", msg("本轮表决已变更，请重新选择后再投票"))


def tablet_encrypts() -> Invalid:
    return Invalid("tablet_encrypts", msg("本轮表决须由表决器加密选票，请刷新表决器页面后重试"))


def server_encrypts() -> Invalid:
    return Invalid("server_encrypts", msg("本轮表决由服务器加密，表决器不应发送加密选票"))
