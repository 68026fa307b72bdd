"""票决 (selection): threshold plus top-N, ties at the cut-off, over-marked ballots, errors."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    Base,
    Candidate,
    InvalidChoice,
    InvalidCounts,
    Result,
    RuleError,
    SelectionSpec,
    Threshold,
    TooManyMarks,
    Turnout,
    ruleset,
    spec_from_dict,
)

PLENARY = ruleset("congress_plenary")
TH = PLENARY.threshold_for("selection")
Q = PLENARY.quorum
CANDS = tuple(Candidate(f"c{i}", f"项目{i}") for i in range(1, 7))


def marks(spec: SelectionSpec, votes: dict[str, int], turnout: Turnout, threshold: Threshold = TH) -> Result:
    return spec.tally({cid: {spec.for_code: v} for cid, v in votes.items()}, turnout, threshold, Q)


def test_top_n_meeting_the_threshold_are_chosen() -> None:
    spec = SelectionSpec(CANDS, max_marks=3)
    # 300 deputies, 280 present (quorum 200), 270 valid ballots: more than 150 needed
    r = marks(spec, {"c1": 250, "c2": 240, "c3": 160, "c4": 155, "c5": 5, "c6": 0}, Turnout(300, 280, 270, 2))
    assert r.outcome == "selected" and r.ties == ()
    outcomes = {q.question_id: (q.outcome, q.rank) for q in r.questions}
    assert outcomes == {
        "c1": ("chosen", 1),
        "c2": ("chosen", 2),
        "c3": ("chosen", 3),
        "c4": ("not_chosen", 4),  # meets the threshold but ranks below 3
        "c5": ("not_chosen", 5),  # below the threshold
        "c6": ("not_chosen", 6),
    }
    assert all(q.needed == 151 for q in r.questions)
    assert "无效票2张" in r.announcement_zh
    assert "入选3项：项目1、项目2、项目3。" in r.announcement_zh
    assert "第4名 项目4：得票155票。需151票，名次在限选数之外，未入选。" in r.announcement_zh
    assert "第5名 项目5：得票5票。需151票，少于所需的151票，未入选。" in r.announcement_zh
    assert "Chosen 3: 项目1, 项目2, 项目3." in r.announcement_en


def test_fewer_than_n_reach_the_threshold() -> None:
    spec = SelectionSpec(CANDS[:4], max_marks=3)
    r = marks(spec, {"c1": 200, "c2": 100, "c3": 100, "c4": 100}, Turnout(300, 280, 270))
    assert [q.outcome for q in r.questions] == ["chosen", "not_chosen", "not_chosen", "not_chosen"]
    assert r.outcome == "partly_selected"  # 应选3项，入选1项，2项空缺
    assert "应选3项，入选1项，2项空缺。" in r.announcement_zh


def test_tie_at_the_cut_off_is_reported_not_chosen() -> None:
    spec = SelectionSpec(CANDS[:5], max_marks=2)
    r = marks(spec, {"c1": 180, "c2": 170, "c3": 170, "c4": 10, "c5": 0}, Turnout(300, 280, 270))
    assert r.outcome == "tie"
    assert r.ties == (("c2", "c3"),)
    assert [q.outcome for q in r.questions] == ["chosen", "tie", "tie", "not_chosen", "not_chosen"]
    assert [q.rank for q in r.questions] == [1, 2, 2, 4, 5]
    assert "项目2、项目3得票相同，需另行表决。" in r.announcement_zh
    assert "run-off" in r.announcement_en


def test_tie_inside_the_top_n_is_not_a_tie() -> None:
    spec = SelectionSpec(CANDS[:4], max_marks=3)
    r = marks(spec, {"c1": 200, "c2": 200, "c3": 180, "c4": 170}, Turnout(300, 280, 270))
    assert r.ties == () and r.outcome == "selected"
    assert [q.outcome for q in r.questions] == ["chosen", "chosen", "chosen", "not_chosen"]


def test_tie_below_the_threshold_is_no_tie() -> None:
    spec = SelectionSpec(CANDS[:3], max_marks=1)
    r = marks(spec, {"c1": 100, "c2": 100, "c3": 5}, Turnout(300, 280, 270))
    assert r.ties == () and r.outcome == "unfilled"  # nothing chosen is not "selected"
    assert {q.outcome for q in r.questions} == {"not_chosen"}


def test_three_way_tie_straddling_the_cut_off() -> None:
    spec = SelectionSpec(CANDS[:5], max_marks=3)
    r = marks(spec, {"c1": 210, "c2": 190, "c3": 190, "c4": 190, "c5": 0}, Turnout(300, 280, 270))
    assert r.ties == (("c2", "c3", "c4"),)
    assert [q.outcome for q in r.questions] == ["chosen", "tie", "tie", "tie", "not_chosen"]


def test_all_candidates_fit() -> None:
    spec = SelectionSpec(CANDS[:2], max_marks=3)
    r = marks(spec, {"c1": 200, "c2": 200}, Turnout(300, 280, 270))
    assert [q.outcome for q in r.questions] == ["chosen", "chosen"]


def test_for_against_abstain_selection() -> None:
    spec = SelectionSpec(CANDS[:3], max_marks=2, options="for_against_abstain")
    q = spec.questions()[0]
    assert q.codes() == ("for", "against", "abstain")
    assert [o.zh for o in q.options] == ["赞成", "不赞成", "弃权"]
    assert spec.validate({"c1": "赞成", "c2": "不赞成"}) == {"c1": "for", "c2": "against", "c3": "abstain"}
    with pytest.raises(TooManyMarks) as err:
        spec.validate({"c1": "for", "c2": "for", "c3": "for"})
    assert err.value.code == "too_many_marks"
    counts = spec.count([{"c1": "for", "c2": "for"}] * 160 + [{"c1": "for", "c3": "for"}] * 10)
    r = spec.tally(counts, Turnout(300, 200, 170), TH, Q)
    assert [x.outcome for x in r.questions] == ["chosen", "chosen", "not_chosen"]
    assert r.question("c3").counts == {"for": 10, "against": 0, "abstain": 160}
    assert r.question("c1").not_voted == 30
    assert "赞成170票，不赞成0票，弃权0票" in r.announcement_zh


def test_mark_ballots() -> None:
    spec = SelectionSpec(CANDS[:4], max_marks=2)
    assert spec.questions()[0].codes() == ("mark",)
    assert spec.validate({}) == {}
    assert spec.validate({"c1": "mark", "c3": "选择"}) == {"c1": "mark", "c3": "mark"}
    with pytest.raises(TooManyMarks) as err:
        spec.validate({"c1": "mark", "c2": "mark", "c3": "mark"})
    assert err.value.code == "too_many_marks" and "2" in err.value.zh
    with pytest.raises(InvalidChoice) as err2:
        spec.validate({"c1": "for"})
    assert err2.value.code == "unknown_option"
    with pytest.raises(InvalidChoice) as err2:
        spec.validate({"c9": "mark"})
    assert err2.value.code == "unknown_question"


def test_over_marked_ballots_arrive_as_invalid() -> None:
    spec = SelectionSpec(CANDS[:3], max_marks=1)
    r = marks(spec, {"c1": 6, "c2": 2}, Turnout(10, 10, 8, 2))
    assert r.turnout.invalid == 2
    assert "无效票2张" in r.announcement_zh and "invalid 2" in r.announcement_en
    assert r.question("c1").outcome == "chosen"


def test_impossible_mark_totals() -> None:
    spec = SelectionSpec(CANDS[:3], max_marks=1)
    with pytest.raises(InvalidCounts) as err:
        marks(spec, {"c1": 6, "c2": 3}, Turnout(10, 10, 8))
    assert err.value.code == "marks_exceed_ballots"
    with pytest.raises(InvalidCounts) as err:
        marks(spec, {"c1": 9}, Turnout(10, 10, 8))
    assert err.value.code == "counts_exceed_cast"


def test_no_quorum_two_thirds_inclusive() -> None:
    spec = SelectionSpec(CANDS[:2], max_marks=1)
    r = marks(spec, {"c1": 199}, Turnout(300, 199, 199))
    assert r.outcome == "no_quorum" and r.quorum_needed == 200
    assert {q.outcome for q in r.questions} == {"no_quorum"}
    assert marks(spec, {"c1": 199}, Turnout(300, 200, 199)).outcome == "selected"


def test_threshold_over_votes_cast() -> None:
    spec = SelectionSpec(CANDS[:2], max_marks=1)
    r = marks(spec, {"c1": 51, "c2": 49}, Turnout(300, 210, 100), Threshold(Base.VOTES_CAST, Fraction(1, 2)))
    assert r.question("c1").outcome == "chosen" and r.question("c1").needed == 51


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"candidates": (), "max_marks": 1}, "no_candidates"),
        ({"candidates": (CANDS[0], CANDS[0]), "max_marks": 1}, "duplicate_id"),
        ({"candidates": CANDS, "max_marks": 0}, "invalid_max_marks"),
        ({"candidates": CANDS, "max_marks": True}, "invalid_max_marks"),
        ({"candidates": CANDS, "max_marks": "3"}, "invalid_max_marks"),
        ({"candidates": CANDS, "max_marks": 2, "options": "rank"}, "invalid_options"),
    ],
)
def test_spec_errors(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        SelectionSpec(**kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_spec_round_trip() -> None:
    for spec in (SelectionSpec(CANDS, 3), SelectionSpec(CANDS, 2, "for_against_abstain")):
        d = spec.to_dict()
        assert d["kind"] == "selection"
        assert spec_from_dict(d) == spec
    with pytest.raises(RuleError) as err:
        spec_from_dict({"kind": "selection", "candidates": [{"id": "a", "name": "甲"}]})
    assert err.value.code == "invalid_max_marks"


# --- properties -----------------------------------------------------------------------------------


@st.composite
def selections(draw: st.DrawFn) -> tuple[SelectionSpec, dict[str, int], Turnout]:
    m = draw(st.integers(1, 7))
    n = draw(st.integers(1, m))
    spec = SelectionSpec(tuple(Candidate(f"c{i}", f"项目{i}") for i in range(m)), n)
    entitled = draw(st.integers(1, 40))
    present = draw(st.integers(0, entitled))
    cast = draw(st.integers(0, present))
    invalid = draw(st.integers(0, present - cast))
    budget = n * cast
    votes: dict[str, int] = {}
    for c in spec.candidates:
        v = draw(st.integers(0, min(cast, budget)))
        budget -= v
        votes[c.id] = v
    return spec, votes, Turnout(entitled, present, cast, invalid)


@given(selections())
def test_selection_invariants(v: tuple[SelectionSpec, dict[str, int], Turnout]) -> None:
    spec, votes, turnout = v
    r = marks(spec, votes, turnout)
    chosen = [q for q in r.questions if q.outcome == "chosen"]
    tied = [q for q in r.questions if q.outcome == "tie"]
    assert len(chosen) <= spec.max_marks
    # nobody chosen has fewer votes than someone not chosen who met the threshold
    for q in r.questions:
        assert q.rank == 1 + sum(1 for o in r.questions if o.counts["mark"] > q.counts["mark"])
        if q.outcome in ("chosen", "tie"):
            assert q.counts["mark"] >= (q.needed or 0)
    if tied:
        assert r.outcome == "tie" and r.ties == (tuple(q.question_id for q in tied),)
        assert len({q.counts["mark"] for q in tied}) == 1
        assert len(chosen) + len(tied) > spec.max_marks
    elif r.quorum_held:
        filled = "selected" if len(chosen) == spec.max_marks else "partly_selected" if chosen else "unfilled"
        assert r.outcome == filled
    for c in chosen:
        for o in r.questions:
            if o.outcome != "chosen":
                assert o.counts["mark"] < c.counts["mark"]
    assert Result.from_dict(r.to_dict()) == r
