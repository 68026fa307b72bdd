"""The run-off of a selection (票决): a tie at the cut-off → the chair opens a new round of the same ballot
among the tied only, for the places still open → the final announcement joins the chosen of both rounds.
Every refusal (no tie, every place filled, a round open, withdrawn, not a places kind) changes nothing."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from voting_server import models, services
from voting_server.services import Conflict, Invalid
from voting_server.services.terminal_view import snapshot

TIED = {"c1": range(10), "c2": [*range(10, 15), *range(4)], "c3": range(4, 13)}
PROJECTS = ["城区供水管网改造", "农村公路提升", "养老服务中心", "学校食堂改造", "公交线路优化"]


def _selection(world, *, places: int = 2) -> int:
    st = world.store
    world.open_and_sign_in()
    item = services.add_item(st, world.clerk, world.sitting_id, title="2027年民生实事项目票决", kind="selection")
    ballot = services.create_ballot(st, world.clerk, item, spec={
        "kind": "selection", "max_marks": places, "candidates": [
            {"id": f"c{i}", "name": name, **({"amount": "1200万元", "responsible_unit": "县水利局"} if i == 1 else {})}
            for i, name in enumerate(PROJECTS, 1)]})
    services.start_item(st, world.chair, item)
    return ballot


def _vote(world, ballot: int, marks: dict[str, list[int] | range]) -> None:
    choices: list[dict[str, str]] = [{} for _ in world.members]
    for cid, who in marks.items():
        for i in who:
            choices[i][cid] = "mark"
    for member, choice in zip(world.members, choices, strict=True):
        services.cast_vote(world.store, member, ballot, choice, uuid.uuid4().hex)


def _rounds(store, ballot: int) -> list[tuple[models.Round, models.Result | None]]:
    with store.read() as s:
        rounds = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot)
                           .order_by(models.Round.number)).all()
        return [(r, s.scalar(select(models.Result).where(models.Result.round_id == r.id))) for r in rounds]


def _tied(world) -> int:
    """c1 chosen (10 marks), c2 and c3 tied at 9 for the one place left (8 needed of 15)."""
    ballot = _selection(world)
    services.open_ballot(world.store, world.chair, ballot)
    _vote(world, ballot, TIED)
    result = services.close_ballot(world.store, world.chair, ballot)
    assert result["outcome"] == "tie" and result["ties"] == [["c2", "c3"]]
    return ballot


def test_a_tie_leads_to_a_runoff_and_the_final_list_joins_both_rounds(world):
    st = world.store
    ballot = _tied(world)
    ballot_section = snapshot(st, world.sitting_id, "chair")["ballot"]
    first = {"id": "c1", "name": PROJECTS[0], "amount": "1200万元", "responsible_unit": "县水利局"}
    assert ballot_section["standing"] == {"places": 2, "chosen": [first],
                                          "tied": ["c2", "c3"], "open": 1, "next": "runoff"}
    assert ballot_section["questions"][0]["details"] == {"amount": "1200万元", "responsible_unit": "县水利局"}
    assert "details" not in ballot_section["questions"][1]  # a candidate without details reads as before

    round_id = services.open_runoff(st, world.chair, ballot)
    (first, _), (second, none) = _rounds(st, ballot)
    assert second.id == round_id and second.number == 2 and second.status == "open" and none is None
    assert second.spec["stage"] == "runoff" and second.spec["places"] == 1 and second.spec["max_marks"] == 1
    assert [c["id"] for c in second.spec["candidates"]] == ["c2", "c3"]
    assert [c["id"] for c in second.spec["chosen_before"]] == ["c1"]
    assert second.spec["chosen_before"][0]["amount"] == "1200万元"  # details go with the candidate
    seat = snapshot(st, world.sitting_id, "seat")["ballot"]
    assert seat["round"] == 2 and [q["id"] for q in seat["questions"]] == ["c2", "c3"]
    assert seat["limits"]["max_marks"] == 1
    with st.read() as s:
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "runoff_opened")).one()
        payload = json.loads(entry.payload)
    assert payload["stage"] == "runoff" and payload["candidates"] == ["c2", "c3"] and payload["chosen_before"] == ["c1"]
    assert payload["round"] == 2 and payload["ballot_id"] == ballot

    with pytest.raises(Invalid) as err:  # a third mark in a one-place run-off
        services.cast_vote(st, world.members[0], ballot, {"c2": "mark", "c3": "mark"}, uuid.uuid4().hex)
    assert err.value.code == "too_many_marks"
    _vote(world, ballot, {"c2": range(9), "c3": range(9, 15)})
    result = services.close_ballot(st, world.chair, ballot)
    assert result["outcome"] == "selected"
    assert {q["question_id"]: q["outcome"] for q in result["questions"]} == {"c2": "chosen", "c3": "not_chosen"}
    zh = result["announcement_zh"]
    assert "此前已入选1项" in zh
    assert f"{PROJECTS[0]}、{PROJECTS[1]}" in zh  # the final list: round 1's, then the run-off's
    assert snapshot(st, world.sitting_id, "chair")["ballot"]["standing"]["next"] == "done"


def test_refusals_change_nothing(world, refuse):
    st, chair = world.store, world.chair
    ballot = _selection(world)
    refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "never_opened")
    services.open_ballot(st, chair, ballot)
    refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "ballot_open")
    _vote(world, ballot, TIED)
    services.close_ballot(st, chair, ballot)
    refuse(lambda: services.open_runoff(st, chair, ballot, extra=1), Invalid, "extra_not_further")
    refuse(lambda: services.open_runoff(st, chair, ballot, extra=0), Invalid, "bad_extra")
    refuse(lambda: services.open_runoff(st, world.clerk, ballot), services.Forbidden, "forbidden")
    refuse(lambda: services.open_runoff(st, world.members[0], ballot), services.Forbidden, "forbidden")
    refuse(lambda: services.open_runoff(st, chair, 99999), services.NotFound, "not_found")
    refuse(lambda: services.open_runoff(st, chair, world.ballots[0]), Conflict, "not_places")
    services.open_runoff(st, chair, ballot)
    refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "ballot_open")
    _vote(world, ballot, {"c2": range(9), "c3": range(9, 15)})
    services.close_ballot(st, chair, ballot)
    err = refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "all_filled")
    assert "应选2个名额均已选出" in err.zh


def test_no_tie_and_unfilled_places_are_refused(world, refuse):
    st, chair = world.store, world.chair
    ballot = _selection(world, places=3)
    services.open_ballot(st, chair, ballot)
    # c3 below the 8 needed
    _vote(world, ballot, {"c1": range(10), "c2": [*range(10, 15), *range(4)], "c3": range(10, 15)})
    result = services.close_ballot(st, chair, ballot)
    assert result["outcome"] == "partly_selected"
    assert "应选3项，入选2项，1项空缺" in result["announcement_zh"]
    err = refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "no_tie")
    assert "空缺" in err.zh


def test_a_withdrawn_ballot_or_another_round_open_is_refused(world, refuse):
    st, chair = world.store, world.chair
    ballot = _tied(world)
    services.start_item(st, chair, world.items[0])  # another item current: not this one
    refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "not_current")
    with st.read() as s:
        item = s.get(models.Ballot, ballot).item_id
    services.start_item(st, chair, item)
    services.open_runoff(st, chair, ballot)
    services.withdrawal.withdraw_ballot(st, chair, ballot, reason="项目情况有变")
    err = refuse(lambda: services.open_runoff(st, chair, ballot), Conflict, "withdrawn")
    assert "已撤回" in err.zh


ELECTION = {"kind": "election", "post": "县人民政府副县长", "places": 2, "post_type": "deputy_head",
            "candidates": [{"id": "c1", "name": "张三"}, {"id": "c2", "name": "李四"}, {"id": "c3", "name": "王五"}]}


def _cast_all(world, ballot: int, choices: list[dict[str, str]]) -> None:
    for member, choice in zip(world.members, choices, strict=False):
        services.cast_vote(world.store, member, ballot, choice, uuid.uuid4().hex)


def test_an_election_with_a_place_unfilled_goes_to_a_further_election(world, refuse):
    st, chair = world.store, world.chair
    world.open_and_sign_in(12)
    item = services.add_item(st, world.clerk, world.sitting_id, title="选举县人民政府副县长", kind="election")
    ballot = services.create_ballot(st, world.clerk, item, spec=ELECTION)
    services.start_item(st, chair, item)
    services.open_ballot(st, chair, ballot)
    # 张三 9 for (elected, 8 needed), 李四 5, 王五 4: one place left
    _cast_all(world, ballot, [{"c1": "for", "c2": "for"}] * 5 + [{"c1": "for", "c3": "for"}] * 4 + [{}] * 3)
    result = services.close_ballot(st, chair, ballot)
    assert result["outcome"] == "partly_elected"
    assert snapshot(st, world.sitting_id, "chair")["ballot"]["standing"]["next"] == "further"
    refuse(lambda: services.open_runoff(st, chair, ballot, extra=5), Invalid, "margin_not_met")
    services.open_runoff(st, chair, ballot)
    (_, _), (second, _) = _rounds(st, ballot)
    assert second.spec["stage"] == "further" and second.spec["places"] == 1
    assert [c["id"] for c in second.spec["candidates"]] == ["c2", "c3"]  # by votes in the first round
    assert [c["name"] for c in second.spec["chosen_before"]] == ["张三"]
    with st.read() as s:
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "runoff_opened")).one()
        assert json.loads(entry.payload)["stage"] == "further"
    _cast_all(world, ballot, [{"c2": "for"}] * 9 + [{"c3": "for"}] * 3)
    result = services.close_ballot(st, chair, ballot)
    assert result["outcome"] == "elected"
    assert "另行选举，此前已当选1名" in result["announcement_zh"]
    assert "共当选2名：张三、李四" in result["announcement_zh"]
    assert snapshot(st, world.sitting_id, "chair")["ballot"]["standing"]["next"] == "done"


def test_a_candidate_paper_is_one_of_its_items_documents(world, refuse, tmp_path):
    st = world.store
    item = services.add_item(st, world.clerk, world.sitting_id, title="2027年民生实事项目票决", kind="selection")
    spec = {"kind": "selection", "max_marks": 1, "candidates": [
        {"id": "c1", "name": PROJECTS[0], "document_id": "999"}, {"id": "c2", "name": PROJECTS[1]}]}
    err = refuse(lambda: services.create_ballot(st, world.clerk, item, spec=spec), Invalid, "bad_document")
    assert f"候选项目“{PROJECTS[0]}”所附文件不是本议题的文件" == err.zh
    doc = services.add_document(st, world.clerk, item, filename="供水管网改造方案.pdf", data=b"%PDF-1.4\n%%EOF\n",
                                folder=str(tmp_path), max_bytes=1 << 20)
    spec["candidates"][0]["document_id"] = str(doc)
    ballot = services.create_ballot(st, world.clerk, item, spec=spec)
    with st.read() as s:
        assert s.get(models.Ballot, ballot).spec["candidates"][0]["document_id"] == str(doc)


def test_a_runoff_without_a_result_is_voted_again_as_that_runoff(world):
    """A run-off that ends without a result (here: too few present at its close) is voted again by the
    chair's 重新表决 as that same run-off -- the tied only, for the place left, with the project the first
    round chose kept -- never as the whole selection from the start."""
    st = world.store
    ballot = _tied(world)
    services.open_runoff(st, world.chair, ballot)
    for m in world.members[:9]:
        services.set_attendance(st, world.clerk, world.sitting_id, m.person_id, "leave", reason="因公外出")
    assert services.close_ballot(st, world.chair, ballot)["outcome"] == "no_quorum"
    for m in world.members[:9]:
        services.set_attendance(st, world.clerk, world.sitting_id, m.person_id, "present")
    services.revote(st, world.chair, ballot, reason="到会人数不足，重新进行再次投票")
    third, _ = _rounds(st, ballot)[-1]
    assert third.number == 3 and third.spec["stage"] == "runoff" and third.spec["places"] == 1
    assert [c["id"] for c in third.spec["candidates"]] == ["c2", "c3"]
    assert [c["id"] for c in third.spec["chosen_before"]] == ["c1"]
    _vote(world, ballot, {"c2": range(10), "c3": range(10, 15)})
    result = services.close_ballot(st, world.chair, ballot)
    assert result["outcome"] == "selected", result
    standing = snapshot(st, world.sitting_id, "chair")["ballot"]["standing"]
    assert [c["id"] for c in standing["chosen"]] == ["c1", "c2"] and standing["next"] == "done"
