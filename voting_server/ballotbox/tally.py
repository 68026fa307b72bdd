"""The ballot box of a round: homomorphic sums, decryption of the sums only, and the public re-check.

* :class:`Box` adds verified ballots slot by slot (α's with α's, β's with β's) and fingerprints the box:
  the box hash is SHA-256 over the sorted ballot hashes (each ballot's receipt), so it does not depend
  on the order of casting. A ballot, or a ciphertext of one, cast twice is refused (Helios' "ballot
  weeding": a copied ballot would let its copier vote like someone else).
* :meth:`Box.request` is what the key holders' devices receive: the ciphertexts of every ballot (no
  proofs, no voter). A device rebuilds the box from it (:meth:`Box.from_request`), so it decrypts only
  the sums of a box whose hash it shows, never a ciphertext of the server's choosing.
* :func:`partial` is one key holder's decryption share of every sum, D_s = s_i·A_s, each with a
  Chaum–Pedersen proof against the holder's public share; :func:`combine` checks the partials and
  interpolates any k of them at 0 (Lagrange "in the exponent"), so B_s − Σ λ_i·D_s = m_s·G, and m_s is
  found by a bounded lookup (m_s ≤ the number of ballots). No function decrypts a single ballot's
  choices; the one exception is an election's write-in lines, below.
* :func:`verify_tally` takes only public data and re-checks everything.
* Write-ins (:mod:`.writeins`): the sums of the write-in lines decrypt like any other; the sealed names
  are opened only with the sealed round key, at the close (:func:`open_writeins`): each ballot's lines
  and names in memory, in the box's order, only the counts by name kept; :func:`verify_tally` checks
  the counts by name against the lines' decrypted sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ballots import BallotSpec

from .ballot import Ballot, Layout, ballot_hash, context_bytes, verify_ballot
from .errors import refuse
from .group import IDENTITY, add, base, digest, dlog, hexes, mul, point_hex, psum, scalar_hex, sub, u32, versioned
from .keys import KeySet, Share, lagrange_at_zero
from .proofs import prove_dleq, verify_dleq
from .writeins import LINE_PREFIX, check_names, open_names

__all__ = ["MAX_BALLOTS", "Box", "Tally", "check_partial", "combine", "lines_total", "open_writeins", "partial", "tally_input",
           "verify_tally"]

MAX_BALLOTS = 10_000


class Box:
    """The ballots of one round under one key set, summed as they arrive."""

    def __init__(self, keys: KeySet, context: str, slots: int) -> None:
        context_bytes(context)
        self.keys, self.context, self.slots = keys, context, slots
        self.ballots: list[tuple[tuple[bytes, bytes], ...]] = []
        self.names: list[tuple[bytes, ...]] = []
        self._hashes: set[bytes] = set()
        self._alphas: set[bytes] = set()
        self._a = [IDENTITY] * slots
        self._b = [IDENTITY] * slots

    def add(self, ballot: Ballot) -> None:
        """Add a verified ballot; refuse a ballot, or a ciphertext of one, already in the box."""
        if len(ballot.cts) != self.slots:
            raise refuse("malformed", "选票的密文数目不符", "the ballot's number of ciphertexts does not match the box")
        if ballot.hash in self._hashes or any(a in self._alphas for a, _ in ballot.cts):
            raise refuse("duplicate_ballot", "票箱中已有相同的选票密文",
                         "this ballot (or one of its ciphertexts) is already in the box")
        if len(self.ballots) >= MAX_BALLOTS:
            raise refuse("box_full", "票箱已满", f"a box holds at most {MAX_BALLOTS} ballots")
        self._hashes.add(ballot.hash)
        self._alphas.update(a for a, _ in ballot.cts)
        self.ballots.append(ballot.cts)
        self.names.append(ballot.names)
        self._a = [add(s, a) for s, (a, _) in zip(self._a, ballot.cts, strict=False)]
        self._b = [add(s, b) for s, (_, b) in zip(self._b, ballot.cts, strict=False)]

    @property
    def count(self) -> int:
        return len(self.ballots)

    @property
    def sums(self) -> list[tuple[bytes, bytes]]:
        return list(zip(self._a, self._b, strict=False))

    @property
    def hash(self) -> bytes:
        """The ballot-box hash printed on the result sheet."""
        return digest(b"box", self.keys.key_id, context_bytes(self.context), u32(self.count), *sorted(self._hashes))

    def request(self) -> dict[str, Any]:
        """What each key holder's device needs to decrypt this box's sums."""
        return {"v": 1, "context": self.context, "key": self.keys.key_id.hex(),
                "ballots": [[p.hex() for ct in cts for p in ct] for cts in self.ballots]}

    @classmethod
    def from_request(cls, keys: KeySet, request: object) -> Box:
        """Rebuild a box from a decryption request (on a key holder's device): every hash recomputed."""
        request = versioned(request, {"v", "context", "key", "ballots"}, "解密请求格式错误", "malformed decryption request")
        if request["key"] != keys.key_id.hex():
            raise refuse("wrong_key", "解密请求不属于本密钥", "the decryption request is for another key set")
        rows = request["ballots"]
        if not (isinstance(rows, list) and 0 < len(rows) <= MAX_BALLOTS
                and isinstance(rows[0], list) and len(rows[0]) >= 2):
            raise refuse("malformed", "解密请求中没有选票", "the decryption request holds no ballots")
        box = cls(keys, request["context"], len(rows[0]) // 2)
        for row in rows:
            raw = hexes(row, 2 * box.slots, "选票密文")
            cts = tuple((point_hex(raw[i], "选票密文"), point_hex(raw[i + 1], "选票密文")) for i in range(0, len(raw), 2))
            box.add(Ballot(cts, ballot_hash(keys, box.context, cts)))
        return box

    def _head(self, index: int) -> tuple[bytes, ...]:
        return (self.keys.key_id, context_bytes(self.context), self.hash, u32(index))


def partial(box: Box, share: Share) -> dict[str, Any]:
    """A key holder's decryption share of every sum of the box, each with its Chaum–Pedersen proof."""
    if not box.count:
        raise refuse("empty_box", "票箱为空，无需解密", "the box is empty: there is nothing to decrypt")
    public = box.keys.public_share(share.index)
    if base(share.secret) != public:
        raise refuse("share_mismatch", "密钥份额与公开承诺不符", f"the share of holder {share.index} does not match the key set")
    head = box._head(share.index)
    shares = [mul(share.secret, a) for a, _ in box.sums]
    proofs = [prove_dleq((*head, u32(s)), share.secret, public, a, d)
              for s, ((a, _), d) in enumerate(zip(box.sums, shares, strict=False))]
    return {"v": 1, "index": share.index, "box": box.hash.hex(), "shares": [d.hex() for d in shares],
            "proofs": [[x.hex() for x in p] for p in proofs]}


def check_partial(box: Box, wire: object) -> tuple[int, list[bytes]]:
    """A key holder's partial decryption, checked: (their index, their decryption shares)."""
    wire = versioned(wire, {"v", "index", "box", "shares", "proofs"}, "部分解密数据格式错误", "malformed partial decryption")
    index = box.keys.check_index(wire["index"])
    if wire["box"] != box.hash.hex():
        raise refuse("wrong_box", f"监票人 {index} 解密的不是本票箱", f"key holder {index} decrypted another ballot box")
    shares = [point_hex(d, "解密份额") for d in hexes(wire["shares"], box.slots, "解密份额")]
    proofs = wire["proofs"]
    if not isinstance(proofs, list) or len(proofs) != box.slots:
        raise refuse("malformed", "解密证明数目不符", "the number of decryption proofs does not match the box")
    proofs = [[scalar_hex(x, "解密证明") for x in hexes(p, 2, "解密证明")] for p in proofs]
    public, head = box.keys.public_share(index), box._head(index)
    for s, ((a, _), d, proof) in enumerate(zip(box.sums, shares, proofs, strict=False)):
        if not verify_dleq((*head, u32(s)), public, a, d, proof):
            raise refuse("bad_partial", f"监票人 {index} 的解密证明无效",
                         f"the decryption proof of key holder {index} does not verify")
    return index, shares


@dataclass(frozen=True)
class Tally:
    """The decrypted sums: tally input for ``spec.tally``, the holders who decrypted, the box."""

    counts: dict[str, dict[str, int]]
    holders: tuple[int, ...]
    box_hash: str
    cast: int


def combine(box: Box, layout: Layout, partials: Iterable[object]) -> Tally:
    """Check the partial decryptions and, when at least k agree, decrypt the sums."""
    checked: dict[int, list[bytes]] = {}
    for wire in partials:
        index, shares = check_partial(box, wire)
        if index in checked:
            raise refuse("duplicate_holder", f"监票人 {index} 重复解密", f"key holder {index} decrypted twice")
        checked[index] = shares
    if box.count and len(checked) < box.keys.k:
        raise refuse("too_few_partials", f"监票人解密 {len(checked)}/{box.keys.k}，尚不能计票",
                     f"{len(checked)} of the {box.keys.k} key holders needed have decrypted")
    values = _decrypt(box, checked) if box.count else [0] * box.slots
    counts: dict[str, dict[str, int]] = {}
    for (qid, code), m in zip(layout.slots, values, strict=False):
        counts.setdefault(qid, {})[code] = m
    return Tally(counts, tuple(sorted(checked)), box.hash.hex(), box.count)


def _decrypt(box: Box, checked: Mapping[int, Sequence[bytes]]) -> list[int]:
    lam = lagrange_at_zero(sorted(checked))
    values = []
    for s, (_, b) in enumerate(box.sums):
        m = dlog(sub(b, psum(mul(lam[i], d[s]) for i, d in checked.items())), box.count)
        if m is None:
            raise refuse("decryption_failed", "解密结果不在有效范围内", "a decrypted sum is not a count of this box")
        values.append(m)
    return values


def open_writeins(box: Box, layout: Layout, spec: BallotSpec, share: Share) -> dict[str, Any]:
    """The write-ins of a sealed round's box counted by name with its private key (the single holder's
    share), in memory: ``{"counts": {"w:name": n}, "unreadable": u}`` (:func:`.writeins.open_names`)."""
    if box.keys.k != 1 or base(share.secret) != box.keys.public_key:
        raise refuse("share_mismatch", "另选他人的姓名只能以本轮封存的密钥解开",
                     "write-in names open only with the round's own sealed key")
    return open_names(spec, box.keys.key_id, context_bytes(box.context), layout.first_line, share.secret,
                      list(zip(box.ballots, box.names, strict=True)))


def tally_input(layout: Layout, counts: Mapping[str, Mapping[str, int]],
                written: Mapping[str, int] | None = None) -> dict[str, dict[str, int]]:
    """The decrypted sums as ``spec.tally`` reads them: the write-in lines replaced by the counts by name."""
    out = {q: dict(per) for q, per in counts.items() if not q.startswith(LINE_PREFIX)}
    for key, n in (written or {}).items():
        out[key] = {"for": n}
    return out


def lines_total(layout: Layout, counts: Mapping[str, Mapping[str, int]]) -> int:
    """How many write-in votes the box holds: the decrypted sum of its write-in lines."""
    return sum(per.get("for", 0) for q, per in counts.items() if q.startswith(LINE_PREFIX))


def verify_tally(spec: BallotSpec, keys: object, context: str, ballots: Sequence[object], partials: Sequence[object],
                 counts: Mapping[str, Mapping[str, int]], box_hash: str | None = None,
                 map_fn: Callable[..., Iterable[Ballot]] = map, writeins: object = None) -> Tally:
    """Re-check a round from public data only: every ballot's proofs, the sums, every decryption
    proof and the claimed counts (and the printed box hash when given); for write-ins, that the counts
    by name (``writeins``, the record of :func:`open_writeins`) add up to the lines' decrypted sum.
    ``map_fn`` may be a process pool's ``map`` to verify ballots in parallel."""
    layout, key_set = Layout.of(spec), KeySet.from_dict(keys)
    box = Box(key_set, context, len(layout.slots))
    n = len(ballots)
    for ballot in map_fn(verify_ballot, [layout] * n, [key_set] * n, [context] * n, ballots):
        box.add(ballot)
    if box_hash is not None and box_hash != box.hash.hex():
        raise refuse("box_hash_mismatch", "票箱哈希与记录不符", "the ballot-box hash does not match the record")
    tally = combine(box, layout, partials)
    expected = {qid: {code: 0 for code in codes} for qid, codes in layout.questions().items()}
    for qid, per in counts.items():
        expected.setdefault(qid, {}).update(per)
    if expected != tally.counts:
        raise refuse("counts_mismatch", "公布的票数与解密结果不符", "the published counts differ from the decrypted sums")
    if layout.writeins:
        check_names(spec, lines_total(layout, tally.counts), writeins)
    elif writeins is not None:
        raise refuse("writeins_mismatch", "本表决没有另选他人，记录中却有其票数",
                     "the record holds write-ins for a ballot that takes none")
    return tally

