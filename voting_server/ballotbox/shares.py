"""监票人 key shares: a verifiable dealing, and each share on a PIN-protected key card.

:func:`deal` draws the round key in memory, splits it into Shamir shares with Feldman commitments
(:mod:`.keys`), checks every share against the commitments, and returns only the public key set and
one protected key card per key holder: neither the key nor a plain share is returned or stored.

A key card (89 bytes; as text ``BJKEY:`` + 143 base32 characters, a version-6 QR code at level M in
alphanumeric mode) is, byte by byte::

    version (1) | index (1) | Argon2id t (1) | log2 of m in KiB (1) | p (1) | key-set id (16) | salt (16)
    | ChaCha20-Poly1305(k, nonce 0, share (32), ad = the 37 bytes before) (48) | checksum (4)

with k = Argon2id(PIN, salt, t, m, p) (RFC 9106; ``argon2-cffi`` here, ``@noble/hashes`` in the
browser) and a zero nonce, as each card's key is used once (the construction of age's scrypt
recipient stanza). Default cost: t = 3, m = 64 MiB, p = 4, RFC 9106 §4's second recommended option.
The checksum tells a damaged or altered card apart from a wrong PIN; a wrong PIN fails the AEAD.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from .errors import refuse
from .group import base, digest, random_scalar, scalar_hex
from .keys import MAX_HOLDERS, KeySet, Share, polynomial_shares

__all__ = ["CARD_PREFIX", "KDF_DEFAULT", "Dealing", "Kdf", "deal", "protect", "unlock"]

CARD_PREFIX = "BJKEY:"
_HEADER, _BODY, _CARD = 37, 85, 89
_PIN = re.compile(r"[0-9]{6,12}")
_B32 = re.compile(r"[A-Z2-7]{143}")


@dataclass(frozen=True)
class Kdf:
    """Argon2id cost: t passes over m = 2**log2_m KiB with p lanes."""

    t: int = 3
    log2_m: int = 16
    p: int = 4

    def check(self) -> Kdf:
        if not (1 <= self.t <= 10 and 3 <= self.log2_m <= 18 and 1 <= self.p <= 8 and 2 ** self.log2_m >= 8 * self.p):
            raise refuse("invalid_key_card", "密钥卡的口令派生参数无效", f"invalid Argon2id parameters {self}")
        return self

    def derive(self, pin: str, salt: bytes) -> bytes:
        return hash_secret_raw(pin.encode("ascii"), salt, time_cost=self.t, memory_cost=2 ** self.log2_m,
                               parallelism=self.p, hash_len=32, type=Type.ID)


KDF_DEFAULT = Kdf()


@dataclass(frozen=True)
class Dealing:
    """The outcome of a dealing: the public key set (store it) and one key card per holder (hand each
    to its holder: print it as a QR code, or load it onto their device; store none)."""

    keys: dict[str, Any]
    cards: list[str]


def _check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise refuse("invalid_pin", "PIN 须为 6 至 12 位数字", "a PIN is 6 to 12 digits")
    return pin


def deal(k: int, n: int, pins: Sequence[str], kdf: Kdf = KDF_DEFAULT) -> Dealing:
    """Deal a fresh round key to n key holders, any k of whom can decrypt (default use: 2 of 3)."""
    if any(isinstance(x, bool) or not isinstance(x, int) for x in (k, n)) or not 1 <= k <= n <= MAX_HOLDERS:
        raise refuse("invalid_threshold", f"门限须满足 1 ≤ k ≤ n ≤ {MAX_HOLDERS}",
                     f"the threshold must satisfy 1 ≤ k ≤ n ≤ {MAX_HOLDERS}")
    if len(pins) != n:
        raise refuse("invalid_pin", "每位监票人需要一个 PIN", "one PIN per key holder is needed")
    pins = [_check_pin(p) for p in pins]
    commitments, shares = polynomial_shares(random_scalar(), k, n)
    keys = KeySet(k, n, commitments)
    for s in shares:  # Feldman's check, at the source
        if base(s.secret) != keys.public_share(s.index):
            raise refuse("share_mismatch", "密钥份额与承诺不符", "a dealt share does not match the commitments")
    return Dealing(keys.to_dict(), [protect(s, pin, keys, kdf) for s, pin in zip(shares, pins, strict=False)])


def protect(share: Share, pin: str, keys: KeySet, kdf: Kdf = KDF_DEFAULT) -> str:
    """A key card: the share encrypted under a key derived from the holder's PIN."""
    header = bytes([1, share.index, kdf.t, kdf.log2_m, kdf.p]) + keys.key_id[:16] + os.urandom(16)
    key = kdf.check().derive(_check_pin(pin), header[-16:])
    body = header + ChaCha20Poly1305(key).encrypt(bytes(12), share.secret, header)
    card = body + digest(b"card", body)[:4]
    return CARD_PREFIX + base64.b32encode(card).decode("ascii").rstrip("=")


def _read_card(card: object) -> bytes:
    text = card.strip().upper() if isinstance(card, str) else ""
    raw = text[len(CARD_PREFIX):] if text.startswith(CARD_PREFIX) else ""
    if not _B32.fullmatch(raw):
        raise refuse("invalid_key_card", "不是有效的监票人密钥卡", "not a key card")
    data = base64.b32decode(raw + "=")
    if len(data) != _CARD or digest(b"card", data[:_BODY])[:4] != data[_BODY:] or data[0] != 1:
        raise refuse("invalid_key_card", "密钥卡已损坏或被改动", "the key card is damaged or altered")
    return data


def unlock(card: str, pin: str, keys: KeySet) -> Share:
    """The share on a key card, with the holder's PIN, checked against the key set's commitments."""
    data = _read_card(card)
    index = keys.check_index(data[1])
    if data[5:21] != keys.key_id[:16]:
        raise refuse("card_other_key", "此密钥卡不属于本轮的密钥", "this key card belongs to another key set")
    kdf = Kdf(data[2], data[3], data[4]).check()
    try:
        key = kdf.derive(_check_pin(pin), data[21:_HEADER])
        secret = ChaCha20Poly1305(key).decrypt(bytes(12), data[_HEADER:_BODY], data[:_HEADER])
    except InvalidTag:
        raise refuse("wrong_pin", "PIN 错误", "wrong PIN") from None
    share = Share(index, scalar_hex(secret, "密钥份额"))
    if base(share.secret) != keys.public_share(index):
        raise refuse("share_mismatch", "密钥份额与公开承诺不符", f"the share of holder {index} does not match the key set")
    return share
