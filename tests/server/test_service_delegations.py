"""A congress plenary's deputies by delegation (代表团): the roster column (代表团, 所属代表团, delegation)
imported and listed, a bad row refused with nothing stored, the person's field changed, and the
attendance counted per delegation."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from voting_server import models, services
from voting_server.services import Actor, Invalid, admin_view, roster

CLERK = Actor(role="clerk", name="何静", user_id=3)
DAY = "2026-11-25"


def people_of(store, body_id):
    with store.read() as s:
        return {p.name: p for p in s.scalars(select(models.Person).where(models.Person.body_id == body_id))}


@pytest.fixture
def plenary(store) -> int:
    return services.create_body(store, CLERK, name="某县人民代表大会", preset="congress_plenary")


@pytest.mark.parametrize("header", ["代表团", "所属代表团", "delegation", "Delegation"])
def test_the_delegation_column_is_imported(store, plenary, header):
    data = (f"姓名,身份,座位号,{header}\n"
            "王一,代表,1,城关镇代表团\n"
            "李二,代表,2, 河西乡代表团 \n"
            "张三,列席,L1,\n").encode()
    preview = roster.check_file(store, CLERK, plenary, data, "代表名单.csv")
    assert preview.problems == []
    assert [r["delegation"] for r in preview.to_dict()["rows"]] == ["城关镇代表团", "河西乡代表团", None]
    assert roster.import_roster(store, CLERK, plenary, data, "代表名单.csv") == 3
    people = people_of(store, plenary)
    assert (people["王一"].delegation, people["李二"].delegation, people["张三"].delegation) == \
        ("城关镇代表团", "河西乡代表团", None)
    assert people["王一"].role == "member"
    listed = {p["name"]: p for p in admin_view.list_people(store, CLERK, plenary)}
    assert listed["李二"]["delegation"] == "河西乡代表团" and listed["张三"]["delegation"] is None


def test_an_xlsx_roster_with_delegations(store, plenary):
    wb = Workbook()
    ws = wb.active
    ws.append(["某县第十八届人民代表大会代表名单"])
    ws.append(["姓名", "座位号", "所属代表团"])
    ws.append(["王一", 1, "城关镇代表团"])
    ws.append(["李二", 2, "东山镇代表团"])
    buf = io.BytesIO()
    wb.save(buf)
    assert roster.import_roster(store, CLERK, plenary, buf.getvalue(), "代表名单.xlsx") == 2
    assert people_of(store, plenary)["李二"].delegation == "东山镇代表团"


def test_a_bad_row_imports_nothing_and_is_named(store, plenary, refuse):
    data = ("姓名,身份,座位号,代表团\n"
            "王一,代表,1,城关镇代表团\n"
            f"李二,代表,2,{'很长' * 60}\n"
            "张三,委员长,3,河西乡代表团\n").encode()
    err = refuse(lambda: roster.import_roster(store, CLERK, plenary, data, "代表名单.csv"), Invalid, "roster_invalid")
    problems = err.details["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "delegation"), (4, "role")]
    assert "代表团" in problems[0]["zh"] and "delegation" in problems[0]["en"]
    # the refusal names the body's members in its words: 代表, not 组成人员
    assert "应为代表或列席" in problems[1]["zh"] and "组成人员" not in problems[1]["zh"]
    assert people_of(store, plenary) == {}


def test_the_delegation_is_a_field_of_the_person(store, plenary, refuse):
    pid = services.add_person(store, CLERK, plenary, {"name": "王一", "role": "代表", "seat": "1",
                                                      "delegation": "城关镇代表团"})
    assert people_of(store, plenary)["王一"].delegation == "城关镇代表团"
    services.update_person(store, CLERK, pid, {"delegation": "河西乡代表团"})
    assert people_of(store, plenary)["王一"].delegation == "河西乡代表团"
    refuse(lambda: services.update_person(store, CLERK, pid, {"delegation": "团" * 101}), Invalid, "text_too_long")
    refuse(lambda: services.update_person(store, CLERK, pid, {"delegation": ["城关镇"]}), Invalid, "bad_text")
    services.update_person(store, CLERK, pid, {"delegation": ""})
    assert people_of(store, plenary)["王一"].delegation is None
