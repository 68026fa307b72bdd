"""满意度测评: the cumulative-majority rule, 不了解, caps, the published table, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    BASIC,
    DEFAULT_GRADES,
    SATISFIED,
    UNKNOWN,
    UNSATISFIED,
    CapExceeded,
    EvalObject,
    EvaluationSpec,
    InvalidChoice,
    InvalidCounts,
    Option,
    Result,
    RuleError,
    Turnout,
    ruleset,
    spec_from_dict,
)

SC = ruleset("standing_committee")
TH = SC.threshold_for("evaluation")
EDU = EvalObject("edu", "市教育局")
HEALTH = EvalObject("health", "市卫健委")
SPEC = EvaluationSpec((EDU, HEALTH))


def grade(
    satisfied: int,
    basic: int,
    unsatisfied: int,
    *,
    entitled: int,
    present: int | None = None,
    spec: EvaluationSpec = SPEC,
    extra: dict[str, int] | None = None,
) -> str:
    counts = {"satisfied": satisfied, "basic": basic, "unsatisfied": unsatisfied, **(extra or {})}
    cast = sum(counts.values())
    turnout = Turnout(entitled, entitled if present is None else present, cast)
    r = spec.tally({"edu": counts}, turnout, TH, SC.quorum)
    return r.question("edu").outcome


@pytest.mark.parametrize(
    ("satisfied", "basic", "unsatisfied", "entitled", "expected"),
    [
        (9, 4, 2, 15, "satisfied"),  # 9 > 7.5
        (8, 0, 7, 15, "satisfied"),  # 8 > 7.5
        (7, 1, 7, 15, "basic"),  # 7 + 1 > 7.5
        (7, 0, 8, 15, "unsatisfied"),
        (8, 4, 4, 16, "basic"),  # exactly half 满意 is not 满意
        (4, 4, 8, 16, "unsatisfied"),  # exactly half cumulatively is not 基本满意
        (4, 5, 7, 16, "basic"),
        (9, 0, 7, 16, "satisfied"),
        (1, 0, 0, 1, "satisfied"),
        (0, 1, 0, 1, "basic"),
        (0, 0, 1, 1, "unsatisfied"),
        (1, 0, 1, 2, "unsatisfied"),
        (1, 1, 0, 2, "basic"),
        (0, 0, 0, 3, "unsatisfied"),
    ],
)
def test_cumulative_majority(satisfied: int, basic: int, unsatisfied: int, entitled: int, expected: str) -> None:
    assert grade(satisfied, basic, unsatisfied, entitled=entitled) == expected


def test_rule_is_over_all_members_not_those_voting() -> None:
    # 15 members, 9 present all 满意 except one: 8 > 7.5 → 满意; 7 满意 of 9 voting is not enough.
    assert grade(8, 1, 0, entitled=15, present=9) == "satisfied"
    assert grade(7, 2, 0, entitled=15, present=9) == "basic"
    assert grade(6, 1, 2, entitled=15, present=9) == "unsatisfied"


def test_unknown_grade_never_counts() -> None:
    spec = EvaluationSpec((EDU,), grades=DEFAULT_GRADES + (UNKNOWN,))
    assert spec.uncounted == ("unknown",)
    assert spec.counted_grades() == ("satisfied", "basic", "unsatisfied")
    # 7 满意 + 8 不了解 of 15: 不了解 is neither a grade nor a step toward one
    assert grade(7, 0, 0, entitled=15, spec=spec, extra={"unknown": 8}) == "unsatisfied"
    assert grade(7, 1, 0, entitled=15, spec=spec, extra={"unknown": 7}) == "basic"


def test_uncounted_grade_may_be_named_explicitly() -> None:
    dunno = Option("dunno", "不清楚", "not sure")
    spec = EvaluationSpec((EDU,), grades=(SATISFIED, dunno, BASIC, UNSATISFIED), uncounted=("dunno",))
    assert spec.counted_grades() == ("satisfied", "basic", "unsatisfied")
    assert grade(3, 5, 0, entitled=15, spec=spec, extra={"dunno": 7}) == "basic"
    # explicit empty tuple: "unknown" counts as an ordinary (last) grade
    spec2 = EvaluationSpec((EDU,), grades=DEFAULT_GRADES + (UNKNOWN,), uncounted=())
    assert spec2.counted_grades()[-1] == "unknown"


def test_table_and_announcement() -> None:
    r = SPEC.tally(
        {
            "edu": {"satisfied": 9, "basic": 3, "unsatisfied": 1},
            "health": {"satisfied": 5, "basic": 2, "unsatisfied": 6},
        },
        Turnout(15, 14, 13),
        TH,
        SC.quorum,
    )
    assert r.kind == "evaluation" and r.outcome == "evaluated"
    edu, health = r.questions
    assert edu.counts == {"satisfied": 9, "basic": 3, "unsatisfied": 1}
    assert (edu.outcome, health.outcome) == ("satisfied", "unsatisfied")
    assert edu.needed == 8 and edu.not_voted == 1 and edu.rank is None
    lines = r.announcement_zh.split("\n")
    assert lines[0] == "应到15人，实到14人，符合法定人数。"
    assert lines[1] == "市教育局：满意9票，基本满意3票，不满意1票，未按表决器1人。需8票，测评等次：满意。"
    assert lines[2].endswith("测评等次：不满意。")
    assert (
        "市教育局: satisfied 9, basically satisfied 3, unsatisfied 1, not voted 1. 8 needed; grade: satisfied."
        in r.announcement_en
    )


def test_no_quorum() -> None:
    r = SPEC.tally({}, Turnout(15, 5, 0), TH, SC.quorum)
    assert r.outcome == "no_quorum"
    assert {q.outcome for q in r.questions} == {"no_quorum"}


# --- ballots and caps ---------------------------------------------------------------------------


def test_validate_every_object_graded() -> None:
    assert SPEC.validate({"edu": "满意", "health": "basic"}) == {"edu": "satisfied", "health": "basic"}
    with pytest.raises(InvalidChoice) as err:
        SPEC.validate({"edu": "satisfied"})
    assert err.value.code == "missing_answer" and "市卫健委" in err.value.zh
    with pytest.raises(InvalidChoice) as err:
        SPEC.validate({"edu": "excellent", "health": "basic"})
    assert err.value.code == "unknown_option"


def test_cap_on_satisfied() -> None:
    objects = tuple(EvalObject(f"o{i}", f"部门{i}") for i in range(4))
    spec = EvaluationSpec(objects, caps={"satisfied": 2})
    ok = {"o0": "satisfied", "o1": "satisfied", "o2": "basic", "o3": "unsatisfied"}
    assert spec.validate(ok) == ok
    with pytest.raises(CapExceeded) as err:
        spec.validate({**ok, "o2": "satisfied"})
    assert err.value.code == "cap_exceeded"
    assert "满意" in err.value.zh and "2" in err.value.en
    assert isinstance(err.value, InvalidChoice)


def test_cap_checked_in_counts() -> None:
    objects = tuple(EvalObject(f"o{i}", f"部门{i}") for i in range(3))
    spec = EvaluationSpec(objects, caps={"satisfied": 1})
    counts = {"o0": {"satisfied": 2}, "o1": {"satisfied": 2}, "o2": {"basic": 2}}
    with pytest.raises(InvalidCounts) as err:
        spec.tally(counts, Turnout(5, 5, 2), TH, SC.quorum)
    assert err.value.code == "cap_exceeded_in_counts"
    spec.tally(
        {"o0": {"satisfied": 1, "basic": 1}, "o1": {"satisfied": 1, "basic": 1}}, Turnout(5, 5, 2), TH, SC.quorum
    )


# --- spec errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"objects": ()}, "no_objects"),
        ({"objects": (EDU, EDU)}, "duplicate_id"),
        ({"objects": (EDU,), "grades": ()}, "invalid_grades"),
        ({"objects": (EDU,), "grades": (SATISFIED, SATISFIED)}, "duplicate_id"),
        ({"objects": (EDU,), "caps": {"excellent": 1}}, "unknown_grade"),
        ({"objects": (EDU,), "caps": {"satisfied": -1}}, "invalid_cap"),
        ({"objects": (EDU,), "caps": {"satisfied": 1.5}}, "invalid_cap"),
        ({"objects": (EDU,), "caps": [("satisfied", 1)]}, "invalid_caps"),
        ({"objects": (EDU,), "rule": "average"}, "unknown_rule"),
        ({"objects": (EDU,), "uncounted": ("unknown",)}, "unknown_grade"),
        ({"objects": (EDU,), "grades": (UNKNOWN,)}, "no_counted_grade"),
        ({"objects": (EDU,), "uncounted": "unknown"}, "invalid_field"),
        ({"objects": ("市教育局",)}, "no_objects"),
    ],
)
def test_spec_errors(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        EvaluationSpec(**kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_spec_round_trip() -> None:
    spec = EvaluationSpec((EDU, HEALTH), grades=DEFAULT_GRADES + (UNKNOWN,), caps={"satisfied": 1})
    d = spec.to_dict()
    assert d["kind"] == "evaluation" and d["uncounted"] == ["unknown"] and d["caps"] == {"satisfied": 1}
    assert spec_from_dict(d) == spec
    assert spec_from_dict({"kind": "evaluation", "objects": [{"id": "a", "name": "甲"}]}) == EvaluationSpec(
        (EvalObject("a", "甲"),)
    )
    assert [g.code for g in SPEC.questions()[0].options] == ["satisfied", "basic", "unsatisfied"]
    assert UNSATISFIED.zh == "不满意"


# --- properties ----------------------------------------------------------------------------------


@st.composite
def evaluation_counts(draw: st.DrawFn) -> tuple[dict[str, int], Turnout]:
    entitled = draw(st.integers(1, 60))
    present = draw(st.integers(0, entitled))
    cast = draw(st.integers(0, present))
    s = draw(st.integers(0, cast))
    b = draw(st.integers(0, cast - s))
    return {"satisfied": s, "basic": b, "unsatisfied": cast - s - b}, Turnout(entitled, present, cast)


ORDER = ["unsatisfied", "basic", "satisfied"]


@given(evaluation_counts())
def test_moving_a_vote_up_never_lowers_the_grade(v: tuple[dict[str, int], Turnout]) -> None:
    counts, turnout = v
    before = SPEC.tally({"edu": counts}, turnout, TH, SC.quorum).question("edu")
    for lower, upper in (("unsatisfied", "basic"), ("basic", "satisfied")):
        if counts[lower] == 0:
            continue
        moved = dict(counts)
        moved[lower] -= 1
        moved[upper] += 1
        after = SPEC.tally({"edu": moved}, turnout, TH, SC.quorum).question("edu")
        if before.outcome != "no_quorum":
            assert ORDER.index(after.outcome) >= ORDER.index(before.outcome)


@given(evaluation_counts())
def test_grade_matches_the_written_rule(v: tuple[dict[str, int], Turnout]) -> None:
    counts, turnout = v
    q = SPEC.tally({"edu": counts}, turnout, TH, SC.quorum).question("edu")
    n = turnout.entitled
    if not SC.quorum.holds(n, turnout.present):
        assert q.outcome == "no_quorum"
        return
    if 2 * counts["satisfied"] > n:
        expected = "satisfied"
    elif 2 * (counts["satisfied"] + counts["basic"]) > n:
        expected = "basic"
    else:
        expected = "unsatisfied"
    assert q.outcome == expected
    assert sum(q.counts.values()) + q.not_voted == turnout.present


@given(evaluation_counts())
def test_result_round_trip(v: tuple[dict[str, int], Turnout]) -> None:
    counts, turnout = v
    r = SPEC.tally({"edu": counts, "health": counts}, turnout, TH, SC.quorum)
    assert Result.from_dict(r.to_dict()) == r
