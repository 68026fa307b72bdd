"""A county congress plenary's sheets: every text names its deputies in the preset's words (代表,
全体代表), never the standing committee's (组成人员); the attendance sheet has a table per delegation
(代表团), and no sheet or export breaks a secret ballot's choices down by delegation."""
from __future__ import annotations

import json
import re
import uuid

import pytest
from sheet_helpers import DAY, flat, pdf_text
from sqlalchemy import select
from support.hashing import fast_hashing

from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor, roster
from voting_server.sheets import data as sd
from voting_server.sheets import export as ex
from voting_server.sheets import render_attendance_sheet, render_bundle, render_result_sheet, render_sitting_summary
from voting_server.sheets.export import export_sitting

CHAIR = Actor(role="chair", name="主持人", user_id=2)
CLERK = Actor(role="clerk", name="何静", user_id=3)
DELEGATIONS = ["城关镇代表团", "河西乡代表团", "东山镇代表团"]
DEPUTIES = 30  # 10 per delegation


def roster_file() -> bytes:
    rows = ["姓名,身份,座位号,代表团,任职日期"]
    for i in range(1, DEPUTIES + 1):
        rows.append(f"代表{i:03d},代表,{i},{DELEGATIONS[(i - 1) // 10]},2021-10-01")
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def plenary(tmp_path_factory):
    """A plenary of 30 deputies in 3 delegations: 2 on leave, 1 absent, 1 by video; a secret resolution
    (20 for, 5 against, 2 abstain) and a named one."""
    root = tmp_path_factory.mktemp("plenary")
    store = Store(f"sqlite:///{root / 'plenary.sqlite3'}")
    store.create_all()
    with fast_hashing():
        body = services.create_body(store, CLERK, name="某县人民代表大会", preset="congress_plenary")
        roster.import_roster(store, CLERK, body, roster_file(), "代表名单.csv")
        sitting = services.create_sitting(store, CLERK, body, title="某县第十八届人民代表大会第五次会议",
                                          date=DAY.isoformat(), place="县会议中心", chair_name="主持人",
                                          clerk_name="何静")
        item = services.add_item(store, CLERK, sitting, title="关于县人民政府工作报告的决议（草案）")
        secret = services.create_ballot(store, CLERK, item, spec={"kind": "resolution", "question": "表决"})
        named = services.create_ballot(store, CLERK, item, title="记名表决", secret=False,
                                       spec={"kind": "resolution", "question": "记名表决"})
        with store.read() as s:
            deputies = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
                select(models.Person).where(models.Person.body_id == body).order_by(models.Person.id))]
        services.open_sitting(store, CHAIR, sitting)
        services.set_attendance(store, CLERK, sitting, deputies[0].person_id, status="leave", reason="病假")
        services.set_attendance(store, CLERK, sitting, deputies[10].person_id, status="leave", reason="因公外出")
        services.set_attendance(store, CLERK, sitting, deputies[20].person_id, status="video")
        present = [d for i, d in enumerate(deputies) if i not in (0, 10, 20, 29)]
        for d in present:
            services.sign_in(store, d, sitting)
        services.start_item(store, CHAIR, item)
        for ballot in (secret, named):
            services.open_ballot(store, CHAIR, ballot)
            for i, d in enumerate(present[:27]):
                services.cast_vote(store, d, ballot, "for" if i < 20 else "against" if i < 25 else "abstain",
                                   uuid.uuid4().hex)
            services.close_ballot(store, CHAIR, ballot, confirm_video=True)  # the deputy by video: not entered
    yield store, body, sitting, (secret, named), deputies
    store.dispose()


def test_a_plenary_round_sheet_names_deputies(plenary):
    store, _body, _sitting, (secret, named), _deputies = plenary
    for ballot in (secret, named):
        text = flat(pdf_text(render_result_sheet(store, ballot, 1)))
        assert "全体代表的过半数（需16票）" in text
        assert "全体代表三分之二以上出席" in text or "全体代表的三分之二以上" in text, text
        assert "组成人员" not in text
        assert "应到30人，实到27人" in text
        with store.read() as s:
            doc = sd.result_document(s, ballot, 1)
        assert "全体代表" in doc["result"]["announcement_zh"] or "需16票" in doc["result"]["announcement_zh"]
        assert "组成人员" not in doc["result"]["announcement_zh"]


def test_a_plenary_attendance_sheet_and_summary_name_deputies(plenary):
    store, _body, sitting, _ballots, _deputies = plenary
    text = flat(pdf_text(render_attendance_sheet(store, sitting)))
    assert "代表" in text and "组成人员" not in text
    assert "全体代表三分之二以上出席" in text
    summary = flat(pdf_text(render_sitting_summary(store, sitting)))
    assert "组成人员" not in summary


def test_a_plenary_snapshot_carries_its_words(plenary):
    store, _body, sitting, _ballots, _deputies = plenary
    from voting_server.services.terminal_view import snapshot

    snap = snapshot(store, sitting, "clerk")
    assert snap["sitting"]["body"]["words"]["member_zh"] == "代表"
    assert snap["sitting"]["body"]["words"]["all_zh"] == "全体代表"
    assert "代表" in snap["attendance"]["quorum_rule_zh"] and "组成人员" not in snap["attendance"]["quorum_rule_zh"]


def test_a_plenary_export_names_no_members(plenary, tmp_path):
    store, _body, sitting, _ballots, _deputies = plenary
    files = export_sitting(store, sitting, tmp_path)
    for f in files:
        if f.suffix in (".csv", ".json"):
            assert "组成人员" not in f.read_text(encoding="utf-8"), f.name


# (delegation, 应到, 现场出席, 视频出席, 实到, 请假, 缺席): one on leave in each of the first two, one by
# video and one absent in the third
BY_DELEGATION = [(DELEGATIONS[0], 10, 9, 0, 9, 1, 0), (DELEGATIONS[1], 10, 9, 0, 9, 1, 0),
                 (DELEGATIONS[2], 10, 8, 1, 9, 0, 1)]


def test_the_attendance_document_counts_each_delegation(plenary):
    store, _body, sitting, _ballots, _deputies = plenary
    with store.read() as s:
        att = sd.attendance_document(s, sitting)
    assert [(d["delegation"], d["entitled"], d["on_site"], d["video"], d["present"], d["leave"], d["absent"])
            for d in att["delegations"]] == BY_DELEGATION
    assert {p["delegation"] for p in att["members"]} == set(DELEGATIONS)


def test_the_attendance_sheet_has_a_table_per_delegation(plenary):
    store, _body, sitting, _ballots, _deputies = plenary
    pdf = render_attendance_sheet(store, sitting)
    layout = pdf_text(pdf, layout=True)
    assert "各代表团出席情况" in flat(layout)
    for name, *numbers in BY_DELEGATION:
        assert re.search(name + r"\s+" + r"\s+".join(map(str, numbers)) + r"\s", layout), (name, layout)
    assert re.search(r"合计\s+30\s+26\s+1\s+27\s+2\s+1", layout), layout
    assert "各代表团出席情况" in flat(pdf_text(render_bundle(store, sitting)))
    assert "Attendance by delegation" in pdf_text(render_attendance_sheet(store, sitting, lang="en"))


def test_a_secret_round_is_never_broken_down_by_delegation(plenary, tmp_path):
    store, _body, sitting, (secret, _named), _deputies = plenary
    text = flat(pdf_text(render_result_sheet(store, secret, 1)))
    assert not any(d in text for d in DELEGATIONS) and "各代表团" not in text
    with store.read() as s:
        doc = sd.result_document(s, secret, 1)
    dumped = json.dumps(doc, ensure_ascii=False)
    assert "delegation" not in dumped and not any(d in dumped for d in DELEGATIONS)
    tables = ex.sitting_tables(store, sitting)
    assert "delegation" not in tables["results"].keys
    assert not any(r["ballot_id"] == secret for r in tables["named_votes"].rows)
    # the attendance table names each deputy's delegation, and holds no choice
    assert {r["delegation"] for r in tables["attendance"].rows} == set(DELEGATIONS)
    assert not set(tables["attendance"].keys) & {"choice", "for", "against", "abstain"}
    files = export_sitting(store, sitting, tmp_path)
    exported = json.loads(next(f for f in files if f.suffix == ".json").read_text(encoding="utf-8"))
    for d in exported["results"]:
        if d["ballot"]["id"] == secret:
            as_text = json.dumps(d, ensure_ascii=False)
            assert "delegation" not in as_text and not any(n in as_text for n in DELEGATIONS)
