"""Verifying a signed sheet against the database, and member receipts.

:func:`verify_sheet` answers, for a PDF someone hands in, each of these questions (:mod:`.checks`):

1. ``readable``          — is it a PDF with a signature and embedded result data?
2. ``signature_intact``  — does the signature match the signed bytes (nothing altered)?
3. ``signed_by_body``    — was it made with the body's certificate (the trust root)?
4. ``unmodified``        — does the signature cover the entire file (no update appended after signing)?
5. ``result_matches``    — does each embedded result equal the result stored for that round?
6. ``audit_chain``       — is the audit chain intact up to the head printed on the sheet, does that head
                           match, and does the chained close event carry the stored result?
7. ``retally``           — does ballots/ re-tally the stored votes to the same result?

Questions 1–4 are about the file (:mod:`.signed_pdf`); 5–7 compare it with the database, here. The
re-tally counts with the attendance as it was at the close (replayed from the verified audit chain),
since members may arrive or leave after a vote.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots import labels

from .. import models
from ..db import Store
from ..i18n import msg
from ..services import box
from ..services.audit import verify_chain
from ..services.base import Invalid, ServiceError, canonical
from ..services.closing import tally_round
from ..services.sitting import ATTENDANCE
from . import data as sd
from .checks import CHECKS, Check, Part, Verification, all_ok, combine, format_checks, skipped
from .signed_pdf import SignedPdf, read_pdf, signature_checks, trust_roots

# all_ok and format_checks (of .checks) are offered here too: the command line imports them with verify_sheet
__all__ = ["Check", "Verification", "all_ok", "check_receipt", "find_receipt", "format_checks", "stored_result",
           "verify_address", "verify_reference", "verify_sheet", "verify_upload"]


# --- the database side ----------------------------------------------------------------------------


def _diff_keys(a: Any, b: Any, prefix: str = "", depth: int = 5) -> list[str]:
    if canonical(a) == canonical(b):
        return []
    if depth > 0 and isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += _diff_keys(a.get(k), b.get(k), f"{prefix}{k}.", depth - 1)
        return out
    if depth > 0 and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out += _diff_keys(x, y, f"{prefix}{i}.", depth - 1)
        return out
    return [prefix.rstrip(".") or "(all)"]


#: What each part of a result document is, in words (a difference is named by these, never by its key).
PARTS: dict[str, tuple[str, str]] = {
    "format": ("数据格式", "data format"), "sheet_id": ("结果单编号", "sheet number"), "body": ("机关", "body"),
    "sitting": ("会议", "sitting"), "item": ("议题", "agenda item"), "ballot": ("表决事项", "ballot"),
    "round": ("轮次与时间", "round and times"), "spec": ("表决内容", "what was voted on"),
    "rule": ("表决规则", "voting rule"), "method": ("表决方式", "voting method"),
    "result": ("表决结果", "result"), "absentees": ("未出席人员", "absentees"),
    "hands": ("举手表决录入", "show-of-hands entry"), "named_votes": ("记名表决情况", "named votes"),
    "audit": ("审计链头", "audit-chain head"), "box": ("加密票箱", "encrypted ballot box"),
    "members": ("有表决权人员出席情况", "attendance of those entitled to vote"), "observers": ("列席人员", "observers"),
    "counts": ("出席人数", "attendance counts"), "delegations": ("各代表团出席情况", "attendance by delegation"), "revote": ("重新表决", "re-vote"),
}
RESULT_PARTS: dict[str, tuple[str, str]] = {
    "counts": ("票数", "counts"), "not_voted": ("未表决人数", "not voted"), "outcome": ("表决结果", "outcome"),
    "turnout": ("出席人数", "attendance"), "announcement_zh": ("宣读稿", "announcement"),
    "announcement_en": ("宣读稿", "announcement"), "needed": ("通过所需票数", "votes needed"),
    "questions": ("各项票数", "each question's counts"), "label": ("表决事项名称", "question"),
    "rank": ("名次", "rank"), "ties": ("并列", "ties"), "quorum_held": ("法定人数", "quorum"),
}


def _diff_words(paths: list[str]) -> tuple[str, str]:
    """The parts of a document that differ, named in words (``result.questions.0.counts.for`` is 表决结果的票数)."""
    zh: list[str] = []
    en: list[str] = []
    for path in paths:
        keys = path.split(".")
        top = PARTS.get(keys[0], ("其他内容", "other content"))
        deeper = next((RESULT_PARTS[k] for k in reversed(keys[1:]) if k in RESULT_PARTS), None) \
            if keys[0] == "result" else None
        words = (f"{top[0]}的{deeper[0]}", f"{top[1]} ({deeper[1]})") if deeper else top
        if words[0] not in zh:
            zh.append(words[0])
            en.append(words[1])
    return "、".join(zh[:6]) + ("等" if len(zh) > 6 else ""), ", ".join(en[:6]) + (" …" if len(en) > 6 else "")


def _result_match(s: Session, doc: dict[str, Any]) -> Part:
    sid = doc.get("sheet_id", "?")
    try:
        stored = sd.result_document(s, int(doc["ballot"]["id"]), int(doc["round"]["number"]))
    except ServiceError as err:
        return False, f"{sid}：存档中没有该结果（{err.zh}）", f"{sid}: no such result in the database ({err.en})"
    except (KeyError, TypeError, ValueError):
        return False, f"{sid}：内嵌数据格式错误", f"{sid}: the embedded data is malformed"
    diff = _diff_keys(doc, stored)
    if diff:
        zh, en = _diff_words(diff)
        return False, f"{sid}：与存档不一致（{zh}）", f"{sid}: differs from the stored result ({en})"
    return True, f"{sid}：与存档一致", f"{sid}: equals the stored result"


def _attendance_match(s: Session, att: dict[str, Any]) -> Part:
    sid = att.get("sheet_id", "?")
    try:
        stored = sd.attendance_document(s, int(att["sitting"]["id"]))
    except ServiceError as err:
        return False, f"{sid}：存档中没有该会议（{err.zh}）", f"{sid}: no such sitting ({err.en})"
    except (KeyError, TypeError, ValueError):
        return False, f"{sid}：内嵌数据格式错误", f"{sid}: the embedded data is malformed"
    diff = _diff_keys({k: att.get(k) for k in ("members", "observers", "counts", "delegations")},
                      {k: stored.get(k) for k in ("members", "observers", "counts", "delegations")})
    if diff:
        zh, en = _diff_words(diff)
        return False, f"{sid}：出席情况与存档不一致（{zh}）", f"{sid}: attendance differs from the stored one ({en})"
    return True, f"{sid}：出席情况与存档一致", f"{sid}: attendance equals the stored one"


def _chain_check(store: Store, docs: Sequence[dict[str, Any]], *, incremental: bool = False) -> Check:
    try:
        ids = [int(d["audit"]["id"]) for d in docs]
    except (KeyError, TypeError, ValueError):
        return Check("audit_chain", False, "内嵌数据缺少审计链头", "the embedded data has no audit-chain head")
    report = verify_chain(store, up_to=max(ids), from_checkpoint=incremental)
    if not report.ok:
        return Check("audit_chain", False, f"审计链在第{report.broken_id}条处断裂：{_zh_chain(report.reason)}",
                     f"audit chain broken at entry {report.broken_id}: {report.reason}")
    problems_zh: list[str] = []
    problems_en: list[str] = []
    with store.read() as s:
        for d in docs:
            sid = d.get("sheet_id", "?")
            entry = s.get(models.AuditEntry, int(d["audit"]["id"]))
            if entry is None:
                problems_zh.append(f"{sid}：审计链中没有第{d['audit']['id']}条")
                problems_en.append(f"{sid}: the chain has no entry {d['audit']['id']}")
                continue
            if entry.hash != d["audit"]["head"]:
                problems_zh.append(f"{sid}：结果单上的链头与审计链第{entry.id}条不符")
                problems_en.append(f"{sid}: the head on the sheet is not the hash of entry {entry.id}")
                continue
            result = s.scalar(select(models.Result).join(models.Round).where(
                models.Round.ballot_id == d["ballot"]["id"], models.Round.number == d["round"]["number"]))
            payload = json.loads(entry.payload)
            if result is None or result.audit_id != entry.id or result.audit_head != entry.hash:
                problems_zh.append(f"{sid}：存档结果所记链头与审计链不符")
                problems_en.append(f"{sid}: the stored result's chain head does not match the chain")
            elif entry.action != "ballot_closed" or payload.get("round_id") != result.round_id:
                problems_zh.append(f"{sid}：审计链第{entry.id}条不是该轮的结束表决记录")
                problems_en.append(f"{sid}: chain entry {entry.id} is not this round's close")
            elif canonical(payload.get("result")) != canonical(result.data) or payload.get("method") != result.method:
                problems_zh.append(f"{sid}：审计链中记录的结果与存档结果不同（存档被改动）")
                problems_en.append(f"{sid}: the result recorded in the chain differs from the stored result (altered)")
    if problems_zh:
        return Check("audit_chain", False, "；".join(problems_zh), "; ".join(problems_en))
    if report.checkpoint:
        return Check("audit_chain", True,
                     f"审计链至第{max(ids)}条完整（第{report.checkpoint}条及以前已在先前的完整核验中确认，其后逐条重算），"
                     "链头与结果单一致，结束表决记录载有存档结果。",
                     f"the chain is intact up to entry {max(ids)} (entries up to {report.checkpoint} were verified "
                     "from genesis before, the rest recomputed now); the head matches the sheet and the close event "
                     "carries the stored result.")
    return Check("audit_chain", True,
                 f"审计链自创始至第{max(ids)}条完整（{report.entries}条），链头与结果单一致，结束表决记录载有存档结果。",
                 f"the chain is intact from genesis to entry {max(ids)} ({report.entries} entries); the head matches "
                 "the sheet and the close event carries the stored result.")


def _zh_chain(reason: str) -> str:
    if "altered" in reason:
        return "该条内容与其哈希不符（被改动）"
    if "link" in reason:
        return "该条未链接到上一条的哈希"
    if "missing" in reason:
        return "缺少该条"
    return "该条记录不符"


def _rewind_attendance(s: Session, sitting: models.Sitting, up_to: int) -> None:
    """Set the session's (never flushed) attendance rows to what they were after audit entry ``up_to``."""
    rows = {a.person_id: a for a in s.scalars(select(models.Attendance).where(
        models.Attendance.sitting_id == sitting.id))}
    state = {pid: ("absent", "") for pid in rows}
    entries = s.scalars(select(models.AuditEntry).where(
        models.AuditEntry.sitting_id == sitting.id, models.AuditEntry.id <= up_to,
        models.AuditEntry.action.in_(("signed_in", "attendance_set"))).order_by(models.AuditEntry.id))
    for e in entries:
        p = json.loads(e.payload)
        pid = p.get("person_id")
        if e.action == "signed_in":
            state[pid] = ("present", "")
        elif p.get("status") in ATTENDANCE:
            state[pid] = (p["status"], p.get("reason", ""))
    for pid, row in rows.items():
        row.status, row.reason = state.get(pid, ("absent", ""))


def _retally_one(store: Store, doc: dict[str, Any]) -> Part:
    sid = doc.get("sheet_id", "?")
    with store.read() as s:
        try:
            with s.no_autoflush:
                lo = sd.load_round(s, int(doc["ballot"]["id"]), int(doc["round"]["number"]))
                hands = s.scalar(select(models.HandCount).where(models.HandCount.round_id == lo.round.id))
                _rewind_attendance(s, lo.sitting, lo.result.audit_id)
                secret_counts = box.verified_counts(s, lo.round, lo.result.box or {}) if lo.round.box_mode else None
                data, method, absentees = tally_round(s, lo.sitting, lo.ballot, lo.round, hands, secret_counts)
            stored = (lo.result.data, lo.result.method, lo.result.absentees)
        except ServiceError as err:
            return False, f"{sid}：无法重新计票（{err.zh}）", f"{sid}: cannot re-tally ({err.en})"
        finally:
            s.rollback()  # the rewound attendance is never written
    diff = _diff_keys({"result": data, "method": method, "absentees": absentees},
                      {"result": stored[0], "method": stored[1], "absentees": stored[2]})
    if diff:
        zh, en = _diff_words(diff)
        return False, f"{sid}：按存档选票重新计票与存档结果不同（{zh}）", \
            f"{sid}: re-tallying the stored votes gives a different result ({en})"
    outcome = str(data.get("outcome"))
    return (True, f"{sid}：重新计票结果一致（{labels.label(labels.OUTCOME, outcome)}）",
            f"{sid}: the re-tally agrees ({labels.label(labels.OUTCOME, outcome, 'en')})")


# --- public ---------------------------------------------------------------------------------------


def _unreadable(exc: Exception) -> list[Check]:
    why = "文件没有电子签名" if str(exc) == "no signature" else "不是可读取的 PDF 文件（文件已损坏或被修改）"
    why_en = "there is no signature" if str(exc) == "no signature" else f"not a readable PDF ({type(exc).__name__}: {exc})"
    return [Check("readable", False, why, why_en)] + skipped(list(CHECKS)[1:], "文件无法读取", "the file cannot be read")


def _embedded(parsed: SignedPdf) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Check]:
    """The embedded result and attendance documents, and the ``readable`` check that names them."""
    docs: list[dict[str, Any]] = []
    atts: list[dict[str, Any]] = []
    bad: list[str] = []
    for name, raw in sorted(parsed.attachments.items()):
        try:
            d = json.loads(raw)
        except ValueError:
            bad.append(name)
            continue
        if isinstance(d, dict) and d.get("format") == sd.RESULT_FORMAT:
            docs.append(d)
        elif isinstance(d, dict) and d.get("format") == sd.ATTENDANCE_FORMAT:
            atts.append(d)
        else:
            bad.append(name)
    if (docs or atts) and not bad:
        return docs, atts, Check("readable", True, f"PDF 可读取，有签名，内嵌{len(docs)}份结果数据"
                                 + (f"和{len(atts)}份出席数据" if atts else "") + "。",
                                 f"a signed PDF embedding {len(docs)} result document(s)"
                                 + (f" and {len(atts)} attendance document(s)" if atts else "") + ".")
    return docs, atts, Check("readable", False, "文件中没有可识别的结果数据" + (f"（{len(bad)}个附件无法识别）" if bad else ""),
                             "no recognisable embedded result data" + (f" ({', '.join(bad)})" if bad else ""))


def _stored_checks(store: Store, docs: list[dict[str, Any]], atts: list[dict[str, Any]], *,
                   incremental: bool = False) -> list[Check]:
    """``result_matches``, ``audit_chain`` and ``retally`` of the embedded documents."""
    with store.read() as s:
        matches = [_result_match(s, d) for d in docs] + [_attendance_match(s, a) for a in atts]
    out = [combine("result_matches", matches)]
    if docs:
        return out + [_chain_check(store, docs, incremental=incremental),
                      combine("retally", [_retally_one(store, d) for d in docs])]
    return out + [Check("audit_chain", True, "出席情况表不涉及表决结果，无需核对审计链头。",
                        "an attendance sheet carries no result: no chain head to check."),
                  Check("retally", True, "出席情况表无需重新计票。", "an attendance sheet has nothing to re-tally.")]


def verify_sheet(store: Store, pdf_bytes: bytes, trust: Any = None, *,
                 instance: str | os.PathLike[str] | None = None, incremental: bool = False) -> list[Check]:
    """Every check of a signed sheet (:func:`verify_upload` without the records it may show)."""
    return verify_upload(store, pdf_bytes, trust, instance=instance, incremental=incremental).checks


def verify_upload(store: Store, pdf_bytes: bytes, trust: Any = None, *,
                  instance: str | os.PathLike[str] | None = None, incremental: bool = False) -> Verification:
    """Check a signed sheet (a result sheet, a summary or a bundle) against the database.

    ``trust`` is the body's certificate (asn1crypto or cryptography object, PEM/DER/PKCS#12 bytes, a
    path, or a list of these). Without it, the certificates kept in ``instance``/certs for the body
    named in the sheet are used. Returns every check; the sheet is verified only when all pass.
    ``incremental``: the audit chain is recomputed from its verified checkpoint (the server's public
    verification), not from the genesis (the command line).
    """
    try:
        parsed = read_pdf(pdf_bytes)
    except Exception as exc:  # noqa: BLE001 (a broken file of any kind is a failed check, not a crash)
        return Verification(_unreadable(exc))
    docs, atts, readable = _embedded(parsed)
    body_ids = {d.get("body", {}).get("id") for d in docs + atts}
    body_id = body_ids.pop() if len(body_ids) == 1 else None
    checks = [readable] + signature_checks(parsed.signature, trust_roots(trust, instance, body_id), pdf_bytes)
    if not docs and not atts:
        return Verification(checks + skipped(list(CHECKS)[4:], "没有内嵌结果数据", "no embedded result data"))
    passed = {c.name for c in checks if c.ok}
    # the record on file is shown for a sheet the body signed (a change appended after signing or not):
    # the holder had a real sheet in hand, and compares it with the record
    genuine = {"readable", "signature_intact", "signed_by_body"} <= passed
    shown = tuple(str(d.get("sheet_id")) for d in docs + atts) if genuine else ()
    return Verification(checks + _stored_checks(store, docs, atts, incremental=incremental), shown)


def stored_result(store: Store, sheet: str) -> dict[str, Any]:
    """The stored result document of a sheet id (``B3-R1``), e.g. for the page a QR code opens."""
    ref = sd.parse_sheet_id(sheet)
    if ref is None:
        raise Invalid("bad_sheet_id", msg("结果单编号格式错误"))
    with store.read() as s:
        return sd.result_document(s, *ref)


def verify_reference(store: Store, sheet: str, h: str, *, incremental: bool = False) -> list[Check]:
    """Check the address of a sheet's QR code (:func:`verify_address` without the record it may show)."""
    return verify_address(store, sheet, h, incremental=incremental).checks


def verify_address(store: Store, sheet: str, h: str, *, incremental: bool = False) -> Verification:
    """Check the address of a sheet's QR code (``/verify?sheet=…&h=…``): the stored result still has
    that digest, the audit chain is intact up to its head (from its verified checkpoint when
    ``incremental``), and the re-tally agrees. The record is shown when the digest matches."""
    try:
        doc = stored_result(store, sheet)
    except ServiceError as err:
        return Verification([Check("result_matches", False, f"没有该结果单：{err.zh}", f"no such sheet: {err.en}")]
                            + skipped(("audit_chain", "retally"), "没有该结果单", "no such sheet"))
    now = sd.digest(doc)
    if isinstance(h, str) and h.strip().lower() == now:
        match = Check("result_matches", True, f"{sheet}：存档结果的摘要与二维码一致。",
                      f"{sheet}: the stored result has the digest of the QR code.")
    else:
        match = Check("result_matches", False, f"{sheet}：存档结果的摘要与二维码不同（结果单或存档被改动）。",
                      f"{sheet}: the stored result's digest differs from the QR code's (sheet or database altered).")
    checks = [match, _chain_check(store, [doc], incremental=incremental), combine("retally", [_retally_one(store, doc)])]
    return Verification(checks, (str(doc["sheet_id"]),) if match.ok else ())


def _norm_receipt(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


def check_receipt(store: Store, ballot_id: int, round_number: int, receipt: Any) -> bool:
    """Whether a member's receipt code is among the participants of a round. Shows no choice."""
    if not isinstance(receipt, str) or not 4 <= len(receipt) <= 96:
        return False
    wanted = _norm_receipt(receipt)
    with store.read() as s:
        rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id,
                                                  models.Round.number == round_number))
        if rnd is None:
            return False
        codes = s.scalars(select(models.Participation.receipt).where(models.Participation.round_id == rnd.id))
        # a secret round's receipt is the 64-digit hash of the member's encrypted ballot: its first 16
        # digits (as a tablet shows them first) or more are enough to find it
        return any(_norm_receipt(code) == wanted or (len(wanted) >= 16 and _norm_receipt(code).startswith(wanted))
                   for code in codes)


_NAMED_RECEIPT = re.compile(r"^[A-HJ-NP-Z2-9]{10}$")  # a named round's receipt, its dash left out
_HASH_PREFIX = re.compile(r"^[0-9A-F]{16,64}$")  # a secret round's ballot hash, or its first 16 digits or more


def find_receipt(store: Store, receipt: Any) -> list[tuple[int, int, str]]:
    """The rounds (ballot id, round number, status) among whose participants a receipt code is, from
    the code alone, as the tablet showed it: a named round's ``K7M2Q-XW94A``, or a secret round's ballot
    hash or its first 16 digits or more (spaces, dashes and case ignored). Shows no choice. A code of
    neither form is refused (``bad_receipt``)."""
    wanted = _norm_receipt(receipt) if isinstance(receipt, str) and len(receipt) <= 96 else ""
    if _NAMED_RECEIPT.match(wanted):
        where = models.Participation.receipt == f"{wanted[:5]}-{wanted[5:]}"
    elif _HASH_PREFIX.match(wanted):
        where = models.Participation.receipt.startswith(wanted.lower(), autoescape=True)
    else:
        raise Invalid("bad_receipt", msg("回执码格式不对：请输入表决器显示的回执码（如 K7M2Q-XW94A，或至少16位数字和字母）"))
    with store.read() as s:
        rows = s.execute(select(models.Round.ballot_id, models.Round.number, models.Round.status).join(
            models.Participation, models.Participation.round_id == models.Round.id).where(where)
            .order_by(models.Round.id)).all()
    return [(int(b), int(n), str(st)) for b, n, st in rows]
