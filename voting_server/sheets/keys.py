"""The body's signing key and certificate, kept in the instance folder.

Each body has one key and certificate, kept as ``certs/body-<id>.p12`` (mode 0600; encrypted with
``BIAOJUE_CERT_PASSPHRASE`` when that is set). It is generated self-signed on first use (RSA 3072,
subject = the body's name) or imported from a PKCS#12 file issued elsewhere. The certificate alone is
also written as ``certs/body-<id>.pem`` — that is what a verifier needs — and the certificates of
replaced keys are kept (``body-<id>-<fingerprint>.pem``) so that older sheets still verify.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..files import write_private

KEY_BITS = 3072
CERT_YEARS = 10


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


def _as_bytes(value: bytes | str | None) -> bytes | None:
    return value.encode("utf-8") if isinstance(value, str) else value


def _passphrase(explicit: bytes | str | None) -> bytes | None:
    """The passphrase given, else ``BIAOJUE_CERT_PASSPHRASE``; None when neither is set."""
    value = explicit if explicit is not None else os.environ.get("BIAOJUE_CERT_PASSPHRASE")
    return None if value in (None, "") else _as_bytes(value)


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
    write_private(current, pem)  # public, but like every file of the instance folder, its user's only


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
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, _as_bytes(passphrase))
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
            _k, cert, _extra = pkcs12.load_key_and_certificates(data, _as_bytes(passphrase) or _passphrase(None))
            out = [cert] if cert is not None else []
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in out]
