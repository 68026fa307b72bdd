"""Verifying a signed sheet against the database, and member receipts.

:func:`verify_sheet` answers, for a PDF someone hands in, each of these questions:

1. ``readable``          — is it a PDF with a signature and embedded result data?
2. ``signature_intact``  — does the signature match the signed bytes (nothing altered)?
3. ``signed_by_body``    — was it made with the body's certificate (the trust root)?
4. ``unmodified``        — does the signature cover the entire file (no update appended after signing)?
5. ``result_matches``    — does each embedded result equal the result stored for that round?
6. ``audit_chain``       — is the audit chain intact up to the head printed on the sheet, does that head
                           match, and does the chained close event carry the stored result?
7. ``retally``           — does ballots/ re-tally the stored votes to the same result?

The re-tally counts with the attendance as it was at the close (replayed from the verified audit
chain), since members may arrive or leave after a vote.
"""
from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..services.audit import verify_chain
from ..services.base import ServiceError, canonical
from ..services.closing import tally_round
from ..services.sitting import ATTENDANCE
from . import data as sd
from .sign import body_certificates, fingerprint, load_certificates, run_sync

CHECKS: dict[str, tuple[str, str]] = {
    "readable": ("文件可读取", "file readable"),
    "signature_intact": ("签名完整", "signature intact"),
    "signed_by_body": ("由本机关证书签署", "signed by the body's certificate"),
    "unmodified": ("签署后未被修改", "unmodified since signing"),
    "result_matches": ("内嵌结果与存档一致", "embedded result equals the stored one"),
    "audit_chain": ("审计链完整", "audit chain intact"),
    "retally": ("重新计票结果一致", "re-tally gives the same result"),
}


@dataclass(frozen=True)
class Check:
    """One verification step: its name, whether it passed, and why (Chinese and English)."""

    name: str
    ok: bool
    reason_zh: str
    reason_en: str

    @property
    def title_zh(self) -> str:
        return CHECKS.get(self.name, (self.name, self.name))[0]

    @property
    def title_en(self) -> str:
        return CHECKS.get(self.name, (self.name, self.name))[1]

    @property
    def reason(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "title_zh": self.title_zh, "title_en": self.title_en,
                "reason_zh": self.reason_zh, "reason_en": self.reason_en}


def all_ok(checks: Iterable[Check]) -> bool:
    checks = list(checks)
    return bool(checks) and all(c.ok for c in checks)


def format_checks(checks: Sequence[Check]) -> str:
    """One line per check, as the command line prints them."""
    lines = []
    for c in checks:
        mark = "通过 PASS" if c.ok else "失败 FAIL"
        lines.append(f"[{mark}] {c.name}: {c.title_zh} / {c.title_en}")
        lines.append(f"        {c.reason_zh}")
        lines.append(f"        {c.reason_en}")
    verdict = ("核验通过：全部检查均通过。 / VERIFIED: every check passed." if all_ok(checks)
               else "核验未通过。 / NOT VERIFIED.")
    return "\n".join(lines + [verdict])


def _skipped(names: Iterable[str], zh: str, en: str) -> list[Check]:
    return [Check(n, False, f"未检查：{zh}", f"not checked: {en}") for n in names]


# --- the PDF side ---------------------------------------------------------------------------------


@dataclass
class _Pdf:
    signature: Any  # pyhanko EmbeddedPdfSignature
    attachments: dict[str, bytes]


def _read_pdf(pdf_bytes: bytes) -> _Pdf:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    sigs = reader.embedded_signatures
    if not sigs:
        raise ValueError("no signature")
    sig = sigs[0]
    # The attachments as they were in the signed revision (an update appended later cannot swap them).
    root = reader.get_historical_root(sig.signed_revision)
    attachments: dict[str, bytes] = {}
    try:
        names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        names = []
    for i in range(0, len(names) - 1, 2):
        name = str(names[i])
        spec = names[i + 1].get_object()
        attachments[name] = spec["/EF"]["/F"].get_object().data
    return _Pdf(sig, attachments)


def _trust(trust: Any, instance: str | os.PathLike[str] | None, body_id: int | None) -> list[asn1_x509.Certificate]:
    if trust is None:
        if instance is None or body_id is None:
            return []
        return body_certificates(instance, body_id)
    items = trust if isinstance(trust, (list, tuple)) else [trust]
    out: list[asn1_x509.Certificate] = []
    for item in items:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
        elif isinstance(item, (bytes, bytearray)):
            out += load_certificates(bytes(item))
        elif isinstance(item, (str, os.PathLike)):
            with open(item, "rb") as fh:
                out += load_certificates(fh.read())
        else:  # a cryptography certificate
            from cryptography.hazmat.primitives import serialization

            out.append(asn1_x509.Certificate.load(item.public_bytes(serialization.Encoding.DER)))
    return out


def _container_untouched(pdf_bytes: bytes, sig: Any) -> bool:
    """The one part of the file the signature cannot cover is the signature itself (the ``/Contents``
    hex string). Require it to be exactly the DER signature in pyHanko's upper-case hex followed by
    zero padding, so that no byte of the file can change unnoticed."""
    try:
        br = [int(x) for x in sig.sig_object["/ByteRange"]]
        gap = pdf_bytes[br[1]:br[2]]
        if len(br) != 4 or br[0] != 0 or br[2] + br[3] != len(pdf_bytes) or gap[:1] != b"<" or gap[-1:] != b">":
            return False
        hex_digits = gap[1:-1]
        raw = bytes.fromhex(hex_digits.decode("ascii"))
        if raw.hex().upper().encode("ascii") != hex_digits or raw[:1] != b"\x30":
            return False
        first = raw[1]
        if first < 0x80:
            end = 2 + first
        else:
            n = first & 0x7F
            end = 2 + n + int.from_bytes(raw[2:2 + n], "big")
        return end <= len(raw) and not any(raw[end:])
    except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError):
        return False


def _signature_checks(sig: Any, roots: list[asn1_x509.Certificate], pdf_bytes: bytes) -> list[Check]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        vc = ValidationContext(trust_roots=roots, allow_fetching=False) if roots else \
            ValidationContext(trust_roots=[], allow_fetching=False)
        status = run_sync(lambda: async_validate_pdf_signature(sig, signer_validation_context=vc))
    except Exception as exc:  # noqa: BLE001 (whatever breaks, the answer is a failed check with its reason)
        return [Check("signature_intact", False, f"签名无法验证：{exc}", f"the signature cannot be validated: {exc}")] + \
            _skipped(("signed_by_body", "unmodified"), "签名无法验证", "the signature cannot be validated")
    out = []
    if status.intact and status.valid and not _container_untouched(pdf_bytes, sig):
        out.append(Check("signature_intact", False, "签名数据区被改动（签名值之外有多余或改写的字节）。",
                         "the signature container was altered (bytes besides the signature value changed)."))
    elif status.intact and status.valid:
        out.append(Check("signature_intact", True, "签名与所签内容一致，签名值有效。",
                         "the signed bytes match the signature and the signature value is valid."))
    elif not status.intact:
        out.append(Check("signature_intact", False, "所签内容已被改动：摘要与签名不符（文件被篡改）。",
                         "the signed bytes were changed: the digest does not match the signature (tampered)."))
    else:
        out.append(Check("signature_intact", False, "签名值无效。", "the signature value is invalid."))
    signer = sig.signer_cert
    fp = fingerprint(signer)
    subject = signer.subject.native.get("common_name") or signer.subject.human_friendly
    trusted = {fingerprint(c) for c in roots}
    if not roots:
        out.append(Check("signed_by_body", False, "没有可核对的本机关证书（请提供证书，或在服务器的实例目录中运行）。",
                         "no body certificate to check against (give one, or run where the instance folder is)."))
    elif fp in trusted and status.trusted:
        out.append(Check("signed_by_body", True, f"签名证书为本机关证书（{subject}，SHA-256 {fp[:16]}…）。",
                         f"signed with the body's certificate ({subject}, SHA-256 {fp[:16]}…)."))
    elif fp in trusted:
        out.append(Check("signed_by_body", False, f"签名证书为本机关证书，但证书无效（过期或用途不符）：{status.summary()}",
                         f"the body's certificate signed it, but the certificate is not valid: {status.summary()}"))
    else:
        out.append(Check("signed_by_body", False, f"签名证书不是本机关证书（{subject}，SHA-256 {fp[:16]}…）。",
                         f"not signed with the body's certificate (signer {subject}, SHA-256 {fp[:16]}…)."))
    level = status.modification_level
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE and level in (None, ModificationLevel.NONE):
        out.append(Check("unmodified", True, "签名覆盖整个文件，签署后没有追加修改。",
                         "the signature covers the entire file: nothing was added after signing."))
    else:
        out.append(Check("unmodified", False, "签署后文件被追加修改（签名未覆盖整个文件）。",
                         f"the file was changed after signing (coverage {status.coverage.name}, "
                         f"modification level {getattr(level, 'name', level)})."))
    return out


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
        for i, (x, y) in enumerate(zip(a, b)):
            out += _diff_keys(x, y, f"{prefix}{i}.", depth - 1)
        return out
    return [prefix.rstrip(".") or "(all)"]


def _result_match(s: Session, doc: dict[str, Any]) -> tuple[bool, str, str, dict[str, Any] | None]:
    sid = doc.get("sheet_id", "?")
    try:
        stored = sd.result_document(s, int(doc["ballot"]["id"]), int(doc["round"]["number"]))
    except ServiceError as err:
        return False, f"{sid}：存档中没有该结果（{err.zh}）", f"{sid}: no such result in the database ({err.en})", None
    except (KeyError, TypeError, ValueError):
        return False, f"{sid}：内嵌数据格式错误", f"{sid}: the embedded data is malformed", None
    diff = _diff_keys(doc, stored)
    if diff:
        fields = ", ".join(diff[:6]) + (" …" if len(diff) > 6 else "")
        return False, f"{sid}：与存档不一致（{fields}）", f"{sid}: differs from the stored result ({fields})", stored
    return True, f"{sid}：与存档一致", f"{sid}: equals the stored result", stored


def _attendance_match(s: Session, att: dict[str, Any]) -> tuple[bool, str, str]:
    sid = att.get("sheet_id", "?")
    try:
        stored = sd.attendance_document(s, int(att["sitting"]["id"]))
    except ServiceError as err:
        return False, f"{sid}：存档中没有该会议（{err.zh}）", f"{sid}: no such sitting ({err.en})"
    except (KeyError, TypeError, ValueError):
        return False, f"{sid}：内嵌数据格式错误", f"{sid}: the embedded data is malformed"
    diff = _diff_keys({k: att.get(k) for k in ("members", "observers", "counts")},
                      {k: stored.get(k) for k in ("members", "observers", "counts")})
    if diff:
        return False, f"{sid}：出席情况与存档不一致（{', '.join(diff[:6])}）", \
            f"{sid}: attendance differs from the stored one ({', '.join(diff[:6])})"
    return True, f"{sid}：出席情况与存档一致", f"{sid}: attendance equals the stored one"


def _chain_check(store: Store, docs: Sequence[dict[str, Any]]) -> Check:
    try:
        ids = [int(d["audit"]["id"]) for d in docs]
    except (KeyError, TypeError, ValueError):
        return Check("audit_chain", False, "内嵌数据缺少审计链头", "the embedded data has no audit-chain head")
    report = verify_chain(store, up_to=max(ids))
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
    return reason


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


def _retally_one(store: Store, doc: dict[str, Any]) -> tuple[bool, str, str]:
    sid = doc.get("sheet_id", "?")
    with store.read() as s:
        try:
            with s.no_autoflush:
                lo = sd.load_round(s, int(doc["ballot"]["id"]), int(doc["round"]["number"]))
                hands = s.scalar(select(models.HandCount).where(models.HandCount.round_id == lo.round.id))
                _rewind_attendance(s, lo.sitting, lo.result.audit_id)
                data, method, absentees = tally_round(s, lo.sitting, lo.ballot, lo.round, hands)
            stored = (lo.result.data, lo.result.method, lo.result.absentees)
        except ServiceError as err:
            return False, f"{sid}：无法重新计票（{err.zh}）", f"{sid}: cannot re-tally ({err.en})"
        finally:
            s.rollback()  # the rewound attendance is never written
    diff = _diff_keys({"result": data, "method": method, "absentees": absentees},
                      {"result": stored[0], "method": stored[1], "absentees": stored[2]})
    if diff:
        fields = ", ".join(diff[:6])
        return False, f"{sid}：按存档选票重新计票与存档结果不同（{fields}）", \
            f"{sid}: re-tallying the stored votes gives a different result ({fields})"
    outcome = data.get("outcome")
    return True, f"{sid}：重新计票结果一致（{outcome}）", f"{sid}: the re-tally agrees ({outcome})"


def _combine(name: str, parts: list[tuple[bool, str, str]]) -> Check:
    ok = all(p[0] for p in parts)
    shown = [p for p in parts if not p[0]] or parts
    return Check(name, ok, "；".join(p[1] for p in shown), "; ".join(p[2] for p in shown))


# --- public ---------------------------------------------------------------------------------------


def embedded_documents(pdf_bytes: bytes) -> list[dict[str, Any]]:
    """The result and attendance documents embedded in a signed sheet (not verified)."""
    return [json.loads(v) for k, v in sorted(_read_pdf(pdf_bytes).attachments.items())
            if k.endswith(".json")]


def verify_sheet(store: Store, pdf_bytes: bytes, trust: Any = None, *,
                 instance: str | os.PathLike[str] | None = None) -> list[Check]:
    """Check a signed sheet (a result sheet, a summary or a bundle) against the database.

    ``trust`` is the body's certificate (asn1crypto or cryptography object, PEM/DER/PKCS#12 bytes, a
    path, or a list of these). Without it, the certificates kept in ``instance``/certs for the body
    named in the sheet are used. Returns every check; the sheet is verified only when all pass.
    """
    names = list(CHECKS)
    try:
        parsed = _read_pdf(pdf_bytes)
    except Exception as exc:  # noqa: BLE001 (a broken file of any kind is a failed check, not a crash)
        why = "没有签名" if str(exc) == "no signature" else f"不是可读取的 PDF 文件（{type(exc).__name__}）"
        why_en = "there is no signature" if str(exc) == "no signature" else f"not a readable PDF ({type(exc).__name__}: {exc})"
        return [Check("readable", False, why, why_en)] + _skipped(names[1:], "文件无法读取", "the file cannot be read")

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
    checks: list[Check] = []
    if (docs or atts) and not bad:
        checks.append(Check("readable", True, f"PDF 可读取，有签名，内嵌{len(docs)}份结果数据"
                            + (f"和{len(atts)}份出席数据" if atts else "") + "。",
                            f"a signed PDF embedding {len(docs)} result document(s)"
                            + (f" and {len(atts)} attendance document(s)" if atts else "") + "."))
    else:
        checks.append(Check("readable", False, "没有可识别的内嵌结果数据" + (f"（{', '.join(bad)}）" if bad else ""),
                            "no recognisable embedded result data" + (f" ({', '.join(bad)})" if bad else "")))

    body_ids = {d.get("body", {}).get("id") for d in docs + atts}
    body_id = body_ids.pop() if len(body_ids) == 1 else None
    checks += _signature_checks(parsed.signature, _trust(trust, instance, body_id), pdf_bytes)

    if not docs and not atts:
        return checks + _skipped(names[4:], "没有内嵌结果数据", "no embedded result data")
    with store.read() as s:
        matches = [_result_match(s, d)[:3] for d in docs] + [_attendance_match(s, a) for a in atts]
    checks.append(_combine("result_matches", matches))
    if docs:
        checks.append(_chain_check(store, docs))
        checks.append(_combine("retally", [_retally_one(store, d) for d in docs]))
    else:
        checks.append(Check("audit_chain", True, "出席情况表不涉及表决结果，无需核对审计链头。",
                            "an attendance sheet carries no result: no chain head to check."))
        checks.append(Check("retally", True, "出席情况表无需重新计票。", "an attendance sheet has nothing to re-tally."))
    return checks


def stored_result(store: Store, sheet: str) -> dict[str, Any]:
    """The stored result document of a sheet id (``B3-R1``), e.g. for the page a QR code opens."""
    ref = sd.parse_sheet_id(sheet)
    if ref is None:
        from ..services.base import Invalid

        raise Invalid("bad_sheet_id", "结果单编号格式错误", "malformed sheet id")
    with store.read() as s:
        return sd.result_document(s, *ref)


def verify_reference(store: Store, sheet: str, h: str) -> list[Check]:
    """Check the address of a sheet's QR code (``/verify?sheet=…&h=…``): the stored result still has
    that digest, the audit chain is intact up to its head, and the re-tally agrees."""
    try:
        doc = stored_result(store, sheet)
    except ServiceError as err:
        return [Check("result_matches", False, f"没有该结果单：{err.zh}", f"no such sheet: {err.en}")] + \
            _skipped(("audit_chain", "retally"), "没有该结果单", "no such sheet")
    now = sd.digest(doc)
    if isinstance(h, str) and h.strip().lower() == now:
        match = Check("result_matches", True, f"{sheet}：存档结果的摘要与二维码一致。",
                      f"{sheet}: the stored result has the digest of the QR code.")
    else:
        match = Check("result_matches", False, f"{sheet}：存档结果的摘要与二维码不同（结果单或存档被改动）。",
                      f"{sheet}: the stored result's digest differs from the QR code's (sheet or database altered).")
    return [match, _chain_check(store, [doc]), _combine("retally", [_retally_one(store, doc)])]


def _norm_receipt(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


def check_receipt(store: Store, ballot_id: int, round_number: int, receipt: Any) -> bool:
    """Whether a member's receipt code is among the participants of a round. Shows no choice."""
    if not isinstance(receipt, str) or not 4 <= len(receipt) <= 32:
        return False
    wanted = _norm_receipt(receipt)
    with store.read() as s:
        rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id,
                                                  models.Round.number == round_number))
        if rnd is None:
            return False
        codes = s.scalars(select(models.Participation.receipt).where(models.Participation.round_id == rnd.id))
        return any(_norm_receipt(code) == wanted for code in codes)
