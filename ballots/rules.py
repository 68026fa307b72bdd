"""Attendance, quorum and passing-threshold rules, as data.

* :class:`Turnout`   -- the numbers of one ballot (in :mod:`ballots.turnout`, re-exported here): entitled
  (应到), present (实到), valid ballots cast, invalid ballots; members present who cast nothing are
  :attr:`Turnout.not_voted` (未按表决器).
* :class:`Base`      -- what a threshold is a fraction *of*.
* :class:`Threshold` -- {base, fraction, strict}: "全体组成人员的过半数", "出席人员的三分之二以上", ...
* :class:`Quorum`    -- how many members must be present for the sitting to vote.
* :class:`Rule`      -- preset name, threshold, quorum and the body's :class:`~ballots.words.Words`,
  frozen per round.

Descriptions take the body's words ("全体代表的过半数"); without them they use the standing
committee's ("全体组成人员的过半数"), as every rule stored before words were part of the rule did.

All arithmetic is on integers and :class:`fractions.Fraction`; there is no float anywhere.
"strict" means the count must *exceed* the fraction ("过半数", "超过"); inclusive means it may equal
it ("以上" includes the number itself, 民法典 Art. 1259).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .errors import RuleError
from .plain import later, reject_unknown, to_plain
from .text import fraction_en, fraction_zh
from .turnout import VIDEO_VOTES, Turnout, check_count, check_video_votes, video_pending
from .words import Words, need_words

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .kinds.base import BallotSpec
    from .results import Result

#: The standing committee's words: what a description uses when given none.
MEMBERS = Words()

__all__ = [
    "Base",
    "Turnout",
    "Threshold",
    "Quorum",
    "Rule",
    "parse_fraction",
    "check_count",
    "VIDEO_VOTES",
    "check_video_votes",
    "video_pending",
    "Words",
    "MEMBERS",
    "need_threshold",
    "need_quorum",
]


class Base(str, Enum):
    """What a threshold fraction is taken of."""

    ALL_MEMBERS = "all_members"  # the roster on the day (全体组成人员)
    PRESENT = "present"  # members present (出席人员)
    VOTES_CAST = "votes_cast"  # valid ballots, abstentions included (有效票)
    FOR_AND_AGAINST = "for_and_against"  # for + against, abstentions ignored

    @property
    def zh(self) -> str:
        """The base in the standing committee's words ("全体组成人员")."""
        return self.name_zh(MEMBERS)

    @property
    def en(self) -> str:
        return self.name_en(MEMBERS)

    def name_zh(self, words: Words) -> str:
        """The base in a body's words: "全体代表", "出席代表", "有效票数" ..."""
        if self is Base.ALL_MEMBERS:
            return words.all_zh
        if self is Base.PRESENT:
            return words.present_zh
        return "有效票数" if self is Base.VOTES_CAST else "赞成票与反对票之和"

    def name_en(self, words: Words) -> str:
        """ "all deputies", "deputies present", "valid votes cast" ..."""
        if self is Base.ALL_MEMBERS:
            return words.all_en
        if self is Base.PRESENT:
            return words.present_en
        return "valid votes cast" if self is Base.VOTES_CAST else "votes for and against"


_FRACTION_RE = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+)\s*)?$")


def parse_fraction(value: object, what: str = "fraction") -> Fraction:
    """Parse ``"2/3"``, ``"1"``, ``1`` or a :class:`Fraction` into a Fraction in [0, 1].

    Floats, decimals ("0.5") and anything outside [0, 1] raise :class:`RuleError` (code "invalid_fraction").
    """
    frac: Fraction | None = None
    if isinstance(value, Fraction):
        frac = value
    elif isinstance(value, int) and not isinstance(value, bool):
        frac = Fraction(value)
    elif isinstance(value, str):
        m = _FRACTION_RE.match(value)
        if m and (m.group(2) is None or int(m.group(2)) != 0):
            frac = Fraction(int(m.group(1)), int(m.group(2) or 1))
    if frac is None:
        raise RuleError(
            "invalid_fraction",
            f'{what} 必须写成 "a/b" 形式的分数或整数，收到的是 {value!r}',
            f'{what} must be a fraction written "a/b" or an integer, got {value!r}',
        )
    if not 0 <= frac <= 1:
        raise RuleError(
            "invalid_fraction",
            f"{what} 必须在 0 与 1 之间，收到的是 {frac}",
            f"{what} must be between 0 and 1, got {frac}",
        )
    return frac


def _fraction_str(f: Fraction) -> str:
    return str(f)  # "1/2", "2/3", "1", "0"


def _check_strict(value: object) -> bool:
    if not isinstance(value, bool):
        raise RuleError(
            "invalid_strict", f"strict 必须是布尔值，收到的是 {value!r}", f"strict must be a boolean, got {value!r}"
        )
    return value


def _smallest_count(fraction: Fraction, base: int, strict: bool) -> int:
    """Smallest integer v with v > fraction*base (strict) or v >= fraction*base (inclusive)."""
    product = fraction * base
    if strict:
        return product.numerator // product.denominator + 1
    return -((-product.numerator) // product.denominator)


def _init_fraction_rule(obj: object, fraction: object, strict: object, what: str) -> None:
    frac = parse_fraction(fraction, f"{what} fraction")
    object.__setattr__(obj, "fraction", frac)
    if _check_strict(strict) and frac == 1:
        raise RuleError(
            "impossible_rule",
            f"{what} 不能为“超过全部”：该条件永远无法满足",
            f'{what} "more than all" can never be met',
        )


@dataclass(frozen=True)
class Threshold:
    """How many for-votes are needed: more than (strict) or at least (inclusive) ``fraction`` of ``base``.

    Nothing ever passes with zero for-votes: :meth:`needed` is never less than 1, even when the
    fraction or the base is zero (e.g. "at least half of votes cast" when nobody voted).
    """

    base: Base = Base.ALL_MEMBERS
    fraction: Fraction = Fraction(1, 2)
    strict: bool = True

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "base", Base(self.base))
        except ValueError:
            raise RuleError(
                "invalid_base",
                f"未知的计票基数 {self.base!r}（可选：{', '.join(b.value for b in Base)}）",
                f"unknown threshold base {self.base!r} (one of: {', '.join(b.value for b in Base)})",
            ) from None
        _init_fraction_rule(self, self.fraction, self.strict, "threshold")

    def base_count(self, turnout: Turnout, *, for_and_against: int = 0) -> int:
        """The number B the fraction is taken of."""
        if self.base is Base.ALL_MEMBERS:
            return turnout.entitled
        if self.base is Base.PRESENT:
            return turnout.present
        if self.base is Base.VOTES_CAST:
            return turnout.cast
        return check_count(for_and_against, "赞成与反对票数之和", "for_and_against")

    def needed(self, turnout: Turnout, *, for_and_against: int = 0) -> int:
        """Smallest number of for-votes that meets the threshold (never less than 1).

        For :attr:`Base.FOR_AND_AGAINST` the ballot kind passes ``for_and_against`` (for + against).
        """
        base = self.base_count(turnout, for_and_against=for_and_against)
        return max(1, _smallest_count(self.fraction, base, self.strict))

    def met(self, votes: int, turnout: Turnout, *, for_and_against: int = 0) -> bool:
        """Whether ``votes`` for-votes meet the threshold."""
        check_count(votes, "赞成票数", "votes")
        return votes >= self.needed(turnout, for_and_against=for_and_against)

    def describe_zh(self, words: Words = MEMBERS) -> str:
        """E.g. "全体组成人员的过半数", "全体代表的过半数", "出席人员的三分之二以上", "超过有效票数的三分之二"."""
        base = self.base.name_zh(need_words(words))
        if self.fraction == 0:
            return "至少一票"
        if self.fraction == Fraction(1, 2):
            return f"{base}的过半数" if self.strict else f"{base}的半数以上"
        if self.strict:
            return f"超过{base}的{fraction_zh(self.fraction)}"
        return f"{base}的{fraction_zh(self.fraction)}" + ("" if self.fraction == 1 else "以上")

    def describe_en(self, words: Words = MEMBERS) -> str:
        """E.g. "more than half of all members", "more than half of all deputies"."""
        base = self.base.name_en(need_words(words))
        if self.fraction == 0:
            return "at least one vote"
        if self.fraction == 1:
            return f"all of {base}"
        lead = "more than" if self.strict else "at least"
        return f"{lead} {fraction_en(self.fraction)} of {base}"

    def reached_zh(self, words: Words = MEMBERS) -> str:
        """What a winner's votes did, as an election announces it: "得票超过全体代表的半数"."""
        base = self.base.name_zh(need_words(words))
        if self.fraction == 0:
            return "得票至少一票"
        share = "半数" if self.fraction == Fraction(1, 2) else fraction_zh(self.fraction)
        return f"得票{'超过' if self.strict else '达到'}{base}的{share}"

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base.value, "fraction": _fraction_str(self.fraction), "strict": self.strict}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, defaults: Threshold | None = None) -> Threshold:
        """Build from a plain mapping; missing keys come from ``defaults`` (or the class defaults)."""
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "表决通过规则必须是映射", f"threshold must be a mapping, got {d!r}")
        reject_unknown(d, {"base", "fraction", "strict"}, "threshold", what_zh="表决通过规则")
        start = defaults if defaults is not None else cls()
        return cls(
            base=d.get("base", start.base),
            fraction=d.get("fraction", start.fraction),
            strict=d.get("strict", start.strict),
        )


@dataclass(frozen=True)
class Quorum:
    """How many members must be present: more than (strict) or at least ``fraction`` of all members.

    A sitting with nobody present never has a quorum: :meth:`needed` is never less than 1.
    """

    fraction: Fraction = Fraction(1, 2)
    strict: bool = True

    def __post_init__(self) -> None:
        _init_fraction_rule(self, self.fraction, self.strict, "quorum")

    def needed(self, entitled: int) -> int:
        """Smallest number present that makes the quorum."""
        check_count(entitled, "应到人数", "entitled")
        return max(1, _smallest_count(self.fraction, entitled, self.strict))

    def holds(self, entitled: int, present: int) -> bool:
        check_count(present, "实到人数", "present")
        return present >= self.needed(entitled)

    def describe_zh(self, words: Words = MEMBERS) -> str:
        """E.g. "全体组成人员过半数出席", "全体代表三分之二以上出席"."""
        everyone = need_words(words).all_zh
        if self.fraction == 0:
            return "至少一人出席"
        if self.fraction == Fraction(1, 2):
            return f"{everyone}过半数出席" if self.strict else f"{everyone}半数以上出席"
        if self.fraction == 1:
            return f"{everyone}全部出席"
        if self.strict:
            return f"超过{everyone}的{fraction_zh(self.fraction)}出席"
        return f"{everyone}{fraction_zh(self.fraction)}以上出席"

    def describe_en(self, words: Words = MEMBERS) -> str:
        """E.g. "more than half of all members present", "at least two-thirds of all deputies present"."""
        w = need_words(words)
        if self.fraction == 0:
            return f"at least one {w.member_en} present"
        if self.fraction == 1:
            return f"{w.all_en} present"
        lead = "more than" if self.strict else "at least"
        return f"{lead} {fraction_en(self.fraction)} of {w.all_en} present"

    def to_dict(self) -> dict[str, Any]:
        return {"fraction": _fraction_str(self.fraction), "strict": self.strict}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, defaults: Quorum | None = None) -> Quorum:
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "法定人数规则必须是映射", f"quorum must be a mapping, got {d!r}")
        reject_unknown(d, {"fraction", "strict"}, "quorum", what_zh="法定人数规则")
        start = defaults if defaults is not None else cls()
        return cls(fraction=d.get("fraction", start.fraction), strict=d.get("strict", start.strict))


def need_threshold(value: object) -> Threshold:
    """``value`` if it is a :class:`Threshold`, else ``RuleError("invalid_threshold")``."""
    if not isinstance(value, Threshold):
        raise RuleError(
            "invalid_threshold", "通过规则必须是 Threshold", f"threshold must be a Threshold, got {value!r}"
        )
    return value


def need_quorum(value: object) -> Quorum:
    """``value`` if it is a :class:`Quorum`, else ``RuleError("invalid_quorum")``."""
    if not isinstance(value, Quorum):
        raise RuleError("invalid_quorum", "法定人数规则必须是 Quorum", f"quorum must be a Quorum, got {value!r}")
    return value


@dataclass(frozen=True)
class Rule:
    """The rule one ballot runs under, frozen when the ballot is created and copied onto each round:
    the body's preset name, the passing threshold, the quorum and the body's words. Every reader of a
    round (the tally, the terminals' quorum banner, the sheets, the verifier) uses this value, never the
    body's current rulebook. Stored as ``{"preset": ..., "threshold": {...}, "quorum": {...}}`` plus
    ``"words": {...}`` unless they are the standing committee's (a rule stored without words has them),
    and ``"video_votes"`` (:data:`~ballots.turnout.VIDEO_VOTES`: how members attending by video vote)
    unless it is "tablet" (a rule stored before it was part of the rule let them vote from a tablet)."""

    preset: str
    threshold: Threshold
    quorum: Quorum
    words: Words = later(MEMBERS)
    video_votes: str = later("tablet")

    def __post_init__(self) -> None:
        if not isinstance(self.preset, str) or not self.preset.strip():
            raise RuleError(
                "invalid_field",
                "规则预设名称必须是非空字符串",
                f"preset must be a non-empty string, got {self.preset!r}",
            )
        need_threshold(self.threshold)
        need_quorum(self.quorum)
        need_words(self.words)
        check_video_votes(self.video_votes)

    def tally(self, spec: BallotSpec, counts: Mapping[str, Mapping[str, int]], turnout: Turnout) -> Result:
        """``spec``'s result of ``counts`` under this rule (its threshold, quorum and words)."""
        return spec.tally(counts, turnout, self.threshold, self.quorum, words=self.words)

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rule:
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "表决规则必须是映射", f"rule must be a mapping, got {d!r}")
        reject_unknown(d, {"preset", "threshold", "quorum", "words", "video_votes"}, "rule", what_zh="表决规则")
        for key in ("threshold", "quorum"):
            if key not in d:
                raise RuleError("missing_field", f"表决规则缺少 {key}", f"rule is missing {key!r}")
        return cls(
            preset=d.get("preset") or "custom",
            threshold=Threshold.from_dict(d["threshold"]),
            quorum=Quorum.from_dict(d["quorum"]),
            words=Words.from_dict(d["words"]) if "words" in d else MEMBERS,
            video_votes=d.get("video_votes", "tablet"),
        )
