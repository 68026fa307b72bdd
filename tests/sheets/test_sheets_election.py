"""An election's result sheet (选举): a congress plenary of 30 deputies elects 5 standing committee members
from 6 candidates (差额), with write-ins (另选他人) picked from the roster and typed; the sheet lists each
candidate's 赞成 / 反对 / 弃权 and each person written in, who is elected and the places left, in the
plenary's words; the signed sheet verifies (the write-ins' counts re-checked against the box)."""
from __future__ import annotations

import uuid

import pytest
from sheet_helpers import flat, pdf_text, plenary_sitting
from sqlalchemy import select
from support.hashing import fast_hashing

from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor
from voting_server.sheets import all_ok, render_result_sheet, render_sitting_summary, signed_result_sheet, verify_sheet
from voting_server.sheets import data as sd

CHAIR = Actor(role="chair", name="主持人", user_id=2)
CLERK = Actor(role="clerk", name="何静", user_id=3)
DEPUTIES = 30
CANDIDATES = ["陈一", "林二", "黄三", "周四", "吴五", "郑六"]


def roster_file() -> bytes:
    rows = ["姓名,身份,座位号,代表团,任职日期"]
    rows += [f"代表{i:03d},代表,{i},{'城关镇代表团' if i <= 15 else '河西乡代表团'},2021-10-01"
             for i in range(1, DEPUTIES + 1)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def choice(i: int) -> dict[str, str]:
    """Deputy i's ballot: 陈一, 林二, 黄三 elected by all; 周四 by 16; 吴五 by 10; 郑六 by 5; 代表030 written
    in 12 times from the roster, 王某 typed 3 times."""
    out = {"c1": "for", "c2": "for", "c3": "for"}
    out["c4"] = "for" if i < 16 else "against"
    if 16 <= i < 26:
        out["c5"] = "for"
    elif i < 16:
        out["c5"] = "abstain"
    if i >= 26 or (i < 5):
        out["c6"] = "for" if i < 5 else "against"
    written = [k for k, v in out.items() if v == "for"]
    if len(written) < 5 and i % 2 == 0:
        out["w:代表030"] = "for"
    if len(written) < 4 and i in (27, 28, 29):
        out["w:王某"] = "for"
    return out


@pytest.fixture(scope="module")
def plenary(tmp_path_factory):
    root = tmp_path_factory.mktemp("election")
    store = Store(f"sqlite:///{root / 'election.sqlite3'}")
    store.create_all()
    with fast_hashing():
        body, sitting = plenary_sitting(store, roster_file())
        item = services.add_item(store, CLERK, sitting, title="选举县人民代表大会常务委员会委员", kind="election")
        ballot = services.create_ballot(store, CLERK, item, spec={
            "kind": "election", "post": "县人民代表大会常务委员会委员", "places": 5, "post_type": "committee_member",
            "candidates": [{"id": f"c{i + 1}", "name": n} for i, n in enumerate(CANDIDATES)]})
        with store.read() as s:
            deputies = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
                select(models.Person).where(models.Person.body_id == body).order_by(models.Person.id))]
        services.open_sitting(store, CHAIR, sitting)
        for d in deputies[:30]:
            services.sign_in(store, d, sitting)
        services.start_item(store, CHAIR, item)
        services.open_ballot(store, CHAIR, ballot)
        for i, d in enumerate(deputies[:30]):
            services.cast_vote(store, d, ballot, choice(i), uuid.uuid4().hex)
        result = services.close_ballot(store, CHAIR, ballot)
    yield store, root, sitting, ballot, result
    store.dispose()


def test_the_result_counts_candidates_and_write_ins(plenary):
    _store, _root, _sitting, _ballot, result = plenary
    by = {q["label"]: q for q in result["questions"]}
    assert [by[n]["counts"]["for"] for n in CANDIDATES] == [30, 30, 30, 16, 10, 5]
    assert by["代表030"]["counts"] == {"for": 12} and by["王某"]["counts"] == {"for": 3}
    assert [by[n]["outcome"] for n in CANDIDATES[:4]] == ["elected"] * 4 and by["吴五"]["outcome"] == "not_elected"
    assert result["outcome"] == "partly_elected"
    assert "应选5名，候选人6名" in result["announcement_zh"]
    assert "得票超过全体代表的半数，当选" in result["announcement_zh"]


def test_the_sheet_lists_candidates_write_ins_and_the_places_left(plenary, tmp_path):
    store, _root, _sitting, ballot, _result = plenary
    pdf = render_result_sheet(store, ballot, 1)
    (tmp_path / "election.pdf").write_bytes(pdf)
    text = flat(pdf_text(pdf))
    assert "第一次投票：县人民代表大会常务委员会委员，应选5名，候选人6名，可以另选他人" in text
    assert "代表030（另选他人）" in text and "王某（另选他人）" in text
    assert "当选4名：陈一、林二、黄三、周四；尚缺1名" in text
    assert "未选足的1名另行选举" in text
    assert "全体代表的过半数（需16票）" in text
    assert "组成人员" not in text
    summary = flat(pdf_text(render_sitting_summary(store, _sitting)))
    assert "当选4名：陈一、林二、黄三、周四" in summary


def test_the_signed_election_sheet_verifies(plenary):
    store, root, _sitting, ballot, _result = plenary
    pdf = signed_result_sheet(store, ballot, 1, instance=root, base_url="http://127.0.0.1:5000")
    checks = verify_sheet(store, pdf, instance=root)
    assert all_ok(checks), [(c.name, c.zh) for c in checks if not c.ok]
    with store.read() as s:
        doc = sd.result_document(s, ballot, 1)
    assert doc["box"]["writeins"] == {"counts": {"w:代表030": 12, "w:王某": 3}, "unreadable": 0}
