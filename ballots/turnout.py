"""Attendance and ballots of one vote: :class:`Turnout`, and :func:`check_count` for every count.

``entitled`` is the roster on the day (应到), ``present`` those present (实到), ``cast`` the valid ballots,
``invalid`` the ballots counted as invalid (无效票, e.g. more marks than allowed, or 作废 in an election).
``voters`` (投票人数) is given only where ballots are handed out and returned (an election on paper): the
ballots returned (``cast + invalid``) may then exceed it, which voids an election round (选举法: 每次选举所投
的票数，多于投票人数的无效) instead of being refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidCounts
from .plain import later, need_choice, to_plain

__all__ = ["Turnout", "check_count", "VIDEO_VOTES", "check_video_votes", "video_pending"]

#: How the members attending by video (视频出席) vote, as a body's rule says: from a remote tablet like
#: anyone present ("tablet"), or by the clerk entering their votes ("clerk", the show-of-hands entry).
VIDEO_VOTES = ("tablet", "clerk")


def check_count(value: object, what_zh: str, what_en: str) -> int:
    """Return ``value`` if it is a non-negative ``int`` (not a bool), else raise :class:`InvalidCounts`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCounts(
            "not_an_integer",
            f"{what_zh}必须是整数，收到的是 {value!r}",
            f"{what_en} must be an integer, got {value!r}",
        )
    if value < 0:
        raise InvalidCounts(
            "negative_count",
            f"{what_zh}不能为负数（{value}）",
            f"{what_en} must not be negative (got {value})",
        )
    return value


def check_video_votes(value: object) -> str:
    """``value`` if it is one of :data:`VIDEO_VOTES`, else ``RuleError("invalid_field")``."""
    return need_choice(value, VIDEO_VOTES, "video_votes")


def video_pending(video_votes: str, *, video_not_voted: int, entered: bool) -> int:
    """How many members attending by video still wait for the clerk to enter their votes.

    ``video_not_voted``: those attending by video with no vote recorded in the round; ``entered``:
    whether the clerk's show-of-hands count of the round is entered. Under "tablet" nobody waits (a
    video attendee votes from a remote tablet; one who did not is 未按). Under "clerk" they all wait
    until the count is entered; from then on the count is theirs, and whoever it leaves out did not
    vote (未表决)."""
    check_video_votes(video_votes)
    check_count(video_not_voted, "视频出席未表决人数", "video attendees not voted")
    if not isinstance(entered, bool):
        raise InvalidCounts("invalid_field", "entered 必须是布尔值", f"entered must be a boolean, got {entered!r}")
    return video_not_voted if video_votes == "clerk" and not entered else 0


@dataclass(frozen=True)
class Turnout:
    """Attendance and ballots of one vote.

    ``entitled`` is the roster on the day (应到), ``present`` those present (实到, video attendance
    included), ``cast`` the valid ballots (abstentions included), ``invalid`` ballots counted as
    invalid (e.g. more marks than allowed), ``voters`` those who took part where ballots are handed
    out (see the module), ``video_pending`` those present by video whose votes the clerk has still to
    enter (see the module). Everyone else present who did not vote is "not voted".
    """

    entitled: int
    present: int
    cast: int = 0
    invalid: int = 0
    voters: int | None = later(None)
    hands: bool = later(False)
    video_pending: int = later(0)

    def __post_init__(self) -> None:
        check_count(self.entitled, "应到人数", "entitled")
        check_count(self.present, "实到人数", "present")
        check_count(self.cast, "有效票数", "cast")
        check_count(self.invalid, "无效票数", "invalid")
        check_count(self.video_pending, "视频出席未录入人数", "video_pending")
        if not isinstance(self.hands, bool):
            raise InvalidCounts("invalid_field", "hands 必须是布尔值", f"hands must be a boolean, got {self.hands!r}")
        if self.present > self.entitled:
            raise InvalidCounts(
                "present_exceeds_entitled",
                f"实到{self.present}人，多于应到的{self.entitled}人",
                f"present ({self.present}) exceeds entitled ({self.entitled})",
            )
        if self.voters is not None:
            if check_count(self.voters, "投票人数", "voters") > self.present:
                raise InvalidCounts(
                    "voters_exceed_present",
                    f"投票{self.voters}人，多于实到的{self.present}人",
                    f"voters ({self.voters}) exceed present ({self.present})",
                )
        elif self.cast + self.invalid > self.present:
            raise InvalidCounts(
                "ballots_exceed_present",
                f"有效票{self.cast}张加无效票{self.invalid}张，多于实到的{self.present}人",
                f"cast ({self.cast}) plus invalid ({self.invalid}) exceeds present ({self.present})",
            )
        took_part = self.returned if self.voters is None else self.voters
        if self.video_pending and took_part + self.video_pending > self.present:
            raise InvalidCounts(
                "pending_exceeds_present",
                f"已表决{took_part}人加视频出席未录入{self.video_pending}人，多于实到的{self.present}人",
                f"voted ({took_part}) plus video attendees not entered ({self.video_pending}) exceed present "
                f"({self.present})",
            )

    @property
    def returned(self) -> int:
        """Ballots returned: valid and invalid together (收回选票)."""
        return self.cast + self.invalid

    @property
    def over_returned(self) -> bool:
        """More ballots returned than deputies voted (the round is void where that is the rule)."""
        return self.voters is not None and self.returned > self.voters

    @property
    def not_voted(self) -> int:
        """Present but cast nothing (未按表决器; 未表决 in a show of hands) -- its own column, never folded
        into abstain. Video attendees whose votes are still to be entered are not among them."""
        return self.present - (self.returned if self.voters is None else self.voters) - self.video_pending

    @property
    def absent(self) -> int:
        """Entitled but not present (on leave and absent together)."""
        return self.entitled - self.present

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Turnout:
        if not isinstance(d, Mapping):
            raise InvalidCounts("not_a_mapping", "出席数据必须是映射", "turnout must be a mapping")
        unknown = set(d) - {"entitled", "present", "cast", "invalid", "voters", "hands", "video_pending"}
        if unknown:
            raise InvalidCounts(
                "unknown_field",
                f"出席数据含未知字段：{', '.join(sorted(map(str, unknown)))}",
                f"unknown turnout field(s): {', '.join(sorted(map(str, unknown)))}",
            )
        for key in ("entitled", "present"):
            if key not in d:
                raise InvalidCounts("missing_field", f"出席数据缺少 {key}", f"turnout is missing {key!r}")
        return cls(d["entitled"], d["present"], d.get("cast", 0), d.get("invalid", 0), d.get("voters"),
                   d.get("hands", False), d.get("video_pending", 0))
