"""Exports of a sitting: results, attendance and named votes as CSV, XLSX (openpyxl) and JSON.

Three tables, each a list of columns and a list of rows (dicts keyed by column key):

* ``results``     — one row per question of every closed round (every option's count, not voted,
  votes needed, the question's and the ballot's outcome);
* ``attendance``  — one row per member and observer;
* ``named_votes`` — one row per member per question of every named (记名) ballot; secret ballots have
  no such rows, since nothing stored links a member to a choice.

CSV has the column keys as its header (UTF-8 with BOM, so spreadsheet programs read the Chinese);
XLSX has one sheet per table with a Chinese header row above the keys; JSON holds the tables and the
full result documents. The ``read_*`` functions read them back into the same rows.

No text is ever read as a formula by a spreadsheet program (formula or CSV injection): in CSV a text
that starts with ``= + - @``, a tab, a carriage return or a single quote is written with a single quote
in front (``read_csv`` takes it off again); in XLSX every text is a text cell, never a formula.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ballots
from ballots import labels

from ..db import Store
from ..files import private_folder, write_private
from . import data as sd

EXPORT_FORMAT = "biaojue.export/1"
TABLES = ("results", "attendance", "named_votes")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    type: type = str  # str | int | bool


def _cols(*spec: tuple[str, str, type]) -> list[Column]:
    return [Column(k, z, t) for k, z, t in spec]


#: A member who cast no ballot: away (the attendance label says why) or present and not voted.
AWAY = ("leave", "absent")
#: A named vote is cast on a tablet: present and nothing pressed.
NOT_PRESSED = labels.NOT_VOTED["tablet"].zh
#: The results table spans rounds counted on tablets and by show of hands: its column says 未表决, which is
#: true of both (未按表决器 would be false of a show of hands).
NOT_VOTED = labels.NOT_VOTED["hands"].zh

_RESULT_HEAD = _cols(
    ("sheet_id", "结果单编号", str), ("item_position", "议题序号", int), ("item_title", "议题", str),
    ("ballot_id", "表决编号", int), ("ballot_title", "表决事项", str), ("kind", "类型", str), ("round", "轮次", int),
    ("method", "表决方式", str), ("secret", labels.SECRECY["secret"].zh, bool), ("entitled", "应到", int),
    ("present", "实到", int), ("cast", "有效票", int), ("invalid", "无效票", int), ("quorum_held", "符合法定人数", bool),
    ("question_id", "事项编号", str), ("question", "事项", str))
_RESULT_TAIL = _cols(
    ("not_voted", NOT_VOTED, int), ("video_pending", labels.VIDEO["pending"].zh, int), ("needed", "需", int), ("outcome", "结果", str), ("rank", "名次", int),
    ("ballot_outcome", "表决结果", str), ("opened_at", "开始时间(UTC)", str), ("closed_at", "结束时间(UTC)", str),
    ("audit_id", "审计链条目", int), ("audit_head", "审计链头", str))
_KNOWN_OPTIONS = [("for", "赞成"), ("against", "反对/不赞成"), ("abstain", "弃权"), ("mark", "得票"),
                  ("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意"), ("unknown", "不了解")]

ATTENDANCE_COLUMNS = _cols(
    ("sitting_id", "会议编号", int), ("person_id", "人员编号", int), ("seat", "座位", str), ("name", "姓名", str),
    ("title", "职务", str), ("role", "身份", str), ("delegation", "代表团", str), ("status", "出席情况", str),
    ("reason", "原因", str), ("signed_in_at", "签到时间(UTC)", str))

NAMED_COLUMNS = _cols(
    ("sheet_id", "结果单编号", str), ("ballot_id", "表决编号", int), ("round", "轮次", int),
    ("ballot_title", "表决事项", str), ("person_id", "人员编号", int), ("seat", "座位", str), ("name", "姓名", str),
    ("question_id", "事项编号", str), ("question", "事项", str), ("choice", "选择", str), ("choice_zh", "表决意见", str))


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict[str, Any]]

    def __post_init__(self) -> None:
        # an empty text is written as an empty cell and read back as None: store it as None
        text = [c.key for c in self.columns if c.type is str]
        for row in self.rows:
            for key in text:
                if row.get(key) == "":
                    row[key] = None

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def _option_columns(docs: Iterable[dict[str, Any]]) -> list[Column]:
    seen: dict[str, str] = {}
    for d in docs:
        for q in ballots.spec_from_dict(d["spec"]).questions():
            for o in q.options:
                seen.setdefault(o.code, o.zh)
    known = [Column(code, zh, int) for code, zh in _KNOWN_OPTIONS if code in seen]
    other = [Column(code, seen[code], int) for code in sorted(seen) if code not in dict(_KNOWN_OPTIONS)]
    return known + other


def results_table(docs: list[dict[str, Any]]) -> Table:
    options = _option_columns(docs)
    rows = []
    for d in docs:
        res, t = d["result"], d["result"]["turnout"]
        for q in res["questions"]:
            row: dict[str, Any] = {
                "sheet_id": d["sheet_id"], "item_position": d["item"]["position"], "item_title": d["item"]["title"],
                "ballot_id": d["ballot"]["id"], "ballot_title": d["ballot"]["title"], "kind": d["ballot"]["kind"],
                "round": d["round"]["number"], "method": d["method"], "secret": d["ballot"]["secret"],
                "entitled": t["entitled"], "present": t["present"], "cast": t["cast"], "invalid": t["invalid"],
                "quorum_held": res["quorum_held"], "question_id": q["question_id"], "question": q["label"]}
            for c in options:
                row[c.key] = q["counts"].get(c.key)
            row.update({"not_voted": q["not_voted"], "video_pending": t.get("video_pending", 0), "needed": q["needed"], "outcome": q["outcome"],
                        "rank": q.get("rank"), "ballot_outcome": res["outcome"], "opened_at": d["round"]["opened_at"],
                        "closed_at": d["round"]["closed_at"], "audit_id": d["audit"]["id"],
                        "audit_head": d["audit"]["head"]})
            rows.append(row)
    return Table("results", _RESULT_HEAD + options + _RESULT_TAIL, rows)


def attendance_table(att: dict[str, Any]) -> Table:
    rows = [{"sitting_id": att["sitting"]["id"], "person_id": p["person_id"], "seat": p["seat"], "name": p["name"],
             "title": p["title"], "role": p["role"], "delegation": p.get("delegation"), "status": p["status"],
             "reason": p["reason"],
             "signed_in_at": p["signed_in_at"]} for p in att["members"] + att["observers"]]
    return Table("attendance", ATTENDANCE_COLUMNS, rows)


def named_votes_table(docs: list[dict[str, Any]]) -> Table:
    rows = []
    for d in docs:
        if d.get("named_votes") is None:
            continue
        questions = ballots.spec_from_dict(d["spec"]).questions()
        absent = {a["name"]: a.get("status", "absent") for a in d["absentees"]}
        for v in d["named_votes"]:
            choice = v.get("choice") or {}
            for q in questions:
                code = choice.get(q.id) if v.get("voted") else None
                if code is not None:
                    zh = q.option(code).zh
                elif v.get("voted"):
                    zh = "未选"
                else:
                    status = absent.get(v["name"], "")
                    zh = labels.label(labels.ATTENDANCE, status) if status in AWAY else NOT_PRESSED
                rows.append({"sheet_id": d["sheet_id"], "ballot_id": d["ballot"]["id"], "round": d["round"]["number"],
                             "ballot_title": d["ballot"]["title"], "person_id": v["person_id"], "seat": v["seat"],
                             "name": v["name"], "question_id": q.id, "question": q.label, "choice": code,
                             "choice_zh": zh})
    return Table("named_votes", NAMED_COLUMNS, rows)


def _stored(store: Store, sitting_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The result documents of every closed round of a sitting, and its attendance document."""
    with store.read() as s:
        return ([sd.result_document(s, b, r) for b, r in sd.closed_rounds(s, sitting_id)],
                sd.attendance_document(s, sitting_id))


def _tables(docs: list[dict[str, Any]], att: dict[str, Any]) -> dict[str, Table]:
    return {"results": results_table(docs), "attendance": attendance_table(att), "named_votes": named_votes_table(docs)}


def sitting_tables(store: Store, sitting_id: int) -> dict[str, Table]:
    """The three tables of a sitting, from stored results and attendance."""
    return _tables(*_stored(store, sitting_id))


# --- CSV ------------------------------------------------------------------------------------------

#: How a spreadsheet program knows a formula (or a command) when it reads a cell; the single quote is
#: escaped too, so that the escape can be taken off again without doubt.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_formula(text: str) -> str:
    """A text as a CSV cell: a single quote in front of one a spreadsheet would read as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_formula(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


def _parse(value: Any, col: Column) -> Any:
    if value is None or value == "":
        return None
    if col.type is bool:
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "是")
    if col.type is int:
        return int(value)
    return str(value)


def table_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.keys)
    for row in table.rows:
        w.writerow([_cell(row.get(k)) for k in table.keys])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def read_csv(data: bytes, columns: list[Column] | None = None) -> list[dict[str, Any]]:
    """Rows of an exported CSV, typed again when ``columns`` are given (otherwise strings)."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    by_key = {c.key: c for c in columns or []}
    return [{k: _parse(unescape_formula(v), by_key[k]) if k in by_key else unescape_formula(v)
             for k, v in row.items()} for row in reader]


def export_csv(store: Store, sitting_id: int, table: str = "results") -> bytes:
    if table not in TABLES:
        raise ValueError(f"table must be one of {TABLES}")
    return table_csv(sitting_tables(store, sitting_id)[table])


# --- XLSX -----------------------------------------------------------------------------------------


def _append(ws: Any, values: list[Any]) -> None:
    """One row of cells; a text is always a text cell (openpyxl would store ``=…`` as a formula and
    ``#N/A`` as an error), marked with Excel's quote prefix where it looks like a formula."""
    ws.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = ws.cell(row=ws.max_row, column=column)
            cell.data_type = "s"
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True


def tables_xlsx(tables: dict[str, Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    titles = {"results": "表决结果 results", "attendance": "出席 attendance", "named_votes": "记名表决 named_votes"}
    for name, table in tables.items():
        ws = wb.create_sheet(titles.get(name, name)[:31])
        _append(ws, [c.zh for c in table.columns])
        _append(ws, table.keys)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EBEBEB")
        for cell in ws[2]:
            cell.font = Font(color="808080", size=8)
        for row in table.rows:
            _append(ws, [row.get(k) for k in table.keys])
        ws.freeze_panes = "A3"
        for i, col in enumerate(table.columns, start=1):
            width = max([len(col.zh) * 2, len(col.key)] + [len(_cell(r.get(col.key))) for r in table.rows[:200]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 50)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_xlsx(data: bytes, tables: dict[str, Table] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Rows of every sheet of an exported workbook, keyed by table name (``results``, …)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out: dict[str, list[dict[str, Any]]] = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if len(rows) < 2:
            continue
        name = ws.title.split(" ")[-1]
        keys = [str(k) for k in rows[1]]
        cols = {c.key: c for c in tables[name].columns} if tables and name in tables else {}
        out[name] = [{k: _parse(v, cols[k]) if k in cols else v for k, v in zip(keys, r, strict=False)} for r in rows[2:]]
    wb.close()
    return out


def export_xlsx(store: Store, sitting_id: int) -> bytes:
    return tables_xlsx(sitting_tables(store, sitting_id))


# --- JSON -----------------------------------------------------------------------------------------


def export_json(store: Store, sitting_id: int) -> bytes:
    """The tables plus the full result and attendance documents (the same data the sheets embed)."""
    docs, att = _stored(store, sitting_id)
    return _json(docs, att, _tables(docs, att))


def _json(docs: list[dict[str, Any]], att: dict[str, Any], tables: dict[str, Table]) -> bytes:
    payload = {"format": EXPORT_FORMAT, "sitting": att["sitting"], "body": att["body"],
               "tables": {name: {"columns": t.keys, "rows": t.rows} for name, t in tables.items()},
               "results": docs, "attendance": att}
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def read_json(data: bytes) -> dict[str, Any]:
    payload = json.loads(data.decode("utf-8"))
    if not isinstance(payload, dict) or payload.get("format") != EXPORT_FORMAT:
        raise ValueError("not a Biaojue export")
    return payload


# --- everything at once ---------------------------------------------------------------------------


def export_sitting(store: Store, sitting_id: int, out_dir: str | Path) -> list[Path]:
    """Write every export of a sitting into ``out_dir``; returns the files written."""
    out = private_folder(out_dir)  # named votes: this user's only (0700, files 0600)
    docs, att = _stored(store, sitting_id)
    tables = _tables(docs, att)
    written = []
    for name, table in tables.items():
        path = out / f"{name}-S{sitting_id}.csv"
        write_private(path, table_csv(table))
        written.append(path)
    path = out / f"sitting-S{sitting_id}.xlsx"
    write_private(path, tables_xlsx(tables))
    written.append(path)
    path = out / f"sitting-S{sitting_id}.json"
    write_private(path, _json(docs, att, tables))
    written.append(path)
    return written
