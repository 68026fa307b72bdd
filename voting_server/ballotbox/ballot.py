"""Encrypted ballots: a spec's layout, the honest encoder and the verifier.

A ballot is one exponential-ElGamal ciphertext per (question, option) -- a *slot* -- encrypting 1 if
the member chose that option and 0 otherwise, so the per-slot sums of a round are exactly the tally
input ``{question_id: {option: n}}`` of ``spec.tally``. The layout (:class:`Layout`) lists the slots and
the linear constraints a valid ballot meets, derived from ``spec.questions()`` and ``spec.limits()``:

* every slot is 0 or 1 (a 0/1 proof each);
* a question that must be answered (``answer_all``) or that has a default answer (``default_code``,
  e.g. 弃权 for an unanswered for/against/abstain candidate, as ``spec.validate`` records it) sums to
  exactly 1; any other question with several options sums to 0..1 (a mark-style candidate has one
  slot, so its 0/1 proof says it all: an unmarked candidate encrypts 0, as its plaintext is absent);
* at most ``max_marks`` slots of ``for_code`` are 1, and at most ``caps[code]`` slots of each capped
  grade (range proofs 0..L on the sums), each omitted when L is no less than the number of slots.

A vector meets these constraints exactly when it is the encoding of a choice ``spec.validate``
accepts (the property tests check both directions), so a ballot whose proofs verify is a valid
ballot, and the sums decrypt to what the plaintext count would have been.

An election with write-ins (另选他人) has ``places`` *write-in lines* after its questions: "for" slots,
so the for-marks' range proof covers candidates and write-ins together, each line's name sealed to the
round key by hashed ElGamal with a nonce of its own (:mod:`.writeins`); the sealed names enter the
ballot's hash (``"writeins"`` in the wire form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ballots
from ballots import BallotSpec

from .errors import refuse
from .group import (
    SIZE,
    add,
    base,
    digest,
    hexes,
    mul,
    point_hex,
    psum,
    random_scalar,
    scalar_hex,
    small,
    ssum,
    u32,
    versioned,
)
from .keys import KeySet
from .proofs import prove_range, verify_range
from .writeins import LINE_PREFIX, SEALED_BYTES, line_id, seal_name

__all__ = [
    "MAX_BRANCHES",
    "MAX_SLOTS",
    "Ballot",
    "Layout",
    "ballot_hash",
    "context_bytes",
    "encrypt",
    "encrypt_ballot",
    "load_ballot",
    "read_ballot",
    "restore_ballot",
    "verify_ballot",
]

MAX_SLOTS = 1024
MAX_BRANCHES = 8192
MAX_CONTEXT = 256
Ciphertext = tuple[bytes, bytes]


def context_bytes(context: object) -> bytes:
    """The round's context string as it enters every hash: unique per round (e.g. "sitting 7 / ballot
    12 / round 1"), so that no ballot, proof or key file of one round serves another."""
    raw = context.encode("utf-8") if isinstance(context, str) else b""
    if not raw or len(raw) > MAX_CONTEXT:
        raise refuse("invalid_context", "轮次标识无效",
                     f"the round context must be a non-empty string of at most {MAX_CONTEXT} bytes")
    return raw


@dataclass(frozen=True)
class Layout:
    """Slots (question id, option code) in spec order, and the sums (slot indices, lo, hi) to prove;
    ``writeins``: how many write-in lines end the slots (0 where the spec takes no write-ins)."""

    slots: tuple[tuple[str, str], ...]
    sums: tuple[tuple[tuple[int, ...], int, int], ...]
    required: bool
    default: str | None
    writeins: int = 0

    @classmethod
    def of(cls, spec: BallotSpec) -> Layout:
        lim = spec.limits()
        required = bool(lim["answer_all"]) or lim["default_code"] is not None
        slots: list[tuple[str, str]] = []
        sums: list[tuple[tuple[int, ...], int, int]] = []
        for q in spec.questions():
            first = len(slots)
            slots += [(q.id, code) for code in q.codes()]
            idx = tuple(range(first, len(slots)))
            if required:
                sums.append((idx, 1, 1))
            elif len(idx) > 1:
                sums.append((idx, 0, 1))
        lines = lim["max_marks"] if lim.get("write_in_prefix") else 0
        slots += [(line_id(i), lim["for_code"]) for i in range(lines)]
        bounds = [(lim["for_code"], lim["max_marks"])] if lim["max_marks"] is not None else []
        for code, limit in [*bounds, *sorted(lim["caps"].items())]:
            idx = tuple(i for i, (_, c) in enumerate(slots) if c == code)
            if limit < len(idx):
                sums.append((idx, 0, limit))
        lay = cls(tuple(slots), tuple(sums), required, lim["default_code"], lines)
        if len(slots) > MAX_SLOTS or lay.branches > MAX_BRANCHES:
            raise refuse("ballot_too_large", "该表决的选项过多，无法加密",
                         f"this ballot has too many options to encrypt ({len(slots)} slots)")
        return lay

    @property
    def branches(self) -> int:
        return 2 * len(self.slots) + sum(hi - lo + 1 for _, lo, hi in self.sums)

    @property
    def max_bytes(self) -> int:
        """An upper bound on a well-formed ballot's JSON text: 70 bytes per quoted hex string with its
        separator, 8 per list, 128 for the rest."""
        strings = 6 * len(self.slots) + 2 * (self.branches - 2 * len(self.slots))
        return 128 + 70 * strings + 8 * (len(self.slots) + len(self.sums)) + (2 * SEALED_BYTES + 4) * self.writeins

    @property
    def first_line(self) -> int:
        """The slot index of the first write-in line."""
        return len(self.slots) - self.writeins

    def values(self, normalised: Mapping[str, str]) -> list[int]:
        """The 0/1 vector of a choice ``spec.validate`` returned (a write-in line is 1 for each name)."""
        names = len(self.names(normalised))
        return [(1 if i - self.first_line < names else 0) if i >= self.first_line
                else 1 if normalised.get(qid) == code else 0 for i, (qid, code) in enumerate(self.slots)]

    def names(self, normalised: Mapping[str, str]) -> list[str]:
        """The names a choice writes in, one per line (the keys after "w:"), in the choice's order."""
        if not self.writeins:
            return []
        prefix = ballots.WRITE_IN_PREFIX
        return [q[len(prefix):] for q in normalised if q.startswith(prefix)][:self.writeins]

    def questions(self) -> dict[str, list[str]]:
        """Option codes by question id, in slot order (write-in lines included)."""
        out: dict[str, list[str]] = {}
        for qid, code in self.slots:
            out.setdefault(qid, []).append(code)
        return out

    def to_dict(self) -> dict[str, Any]:
        """What a tablet needs to encrypt (see ``ballotbox/ballot.js``): the rules are computed here.
        The write-in lines are not questions: ``writeins`` says how many follow them."""
        return {"v": 1, "questions": [{"id": q, "options": o} for q, o in self.questions().items()
                                      if not q.startswith(LINE_PREFIX)],
                "required": self.required, "default": self.default,
                "sums": [{"slots": list(idx), "min": lo, "max": hi} for idx, lo, hi in self.sums],
                **({"writeins": self.writeins} if self.writeins else {})}


@dataclass(frozen=True)
class Ballot:
    """A ballot whose proofs verified: its ciphertexts and its hash (the member's receipt); ``names``:
    its write-in lines' sealed names."""

    cts: tuple[Ciphertext, ...]
    hash: bytes
    names: tuple[bytes, ...] = ()

    @property
    def receipt(self) -> str:
        return self.hash.hex()


def ballot_hash(keys: KeySet, context: str, cts: Sequence[Ciphertext], names: Sequence[bytes] = ()) -> bytes:
    tail = (b"writeins", u32(len(names)), *names) if names else ()
    return digest(b"ballot", keys.key_id, context_bytes(context), u32(len(cts)), *(p for ct in cts for p in ct),
                  *tail)


def encrypt(spec: BallotSpec, keys: KeySet, context: str, choice: Mapping[str, str]) -> dict[str, Any]:
    """The wire form of a member's choice, encrypted under the round's key with its validity proofs.

    The choice is first checked by ``spec.validate``: an invalid choice raises the rules' own error
    and produces no ballot."""
    layout = Layout.of(spec)
    normalised = spec.validate(choice)
    return encrypt_values(layout, keys, context, layout.values(normalised), layout.names(normalised))


def encrypt_values(layout: Layout, keys: KeySet, context: str, values: Sequence[int],
                   names: Sequence[str] = ()) -> dict[str, Any]:
    return encrypt_ballot(layout, keys, context, values, names)[1]


def encrypt_ballot(layout: Layout, keys: KeySet, context: str, values: Sequence[int],
                   names: Sequence[str] = ()) -> tuple[Ballot, dict[str, Any]]:
    """The ballot (its ciphertexts and hash) and its wire form with proofs, of a 0/1 vector and the
    names on its write-in lines (one per line marked 1, in order)."""
    key = keys.public_key
    rs = [random_scalar() for _ in values]
    shared = [mul(r, key) for r in rs]
    cts = [(base(r), add(small(m), rk)) for r, m, rk in zip(rs, values, shared, strict=False)]
    first, ctx = layout.first_line, context_bytes(context)
    sealed = [seal_name(keys.key_id, ctx, i, cts[first + i][0], key, names[i] if i < len(names) else "")
              for i in range(layout.writeins)]
    h = ballot_hash(keys, context, cts, sealed)
    head = (keys.key_id, context_bytes(context), h)
    slots = [[a.hex(), b.hex(), *(x.hex() for x in prove_range((*head, b"slot", u32(i)), key, a, b, r, m, 0, 1))]
             for i, ((a, b), r, m) in enumerate(zip(cts, rs, values, strict=False))]
    sums = []
    for t, (idx, lo, hi) in enumerate(layout.sums):
        a, b = psum(cts[i][0] for i in idx), psum(cts[i][1] for i in idx)
        r, m = ssum(rs[i] for i in idx), sum(values[i] for i in idx)
        proof = prove_range((*head, b"sum", u32(t)), key, a, b, r, m, lo, hi)
        sums.append([x.hex() for x in proof])
    wire: dict[str, Any] = {"v": 1, "slots": slots, "sums": sums}
    if layout.writeins:
        wire["writeins"] = [x.hex() for x in sealed]
    return Ballot(tuple(cts), h, tuple(sealed)), wire


def load_ballot(text: str | bytes, layout: Layout) -> Any:
    """Parse a ballot's JSON text, refusing one larger than any well-formed ballot before parsing."""
    if len(text) > layout.max_bytes:
        raise refuse("ballot_too_large", "选票数据过大",
                     f"ballot of {len(text)} bytes exceeds the {layout.max_bytes} allowed")
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise refuse("malformed", "选票数据不是有效的 JSON", "the ballot is not valid JSON") from None


def read_ballot(layout: Layout, wire: object
                ) -> tuple[list[Ciphertext], list[list[bytes]], list[list[bytes]], tuple[bytes, ...]]:
    """The ciphertexts, proofs and sealed write-in names of a wire ballot, every field checked; no proof
    is verified yet."""
    fields = {"v", "slots", "sums", "writeins"} if layout.writeins else {"v", "slots", "sums"}
    wire = versioned(wire, fields, "选票格式错误（应为 v=1 的 slots 与 sums）",
                     "malformed ballot: expected v=1, slots and sums")
    slots, sums = wire["slots"], wire["sums"]
    if not (isinstance(slots, list) and len(slots) == len(layout.slots)
            and isinstance(sums, list) and len(sums) == len(layout.sums)):
        raise refuse("malformed", "选票的密文或证明数目不符",
                     "the ballot's number of ciphertexts or sum proofs does not match the ballot")
    raw_slots = [hexes(s, 6, "选票密文") for s in slots]
    raw_sums = [hexes(s, 2 * (hi - lo + 1), "选票证明") for s, (_, lo, hi) in zip(sums, layout.sums, strict=False)]
    cts = [(point_hex(s[0], "选票密文"), point_hex(s[1], "选票密文")) for s in raw_slots]
    slot_proofs = [[scalar_hex(x, "选票证明") for x in s[2:]] for s in raw_slots]
    sum_proofs = [[scalar_hex(x, "选票证明") for x in s] for s in raw_sums]
    return cts, slot_proofs, sum_proofs, _sealed_names(layout, wire.get("writeins"))


def _sealed_names(layout: Layout, value: object) -> tuple[bytes, ...]:
    if not layout.writeins:
        return ()
    width = 2 * SEALED_BYTES
    if not (isinstance(value, list) and len(value) == layout.writeins
            and all(isinstance(x, str) and len(x) == width and _is_hex(x) for x in value)):
        raise refuse("malformed", "选票中另选他人的密文格式错误", "malformed sealed write-in names")
    sealed = tuple(bytes.fromhex(x) for x in value)
    for x in sealed:
        point_hex(x[:SIZE], "另选他人的密文")
    return sealed


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def restore_ballot(layout: Layout, keys: KeySet, context: str, wire: object) -> Ballot:
    """A ballot read back from the server's own storage, whose proofs were verified when it was cast:
    every field checked again, the proofs not (to rebuild an open round's box after a restart)."""
    cts, _, _, names = read_ballot(layout, wire)
    return Ballot(tuple(cts), ballot_hash(keys, context, cts, names), names)


def verify_ballot(layout: Layout, keys: KeySet, context: str, wire: object) -> Ballot:
    """Check a wire ballot completely: its form, then every 0/1 and sum proof; return its ciphertexts."""
    cts, slot_proofs, sum_proofs, names = read_ballot(layout, wire)
    key = keys.public_key
    h = ballot_hash(keys, context, cts, names)
    head = (keys.key_id, context_bytes(context), h)
    for i, ((a, b), proof) in enumerate(zip(cts, slot_proofs, strict=False)):
        if not verify_range((*head, b"slot", u32(i)), key, a, b, 0, 1, proof):
            qid, code = layout.slots[i]
            raise refuse("bad_proof", f"选票证明无效（{qid} / {code}）", f"the 0/1 proof of {qid}/{code} does not verify")
    for t, ((idx, lo, hi), proof) in enumerate(zip(layout.sums, sum_proofs, strict=False)):
        a, b = psum(cts[i][0] for i in idx), psum(cts[i][1] for i in idx)
        if not verify_range((*head, b"sum", u32(t)), key, a, b, lo, hi, proof):
            raise refuse("bad_proof", "选票的合计证明无效", f"the proof that sum {t} lies in {lo}..{hi} does not verify")
    return Ballot(tuple(cts), h, names)
