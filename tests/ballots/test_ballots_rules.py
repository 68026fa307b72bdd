"""Turnout, Threshold and Quorum: worked examples, boundaries, errors, properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    Base,
    InvalidCounts,
    Quorum,
    RuleError,
    Threshold,
    Turnout,
    parse_fraction,
)

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


# --- Turnout ---------------------------------------------------------------------------------


def test_turnout_not_voted_and_absent() -> None:
    t = Turnout(entitled=15, present=13, cast=12, invalid=0)
    assert t.not_voted == 1
    assert t.absent == 2


def test_turnout_defaults() -> None:
    t = Turnout(15, 13)
    assert (t.cast, t.invalid, t.not_voted) == (0, 0, 13)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((-1, 0), "negative_count"),
        ((15, -1), "negative_count"),
        ((15, 13, -1), "negative_count"),
        ((15, 13, 0, -1), "negative_count"),
        ((15.0, 13), "not_an_integer"),
        ((15, "13"), "not_an_integer"),
        ((15, True), "not_an_integer"),
        ((15, 13, Fraction(1)), "not_an_integer"),
        ((15, 16), "present_exceeds_entitled"),
        ((15, 13, 14), "ballots_exceed_present"),
        ((15, 13, 12, 2), "ballots_exceed_present"),
    ],
)
def test_turnout_errors(args: tuple[object, ...], code: str) -> None:
    with pytest.raises(InvalidCounts) as err:
        Turnout(*args)  # type: ignore[arg-type]
    assert err.value.code == code
    assert err.value.zh and err.value.en
    assert str(err.value) == err.value.en


def test_turnout_round_trip_and_errors() -> None:
    t = Turnout(15, 13, 11, 1)
    assert Turnout.from_dict(t.to_dict()) == t
    with pytest.raises(InvalidCounts) as err:
        Turnout.from_dict({"entitled": 3})
    assert err.value.code == "missing_field"
    with pytest.raises(InvalidCounts) as err:
        Turnout.from_dict({"entitled": 3, "present": 2, "extra": 1})
    assert err.value.code == "unknown_field"
    with pytest.raises(InvalidCounts) as err:
        Turnout.from_dict([3, 2])  # type: ignore[arg-type]
    assert err.value.code == "not_a_mapping"


# --- Threshold: worked examples and boundaries ----------------------------------------------


@pytest.mark.parametrize("present", range(16))
def test_standing_committee_15_members_needs_8_whatever_attendance(present: int) -> None:
    t = Threshold()  # more than half of all members
    assert t.needed(Turnout(15, present, cast=present)) == 8


@pytest.mark.parametrize(
    ("entitled", "needed"),
    [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (15, 8), (16, 9), (45, 23), (450, 226)],
)
def test_majority_of_all_members(entitled: int, needed: int) -> None:
    assert Threshold().needed(Turnout(entitled, 0)) == needed
    assert needed == max(1, entitled // 2 + 1)


def test_exactly_half_is_not_a_majority() -> None:
    t = Threshold()
    turnout = Turnout(16, 16, 16)
    assert not t.met(8, turnout)
    assert t.met(9, turnout)


def test_inclusive_half_accepts_exactly_half() -> None:
    t = Threshold(Base.ALL_MEMBERS, HALF, strict=False)
    assert t.needed(Turnout(16, 0)) == 8
    assert t.needed(Turnout(15, 0)) == 8


@pytest.mark.parametrize(
    ("n", "inclusive", "strict"),
    [(3, 2, 3), (6, 4, 5), (9, 6, 7), (10, 7, 7), (30, 20, 21), (31, 21, 21), (1, 1, 1), (2, 2, 2)],
)
def test_two_thirds_inclusive_vs_strict(n: int, inclusive: int, strict: int) -> None:
    turnout = Turnout(n, n, n)
    assert Threshold(Base.PRESENT, TWO_THIRDS, strict=False).needed(turnout) == inclusive
    assert Threshold(Base.PRESENT, TWO_THIRDS, strict=True).needed(turnout) == strict


@pytest.mark.parametrize(
    ("base", "expected"),
    [(Base.ALL_MEMBERS, 11), (Base.PRESENT, 8), (Base.VOTES_CAST, 6), (Base.FOR_AND_AGAINST, 4)],
)
def test_bases(base: Base, expected: int) -> None:
    turnout = Turnout(entitled=20, present=14, cast=10, invalid=1)
    assert Threshold(base).needed(turnout, for_and_against=7) == expected


def test_nothing_passes_with_zero_for_votes() -> None:
    nobody = Turnout(15, 0)
    for base in Base:
        for strict in (True, False):
            t = Threshold(base, Fraction(0), strict)
            assert t.needed(nobody) == 1
            assert not t.met(0, nobody)
    # everyone abstains: half of for+against (0) would be 0 votes
    assert Threshold(Base.FOR_AND_AGAINST, HALF, strict=False).needed(Turnout(5, 5, 5), for_and_against=0) == 1


def test_unanimity_inclusive() -> None:
    t = Threshold(Base.PRESENT, Fraction(1), strict=False)
    assert t.needed(Turnout(15, 12, 12)) == 12


def test_met_rejects_bad_votes() -> None:
    with pytest.raises(InvalidCounts) as err:
        Threshold().met(-1, Turnout(3, 3))
    assert err.value.code == "negative_count"
    with pytest.raises(InvalidCounts):
        Threshold(Base.FOR_AND_AGAINST).needed(Turnout(3, 3), for_and_against=-2)


# --- describe ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "zh", "en"),
    [
        (Threshold(), "全体组成人员的过半数", "more than half of all members"),
        (Threshold(Base.PRESENT, HALF, True), "出席人员的过半数", "more than half of members present"),
        (
            Threshold(Base.PRESENT, TWO_THIRDS, False),
            "出席人员的三分之二以上",
            "at least two-thirds of members present",
        ),
        (
            Threshold(Base.ALL_MEMBERS, TWO_THIRDS, True),
            "超过全体组成人员的三分之二",
            "more than two-thirds of all members",
        ),
        (Threshold(Base.VOTES_CAST, HALF, False), "有效票数的半数以上", "at least half of valid votes cast"),
        (
            Threshold(Base.FOR_AND_AGAINST, HALF, True),
            "赞成票与反对票之和的过半数",
            "more than half of votes for and against",
        ),
        (
            Threshold(Base.ALL_MEMBERS, Fraction(3, 4), False),
            "全体组成人员的四分之三以上",
            "at least three-quarters of all members",
        ),
        (Threshold(Base.ALL_MEMBERS, Fraction(1), False), "全体组成人员的全部", "all of all members"),
    ],
)
def test_threshold_describe(threshold: Threshold, zh: str, en: str) -> None:
    assert threshold.describe_zh() == zh
    assert threshold.describe_en() == en


@pytest.mark.parametrize(
    ("quorum", "zh", "en"),
    [
        (Quorum(), "全体组成人员过半数出席", "more than half of all members present"),
        (
            Quorum(TWO_THIRDS, strict=False),
            "全体组成人员三分之二以上出席",
            "at least two-thirds of all members present",
        ),
        (
            Quorum(TWO_THIRDS, strict=True),
            "超过全体组成人员的三分之二出席",
            "more than two-thirds of all members present",
        ),
    ],
)
def test_quorum_describe(quorum: Quorum, zh: str, en: str) -> None:
    assert quorum.describe_zh() == zh
    assert quorum.describe_en() == en


# --- Quorum --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("entitled", "needed"), [(0, 1), (1, 1), (2, 2), (3, 2), (15, 8), (16, 9), (45, 23)])
def test_quorum_majority(entitled: int, needed: int) -> None:
    q = Quorum()
    assert q.needed(entitled) == needed
    assert q.holds(entitled, needed)
    assert not q.holds(entitled, needed - 1)


@pytest.mark.parametrize(("entitled", "needed"), [(3, 2), (300, 200), (301, 201), (450, 300), (1, 1)])
def test_quorum_two_thirds_inclusive(entitled: int, needed: int) -> None:
    q = Quorum(TWO_THIRDS, strict=False)
    assert q.needed(entitled) == needed
    assert q.holds(entitled, needed) and not q.holds(entitled, needed - 1)


def test_nobody_present_never_has_quorum() -> None:
    for q in (Quorum(), Quorum(Fraction(0), strict=False), Quorum(TWO_THIRDS, strict=False)):
        assert not q.holds(15, 0)
        assert not q.holds(0, 0)


# --- parsing and serialisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1/2", HALF),
        ("2/3", TWO_THIRDS),
        (" 2 / 3 ", TWO_THIRDS),
        ("1", Fraction(1)),
        (0, Fraction(0)),
        (1, Fraction(1)),
        (HALF, HALF),
    ],
)
def test_parse_fraction(value: object, expected: Fraction) -> None:
    assert parse_fraction(value) == expected


@pytest.mark.parametrize("value", ["0.5", 0.5, "3/2", 2, "-1/2", "1/0", "half", True, None, [1, 2], "", "1/2/3"])
def test_parse_fraction_rejects(value: object) -> None:
    with pytest.raises(RuleError) as err:
        parse_fraction(value)
    assert err.value.code == "invalid_fraction"


def test_threshold_to_dict_shape() -> None:
    assert Threshold().to_dict() == {"base": "all_members", "fraction": "1/2", "strict": True}
    assert Quorum(TWO_THIRDS, strict=False).to_dict() == {"fraction": "2/3", "strict": False}


def test_threshold_from_dict_accepts_int_and_partial() -> None:
    assert Threshold.from_dict({"base": "present", "fraction": 1, "strict": False}) == Threshold(
        Base.PRESENT, Fraction(1), False
    )
    assert Threshold.from_dict({}) == Threshold()
    assert Threshold.from_dict({"strict": False}, defaults=Threshold(Base.PRESENT)) == Threshold(
        Base.PRESENT, HALF, False
    )


@pytest.mark.parametrize(
    ("d", "code"),
    [
        ({"base": "everyone"}, "invalid_base"),
        ({"fraction": "3/2"}, "invalid_fraction"),
        ({"fraction": 0.5}, "invalid_fraction"),
        ({"strict": "yes"}, "invalid_strict"),
        ({"colour": "red"}, "unknown_field"),
        ({"fraction": 1, "strict": True}, "impossible_rule"),
    ],
)
def test_threshold_from_dict_errors(d: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        Threshold.from_dict(d)
    assert err.value.code == code


def test_rule_from_dict_not_a_mapping() -> None:
    with pytest.raises(RuleError) as err:
        Threshold.from_dict("1/2")  # type: ignore[arg-type]
    assert err.value.code == "not_a_mapping"
    with pytest.raises(RuleError) as err:
        Quorum.from_dict(None)  # type: ignore[arg-type]
    assert err.value.code == "not_a_mapping"


@pytest.mark.parametrize(
    ("d", "code"),
    [({"fraction": "5/4"}, "invalid_fraction"), ({"quorate": 1}, "unknown_field"), ({"strict": 1}, "invalid_strict")],
)
def test_quorum_from_dict_errors(d: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        Quorum.from_dict(d)
    assert err.value.code == code


def test_threshold_constructor_coerces_base_string_and_int_fraction() -> None:
    t = Threshold("present", 1, False)  # type: ignore[arg-type]
    assert t.base is Base.PRESENT and t.fraction == Fraction(1) and isinstance(t.fraction, Fraction)


# --- properties ----------------------------------------------------------------------------------

fractions_01 = st.fractions(min_value=0, max_value=1, max_denominator=12)
bases = st.sampled_from(list(Base))


@st.composite
def turnouts(draw: st.DrawFn) -> Turnout:
    entitled = draw(st.integers(0, 500))
    present = draw(st.integers(0, entitled))
    cast = draw(st.integers(0, present))
    invalid = draw(st.integers(0, present - cast))
    return Turnout(entitled, present, cast, invalid)


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    fraction = draw(fractions_01)
    strict = draw(st.booleans()) if fraction != 1 else False
    return Threshold(draw(bases), fraction, strict)


@given(thresholds(), turnouts(), st.integers(0, 500))
def test_needed_is_the_smallest_count_meeting_the_rule(t: Threshold, turnout: Turnout, fa: int) -> None:
    needed = t.needed(turnout, for_and_against=fa)
    base = t.base_count(turnout, for_and_against=fa)

    def ok(v: int) -> bool:
        return v >= 1 and (v > t.fraction * base if t.strict else v >= t.fraction * base)

    assert ok(needed)
    assert not ok(needed - 1)
    assert needed >= 1


@given(thresholds(), turnouts(), st.integers(0, 600))
def test_one_more_vote_never_turns_pass_into_fail(t: Threshold, turnout: Turnout, votes: int) -> None:
    if t.met(votes, turnout):
        assert t.met(votes + 1, turnout)


@given(thresholds())
def test_threshold_round_trip(t: Threshold) -> None:
    assert Threshold.from_dict(t.to_dict()) == t


@given(fractions_01, st.booleans())
def test_quorum_round_trip(f: Fraction, strict: bool) -> None:
    if f == 1:
        strict = False
    q = Quorum(f, strict)
    assert Quorum.from_dict(q.to_dict()) == q


@given(turnouts())
def test_turnout_parts_add_up(t: Turnout) -> None:
    assert t.cast + t.invalid + t.not_voted == t.present
    assert t.present + t.absent == t.entitled
    assert Turnout.from_dict(t.to_dict()) == t
