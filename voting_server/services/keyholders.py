"""监票人 key shares: the key ceremony of a sitting and the scrutineers' decryption of a round's sums.

* the ceremony (``deal_keys``, the clerk): n scrutineers of the roster, each typing their own PIN, and a
  threshold k (default 2 of 3). The key is drawn in memory and dealt as Shamir shares with Feldman
  commitments (``ballotbox.deal``); the sitting stores only the public key set and who holds which
  share; each share leaves the server once, on a PIN-protected key card for its holder to print or
  scan (``ballotbox/shares.py``), and is kept nowhere. A sitting whose secret rounds already used its
  key set cannot be dealt again.
* a round of such a sitting takes that key set at its opening (``box.open_box``); at the close it is
  *counting*: closed to casts, its sums not yet decrypted (``closing.close_ballot``);
* each scrutineer, on their own seat, unlocks their card with their PIN and sends the partial
  decryption of the box's sums with its Chaum–Pedersen proofs (``give_share``): it is checked against
  their public share and kept (it is public data); the chair's console shows "监票人解密 1/2". When k have
  answered, the sums are decrypted and the result is stored and signed as at any close. With fewer,
  the round stays counting, nothing is lost, and the rest may answer later (after a restart too).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import ballotbox as bb
from .. import models
from ..db import Store
from ..i18n import msg
from . import box
from .base import Actor, Conflict, Forbidden, Invalid, get_or_404, requires, transaction
from .closing import publish_result
from .lookups import latest_round, member_word, sitting_of_ballot, sitting_words

#: The cost of the PIN's key derivation on the cards dealt here (RFC 9106's second recommended option).
KDF = bb.KDF_DEFAULT


def holders_of(sitting: models.Sitting) -> dict[str, Any] | None:
    """Who holds the sitting's key shares (public: the sheet names them), or None."""
    if not sitting.box_keys:
        return None
    keys = bb.KeySet.from_dict(sitting.box_keys)
    return {"k": keys.k, "n": keys.n, "key": keys.key_id.hex()[:16],
            "holders": [dict(h) for h in sitting.box_holders or []]}


def _holder_entries(s: Session, sitting: models.Sitting, raw: object) -> list[tuple[models.Person, str]]:
    if not isinstance(raw, list) or not raw:
        raise Invalid("bad_holders", msg("请选择监票人"))
    if len(raw) > bb.MAX_HOLDERS:
        raise Invalid("bad_holders", msg("监票人最多{n}人", n=bb.MAX_HOLDERS))
    chosen: list[tuple[models.Person, str]] = []
    for entry in raw:
        if not isinstance(entry, Mapping) or set(entry) != {"person_id", "pin"}:
            raise Invalid("bad_holders", msg("每位监票人须有编号和 PIN"))
        pid, pin = entry["person_id"], entry["pin"]
        if isinstance(pid, bool) or not isinstance(pid, int) or not isinstance(pin, str):
            raise Invalid("bad_holders", msg("每位监票人须有编号和 PIN"))
        person = s.get(models.Person, pid)
        if person is None or person.body_id != sitting.body_id or person.role != "member" or \
                (person.left_on is not None and person.left_on <= sitting.date):
            raise Invalid("not_a_member", msg("监票人须是本机关的{member}", member=member_word(sitting_words(sitting))),
                          person_id=pid)
        if any(p.id == pid for p, _ in chosen):
            raise Invalid("bad_holders", msg("同一人不能持有两份密钥"), person_id=pid)
        chosen.append((person, pin))
    return chosen


@requires("prepare_sitting")
def deal_keys(store: Store, actor: Actor, sitting_id: int, *, k: int, holders: object) -> dict[str, Any]:
    """The key ceremony: deal the sitting's key to ``holders`` ([{person_id, pin}]), any ``k`` of whom
    decrypt. Returns the public key set, the holders and one key card per holder (never stored)."""
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会"))
        chosen = _holder_entries(s, sitting, holders)
        if sitting.box_keys and _key_used(s, sitting):
            raise Conflict("keys_in_use", msg("本次会议已有表决使用了监票人密钥，不能重新发放"))
        dealing = box.guarded(lambda: bb.deal(k, len(chosen), [pin for _, pin in chosen], KDF))
        listed = [{"index": i, "person_id": p.id, "name": p.name} for i, (p, _) in enumerate(chosen, start=1)]
        sitting.box_keys, sitting.box_holders = dealing.keys, listed
        summary = holders_of(sitting)
        assert summary is not None
        tx.audit("keys_dealt", {"sitting_id": sitting.id, "k": k, "n": len(chosen), "key": summary["key"],
                                "holders": [h["name"] for h in listed]}, sitting_id=sitting.id, push=True)
    cards = [{**h, "card": card} for h, card in zip(listed, dealing.cards, strict=True)]
    return {**summary, "cards": cards, "sitting": {"id": sitting.id, "title": sitting.title,
                                                   "date": sitting.date.isoformat()}}


def _key_used(s: Session, sitting: models.Sitting) -> bool:
    rounds = s.scalars(select(models.Round.box_keys).join(models.Ballot).join(models.AgendaItem).where(
        models.AgendaItem.sitting_id == sitting.id, models.Round.box_mode == box.SHARES))
    return any(keys == sitting.box_keys for keys in rounds)


def _counting_round(s: Session, actor: Actor, ballot_id: int) -> tuple[models.Ballot, models.Round]:
    ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
    person = s.get(models.Person, actor.person_id)
    if person is None or person.body_id != sitting_of_ballot(s, ballot).body_id:
        raise Forbidden("other_body", msg("无权查看其他机构的内容"))
    rnd = latest_round(s, ballot.id)
    if rnd is None or rnd.status != box.COUNTING:
        raise Conflict("not_counting", msg("该表决没有等待监票人解密的计票"))
    return ballot, rnd


def _holder(sitting: models.Sitting, actor: Actor) -> dict[str, Any]:
    mine = [h for h in sitting.box_holders or [] if h["person_id"] == actor.person_id]
    if not mine:
        raise Forbidden("not_a_holder", msg("您不是本次会议的监票人"))
    return dict(mine[0])


@requires("decrypt_tally")
def decryption_request(store: Store, actor: Actor, ballot_id: int) -> dict[str, Any]:
    """What a scrutineer's seat needs to decrypt a counting round's sums: the key set, every ballot's
    ciphertexts (no voter, no proof) and which share is theirs. The seat rebuilds the box itself."""
    with store.read() as s:
        ballot, rnd = _counting_round(s, actor, ballot_id)
        holder = _holder(sitting_of_ballot(s, ballot), actor)
        stored, _ = box.stored_box(s, rnd)
        return {"ballot_id": ballot.id, "round_id": rnd.id, "title": ballot.title, "index": holder["index"],
                "keys": rnd.box_keys, "request": stored.request(), "box": stored.hash.hex(),
                "given": any(int(p["index"]) == holder["index"] for p in rnd.box_partials or [])}


@requires("decrypt_tally")
def give_share(store: Store, actor: Actor, ballot_id: int, *, partial: Mapping[str, object]) -> dict[str, Any]:
    """A scrutineer's partial decryption of a counting round's sums, checked and kept; with the k-th,
    the sums are decrypted and the result stored (as at any close, by ``publish_counted``)."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = _counting_round(s, actor, ballot_id)
        s.refresh(rnd, with_for_update=True)  # one scrutineer at a time
        if rnd.status != box.COUNTING:
            raise Conflict("not_counting", msg("该表决没有等待监票人解密的计票"))
        sitting = sitting_of_ballot(s, ballot)
        holder = _holder(sitting, actor)
        if any(int(p["index"]) == holder["index"] for p in rnd.box_partials or []):
            raise Conflict("already_decrypted", msg("您已为本轮表决解密，无需重复"))
        stored, _ = box.stored_box(s, rnd)
        index, _shares = box.guarded(lambda: bb.check_partial(stored, dict(partial)))
        if index != holder["index"]:
            raise Forbidden("not_your_share", msg("这不是您持有的密钥份额"))
        rnd.box_partials = [*(rnd.box_partials or []), dict(partial)]
        received, needed = len(rnd.box_partials), box.keys_of(rnd).k
        tx.audit("tally_share_given", {"ballot_id": ballot.id, "round_id": rnd.id, "index": holder["index"],
                                       "holder": holder["name"], "received": received, "needed": needed},
                 sitting_id=sitting.id, push=True)
    result = publish_counted(store, rnd.id) if received >= needed else None
    return {"received": received, "needed": needed, "result": result}


TALLY = Actor(role="system", name="tally")  # who publishes a result the 监票人 have decrypted


def publish_counted(store: Store, round_id: int) -> dict[str, Any] | None:
    """A counting round with k partial decryptions: its sums decrypted and its result stored and
    pushed, in a transaction of its own by the system, so that no transaction of a member's writes the
    counts. None if the round is not (or no longer) ready."""
    with transaction(store, TALLY) as tx:
        s = tx.session
        rnd = s.get(models.Round, round_id, with_for_update=True)
        if rnd is None or rnd.status != box.COUNTING or len(rnd.box_partials or []) < box.keys_of(rnd).k:
            return None
        sitting = sitting_of_ballot(s, rnd.ballot)
        names = {int(h["index"]): str(h["name"]) for h in sitting.box_holders or []}
        counts, record = box.tally_box(s, store.keys_dir, rnd, names)
        result = publish_result(tx, sitting, rnd.ballot, rnd, counts, record, closed_at=rnd.closed_at)
    store.checkpoint()
    return result


def publish_all_counted(store: Store) -> int:
    """At start-up: publish the result of every round whose k-th partial decryption was stored but
    whose result was not (the server stopped between the two)."""
    with store.read() as s:
        waiting = list(s.scalars(select(models.Round.id).where(models.Round.status == box.COUNTING)))
    return sum(1 for rid in waiting if publish_counted(store, rid) is not None)
