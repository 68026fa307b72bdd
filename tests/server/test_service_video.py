"""Members attending by video (视频出席) under the body's rule ``video_votes``: "clerk" (a standing
committee's preset) -- their tablets cannot cast, the clerk enters their votes, and until then they are
视频出席，待录入, never 未按; closing without them asks for confirmation and records 视频出席未录入; "tablet" --
they vote from a remote tablet like anyone present. Every refusal changes nothing."""
from __future__ import annotations

import pytest

from voting_server import services
from voting_server.services import Conflict, Invalid
from voting_server.services.terminal_view import progress, snapshot

RESOLUTION = {"kind": "resolution"}


def _named_ballot(world) -> int:
    return services.create_ballot(world.store, world.clerk, world.items[0], title="关于视频出席的决定",
                                  spec=RESOLUTION, secret=False)


def _open(world, ballot_id: int, *, video: int = 12) -> None:
    """12 members signed in on site, member 13 (index 12) by video; the ballot open."""
    st, m = world.store, world.members
    world.open_and_sign_in(12)
    services.set_attendance(st, world.clerk, world.sitting_id, m[video].person_id, "video")
    services.start_item(st, world.chair, world.items[0])
    services.open_ballot(st, world.chair, ballot_id)


def test_the_standing_committee_s_ballots_freeze_the_clerk_rule(world) -> None:
    with world.store.read() as s:
        from voting_server import models
        ballot = s.get(models.Ballot, _named_ballot(world))
        assert ballot.rule["video_votes"] == "clerk"


def test_under_the_clerk_rule_a_video_tablet_cannot_cast_and_waits_for_the_clerk(world, refuse) -> None:
    st, m = world.store, world.members
    ballot = _named_ballot(world)
    _open(world, ballot)
    err = refuse(lambda: world.cast(m[12], ballot, "for"), Conflict, "video_by_clerk")
    assert "工作人员录入" in err.zh and "clerk" in err.en
    for member in m[:10]:
        world.cast(member, ballot, "for")
    chair = snapshot(st, world.sitting_id, "chair")["ballot"]
    assert chair["video_votes"] == "clerk" and chair["video_pending"] == 1 and not chair["hands_entered"]
    assert [p["person_id"] for p in chair["video_waiting"]] == [m[12].person_id]
    assert [p["person_id"] for p in chair["non_voters"]] == [m[10].person_id, m[11].person_id]  # never the video one
    seat = snapshot(st, world.sitting_id, "seat", m[12].person_id)["ballot"]
    assert seat["video_pending"] == 1 and "video_waiting" not in seat
    live = progress(st, world.sitting_id)
    assert live is not None and live["video_pending"] == 1
    assert services.remind_non_voters(st, world.chair, ballot) == 2  # the video attendee is not reminded

    refuse(lambda: services.close_ballot(st, world.chair, ballot), Conflict, "video_not_entered")
    result = services.close_ballot(st, world.chair, ballot, confirm_video=True)
    t = result["turnout"]
    assert t == {"entitled": 15, "present": 13, "cast": 10, "invalid": 0, "video_pending": 1}
    assert result["questions"][0]["not_voted"] == 2
    assert "视频出席未录入1人" in result["announcement_zh"] and "未按表决器2人" in result["announcement_zh"]


def test_once_the_clerk_enters_them_they_are_counted_and_the_close_asks_nothing(world, refuse) -> None:
    st, m = world.store, world.members
    ballot = _named_ballot(world)
    _open(world, ballot)
    for member in m[:11]:
        world.cast(member, ballot, "for")
    refuse(lambda: services.enter_show_of_hands(st, world.clerk, ballot, ballots_cast=3,
                                                counts={"main": {"for": 3, "against": 0, "abstain": 0}}),
           Invalid, "count_exceeds_present")
    services.enter_show_of_hands(st, world.clerk, ballot, ballots_cast=1,
                                 counts={"main": {"for": 0, "against": 1, "abstain": 0}}, note="视频出席")
    chair = snapshot(st, world.sitting_id, "chair")["ballot"]
    assert chair["video_pending"] == 0 and chair["hands_entered"] and chair["video_waiting"] == []
    result = services.close_ballot(st, world.chair, ballot)
    assert result["turnout"] == {"entitled": 15, "present": 13, "cast": 12, "invalid": 0}
    assert result["questions"][0]["counts"] == {"for": 11, "against": 1, "abstain": 0}
    assert result["questions"][0]["not_voted"] == 1
    assert "视频出席未录入" not in result["announcement_zh"]


def test_a_secret_ballot_names_nobody_waiting(world) -> None:
    st = world.store
    _open(world, world.ballots[0])  # the demo's resolution: secret
    chair = snapshot(st, world.sitting_id, "chair")["ballot"]
    assert chair["video_pending"] == 1 and "video_waiting" not in chair


def test_under_the_tablet_rule_a_video_attendee_votes_from_a_remote_tablet(world, refuse) -> None:
    st, m = world.store, world.members
    refuse(lambda: services.update_body_rules(st, world.admin, world.body_id, preset="standing_committee",
                                              overrides={"video_votes": "by_post"}), Invalid, "invalid_field")
    services.update_body_rules(st, world.admin, world.body_id, preset="standing_committee",
                               overrides={"video_votes": "tablet"})
    ballot = _named_ballot(world)
    _open(world, ballot)
    chair = snapshot(st, world.sitting_id, "chair")["ballot"]
    assert chair["video_votes"] == "tablet" and "video_pending" not in chair
    world.cast(m[12], ballot, "for")
    for member in m[:10]:
        world.cast(member, ballot, "for")
    result = services.close_ballot(st, world.chair, ballot)  # nothing to confirm
    assert result["turnout"] == {"entitled": 15, "present": 13, "cast": 11, "invalid": 0}
    assert result["questions"][0]["not_voted"] == 2


def test_a_ballot_keeps_the_rule_it_froze(world) -> None:
    """The body switching to "tablet" after the ballot was created changes nothing for that ballot."""
    st, m = world.store, world.members
    ballot = _named_ballot(world)
    services.update_body_rules(st, world.admin, world.body_id, preset="standing_committee",
                               overrides={"video_votes": "tablet"})
    _open(world, ballot)
    with pytest.raises(Conflict) as err:
        world.cast(m[12], ballot, "for")
    assert err.value.code == "video_by_clerk"


def test_a_show_of_hands_ballot_waits_for_everyone_s_count_not_apart(world) -> None:
    st = world.store
    ballot = services.create_ballot(st, world.clerk, world.items[0], title="举手", spec=RESOLUTION, method="hands")
    _open(world, ballot)
    chair = snapshot(st, world.sitting_id, "chair")["ballot"]
    assert "video_pending" not in chair
    services.enter_show_of_hands(st, world.clerk, ballot, ballots_cast=13,
                                 counts={"main": {"for": 13, "against": 0, "abstain": 0}})
    result = services.close_ballot(st, world.chair, ballot)
    assert "video_pending" not in result["turnout"]
