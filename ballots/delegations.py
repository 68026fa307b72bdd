"""Attendance per delegation (代表团): a congress plenary reports 应到 / 实到 / 请假 / 缺席 for each of its
delegations, as it does for the whole sitting.

:func:`attendance_by_delegation` takes each entitled member's delegation and attendance (in roster
order) and gives one :class:`DelegationAttendance` per delegation, in the order the delegations first
appear; members of no delegation come last, under ``None``. Video attendance counts as present (实到),
and is also shown on its own. Attendance is all it counts: a ballot's choices are never broken down by
delegation (a secret ballot's could then be learned of a small delegation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import InvalidCounts

__all__ = ["ATTENDANCE_STATUSES", "DelegationAttendance", "attendance_by_delegation"]

#: The attendance of one member at one sitting: on site, by video, on leave, absent.
ATTENDANCE_STATUSES = ("present", "video", "leave", "absent")


@dataclass(frozen=True)
class DelegationAttendance:
    """One delegation's attendance: ``entitled`` (应到), ``on_site`` (现场出席), ``video`` (视频出席),
    ``leave`` (请假), ``absent`` (缺席); ``present`` (实到) is on site and by video together."""

    delegation: str | None
    entitled: int = 0
    on_site: int = 0
    video: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def present(self) -> int:
        return self.on_site + self.video

    def to_dict(self) -> dict[str, Any]:
        return {"delegation": self.delegation, "entitled": self.entitled, "present": self.present,
                "on_site": self.on_site, "video": self.video, "leave": self.leave, "absent": self.absent}


def attendance_by_delegation(members: Iterable[tuple[str | None, str]]) -> list[DelegationAttendance]:
    """Per delegation, the attendance of ``members``: ``(delegation, status)`` of every entitled member,
    ``status`` one of :data:`ATTENDANCE_STATUSES`. A delegation named by blanks only is none."""
    counts: dict[str | None, dict[str, int]] = {}
    for delegation, status in members:
        if status not in ATTENDANCE_STATUSES:
            raise InvalidCounts("unknown_status", f"未知的出席情况：{status!r}", f"unknown attendance {status!r}")
        if delegation is not None and not isinstance(delegation, str):
            raise InvalidCounts("invalid_field", f"代表团必须是文字，收到的是 {delegation!r}",
                                f"a delegation must be a text, got {delegation!r}")
        key = (delegation.strip() or None) if delegation is not None else None
        row = counts.setdefault(key, dict.fromkeys(ATTENDANCE_STATUSES, 0))
        row[status] += 1
    order = [k for k in counts if k is not None] + ([None] if None in counts else [])
    return [DelegationAttendance(k, sum(counts[k].values()), counts[k]["present"], counts[k]["video"],
                                 counts[k]["leave"], counts[k]["absent"]) for k in order]
