"""What a verified sheet states, as the verification page shows it beside the checks: the record on
file of each sheet (body, sitting, item, ballot, round, counts, outcome, announcement; for an attendance
sheet the attendance figures), in Chinese and English, so that a person can compare the paper in their
hand with it ("核对显示的结果与本页一致"). Read from stored rows only (:mod:`.data`).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ballots import labels

from ..db import Store
from ..services.base import ServiceError
from . import data as sd
from .pdf.kind_tables import option_labels, question_outcome, spec_of
from .pdf.page import Ctx

Doc = dict[str, Any]
_ATTENDANCE_ID = "-ATT"


def _both(fn: Any) -> dict[str, str]:
    """``fn(ctx)`` in Chinese and in English."""
    return {"zh": fn(ZH), "en": fn(EN)}


ZH, EN = Ctx(lang="zh"), Ctx(lang="en")


def _common(doc: Doc) -> Doc:
    sitting = doc["sitting"]
    return {"sheet_id": doc["sheet_id"], "body": doc["body"]["name"],
            "sitting": {"title": sitting["title"], "date": sitting["date"], "place": sitting.get("place") or ""}}


def result_content(doc: Doc) -> Doc:
    """One round's result document as the page shows it."""
    res, spec = doc["result"], spec_of(doc)
    columns = option_labels(ZH, spec)
    columns_en = dict(option_labels(EN, spec))
    turnout = res["turnout"]
    method = doc["method"]
    return {
        **_common(doc), "type": "result",
        "item": {"position": doc["item"]["position"], "title": doc["item"]["title"]},
        "ballot": {"title": doc["ballot"]["title"], "kind": _both(lambda c: c.label(labels.KIND, doc["ballot"]["kind"])),
                   "secrecy": None if method == "hands" else _both(
                       lambda c: c.label(labels.SECRECY, "secret" if doc["ballot"]["secret"] else "named"))},
        "round": doc["round"]["number"], "closed_at": doc["round"]["closed_at"],
        "revote_reason": doc["round"].get("revote_reason"),
        "method": _both(lambda c: c.label(labels.METHOD, method)),
        "turnout": {"entitled": turnout["entitled"], "present": turnout["present"]},
        "quorum_held": res["quorum_held"],
        "columns": [{"zh": zh, "en": columns_en.get(code, zh)} for code, zh in columns],
        "questions": [{"label": q["label"], "counts": [q["counts"].get(code, 0) for code, _zh in columns],
                       "not_voted": q["not_voted"], "needed": q.get("needed"),
                       "outcome": _both(lambda c, q=q: question_outcome(c, spec, q["outcome"]))}
                      for q in res["questions"]],
        "outcome": _both(lambda c: c.label(labels.OUTCOME, res["outcome"])),
        "announcement": {"zh": res.get("announcement_zh") or "", "en": res.get("announcement_en") or ""},
    }


def attendance_content(doc: Doc) -> Doc:
    """A sitting's attendance document as the page shows it."""
    c, q = doc["counts"], doc["quorum"]
    return {**_common(doc), "type": "attendance",
            "counts": {k: c[k] for k in ("entitled", "attending", "video", "leave", "absent")},
            "quorum": {"needed": q["needed"], "held": q["held"]}}


def _one(s: Session, sheet: str) -> Doc | None:
    try:
        if sheet.endswith(_ATTENDANCE_ID) and sheet[1:-len(_ATTENDANCE_ID)].isdigit():
            return attendance_content(sd.attendance_document(s, int(sheet[1:-len(_ATTENDANCE_ID)])))
        ref = sd.parse_sheet_id(sheet)
        return None if ref is None else result_content(sd.result_document(s, *ref))
    except ServiceError:
        return None  # not on file: the checks say so


def sheet_contents(store: Store, sheets: Iterable[str]) -> list[Doc]:
    """The record on file of each sheet id (``B3-R1``, ``S1-ATT``) that is on file, in the order given."""
    with store.read() as s:
        found = [_one(s, sheet) for sheet in dict.fromkeys(sheets)]
    return [d for d in found if d is not None]


def receipt_rounds(store: Store, rounds: Iterable[tuple[int, int]]) -> list[Doc]:
    """Where a receipt was found: each round's sheet number, body, sitting, item and ballot (no counts)."""
    out = []
    with store.read() as s:
        for ballot_id, number in rounds:
            lo = sd.load_round(s, ballot_id, number)
            out.append({"sheet_id": sd.sheet_id(ballot_id, number), "body": lo.body.name,
                        "sitting": {"title": lo.sitting.title, "date": lo.sitting.date.isoformat()},
                        "item": {"position": lo.item.position, "title": lo.item.title},
                        "ballot": {"title": lo.ballot.title}, "round": number})
    return out
