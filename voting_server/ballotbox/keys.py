"""Who can decrypt: the public key set (Feldman commitments) and the key holders' shares.

A key set is the public record ``{"v": 1, "k": k, "n": n, "commitments": [C_0, ..., C_{k-1}]}``
with C_j = a_j·G for the dealer's polynomial f(x) = a_0 + a_1·x + ... + a_{k-1}·x^{k-1}; the election
key is PK = C_0 = a_0·G. Holder i (1..n) holds s_i = f(i); anyone computes their public share
Y_i = Σ_j i^j·C_j, and s_i·G = Y_i shows the share is right (Feldman, "A practical scheme for
non-interactive verifiable secret sharing", FOCS 1987; Shamir, "How to share a secret", 1979). Any k
shares recover a_0 by Lagrange interpolation at 0 -- used here only "in the exponent", on decryption
shares, never to rebuild the key.

A server-sealed round is the same record with k = n = 1 and a single commitment PK: one code path
decrypts both modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import refuse
from .group import (
    add,
    base,
    digest,
    hexes,
    mul,
    point_hex,
    random_scalar,
    sadd,
    scalar,
    sinv,
    smul,
    ssub,
    u32,
    versioned,
)

__all__ = ["MAX_HOLDERS", "KeySet", "Share", "lagrange_at_zero", "polynomial_shares"]

MAX_HOLDERS = 15


@dataclass(frozen=True)
class KeySet:
    """The public side of a round's key: threshold k of n holders, and the Feldman commitments."""

    k: int
    n: int
    commitments: tuple[bytes, ...]

    @property
    def public_key(self) -> bytes:
        return self.commitments[0]

    @property
    def key_id(self) -> bytes:
        """The key set's 32-byte fingerprint, bound into every ballot and decryption proof."""
        return digest(b"keyset", u32(self.k), u32(self.n), *self.commitments)

    def public_share(self, index: int) -> bytes:
        """Y_i = Σ_j i^j·C_j, by Horner's rule with library scalar multiplications."""
        self.check_index(index)
        y = self.commitments[-1]
        for c in reversed(self.commitments[:-1]):
            y = add(mul(scalar(index), y), c)
        return y

    def check_index(self, index: object) -> int:
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= self.n:
            raise refuse("not_a_holder", f"编号 {index!r} 不是本轮的监票人",
                         f"index {index!r} is not one of this round's key holders (1..{self.n})")
        return index

    def to_dict(self) -> dict[str, Any]:
        return {"v": 1, "k": self.k, "n": self.n, "commitments": [c.hex() for c in self.commitments]}

    @classmethod
    def from_dict(cls, d: object) -> KeySet:
        d = versioned(d, {"v", "k", "n", "commitments"}, "密钥公开数据格式错误",
                      "malformed key set (expected v, k, n, commitments)", "malformed_keyset")
        k, n = d["k"], d["n"]
        if any(isinstance(x, bool) or not isinstance(x, int) for x in (k, n)) or not 1 <= k <= n <= MAX_HOLDERS:
            raise refuse("malformed_keyset", "门限或人数无效", f"invalid threshold {k!r} of {n!r} (1 ≤ k ≤ n ≤ {MAX_HOLDERS})")
        raw = hexes(d["commitments"], k, "密钥承诺")
        return cls(k, n, tuple(point_hex(c, "密钥承诺") for c in raw))


@dataclass(frozen=True)
class Share:
    """A key holder's secret share s_i (the whole key, index 1, for a server-sealed round)."""

    index: int
    secret: bytes

    def __repr__(self) -> str:  # never print a secret
        return f"Share(index={self.index})"


def polynomial_shares(secret: bytes, k: int, n: int) -> tuple[tuple[bytes, ...], list[Share]]:
    """Shamir shares of ``secret`` for holders 1..n with threshold k, and the Feldman commitments."""
    coeffs = [secret] + [random_scalar() for _ in range(k - 1)]
    commitments = tuple(base(a) for a in coeffs)
    shares = []
    for i in range(1, n + 1):
        s = coeffs[-1]
        for a in reversed(coeffs[:-1]):
            s = sadd(smul(scalar(i), s), a)
        shares.append(Share(i, s))
    return commitments, shares


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, bytes]:
    """λ_i = Π_{j≠i} j / (j − i) mod q for each index i: f(0) = Σ λ_i·f(i)."""
    out = {}
    for i in indices:
        num, den = scalar(1), scalar(1)
        for j in indices:
            if j != i:
                num = smul(num, scalar(j))
                den = smul(den, ssub(scalar(j), scalar(i)))
        out[i] = smul(num, sinv(den))
    return out

