"""Hand-entered counts (table ``hand`` of ``worked_examples.md``): ``spec.check_hand_count`` is the one
place that decides whether a count may be stored -- everything a tally checks, and, where every valid
ballot answers every question, that each question's counts add up to exactly the valid ballots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tables import NONE, rows, votes

from ballots import (
    AppointmentSpec,
    BallotSpec,
    Candidate,
    ElectionSpec,
    EvalObject,
    EvaluationSpec,
    InvalidCounts,
    Nominee,
    Person,
    ResolutionSpec,
    SelectionSpec,
    Threshold,
    Turnout,
    ruleset,
)

SPECS: dict[str, BallotSpec] = {
    "resolution": ResolutionSpec("议案"),
    "appointment": AppointmentSpec((Person("p1", "张三", "局长"),)),
    "evaluation": EvaluationSpec(tuple(EvalObject(o, o) for o in ("edu", "health", "env"))),
    "selection_mark": SelectionSpec((Candidate("c1", "项目1"), Candidate("c2", "项目2"), Candidate("c3", "项目3")), 1),
    "selection_faa": SelectionSpec((Candidate("c1", "项目1"), Candidate("c2", "项目2")), 2, "for_against_abstain"),
    "election": ElectionSpec(
        "县人民政府副县长", 2, (Nominee("A", "王一"), Nominee("B", "李二"), Nominee("C", "张三")), "deputy_head"
    ),
}


def _counts(spec: BallotSpec, text: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for qid, n in votes(text).items():
        codes = spec.extra_question(qid).codes() if spec.extra_question(qid) else spec.empty_counts()[qid]
        out[qid] = dict(zip(codes, n, strict=False))
    return out


@pytest.mark.parametrize("row", rows("hand"), ids=lambda r: f"{r['kind']} {r['counts']} / {r['cast']}")
def test_hand_count(row: dict[str, str]) -> None:
    spec = SPECS[row["kind"]]
    counts = {} if row["counts"] == NONE else _counts(spec, row["counts"])
    cast, invalid = int(row["cast"]), int(row["invalid"])
    turnout = Turnout(15, cast + invalid + 2, cast, invalid)
    if row["result"] == "ok":
        checked = spec.check_hand_count(counts, turnout)
        assert all(checked[q][c] == n for q, per in counts.items() for c, n in per.items())
        spec.tally(checked, turnout, Threshold(), ruleset("standing_committee").quorum)
        return
    with pytest.raises(InvalidCounts) as err:
        spec.check_hand_count(counts, turnout)
    assert err.value.code == row["result"] and err.value.zh and err.value.en


def test_a_short_count_names_the_question_and_the_figures() -> None:
    with pytest.raises(InvalidCounts) as err:
        SPECS["resolution"].check_hand_count({"main": {"for": 8, "against": 1}}, Turnout(15, 12, 10))
    assert err.value.zh == "“议案”各项票数之和为9，少于有效票10张：每张有效票对每一项都有一个选择"
    assert err.value.en.startswith("the counts for '议案' add up to 9, fewer than the 10 valid ballots")


def test_the_tally_alone_still_reads_a_short_count_as_before() -> None:
    """Stored results of short counts (tallied before the check) are re-tallied unchanged: the tally
    itself does not refuse them; only a new hand count is refused."""
    r = SPECS["resolution"].tally(
        {"main": {"for": 8}}, Turnout(15, 12, 10), Threshold(), ruleset("standing_committee").quorum
    )
    assert r.questions[0].not_voted == 4 and r.turnout.not_voted == 2


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_a_count_is_accepted_exactly_when_it_adds_up(f: int, a: int, b: int) -> None:
    cast = 30
    counts = {"main": {"for": f, "against": a, "abstain": b}}
    turnout = Turnout(40, 35, cast)
    if f + a + b == cast:
        assert SPECS["resolution"].check_hand_count(counts, turnout) == counts
    else:
        with pytest.raises(InvalidCounts):
            SPECS["resolution"].check_hand_count(counts, turnout)


def test_the_turnout_must_be_a_turnout() -> None:
    with pytest.raises(InvalidCounts) as err:
        SPECS["resolution"].check_hand_count({}, (15, 12, 10))  # type: ignore[arg-type]
    assert err.value.code == "invalid_turnout"
