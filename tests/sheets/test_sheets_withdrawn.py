"""What was withdrawn (撤回) on the sitting's summary sheet: a withdrawn item, a ballot withdrawn while
its round was open, and a re-vote withdrawn after a first round with a result (that result stays)."""
from __future__ import annotations

import uuid

import pytest
from sheet_helpers import DAY, flat, pdf_text
from sqlalchemy import select
from support.hashing import fast_hashing

from voting_server import demo as demo_seed
from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor, withdrawal
from voting_server.sheets import data as sd
from voting_server.sheets import render_sitting_summary

CHAIR = Actor(role="chair", name="王建国", user_id=2)
CLERK = Actor(role="clerk", name="何静", user_id=3)


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """The demo agenda: item 1 voted (failing), re-voted, the re-vote withdrawn; item 2 (two appointment
    ballots) withdrawn while its first ballot was open; item 3 not yet voted."""
    root = tmp_path_factory.mktemp("withdrawn")
    store = Store(f"sqlite:///{root / 'withdrawn.sqlite3'}")
    store.create_all()
    with fast_hashing():
        ids = demo_seed.seed(store, today=DAY)
    sid, (i1, i2, _i3), (b1, b2, _b3, _b4) = ids["sitting_id"], ids["items"], ids["ballots"]
    with store.read() as s:
        members = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
            select(models.Person).where(models.Person.role == "member").order_by(models.Person.id))]
    services.open_sitting(store, CHAIR, sid)
    for m in members[:12]:
        services.sign_in(store, m, sid)
    services.start_item(store, CHAIR, i1)
    services.open_ballot(store, CHAIR, b1)
    for m in members[:5]:
        services.cast_vote(store, m, b1, "for", uuid.uuid4().hex)
    services.close_ballot(store, CHAIR, b1)
    services.revote(store, CHAIR, b1, reason="部分委员表决器故障")
    services.cast_vote(store, members[0], b1, "for", uuid.uuid4().hex)
    withdrawal.withdraw_ballot(store, CHAIR, b1, "重新表决程序有误")
    services.start_item(store, CHAIR, i2)
    services.open_ballot(store, CHAIR, b2)
    withdrawal.withdraw_item(store, CLERK, i2, "任免事项另行提请")
    yield store, sid
    store.dispose()


def test_the_summary_lists_each_withdrawal_and_its_reason(sitting):
    store, sid = sitting
    text = flat(pdf_text(render_sitting_summary(store, sid)))
    assert "撤回的议题和表决" in text
    assert "已撤回" in text
    assert "撤回理由：重新表决程序有误" in text and "撤回理由：任免事项另行提请" in text
    assert "第2轮表决中撤回，该轮不计票，无表决结果" in text  # the re-vote ended uncounted
    assert "人事任免事项" in text and "其表决一并撤回" in text
    assert "未获通过" in text  # the first round's result stays on the summary
    with store.read() as s:
        overview = sd.sitting_overview(s, sid)
    first, second, third = overview["items"]
    assert [d["round"]["number"] for d in first["ballots"][0]["rounds"]] == [1]
    assert first["ballots"][0]["withdrawn"]["round"] == 2 and first["withdrawn"] is None
    assert second["withdrawn"]["reason"] == "任免事项另行提请"
    assert [b["withdrawn"]["round"] for b in second["ballots"]] == [1, None]
    assert third["withdrawn"] is None and third["ballots"][0]["withdrawn"] is None


def test_the_english_summary_says_so_too(sitting):
    store, sid = sitting
    text = flat(pdf_text(render_sitting_summary(store, sid, lang="en")))
    assert "Withdrawnitemsandballots" in text and "reason:重新表决程序有误" in text
    assert "duringround2:notcounted,noresult" in text
