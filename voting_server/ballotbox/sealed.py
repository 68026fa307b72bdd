"""Server-sealed round keys (the default mode): a key pair per round, its private key sealed.

The private key is sealed with ChaCha20-Poly1305 (RFC 8439, from ``cryptography``) under a *per-round*
wrapping key, with associated data binding the key set and the round. The sealed key may be stored
with the round (in the database); the 32-byte wrapping key lives in its own file of the instance
folder (mode 0600, in a folder of mode 0700), never in the database. After the tally
:meth:`KeyFolder.destroy` overwrites and removes the wrapping key: from then on the sealed key --
including every old copy of it that the database's heap, log, replicas or backups still hold -- is
noise, so a later theft of database *and* instance folder decrypts nothing. (One instance-wide key,
by contrast, would open every old copy of every sealed key for as long as it exists.)
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from .ballot import context_bytes
from .errors import refuse
from .group import base, digest, random_scalar
from .keys import KeySet, Share

__all__ = ["KeyFolder", "SealedRound", "seal", "unseal"]

_NONCE = 12


def _ad(context: str, key_id: bytes) -> bytes:
    return digest(b"sealed", key_id, context_bytes(context))


def seal(secret: bytes, key: bytes, context: str, key_id: bytes) -> bytes:
    """nonce ‖ ChaCha20-Poly1305(key, nonce, secret, ad = the round and key set)."""
    nonce = os.urandom(_NONCE)
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, secret, _ad(context, key_id))


def unseal(blob: bytes, key: bytes, context: str, key_id: bytes) -> bytes:
    try:
        return ChaCha20Poly1305(key).decrypt(blob[:_NONCE], blob[_NONCE:], _ad(context, key_id))
    except (InvalidTag, ValueError):
        raise refuse("seal_broken", "封存的密钥无法解开（密钥或轮次不符，或数据被改动）",
                     "the sealed key does not open (wrong wrapping key or round, or altered data)") from None


@dataclass(frozen=True)
class SealedRound:
    """What to store when a sealed round opens: ``keys`` (public, keep forever) and ``sealed``
    (hex; keep until the result is stored, then delete it and call :meth:`KeyFolder.destroy`)."""

    keys: dict[str, Any]
    sealed: str


class KeyFolder:
    """The folder of per-round wrapping keys, inside the instance folder."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)

    def _file(self, context: str) -> Path:
        return self.path / f"{digest(b'round-file', context_bytes(context)).hex()[:32]}.key"

    def open_round(self, context: str) -> SealedRound:
        """A fresh key pair for the round; its wrapping key written (0600) before anything is returned."""
        wrap = secrets.token_bytes(32)
        try:
            fd = os.open(self._file(context), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise refuse("round_key_exists", "该轮次已有密钥", "this round already has a key") from None
        with os.fdopen(fd, "wb") as f:
            f.write(wrap)
            f.flush()
            os.fsync(f.fileno())
        _sync_dir(self.path)
        secret = random_scalar()
        keys = KeySet(1, 1, (base(secret),))
        return SealedRound(keys.to_dict(), seal(secret, wrap, context, keys.key_id).hex())

    def share(self, context: str, keys: KeySet, sealed: str) -> Share:
        """The round's private key, unsealed, as the single key holder's share (index 1)."""
        path = self._file(context)
        try:
            if path.stat().st_mode & 0o077:
                raise refuse("key_file_exposed", "密钥文件权限过宽（应为 0600）",
                             f"{path} is readable by others (mode must be 0600)")
            wrap = path.read_bytes()
        except FileNotFoundError:
            raise refuse("round_key_destroyed", "该轮次的密钥已销毁或不存在",
                         "this round's key has been destroyed or never existed") from None
        try:
            blob = bytes.fromhex(sealed)
        except (TypeError, ValueError):
            raise refuse("seal_broken", "封存的密钥格式错误", "the sealed key is not hex") from None
        secret = unseal(blob, wrap, context, keys.key_id)
        if base(secret) != keys.public_key:
            raise refuse("seal_broken", "封存的密钥与公钥不符", "the sealed key does not match the round's public key")
        return Share(1, secret)

    def destroy(self, context: str) -> bool:
        """Overwrite and remove the round's wrapping key; True if it existed."""
        return self._destroy(self._file(context))

    def prune(self, keep: Iterable[str], *, grace: float = 600.0) -> int:
        """Destroy every wrapping key but those of the ``keep`` contexts (the rounds still open): keys
        left by a round whose tally was stored just before a crash, or whose opening was rolled back.
        A key younger than ``grace`` seconds is kept (another process may be opening its round).
        Returns how many were destroyed."""
        kept = {self._file(context).name for context in keep}
        young = time.time() - grace
        old = [p for p in sorted(self.path.glob("*.key")) if p.name not in kept and p.stat().st_mtime < young]
        return sum(self._destroy(path) for path in old)

    def _destroy(self, path: Path) -> bool:
        try:
            with open(path, "r+b") as f:
                f.write(bytes(32))
                f.flush()
                os.fsync(f.fileno())
        except FileNotFoundError:
            return False
        path.unlink()
        _sync_dir(self.path)
        return True


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
