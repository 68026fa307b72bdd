"""Write-ins (另选他人) of an election in the encrypted box: counted lines, and names sealed to the round key.

The shape follows ElectionGuard. ElectionGuard 0.95 (§ "Ballot encryption") tallies homomorphically only
what has a fixed place on the ballot and lumps write-ins into a "write-ins" selection ("verifiable
tallying of free-form write-ins may be best done with a MixNet"); ElectionGuard 1.0 and 2.0 carry the
text of each write-in as *contest data* encrypted with **hashed ElGamal** under the election key (2.0,
§3.3: a nonce ξ, α = g^ξ, a key derived by HMAC-SHA-256 from K^ξ, the data encrypted with it and a MAC
over the ciphertext), decrypted apart from the homomorphic tally. Here:

* **Lines**: a ballot of an election with write-ins has ``places`` *write-in lines*, each one more slot
  ``("w#i", "for")`` of the ballot's exponential-ElGamal vector, with its 0/1 proof; a line is 1 when
  it carries a name. The lines are "for" slots, so the range proof on the ballot's for-marks (at most
  ``places``) covers candidates and write-ins together: no valid ballot votes for more persons than
  places, and the decrypted sum of the lines is the number of write-in votes in the box.
* **Names**: the name on line i is sealed by hashed ElGamal with a nonce of its own (as ElectionGuard 2.0
  §3.3 does for contest data): a fresh scalar ξ, the encapsulation ε = ξ·G, the shared point ξ·PK =
  s·ε, and the key SHA-256 of the framed (key set, round, line, the line's α, ε, ξ·PK)
  (:func:`.group.digest`); the name (UTF-8, padded to :data:`NAME_BYTES` so no length shows) is encrypted
  with ChaCha20-Poly1305 (RFC 8439, from ``cryptography``, as the sealed round keys are) under that key, a
  zero nonce (each key seals one message) and associated data binding the key set, round, line, α and ε.
  The line's own nonce r is never used for the name: r·PK is β or β − G of the line's ciphertext, so a
  key derived from it could be found by anyone holding the box. An empty line seals an empty name. The
  sealed names (ε and the ciphertext) enter the ballot's hash, so the proofs (bound to that hash), the
  member's receipt and the box hash cover them: a name cannot be swapped onto another ballot or line.
* **Opening** (:func:`open_names`, at the close, sealed mode only): with the round's private key s the
  server computes s·α and s·ε of each line of each ballot *in memory*, reads the line's 0/1 value and name,
  and counts names only; a line of value 1 whose name is empty, is a candidate's, or does not read,
  counts for nobody ("unreadable"); a name on a line of value 0 is ignored. Only the counts by name are
  kept (``{"counts": {"w:name": n}, "unreadable": u}``).
* **Checking** (:func:`check_names`): anyone re-checks, from public data, that the counts by name plus
  the unreadable ones equal the decrypted sum of the lines, and that every name counted is a valid
  write-in. Which ballot named whom is not published (that would show how a receipt-holder voted), so
  the assignment of names to lines is not re-checkable without the key: the limit ElectionGuard 0.95
  names for free-form write-ins.
* Under 监票人 key shares the names would need a per-ballot decryption by k holders' devices; the
  services refuse write-ins in that mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

import ballots

from .errors import refuse
from .group import SIZE, base, digest, dlog, is_point, mul, random_scalar, sub, u32

__all__ = ["LINE_PREFIX", "NAME_BYTES", "SEALED_BYTES", "check_names", "line_id", "open_name", "open_names",
           "seal_name", "write_in_key"]

#: The question id of write-in line i (1-based) in a layout: never a question id of a spec.
LINE_PREFIX = "w#"
#: A name's padded plaintext: 2 bytes of length, the UTF-8 name, zeros (60 characters fit).
NAME_BYTES = 256
#: A sealed name: the encapsulation ε (a point), the padded name and the 16-byte Poly1305 tag.
SEALED_BYTES = SIZE + NAME_BYTES + 16
_NONCE = bytes(12)


def line_id(i: int) -> str:
    return f"{LINE_PREFIX}{i + 1}"


def _key_ad(key_id: bytes, context: bytes, line: int, alpha: bytes, eph: bytes, shared: bytes
            ) -> tuple[bytes, bytes]:
    key = digest(b"write-in key", key_id, context, u32(line), alpha, eph, shared)
    return key, digest(b"write-in", key_id, context, u32(line), alpha, eph)


def seal_name(key_id: bytes, context: bytes, line: int, alpha: bytes, public_key: bytes, name: str) -> bytes:
    """The name on ``line`` (whose ciphertext's first part is ``alpha``) sealed to the round's
    ``public_key``: ε = ξ·G for a fresh ξ, then the ChaCha20-Poly1305 ciphertext under the key of ξ·PK."""
    raw = name.encode("utf-8")
    if len(raw) > NAME_BYTES - 2:
        raise refuse("invalid_write_in", "另选他人的姓名过长", "a write-in name is too long to encrypt")
    plain = len(raw).to_bytes(2, "big") + raw + bytes(NAME_BYTES - 2 - len(raw))
    xi = random_scalar()
    eph = base(xi)
    key, ad = _key_ad(key_id, context, line, alpha, eph, mul(xi, public_key))
    return eph + ChaCha20Poly1305(key).encrypt(_NONCE, plain, ad)


def open_name(key_id: bytes, context: bytes, line: int, alpha: bytes, secret: bytes, sealed: bytes) -> str | None:
    """The name sealed on ``line``, opened with the round's private key ``secret``, or None when it does
    not open or is not a padded UTF-8 name."""
    eph, body = sealed[:SIZE], sealed[SIZE:]
    if not is_point(eph):
        return None
    key, ad = _key_ad(key_id, context, line, alpha, eph, mul(secret, eph))
    try:
        plain = ChaCha20Poly1305(key).decrypt(_NONCE, body, ad)
    except (InvalidTag, ValueError):
        return None
    n = int.from_bytes(plain[:2], "big")
    if n > NAME_BYTES - 2 or any(plain[2 + n:]):
        return None
    try:
        return plain[2:2 + n].decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_in_key(spec: ballots.BallotSpec, name: str | None) -> str | None:
    """The tally key ("w:" + the name normalised) of a name written on a line, or None when the
    name is empty, too long, a candidate's, or the spec takes no write-ins."""
    if not name:
        return None
    try:
        q = spec.extra_question(ballots.WRITE_IN_PREFIX + name)
    except ballots.BallotError:
        return None
    return q.id if q is not None else None


def open_names(spec: ballots.BallotSpec, key_id: bytes, context: bytes, first_line: int, secret: bytes,
               ballots_cts: Sequence[tuple[tuple[tuple[bytes, bytes], ...], tuple[bytes, ...]]]
               ) -> dict[str, Any]:
    """The write-ins of a box counted by name, in memory, with the round's private key ``secret``:
    ``{"counts": {key: n}, "unreadable": u}`` (see the module). ``ballots_cts``: each ballot's
    ciphertexts and sealed names; the lines are its slots from ``first_line``."""
    counts: dict[str, int] = {}
    unreadable = 0
    for cts, names in ballots_cts:
        seen: set[str] = set()
        for i, sealed in enumerate(names):
            alpha, beta = cts[first_line + i]
            value = dlog(sub(beta, mul(secret, alpha)), 1)
            if value != 1:
                continue
            key = write_in_key(spec, open_name(key_id, context, i, alpha, secret, sealed))
            if key is None or key in seen:
                unreadable += 1
                continue
            seen.add(key)
            counts[key] = counts.get(key, 0) + 1
    return {"counts": dict(sorted(counts.items())), "unreadable": unreadable}


def check_names(spec: ballots.BallotSpec, lines: int, record: object) -> dict[str, int]:
    """The counts by name of a box's write-ins, checked against the decrypted sum of its ``lines``:
    every key a valid write-in, counts positive, and names plus unreadable equal to the lines."""
    if not isinstance(record, Mapping) or set(record) != {"counts", "unreadable"}:
        raise refuse("writeins_mismatch", "另选他人的计票记录格式错误", "malformed record of the write-ins")
    counts, unreadable = record["counts"], record["unreadable"]
    if not isinstance(counts, Mapping) or type(unreadable) is not int or unreadable < 0:
        raise refuse("writeins_mismatch", "另选他人的计票记录格式错误", "malformed record of the write-ins")
    for key, n in counts.items():
        if not isinstance(key, str) or type(n) is not int or n <= 0 \
                or write_in_key(spec, key[len(ballots.WRITE_IN_PREFIX):]) != key:
            raise refuse("writeins_mismatch", "另选他人的计票记录中有无效的姓名或票数",
                         "the record of the write-ins holds an invalid name or count")
    if sum(counts.values()) + unreadable != lines:
        raise refuse("writeins_mismatch", "另选他人的票数与票箱解密结果不符",
                     "the write-in counts differ from the decrypted sum of the write-in lines")
    return dict(counts)
