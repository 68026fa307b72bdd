"""How secrets are kept, for staff accounts (``accounts``) and seat tablets (``devices``): only as hashes.
Passwords and PINs with argon2, checked in the same time whether or not there is a hash to check;
pairing codes and device tokens with SHA-256 (they are long random values)."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def check_secret(hashed: str | None, secret: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    """A hash of a random secret, made like every stored one: checked in place of a hash nobody has
    (an unknown user name, a disabled account, a seat without a PIN), so that a failure costs the same
    time whether or not the name exists."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def check_secret_evenly(hashed: str | None, secret: str) -> bool:
    """``check_secret``, but with a missing hash the same work is done (against a dummy) and False is
    answered: the time taken does not tell a missing account or PIN from a wrong secret."""
    if not hashed:
        check_secret(_dummy_hash(), secret)
        return False
    return check_secret(hashed, secret)


def hash_token(value: str) -> str:
    """The stored form of a pairing code or a device token (a long random value: SHA-256 suffices)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
