"""The body's signing key and PAdES signatures on sheets (pyHanko).

Each body has one key and certificate, kept in the instance folder as ``certs/body-<id>.p12`` (mode
0600; encrypted with ``BIAOJUE_CERT_PASSPHRASE`` when that is set). It is generated self-signed on
first use (RSA 3072, subject = the body's name) or imported from a PKCS#12 file issued elsewhere. The
certificate alone is also written as ``certs/body-<id>.pem`` — that is what a verifier needs — and the
certificates of replaced keys are kept (``body-<id>-<fingerprint>.pem``) so that older sheets still verify.

Before signing, the canonical result JSON is embedded in the PDF as an attachment, so the signature
covers it; the attachment and the signature are written in one incremental update.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import os
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .. import models
from ..db import Store
from ..services.base import NotFound
from . import data as sd
from . import pdf

T = TypeVar("T")
KEY_BITS = 3072
CERT_YEARS = 10
SIGNATURE_BYTES = 4096  # room for the CMS signature besides its certificates (skips pyHanko's trial signing)


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


# --- keys -----------------------------------------------------------------------------------------


class _KeySigner(SimpleSigner):
    """pyHanko's SimpleSigner re-parses (and re-checks) the private key on every signature, which takes
    a sizeable part of a second for RSA-3072; this one keeps the parsed key."""

    def __init__(self, pyca_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pyca_key = pyca_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = getattr(hashes, digest_algorithm.upper().replace("-", "_"), None)
        if isinstance(self._pyca_key, rsa.RSAPrivateKey) and algo is not None and \
                mechanism["algorithm"].native in ("sha256_rsa", "sha384_rsa", "sha512_rsa", "rsassa_pkcs1v15"):
            return self._pyca_key.sign(data, padding.PKCS1v15(), algo())
        return super().sign_raw(data, digest_algorithm)


def certs_dir(instance: str | os.PathLike[str]) -> Path:
    return Path(instance) / "certs"


def key_path(instance: str | os.PathLike[str], body_id: int) -> Path:
    return certs_dir(instance) / f"body-{body_id}.p12"


def cert_path(instance: str | os.PathLike[str], body_id: int) -> Path:
    return certs_dir(instance) / f"body-{body_id}.pem"


def _passphrase(explicit: bytes | str | None) -> bytes | None:
    value = explicit if explicit is not None else os.environ.get("BIAOJUE_CERT_PASSPHRASE")
    if value in (None, ""):
        return None
    return value.encode("utf-8") if isinstance(value, str) else value


def fingerprint(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


@dataclass(frozen=True)
class BodyKey:
    """A body's signer: its key and certificate, loaded from the instance folder."""

    body_id: int
    path: Path
    signer: SimpleSigner  # a _KeySigner

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self.signer.signing_cert

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    def certificate_pem(self) -> bytes:
        return _pem(self.certificate)


def _pem(cert: asn1_x509.Certificate) -> bytes:
    return x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write a secret file with mode 0600. Without ``replace``, False when the file already exists
    (another process made it first): the existing one wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic, fails if the file exists
            return True
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create exclusively instead
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return True
    finally:
        tmp.unlink(missing_ok=True)


def _write_certificate(instance: str | os.PathLike[str], body_id: int, cert: asn1_x509.Certificate) -> None:
    pem = _pem(cert)
    current = cert_path(instance, body_id)
    if current.exists() and current.read_bytes() != pem:  # keep the certificate of the replaced key
        old = asn1_x509.Certificate.load(x509.load_pem_x509_certificate(current.read_bytes()).public_bytes(
            serialization.Encoding.DER))
        current.replace(current.with_name(f"body-{body_id}-{fingerprint(old)[:16]}.pem"))
    current.write_bytes(pem)
    os.chmod(current, 0o644)


def make_self_signed(body_name: str, *, body_id: int) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, body_name[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, body_name[:64]),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"biaojue-body-{body_id}"),
    ])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * CERT_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _serialize(key: Any, cert: x509.Certificate, extra: Sequence[x509.Certificate], name: str,
               passphrase: bytes | None) -> bytes:
    enc = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, cert, list(extra) or None, enc)


_cache: dict[tuple[str, int], BodyKey] = {}
_cache_lock = threading.Lock()


def _load(path: Path, body_id: int, passphrase: bytes | None) -> BodyKey:
    stamp = path.stat().st_mtime_ns
    cache_key = (str(path), stamp)
    with _cache_lock:
        found = _cache.get(cache_key)
    if found is not None:
        return found
    pyca_key, pyca_cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
    if pyca_key is None or pyca_cert is None:
        raise ValueError(f"{path} holds no private key and certificate")
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in extra])
    signer = _KeySigner(pyca_key, signing_cert=translate_pyca_cryptography_cert_to_asn1(pyca_cert),
                        signing_key=translate_pyca_cryptography_key_to_asn1(pyca_key), cert_registry=registry)
    key = BodyKey(body_id, path, signer)
    with _cache_lock:
        _cache[cache_key] = key
    return key


def body_key(instance: str | os.PathLike[str], body_id: int, body_name: str, *,
             passphrase: bytes | str | None = None) -> BodyKey:
    """The body's signing key: loaded from the instance folder, or generated self-signed on first use."""
    path = key_path(instance, body_id)
    secret = _passphrase(passphrase)
    if not path.exists():
        key, cert = make_self_signed(body_name, body_id=body_id)
        _write_private(path, _serialize(key, cert, (), f"body-{body_id}", secret), replace=False)
    loaded = _load(path, body_id, secret)
    if not cert_path(instance, body_id).exists():
        _write_certificate(instance, body_id, loaded.certificate)
    return loaded


def import_pkcs12(instance: str | os.PathLike[str], body_id: int, data: bytes, *,
                  passphrase: bytes | str | None = None, store_passphrase: bytes | str | None = None) -> BodyKey:
    """Use a key and certificate issued elsewhere (a PKCS#12 file) as the body's signing key from now
    on. The file is checked, re-saved as ``certs/body-<id>.p12`` (mode 0600) and its certificate
    published next to it; the certificate of the key it replaces is kept for older sheets."""
    pw = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    except Exception as exc:
        raise ValueError(f"the PKCS#12 file cannot be read (wrong passphrase?): {exc}") from exc
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file must hold a private key and its certificate")
    if cert.public_key().public_numbers() != key.public_key().public_numbers():  # type: ignore[union-attr]
        raise ValueError("the certificate does not belong to the private key in the PKCS#12 file")
    path = key_path(instance, body_id)
    _write_private(path, _serialize(key, cert, extra, f"body-{body_id}", _passphrase(store_passphrase)), replace=True)
    loaded = _load(path, body_id, _passphrase(store_passphrase))
    _write_certificate(instance, body_id, loaded.certificate)
    return loaded


def body_certificates(instance: str | os.PathLike[str], body_id: int) -> list[asn1_x509.Certificate]:
    """Every certificate the body has signed with (current first), for verifying its sheets."""
    folder = certs_dir(instance)
    paths = [cert_path(instance, body_id)] + sorted(folder.glob(f"body-{body_id}-*.pem"))
    return [c for p in paths if p.exists() for c in load_certificates(p.read_bytes())]


def load_certificates(data: bytes, passphrase: bytes | str | None = None) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or more), DER or PKCS#12 bytes."""
    out: list[x509.Certificate] = []
    if b"-----BEGIN CERTIFICATE-----" in data:
        out = x509.load_pem_x509_certificates(data)
    else:
        try:
            out = [x509.load_der_x509_certificate(data)]
        except ValueError:
            pw = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
            _k, cert, _extra = pkcs12.load_key_and_certificates(data, pw or _passphrase(None))
            out = [cert] if cert is not None else []
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in out]


# --- signing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str = ""
    mime: str = "application/json"


def sign_pdf(pdf_bytes: bytes, key: BodyKey, attachments: Sequence[Attachment] = (), *,
             reason: str = "表决结果单", location: str = "", name: str | None = None) -> bytes:
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


def _body_of_sitting(store: Store, sitting_id: int) -> tuple[int, str]:
    with store.read() as s:
        sitting = s.get(models.Sitting, sitting_id) if isinstance(sitting_id, int) else None
        if sitting is None:
            raise NotFound("not_found", f"会议不存在（{sitting_id}）", f"sitting {sitting_id} does not exist")
        return sitting.body.id, sitting.body.name


def signed_result_sheet(store: Store, ballot_id: int, round_number: int, *, instance: str | os.PathLike[str],
                        lang: str = "zh", base_url: str | None = None, timezone: str | None = None,
                        passphrase: bytes | str | None = None) -> bytes:
    """The result sheet of one closed round, with the result JSON embedded, signed by the body."""
    with store.read() as s:
        doc = sd.result_document(s, ballot_id, round_number)
        earlier = sd.earlier_rounds(s, ballot_id, round_number)
    return sign_result_document(doc, earlier, instance=instance, lang=lang, base_url=base_url, timezone=timezone,
                                passphrase=passphrase)


def sign_result_document(doc: dict[str, Any], earlier: Sequence[dict[str, Any]] = (), *,
                         instance: str | os.PathLike[str], lang: str = "zh", base_url: str | None = None,
                         timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    key = body_key(instance, doc["body"]["id"], doc["body"]["name"], passphrase=passphrase)
    raw = pdf.result_sheet_pdf(doc, earlier, lang=lang, base_url=base_url, fingerprint=key.fingerprint, timezone=timezone)
    return sign_pdf(raw, key, [result_attachment(doc)], reason=f"表决结果单 {doc['sheet_id']}",
                    location=doc["sitting"].get("place", ""), name=doc["body"]["name"])


def signed_attendance_sheet(store: Store, sitting_id: int, *, instance: str | os.PathLike[str], lang: str = "zh",
                            timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    with store.read() as s:
        att = sd.attendance_document(s, sitting_id)
    key = body_key(instance, att["body"]["id"], att["body"]["name"], passphrase=passphrase)
    raw = pdf.attendance_sheet_pdf(att, lang=lang, timezone=timezone)
    return sign_pdf(raw, key, [attendance_attachment(att)], reason=f"出席情况表 {att['sheet_id']}",
                    location=att["sitting"].get("place", ""), name=att["body"]["name"])


def signed_sitting_summary(store: Store, sitting_id: int, *, instance: str | os.PathLike[str], lang: str = "zh",
                           timezone: str | None = None, passphrase: bytes | str | None = None) -> bytes:
    """The summary with every result document of the sitting embedded, signed by the body."""
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    att = overview["attendance"]
    key = body_key(instance, att["body"]["id"], att["body"]["name"], passphrase=passphrase)
    raw = pdf.summary_pdf(overview, lang=lang, timezone=timezone)
    docs = pdf.result_documents(overview)
    return sign_pdf(raw, key, [result_attachment(d) for d in docs],
                    reason=f"会议表决结果汇总 {sd.summary_sheet_id(sitting_id)}",
                    location=att["sitting"].get("place", ""), name=att["body"]["name"])


def signed_bundle(store: Store, sitting_id: int, *, instance: str | os.PathLike[str], lang: str = "zh",
                  base_url: str | None = None, timezone: str | None = None,
                  passphrase: bytes | str | None = None) -> bytes:
    """Summary, attendance and every result sheet as one signed PDF, with all their data embedded."""
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    att = overview["attendance"]
    key = body_key(instance, att["body"]["id"], att["body"]["name"], passphrase=passphrase)
    raw = pdf.bundle_pdf(overview, lang=lang, base_url=base_url, fingerprint=key.fingerprint, timezone=timezone)
    docs = pdf.result_documents(overview)
    return sign_pdf(raw, key, [attendance_attachment(att)] + [result_attachment(d) for d in docs],
                    reason=f"会议表决材料汇编 {sd.bundle_sheet_id(sitting_id)}",
                    location=att["sitting"].get("place", ""), name=att["body"]["name"])


def signed_sheets(store: Store, sitting_id: int, *, instance: str | os.PathLike[str], lang: str = "zh",
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
