"""A whole sitting driven through the service layer, on SQLite and PostgreSQL.

Every stored result is compared with what ``ballots/`` computes directly from the same counts and the
body's preset, so the service layer can neither lose a vote nor count under the wrong rule."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from support.rules import expected_result

import ballots
from voting_server import models, services
from voting_server.services import Conflict

PRESET = ballots.ruleset("standing_committee")


def stored(store, ballot_id: int, number: int) -> tuple[models.Result, models.Round]:
    with store.read() as s:
        rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id, models.Round.number == number))
        assert rnd is not None, f"ballot {ballot_id} has no round {number}"
        res = s.scalar(select(models.Result).where(models.Result.round_id == rnd.id))
        assert res is not None, f"round {number} of ballot {ballot_id} has no result"
        return res, rnd


def spec_of(store, ballot_id: int) -> dict:
    with store.read() as s:
        return s.get(models.Ballot, ballot_id).spec


def vote_all(world, ballot_id: int, choices: list) -> int:
    """The members vote in order; M[12], by video, cannot from a tablet (the committee's rule has the clerk
    enter it): the clerk enters that choice as a show of hands of one. Answers how many by video were left
    not entered (1 where M[12] had no choice, else 0)."""
    for i, (member, choice) in enumerate(zip(world.members, choices, strict=False)):
        if i != VIDEO:
            ack = services.cast_vote(world.store, member, ballot_id, choice, uuid.uuid4().hex)
            assert ack["ok"] and not ack["duplicate"]
    if len(choices) <= VIDEO:
        return 1
    answers = {"main": choices[VIDEO]} if isinstance(choices[VIDEO], str) else choices[VIDEO]
    services.enter_show_of_hands(world.store, world.clerk, ballot_id, ballots_cast=1,
                                 counts={q: {CODES.get(o, o): 1} for q, o in answers.items()}, note="视频出席")
    return 0


VIDEO = 12
CODES = {"赞成": "for", "反对": "against", "弃权": "abstain"}  # a choice given by its label


def test_whole_sitting(world, refuse):
    st, chair, clerk = world.store, world.chair, world.clerk
    M = world.members
    assert len(M) == 15

    # --- opening, sign-in and attendance -----------------------------------------------------------
    services.open_sitting(st, chair, world.sitting_id)
    for m in M[:12]:
        services.sign_in(st, m, world.sitting_id)
    services.sign_in(st, M[0], world.sitting_id)  # a second sign-in changes nothing
    services.set_attendance(st, clerk, world.sitting_id, M[12].person_id, "video")
    services.set_attendance(st, clerk, world.sitting_id, M[13].person_id, "leave", "因公出差")
    with st.read() as s:
        sitting = s.get(models.Sitting, world.sitting_id)
        assert sitting.status == "open" and sitting.roster == [m.person_id for m in M]
        att = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
            models.Attendance.sitting_id == world.sitting_id))}
        from voting_server.services.sitting import attendance_counts

        counts = attendance_counts(s, sitting)
    assert att[M[12].person_id].status == "video"
    assert (att[M[13].person_id].status, att[M[13].person_id].reason) == ("leave", "因公出差")
    assert att[M[14].person_id].status == "absent"
    assert counts == {"entitled": 15, "present": 12, "video": 1, "leave": 1, "absent": 1, "attending": 13}

    # --- item 1: a resolution, failed in round 1, passed on a re-vote ----------------------------------
    services.start_item(st, chair, world.items[0])
    resolution = world.ballots[0]
    spec = spec_of(st, resolution)
    services.open_ballot(st, chair, resolution)
    round1 = ["for"] * 7 + ["against"] * 4 + ["abstain"]
    # M[12] (by video): the clerk's to enter, not entered (视频出席未录入 1)
    pending = vote_all(world, resolution, round1)
    r1 = services.close_ballot(st, chair, resolution, confirm_video=True)
    want1 = expected_result(spec, [{"main": c} for c in round1], present=13, video_pending=pending)
    assert r1 == want1
    assert r1["outcome"] == "failed"
    assert "赞成7票，少于通过所需的8票，未获通过" in r1["announcement_zh"]
    first_result, _ = stored(st, resolution, 1)

    refuse(lambda: services.open_ballot(st, chair, resolution), Conflict, "already_opened")
    services.revote(st, chair, resolution, reason="第一轮部分表决器故障")
    round2 = ["for"] * 9 + ["against"] * 2 + ["abstain"]
    pending = vote_all(world, resolution, round2)
    r2 = services.close_ballot(st, chair, resolution, confirm_video=True)
    assert r2 == expected_result(spec, [{"main": c} for c in round2], present=13, video_pending=pending)
    assert r2["announcement_zh"] == ("应到15人，实到13人，符合法定人数。视频出席未录入1人。"
                                     "赞成9票，反对2票，弃权1票，未按表决器0人。需8票，通过。")
    res1, rnd1 = stored(st, resolution, 1)
    res2, rnd2 = stored(st, resolution, 2)
    assert (rnd1.status, rnd2.status) == ("closed", "closed")
    assert res1.id == first_result.id and res1.data == want1  # the earlier round and its result are kept
    assert res2.data == r2 and res2.method == "tablet"
    assert res2.rule == rnd2.rule == {"preset": "standing_committee", "quorum": PRESET.quorum.to_dict(),
                                      "threshold": PRESET.threshold_for("resolution").to_dict(), "video_votes": "clerk"}
    assert sorted((a["name"], a["status"], a["reason"]) for a in res2.absentees) == sorted(
        [(M[13].name, "leave", "因公出差"), (M[14].name, "absent", "")])

    # --- item 2: removal before appointment for the same post --------------------------------------
    services.start_item(st, chair, world.items[1])
    removal, appointment = world.ballots[1], world.ballots[2]
    refuse(lambda: services.open_ballot(st, chair, appointment), Conflict, "removal_first")
    services.open_ballot(st, chair, removal)
    refuse(lambda: services.open_ballot(st, chair, appointment), Conflict, "another_open")
    choices = [{"p1": "for"}] * 11 + [{"p1": "against"}, {"p1": "弃权"}]
    pending = vote_all(world, removal, choices)
    result = services.close_ballot(st, chair, removal, confirm_video=True)
    assert result == expected_result(spec_of(st, removal), choices, present=13, action="remove", video_pending=pending)
    assert result["outcome"] == "passed"
    services.open_ballot(st, chair, appointment)
    choices = [{"p2": "for"}] * 10 + [{"p2": "against"}] * 2 + [{"p2": "abstain"}]
    pending = vote_all(world, appointment, choices)
    result = services.close_ballot(st, chair, appointment, confirm_video=True)
    assert result == expected_result(spec_of(st, appointment), choices, present=13, action="appoint",
                                     video_pending=pending)
    assert result["questions"][0]["counts"] == {"for": 10, "against": 2, "abstain": 1}

    # --- item 3: evaluation of three departments --------------------------------------------------
    services.start_item(st, chair, world.items[2])
    evaluation = world.ballots[3]
    grades = {"d1": ["satisfied"] * 9 + ["basic"] * 3 + ["unsatisfied"],
              "d2": ["satisfied"] * 5 + ["basic"] * 5 + ["unsatisfied"] * 3,
              "d3": ["satisfied"] * 3 + ["basic"] * 4 + ["unsatisfied"] * 6}
    choices = [{d: grades[d][i] for d in grades} for i in range(13)]
    services.open_ballot(st, chair, evaluation)
    pending = vote_all(world, evaluation, choices)
    result = services.close_ballot(st, chair, evaluation, confirm_video=True)
    assert result == expected_result(spec_of(st, evaluation), choices, present=13, video_pending=pending)
    assert [q["outcome"] for q in result["questions"]] == ["satisfied", "basic", "unsatisfied"]

    # --- item 4: a selection (票决), created during the sitting ---------------------------------------
    item = services.add_item(st, clerk, world.sitting_id, title="2027年民生实事项目票决", kind="selection")
    selection = services.create_ballot(st, clerk, item, spec={
        "kind": "selection", "max_marks": 2,
        "candidates": [{"id": f"c{i}", "name": name} for i, name in
                       enumerate(["城区供水改造", "农村公路提升", "养老服务中心", "学校食堂改造", "公交线路优化"], 1)]})
    marks: list[dict[str, str]] = [{} for _ in range(13)]
    for cid, voters in (("c1", range(10)), ("c2", range(8)), ("c3", range(8, 13)), ("c4", range(10, 12))):
        for i in voters:
            marks[i][cid] = "mark"
    services.start_item(st, chair, item)
    services.open_ballot(st, chair, selection)
    pending = vote_all(world, selection, marks)
    result = services.close_ballot(st, chair, selection, confirm_video=True)
    assert result == expected_result(spec_of(st, selection), marks, present=13, video_pending=pending)
    assert {q["question_id"]: q["outcome"] for q in result["questions"]} == {
        "c1": "chosen", "c2": "chosen", "c3": "not_chosen", "c4": "not_chosen", "c5": "not_chosen"}

    # --- item 5: a show-of-hands ballot entered by the clerk ---------------------------------------
    item = services.add_item(st, clerk, world.sitting_id, title="关于召开县第十八届人民代表大会第六次会议的决定")
    hands_ballot = services.create_ballot(st, clerk, item, spec={"kind": "resolution"}, method="hands")
    services.start_item(st, chair, item)
    services.open_ballot(st, chair, hands_ballot)
    refuse(lambda: world.cast(M[0], hands_ballot, "for"), Conflict, "hands_only")
    refuse(lambda: services.close_ballot(st, chair, hands_ballot), Conflict, "hands_missing")
    hands = {"main": {"for": 10, "against": 2, "abstain": 0}}
    services.enter_show_of_hands(st, clerk, hands_ballot, counts=hands, ballots_cast=12, note="表决器故障")
    refuse(lambda: services.enter_show_of_hands(st, clerk, hands_ballot, counts=hands, ballots_cast=12),
           Conflict, "already_entered")
    result = services.close_ballot(st, chair, hands_ballot)
    assert result == expected_result({"kind": "resolution"}, [], present=13, hands=hands, hand_ballots=12,
                                     hands_only=True)
    res, _ = stored(st, hands_ballot, 1)
    assert res.method == "hands"
    with st.read() as s:
        hc = s.scalar(select(models.HandCount).join(models.Round).where(models.Round.ballot_id == hands_ballot))
        assert (hc.entered_by, hc.ballots, hc.note, hc.counts) == (clerk.name, 12, "表决器故障", hands)

    # --- item 6: mixed: tablets on site, the video attendee by show of hands -------------------------
    item = services.add_item(st, clerk, world.sitting_id, title="关于修改县人大常委会议事规则的决定")
    mixed = services.create_ballot(st, clerk, item, spec={"kind": "resolution"}, method="mixed")
    services.start_item(st, chair, item)
    services.open_ballot(st, chair, mixed)
    tablet = ["for"] * 8 + ["against"] * 3 + ["abstain"]
    pending = vote_all(world, mixed, tablet)
    refuse(lambda: services.enter_show_of_hands(st, clerk, mixed, counts={"main": {"for": 2}}, ballots_cast=2),
           services.Invalid, "count_exceeds_present")
    video = {"main": {"for": 1}}
    services.enter_show_of_hands(st, clerk, mixed, counts=video, ballots_cast=1, note="视频参会")
    result = services.close_ballot(st, chair, mixed)
    assert result == expected_result({"kind": "resolution"}, [{"main": c} for c in tablet], present=13, hands=video,
                              hand_ballots=1)
    assert result["questions"][0]["counts"] == {"for": 9, "against": 3, "abstain": 1}
    assert result["questions"][0]["not_voted"] == 0
    assert stored(st, mixed, 1)[0].method == "mixed"

    # --- closing ----------------------------------------------------------------------------------
    services.close_sitting(st, chair, world.sitting_id)
    with st.read() as s:
        sitting = s.get(models.Sitting, world.sitting_id)
        assert sitting.status == "closed" and sitting.closed_at is not None
        assert set(s.scalars(select(models.AgendaItem.status).where(
            models.AgendaItem.sitting_id == world.sitting_id))) == {"done"}
        assert s.scalar(select(models.Round).where(models.Round.status == "open")) is None
        n_results = len(s.scalars(select(models.Result)).all())
    assert n_results == 8  # two rounds of the resolution, then one per ballot
    report = services.verify_chain(st)
    assert report.ok, str(report)
    refuse(lambda: services.close_sitting(st, chair, world.sitting_id), Conflict, "bad_state")
    refuse(lambda: services.add_item(st, clerk, world.sitting_id, title="迟到的议题"), Conflict, "sitting_closed")


def test_result_records_audit_head_and_pushed_sequence(world):
    """Each result stores the hash of the audit entry that closed it; pushed events are numbered 1, 2, 3…"""
    st = world.store
    seen: list = []
    st.subscribe(seen.extend)
    world.open_and_sign_in()
    services.start_item(st, world.chair, world.items[0])
    services.open_ballot(st, world.chair, world.ballots[0])
    for m in world.members[:9]:
        world.cast(m, world.ballots[0], "for")
    services.close_ballot(st, world.chair, world.ballots[0])
    res, _ = stored(st, world.ballots[0], 1)
    with st.read() as s:
        entry = s.get(models.AuditEntry, res.audit_id)
        assert entry.action == "ballot_closed" and entry.hash == res.audit_head
        seqs = [e.seq for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.sitting_id == world.sitting_id, models.AuditEntry.seq.is_not(None))
            .order_by(models.AuditEntry.id))]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    pushed = [e for e in seen if e.seq is not None]
    assert [e.seq for e in pushed] == sorted(e.seq for e in pushed)
    assert [e.action for e in seen if e.action == "vote_cast"] == ["vote_cast"] * 9


@pytest.mark.parametrize("status", ["present", "video"])
def test_video_attendance_counts_towards_quorum(world, status):
    """8 of 15 make the quorum whether they sit in the room or attend by video."""
    st = world.store
    services.open_sitting(st, world.chair, world.sitting_id)
    for m in world.members[:7]:
        services.sign_in(st, m, world.sitting_id)
    services.start_item(st, world.chair, world.items[0])
    with pytest.raises(Conflict) as info:
        services.open_ballot(st, world.chair, world.ballots[0])
    assert info.value.code == "no_quorum" and info.value.details == {"needed": 8, "present": 7}
    services.set_attendance(st, world.clerk, world.sitting_id, world.members[7].person_id, status)
    services.open_ballot(st, world.chair, world.ballots[0])
