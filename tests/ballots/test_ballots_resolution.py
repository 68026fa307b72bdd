"""Resolutions: the worked examples of RULES.md, announcements, boundaries, errors, properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    Base,
    InvalidChoice,
    InvalidCounts,
    Quorum,
    ResolutionSpec,
    Result,
    RuleError,
    Threshold,
    Turnout,
    ruleset,
    spec_from_dict,
)

SC = ruleset("standing_committee")
MAJORITY = SC.threshold_for("resolution")
QUORUM = SC.quorum
SPEC = ResolutionSpec("关于某某条例（草案）的决定")


def tally(
    for_: int,
    against: int,
    abstain: int,
    *,
    entitled: int,
    present: int,
    invalid: int = 0,
    threshold: Threshold = MAJORITY,
    quorum: Quorum = QUORUM,
) -> Result:
    cast = for_ + against + abstain
    return SPEC.tally(
        {"main": {"for": for_, "against": against, "abstain": abstain}},
        Turnout(entitled, present, cast, invalid),
        threshold,
        quorum,
    )


# --- RULES.md worked examples --------------------------------------------------------------------


def test_announcement_passed_matches_rules_md() -> None:
    r = tally(9, 2, 1, entitled=15, present=13)
    assert r.outcome == "passed"
    assert (
        r.announcement_zh == "应到15人，实到13人，符合法定人数。赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。"
    )
    assert (
        r.announcement_en
        == "Entitled 15, present 13, quorum present. For 9, against 2, abstain 1, not voted 1. 8 needed: adopted."
    )
    q = r.questions[0]
    assert q.question_id == "main"
    assert q.counts == {"for": 9, "against": 2, "abstain": 1}
    assert q.not_voted == 1 and q.needed == 8 and q.outcome == "passed" and q.rank is None
    assert (r.quorum_needed, r.quorum_held) == (8, True)
    assert r.threshold == {"base": "all_members", "fraction": "1/2", "strict": True}
    assert r.ties == ()


def test_announcement_failed_matches_rules_md() -> None:
    r = tally(7, 4, 1, entitled=15, present=13)
    assert r.outcome == "failed"
    assert r.announcement_zh == (
        "应到15人，实到13人，符合法定人数。赞成7票，反对4票，弃权1票，未按表决器1人。需8票。赞成7票，少于通过所需的8票，未获通过。"
    )
    assert "赞成7票，少于通过所需的8票，未获通过" in r.announcement_zh
    assert r.announcement_en == (
        "Entitled 15, present 13, quorum present. For 7, against 4, abstain 1, not voted 1. 8 needed. "
        "For 7, fewer than the 8 needed: not adopted."
    )


def test_majority_of_those_voting_is_not_enough() -> None:
    # 7 for, 1 against: a large majority of those voting, but not more than half of all 15 members.
    r = tally(7, 1, 0, entitled=15, present=9)
    assert r.outcome == "failed"
    assert r.questions[0].needed == 8


@pytest.mark.parametrize("present", [8, 10, 13, 15])
def test_n15_needs_8_whatever_the_attendance(present: int) -> None:
    r = tally(8, 0, 0, entitled=15, present=present)
    assert r.questions[0].needed == 8
    assert r.outcome == "passed"
    assert tally(7, 0, 0, entitled=15, present=present).outcome == "failed"


def test_no_quorum() -> None:
    r = tally(7, 0, 0, entitled=15, present=7)
    assert r.outcome == "no_quorum"
    assert not r.quorum_held and r.quorum_needed == 8
    assert r.questions[0].outcome == "no_quorum"
    assert r.announcement_zh.startswith("应到15人，实到7人，不足法定人数。")
    assert "符合法定人数" not in r.announcement_zh
    assert r.announcement_en.startswith("Entitled 15, present 7, no quorum.")
    # the counts are still kept
    assert r.questions[0].counts["for"] == 7


def test_not_voted_is_its_own_column() -> None:
    r = tally(8, 0, 0, entitled=15, present=12)
    q = r.questions[0]
    assert q.counts["abstain"] == 0
    assert q.not_voted == 4
    assert "弃权0票，未按表决器4人" in r.announcement_zh


def test_invalid_ballots_are_named_when_present() -> None:
    r = tally(8, 1, 1, entitled=15, present=12, invalid=1)
    assert "无效票1张" in r.announcement_zh and "invalid 1" in r.announcement_en
    assert r.questions[0].not_voted == 1
    assert "无效票" not in tally(8, 1, 1, entitled=15, present=12).announcement_zh


# --- boundaries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "for_", "outcome"),
    [
        (1, 1, "passed"),
        (1, 0, "failed"),
        (2, 1, "failed"),
        (2, 2, "passed"),
        (3, 1, "failed"),
        (3, 2, "passed"),
        (16, 8, "failed"),
        (16, 9, "passed"),
    ],
)
def test_tiny_bodies_and_exact_half(entitled: int, for_: int, outcome: str) -> None:
    r = tally(for_, 0, entitled - for_, entitled=entitled, present=entitled)
    assert r.outcome == outcome


def test_everyone_abstains() -> None:
    r = tally(0, 0, 15, entitled=15, present=15)
    assert r.outcome == "failed"
    # even a rule over for+against (abstentions ignored) does not pass with no for-votes
    r2 = tally(
        0, 0, 15, entitled=15, present=15, threshold=Threshold(Base.FOR_AND_AGAINST, Fraction(1, 2), strict=False)
    )
    assert r2.outcome == "failed" and r2.questions[0].needed == 1


def test_nobody_present() -> None:
    r = tally(0, 0, 0, entitled=15, present=0)
    assert r.outcome == "no_quorum"
    assert r.questions[0].not_voted == 0


def test_for_and_against_base_ignores_abstentions() -> None:
    t = Threshold(Base.FOR_AND_AGAINST)
    assert tally(3, 2, 10, entitled=15, present=15, threshold=t).outcome == "passed"
    assert tally(2, 2, 10, entitled=15, present=15, threshold=t).outcome == "failed"


def test_procedural_majority_of_present() -> None:
    proc = SC.threshold_for("resolution", procedural=True)
    r = tally(6, 3, 1, entitled=15, present=10, threshold=proc)
    assert r.outcome == "passed" and r.questions[0].needed == 6
    assert "需6票，通过。" in r.announcement_zh


# --- ballots ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ({"main": "for"}, {"main": "for"}),
        ({"main": "赞成"}, {"main": "for"}),
        ({"main": " Against "}, {"main": "against"}),
        ({"main": "弃权"}, {"main": "abstain"}),
    ],
)
def test_validate_normalises(given_: dict[str, str], expected: dict[str, str]) -> None:
    assert SPEC.validate(given_) == expected


@pytest.mark.parametrize(
    ("choice", "code"),
    [
        ({}, "missing_answer"),
        ({"main": "yes"}, "unknown_option"),
        ({"main": 1}, "unknown_option"),
        ({"other": "for"}, "unknown_question"),
        ("for", "not_a_mapping"),
    ],
)
def test_validate_errors(choice: object, code: str) -> None:
    with pytest.raises(InvalidChoice) as err:
        SPEC.validate(choice)  # type: ignore[arg-type]
    assert err.value.code == code
    assert err.value.zh and err.value.en


def test_count_ballots() -> None:
    counts = SPEC.count([{"main": "for"}, {"main": "赞成"}, {"main": "against"}])
    assert counts == {"main": {"for": 2, "against": 1, "abstain": 0}}


def test_questions_shape() -> None:
    (q,) = SPEC.questions()
    assert q.id == "main" and q.codes() == ("for", "against", "abstain")
    assert [o.zh for o in q.options] == ["赞成", "反对", "弃权"]
    assert ResolutionSpec().questions()[0].label == "表决"


# --- bad counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "turnout", "code"),
    [
        ({"main": {"for": -1}}, Turnout(15, 13, 12), "negative_count"),
        ({"main": {"for": 1.0}}, Turnout(15, 13, 12), "not_an_integer"),
        ({"main": {"for": True}}, Turnout(15, 13, 12), "not_an_integer"),
        ({"main": {"maybe": 1}}, Turnout(15, 13, 12), "unknown_option"),
        ({"other": {"for": 1}}, Turnout(15, 13, 12), "unknown_question"),
        ({"main": {"for": 10, "against": 3}}, Turnout(15, 13, 12), "counts_exceed_cast"),
        ({"main": {"for": 1}}, Turnout(15, 13, 0), "counts_exceed_cast"),
        ({"main": [1, 2, 3]}, Turnout(15, 13, 12), "not_a_mapping"),
        ([("main", {})], Turnout(15, 13, 12), "not_a_mapping"),
    ],
)
def test_tally_rejects_bad_counts(counts: object, turnout: Turnout, code: str) -> None:
    with pytest.raises(InvalidCounts) as err:
        SPEC.tally(counts, turnout, MAJORITY, QUORUM)  # type: ignore[arg-type]
    assert err.value.code == code


def test_tally_rejects_bad_rules() -> None:
    with pytest.raises(RuleError) as err:
        SPEC.tally({}, Turnout(3, 3), {"base": "all_members"}, QUORUM)  # type: ignore[arg-type]
    assert err.value.code == "invalid_threshold"
    with pytest.raises(RuleError) as err:
        SPEC.tally({}, Turnout(3, 3), MAJORITY, None)  # type: ignore[arg-type]
    assert err.value.code == "invalid_quorum"
    with pytest.raises(InvalidCounts) as err2:
        SPEC.tally({}, (3, 3), MAJORITY, QUORUM)  # type: ignore[arg-type]
    assert err2.value.code == "invalid_turnout"


def test_missing_options_count_as_zero() -> None:
    r = SPEC.tally({}, Turnout(15, 10, 0), MAJORITY, QUORUM)
    assert r.questions[0].counts == {"for": 0, "against": 0, "abstain": 0}
    assert r.questions[0].not_voted == 10


def test_spec_round_trip() -> None:
    assert spec_from_dict(SPEC.to_dict()) == SPEC
    assert SPEC.to_dict() == {"kind": "resolution", "question": "关于某某条例（草案）的决定"}
    with pytest.raises(RuleError) as err:
        spec_from_dict({"kind": "resolution", "question": 3})
    assert err.value.code == "invalid_field"


# --- properties ---------------------------------------------------------------------------------


@st.composite
def resolution_votes(draw: st.DrawFn) -> tuple[dict[str, int], Turnout]:
    entitled = draw(st.integers(0, 60))
    present = draw(st.integers(0, entitled))
    invalid = draw(st.integers(0, present))
    for_ = draw(st.integers(0, present - invalid))
    against = draw(st.integers(0, present - invalid - for_))
    abstain = draw(st.integers(0, present - invalid - for_ - against))
    return {"for": for_, "against": against, "abstain": abstain}, Turnout(
        entitled, present, for_ + against + abstain, invalid
    )


thresholds = st.builds(
    Threshold,
    st.sampled_from(list(Base)),
    st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(1, 3), Fraction(3, 4)]),
    st.booleans(),
)


@given(resolution_votes(), thresholds)
def test_counts_and_not_voted_add_up_to_present(v: tuple[dict[str, int], Turnout], t: Threshold) -> None:
    counts, turnout = v
    q = SPEC.tally({"main": counts}, turnout, t, QUORUM).questions[0]
    assert sum(q.counts.values()) + q.not_voted + turnout.invalid == turnout.present
    if turnout.invalid == 0:
        assert sum(q.counts.values()) + q.not_voted == turnout.present


@given(resolution_votes(), thresholds, st.sampled_from(["against", "abstain", None]))
def test_turning_a_vote_into_for_never_turns_pass_into_fail(
    v: tuple[dict[str, int], Turnout], t: Threshold, source: str | None
) -> None:
    counts, turnout = v
    before = SPEC.tally({"main": counts}, turnout, t, QUORUM)
    more = dict(counts)
    if source is None:  # a member who had not voted now votes for
        if turnout.not_voted == 0:
            return
        more["for"] += 1
        turnout2 = Turnout(turnout.entitled, turnout.present, turnout.cast + 1, turnout.invalid)
    else:  # an against / abstain vote becomes a for vote
        if more[source] == 0:
            return
        more[source] -= 1
        more["for"] += 1
        turnout2 = turnout
    after = SPEC.tally({"main": more}, turnout2, t, QUORUM)
    if before.outcome == "passed":
        assert after.outcome == "passed"


@given(resolution_votes(), thresholds)
def test_result_round_trip(v: tuple[dict[str, int], Turnout], t: Threshold) -> None:
    counts, turnout = v
    r = SPEC.tally({"main": counts}, turnout, t, QUORUM)
    assert Result.from_dict(r.to_dict()) == r
