"""Encrypted ballot box (placeholder docstring, rewritten below)."""

from __future__ import annotations

from .ballot import Ballot, Layout, ballot_hash, encrypt, load_ballot, verify_ballot
from .errors import BallotBoxError
from .keys import KeySet, Share
from .sealed import KeyFolder, SealedRound, seal, unseal
from .shares import KDF_DEFAULT, Dealing, Kdf, deal, unlock
from .tally import Box, Tally, check_partial, combine, partial, verify_tally

__all__ = [
    "BallotBoxError", "Layout", "Ballot", "encrypt", "verify_ballot", "load_ballot", "ballot_hash",
    "KeySet", "Share", "KeyFolder", "SealedRound", "seal", "unseal", "Kdf", "KDF_DEFAULT", "Dealing", "deal",
    "unlock", "Box", "Tally", "partial", "check_partial", "combine", "verify_tally",
]
