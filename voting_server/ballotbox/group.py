"""ristretto255 through libsodium (``rbcl``): points and scalars as their canonical 32-byte encodings.

Nothing here computes with big integers: every scalar and point operation is a libsodium call. Small
non-negative integers (vote counts, branch numbers, key-holder indices) become scalars by their
32-byte little-endian encoding, which is how libsodium reads scalars.

Two framed hashes bind everything that is proved or published (see the package docstring):
:func:`challenge` (SHA-512, reduced mod the group order: a Fiat–Shamir challenge) and :func:`digest`
(SHA-256: ballot, box and key fingerprints). Both hash the protocol tag, the group name, a label and
then each item, every one prefixed by its 4-byte big-endian length, so no two transcripts collide.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import rbcl

from .errors import refuse

__all__ = [
    "GROUP",
    "IDENTITY",
    "PROTOCOL",
    "ZERO",
    "G",
    "add",
    "base",
    "challenge",
    "digest",
    "dlog",
    "hexes",
    "mul",
    "point_hex",
    "psum",
    "random_scalar",
    "sadd",
    "scalar",
    "scalar_hex",
    "signed",
    "sinv",
    "small",
    "smul",
    "ssub",
    "ssum",
    "sub",
    "u32",
]

PROTOCOL = b"biaojue-ballotbox-v1"
GROUP = b"ristretto255"
SIZE = 32
IDENTITY = bytes(SIZE)
ZERO = bytes(SIZE)
_HEX = re.compile(r"[0-9a-f]{64}")


def scalar(n: int) -> bytes:
    """The scalar of a small non-negative integer (a count, an index, a branch number)."""
    return n.to_bytes(SIZE, "little")


def signed(n: int) -> bytes:
    """The scalar of a small integer of either sign."""
    return scalar(n) if n >= 0 else rbcl.crypto_core_ristretto255_scalar_negate(scalar(-n))


random_scalar = rbcl.crypto_core_ristretto255_scalar_random
sadd = rbcl.crypto_core_ristretto255_scalar_add
ssub = rbcl.crypto_core_ristretto255_scalar_sub
smul = rbcl.crypto_core_ristretto255_scalar_mul
sinv = rbcl.crypto_core_ristretto255_scalar_invert
# The ``allow_scalar_zero`` variants return the identity for a zero scalar (or an identity result)
# instead of failing; every point given to them has been checked by :func:`point_hex` or computed here.
base = rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero
add = rbcl.crypto_core_ristretto255_add
sub = rbcl.crypto_core_ristretto255_sub


def mul(s: bytes, p: bytes) -> bytes:
    """s·P (the identity when s is zero or P is the identity)."""
    return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(s, p)


G = base(scalar(1))


def ssum(scalars: Iterable[bytes]) -> bytes:
    total = ZERO
    for s in scalars:
        total = sadd(total, s)
    return total


def psum(points: Iterable[bytes]) -> bytes:
    total = IDENTITY
    for p in points:
        total = add(total, p)
    return total


# m·G for m = 0, 1, 2, ...: grown on demand, shared by the encoder (small m) and the bounded discrete
# logarithm of the tally (m up to the number of ballots).
_multiples: list[bytes] = [IDENTITY]
_index: dict[bytes, int] = {IDENTITY: 0}


def _grow(n: int) -> None:
    while len(_multiples) <= n:
        p = add(_multiples[-1], G)
        _index[p] = len(_multiples)
        _multiples.append(p)


def small(m: int) -> bytes:
    """m·G for a small m ≥ 0 (a table lookup)."""
    _grow(m)
    return _multiples[m]


def dlog(p: bytes, bound: int) -> int | None:
    """The m in 0..bound with m·G = P, or None: a bounded lookup, as in Helios' tally."""
    _grow(bound)
    m = _index.get(p)
    return m if m is not None and m <= bound else None


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def _framed(h: hashlib._Hash, label: bytes, items: Sequence[bytes]) -> None:
    for item in (PROTOCOL, GROUP, label, *items):
        h.update(len(item).to_bytes(4, "big"))
        h.update(item)


def challenge(label: bytes, *items: bytes) -> bytes:
    """A Fiat–Shamir challenge: SHA-512 of the framed transcript, reduced mod the group order."""
    h = hashlib.sha512()
    _framed(h, label, items)
    return rbcl.crypto_core_ristretto255_scalar_reduce(h.digest())


def digest(label: bytes, *items: bytes) -> bytes:
    """A 32-byte fingerprint: SHA-256 of the framed items."""
    h = hashlib.sha256()
    _framed(h, label, items)
    return h.digest()


# --- wire encodings: lowercase hex of exactly 32 bytes, checked before any group operation --------


def hexes(value: object, count: int, what: str) -> list[bytes]:
    """``count`` strict 64-digit lowercase hex strings (a list) as bytes; refuse anything else."""
    if not isinstance(value, list) or len(value) != count:
        raise refuse("malformed", f"{what}格式错误：应为{count}个编码", f"{what}: expected a list of {count} encodings")
    out = []
    for item in value:
        if not isinstance(item, str) or not _HEX.fullmatch(item):
            raise refuse("malformed_encoding", f"{what}含无效编码", f"{what}: not a 64-digit lowercase hex encoding")
        out.append(bytes.fromhex(item))
    return out


def versioned(value: object, fields: set[str], zh: str, en: str, code: str = "malformed") -> Mapping[str, Any]:
    """A wire object of version 1 with exactly these fields (``v`` among them), or a refusal."""
    if not isinstance(value, Mapping) or set(value) != fields or type(value["v"]) is not int or value["v"] != 1:
        raise refuse(code, zh, en)
    return value


def is_point(raw: bytes) -> bool:
    """Whether ``raw`` is a canonical ristretto255 encoding other than the identity."""
    return raw != IDENTITY and bool(rbcl.crypto_core_ristretto255_is_valid_point(raw))


def point_hex(raw: bytes, what: str) -> bytes:
    """A point read from the wire: a canonical ristretto255 encoding other than the identity."""
    if not is_point(raw):
        raise refuse("invalid_point", f"{what}不是有效的群元素", f"{what}: not a valid ristretto255 point")
    return raw


def scalar_hex(raw: bytes, what: str) -> bytes:
    """A scalar read from the wire: its canonical encoding (less than the group order)."""
    if rbcl.crypto_core_ristretto255_scalar_reduce(raw + ZERO) != raw:
        raise refuse("invalid_scalar", f"{what}不是规范的标量编码", f"{what}: not a canonical scalar")
    return raw
