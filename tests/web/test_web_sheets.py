"""Result sheets over HTTP: the clerk prints a signed sheet, exports, and anyone verifies a sheet by
upload or by its QR address; a member checks a receipt after the close."""
from __future__ import annotations

import io
import json
import uuid

from web_helpers import assert_json_error, pair_tablet

from voting_server import demo


def _voted_ballot(app, store, chair, clerk):
    """Open the demo sitting, 13 sign in, vote 9-2-1 on the first ballot, close it."""
    body_id, sitting_id = 1, 1
    agenda = chair.get(f"/api/sittings/{sitting_id}/agenda").get_json()
    item = agenda["items"][0]
    ballot_id = item["ballots"][0]["id"]
    assert chair.post(f"/api/sittings/{sitting_id}/open", {"confirm": True}).status_code == 200
    tablets = [pair_tablet(app, body_id, str(seat)) for seat in range(1, 14)]
    for t in tablets:
        assert t.post(f"/api/sittings/{sitting_id}/sign-in").status_code == 200
    assert chair.post(f"/api/items/{item['id']}/start").status_code == 200
    assert chair.post(f"/api/ballots/{ballot_id}/open").status_code == 200
    receipts = []
    for t, choice in zip(tablets, ["for"] * 9 + ["against"] * 2 + ["abstain"], strict=False):
        r = t.post(f"/api/ballots/{ballot_id}/cast", {"choice": choice, "cast_id": uuid.uuid4().hex})
        assert r.status_code == 200, r.get_json()
        receipts.append(r.get_json()["receipt"])
    return sitting_id, ballot_id, tablets, receipts


def test_print_verify_and_receipts(app, store, chair, clerk, api) -> None:
    sitting_id, ballot_id, tablets, receipts = _voted_ballot(app, store, chair, clerk)
    # before the close: no sheet, no receipt check
    assert_json_error(clerk.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf"), 409, "not_closed")
    assert_json_error(tablets[0].get(f"/api/ballots/{ballot_id}/rounds/1/receipts/{receipts[0]}"), 409, "ballot_open")
    assert chair.post(f"/api/ballots/{ballot_id}/close").status_code == 200

    r = clerk.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.data
    assert pdf.startswith(b"%PDF-")

    anonymous = api()
    anonymous.refresh_csrf()
    answer = anonymous.post("/api/verify", data={"file": (io.BytesIO(pdf), "sheet.pdf")},
                            content_type="multipart/form-data").get_json()
    assert answer["ok"] is True, answer
    assert {c["name"] for c in answer["checks"]} >= {"signature_intact", "result_matches", "audit_chain", "retally"}

    tampered = bytearray(pdf)
    pos = tampered.index(b"/Producer") if b"/Producer" in tampered else len(tampered) // 3
    tampered[pos + 1] ^= 0x01
    answer = anonymous.post("/api/verify", data={"file": (io.BytesIO(bytes(tampered)), "sheet.pdf")},
                            content_type="multipart/form-data").get_json()
    assert answer["ok"] is False

    # the QR address on the sheet
    from voting_server import sheets

    with store.read() as s:
        doc = sheets.data.result_document(s, ballot_id, 1)
    ref = anonymous.get(f"/api/verify?sheet={sheets.sheet_id(ballot_id, 1)}&h={sheets.digest(doc)}").get_json()
    assert ref["ok"] is True, ref
    bad = anonymous.get(f"/api/verify?sheet={sheets.sheet_id(ballot_id, 1)}&h={'0' * 64}").get_json()
    assert bad["ok"] is False
    assert_json_error(anonymous.get("/api/verify"), 400, "bad_reference")

    # receipts: found for a voter, not for a made-up code; no choice in the answer
    found = tablets[0].get(f"/api/ballots/{ballot_id}/rounds/1/receipts/{receipts[0]}").get_json()
    assert found == {"found": True}
    assert tablets[0].get(f"/api/ballots/{ballot_id}/rounds/1/receipts/AAAAA-AAAAA").get_json() == {"found": False}


def _upload(client, pdf: bytes) -> dict:
    return client.post("/api/verify", data={"file": (io.BytesIO(pdf), "sheet.pdf")},
                       content_type="multipart/form-data").get_json()


def test_verify_shows_the_record_and_says_why_in_words(app, store, chair, clerk, api) -> None:
    """The answer carries the record on file of a genuine sheet (body, sitting, item, counts, outcome,
    announcement) and a verdict in words; a sheet with one changed byte is 文件被修改 (not an invalid
    certificate) and shows no record; a QR address shows the record only with its own digest."""
    _sitting_id, ballot_id, _tablets, _receipts = _voted_ballot(app, store, chair, clerk)
    closed = chair.post(f"/api/ballots/{ballot_id}/close").get_json()["result"]
    pdf = clerk.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf").data
    anonymous = api()
    anonymous.refresh_csrf()

    answer = _upload(anonymous, pdf)
    assert answer["ok"] and answer["verdict_zh"] == "全部核验通过", answer
    [record] = answer["sheets"]
    assert record["type"] == "result" and record["sheet_id"] == f"B{ballot_id}-R1"
    assert record["body"] == "某县人大常委会" and "第三十六次会议" in record["sitting"]["title"]
    assert record["item"]["position"] == 1 and record["round"] == 1
    assert [c["zh"] for c in record["columns"]] == ["赞成", "反对", "弃权"]
    assert record["questions"][0]["counts"] == [9, 2, 1] and record["questions"][0]["not_voted"] == 1
    assert record["turnout"] == {"entitled": 15, "present": 13}
    assert record["outcome"] == {"zh": "通过", "en": "Passed"}
    assert record["announcement"]["zh"] == closed["announcement_zh"]
    assert record["method"]["zh"] == "电子表决" and record["ballot"]["secrecy"]["zh"] == "无记名"
    for c in answer["checks"]:  # words, never a raw code
        assert "（passed）" not in c["reason_zh"] and "（failed）" not in c["reason_zh"] and "_" not in c["reason_zh"]

    b = bytearray(pdf)
    b[b.index(b"stream", b.index(b"/Filter")) + 40] ^= 0x01  # inside the first page's content
    answer = _upload(anonymous, bytes(b))
    assert answer["ok"] is False and answer["verdict_zh"] == "核验未通过：文件被修改", answer["verdict_zh"]
    assert answer["sheets"] == []
    checks = {c["name"]: c for c in answer["checks"]}
    assert checks["signature_intact"]["reason_zh"].startswith("文件被修改")
    signer = checks["signed_by_body"]["reason_zh"]
    assert "证书无效" not in signer and "INVALID" not in signer and "文件被修改" in signer

    from voting_server import sheets

    with store.read() as s:
        digest = sheets.digest(sheets.data.result_document(s, ballot_id, 1))
    ref = anonymous.get(f"/api/verify?sheet=B{ballot_id}-R1&h={digest}").get_json()
    assert ref["ok"] and [r["sheet_id"] for r in ref["sheets"]] == [f"B{ballot_id}-R1"]
    ref = anonymous.get(f"/api/verify?sheet=B{ballot_id}-R1&h={'0' * 64}").get_json()
    assert ref["sheets"] == [] and ref["verdict_zh"] == "核验未通过：结果单与存档记录不一致"


def test_a_receipt_is_checked_with_its_code_alone(app, store, chair, clerk, api) -> None:
    """GET /api/receipts/<code>: the code as the tablet shows it (a secret round's first 16 digits in
    groups, any case), no ballot or round to type; while the round is open: ballot_open; a code of
    neither form: bad_receipt; an unknown one: not found. No choice in the answer."""
    _sitting_id, ballot_id, tablets, receipts = _voted_ballot(app, store, chair, clerk)
    anonymous = api()
    shown = " ".join(receipts[0][i:i + 4] for i in range(0, 16, 4)).upper()  # "2C0F 053B 16A9 0E11"
    assert_json_error(anonymous.get(f"/api/receipts/{shown}"), 409, "ballot_open")
    assert chair.post(f"/api/ballots/{ballot_id}/close").status_code == 200
    for code in (shown, receipts[0], receipts[0][:16].lower(), f"{receipts[1][:8]}-{receipts[1][8:20]}"):
        answer = anonymous.get(f"/api/receipts/{code}").get_json()
        assert answer["found"] is True, code
        [where] = answer["rounds"]
        assert where["sheet_id"] == f"B{ballot_id}-R1" and where["round"] == 1 and where["item"]["position"] == 1
        assert "choice" not in json.dumps(answer) and "for" not in json.dumps(answer)
    assert anonymous.get(f"/api/receipts/{'0' * 16}").get_json() == {"found": False, "rounds": []}
    assert anonymous.get("/api/receipts/ZZZZZ-ZZZZZ").get_json() == {"found": False, "rounds": []}
    for bad in ("abc", "K7M2Q", "0123456789abcde", "!" * 20):
        body = assert_json_error(anonymous.get(f"/api/receipts/{bad}"), 400, "bad_receipt")
        assert "bad_receipt" not in body["message_zh"]


def test_sitting_sheets_and_exports(app, store, chair, clerk, api) -> None:
    sitting_id, ballot_id, _tablets, _receipts = _voted_ballot(app, store, chair, clerk)
    assert chair.post(f"/api/ballots/{ballot_id}/close").status_code == 200
    for kind in ("summary", "attendance", "bundle"):
        r = clerk.get(f"/api/sittings/{sitting_id}/{kind}.pdf")
        assert r.status_code == 200 and r.data.startswith(b"%PDF-"), kind
    assert_json_error(clerk.get(f"/api/sittings/{sitting_id}/nothing.pdf"), 404)
    assert_json_error(clerk.get("/api/sittings/999/summary.pdf"), 404)
    assert_json_error(clerk.get(f"/api/sittings/{sitting_id}/summary.pdf?lang=fr"), 400, "bad_lang")

    data = json.loads(clerk.get(f"/api/sittings/{sitting_id}/export.json").data)
    assert data
    csv = clerk.get(f"/api/sittings/{sitting_id}/export.csv?table=attendance")
    assert csv.status_code == 200 and "text/csv" in csv.content_type
    assert clerk.get(f"/api/sittings/{sitting_id}/export.xlsx").data[:2] == b"PK"
    assert_json_error(clerk.get(f"/api/sittings/{sitting_id}/export.csv?table=secrets"), 400, "bad_table")
    assert_json_error(clerk.get(f"/api/sittings/{sitting_id}/export.doc"), 404)
    # exports are for the consoles; an anonymous caller and the display get nothing
    assert_json_error(api().get(f"/api/sittings/{sitting_id}/export.json"), 403)
    assert_json_error(api().get(f"/api/sittings/{sitting_id}/summary.pdf"), 403)
    assert demo.STAFF  # the demo accounts are what the fixtures log in with
