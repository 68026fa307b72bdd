"""A 票决 with a tie at the cut-off and its run-off, on paper: the result sheet of the run-off prints each
project's details (投资额, 责任单位, 简介), who the first round chose and the final list of both rounds
(公告); the first round's sheet names the tie; the summary sheet gives the final list on the run-off's
row; a selection that leaves places empty says so ("应选3项，入选2项，1项空缺")."""
from __future__ import annotations

import uuid

import pytest
from sheet_helpers import flat, pdf_text, seeded

from voting_server import services
from voting_server.services import Actor
from voting_server.sheets import render_result_sheet, render_sitting_summary

CHAIR = Actor(role="chair", name="王建国", user_id=2)
CLERK = Actor(role="clerk", name="何静", user_id=3)
PROJECTS = [("城区供水管网改造", "1200万元", "县水利局", "改造老城区供水管网18公里"),
            ("农村公路提升", "3500万元", "县交通运输局", ""), ("养老服务中心", "800万元", "县民政局", ""),
            ("学校食堂改造", "", "", ""), ("公交线路优化", "", "", "")]


def _spec(places: int) -> dict:
    candidates = []
    for i, (name, amount, unit, summary) in enumerate(PROJECTS, 1):
        c = {"id": f"c{i}", "name": name}
        c |= {k: v for k, v in (("amount", amount), ("responsible_unit", unit), ("summary", summary)) if v}
        candidates.append(c)
    return {"kind": "selection", "max_marks": places, "candidates": candidates}


def _vote(store, members, ballot: int, marks: dict[str, list[int] | range]) -> None:
    choices: list[dict[str, str]] = [{} for _ in members]
    for cid, who in marks.items():
        for i in who:
            choices[i][cid] = "mark"
    for m, choice in zip(members, choices, strict=True):
        services.cast_vote(store, m, ballot, choice, uuid.uuid4().hex)


def _opened(store, sid: int, title: str, places: int) -> int:
    item = services.add_item(store, CLERK, sid, title=title, kind="selection")
    ballot = services.create_ballot(store, CLERK, item, spec=_spec(places))
    services.start_item(store, CHAIR, item)
    services.open_ballot(store, CHAIR, ballot)
    return ballot


FIRST = {"c1": range(10), "c2": [*range(10, 15), *range(4)]}


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """Item A: 2 places, 城区供水管网改造 chosen, 农村公路提升 and 养老服务中心 tied at 9; the run-off
    chooses 农村公路提升. Item B: 3 places, only two reach the 8 votes needed."""
    store, ids, members = seeded(tmp_path_factory.mktemp("runoff") / "runoff.sqlite3")
    sid = ids["sitting_id"]
    services.open_sitting(store, CHAIR, sid)
    for m in members:
        services.sign_in(store, m, sid)
    tied = _opened(store, sid, "2027年民生实事项目票决", 2)
    _vote(store, members, tied, {**FIRST, "c3": range(4, 13)})
    assert services.close_ballot(store, CHAIR, tied)["outcome"] == "tie"
    services.open_runoff(store, CHAIR, tied)
    _vote(store, members, tied, {"c2": range(9), "c3": range(9, 15)})
    assert services.close_ballot(store, CHAIR, tied)["outcome"] == "selected"
    short = _opened(store, sid, "2028年民生实事项目票决", 3)
    _vote(store, members, short, {**FIRST, "c3": range(10, 15)})
    assert services.close_ballot(store, CHAIR, short)["outcome"] == "partly_selected"
    yield store, sid, tied, short
    store.dispose()


def test_the_runoff_sheet_prints_details_and_the_final_list_of_both_rounds(sitting):
    store, _sid, tied, _short = sitting
    text = flat(pdf_text(render_result_sheet(store, tied, 2)))
    assert "第2轮（就票数相等者再次投票）" in text
    assert "投资额：3500万元" in text and "责任单位：县交通运输局" in text
    assert "此前各轮已入选1项：城区供水管网改造" in text
    assert "最终入选2项：城区供水管网改造、农村公路提升" in text
    assert "本轮就得票相同的项目再次投票，此前已入选1项" in text  # the announcement read out
    first = flat(pdf_text(render_result_sheet(store, tied, 1)))
    assert "简介：改造老城区供水管网18公里" in first
    assert "农村公路提升、养老服务中心得票相同" in first


def test_the_english_sheet_says_so_too(sitting):
    store, _sid, tied, _short = sitting
    text = flat(pdf_text(render_result_sheet(store, tied, 2, lang="en")))
    assert "Investment:3500万元" in text and "Finallist:2" in text


def test_unfilled_places_and_the_summary(sitting):
    store, sid, _tied, short = sitting
    text = flat(pdf_text(render_result_sheet(store, short, 1)))
    assert "应选3项，入选2项，1项空缺" in text
    summary = flat(pdf_text(render_sitting_summary(store, sid)))
    assert "最终入选2项：城区供水管网改造" in summary  # the run-off's row (the narrow cell wraps the rest)
    assert "应选3项，入选2项，1项空缺" in summary
