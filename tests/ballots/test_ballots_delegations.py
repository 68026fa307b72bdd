"""Attendance per delegation (代表团): 应到 / 实到 / 请假 / 缺席 / 视频 of each delegation, in the order the
delegations first appear, members of none last; totals equal the sitting's."""

from __future__ import annotations

import pytest

from ballots import DelegationAttendance, InvalidCounts, attendance_by_delegation

A, B, C = "城关镇代表团", "河西乡代表团", "东山镇代表团"

# (members as (delegation, status), expected rows as (delegation, 应到, 实到, 现场, 视频, 请假, 缺席))
CASES = [
    ("empty", [], []),
    ("one delegation all present", [(A, "present")] * 3, [(A, 3, 3, 3, 0, 0, 0)]),
    ("video counts as present", [(A, "present"), (A, "video"), (A, "absent")], [(A, 3, 2, 1, 1, 0, 1)]),
    ("three delegations, first-appearance order",
     [(B, "present"), (A, "leave"), (B, "absent"), (C, "video"), (A, "present"), (C, "leave")],
     [(B, 2, 1, 1, 0, 0, 1), (A, 2, 1, 1, 0, 1, 0), (C, 2, 1, 0, 1, 1, 0)]),
    ("no delegation last", [(None, "present"), (A, "present"), ("  ", "absent")],
     [(A, 1, 1, 1, 0, 0, 0), (None, 2, 1, 1, 0, 0, 1)]),
    ("a whole delegation away", [(A, "leave"), (A, "absent"), (B, "present")],
     [(A, 2, 0, 0, 0, 1, 1), (B, 1, 1, 1, 0, 0, 0)]),
    ("names are trimmed", [(A, "present"), (f" {A} ", "video")], [(A, 2, 2, 1, 1, 0, 0)]),
]


@pytest.mark.parametrize(("members", "expected"), [(m, e) for _n, m, e in CASES], ids=[n for n, _m, _e in CASES])
def test_attendance_by_delegation(members, expected) -> None:
    got = attendance_by_delegation(members)
    assert [(r.delegation, r.entitled, r.present, r.on_site, r.video, r.leave, r.absent) for r in got] == expected
    # the rows add up to the sitting's attendance
    assert sum(r.entitled for r in got) == len(members)
    assert sum(r.present for r in got) == sum(1 for _d, s in members if s in ("present", "video"))
    for r in got:
        assert r.entitled == r.present + r.leave + r.absent


def test_to_dict() -> None:
    assert DelegationAttendance(A, 5, 3, 1, 1, 0).to_dict() == {
        "delegation": A, "entitled": 5, "present": 4, "on_site": 3, "video": 1, "leave": 1, "absent": 0}


@pytest.mark.parametrize(("members", "code"), [
    ([(A, "here")], "unknown_status"),
    ([(A, "voted")], "unknown_status"),
    ([(3, "present")], "invalid_field"),
])
def test_bad_input_is_refused(members, code) -> None:
    with pytest.raises(InvalidCounts) as err:
        attendance_by_delegation(members)
    assert err.value.code == code
