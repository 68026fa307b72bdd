"""Exports of results, attendance and named votes: CSV, XLSX and JSON round-trip to the same rows;
secret ballots export no member's choice."""
from __future__ import annotations

import csv
import io
import json

from voting_server import cli
from voting_server.sheets import export as ex


def test_tables_hold_every_result_row(demo):
    tables = ex.sitting_tables(demo.store, demo.sitting_id)
    results = tables["results"]
    expected = sum(len(demo.doc(b, r)["result"]["questions"]) for b, r in demo.rounds())
    assert len(results.rows) == expected
    for row in results.rows:
        doc = demo.doc(row["ballot_id"], row["round"])
        q = next(q for q in doc["result"]["questions"] if q["question_id"] == row["question_id"])
        for code, n in q["counts"].items():
            assert row[code] == n
        assert (row["not_voted"], row["needed"], row["outcome"]) == (q["not_voted"], q["needed"], q["outcome"])
        assert row["audit_head"] == doc["audit"]["head"]
    assert {"for", "against", "abstain", "mark", "satisfied", "basic", "unsatisfied"} <= set(results.keys)


def test_named_votes_only_for_named_ballots(demo):
    rows = ex.sitting_tables(demo.store, demo.sitting_id)["named_votes"].rows
    named = demo.doc(demo.ballots[5])
    assert {r["ballot_id"] for r in rows} == {demo.ballots[5]}
    assert len(rows) == len(named["named_votes"])  # one question, every member of the roster
    by_person = {v["person_id"]: v for v in named["named_votes"]}
    for r in rows:
        v = by_person[r["person_id"]]
        assert r["choice"] == (v["choice"]["main"] if v["voted"] else None)
    assert {r["choice_zh"] for r in rows} <= {"赞成", "反对", "弃权", "未按表决器", "请假", "缺席"}


def test_attendance_rows(demo):
    rows = ex.sitting_tables(demo.store, demo.sitting_id)["attendance"].rows
    assert len(rows) == 17
    statuses = {r["name"]: (r["status"], r["reason"]) for r in rows}
    assert statuses["张伟"] == ("leave", "外出学习") and statuses["孙红梅"][0] == "video"


def test_csv_round_trip(demo):
    for name, table in ex.sitting_tables(demo.store, demo.sitting_id).items():
        data = ex.table_csv(table)
        assert data.startswith("\ufeff".encode())  # spreadsheet programs read UTF-8 with a BOM
        assert ex.read_csv(data, table.columns) == table.rows, name
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert header == table.keys
    assert ex.read_csv(ex.export_csv(demo.store, demo.sitting_id, "attendance"), ex.ATTENDANCE_COLUMNS) == \
        ex.sitting_tables(demo.store, demo.sitting_id)["attendance"].rows


def test_xlsx_round_trip(demo):
    tables = ex.sitting_tables(demo.store, demo.sitting_id)
    back = ex.read_xlsx(ex.export_xlsx(demo.store, demo.sitting_id), tables)
    assert set(back) == set(ex.TABLES)
    for name, table in tables.items():
        assert back[name] == table.rows, name
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(ex.tables_xlsx(tables)))
    ws = wb["表决结果 results"]
    assert ws["A1"].value == "结果单编号" and ws["A2"].value == "sheet_id"


def test_json_round_trip(demo):
    data = ex.export_json(demo.store, demo.sitting_id)
    payload = ex.read_json(data)
    tables = ex.sitting_tables(demo.store, demo.sitting_id)
    for name, table in tables.items():
        assert payload["tables"][name]["columns"] == table.keys
        assert payload["tables"][name]["rows"] == table.rows
    assert payload["results"] == [demo.doc(b, r) for b, r in demo.rounds()]
    assert payload["attendance"]["sheet_id"] == f"S{demo.sitting_id}-ATT"
    assert json.loads(data) == payload


def test_export_files_and_cli(demo, tmp_path, capsys):
    files = ex.export_sitting(demo.store, demo.sitting_id, tmp_path / "a")
    assert sorted(p.name for p in files) == sorted(
        ["results-S1.csv", "attendance-S1.csv", "named_votes-S1.csv", "sitting-S1.xlsx", "sitting-S1.json"])
    assert cli.main(["--database", demo.store.url, "--instance", str(demo.instance), "export", str(demo.sitting_id),
                     "--out", str(tmp_path / "b")]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 5
    assert (tmp_path / "b" / "results-S1.csv").read_bytes() == (tmp_path / "a" / "results-S1.csv").read_bytes()


def test_the_results_workbook_never_says_not_pressed_for_a_show_of_hands(demo):
    """The results table spans rounds on tablets and by show of hands: its not-voted column says 未表决
    (true of both), never 未按表决器 (false of a show of hands)."""
    import openpyxl

    methods = {demo.doc(b, r)["method"] for b, r in demo.rounds()}
    assert {"tablet", "mixed"} & methods
    book = openpyxl.load_workbook(io.BytesIO(ex.export_xlsx(demo.store, demo.sitting_id)), read_only=True)
    header = [c.value for c in next(book["表决结果 results"].iter_rows(max_row=1))]
    assert "未表决" in header and "未按表决器" not in header
