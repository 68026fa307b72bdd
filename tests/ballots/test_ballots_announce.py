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
