"""PAdES signatures on sheets (pyHanko), made with the body's key (:mod:`.keys`).

Before signing, the canonical result JSON is embedded in the PDF as an attachment, so the signature
covers it; the attachment and the signature are written in one incremental update.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from ..db import Store
from . import data as sd
from . import pdf
from .keys import BodyKey, body_key
from .pdf.wording import word

T = TypeVar("T")
SIGNATURE_BYTES = 4096  # room for the CMS signature besides its certificates (skips pyHanko's trial signing)
Instance = str | os.PathLike[str]


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a pyHanko coroutine from synchronous code, also from a thread that already runs an event loop."""
    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:
        return asyncio.run(factory())
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:  # noqa: BLE001 (handed back to the caller)
            box["error"] = exc

    t = threading.Thread(target=work)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str = ""
    mime: str = "application/json"


def sign_pdf(pdf_bytes: bytes, key: BodyKey, attachments: Sequence[Attachment] = (), *,
             reason: str = word("result_title", "zh"), location: str = "", name: str | None = None) -> bytes:
    """Embed the attachments, then sign (PAdES B-B, SHA-256) in the same incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    now = dt.datetime.now(dt.UTC)
    for a in attachments:
        stream = embed.EmbeddedFileObject.from_file_data(
            writer, a.data, mime_type=a.mime,
            params=embed.EmbeddedFileParams(creation_date=now, modification_date=now))
        embed.embed_file(writer, embed.FileSpec(file_spec_string=a.name, file_name=a.name, embedded_data=stream,
                                                description=a.description or a.name,
                                                af_relationship=generic.pdf_name("/Data")))
    meta = signers.PdfSignatureMetadata(field_name="BodySignature", subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location=location or None,
                                        name=name)
    signer = signers.PdfSigner(meta, key.signer)
    certs = [key.certificate] + list(key.signer.cert_registry)
    reserved = 2 * (SIGNATURE_BYTES + sum(len(c.dump()) for c in certs))  # hex digits in the file

    async def go() -> io.BytesIO:
        return await signer.async_sign_pdf(writer, bytes_reserved=reserved)  # type: ignore[no-any-return]

    return run_sync(go).getvalue()


def result_attachment(doc: dict[str, Any]) -> Attachment:
    return Attachment(f"result-{doc['sheet_id']}.json", sd.canonical_bytes(doc),
                      f"表决结果数据 {doc['sheet_id']} / result data")


def attendance_attachment(att: dict[str, Any]) -> Attachment:
    return Attachment(f"attendance-{att['sheet_id']}.json", sd.canonical_bytes(att), "出席情况数据 / attendance data")


def _key_of(instance: Instance, doc: dict[str, Any], passphrase: bytes | str | None) -> BodyKey:
    """The signing key of the body a document (result or attendance) belongs to."""
    return body_key(instance, doc["body"]["id"], doc["body"]["name"], passphrase=passphrase)


def _sign_as_body(raw: bytes, key: BodyKey, doc: dict[str, Any], attachments: Sequence[Attachment],
                  title: str, sheet: str) -> bytes:
    """Sign a rendered sheet for the body and sitting of ``doc``; the reason names the sheet."""
    return sign_pdf(raw, key, attachments, reason=f"{word(title, 'zh')} {sheet}",
                    location=doc["sitting"].get("place", ""), name=doc["body"]["name"])


def signed_result_sheet(store: Store, ballot_id: int, round_number: int, *, instance: Instance,
                        lang: str = "zh", base_url: str | None = None, timezone: str | None = None,
                        passphrase: bytes | str | None = None) -> bytes:
    """The result sheet of one closed round, with the result JSON embedded, signed by the body."""
    with store.read() as s:
        doc = sd.result_document(s, ballot_id, round_number)
        earlier = sd.earlier_rounds(s, ballot_id, round_number)
    return sign_result_document(doc, earlier, instance=instance, lang=lang, base_url=base_url, timezone=timezone,
                                passphrase=passphrase)


def sign_result_document(doc: dict[str, Any], earlier: Sequence[dict[str, Any]] = (), *,
                         instance: Instance, lang: str = "zh", base_url: str | None = None,
                         timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    key = _key_of(instance, doc, passphrase)
    raw = pdf.result_sheet_pdf(doc, earlier, lang=lang, base_url=base_url, fingerprint=key.fingerprint, timezone=timezone)
    return _sign_as_body(raw, key, doc, [result_attachment(doc)], "result_title", doc["sheet_id"])


def signed_attendance_sheet(store: Store, sitting_id: int, *, instance: Instance, lang: str = "zh",
                            timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    with store.read() as s:
        att = sd.attendance_document(s, sitting_id)
    key = _key_of(instance, att, passphrase)
    raw = pdf.attendance_sheet_pdf(att, lang=lang, timezone=timezone)
    return _sign_as_body(raw, key, att, [attendance_attachment(att)], "attendance_title", att["sheet_id"])


def signed_sitting_summary(store: Store, sitting_id: int, *, instance: Instance, lang: str = "zh",
                           timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    """The summary with every result document of the sitting embedded, signed by the body."""
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    att = overview["attendance"]
    key = _key_of(instance, att, passphrase)
    raw = pdf.summary_pdf(overview, lang=lang, timezone=timezone)
    attachments = [result_attachment(d) for d in sd.overview_results(overview)]
    return _sign_as_body(raw, key, att, attachments, "summary_title", sd.summary_sheet_id(sitting_id))


def signed_bundle(store: Store, sitting_id: int, *, instance: Instance, lang: str = "zh",
                  base_url: str | None = None, timezone: str | None = None,
                  passphrase: bytes | str | None = None) -> bytes:
    """Summary, attendance and every result sheet as one signed PDF, with all their data embedded."""
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    att = overview["attendance"]
    key = _key_of(instance, att, passphrase)
    raw = pdf.bundle_pdf(overview, lang=lang, base_url=base_url, fingerprint=key.fingerprint, timezone=timezone)
    attachments = [attendance_attachment(att)] + [result_attachment(d) for d in sd.overview_results(overview)]
    return _sign_as_body(raw, key, att, attachments, "bundle_title", sd.bundle_sheet_id(sitting_id))


def signed_sheets(store: Store, sitting_id: int, *, instance: Instance, lang: str = "zh",
                  base_url: str | None = None, timezone: str | None = None,
                  passphrase: bytes | str | None = None) -> Iterator[tuple[str, bytes]]:
    """Every signed sheet of a sitting as (file name, PDF), one at a time (a print batch shows progress):
    each round's result sheet, the attendance sheet, the summary and the bundle."""
    with store.read() as s:
        rounds = sd.closed_rounds(s, sitting_id)
    for ballot_id, number in rounds:
        yield (f"result-{sd.sheet_id(ballot_id, number)}.pdf",
               signed_result_sheet(store, ballot_id, number, instance=instance, lang=lang, base_url=base_url,
                                   timezone=timezone, passphrase=passphrase))
    yield (f"attendance-{sd.attendance_sheet_id(sitting_id)}.pdf",
           signed_attendance_sheet(store, sitting_id, instance=instance, lang=lang, timezone=timezone,
                                   passphrase=passphrase))
    yield (f"summary-{sd.summary_sheet_id(sitting_id)}.pdf",
           signed_sitting_summary(store, sitting_id, instance=instance, lang=lang, timezone=timezone,
                                  passphrase=passphrase))
    yield (f"bundle-{sd.bundle_sheet_id(sitting_id)}.pdf",
           signed_bundle(store, sitting_id, instance=instance, lang=lang, base_url=base_url, timezone=timezone,
                         passphrase=passphrase))
