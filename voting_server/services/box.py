"""The encrypted ballot box of a secret round, as the services use it (the construction, its proofs and
its references are in ``voting_server/ballotbox``).

* open: a key pair per round; the private key is sealed under a wrapping key kept in the instance
  folder (``Store.keys_dir``), never in the database;
* cast: the member's choice is encrypted under the round's public key with its validity proofs and
  stored as one ``BoxBallot``; the member's receipt is the ballot's hash. No plaintext count of the
  round exists anywhere before the close;
* close: the stored ballots are added homomorphically and only the sums are decrypted, with a
  Chaum–Pedersen proof; the record (box hash, sums, partial decryptions) goes on the result, and the
  sealed key and its wrapping key are destroyed once the result is committed;
* verify: anyone re-checks every ballot's proofs, the sums and the decryption proofs from the stored
  data, without any key.

An election's write-ins (另选他人) are write-in lines of the box with each name sealed to the round key
(``ballotbox.writeins``): at a sealed round's close the names are opened in memory and only their counts
by name go on the record (``writeins``); a 监票人 box takes no write-ins (``check_writeins``).
"""
from __future__ import annotations

import functools
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import ballots

from .. import ballotbox as bb
from .. import models
from ..db import Store
from ..i18n import msg
from .base import Conflict, canonical, rules_refusal
from .lookups import spec_of

log = logging.getLogger(__name__)

T = TypeVar("T")
SEALED, SHARES = ballots.BOX_KEYS
SERVER, TABLET = ballots.BOX_ENCRYPT
COUNTING = "counting"  # a closed round of a 监票人 box whose sums await k partial decryptions
Counts = dict[str, dict[str, int]]


def boxed(ballot: models.Ballot) -> bool:
    """Whether a ballot's rounds keep an encrypted box: secret ballots voted on tablets."""
    return bool(ballot.secret) and ballot.method != "hands"


def modes(ballot: models.Ballot, rules: ballots.RuleSet) -> tuple[str, str]:
    """Who holds the key of the ballot's box and who encrypts its ballots: the ballot's own choice, else
    the body's rules (``ballot_box_keys``, ``ballot_box_encrypt``)."""
    return ballot.box_keys or rules.ballot_box_keys, ballot.box_encrypt or rules.ballot_box_encrypt


def open_box(keys_dir: Path, sitting: models.Sitting, ballot: models.Ballot, rnd: models.Round,
             rules: ballots.RuleSet) -> None:
    """Give a new round its key: the wrapping key is written (0600) before the round is committed."""
    keys_mode, encrypt = modes(ballot, rules)
    check_writeins(spec_of(rnd.spec), keys_mode)
    context = f"biaojue ballot {ballot.id} round {rnd.number} #{rnd.id} {secrets.token_hex(8)}"
    if keys_mode == SHARES:
        if not sitting.box_keys:
            raise Conflict("no_key_holders", msg("本表决由监票人持有密钥：请先为本次会议发放监票人密钥"))
        rnd.box_mode, rnd.box_context, rnd.box_keys = SHARES, context, dict(sitting.box_keys)
    else:
        sealed = guarded(lambda: bb.KeyFolder(keys_dir).open_round(context))
        rnd.box_mode, rnd.box_context, rnd.box_keys, rnd.box_sealed = SEALED, context, sealed.keys, sealed.sealed
    rnd.box_encrypt = encrypt


@functools.lru_cache(maxsize=64)
def _layout(spec_key: str) -> bb.Layout:
    return bb.Layout.of(spec_of(json.loads(spec_key)))


@functools.lru_cache(maxsize=64)
def _keys(keys_key: str) -> bb.KeySet:
    return bb.KeySet.from_dict(json.loads(keys_key))


def layout_of(rnd: models.Round) -> bb.Layout:
    return _layout(canonical(rnd.spec))


def keys_of(rnd: models.Round) -> bb.KeySet:
    assert rnd.box_keys is not None
    return _keys(canonical(rnd.box_keys))


def encrypt_choice(rnd: models.Round, choice: dict[str, str]) -> tuple[str, str]:
    """A validated choice, encrypted for the round's box: (its hash, the receipt; its wire text)."""
    assert rnd.box_context is not None
    layout = layout_of(rnd)
    ballot, wire = guarded(lambda: bb.encrypt_ballot(layout, keys_of(rnd), str(rnd.box_context),
                                                      layout.values(choice), layout.names(choice)))
    return ballot.receipt, json.dumps(wire, separators=(",", ":"))


@dataclass(frozen=True)
class Sealed:
    """A validated choice the server encrypted ahead of a cast's transaction for the round of ``context``."""

    context: str
    choice: dict[str, str]
    receipt: str
    wire: str


def seal_choices(store: Store, choices: Mapping[int, tuple[models.Round, dict[str, str]]]) -> dict[int, Sealed]:
    """Validated choices of server-encrypted rounds, by request, encrypted with their proofs by the store's
    ballot checker (its worker processes, off the event loop; without one, here). A choice the box refuses
    to encrypt is left out (its cast encrypts it again, and is refused, in its transaction)."""
    jobs: list[bb.Plain] = []
    for rnd, choice in choices.values():
        layout = layout_of(rnd)
        jobs.append((layout, keys_of(rnd), str(rnd.box_context), tuple(layout.values(choice)),
                     tuple(layout.names(choice))))
    run = getattr(store.ballot_checker, "seal", None) or bb.seal_all
    return {i: Sealed(str(rnd.box_context), choice, outcome[1], outcome[2])
            for (i, (rnd, choice)), outcome in zip(choices.items(), run(jobs), strict=True) if outcome[0] == "ok"}


def stored_box(s: Session, rnd: models.Round) -> tuple[bb.Box, list[Any]]:
    """A round's box rebuilt from its stored ballots (each read back and checked, its proofs not), and
    the stored wire ballots."""
    layout, keys, context = layout_of(rnd), keys_of(rnd), str(rnd.box_context)
    wires = [json.loads(w) for w in s.scalars(select(models.BoxBallot.wire).where(
        models.BoxBallot.round_id == rnd.id))]
    box = bb.Box(keys, context, len(layout.slots))
    for wire in wires:
        box.add(bb.restore_ballot(layout, keys, context, wire))
    return box, wires


def box_size(s: Session, rnd: models.Round) -> int:
    """How many ballots a round's box holds."""
    return s.scalar(select(func.count()).select_from(models.BoxBallot).where(
        models.BoxBallot.round_id == rnd.id)) or 0


def counting_of(s: Session, rnd: models.Round) -> dict[str, Any]:
    """How far the scrutineers' decryption of a counting round is (for every terminal)."""
    given = sorted(int(p["index"]) for p in rnd.box_partials or [])
    keys = keys_of(rnd)
    ballots_in = box_size(s, rnd)
    return {"received": len(given), "needed": keys.k, "given": given, "ballots": ballots_in}


def check_complete(s: Session, rnd: models.Round) -> None:
    """Refuse to count a box that does not hold one ballot per member who has voted."""
    count = box_size(s, rnd)
    if count != rnd.voters:
        raise Conflict("box_incomplete", msg("票箱中的选票数（{ballots}）与已表决人数（{voters}）不符",
                                             ballots=count, voters=rnd.voters))


def tally_box(s: Session, keys_dir: Path, rnd: models.Round,
              holder_names: dict[int, str] | None = None) -> tuple[Counts, dict[str, Any]]:
    """The decrypted sums of the round's box and the record that lets anyone re-check them: with the
    sealed key at the close, or with the scrutineers' partial decryptions the round has received."""
    def run() -> tuple[Counts, dict[str, Any]]:
        check_complete(s, rnd)
        box, _ = stored_box(s, rnd)
        layout = layout_of(rnd)
        partials: list[Any] = []
        written: dict[str, Any] = {"counts": {}, "unreadable": 0}
        if rnd.box_mode == SHARES:
            if layout.writeins:
                raise writeins_need_sealed()
            partials = list(rnd.box_partials or [])
        elif box.count:
            assert rnd.box_sealed is not None and rnd.box_context is not None
            share = bb.KeyFolder(keys_dir).share(rnd.box_context, keys_of(rnd), rnd.box_sealed)
            partials.append(bb.partial(box, share))
            if layout.writeins:
                written = bb.open_writeins(box, layout, spec_of(rnd.spec), share)
        tally = bb.combine(box, layout, partials)
        record = {"v": 1, "mode": rnd.box_mode, "hash": tally.box_hash, "ballots": box.count,
                  "counts": tally.counts, "holders": list(tally.holders), "partials": partials}
        if layout.writeins:
            record["writeins"] = written
        if rnd.box_mode == SHARES:
            names = holder_names or {}
            record["holder_names"] = [names.get(i, str(i)) for i in tally.holders]
        return bb.tally_input(layout, tally.counts, written["counts"]), record
    return guarded(run)


def verified_counts(s: Session, rnd: models.Round, record: dict[str, Any]) -> Counts:
    """The sums of a closed round's box, re-checked from the stored ballots and the stored decryption
    proofs only: every ballot's proofs, the box hash, each partial decryption and the counts."""
    def run() -> Counts:
        _, wires = stored_box(s, rnd)
        tally = bb.verify_tally(spec_of(rnd.spec), rnd.box_keys, str(rnd.box_context), wires,
                                record.get("partials", []), record.get("counts", {}), record.get("hash"),
                                writeins=record.get("writeins"))
        written = record["writeins"]["counts"] if record.get("writeins") else None
        return bb.tally_input(layout_of(rnd), tally.counts, written)
    return guarded(run)


def writeins_need_sealed() -> Conflict:
    return Conflict("writeins_need_sealed", msg("另选他人的姓名须由服务器封存的密钥解开：由监票人分持密钥的票箱不能另选他人，"
                                                "请改为服务器封存密钥，或不允许另选他人"))


def check_writeins(spec: ballots.BallotSpec, keys_mode: str) -> None:
    """Refuse write-ins (另选他人) in a box whose key the 监票人 hold (see the module)."""
    if keys_mode == SHARES and spec.limits().get("write_in_prefix"):
        raise writeins_need_sealed()


def destroy_key(store: Store, rnd: models.Round) -> None:
    """After the result is committed: the round's wrapping key overwritten and removed (the sealed key
    itself was cleared in the closing transaction), so no later copy of database and instance folder
    decrypts anything of it."""
    if rnd.box_mode == SEALED and rnd.box_context:
        try:
            bb.KeyFolder(store.keys_dir).destroy(rnd.box_context)
        except OSError:  # removed at the next start (``destroy_spent_keys``)
            log.warning("could not destroy the wrapping key of round %s", rnd.id, exc_info=True)


def destroy_spent_keys(store: Store) -> int:
    """At start-up: destroy the wrapping keys of rounds no longer open (a crash between the close's
    commit and the key's removal, an opening rolled back) and clear any sealed key a closed round kept."""
    with store.write_session() as s, s.begin():
        s.execute(update(models.Round).where(models.Round.status != "open", models.Round.box_sealed.is_not(None))
                  .values(box_sealed=None))
        keep = list(s.scalars(select(models.Round.box_context).where(
            models.Round.status == "open", models.Round.box_mode == SEALED, models.Round.box_context.is_not(None))))
    folder = store.keys_dir
    if not folder.exists():
        return 0
    destroyed = bb.KeyFolder(folder).prune(str(c) for c in keep)
    if destroyed:
        log.info("destroyed %d wrapping keys of closed rounds", destroyed)
    return destroyed


def guarded(fn: Callable[[], T]) -> T:
    """The box's refusals as the services' (a code and words in both languages)."""
    try:
        return fn()
    except bb.BallotBoxError as err:
        raise rules_refusal(err) from err
