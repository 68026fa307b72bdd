"""How a body names those who vote, carried by its rule so that every text follows the body.

A standing committee has 组成人员 (全体组成人员的过半数), a congress plenary has 代表 (全体代表的过半数,
全体代表三分之二以上出席), any other committee its own (成员 / 全体成员 by default). :class:`Words` holds
them; the class defaults are the standing committee's, which is what every rule and result stored before
words were part of the rule was worded with, so those read back and are worded exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from .errors import RuleError
from .plain import Plain, from_plain, reject_unknown

__all__ = ["Words", "need_words"]


@dataclass(frozen=True)
class Words(Plain):
    """The words for a body's voting members.

    ``member_zh`` / ``member_en`` / ``members_en``: one voting member ("组成人员", "member", "members");
    ``present_zh``: those present, as a threshold base ("出席人员"); ``roster_zh`` / ``roster_en``: the
    heading of the roster on sheets and screens ("常委会组成人员", "members of the standing committee").
    """

    plain_name: ClassVar[str] = "words"

    member_zh: str = "组成人员"
    member_en: str = "member"
    members_en: str = "members"
    present_zh: str = "出席人员"
    roster_zh: str = "常委会组成人员"
    roster_en: str = "members of the standing committee"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or not value.strip() or len(value) > 40:
                raise RuleError(
                    "invalid_words",
                    f"称谓 {f.name} 必须是不超过40字的非空文字，收到的是 {value!r}",
                    f"words.{f.name} must be a non-empty text of at most 40 characters, got {value!r}",
                )

    @property
    def all_zh(self) -> str:
        """ "全体组成人员" / "全体代表"."""
        return f"全体{self.member_zh}"

    @property
    def all_en(self) -> str:
        """ "all members" / "all deputies"."""
        return f"all {self.members_en}"

    @property
    def present_en(self) -> str:
        """ "members present" / "deputies present"."""
        return f"{self.members_en} present"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, defaults: Words | None = None) -> Words:
        """Build from a plain mapping; missing keys come from ``defaults`` (or the class defaults)."""
        if defaults is None:
            built: Words = from_plain(cls, d, cls.plain_name)
            return built
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "称谓设置必须是映射", f"words must be a mapping, got {d!r}")
        reject_unknown(d, [f.name for f in fields(cls)], "words", what_zh="称谓设置")
        return cls(**{f.name: d.get(f.name, getattr(defaults, f.name)) for f in fields(cls)})


def need_words(value: object) -> Words:
    """``value`` if it is :class:`Words`, else ``RuleError("invalid_words")``."""
    if not isinstance(value, Words):
        raise RuleError("invalid_words", "称谓设置必须是 Words", f"words must be Words, got {value!r}")
    return value
