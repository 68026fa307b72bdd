"""The seat map of a body's hall: drawn in the editor and saved, or imported from a CSV/XLSX file (one line
per seat) after a preview that names every bad row; every refusal stores nothing; sizes are bounded."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from voting_server import models
from voting_server.services import Forbidden, Invalid, NotFound, halls


def grid(rows, cols, fill=""):
    return [[f"{r + 1}-{c + 1}" if fill == "" else fill for c in range(cols)] for r in range(rows)]


def small_hall():
    """Two rows of four seats, an aisle after the second seat, the first row the 主席台."""
    seats = [["1-1", "1-2", None, "1-3"], ["2-1", "2-2", None, "2-3"]]
    zone_of = [[0, 0, None, 0], [None, None, None, 1]]
    return {"rows": 2, "cols": 4, "seats": seats, "zones": [{"name": "主席台", "colour": "#DBE7F7"},
                                                            {"name": "城关镇代表团", "colour": "#f6e3c6"}],
            "zone_of": zone_of}


def audit_of(store, action):
    with store.read() as s:
        return [e for e in s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == action))]


def test_a_drawn_hall_is_saved_read_and_audited(world):
    st = world.store
    assert halls.hall_of(st, world.chair, world.body_id) == {"body_id": world.body_id, "hall": None, "online": []}
    assert halls.save_hall(st, world.clerk, world.body_id, layout=small_hall()) == {"rows": 2, "cols": 4, "seats": 6}
    read = halls.hall_of(st, world.chair, world.body_id)["hall"]
    assert read["seats"][0] == ["1-1", "1-2", None, "1-3"]
    assert read["zones"][0] == {"name": "主席台", "colour": "#dbe7f7"}
    assert read["zone_of"][0] == [0, 0, None, 0]
    (entry,) = audit_of(st, "hall_saved")
    assert '"source":"editor"' in entry.payload and '"seats":6' in entry.payload
    # saved again: replaced, one more audit entry
    again = {**small_hall(), "rows": 1, "seats": [["A", "B", None, ""]], "zone_of": [[None] * 4]}
    assert halls.save_hall(st, world.clerk, world.body_id, layout=again)["seats"] == 3
    assert halls.hall_of(st, world.display, world.body_id)["hall"]["seats"] == [["A", "B", None, ""]]
    assert len(audit_of(st, "hall_saved")) == 2


BAD_LAYOUTS = [
    ("not an object", ["x"]),
    ("unknown field", {**small_hall(), "extra": 1}),
    ("no rows", {**small_hall(), "rows": 0}),
    ("61 rows", {**small_hall(), "rows": 61}),
    ("61 seats a row", {**small_hall(), "cols": 61}),
    ("rows as text", {**small_hall(), "rows": "2"}),
    ("rows as a flag", {**small_hall(), "rows": True}),
    ("grid too short", {**small_hall(), "seats": [["1-1", "1-2", None, "1-3"]]}),
    ("row too long", {**small_hall(), "seats": [["1-1", "1-2", None, "1-3", "x"], ["2-1", "2-2", None, "2-3"]]}),
    ("a label as a number", {**small_hall(), "seats": [[1, "1-2", None, "1-3"], ["2-1", "2-2", None, "2-3"]]}),
    ("a label too long", {**small_hall(), "seats": [["座" * 21, "1-2", None, "1-3"], ["2-1", "2-2", None, "2-3"]]}),
    ("a control character", {**small_hall(), "seats": [["1\x00", "1-2", None, "1-3"], ["2-1", "2-2", None, "2-3"]]}),
    ("a label twice", {**small_hall(), "seats": [["1-1", "1-1", None, "1-3"], ["2-1", "2-2", None, "2-3"]]}),
    ("zones not a list", {**small_hall(), "zones": {"name": "x"}}),
    ("41 zones", {**small_hall(), "zones": [{"name": f"区{i}", "colour": "#ffffff"} for i in range(41)]}),
    ("a zone without a name", {**small_hall(), "zones": [{"name": "", "colour": "#ffffff"}]}),
    ("a zone name too long", {**small_hall(), "zones": [{"name": "区" * 41, "colour": "#ffffff"}]}),
    ("a bad colour", {**small_hall(), "zones": [{"name": "主席台", "colour": "red"},
                                                {"name": "b", "colour": "#ffffff"}]}),
    ("a zone with more fields", {**small_hall(), "zones": [{"name": "a", "colour": "#ffffff", "x": 1},
                                                           {"name": "b", "colour": "#ffffff"}]}),
    ("a zone name twice", {**small_hall(), "zones": [{"name": "a", "colour": "#ffffff"},
                                                     {"name": "a", "colour": "#000000"}]}),
    ("a zone index out of range", {**small_hall(), "zone_of": [[0, 0, None, 5], [None, None, None, 1]]}),
    ("a zone index as text", {**small_hall(), "zone_of": [[0, "0", None, 0], [None, None, None, 1]]}),
    ("zone grid of the wrong size", {**small_hall(), "zone_of": [[0]]}),
]


@pytest.mark.parametrize("what,layout", BAD_LAYOUTS, ids=[w for w, _ in BAD_LAYOUTS])
def test_a_bad_layout_is_refused_and_stores_nothing(world, refuse, what, layout):
    halls.save_hall(world.store, world.clerk, world.body_id, layout=small_hall())
    err = refuse(lambda: halls.save_hall(world.store, world.clerk, world.body_id, layout=layout), Invalid, "bad_hall")
    assert err.zh and err.en and err.en != err.zh, err.zh


def test_a_refusal_names_the_seat(world, refuse):
    layout = {**small_hall(), "seats": [["1-1", "1-2", None, "1-3"], ["2-1", "1-2", None, "2-3"]]}
    err = refuse(lambda: halls.save_hall(world.store, world.clerk, world.body_id, layout=layout), Invalid, "bad_hall")
    assert err.zh == "座位号1-2重复（第1-2座与第2-2座）"
    err = refuse(lambda: halls.save_hall(world.store, world.clerk, world.body_id, layout={**small_hall(), "cols": 61}),
                 Invalid, "bad_hall")
    assert err.zh == "每排座位数必须是1到60之间的整数" and err.en


def test_the_largest_hall_is_accepted_and_a_larger_one_refused_early(world, refuse):
    big = {"rows": 60, "cols": 60, "seats": grid(60, 60), "zones": [], "zone_of": [[None] * 60 for _ in range(60)]}
    assert halls.save_hall(world.store, world.clerk, world.body_id, layout=big)["seats"] == 3600
    huge = {"rows": 60, "cols": 60, "seats": [["x"] * 100000] * 60}
    refuse(lambda: halls.save_hall(world.store, world.clerk, world.body_id, layout=huge), Invalid, "bad_hall")


def test_who_may_save_and_read(world, refuse):
    st = world.store
    for actor in (world.chair, world.display, world.members[0]):
        refuse(lambda a=actor: halls.save_hall(st, a, world.body_id, layout=small_hall()), Forbidden, "forbidden")
    refuse(lambda: halls.hall_of(st, world.members[0], world.body_id), Forbidden, "forbidden")
    refuse(lambda: halls.save_hall(st, world.clerk, 999, layout=small_hall()), NotFound, "not_found")
    refuse(lambda: halls.hall_of(st, world.clerk, 999), NotFound, "not_found")


GOOD_CSV = ("排,座,座位号,区域,颜色\n"
            "1,1,主1,主席台,#dbe7f7\n"
            "1,2,主2,主席台,\n"
            "2,1,1,城关镇代表团,\n"
            "2,3,2,城关镇代表团,\n"
            "3,2,3,,\n").encode()


def test_a_hall_file_is_previewed_then_imported(world):
    st = world.store
    preview = halls.check_hall_file(st, world.clerk, world.body_id, GOOD_CSV, "会场.csv").to_dict()
    assert preview["ok"] and preview["problems"] == [] and preview["seats"] == 5 and preview["zones"] == 2
    hall = preview["hall"]
    assert (hall["rows"], hall["cols"]) == (3, 3)
    assert hall["seats"] == [["主1", "主2", None], ["1", None, "2"], [None, "3", None]]
    assert hall["zones"][0] == {"name": "主席台", "colour": "#dbe7f7"}
    assert hall["zones"][1]["colour"].startswith("#")
    assert hall["zone_of"] == [[0, 0, None], [1, None, 1], [None, None, None]]
    assert halls.hall_of(st, world.clerk, world.body_id)["hall"] is None  # the preview stores nothing
    assert halls.import_hall(st, world.clerk, world.body_id, GOOD_CSV, "会场.csv") == {"rows": 3, "cols": 3, "seats": 5}
    assert halls.hall_of(st, world.clerk, world.body_id)["hall"] == hall
    (entry,) = audit_of(st, "hall_saved")
    assert '"source":"import"' in entry.payload and '"filename":"会场.csv"' in entry.payload


def test_an_xlsx_hall_file_and_english_headers(world):
    wb = Workbook()
    ws = wb.active
    ws.append(["某县人民代表大会会场座位表"])
    ws.append(["row", "seat", "label", "zone"])
    ws.append([1, 1, "A1", "Presidium"])
    ws.append([1, 2, 102, None])
    buf = io.BytesIO()
    wb.save(buf)
    assert halls.import_hall(world.store, world.clerk, world.body_id, buf.getvalue(), "hall.xlsx")["seats"] == 2
    assert halls.hall_of(world.store, world.clerk, world.body_id)["hall"]["seats"] == [["A1", "102"]]


BAD_CSV = ("排,座,座位号,区域,颜色\n"
           "1,1,A1,主席台,#dbe7f7\n"       # 2 fine
           "0,1,A2,,\n"                     # 3 row 0
           "1,61,A3,,\n"                    # 4 seat 61
           "x,1,A4,,\n"                     # 5 row not a number
           "1,2,,,\n"                       # 6 no label
           "1,3,A1,,\n"                     # 7 label of row 2
           "1,1,A5,,\n"                     # 8 place of row 2
           "1,4,A6,主席台,#000000\n"        # 9 another colour for the 主席台
           "1,5,A7,,#ffffff\n"              # 10 colour without a zone
           "1,6,A8,乙区,blue\n"             # 11 bad colour
           "1,7," + "长" * 21 + ",,\n"      # 12 label too long
           "1,8,A9,,,extra\n"               # 13 a cell without a header
           ).encode()


def test_every_bad_row_is_named_and_nothing_is_imported(world, refuse):
    st = world.store
    halls.save_hall(st, world.clerk, world.body_id, layout=small_hall())
    preview = halls.check_hall_file(st, world.clerk, world.body_id, BAD_CSV, "会场.csv").to_dict()
    assert not preview["ok"] and preview["hall"] is None
    by_row = {}
    for p in preview["problems"]:
        by_row.setdefault(p["row"], []).append(p["zh"])
    assert by_row == {
        3: ["排号必须是1到60之间的整数"],
        4: ["座号必须是1到60之间的整数"],
        5: ["排号必须是1到60之间的整数"],
        6: ["请填写座位号"],
        7: ["座位号A1与第2行重复"],
        8: ["第1排第1座与第2行重复"],
        9: ["区域主席台的颜色与第2行不同"],
        10: ["填写了颜色但没有区域"],
        11: ["颜色应为#rrggbb（如#dbe7f7）"],
        12: ["座位号不能超过20个字"],
        13: ["该行在没有列名的列中有内容"],
    }
    assert all(p["en"] for p in preview["problems"])
    err = refuse(lambda: halls.import_hall(st, world.clerk, world.body_id, BAD_CSV, "会场.csv"), Invalid,
                 "hall_invalid")
    assert err.zh == "座位表有11处错误，未导入" and len(err.details["problems"]) == 11


@pytest.mark.parametrize("data,filename,code", [
    (b"", "h.csv", "empty_file"),
    ("座位号\nA1\n".encode(), "h.csv", "missing_header"),
    ("排,座\n1,1\n".encode(), "h.csv", "missing_header"),
    ("排,座,座位号,备注\n1,1,A\n".encode(), "h.csv", "unknown_header"),
    ("排,座,座位号\n".encode(), "h.csv", "no_rows"),
    (b"PK\x03\x04nonsense", "h.xlsx", "not_xlsx"),
    (b"1,1,A", "h.pdf", "bad_file_type"),
    ("排,座,座位号\n".encode() + b" " * (2 * 2**20), "h.csv", "file_too_large"),
])
def test_a_file_that_is_not_a_hall_is_refused(world, refuse, data, filename, code):
    preview = halls.check_hall_file(world.store, world.clerk, world.body_id, data, filename)
    assert [p.code for p in preview.problems] == [code], [p.to_dict() for p in preview.problems]
    refuse(lambda: halls.import_hall(world.store, world.clerk, world.body_id, data, filename), Invalid, "hall_invalid")


def test_a_file_with_too_many_zones_or_seats_is_refused(world, refuse):
    zones = "排,座,座位号,区域\n" + "".join(f"1,{i + 1},S{i},区{i}\n" for i in range(41))
    preview = halls.check_hall_file(world.store, world.clerk, world.body_id, zones.encode(), "h.csv")
    assert [(p.row, p.code) for p in preview.problems] == [(42, "too_many_zones")]
    many = "排,座,座位号\n" + "".join(f"{r + 1},{c + 1},{r}-{c}\n" for r in range(60) for c in range(60)) + "1,1,x\n"
    preview = halls.check_hall_file(world.store, world.clerk, world.body_id, many.encode(), "h.csv")
    assert [p.code for p in preview.problems] == ["too_many_rows"] and preview.rows == []
    refuse(lambda: halls.import_hall(world.store, world.clerk, world.body_id, many.encode(), "h.csv"), Invalid,
           "hall_invalid")


def test_the_online_tablets(world):
    """``online``: the people whose paired tablet is connected now (a revoked one is not)."""
    from voting_server import services
    st = world.store
    pid = world.members[0].person_id
    code = services.create_pairing(st, world.clerk, pid)
    _token, tablet = services.pair_device(st, code)
    services.device_seen(st, tablet.device_id, online=True)
    assert halls.hall_of(st, world.chair, world.body_id)["online"] == [pid]
    services.device_seen(st, tablet.device_id, online=False)
    assert halls.hall_of(st, world.chair, world.body_id)["online"] == []
