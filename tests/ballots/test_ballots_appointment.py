"""Appointments and removals: one outcome per person, 先免后任, combined lists, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    AppointmentSpec,
    InvalidChoice,
    InvalidCounts,
    Person,
    Result,
    RuleError,
    Turnout,
    check_order,
    ruleset,
    spec_from_dict,
)

SC = ruleset("standing_committee")
ZHANG = Person("p1", "张三", "市财政局局长")
LI_OUT = Person("p0", "李四", "市财政局局长", "remove")
WANG = Person("p2", "王五", "市审计局局长")


def test_single_appointment_passes() -> None:
    spec = AppointmentSpec((ZHANG,))
    r = spec.tally(
        {"p1": {"for": 12, "against": 1, "abstain": 0}}, Turnout(15, 14, 13), SC.threshold_for("appointment"), SC.quorum
    )
    assert r.kind == "appointment" and r.outcome == "passed"
    assert r.announcement_zh == (
        "应到15人，实到14人，符合法定人数。张三（任命为市财政局局长）：赞成12票，反对1票，弃权0票，未按表决器1人。需8票，通过。"
    )
    assert r.announcement_en == (
        "Entitled 15, present 14, quorum present. 张三 (appointment as 市财政局局长): For 12, against 1, abstain 0, "
        "not voted 1. 8 needed: approved."
    )
    assert r.questions[0].label == "张三（任命为市财政局局长）"


def test_single_appointment_fails() -> None:
    spec = AppointmentSpec((ZHANG,))
    r = spec.tally(
        {"p1": {"for": 7, "against": 5, "abstain": 1}}, Turnout(15, 14, 13), SC.threshold_for("appointment"), SC.quorum
    )
    assert r.outcome == "failed"
    assert "张三（任命为市财政局局长）：赞成7票" in r.announcement_zh
    assert r.announcement_zh.endswith("需8票。赞成7票，少于通过所需的8票，未获通过。")


def test_combined_list_gives_each_person_an_outcome() -> None:
    spec = AppointmentSpec((LI_OUT, ZHANG, WANG), combined=True)
    counts = {"p0": {"for": 13}, "p1": {"for": 9, "against": 4}, "p2": {"for": 6, "against": 5, "abstain": 2}}
    r = spec.tally(counts, Turnout(15, 13, 13), SC.threshold_for("appointment", action="remove"), SC.quorum)
    assert [q.outcome for q in r.questions] == ["passed", "passed", "failed"]
    assert r.outcome == "mixed"
    lines = r.announcement_zh.split("\n")
    assert lines[0] == "应到15人，实到13人，符合法定人数。"
    assert lines[1].startswith("李四（免去市财政局局长职务）：赞成13票")
    assert lines[1].endswith("通过。")
    assert lines[3].startswith("王五（任命为市审计局局长）：赞成6票")
    assert lines[3].endswith("未获通过。")
    assert len(r.announcement_en.split("\n")) == 4


def test_combined_all_pass_and_all_fail() -> None:
    spec = AppointmentSpec((ZHANG, WANG), combined=True)
    th = SC.threshold_for("appointment")
    assert spec.tally({"p1": {"for": 8}, "p2": {"for": 8}}, Turnout(15, 8, 8), th, SC.quorum).outcome == "passed"
    assert spec.tally({"p1": {"for": 7}, "p2": {"for": 0}}, Turnout(15, 8, 8), th, SC.quorum).outcome == "failed"
    r = spec.tally({}, Turnout(15, 3, 0), th, SC.quorum)
    assert r.outcome == "no_quorum" and {q.outcome for q in r.questions} == {"no_quorum"}


def test_removal_wording_and_no_post() -> None:
    r = AppointmentSpec((Person("x", "赵六", action="remove"),)).tally(
        {"x": {"for": 9}}, Turnout(15, 9, 9), SC.threshold_for("appointment", action="remove"), SC.quorum
    )
    assert "赵六（免职）：赞成9票" in r.announcement_zh
    assert "赵六 (removal)" in r.announcement_en
    assert Person("y", "钱七").label == "钱七（任命）"


# --- ballots ------------------------------------------------------------------------------------


def test_ballot_must_answer_every_person() -> None:
    spec = AppointmentSpec((ZHANG, WANG), combined=True)
    assert spec.validate({"p1": "赞成", "p2": "against"}) == {"p1": "for", "p2": "against"}
    with pytest.raises(InvalidChoice) as err:
        spec.validate({"p1": "for"})
    assert err.value.code == "missing_answer"
    assert "王五" in err.value.zh and "王五" in err.value.en
    with pytest.raises(InvalidChoice) as err:
        spec.validate({"p1": "for", "p2": "for", "p9": "for"})
    assert err.value.code == "unknown_question"


def test_count_and_tally() -> None:
    spec = AppointmentSpec((ZHANG,))
    counts = spec.count([{"p1": "for"}] * 9 + [{"p1": "abstain"}])
    assert counts == {"p1": {"for": 9, "against": 0, "abstain": 1}}
    assert spec.tally(counts, Turnout(15, 11, 10), SC.threshold_for("appointment"), SC.quorum).outcome == "passed"


# --- spec errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: AppointmentSpec((ZHANG, WANG)), "single_person_required"),
        (lambda: AppointmentSpec(()), "no_persons"),
        (lambda: AppointmentSpec((ZHANG, ZHANG), combined=True), "duplicate_id"),
        (lambda: AppointmentSpec((ZHANG, LI_OUT), combined=True), "appointment_before_removal"),
        (lambda: AppointmentSpec(("张三",)), "invalid_field"),  # type: ignore[arg-type]
        (lambda: AppointmentSpec((ZHANG,), combined="yes"), "invalid_field"),  # type: ignore[arg-type]
        (lambda: Person("p", "张三", "局长", "promote"), "invalid_action"),  # type: ignore[arg-type]
        (lambda: Person("", "张三"), "invalid_field"),
        (lambda: Person("p", " "), "invalid_field"),
    ],
)
def test_spec_errors(make: object, code: str) -> None:
    with pytest.raises(RuleError) as err:
        make()  # type: ignore[operator]
    assert err.value.code == code


def test_tally_rejects_counts_over_cast() -> None:
    spec = AppointmentSpec((ZHANG,))
    with pytest.raises(InvalidCounts) as err:
        spec.tally({"p1": {"for": 14}}, Turnout(15, 14, 13), SC.threshold_for("appointment"), SC.quorum)
    assert err.value.code == "counts_exceed_cast"


# --- 先免后任 -------------------------------------------------------------------------------------


def test_check_order_removal_first_is_fine() -> None:
    assert check_order([LI_OUT, ZHANG, WANG]) == []
    assert check_order([]) == []
    # different posts do not constrain each other
    assert check_order([ZHANG, Person("q", "孙八", "市审计局局长", "remove")]) == []
    # persons without a post are not checked
    assert check_order([Person("a", "甲"), Person("b", "乙", action="remove")]) == []


def test_check_order_flags_appointment_before_removal() -> None:
    problems = check_order([ZHANG, WANG, LI_OUT])
    assert len(problems) == 1
    (p,) = problems
    assert isinstance(p, RuleError) and p.code == "appointment_before_removal"
    assert "李四" in p.zh and "张三" in p.zh and "市财政局局长" in p.zh
    assert "before appointing 张三" in p.en


def test_check_order_compares_posts_ignoring_blanks() -> None:
    assert len(check_order([Person("a", "甲", " 局长"), Person("b", "乙", "局长 ", "remove")])) == 1


# --- rule sets and round trips --------------------------------------------------------------------


def test_combined_needs_permission_from_the_rule_set() -> None:
    spec = AppointmentSpec((ZHANG, WANG), combined=True)
    with pytest.raises(RuleError) as err:
        SC.check_spec(spec)
    assert err.value.code == "combined_not_allowed"
    ruleset("standing_committee", {"allow_combined_appointments": True}).check_spec(spec)
    SC.check_spec(AppointmentSpec((ZHANG,), combined=True))  # a list of one is not a combined vote
    SC.check_spec(AppointmentSpec((ZHANG,)))


def test_spec_round_trip() -> None:
    spec = AppointmentSpec((LI_OUT, ZHANG, WANG), combined=True)
    d = spec.to_dict()
    assert d["kind"] == "appointment" and d["combined"] is True
    assert d["persons"][0] == {"id": "p0", "name": "李四", "post": "市财政局局长", "action": "remove"}
    assert spec_from_dict(d) == spec
    assert AppointmentSpec([ZHANG]) == AppointmentSpec((ZHANG,))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "code"),
    [
        ({"kind": "appointment"}, "invalid_field"),
        ({"kind": "appointment", "persons": [{"id": "a"}]}, "invalid_field"),
        ({"kind": "appointment", "persons": [{"id": "a", "name": "甲", "age": 3}]}, "unknown_field"),
        ({"kind": "appointment", "persons": ["甲"]}, "not_a_mapping"),
        ({"kind": "appointment", "persons": [], "extra": 1}, "unknown_field"),
    ],
)
def test_spec_from_dict_errors(d: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        spec_from_dict(d)
    assert err.value.code == code


@st.composite
def person_counts(draw: st.DrawFn) -> tuple[AppointmentSpec, dict[str, dict[str, int]], Turnout]:
    n = draw(st.integers(1, 4))
    persons = tuple(
        Person(f"p{i}", f"人员{i}", f"职务{i}", draw(st.sampled_from(["appoint", "remove"]))) for i in range(n)
    )
    entitled = draw(st.integers(0, 40))
    present = draw(st.integers(0, entitled))
    cast = draw(st.integers(0, present))
    counts = {}
    for p in persons:
        f = draw(st.integers(0, cast))
        a = draw(st.integers(0, cast - f))
        counts[p.id] = {"for": f, "against": a, "abstain": cast - f - a}
    return AppointmentSpec(persons, combined=n > 1), counts, Turnout(entitled, present, cast)


@given(person_counts())
def test_appointment_properties(v: tuple[AppointmentSpec, dict[str, dict[str, int]], Turnout]) -> None:
    spec, counts, turnout = v
    r = spec.tally(counts, turnout, SC.threshold_for("appointment"), SC.quorum)
    for q in r.questions:
        assert sum(q.counts.values()) + q.not_voted == turnout.present
    if r.quorum_held:
        outcomes = {q.outcome for q in r.questions}
        assert r.outcome == (outcomes.pop() if len(outcomes) == 1 else "mixed")
    assert Result.from_dict(r.to_dict()) == r
    assert spec_from_dict(spec.to_dict()) == spec
