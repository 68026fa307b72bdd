"""The two zero-knowledge proofs of the ballot box, non-interactive by Fiat–Shamir.

* :func:`prove_range` / :func:`verify_range` -- an exponential-ElGamal ciphertext (α, β) under key K
  encrypts some m in lo..hi: the disjunction over j of "(α, β − j·G) is a Diffie–Hellman tuple for
  (G, K)", made a single proof by Cramer–Damgård–Schoenmakers (CRYPTO '94) from one Chaum–Pedersen
  proof (CRYPTO '92) per j. The proof is (c_j, v_j) for each j, with Σ c_j equal to the hash of the
  statement and of every commitment a_j = v_j·G + c_j·α, b_j = v_j·K + c_j·(β − j·G); the verifier
  recomputes the commitments. This is the range proof of ElectionGuard 2.0 (§3.3, the proofs of
  ballot correctness, with response v = u − c·r); a 0/1 proof is lo, hi = 0, 1 and an "exactly L"
  proof is lo = hi = L, a plain Chaum–Pedersen proof.
* :func:`prove_dleq` / :func:`verify_dleq` -- Chaum–Pedersen: log_G Y = log_A D (a key holder's share
  D = x·A of a summed α, against their public share Y = x·G), proof (c, v) with a = v·G + c·Y,
  b = v·A + c·D.

``head`` is the statement's context (protocol, key, round, ballot or box, which slot/sum/holder); it
enters every challenge together with the statement's own points, the "strong" Fiat–Shamir of
Bernhard, Pereira and Warinschi ("How not to prove yourself", ASIACRYPT 2012).

The prover of a range proof knows r and m, so it computes a simulated branch's commitments from G and
K only: a_j = (v_j + c_j·r)·G and b_j = (v_j + c_j·r)·K + c_j·(m − j)·G -- the same points the
verifier recomputes, for fewer variable-base multiplications.
"""

from __future__ import annotations

from collections.abc import Sequence

from .group import add, base, challenge, mul, random_scalar, sadd, signed, small, smul, ssub, ssum, sub, u32

__all__ = ["prove_dleq", "prove_range", "verify_dleq", "verify_range"]

Proof = list[bytes]  # flat: c_lo, v_lo, c_lo+1, v_lo+1, ...


def prove_range(head: Sequence[bytes], key: bytes, alpha: bytes, beta: bytes, r: bytes, m: int,
                lo: int, hi: int) -> Proof:
    """Prove that (α, β) = (r·G, m·G + r·K) encrypts a value in lo..hi; m is that value."""
    if not lo <= m <= hi:
        raise ValueError(f"{m} is not in {lo}..{hi}: no proof exists")
    u = random_scalar()
    challenges: dict[int, bytes] = {}
    responses: dict[int, bytes] = {}
    commits: list[bytes] = []
    for j in range(lo, hi + 1):
        if j == m:
            commits += [base(u), mul(u, key)]
            continue
        c, v = random_scalar(), random_scalar()
        challenges[j], responses[j] = c, v
        w = sadd(v, smul(c, r))
        commits += [base(w), add(mul(w, key), base(smul(c, signed(m - j))))]
    c = challenge(b"range", *head, u32(lo), u32(hi), alpha, beta, *commits)
    challenges[m] = ssub(c, ssum(challenges.values()))
    responses[m] = ssub(u, smul(challenges[m], r))
    return [x for j in range(lo, hi + 1) for x in (challenges[j], responses[j])]


def verify_range(head: Sequence[bytes], key: bytes, alpha: bytes, beta: bytes, lo: int, hi: int,
                 proof: Proof) -> bool:
    """Whether ``proof`` shows that (α, β) encrypts a value in lo..hi (2·(hi − lo + 1) scalars)."""
    if len(proof) != 2 * (hi - lo + 1):
        return False
    commits: list[bytes] = []
    for j in range(lo, hi + 1):
        c, v = proof[2 * (j - lo)], proof[2 * (j - lo) + 1]
        shifted = beta if j == 0 else sub(beta, small(j))
        commits += [add(base(v), mul(c, alpha)), add(mul(v, key), mul(c, shifted))]
    expected = challenge(b"range", *head, u32(lo), u32(hi), alpha, beta, *commits)
    return expected == ssum(proof[0::2])


def prove_dleq(head: Sequence[bytes], x: bytes, public: bytes, a_point: bytes, share: bytes) -> Proof:
    """Prove log_G(public) = log_A(share) = x, where public = x·G and share = x·A."""
    u = random_scalar()
    c = challenge(b"dleq", *head, public, a_point, share, base(u), mul(u, a_point))
    return [c, ssub(u, smul(c, x))]


def verify_dleq(head: Sequence[bytes], public: bytes, a_point: bytes, share: bytes, proof: Proof) -> bool:
    if len(proof) != 2:
        return False
    c, v = proof
    a = add(base(v), mul(c, public))
    b = add(mul(v, a_point), mul(c, share))
    return challenge(b"dleq", *head, public, a_point, share, a, b) == c
