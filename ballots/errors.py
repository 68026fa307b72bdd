"""Typed errors of the voting rules.

Every error raised by ``ballots`` is a :class:`BallotError` (a ``ValueError``) carrying a stable
snake_case ``code`` that callers may match on, and two human messages, ``zh`` and ``en``, that name
exactly what is wrong. ``str(err)`` is the English message.

Subclasses say which side is at fault:

* :class:`RuleError`      -- a rule, preset, override or ballot specification is malformed;
* :class:`InvalidChoice`  -- a member's ballot names an unknown question/option or misses an answer;
* :class:`TooManyMarks`   -- a ballot marks more candidates than allowed;
* :class:`CapExceeded`    -- a ballot gives one grade to more objects than the cap allows;
* :class:`NotEntitled`    -- someone who may not vote tried to (raised by callers that know the roster);
* :class:`InvalidCounts`  -- attendance or hand-entered counts are negative, not integers, or impossible.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "BallotError",
    "RuleError",
    "InvalidChoice",
    "TooManyMarks",
    "CapExceeded",
    "NotEntitled",
    "InvalidCounts",
]


class BallotError(ValueError):
    """Base class of every error of the voting rules.

    ``BallotError(code, zh, en)``; each subclass has defaults so that e.g. ``NotEntitled()`` is valid.
    """

    default_code: ClassVar[str] = "ballot_error"
    default_zh: ClassVar[str] = "表决数据有误"
    default_en: ClassVar[str] = "invalid ballot data"

    code: str
    zh: str
    en: str

    def __init__(self, code: str | None = None, zh: str | None = None, en: str | None = None) -> None:
        self.code = code if code is not None else self.default_code
        self.zh = zh if zh is not None else self.default_zh
        self.en = en if en is not None else self.default_en
        super().__init__(self.en)

    def __str__(self) -> str:
        return self.en

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, en={self.en!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.zh, self.en))

    def to_dict(self) -> dict[str, str]:
        """Plain form for an HTTP error body: error class, code and both messages."""
        return {"error": type(self).__name__, "code": self.code, "zh": self.zh, "en": self.en}


class RuleError(BallotError):
    """A rule, preset, override or ballot specification is malformed."""

    default_code = "invalid_rule"
    default_zh = "表决规则有误"
    default_en = "invalid voting rule"


class InvalidChoice(BallotError):
    """A member's ballot is not a valid answer to the ballot's questions."""

    default_code = "invalid_choice"
    default_zh = "表决选项有误"
    default_en = "invalid choice"


class TooManyMarks(InvalidChoice):
    """A ballot marks more candidates than the ballot allows."""

    default_code = "too_many_marks"
    default_zh = "所选项目超过限定数目"
    default_en = "more marks than allowed"


class CapExceeded(InvalidChoice):
    """A ballot gives one grade to more objects than the configured cap."""

    default_code = "cap_exceeded"
    default_zh = "某一等次的数目超过限定"
    default_en = "a grade was given more often than allowed"


class NotEntitled(BallotError):
    """The person may not vote on this ballot (observer, not on the roster, not present...)."""

    default_code = "not_entitled"
    default_zh = "无表决权"
    default_en = "not entitled to vote"


class InvalidCounts(BallotError):
    """Attendance or counts are negative, not integers, or add up to something impossible."""

    default_code = "invalid_counts"
    default_zh = "计票数据有误"
    default_en = "invalid counts"
