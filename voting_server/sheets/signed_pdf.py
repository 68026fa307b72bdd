"""A signed sheet as handed in: its signature (checked with pyHanko against the body's certificates)
and the documents embedded in the signed revision. Knows nothing of the database.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509

from .checks import Check, skipped
from .keys import body_certificates, fingerprint, load_certificates
from .sign import run_sync


@dataclass
class SignedPdf:
    signature: Any  # pyhanko EmbeddedPdfSignature
    attachments: dict[str, bytes]


def read_pdf(pdf_bytes: bytes) -> SignedPdf:
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
    return SignedPdf(sig, attachments)


def trust_roots(trust: Any, instance: str | os.PathLike[str] | None, body_id: int | None) -> list[asn1_x509.Certificate]:
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


def signature_checks(sig: Any, roots: list[asn1_x509.Certificate], pdf_bytes: bytes) -> list[Check]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        vc = ValidationContext(trust_roots=roots, allow_fetching=False) if roots else \
            ValidationContext(trust_roots=[], allow_fetching=False)
        status = run_sync(lambda: async_validate_pdf_signature(sig, signer_validation_context=vc))
    except Exception as exc:  # noqa: BLE001 (whatever breaks, the answer is a failed check with its reason)
        return [Check("signature_intact", False, "文件被修改或损坏：签名无法验证。", f"the signature cannot be validated: {exc}")] + \
            skipped(("signed_by_body", "unmodified"), "签名无法验证", "the signature cannot be validated")
    out = []
    if status.intact and status.valid and not _container_untouched(pdf_bytes, sig):
        out.append(Check("signature_intact", False, "文件被修改：签名数据区有多余或改写的字节。",
                         "the signature container was altered (bytes besides the signature value changed)."))
    elif status.intact and status.valid:
        out.append(Check("signature_intact", True, "签名与所签内容一致，签名值有效。",
                         "the signed bytes match the signature and the signature value is valid."))
    elif not status.intact:
        out.append(Check("signature_intact", False, "文件被修改：所签内容与签名不符（文件被篡改）。",
                         "the signed bytes were changed: the digest does not match the signature (tampered)."))
    else:
        out.append(Check("signature_intact", False, "签名值无效。", "the signature value is invalid."))
    signer = sig.signer_cert
    fp = fingerprint(signer)
    subject = signer.subject.native.get("common_name") or signer.subject.human_friendly
    trusted = {fingerprint(c) for c in roots}
    sealed = status.intact and status.valid
    if not roots:
        out.append(Check("signed_by_body", False, "没有可核对的本机关证书（请提供证书，或在服务器的实例目录中运行）。",
                         "no body certificate to check against (give one, or run where the instance folder is)."))
    elif fp in trusted and not sealed:
        out.append(Check("signed_by_body", False, "文件被修改，签名不成立，不能确认由本机关签署（文件所附证书是本机关证书）。",
                         "the file was modified, so the signature does not hold and cannot show that the body signed "
                         f"it (the certificate in the file is the body's, {subject})."))
    elif fp in trusted and status.trusted:
        out.append(Check("signed_by_body", True, f"签名证书为本机关证书（{subject}，SHA-256 {fp[:16]}…）。",
                         f"signed with the body's certificate ({subject}, SHA-256 {fp[:16]}…)."))
    elif fp in trusted:
        out.append(Check("signed_by_body", False, "签名证书为本机关证书，但证书已失效（过期或用途不符）。",
                         f"the body's certificate signed it, but the certificate is not valid: {status.summary()}"))
    else:
        out.append(Check("signed_by_body", False, f"签名证书不是本机关证书（{subject}，SHA-256 {fp[:16]}…）。",
                         f"not signed with the body's certificate (signer {subject}, SHA-256 {fp[:16]}…)."))
    level = status.modification_level
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE and level in (None, ModificationLevel.NONE):
        out.append(Check("unmodified", True, "签名覆盖整个文件，签署后没有追加修改。",
                         "the signature covers the entire file: nothing was added after signing."))
    else:
        out.append(Check("unmodified", False, "文件被修改：签署后有内容追加到文件中（签名未覆盖整个文件）。",
                         f"the file was changed after signing (coverage {getattr(status.coverage, 'name', None)}, "
                         f"modification level {getattr(level, 'name', level)})."))
    return out


def embedded_documents(pdf_bytes: bytes) -> list[dict[str, Any]]:
    """The result and attendance documents embedded in a signed sheet (not verified)."""
    return [json.loads(v) for k, v in sorted(read_pdf(pdf_bytes).attachments.items())
            if k.endswith(".json")]
