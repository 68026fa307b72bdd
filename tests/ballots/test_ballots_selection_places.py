"""票决 done fully (tables ``selection``, ``runoff`` and ``order`` of ``worked_examples.md``): places apart
from marks, the cut-off among those that met their threshold, unfilled places, run-offs among the tied
for the places still open, the final list across rounds, over-marked paper ballots, candidate details."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from tables import ids, numbers, rows, votes

from ballots import (
    PRESETS,
    Base,
    Candidate,
    InvalidChoice,
    Result,
    RuleError,
    SelectionSpec,
    Threshold,
    TooManyMarks,
    Turnout,
    spec_from_dict,
    standing,
)

PLENARY = PRESETS["congress_plenary"]
BASES = {"all": Threshold(), "fa": Threshold(Base.FOR_AND_AGAINST, Fraction(1, 2))}
SELECTIONS = {r["case"]: r for r in rows("selection")}
RUNOFF_TURNOUT = Turnout(300, 280, 275, 0)


def _candidates(names: list[str]) -> tuple[Candidate, ...]:
    return tuple(Candidate(c, f"项目{c[1:]}") for c in names)


def _counts(spec: SelectionSpec, given: dict[str, tuple[int, ...]]) -> dict[str, dict[str, int]]:
    if spec.options == "mark":
        return {c: {"mark": v[0]} for c, v in given.items()}
    return {c: {"for": v[0], "against": v[1]} for c, v in given.items()}


def _tally(spec: SelectionSpec, given: dict[str, tuple[int, ...]], turnout: Turnout, base: str = "all") -> Result:
    return spec.tally(_counts(spec, given), turnout, BASES[base], PLENARY.quorum, words=PLENARY.words)


def _first(row: dict[str, str]) -> tuple[SelectionSpec, Result]:
    given = votes(row["votes"])
    places, marks = int(row["places"]), int(row["marks"])
    options = "mark" if row["options"] == "mark" else "for_against_abstain"
    spec = SelectionSpec(_candidates(list(given)), marks, options, places=None if places == marks else places)  # type: ignore[arg-type]
    return spec, _tally(spec, given, Turnout(*numbers(row["turnout"])), row["base"])


@pytest.mark.parametrize("row", rows("selection"), ids=lambda r: r["case"])
def test_selection(row: dict[str, str]) -> None:
    spec, r = _first(row)
    assert list(spec.chosen_in(r)) == ids(row["chosen"])
    assert list(r.ties[0] if r.ties else ()) == ids(row["tied"])
    assert spec.to_fill - len(spec.chosen_in(r)) == int(row["open"])
    assert r.outcome == row["outcome"]
    assert row["says"] in r.announcement_zh
    for q in r.questions:  # nobody chosen or tied below their own threshold
        assert q.outcome not in ("chosen", "tie") or q.counts[spec.for_code] >= (q.needed or 0)
    assert Result.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_a_candidate_below_its_threshold_never_leaves_a_place_empty() -> None:
    """The defect of issue 14: ranked among all candidates, 项目3 (60 votes, 41 needed) was "ranked below
    the number to choose" behind 项目2 (100 votes, 106 needed, not chosen) and one of two places stayed
    empty; and 项目2 (100 votes, 76 needed) "tied" with 项目3 (100 votes, 126 needed), a tie of one."""
    spec = SelectionSpec(_candidates(["c1", "c2", "c3", "c4"]), 2, "for_against_abstain")
    fa = BASES["fa"]
    counts = {"c1": {"for": 120, "against": 40}, "c2": {"for": 100, "against": 110}, "c3": {"for": 60, "against": 20}}
    r = spec.tally({**counts, "c4": {"for": 5}}, Turnout(300, 270, 260), fa, PLENARY.quorum)
    assert [q.outcome for q in r.questions] == ["chosen", "not_chosen", "chosen", "not_chosen"]
    counts = {"c1": {"for": 200, "against": 10}, "c2": {"for": 100, "against": 50}, "c3": {"for": 100, "against": 150}}
    r = SelectionSpec(_candidates(["c1", "c2", "c3"]), 2, "for_against_abstain").tally(
        counts, Turnout(300, 270, 260), fa, PLENARY.quorum
    )
    assert [q.outcome for q in r.questions] == ["chosen", "chosen", "not_chosen"] and r.ties == ()


@pytest.mark.parametrize("row", rows("runoff"), ids=lambda r: f"{r['first']}: {r['votes']}")
def test_runoff(row: dict[str, str]) -> None:
    spec, first = _first(SELECTIONS[row["first"]])
    runoff = spec.runoff(first)
    assert [c.id for c in runoff.candidates] == ids(row["candidates"])
    assert (runoff.to_fill, runoff.max_marks) == (int(row["places"]), int(row["marks"]))
    assert [c.id for c in runoff.chosen_before] == ids(row["before"]) and runoff.stage == "runoff"
    assert runoff.total_places == spec.to_fill
    second = _tally(runoff, votes(row["votes"]), RUNOFF_TURNOUT)
    assert list(runoff.chosen_in(second)) == ids(row["chosen"])
    st = standing([(spec, first), (runoff, second)])
    assert [c.id for c in st.chosen] == ids(row["final"]) and st.next == row["next"]
    assert st.places == spec.to_fill and st.open == spec.to_fill - len(st.chosen)
    assert row["says"] in second.announcement_zh
    assert spec_from_dict(json.loads(json.dumps(runoff.to_dict(), ensure_ascii=False))) == runoff


@pytest.mark.parametrize("row", rows("order"), ids=lambda r: r["final"])
def test_the_final_list_is_round_by_round_by_rank(row: dict[str, str]) -> None:
    given = votes(row["first votes"])
    spec = SelectionSpec(_candidates(list(given)), int(row["places"]))
    first = _tally(spec, given, Turnout(300, 280, 280))
    runoff = spec.runoff(first)
    second = _tally(runoff, votes(row["run-off votes"]), RUNOFF_TURNOUT)
    assert [c.id for c in standing([(spec, first), (runoff, second)]).chosen] == ids(row["final"])


def test_standing_before_and_after_the_run_off() -> None:
    spec, first = _first(SELECTIONS["tie at the cut-off"])
    st = standing([(spec, first)])
    assert (st.places, [c.id for c in st.chosen], st.tied, st.open, st.next) == (2, ["c1"], ("c2", "c3"), 1, "runoff")
    assert st.to_dict()["chosen"] == [{"id": "c1", "name": "项目1"}]
    runoff = spec.runoff(first)
    lost = _tally(runoff, {"c2": (100,), "c3": (80,)}, Turnout(300, 199, 190))
    assert lost.outcome == "no_quorum" and standing([(spec, first), (runoff, lost)]).next == "repeat"
    again = _tally(runoff, {"c2": (160,), "c3": (110,)}, RUNOFF_TURNOUT)
    assert standing([(spec, first), (runoff, lost), (runoff, again)]).next == "done"


def test_a_re_vote_of_the_whole_selection_starts_afresh() -> None:
    spec, first = _first(SELECTIONS["tie at the cut-off"])
    revote = _tally(spec, {"c1": (180,), "c2": (175,), "c3": (100,)}, Turnout(300, 280, 280))
    st = standing([(spec, first), (spec, revote)])
    assert [c.id for c in st.chosen] == ["c1", "c2"] and st.next == "done"


def test_rounds_out_of_order_are_refused() -> None:
    spec, first = _first(SELECTIONS["tie at the cut-off"])
    runoff = spec.runoff(first)
    second = _tally(runoff, {"c2": (160,), "c3": (110,)}, RUNOFF_TURNOUT)
    for rounds in ([(runoff, second)], [(spec, first), (runoff, second), (runoff, second)], []):
        with pytest.raises(RuleError) as err:
            standing(rounds)  # type: ignore[arg-type]
        assert err.value.code == "rounds_out_of_order"


def test_no_tie_no_run_off() -> None:
    spec, first = _first(SELECTIONS["top three"])
    with pytest.raises(RuleError) as err:
        spec.runoff(first)
    assert err.value.code == "no_tie"


def test_a_run_off_of_free_marking_keeps_the_marks_beyond_the_places() -> None:
    spec = SelectionSpec(_candidates(["c1", "c2", "c3", "c4"]), 4, "for_against_abstain", places=2)
    first = _tally(spec, {"c1": (250, 20), "c2": (200, 50), "c3": (200, 60), "c4": (30, 200)}, Turnout(300, 280, 280))
    runoff = spec.runoff(first)
    assert (runoff.to_fill, runoff.max_marks, [c.id for c in runoff.candidates]) == (1, 2, ["c2", "c3"])
    assert runoff.validate({"c2": "for", "c3": "for"}) == {"c2": "for", "c3": "for"}


# --- places and the stored shape -------------------------------------------------------------


def test_places_default_to_the_marks_and_old_specs_read_unchanged() -> None:
    old = {"kind": "selection", "candidates": [{"id": "c1", "name": "项目1"}], "max_marks": 3}
    spec = spec_from_dict(old)
    assert isinstance(spec, SelectionSpec) and spec.places is None and spec.to_fill == 3
    assert spec.to_dict() == {**old, "options": "mark"} and spec.stage == "first" and spec.chosen_before == ()
    assert spec.limits() == SelectionSpec(spec.candidates, 3, places=2).limits()  # places are not a ballot limit


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"places": 0}, "invalid_places"),
        ({"places": True}, "invalid_places"),
        ({"stage": "further"}, "invalid_stage"),
        ({"stage": "final"}, "invalid_stage"),
        ({"chosen_before": [{"id": "c0", "name": "项目0"}]}, "invalid_stage"),
        ({"stage": "runoff", "chosen_before": [{"id": "c1", "name": "项目1"}]}, "duplicate_id"),
        ({"stage": "runoff", "chosen_before": "c0"}, "invalid_field"),
    ],
)
def test_bad_places_and_stages_are_refused(changes: dict[str, Any], code: str) -> None:
    base = {"kind": "selection", "candidates": [{"id": "c1", "name": "项目1"}, {"id": "c2", "name": "项目2"}]}
    with pytest.raises(RuleError) as err:
        spec_from_dict({**base, "max_marks": 1, **changes})
    assert err.value.code == code


def test_candidates_carry_their_details() -> None:
    c = Candidate("c1", "城区供水管网改造", amount="1200万元", responsible_unit="县住建局", summary="改造管网18公里")
    stored = c.to_dict()
    assert stored == {
        "id": "c1",
        "name": "城区供水管网改造",
        "amount": "1200万元",
        "responsible_unit": "县住建局",
        "summary": "改造管网18公里",
    }
    assert Candidate.from_dict(stored) == c and Candidate.from_dict({**stored, "document_id": "d7"}).document_id == "d7"
    spec = SelectionSpec((c, Candidate("c2", "农村公路提升")), 1)
    assert spec_from_dict(json.loads(json.dumps(spec.to_dict(), ensure_ascii=False))) == spec
    assert [q.label for q in spec.questions()] == ["城区供水管网改造", "农村公路提升"]
    r = spec.tally({"c1": {"mark": 200}}, Turnout(300, 280, 270), Threshold(), PLENARY.quorum)
    assert "1200万元" not in r.announcement_zh and "城区供水管网改造" in r.announcement_zh
    with pytest.raises(RuleError) as err:
        Candidate("c3", "项目", amount=1200)  # type: ignore[arg-type]
    assert err.value.code == "invalid_field"


# --- over-marked ballots ---------------------------------------------------------------------


def test_an_over_marked_paper_ballot_is_invalid_a_tablet_ballot_is_refused() -> None:
    spec = SelectionSpec(_candidates(["c1", "c2", "c3"]), 1)
    papers = [{"c1": "mark"}] * 6 + [{"c2": "mark"}] * 2 + [{"c1": "mark", "c2": "mark"}] * 2
    paper = spec.count_paper(papers)
    assert (paper.counts["c1"], paper.cast, paper.invalid) == ({"mark": 6}, 8, 2)
    r = spec.tally(paper.counts, paper.turnout(10, 10), Threshold(), PLENARY.quorum)
    assert "有效票8张，无效票2张" in r.announcement_zh and r.question("c1").outcome == "chosen"
    with pytest.raises(TooManyMarks):
        spec.count(papers)
    with pytest.raises(InvalidChoice) as err:  # a mistyped entry is an error, not an invalid ballot
        spec.count_paper([{"c9": "mark"}])
    assert err.value.code == "unknown_question"
    assert paper.to_dict()["invalid"] == 2
