"""Members attending by video (视频出席): the body's rule ``video_votes`` and the turnout arithmetic of
their votes still to be entered by the clerk (视频出席未录入), never counted as 未按."""

from __future__ import annotations

import json

import pytest

from ballots import (
    PRESETS,
    BallotError,
    InvalidCounts,
    ResolutionSpec,
    Rule,
    RuleError,
    Turnout,
    ruleset,
    video_pending,
)

# video_votes, video attendees with no vote recorded, count entered -> still to be entered
PENDING = [
    ("clerk", 0, False, 0),
    ("clerk", 2, False, 2),
    ("clerk", 2, True, 0),  # the count is theirs: whoever it leaves out did not vote (未表决)
    ("tablet", 2, False, 0),  # they vote from a remote tablet: one who did not is 未按
    ("tablet", 2, True, 0),
]


@pytest.mark.parametrize(("mode", "video_not_voted", "entered", "pending"), PENDING)
def test_who_waits_for_the_clerk(mode: str, video_not_voted: int, entered: bool, pending: int) -> None:
    assert video_pending(mode, video_not_voted=video_not_voted, entered=entered) == pending


@pytest.mark.parametrize(("args", "code"), [
    (("hands", 1, False), "invalid_field"),
    (("clerk", -1, False), "negative_count"),
    (("clerk", 1, "yes"), "invalid_field"),
])
def test_bad_arguments_are_refused(args: tuple, code: str) -> None:
    mode, n, entered = args
    with pytest.raises(BallotError) as err:
        video_pending(mode, video_not_voted=n, entered=entered)
    assert err.value.code == code


# entitled, present, cast, invalid, voters, video_pending -> not voted (未按), absent
TURNOUT = [
    (15, 13, 10, 0, None, 0, 3, 2),
    (15, 13, 10, 0, None, 2, 1, 2),  # 2 by video wait: 13 - 10 - 2 = 1 未按
    (15, 13, 11, 0, None, 2, 0, 2),  # everyone on site voted: none 未按
    (15, 13, 9, 1, None, 2, 1, 2),  # an invalid ballot counts as voting
    (15, 3, 0, 0, None, 3, 0, 12),  # nobody on site; three by video, none entered
    (300, 280, 270, 2, 275, 3, 2, 20),  # ballots handed out: voters, not ballots, count
]


@pytest.mark.parametrize(("entitled", "present", "cast", "invalid", "voters", "pending", "not_voted", "absent"),
                         TURNOUT)
def test_not_voted_leaves_out_those_waiting(entitled: int, present: int, cast: int, invalid: int,
                                            voters: int | None, pending: int, not_voted: int, absent: int) -> None:
    t = Turnout(entitled, present, cast, invalid, voters, video_pending=pending)
    assert (t.not_voted, t.absent) == (not_voted, absent)
    assert t.not_voted + t.video_pending + (t.returned if voters is None else voters) == t.present
    assert Turnout.from_dict(json.loads(json.dumps(t.to_dict()))) == t


def test_the_stored_form_without_anyone_waiting_is_as_before() -> None:
    assert Turnout(15, 13, 10).to_dict() == {"entitled": 15, "present": 13, "cast": 10, "invalid": 0}
    assert Turnout(15, 13, 10, video_pending=2).to_dict()["video_pending"] == 2


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"cast": 12, "video_pending": 2}, "pending_exceeds_present"),
    ({"cast": 10, "invalid": 2, "video_pending": 2}, "pending_exceeds_present"),
    ({"voters": 12, "cast": 12, "video_pending": 2}, "pending_exceeds_present"),
    ({"video_pending": -1}, "negative_count"),
    ({"video_pending": True}, "not_an_integer"),
])
def test_more_waiting_than_present_is_refused(kwargs: dict, code: str) -> None:
    with pytest.raises(InvalidCounts) as err:
        Turnout(15, 13, **kwargs)
    assert err.value.code == code


def test_a_resolution_with_video_votes_not_entered() -> None:
    spec = ResolutionSpec(question="关于某事项的决定")
    rule = PRESETS["standing_committee"].rule_for(spec)
    result = rule.tally(spec, {"main": {"for": 9, "against": 1, "abstain": 0}},
                        Turnout(15, 13, 10, video_pending=2))
    q = result.questions[0]
    assert q.not_voted == 1
    assert result.announcement_zh == ("应到15人，实到13人，符合法定人数。视频出席未录入2人。"
                                      "赞成9票，反对1票，弃权0票，未按表决器1人。需8票，通过。")
    assert "By video, not entered: 2." in result.announcement_en


# preset -> how members by video vote
PRESET_MODES = [("standing_committee", "clerk"), ("congress_plenary", "clerk"), ("generic_committee", "tablet")]


@pytest.mark.parametrize(("preset", "mode"), PRESET_MODES)
def test_each_preset_says_how_members_by_video_vote(preset: str, mode: str) -> None:
    rules = ruleset(preset)
    assert rules.video_votes == mode
    rule = rules.rule_for(ResolutionSpec())
    assert rule.video_votes == mode
    assert Rule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
    other = "tablet" if mode == "clerk" else "clerk"
    overridden = ruleset(preset, {"video_votes": other})
    assert overridden.video_votes == other and overridden.rule_for(ResolutionSpec()).video_votes == other
    assert hash(overridden) != hash(rules)


def test_a_rule_stored_before_the_setting_lets_them_vote_from_a_tablet() -> None:
    stored = PRESETS["standing_committee"].rule_for(ResolutionSpec()).to_dict()
    assert stored.pop("video_votes") == "clerk"
    assert Rule.from_dict(stored).video_votes == "tablet"
    assert "video_votes" not in Rule.from_dict(stored).to_dict()


@pytest.mark.parametrize("bad", ["hands", "", 1, None, True])
def test_an_unknown_mode_is_refused(bad: object) -> None:
    with pytest.raises(RuleError) as err:
        ruleset("standing_committee", {"video_votes": bad})
    assert err.value.code == "invalid_field"
    stored = PRESETS["standing_committee"].rule_for(ResolutionSpec()).to_dict()
    with pytest.raises(RuleError):
        Rule.from_dict({**stored, "video_votes": bad})
