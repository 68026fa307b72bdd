"""差额: how many more candidates than places an election must have, by the kind of post, as data.

地方组织法 (2022), on elections by a local people's congress: the candidates for a single head post
(常委会主任, 秘书长, 政府正职, 法院院长, 检察院检察长) may be one more than the places, and where only one is
nominated the election may be uncontested (等额); for deputy heads (常委会副主任, 政府副职) one to three more;
for members of the standing committee one tenth to one fifth more. A by-election (补选) may be contested
or not. A further election (另行选举) for places left unfilled draws its candidates from the first round in
order of votes with one to three more than the places, and two candidates when one place is left (选举法,
the article on 另行选举: 如果只选一人，候选人应为二人).

:class:`Margin` is one such rule; :data:`MARGINS` the law's, by key (:data:`POST_TYPES` and
:data:`FURTHER`); a body may override any of them (``ruleset(..., {"margins": {...}})``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from .errors import RuleError
from .plain import Plain

__all__ = ["Margin", "MARGINS", "POST_TYPES", "FURTHER", "MARGIN_KEYS"]

#: The kinds of post an election is for; each has its margin.
POST_TYPES = ("head", "deputy_head", "committee_member", "by_election")
#: The key of the margin of a further election (另行选举).
FURTHER = "further"
MARGIN_KEYS = (*POST_TYPES, FURTHER)


def _amount(value: object, what: str) -> int | Fraction:
    """A number of persons (a non-negative int) or a share of the places (a string "a/b")."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.count("/") == 1:
        num, den = (part.strip() for part in value.split("/"))
        if num.isdigit() and den.isdigit() and int(den) > 0:
            return Fraction(int(num), int(den))
    raise RuleError(
        "invalid_margin",
        f'差额设置 {what} 必须是人数（非负整数）或应选人数的比例（如 "1/10"），收到的是 {value!r}',
        f'margin {what} must be a number of persons (an integer) or a share of the places ("1/10"), got {value!r}',
    )


@dataclass(frozen=True)
class Margin(Plain):
    """At least ``low`` and at most ``high`` (None: no limit) more candidates than places. Each is a number
    of persons (``1``, ``3``) or a share of the places (``"1/10"``, ``"1/5"``): a share is rounded up for
    the fewest and down for the most, and the most is never below the fewest (5 places at 1/10 to 1/5:
    exactly one more). ``uncontested``: as many candidates as places (等额) is also allowed.
    ``one_place``: when one place is to be filled, exactly this many more (另行选举: two candidates)."""

    plain_name: ClassVar[str] = "margin"

    low: int | str = 1
    high: int | str | None = None
    uncontested: bool = False
    one_place: int | None = None

    def __post_init__(self) -> None:
        _amount(self.low, "low")
        if self.high is not None:
            _amount(self.high, "high")
        if not isinstance(self.uncontested, bool):
            raise RuleError(
                "invalid_margin", "uncontested 必须是布尔值", f"uncontested must be a boolean, got {self.uncontested!r}"
            )
        if self.one_place is not None:
            _amount(self.one_place, "one_place")

    def bounds(self, places: int) -> tuple[int, int | None]:
        """(fewest, most) more candidates than ``places``; most is None when there is no limit."""
        if self.one_place is not None and places == 1:
            return self.one_place, self.one_place
        low, high = _amount(self.low, "low"), None if self.high is None else _amount(self.high, "high")
        fewest = low if isinstance(low, int) else -((-low.numerator * places) // low.denominator)
        if high is None:
            return fewest, None
        most = high if isinstance(high, int) else (high.numerator * places) // high.denominator
        return fewest, max(most, fewest)

    def allows(self, places: int, candidates: int) -> bool:
        extra = candidates - places
        fewest, most = self.bounds(places)
        if self.uncontested and extra == 0:
            return True
        return extra >= fewest and (most is None or extra <= most)

    def describe_zh(self, places: int) -> str:
        """ "候选人应比应选人数多1至3名" (with "，或等额" where allowed)."""
        fewest, most = self.bounds(places)
        if most is None:
            text = f"候选人应比应选人数多{fewest}名以上" if fewest else "候选人不少于应选人数"
        elif most == fewest:
            text = f"候选人应比应选人数多{fewest}名" if fewest else "候选人应与应选人数相等"
        else:
            text = f"候选人应比应选人数多{fewest}至{most}名"
        return text + ("，或等额" if self.uncontested and fewest else "")

    def describe_en(self, places: int) -> str:
        """ "1 to 3 more candidates than places" (with ", or as many" where allowed)."""
        fewest, most = self.bounds(places)
        if most is None:
            text = f"at least {fewest} more candidates than places"
        elif most == fewest:
            text = f"exactly {fewest} more candidates than places"
        else:
            text = f"{fewest} to {most} more candidates than places"
        return text + (", or as many as places" if self.uncontested and fewest else "")

    def check(self, places: int, candidates: int) -> None:
        """``RuleError("margin_not_met")`` unless ``candidates`` for ``places`` keep within this margin."""
        if not self.allows(places, candidates):
            raise RuleError(
                "margin_not_met",
                f"应选{places}名，候选人{candidates}名：{self.describe_zh(places)}",
                f"{places} places and {candidates} candidates: {self.describe_en(places)} are required",
            )


#: The law's margins, by post type and for a further election (see the module).
MARGINS: dict[str, Margin] = {
    "head": Margin(1, 1, uncontested=True),
    "deputy_head": Margin(1, 3),
    "committee_member": Margin("1/10", "1/5"),
    "by_election": Margin(0, None),
    FURTHER: Margin(1, 3, one_place=1),
}
