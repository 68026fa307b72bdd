"""The words of announcements, apart from the counting: the sentence pieces, and every kind's
``announce`` re-wording a stored result exactly as its tally did."""

from __future__ import annotations

import json

import pytest
from ballot_cases import TALLIES, WORDED_TALLIES, worded_result

from ballots import Quorum, Result, Threshold, Turnout, announce, spec_from_dict


@pytest.mark.parametrize("name", sorted(TALLIES))
def test_a_stored_result_is_announced_again_to_the_byte(name: str) -> None:
    spec_dict, counts, turnout, threshold, quorum = TALLIES[name]
    spec = spec_from_dict(spec_dict)
    result = spec.tally(counts, Turnout(*turnout), Threshold.from_dict(threshold), Quorum.from_dict(quorum))
    stored = Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert spec_from_dict(spec.to_dict()).announce(stored) == (result.announcement_zh, result.announcement_en)


@pytest.mark.parametrize("name", sorted(WORDED_TALLIES))
def test_a_stored_result_keeps_its_words_and_is_announced_again_to_the_byte(name: str) -> None:
    rule, result = worded_result(WORDED_TALLIES[name])
    stored = Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert stored == result and stored.words == rule.words
    spec = spec_from_dict(WORDED_TALLIES[name][1])
    assert spec.announce(stored) == (result.announcement_zh, result.announcement_en)


@pytest.mark.parametrize(
    ("got", "want"),
    [
        (announce.attendance_zh(15, 13, True), "应到15人，实到13人，符合法定人数。"),
        (announce.attendance_zh(15, 7, False), "应到15人，实到7人，不足法定人数。"),
        (announce.attendance_en(15, 13, True), "Entitled 15, present 13, quorum present."),
        (announce.attendance_en(15, 7, False), "Entitled 15, present 7, no quorum."),
        (announce.no_quorum_zh(8), "法定人数为8人，本次表决不产生结果。"),
        (announce.no_quorum_en(8), "8 must be present; this vote has no outcome."),
        (announce.votes_zh([("赞成", 9), ("反对", 2)], not_voted=1), "赞成9票，反对2票，未按表决器1人"),
        (announce.votes_zh([("赞成", 9)], invalid=2), "赞成9票，无效票2张"),
        (
            announce.votes_en([("for", 9), ("against", 0)], invalid=1, not_voted=0),
            "for 9, against 0, invalid 1, not voted 0",
        ),
        (announce.verdict_zh(9, 8, True), "需8票，通过。"),
        (announce.verdict_zh(7, 8, False), "需8票。赞成7票，少于通过所需的8票，未获通过。"),
        (announce.verdict_en(9, 8, True), "8 needed: adopted."),
        (
            announce.verdict_en(7, 8, False, words=announce.APPROVED),
            "8 needed. For 7, fewer than the 8 needed: not approved.",
        ),
        (announce.capitalise("for 9"), "For 9"),
        (announce.capitalise(""), ""),
    ],
)
def test_sentence_pieces(got: str, want: str) -> None:
    assert got == want


HANDS_CASES = [
    # (spec, counts, what the Chinese announcement says of those who cast nothing)
    ({"kind": "resolution"}, {"main": {"for": 9, "against": 2, "abstain": 1}}, "未表决1人"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "许文涛", "post": "局长", "action": "appoint"}]},
     {"p1": {"for": 9, "against": 2, "abstain": 1}}, "未表决1人"),
    ({"kind": "evaluation", "objects": [{"id": "d1", "name": "县教育局"}]},
     {"d1": {"satisfied": 9, "basic": 2, "unsatisfied": 1}}, "未表决1人"),
    ({"kind": "selection", "max_marks": 1,
      "candidates": [{"id": "c1", "name": "项目一"}, {"id": "c2", "name": "项目二"}]},
     {"c1": {"mark": 9}, "c2": {"mark": 3}}, "未表决1人"),
]


@pytest.mark.parametrize(("spec_dict", "counts", "words"), HANDS_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_a_show_of_hands_is_announced_without_the_voting_device(spec_dict, counts, words) -> None:
    """A round counted by a show of hands alone names those who raised no hand 未表决, never 未按表决器
    (there is no device); the same counts on tablets keep 未按表决器. Stored and read back, it stays."""
    spec = spec_from_dict(spec_dict)
    threshold = Threshold.from_dict({"base": "all_members", "fraction": "1/2", "strict": True})
    quorum = Quorum.from_dict({"fraction": "1/2", "strict": True})
    hands = spec.tally(counts, Turnout(15, 13, 12, hands=True), threshold, quorum)
    tablets = spec.tally(counts, Turnout(15, 13, 12), threshold, quorum)
    assert words in hands.announcement_zh and "未按表决器" not in hands.announcement_zh
    assert "did not vote 1" in hands.announcement_en and "not voted 1" not in hands.announcement_en.replace(
        "did not vote", "")
    assert "未按表决器1人" in tablets.announcement_zh and "未表决" not in tablets.announcement_zh
    stored = Result.from_dict(json.loads(json.dumps(hands.to_dict())))
    assert stored.turnout.hands is True and spec.announce(stored) == (hands.announcement_zh, hands.announcement_en)
    assert "hands" not in tablets.to_dict()["turnout"]  # results stored before keep their exact form


@pytest.mark.parametrize(
    ("got", "want"),
    [
        (announce.votes_zh([("赞成", 9), ("反对", 2)], not_voted=1, hands=True), "赞成9票，反对2票，未表决1人"),
        (announce.votes_en([("for", 9)], not_voted=1, hands=True), "for 9, did not vote 1"),
    ],
)
def test_the_not_voted_words_of_a_show_of_hands(got: str, want: str) -> None:
    assert got == want
