"""Roster import over HTTP: the preview names every bad row (Chinese and English), a bad file imports
nothing, clean CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX files import in one audited transaction."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from web_helpers import assert_json_error, counts

from voting_server import models
from voting_server.services import roster, spreadsheet

HEADER = "姓名,身份,座位号,职务,任职日期,离任日期,编号\n"
CLEAN = HEADER + ("赵新民,组成人员,16,委员,2026-01-05,,E016\n"
                  "钱卫东,列席,L3,县人民法院院长,2024/03/01,,E017\n"
                  "孙丽,member,17,委员,2026年1月5日,,E018\n"
                  "李前任,组成人员,3,委员,2016-10-01,2021-09-30,E019\n")  # seat 3 is free again: they left


def upload(client, url, data: bytes, filename: str):
    return client.post(url, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def preview(client, body_id, data, filename="名单.csv"):
    return upload(client, f"/api/bodies/{body_id}/roster/preview", data, filename)


def do_import(client, body_id, data, filename="名单.csv"):
    return upload(client, f"/api/bodies/{body_id}/roster/import", data, filename)


def people_of(store, body_id):
    with store.read() as s:
        return {p.name: p for p in s.scalars(select(models.Person).where(models.Person.body_id == body_id))}


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_imported(clerk, store, body_id, n_before):
    people = people_of(store, body_id)
    assert len(people) == n_before + 4
    zhao, qian, sun, li = people["赵新民"], people["钱卫东"], people["孙丽"], people["李前任"]
    assert (zhao.role, zhao.seat, zhao.title, zhao.joined_on, zhao.left_on, zhao.external_id) == \
        ("member", "16", "委员", dt.date(2026, 1, 5), None, "E016")
    assert (qian.role, qian.seat, qian.joined_on) == ("observer", "L3", dt.date(2024, 3, 1))
    assert (sun.role, sun.joined_on) == ("member", dt.date(2026, 1, 5))
    assert (li.seat, li.left_on) == ("3", dt.date(2021, 9, 30))
    listed = {p["name"]: p for p in clerk.get(f"/api/bodies/{body_id}/people").get_json()["people"]}
    assert listed["赵新民"]["joined_on"] == "2026-01-05" and listed["李前任"]["current"] is False
    assert listed["李前任"]["left_on"] == "2021-09-30"


def last_audit(store):
    with store.read() as s:
        return s.scalar(select(models.AuditEntry).order_by(models.AuditEntry.id.desc()).limit(1))


@pytest.mark.parametrize("encoding,filename", [("utf-8", "名单.csv"), ("utf-8-sig", "名单.csv"), ("gbk", "名单.CSV"),
                                               ("utf-16", "名单.txt")])
def test_clean_csv_imports_in_one_audited_transaction(clerk, store, seeded, encoding, filename):
    data = CLEAN.encode(encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # really a GBK file, as Chinese Excel saves it
    if encoding == "utf-16":
        data = CLEAN.replace(",", "\t").encode("utf-16")  # Excel's "Unicode text": tab-separated UTF-16
    n_before = len(people_of(store, seeded.body_id))
    audit_before = counts(store)["audit_log"]

    r = preview(clerk, seeded.body_id, data, filename)
    assert r.status_code == 200
    body = r.get_json()
    assert body["ok"] is True and body["problems"] == [] and body["count"] == 4
    assert [row["row"] for row in body["rows"]] == [2, 3, 4, 5]
    assert body["rows"][2]["joined_on"] == "2026-01-05"
    assert counts(store)["audit_log"] == audit_before  # a preview writes nothing

    r = do_import(clerk, seeded.body_id, data, filename)
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"imported": 4}
    check_imported(clerk, store, seeded.body_id, n_before)
    assert counts(store)["audit_log"] == audit_before + 1
    entry = last_audit(store)
    payload = json.loads(entry.payload)
    assert entry.action == "roster_imported" and payload["count"] == 4 and payload["body_id"] == seeded.body_id
    assert entry.actor.startswith("clerk:")
    assert clerk.get("/api/audit/verify").get_json()["ok"] is True


def test_clean_xlsx_imports(clerk, store, seeded):
    data = xlsx([
        ["某县人大常委会组成人员名单"],  # a title line above the header, as clerks make them
        [],
        ["姓名", "身份", "座位号", "职务", "任职日期", "离任日期", "编号"],
        ["赵新民", "组成人员", 16, "委员", dt.datetime(2026, 1, 5), None, "E016"],
        ["钱卫东", "列席", "L3", "县人民法院院长", "2024-03-01", None, "E017"],
        ["孙丽", "Member", 17.0, "委员", dt.date(2026, 1, 5), None, "E018"],
        ["李前任", "组成人员", 3, "委员", "2016-10-01", dt.datetime(2021, 9, 30), "E019"],
        [None, None, None],
    ])
    n_before = len(people_of(store, seeded.body_id))
    body = preview(clerk, seeded.body_id, data, "roster.xlsx").get_json()
    assert body["ok"] and [row["row"] for row in body["rows"]] == [4, 5, 6, 7]
    r = do_import(clerk, seeded.body_id, data, "roster.xlsx")
    assert r.status_code == 201 and r.get_json()["imported"] == 4
    check_imported(clerk, store, seeded.body_id, n_before)


def test_english_headers_and_a_new_body(clerk, store):
    body_id = clerk.post("/api/bodies", {"name": "某县人大常委会预算工作委员会"}).get_json()["id"]
    data = b"Name,Role,Seat,Title,Joined_on\nAlice,member,1,Chair,2025-01-01\nBob,observer,,Guest,\n"
    assert do_import(clerk, body_id, data).get_json() == {"imported": 2}
    people = people_of(store, body_id)
    assert people["Alice"].seat == "1" and people["Bob"].role == "observer" and people["Bob"].seat is None


# (file content, file name, [(row, code)...]) -- each problem type the preview must name
BAD_FILES = {
    "missing name": (HEADER + "张一,组成人员,20,委员,,,\n,组成人员,21,委员,,,\n", "a.csv", [(3, "missing_text")]),
    "duplicate seat": (HEADER + "张一,组成人员,20,委员,,,\n张二,组成人员,20,委员,,,\n", "a.csv",
                       [(3, "duplicate_seat")]),
    "duplicate id": (HEADER + "张一,组成人员,20,委员,,,X1\n张二,组成人员,21,委员,,,X1\n", "a.csv",
                     [(3, "duplicate_id")]),
    "unknown role": (HEADER + "张一,主任,20,委员,,,\n", "a.csv", [(2, "bad_role")]),
    "bad date": (HEADER + "张一,组成人员,20,委员,2021-13-45,,\n张二,组成人员,21,委员,下个月,,\n", "a.csv",
                 [(2, "bad_date"), (3, "bad_date")]),
    "left before joined": (HEADER + "张一,组成人员,20,委员,2021-10-01,2020-01-01,\n", "a.csv", [(2, "bad_dates")]),
    "too long name": (HEADER + "张" * 101 + ",组成人员,20,委员,,,\n", "a.csv", [(2, "text_too_long")]),
    "too long title": (HEADER + "张一,组成人员,20," + "委" * 201 + ",,,\n", "a.csv", [(2, "text_too_long")]),
    "too long seat": (HEADER + "张一,组成人员," + "9" * 21 + ",委员,,,\n", "a.csv", [(2, "text_too_long")]),
    "control character": (HEADER + "张\x07一,组成人员,20,委员,,,\n", "a.csv", [(2, "bad_characters")]),
    "unknown header": ("姓名,座位号,年龄\n张一,20,50\n", "a.csv", [(1, "unknown_header")]),
    "missing header": ("名字,座位号\n张一,20\n", "a.csv", [(1, "unknown_header"), (1, "missing_header")]),
    "duplicate header": ("姓名,座位号,座位号\n张一,20,21\n", "a.csv", [(1, "duplicate_header")]),
    "cell without header": ("姓名,座位号\n张一,20,多余\n", "a.csv", [(2, "extra_cells")]),
    "empty file": ("", "a.csv", [(0, "empty_file")]),
    "blank lines only": ("\n\n  \n", "a.csv", [(0, "empty_file")]),
    "header only": (HEADER, "a.csv", [(1, "no_rows")]),
    "not a roster file": ("%PDF-1.4 ...", "a.pdf", [(0, "bad_file_type")]),
    "no extension": ("姓名\n张一\n", "roster", [(0, "bad_file_type")]),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", [(0, "old_excel")]),
    "xlsx that is text": ("姓名\n张一\n", "a.xlsx", [(0, "not_xlsx")]),
    "broken xlsx": (b"PK\x03\x04" + b"\x00" * 200, "a.xlsx", [(0, "not_xlsx")]),
    "csv that is binary": (b"PK\x03\x04\x14\x00\x00\x00", "a.csv", [(0, "not_csv")]),
    "neither utf-8 nor gbk": (b"\xff\xff\xff\xfe\x80\x81", "a.csv", [(0, "bad_encoding")]),
    "too many rows": ("姓名,座位号\n" + "".join(f"人员{i},{i}\n" for i in range(roster.MAX_ROWS + 1)), "a.csv",
                      [(0, "too_many_rows")]),
}


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (spreadsheet.MAX_XLSX_UNPACKED + 1) + b"</sst>")
    return buf.getvalue()


BAD_FILES["zip bomb"] = (_zip_bomb(), "a.xlsx", [(0, "xlsx_too_large")])


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_name_every_problem_and_import_nothing(clerk, store, seeded, case):
    content, filename, expected = BAD_FILES[case]
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    before = counts(store)

    r = preview(clerk, seeded.body_id, data, filename)
    assert r.status_code == 200
    body = r.get_json()
    assert body["ok"] is False
    assert [(p["row"], p["code"]) for p in body["problems"]] == expected
    for p in body["problems"]:
        assert p["zh"] and p["en"] and p["zh"] != p["en"]

    r = do_import(clerk, seeded.body_id, data, filename)
    err = assert_json_error(r, 400, "roster_invalid")
    assert "未导入" in err["message_zh"]
    assert [(p["row"], p["code"]) for p in err["details"]["problems"]] == expected
    assert counts(store) == before


def test_every_bad_row_is_listed_not_only_the_first(clerk, store, seeded):
    data = (HEADER + ",组成人员,20,委员,,,\n"            # 2: no name
                     "张二,秘书,21,委员,,,\n"            # 3: unknown role
                     "张三,组成人员,22,委员,昨天,,\n"     # 4: bad date
                     "张四,组成人员,23,委员,,,\n"         # 5: fine
                     "张五,组成人员,23,委员,,,\n"         # 6: seat of row 5
                     "张六,领导,24,委员,2021-99-01,,\n"   # 7: two problems in one row
                     "张七,组成人员,1,委员,,,\n").encode("gbk")  # 8: seat 1 is 王建国's
    before = counts(store)
    body = preview(clerk, seeded.body_id, data).get_json()
    rows = [(p["row"], p["code"]) for p in body["problems"]]
    assert rows == [(2, "missing_text"), (3, "bad_role"), (4, "bad_date"), (6, "duplicate_seat"), (7, "bad_role"),
                    (7, "bad_date"), (8, "seat_taken")]
    by_row = {p["row"]: p for p in body["problems"]}
    assert by_row[6]["zh"] == "座位号23与第5行重复" and by_row[6]["field"] == "seat"
    assert "王建国" in by_row[8]["zh"] and by_row[8]["en"].startswith("seat 1 is already taken")
    assert by_row[3]["field"] == "role" and by_row[4]["field"] == "joined_on"
    err = assert_json_error(do_import(clerk, seeded.body_id, data), 400, "roster_invalid")
    assert len(err["details"]["problems"]) == 7
    assert counts(store) == before


def test_seats_and_ids_already_stored_are_refused(clerk, store, seeded):
    first = (HEADER + "赵一,组成人员,30,委员,,,K1\n").encode()
    assert do_import(clerk, seeded.body_id, first).status_code == 201
    before = counts(store)
    again = (HEADER + "赵二,组成人员,30,委员,,,K2\n赵三,组成人员,31,委员,,,K1\n").encode()
    err = assert_json_error(do_import(clerk, seeded.body_id, again), 400, "roster_invalid")
    assert [(p["row"], p["code"]) for p in err["details"]["problems"]] == [(2, "seat_taken"), (3, "id_taken")]
    assert counts(store) == before
    # the same seat is fine in another body
    other = clerk.post("/api/bodies", {"name": "另一个委员会"}).get_json()["id"]
    assert do_import(clerk, other, again).get_json() == {"imported": 2}


def test_roster_permissions_and_missing_file(api, clerk, store, seeded):
    data = CLEAN.encode()
    chair, display, admin = api("chair"), api("display"), api("admin")
    before = counts(store)
    for client in (chair, display):
        assert_json_error(preview(client, seeded.body_id, data), 403, "forbidden")
        assert_json_error(do_import(client, seeded.body_id, data), 403, "forbidden")
    assert_json_error(do_import(clerk, 9999, data), 404)
    assert_json_error(preview(clerk, 9999, data), 404)
    r = clerk.post(f"/api/bodies/{seeded.body_id}/roster/import", data={}, content_type="multipart/form-data")
    assert_json_error(r, 400, "missing_file")
    r = clerk.post(f"/api/bodies/{seeded.body_id}/roster/import", {"file": "not an upload"})
    assert_json_error(r, 400, "missing_file")
    r = clerk.post(f"/api/bodies/{seeded.body_id}/roster/import", data={"file": (io.BytesIO(data), "")},
                   content_type="multipart/form-data")
    assert_json_error(r, 400, "missing_file")
    assert counts(store) == before
    assert admin.post(f"/api/bodies/{seeded.body_id}/roster/import",
                             data={"file": (io.BytesIO(data), "名单.csv")},
                             content_type="multipart/form-data").status_code == 201


def test_the_command_line_import(seeded, tmp_path, app, store, capsys):
    from voting_server import cli

    url = store.url
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + ",组成人员,40,委员,,,\n").encode("gbk"))
    assert cli.main(["--database", url, "import-roster", str(seeded.body_id), str(bad), "--commit"]) == 1
    out = capsys.readouterr().out
    assert "row 2: 请填写姓名 (name is required)" in out and "nothing imported" in out
    good = tmp_path / "good.csv"
    good.write_bytes(CLEAN.encode("gbk"))
    assert cli.main(["--database", url, "import-roster", str(seeded.body_id), str(good)]) == 0
    assert "4 rows are valid" in capsys.readouterr().out
    assert "赵新民" not in people_of(store, seeded.body_id)  # without --commit: only the preview
    assert cli.main(["--database", url, "import-roster", str(seeded.body_id), str(good), "--commit"]) == 0
    assert "imported 4 people" in capsys.readouterr().out
    assert "赵新民" in people_of(store, seeded.body_id)
