"""An agenda imported from CSV or XLSX (services.agenda_import): the preview lists every bad row with
its number in Chinese and changes nothing; the import adds every row or, when any row is bad, nothing."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from voting_server import models
from voting_server.services import Conflict, Forbidden, Invalid, NotFound, close_sitting
from voting_server.services.agenda_import import MAX_FILE_BYTES, check_agenda, import_agenda

GOOD = """第三十六次会议议程
序号,议题,类型,表决方式,记名,计时
2,关于召开县第十八届人民代表大会第六次会议的决定,决议,电子表决,记名,90
1,听取县政府关于农村饮水安全工作情况的报告,报告,,,
3,人事任免事项,任免,,,
4,关于县级预算调整方案的决议,议案,举手,,
5,其他事项,其他,不表决,,
""".encode()


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def items_of(store, sitting_id: int) -> list[tuple]:
    with store.read() as s:
        items = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting_id)
                          .order_by(models.AgendaItem.position)).all()
        return [(i.position, i.title, i.kind, [(b.method, b.secret, b.timer_seconds, b.title)
                                               for b in s.scalars(select(models.Ballot)
                                                                  .where(models.Ballot.item_id == i.id))])
                for i in items]


def test_preview_then_import_adds_every_row_after_the_items_in_the_order_of_序号(world):
    w, st = world, world.store
    before = items_of(st, w.sitting_id)
    preview = check_agenda(st, w.clerk, w.sitting_id, GOOD, "议程.csv").to_dict()
    assert preview["ok"] and preview["count"] == 5 and preview["ballots"] == 2 and preview["problems"] == []
    assert [r["row"] for r in preview["rows"]] == [4, 3, 5, 6, 7]
    assert items_of(st, w.sitting_id) == before  # a preview stores nothing
    assert import_agenda(st, w.clerk, w.sitting_id, GOOD, "议程.csv") == {"imported": 5, "ballots": 2}
    after = items_of(st, w.sitting_id)
    assert after[:3] == before
    added = after[3:]
    assert [(p, title, kind) for p, title, kind, _ in added] == [
        (4, "听取县政府关于农村饮水安全工作情况的报告", "report"),
        (5, "关于召开县第十八届人民代表大会第六次会议的决定", "resolution"),
        (6, "人事任免事项", "appointment"),
        (7, "关于县级预算调整方案的决议", "resolution"),
        (8, "其他事项", "other")]
    assert added[1][3] == [("tablet", False, 90, "关于召开县第十八届人民代表大会第六次会议的决定")]
    assert added[3][3] == [("hands", True, None, "关于县级预算调整方案的决议")]  # secret: the body's default
    assert added[0][3] == added[2][3] == added[4][3] == []
    with st.read() as s:
        entry = s.scalar(select(models.AuditEntry).where(models.AuditEntry.action == "agenda_imported"))
        payload = json.loads(entry.payload)
        assert entry.seq is not None and len(payload["items"]) == 5 and len(payload["ballot_ids"]) == 2


def test_an_xlsx_agenda_with_english_headers_and_no_序号(world):
    data = xlsx([["Title", "Kind", "Method"], ["关于某事项的决定", "resolution", "mixed"], ["工作报告", "报告", None]])
    assert import_agenda(world.store, world.clerk, world.sitting_id, data, "agenda.xlsx") == {"imported": 2,
                                                                                              "ballots": 1}
    assert [i[1] for i in items_of(world.store, world.sitting_id)[3:]] == ["关于某事项的决定", "工作报告"]


BAD = """序号,议题,类型,表决方式,记名,计时
1,关于甲的决定,决议,电子表决,,
1,关于乙的决定,决议,,,
x,关于丙的决定,决议,,,
4,,决议,,,
5,关于丁的决定,动议,,,
6,关于戊的决定,决议,纸质,公开,5
7,人事任免事项,任免,电子表决,,
8,工作报告,报告,举手,,
9,关于己的决定,决议,,,,多余
""".encode()


def test_every_bad_row_is_reported_with_its_number_in_chinese(world, refuse):
    w, st = world, world.store
    problems = check_agenda(st, w.clerk, w.sitting_id, BAD, "议程.csv").to_dict()
    assert problems["ok"] is False and problems["rows"] == []
    found = [(p["row"], p["code"], p["field"]) for p in problems["problems"]]
    assert found == [(3, "duplicate_position", "position"), (4, "bad_position", "position"),
                     (5, "missing_text", "title"), (6, "bad_kind", "kind"), (7, "bad_method", "method"),
                     (7, "bad_secrecy", "secrecy"), (7, "bad_timer", "timer"), (8, "ballot_needs_rows", "method"),
                     (9, "no_ballot_for_kind", "method"), (10, "extra_cells", None)]
    texts = [(p["row"], p["zh"]) for p in problems["problems"]]
    assert (3, "序号1与第2行重复") in texts
    assert (6, "未知议题类型“动议”（可用：决议、任免、测评、票决、报告、其他）") in texts
    assert (7, "未知表决方式“纸质”（可用：电子表决、举手、混合、不表决）") in texts
    err = refuse(lambda: import_agenda(st, w.clerk, w.sitting_id, BAD, "议程.csv"), Invalid, "agenda_invalid")
    assert err.zh == "议程文件有10处错误，未导入任何议题" and len(err.details["problems"]) == 10


@pytest.mark.parametrize(("data", "filename", "code"), [
    (b"", "a.csv", "empty_file"),
    ("序号,议题\n".encode(), "a.csv", "no_rows"),
    ("序号,类型\n1,决议\n".encode(), "a.csv", "missing_header"),
    ("议题,颜色\n甲,红\n".encode(), "a.csv", "unknown_header"),
    ("议题,议题\n甲,乙\n".encode(), "a.csv", "duplicate_header"),
    (b"%PDF-1.4 not a spreadsheet", "a.pdf", "bad_file_type"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "a.csv", "not_csv"),
    (b"PK\x03\x04 broken", "a.xlsx", "not_xlsx"),
    (b"not a zip", "a.xlsx", "not_xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xls", "old_excel"),
    ("议题\n".encode() + "甲\n".encode() * 501, "a.csv", "too_many_rows"),
    ("议题\n甲\n".encode() + b" " * MAX_FILE_BYTES, "a.csv", "file_too_large"),
])
def test_files_that_are_not_an_agenda_are_refused_whole(world, refuse, data, filename, code):
    w, st = world, world.store
    preview = check_agenda(st, w.clerk, w.sitting_id, data, filename)
    assert [p.code for p in preview.problems] == [code] and preview.problems[0].row in (0, 1)
    assert preview.problems[0].zh and not preview.rows
    refuse(lambda: import_agenda(st, w.clerk, w.sitting_id, data, filename), Invalid, "agenda_invalid")


def test_import_refused_for_a_closed_or_missing_sitting_or_a_chair(world, refuse):
    w, st = world, world.store
    refuse(lambda: import_agenda(st, w.chair, w.sitting_id, GOOD, "a.csv"), Forbidden, "forbidden")
    refuse(lambda: check_agenda(st, w.members[0], w.sitting_id, GOOD, "a.csv"), Forbidden, "forbidden")
    refuse(lambda: import_agenda(st, w.clerk, 999, GOOD, "a.csv"), NotFound, "not_found")
    w.open_and_sign_in(12)
    close_sitting(st, w.chair, w.sitting_id)
    refuse(lambda: check_agenda(st, w.clerk, w.sitting_id, GOOD, "a.csv"), Conflict, "sitting_closed")
    refuse(lambda: import_agenda(st, w.clerk, w.sitting_id, GOOD, "a.csv"), Conflict, "sitting_closed")
    with st.read() as s:
        assert s.scalar(select(func.count()).select_from(models.AgendaItem)) == 3
