"""An agenda imported from the file the secretariat has (CSV or XLSX, read by ``spreadsheet``), like a
roster: ``check_agenda`` lists every bad row with its number (row 0: the file as a whole) and changes
nothing; ``import_agenda`` adds every row as an item of the sitting, after the items it has, in one
transaction with one audit entry, or nothing when any row is bad.

Columns, by their Chinese or English header: 议题 (required), 序号 (the order, else the file's), 类型
(决议, 任免, 测评, 票决, 报告, 其他), 表决方式 (电子表决, 举手, 混合, 不表决), 记名 (记名 or 无记名) and
计时 (seconds), 备注 (kept out). A resolution (决议) gets its ballot at once (电子表决 unless the row says
otherwise; 不表决: none); the ballots of appointments, evaluations and selections name persons, objects or
candidates and are added on the item, so their rows leave the ballot's columns empty."""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from . import spreadsheet
from .agenda import ITEM_KINDS, ITEM_TITLE, TIMER, put_ballot
from .base import Actor, Conflict, Invalid, ServiceError, get_or_404, requires, transaction
from .spreadsheet import Columns, FileProblem, Preview, Problem, Table, cell, data_rows, extra_cells, read_rows

MAX_ROWS = 500
MAX_FILE_BYTES = 2 * 2**20

HEADERS: dict[str, str] = {
    "序号": "position", "顺序": "position", "no": "position", "position": "position",
    "议题": "title", "议题名称": "title", "议程": "title", "title": "title",
    "类型": "kind", "议题类型": "kind", "kind": "kind",
    "表决方式": "method", "method": "method",
    "记名": "secrecy", "记名方式": "secrecy", "是否记名": "secrecy", "secrecy": "secrecy",
    "计时": "timer", "计时秒": "timer", "计时秒数": "timer", "timer": "timer",
    "备注": "note", "note": "note",
}
FIELD_NAMES = {"position": "序号", "title": "议题", "kind": "类型", "method": "表决方式", "secrecy": "记名",
               "timer": "计时", "note": "备注"}
KIND_WORDS = {"决议": "resolution", "议案": "resolution", "决定": "resolution", "任免": "appointment",
              "人事任免": "appointment", "测评": "evaluation", "满意度测评": "evaluation", "票决": "selection",
              "选举": "election", "报告": "report", "其他": "other", **{k: k for k in ITEM_KINDS}}
METHOD_WORDS = {"电子表决": "tablet", "按表决器": "tablet", "表决器": "tablet", "举手": "hands", "举手表决": "hands",
                "混合": "mixed", "不表决": "none", "无": "none", "tablet": "tablet", "hands": "hands", "mixed": "mixed",
                "none": "none"}
SECRECY_WORDS = {"无记名": True, "不记名": True, "secret": True, "记名": False, "named": False}
COLUMNS = Columns(HEADERS, FIELD_NAMES, "title", msg("缺少“议题”列"), msg("文件只有表头，没有议题"),
                  msg("议程超过{max}行，请分批导入", max=MAX_ROWS), MAX_ROWS)


class AgendaPreview(Preview):
    """The valid rows, in the order they are added, and every problem found."""

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "ballots": sum(1 for r in self.rows if r["method"])}


def preview(data: bytes, filename: str) -> AgendaPreview:
    """Read and check an agenda file without touching the database."""
    result = AgendaPreview()
    if (problem := spreadsheet.whole_file_problem(data, MAX_FILE_BYTES)) is not None:
        result.problems.append(problem)
        return result
    positions: dict[int, int] = {}
    table = Table()
    try:
        for number, raw in data_rows(read_rows(data, filename), COLUMNS, result.problems, table):
            _check_row(number, raw, table.header, result, positions)
    except FileProblem as fp:
        result.problems.append(Problem(0, fp.message, fp.code))
    if table.too_many or result.problems:
        result.rows.clear()
    result.rows.sort(key=lambda r: (r["position"] is None, r["position"] or 0, r["row"]))
    return result


def _check_row(number: int, raw: list[Any], header: dict[int, str], result: AgendaPreview,
               positions: dict[int, int]) -> None:
    problems = result.problems
    if extra_cells(raw, header):
        problems.append(Problem(number, msg("该行在没有列名的列中有内容"), "extra_cells"))
        return
    values = {key: cell(raw[col]) if col < len(raw) else "" for col, key in header.items()}
    values = {k: v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in values.items()}
    before = len(problems)

    def bad(message: Any, code: str, name: str) -> None:
        problems.append(Problem(number, message, code, name))

    try:
        title = ITEM_TITLE.check(values.get("title", ""))
    except ServiceError as err:
        title = ""
        bad(err.message, err.code, "title")
    position = None
    if values.get("position"):
        text = values["position"].rstrip(".、")
        if not text.isdigit() or not 1 <= int(text) <= 10_000:
            bad(msg("序号“{value}”应为正整数", value=values["position"][:20]), "bad_position", "position")
        elif int(text) in positions:
            bad(msg("序号{n}与第{row}行重复", n=int(text), row=positions[int(text)]), "duplicate_position",
                "position")
        else:
            position = int(text)
            positions[position] = number
    kind = KIND_WORDS.get(values.get("kind", "").lower() or "resolution")
    if kind is None:
        bad(msg("未知议题类型“{value}”（可用：决议、任免、测评、票决、报告、其他）", value=values["kind"][:20]),
            "bad_kind", "kind")
    method = METHOD_WORDS.get(values.get("method", "").lower() or "")
    if values.get("method") and method is None:
        bad(msg("未知表决方式“{value}”（可用：电子表决、举手、混合、不表决）", value=values["method"][:20]),
            "bad_method", "method")
    secret = SECRECY_WORDS.get(values.get("secrecy", "").lower()) if values.get("secrecy") else None
    if values.get("secrecy") and secret is None:
        bad(msg("“{value}”应为记名或无记名", value=values["secrecy"][:20]), "bad_secrecy", "secrecy")
    timer = None
    if values.get("timer"):
        try:
            timer = TIMER.check(int(values["timer"])) if values["timer"].isdigit() else TIMER.check(-1)
        except ServiceError as err:
            bad(err.message, err.code, "timer")
    settings = bool(values.get("method") or values.get("secrecy") or values.get("timer"))
    if kind in ("appointment", "evaluation", "selection", "election") and settings:
        bad(msg("任免、测评、票决、选举议题的表决事项需列出人员、对象或候选人，请导入后在议题上添加，本行表决方式、记名和计时请留空"),
            "ballot_needs_rows", "method")
    elif kind in ("report", "other") and method not in (None, "none"):
        bad(msg("报告和其他事项不表决，表决方式请留空"), "no_ballot_for_kind", "method")
    if len(problems) > before:
        return
    with_ballot = kind == "resolution" and method != "none"
    result.rows.append({"row": number, "position": position, "title": title, "kind": kind,
                        "method": (method or "tablet") if with_ballot else None,
                        "secret": secret if with_ballot else None, "timer_seconds": timer if with_ballot else None})


def _sitting_open_to_items(store: Store, sitting_id: int) -> None:
    with store.read() as s:
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会，不能再添加议题"))


@requires("prepare_sitting")
def check_agenda(store: Store, actor: Actor, sitting_id: int, data: bytes, filename: str) -> AgendaPreview:
    """The preview the clerk sees before importing."""
    _sitting_open_to_items(store, sitting_id)
    return preview(data, filename)


@requires("prepare_sitting")
def import_agenda(store: Store, actor: Actor, sitting_id: int, data: bytes, filename: str) -> dict[str, int]:
    """Add every row of a clean file as an item after the sitting's items (a resolution with its ballot)
    in one transaction, audited ``agenda_imported``; otherwise nothing, and the refusal lists every
    problem (``details.problems``)."""
    _sitting_open_to_items(store, sitting_id)
    result = preview(data, filename)
    if not result.ok:
        n = len(result.problems)
        raise Invalid("agenda_invalid", msg("议程文件有{n}处错误，未导入任何议题", n=n),
                      problems=[p.to_dict() for p in result.problems])
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会，不能再添加议题"))
        last = s.scalar(select(func.max(models.AgendaItem.position))
                        .where(models.AgendaItem.sitting_id == sitting_id)) or 0
        added: list[dict[str, Any]] = []
        ballot_ids: list[int] = []
        for n, row in enumerate(result.rows, start=1):
            item = models.AgendaItem(sitting_id=sitting_id, position=last + n, title=row["title"], kind=row["kind"],
                                     status="pending")
            s.add(item)
            s.flush()
            added.append({"item_id": item.id, "position": item.position, "title": item.title, "kind": item.kind,
                          "row": row["row"]})
            if row["method"]:
                ballot_ids.append(put_ballot(
                    tx, item, ballots.ResolutionSpec(), title=None, secret=row["secret"], allow_change=False,
                    method=row["method"], timer_seconds=row["timer_seconds"], procedural=False, threshold=None,
                    box_keys=None, box_encrypt=None).id)
        tx.audit("agenda_imported", {"sitting_id": sitting_id, "filename": str(filename)[:255],
                                     "sha256": hashlib.sha256(data).hexdigest(), "items": added,
                                     "ballot_ids": ballot_ids}, sitting_id=sitting_id, push=True)
        return {"imported": len(added), "ballots": len(ballot_ids)}
