"""Signed sheets validate with pyHanko against the body's certificate, the verifier passes them, and
every kind of tampering is caught with its reason: a changed byte, an appended update, a re-signed
sheet with a different count, an edited result row, a broken audit chain, edited vote counters, a
foreign key. Also: the QR address check, member receipts, the body's keys, the command line."""
from __future__ import annotations

import copy
import io
import json
import logging
import os
import random
import stat
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sheet_helpers import flat, pdf_text
from sqlalchemy import select, text

from voting_server import cli, models
from voting_server.services.audit import verify_chain
from voting_server.services.closing import tally_round
from voting_server.services.sitting import attendance_counts
from voting_server.sheets import (
    all_ok,
    check_receipt,
    keys,
    render_result_sheet,
    sign,
    signed_attendance_sheet,
    signed_bundle,
    signed_result_sheet,
    signed_sitting_summary,
    verify_reference,
    verify_sheet,
)
from voting_server.sheets import data as sd
from voting_server.sheets.checks import CHECKS, format_checks
from voting_server.sheets.signed_pdf import embedded_documents

BASE = "http://127.0.0.1:5000"  # the public address the sheets are signed with


@pytest.fixture(autouse=True)
def _quiet_pyhanko():
    """pyHanko logs every failed validation; the checks already say what failed."""
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


def by_name(checks):
    assert [c.name for c in checks] == list(CHECKS)
    return {c.name: c for c in checks}


def failing(checks):
    return sorted(c.name for c in checks if not c.ok)


@pytest.fixture(scope="module")
def sheets(demo):
    """Every signed sheet of the demo sitting: each round's result sheet, summary, attendance, bundle."""
    out = {f"B{b}-R{r}": signed_result_sheet(demo.store, b, r, instance=demo.instance, base_url=BASE)
           for b, r in demo.rounds()}
    out["summary"] = signed_sitting_summary(demo.store, demo.sitting_id, instance=demo.instance)
    out["attendance"] = signed_attendance_sheet(demo.store, demo.sitting_id, instance=demo.instance)
    out["bundle"] = signed_bundle(demo.store, demo.sitting_id, instance=demo.instance, base_url=BASE)
    return out


# --- signatures -----------------------------------------------------------------------------------


def test_every_sheet_validates_with_pyhanko(demo, sheets):
    cert = demo.key.certificate
    for name, pdf in sheets.items():
        sigs = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        assert len(sigs) == 1, name
        status = validate_pdf_signature(sigs[0], ValidationContext(trust_roots=[cert]))
        assert status.intact and status.valid and status.trusted, (name, status.summary())
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE, name
        assert status.bottom_line, name
        assert sigs[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_embedded_result_is_the_canonical_stored_result(demo, sheets):
    for b, r in demo.rounds():
        doc = demo.doc(b, r)
        [embedded] = embedded_documents(sheets[f"B{b}-R{r}"])
        assert embedded == doc
        assert sd.canonical_bytes(embedded) == sd.canonical_bytes(doc)
        for key in ("rule", "result", "audit", "absentees", "method"):  # rule, counts, audit head, …
            assert key in embedded
    bundled = embedded_documents(sheets["bundle"])
    assert sum(1 for d in bundled if d["format"] == sd.RESULT_FORMAT) == len(demo.rounds())
    assert sum(1 for d in bundled if d["format"] == sd.ATTENDANCE_FORMAT) == 1


def test_qr_address_carries_the_digest(demo, sheets):
    doc = demo.doc(demo.ballots[0], 1)
    url = sd.verify_url(BASE, doc["sheet_id"], sd.digest(doc))
    assert flat(url) in flat(pdf_text(sheets["B1-R1"]))
    assert all(c.ok for c in verify_reference(demo.store, doc["sheet_id"], sd.digest(doc)))


def test_every_sheet_verifies(demo, sheets):
    cert = demo.key.certificate
    for name, pdf in sheets.items():
        checks = verify_sheet(demo.store, pdf, trust=cert)
        assert all_ok(checks), (name, format_checks(checks))
        # without a certificate given: the body's certificates in the instance folder
        assert all_ok(verify_sheet(demo.store, pdf, instance=demo.instance)), name
    out = format_checks(verify_sheet(demo.store, sheets["B5-R1"], trust=cert.dump()))
    assert "VERIFIED" in out and out.count("PASS") == len(CHECKS)
    # the re-tally names the outcome in words, as the sheet does
    assert "B5-R1：重新计票结果一致（票决完成）" in out and "B5-R1: the re-tally agrees (Selection made)" in out


def test_a_later_arrival_does_not_upset_the_retally(demo, sheets):
    """Round 1 of the budget closed before a member arrived: re-tallying with today's attendance would
    count one more present; the verifier replays attendance from the audit chain up to the close."""
    with demo.store.read() as s:
        lo = sd.load_round(s, demo.ballots[0], 1)
        secret_counts = lo.result.box["counts"] if lo.result.box else None  # the decrypted sums of a secret round
        now, _method, _abs = tally_round(s, lo.sitting, lo.ballot, lo.round, None, secret_counts)
        assert attendance_counts(s, lo.sitting)["attending"] == lo.result.data["turnout"]["present"] + 1
    assert now["turnout"]["present"] != lo.result.data["turnout"]["present"]
    assert by_name(verify_sheet(demo.store, sheets["B1-R1"], trust=demo.key.certificate))["retally"].ok


# --- tampering ------------------------------------------------------------------------------------


def _flip(pdf: bytes, pos: int) -> bytes:
    b = bytearray(pdf)
    b[pos] = (ord("1") if b[pos] == ord("0") else ord("0")) if b[pos] in b"0123456789ABCDEF" else b[pos] ^ 0x01
    return bytes(b)


def test_one_changed_byte_anywhere_fails(demo, sheets):
    pdf = sheets["B1-R2"]
    cert = demo.key.certificate
    start = pdf.rindex(b"/Contents <")
    end = pdf.index(b">", start)
    rng = random.Random(6)
    positions = [0, len(pdf) // 2, len(pdf) - 1, start + 12, end - 3, (start + end) // 2]
    positions += [rng.randrange(len(pdf)) for _ in range(24)]
    for pos in positions:
        checks = verify_sheet(demo.store, _flip(pdf, pos), trust=cert)
        assert not all_ok(checks), pos
        bad = failing(checks)
        assert "readable" in bad or "signature_intact" in bad, (pos, bad)
        for c in checks:
            if not c.ok:
                assert c.reason_zh and c.reason_en


def test_changed_page_content_is_reported_as_tampering(demo, sheets):
    pdf = sheets["B1-R2"]
    pos = pdf.index(b"stream", pdf.index(b"/Filter")) + 40  # inside the first compressed stream
    checks = by_name(verify_sheet(demo.store, _flip(pdf, pos), trust=demo.key.certificate))
    assert checks["readable"].ok
    assert not checks["signature_intact"].ok and "tampered" in checks["signature_intact"].reason_en
    assert "篡改" in checks["signature_intact"].reason_zh


def test_changed_signature_padding_is_caught(demo, sheets):
    pdf = sheets["B1-R2"]
    end = pdf.index(b">", pdf.rindex(b"/Contents <"))
    checks = by_name(verify_sheet(demo.store, _flip(pdf, end - 2), trust=demo.key.certificate))
    assert not checks["signature_intact"].ok and "container" in checks["signature_intact"].reason_en


def test_an_update_appended_after_signing_fails(demo, sheets):
    w = IncrementalPdfFileWriter(io.BytesIO(sheets["B1-R2"]))
    info = generic.DictionaryObject({generic.pdf_name("/Title"): generic.TextStringObject("赞成15票")})
    w.trailer["/Info"] = w.add_object(info)
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    checks = by_name(verify_sheet(demo.store, out.getvalue(), trust=demo.key.certificate))
    assert not checks["unmodified"].ok and "after signing" in checks["unmodified"].reason_en
    assert checks["result_matches"].ok  # the signed revision's data is still what is compared


def test_resigned_sheet_with_a_different_count_fails(demo):
    doc = copy.deepcopy(demo.doc(demo.ballots[0], 2))
    q = doc["result"]["questions"][0]
    q["counts"]["for"] += 1
    q["counts"]["against"] -= 1 if q["counts"]["against"] else 0
    doc["result"]["announcement_zh"] = doc["result"]["announcement_zh"].replace("赞成", "赞成（改）")
    forged = sign.sign_result_document(doc, instance=demo.instance)  # signed with the body's own key
    checks = by_name(verify_sheet(demo.store, forged, trust=demo.key.certificate))
    assert checks["signature_intact"].ok and checks["signed_by_body"].ok and checks["unmodified"].ok
    assert not checks["result_matches"].ok
    assert "result (counts)" in checks["result_matches"].reason_en
    # what differs is named in words, never by its key in the data
    assert "与存档不一致（表决结果的宣读稿、表决结果的票数）" in checks["result_matches"].reason_zh
    assert not any(ch.isascii() and ch.isalpha() for ch in checks["result_matches"].reason_zh.split("：", 1)[1])


def test_edited_result_row_is_caught_by_the_chain_and_the_retally(demo_copy):
    s = demo_copy
    ballot_id = s.ballots[0]
    with s.store.read() as ses:
        result = ses.scalar(select(models.Result).join(models.Round).where(
            models.Round.ballot_id == ballot_id, models.Round.number == 2))
        data = copy.deepcopy(result.data)
        result_id = result.id
    data["questions"][0]["counts"]["for"] += 1
    with s.store.engine.begin() as conn:  # bypasses the services and the ORM's append-only guard
        conn.execute(text("UPDATE results SET data = :d WHERE id = :i"), {"d": json.dumps(data), "i": result_id})
    forged = signed_result_sheet(s.store, ballot_id, 2, instance=s.instance)  # a fresh sheet of the edited row
    checks = by_name(verify_sheet(s.store, forged, trust=s.key.certificate))
    assert checks["result_matches"].ok  # the sheet and the row agree …
    assert not checks["audit_chain"].ok and "differs from the stored result" in checks["audit_chain"].reason_en
    assert not checks["retally"].ok and "different result" in checks["retally"].reason_en


def test_broken_audit_chain_fails(demo_copy, demo, sheets):
    s = demo_copy
    doc = s.doc(s.ballots[0], 1)
    victim = doc["audit"]["id"] - 3
    with s.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET payload = :p WHERE id = :i"), {"p": "{}", "i": victim})
    assert not verify_chain(s.store).ok
    checks = by_name(verify_sheet(s.store, sheets["B1-R1"], trust=demo.key.certificate))
    assert not checks["audit_chain"].ok
    reason = checks["audit_chain"].reason_en
    assert f"broken at entry {victim}" in reason and "altered" in reason
    assert f"第{victim}条" in checks["audit_chain"].reason_zh
    assert checks["signature_intact"].ok and checks["result_matches"].ok


def test_missing_audit_entry_fails(demo_copy, demo, sheets):
    s = demo_copy
    victim = s.doc(s.ballots[0], 1)["audit"]["id"] - 1
    with s.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": victim})
    checks = by_name(verify_sheet(s.store, sheets["B1-R1"], trust=demo.key.certificate))
    assert not checks["audit_chain"].ok and "missing" in checks["audit_chain"].reason_en


def test_edited_vote_counters_fail_the_retally(demo_copy, demo, sheets):
    """A named round's counters moved from one option to another."""
    s = demo_copy
    with s.store.read() as ses:
        rnd = ses.scalar(select(models.Round).join(models.Ballot).where(models.Ballot.secret.is_(False),
                                                                         models.Round.status == "closed"))
        assert rnd is not None
        sheet, row = f"B{rnd.ballot_id}-R{rnd.number}", ses.scalars(select(models.TallyCount).where(
            models.TallyCount.round_id == rnd.id, models.TallyCount.count > 0)).first()
        assert row is not None
        other = ses.scalars(select(models.TallyCount).where(
            models.TallyCount.round_id == rnd.id, models.TallyCount.question == row.question,
            models.TallyCount.option != row.option)).first()
        assert other is not None
    with s.store.engine.begin() as conn:
        conn.execute(text("UPDATE tally_counts SET count = count - 1 WHERE round_id = :r AND question = :q "
                          "AND option = :o"), {"r": rnd.id, "q": row.question, "o": row.option})
        conn.execute(text("UPDATE tally_counts SET count = count + 1 WHERE round_id = :r AND question = :q "
                          "AND option = :o"), {"r": rnd.id, "q": other.question, "o": other.option})
    checks = by_name(verify_sheet(s.store, sheets[sheet], trust=demo.key.certificate))
    assert failing(checks.values()) == ["retally"]
    assert "counts" in checks["retally"].reason_en


def test_an_encrypted_ballot_removed_or_altered_fails_the_retally(demo_copy, demo, sheets):
    """A secret round is re-checked from its stored encrypted ballots: one taken out changes the box's
    hash; one whose ciphertexts were swapped no longer carries valid proofs."""
    s = demo_copy
    with s.store.read() as ses:
        rnd = ses.scalar(select(models.Round).where(models.Round.ballot_id == s.ballots[3]))
        hashes = list(ses.scalars(select(models.BoxBallot.hash).where(models.BoxBallot.round_id == rnd.id)))
        wire = json.loads(ses.get(models.BoxBallot, hashes[1]).wire)
    assert rnd.box_mode == "sealed" and len(hashes) > 2
    wire["slots"][0], wire["slots"][1] = wire["slots"][1], wire["slots"][0]
    with s.store.engine.begin() as conn:
        conn.execute(text("UPDATE box_ballots SET wire = :w WHERE hash = :h"), {"w": json.dumps(wire), "h": hashes[1]})
    checks = by_name(verify_sheet(s.store, sheets["B4-R1"], trust=demo.key.certificate))
    assert failing(checks.values()) == ["retally"]
    with s.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM box_ballots WHERE hash = :h"), {"h": hashes[1]})
    checks = by_name(verify_sheet(s.store, sheets["B4-R1"], trust=demo.key.certificate))
    assert failing(checks.values()) == ["retally"]
    assert "hash" in checks["retally"].reason_en


def test_sheet_signed_with_another_key_fails(demo, tmp_path):
    doc = demo.doc(demo.ballots[2])
    other = sign.sign_result_document(doc, instance=tmp_path)  # a key generated for "the same body" elsewhere
    checks = by_name(verify_sheet(demo.store, other, trust=demo.key.certificate))
    assert checks["signature_intact"].ok and not checks["signed_by_body"].ok
    assert "not signed with the body's certificate" in checks["signed_by_body"].reason_en
    assert all_ok(verify_sheet(demo.store, other, trust=tmp_path / "certs" / f"body-{demo.body_id}.pem"))


def test_without_any_certificate_the_signer_is_not_accepted(demo, sheets, tmp_path):
    checks = by_name(verify_sheet(demo.store, sheets["B2-R1"], instance=tmp_path))
    assert not checks["signed_by_body"].ok and "no body certificate" in checks["signed_by_body"].reason_en


def test_not_a_signed_pdf(demo):
    checks = verify_sheet(demo.store, b"this is not a PDF at all", trust=demo.key.certificate)
    assert failing(checks) == sorted(CHECKS) and "not a readable PDF" in checks[0].reason_en
    unsigned = render_result_sheet(demo.store, demo.ballots[0], 1)
    checks = verify_sheet(demo.store, unsigned, trust=demo.key.certificate)
    assert not checks[0].ok and checks[0].reason_en == "there is no signature"


def test_sheet_from_another_database_fails(demo, sheets, tmp_path):
    from voting_server.db import Store

    empty = Store(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    empty.create_all()
    checks = by_name(verify_sheet(empty, sheets["B1-R1"], trust=demo.key.certificate))
    assert not checks["result_matches"].ok and "no such result" in checks["result_matches"].reason_en
    empty.dispose()


def test_qr_address_with_a_wrong_digest(demo):
    bad = verify_reference(demo.store, "B1-R1", "0" * 64)
    assert not bad[0].ok and "digest differs" in bad[0].reason_en
    assert not verify_reference(demo.store, "B99-R1", "0" * 64)[0].ok
    assert not verify_reference(demo.store, "nonsense", "0" * 64)[0].ok


# --- receipts -------------------------------------------------------------------------------------


def test_member_receipts(demo):
    with demo.store.read() as s:
        rnd1 = s.scalar(select(models.Round).where(models.Round.ballot_id == demo.ballots[0], models.Round.number == 1))
        receipt = s.scalar(select(models.Participation.receipt).where(models.Participation.round_id == rnd1.id))
        in_round_2 = set(s.scalars(select(models.Participation.receipt).join(models.Round).where(
            models.Round.ballot_id == demo.ballots[0], models.Round.number == 2)))
    assert check_receipt(demo.store, demo.ballots[0], 1, receipt) is True
    assert check_receipt(demo.store, demo.ballots[0], 1, receipt.lower().replace("-", "")) is True
    assert check_receipt(demo.store, demo.ballots[0], 2, receipt) is (receipt in in_round_2)
    assert check_receipt(demo.store, demo.ballots[0], 1, "ZZZZZ-ZZZZZ") is False
    assert check_receipt(demo.store, demo.ballots[0], 7, receipt) is False
    assert check_receipt(demo.store, demo.ballots[0], 1, None) is False  # type: ignore[arg-type]


# --- keys -----------------------------------------------------------------------------------------


def test_generated_key_is_private_and_reused(tmp_path):
    k1 = keys.body_key(tmp_path, 9, "某市人大常委会")
    path = keys.key_path(tmp_path, 9)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keys.cert_path(tmp_path, 9).read_bytes() == k1.certificate_pem()
    assert k1.certificate.subject.native["common_name"] == "某市人大常委会"
    assert keys.body_key(tmp_path, 9, "某市人大常委会").fingerprint == k1.fingerprint


def test_key_with_a_passphrase(tmp_path, monkeypatch):
    monkeypatch.setenv("BIAOJUE_CERT_PASSPHRASE", "s3cret-pass")
    key = keys.body_key(tmp_path, 4, "某县人大常委会")
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(keys.key_path(tmp_path, 4).read_bytes(), None)
    assert keys.body_key(tmp_path, 4, "某县人大常委会").fingerprint == key.fingerprint


def test_imported_pkcs12_replaces_the_key_and_old_sheets_still_verify(demo_copy, tmp_path):
    s = demo_copy
    instance = tmp_path / "inst"
    old_sheet = signed_result_sheet(s.store, s.ballots[1], 1, instance=instance)
    old_fp = keys.body_key(instance, s.body_id, "x").fingerprint
    key, cert = keys.make_self_signed("某县人大常委会（外部签发）", body_id=s.body_id)
    p12 = pkcs12.serialize_key_and_certificates(b"ext", key, cert, None,
                                                serialization.BestAvailableEncryption(b"import-pw"))
    with pytest.raises(ValueError):
        keys.import_pkcs12(instance, s.body_id, p12, passphrase="wrong")
    new = keys.import_pkcs12(instance, s.body_id, p12, passphrase="import-pw")
    assert new.fingerprint != old_fp
    assert stat.S_IMODE(os.stat(keys.key_path(instance, s.body_id)).st_mode) == 0o600
    new_sheet = signed_result_sheet(s.store, s.ballots[1], 1, instance=instance)
    assert embedded_documents(new_sheet) == embedded_documents(old_sheet)
    fps = {keys.fingerprint(c) for c in keys.body_certificates(instance, s.body_id)}
    assert fps == {old_fp, new.fingerprint}
    assert all_ok(verify_sheet(s.store, old_sheet, instance=instance))
    assert all_ok(verify_sheet(s.store, new_sheet, instance=instance))
    assert not by_name(verify_sheet(s.store, old_sheet, trust=new.certificate))["signed_by_body"].ok


def test_pkcs12_without_a_key_is_refused(tmp_path):
    _key, cert = keys.make_self_signed("x", body_id=1)
    only_cert = pkcs12.serialize_key_and_certificates(b"c", None, None, [cert], serialization.NoEncryption())
    with pytest.raises(ValueError):
        keys.import_pkcs12(tmp_path, 1, only_cert)


# --- command line and speed -----------------------------------------------------------------------


def test_cli_verify(demo, sheets, tmp_path, capsys):
    good = tmp_path / "good.pdf"
    good.write_bytes(sheets["B3-R1"])
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(_flip(sheets["B3-R1"], len(sheets["B3-R1"]) // 3))
    base = ["--database", demo.store.url, "--instance", str(demo.instance)]
    assert cli.main(base + ["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert out.count("[通过 PASS]") == len(CHECKS) and "VERIFIED" in out
    assert cli.main(base + ["verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[失败 FAIL] signature_intact" in out and "NOT VERIFIED" in out
    pem = tmp_path / "body.pem"
    pem.write_bytes(demo.key.certificate_pem())
    assert cli.main(["--database", demo.store.url, "--instance", str(tmp_path), "verify", str(good), "--cert", str(pem),
                     "--json"]) == 0
    assert all(c["ok"] for c in json.loads(capsys.readouterr().out))


def test_generating_and_signing_one_sheet_is_fast(demo):
    signed_result_sheet(demo.store, demo.ballots[4], 1, instance=demo.instance)  # warm: font, key
    times = []
    for _ in range(3):
        started = time.perf_counter()
        signed_result_sheet(demo.store, demo.ballots[4], 1, instance=demo.instance)
        times.append(time.perf_counter() - started)
    best = min(times)
    print(f"\ngenerate + sign one result sheet: {best * 1000:.0f} ms (best of 3: "
          f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms)")
    assert best < 5.0
