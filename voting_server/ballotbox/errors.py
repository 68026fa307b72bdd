"""The one error type of the ballot box: a :class:`ballots.BallotError` with a stable ``code``.

Every refusal of the package (a malformed encoding, a proof that does not verify, a key share that
does not match, a wrong PIN ...) raises :class:`BallotBoxError` with a Chinese message for people and
its English twin, so the server's existing handlers of ``BallotError`` report it unchanged.
"""

from __future__ import annotations

from ballots import BallotError

__all__ = ["BallotBoxError", "refuse"]


class BallotBoxError(BallotError):
    """A refusal of the encrypted ballot box; ``code`` names what was refused."""

    default_code = "ballot_box_error"
    default_zh = "加密票箱数据有误"
    default_en = "invalid encrypted ballot data"


def refuse(code: str, zh: str, en: str) -> BallotBoxError:
    """The error to raise: ``raise refuse("bad_proof", "...", "...")``."""
    return BallotBoxError(code, zh, en)
