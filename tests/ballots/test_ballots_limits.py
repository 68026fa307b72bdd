"""``spec.limits()``: what terminals receive (``ballot.limits`` in the snapshot), per kind, and the
property that it describes exactly what ``validate`` enforces."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    DEFAULT_GRADES,
    UNKNOWN,
    AppointmentSpec,
    BallotSpec,
    Candidate,
    CapExceeded,
    EvalObject,
    EvaluationSpec,
    InvalidChoice,
    Limits,
    Person,
    ResolutionSpec,
    SelectionSpec,
    TooManyMarks,
    spec_from_dict,
)

KEYS = ["kind", "answer_all", "max_marks", "for_code", "caps", "default_code"]
OBJECTS = tuple(EvalObject(f"o{i}", f"对象{i}") for i in range(4))
CANDIDATES = tuple(Candidate(f"c{i}", f"项目{i}") for i in range(5))
PERSONS = (Person("p1", "张三", "局长", "remove"), Person("p2", "李四", "局长"))


@pytest.mark.parametrize(
    ("spec", "limits"),
    [
        (ResolutionSpec("议案"), ("resolution", True, None, "for", {}, None)),
        (AppointmentSpec(PERSONS[:1]), ("appointment", True, None, "for", {}, None)),
        (AppointmentSpec(PERSONS, combined=True), ("appointment", True, None, "for", {}, None)),
        (EvaluationSpec(OBJECTS), ("evaluation", True, None, "satisfied", {}, None)),
        (
            EvaluationSpec(OBJECTS, (*DEFAULT_GRADES, UNKNOWN), caps={"satisfied": 2, "unsatisfied": 1}),
            ("evaluation", True, None, "satisfied", {"satisfied": 2, "unsatisfied": 1}, None),
        ),
        (SelectionSpec(CANDIDATES, 3), ("selection", False, 3, "mark", {}, None)),
        (SelectionSpec(CANDIDATES, 2, "for_against_abstain"), ("selection", False, 2, "for", {}, "abstain")),
    ],
)
def test_limits_per_kind(spec: BallotSpec, limits: tuple[Any, ...]) -> None:
    got = spec.limits()
    assert list(got) == KEYS
    assert got == dict(zip(KEYS, limits, strict=True))
    assert got == spec.answer_limits().to_dict() and Limits.from_dict(got) == spec.answer_limits()
    assert spec_from_dict(spec.to_dict()).limits() == got


# --- limits describe validate ----------------------------------------------------------------


@st.composite
def spec_and_limits(draw: st.DrawFn) -> BallotSpec:
    kind = draw(st.sampled_from(["resolution", "appointment", "evaluation", "selection"]))
    if kind == "resolution":
        return ResolutionSpec("议案")
    if kind == "appointment":
        return AppointmentSpec(PERSONS, combined=True)
    if kind == "evaluation":
        grades = draw(st.sampled_from([DEFAULT_GRADES, (*DEFAULT_GRADES, UNKNOWN)]))
        codes = [g.code for g in grades]
        caps = draw(st.dictionaries(st.sampled_from(codes), st.integers(0, len(OBJECTS)), max_size=2))
        return EvaluationSpec(OBJECTS[: draw(st.integers(1, len(OBJECTS)))], grades, caps=caps)
    n = draw(st.integers(1, len(CANDIDATES)))
    options = draw(st.sampled_from(["mark", "for_against_abstain"]))
    return SelectionSpec(CANDIDATES[:n], draw(st.integers(1, n)), options)


def _respects(spec: BallotSpec, ballot: dict[str, str]) -> bool:
    """Whether ``ballot`` keeps within ``spec.limits()``, read as a terminal reads it."""
    lim = spec.limits()
    filled = {q.id: ballot.get(q.id, lim["default_code"]) for q in spec.questions()}
    if lim["answer_all"] and any(v is None for v in filled.values()):
        return False
    values = [v for v in filled.values() if v is not None]
    if lim["max_marks"] is not None and values.count(lim["for_code"]) > lim["max_marks"]:
        return False
    return all(values.count(code) <= cap for code, cap in lim["caps"].items())


@given(st.data())
def test_a_ballot_is_valid_exactly_when_it_respects_the_limits(data: st.DataObject) -> None:
    spec = data.draw(spec_and_limits())
    ballot: dict[str, str] = {}
    for q in spec.questions():
        code = data.draw(st.one_of(st.none(), st.sampled_from(q.codes())))
        if code is not None:
            ballot[q.id] = code
    lim = spec.limits()
    if _respects(spec, ballot):
        out = spec.validate(ballot)
        assert {k: v for k, v in out.items() if k in ballot} == ballot
        assert all(out[q.id] == lim["default_code"] for q in spec.questions() if q.id not in ballot and q.id in out)
    else:
        with pytest.raises(InvalidChoice):
            spec.validate(ballot)


@given(st.data())
def test_exceeding_max_marks_or_a_cap_is_refused_with_its_own_error(data: st.DataObject) -> None:
    spec = data.draw(spec_and_limits())
    lim = spec.limits()
    ids = [q.id for q in spec.questions()]
    if lim["max_marks"] is not None and lim["max_marks"] < len(ids):
        ballot = {qid: lim["for_code"] for qid in ids[: lim["max_marks"] + 1]}
        with pytest.raises(TooManyMarks):
            spec.validate(ballot)
        assert spec.validate({qid: lim["for_code"] for qid in ids[: lim["max_marks"]]})
    for code, cap in lim["caps"].items():
        if cap < len(ids):
            with pytest.raises(CapExceeded):
                spec.validate(dict.fromkeys(ids, code))


def test_a_tablet_ballot_at_the_limit_counts_and_one_over_is_refused() -> None:
    spec = SelectionSpec(CANDIDATES, 2)
    assert spec.count([{"c0": "mark", "c1": "mark"}])["c0"] == {"mark": 1}
    with pytest.raises(TooManyMarks):
        spec.count([{"c0": "mark", "c1": "mark", "c2": "mark"}])
