"""Documents: only PDFs within the size limit are stored; each is served inline as application/pdf with
nosniff, to staff and to the paired tablets of its own body, to nobody else."""
from __future__ import annotations

import io
import os
from urllib.parse import quote

import pytest
from sqlalchemy import select
from web_helpers import Api, assert_json_error, counts, pair_tablet

from voting_server import models

LIMIT = 4096
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def config_overrides():
    return {"MAX_DOCUMENT_BYTES": LIMIT, "MAX_CONTENT_LENGTH": 16 * 1024}


def upload(client, item_id, data: bytes, filename: str):
    return client.post(f"/api/items/{item_id}/documents", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def first_item(clerk, sitting_id) -> int:
    return clerk.get(f"/api/sittings/{sitting_id}/agenda").get_json()["items"][0]["id"]


def stored_files(app) -> list[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_pdf_is_stored_and_served_to_staff_and_tablets_of_its_body(app, api, clerk, seeded):
    item = first_item(clerk, seeded.sitting_id)
    r = upload(clerk, item, PDF, "../材料/预算调整方案.pdf")
    assert r.status_code == 201, r.get_json()
    doc_id = r.get_json()["id"]
    assert len(stored_files(app)) == 1

    docs = clerk.get(f"/api/items/{item}/documents").get_json()["documents"]
    assert [(d["id"], d["filename"], d["size"]) for d in docs] == [(doc_id, "预算调整方案.pdf", len(PDF))]
    agenda = clerk.get(f"/api/sittings/{seeded.sitting_id}/agenda").get_json()
    assert agenda["items"][0]["documents"][0]["id"] == doc_id

    member = pair_tablet(app, seeded.body_id, "1")
    observer = pair_tablet(app, seeded.body_id, "L1")
    readers = [api("admin"), api("chair"), clerk, api("display"), member, observer]
    for reader in readers:
        r = reader.get(f"/api/documents/{doc_id}")
        assert r.status_code == 200, r.get_data(as_text=True)[:200]
        assert r.data == PDF
        assert r.mimetype == "application/pdf"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        disposition = r.headers["Content-Disposition"]
        assert disposition.startswith("inline") and quote("预算调整方案.pdf") in disposition
        r.close()
    assert member.get(f"/api/items/{item}/documents").get_json()["documents"][0]["id"] == doc_id


def test_documents_are_refused_to_anyone_else(app, api, clerk, admin, seeded):
    item = first_item(clerk, seeded.sitting_id)
    doc_id = upload(clerk, item, PDF, "a.pdf").get_json()["id"]

    assert_json_error(Api(app).get(f"/api/documents/{doc_id}"), 403, "login_required")
    bogus = Api(app, token="x" * 40)
    assert_json_error(bogus.get(f"/api/documents/{doc_id}"), 403, "revoked")

    # a member of another committee, paired to that committee
    other = admin.post("/api/bodies", {"name": "某市人大常委会"}).get_json()["id"]
    # two bodies: the clerk, with no body set before, was linked to the one it served when the second was made
    with app.extensions["biaojue_store"].read() as s:
        clerk_id = s.scalar(select(models.User.id).where(models.User.username == "clerk"))
        assert s.get(models.UserBody, (clerk_id, seeded.body_id)) is not None
    person = admin.post(f"/api/bodies/{other}/people", {"name": "外人", "seat": "1"}).get_json()["id"]
    assert admin.put(f"/api/people/{person}/pin", {"pin": "13579"}).status_code == 200
    outsider = pair_tablet(app, other, "1", "13579")
    assert_json_error(outsider.get(f"/api/documents/{doc_id}"), 403, "other_body")
    assert_json_error(outsider.get(f"/api/items/{item}/documents"), 403, "other_body")

    # a revoked tablet of the right body
    member = pair_tablet(app, seeded.body_id, "2")
    assert member.get(f"/api/documents/{doc_id}").status_code == 200
    devices = clerk.get(f"/api/bodies/{seeded.body_id}/devices").get_json()["devices"]
    device_id = next(d["id"] for d in devices if d["seat"] == "2")
    assert clerk.post(f"/api/devices/{device_id}/revoke").status_code == 200
    assert_json_error(member.get(f"/api/documents/{doc_id}"), 403, "revoked")

    assert_json_error(clerk.get("/api/documents/424242"), 404, "not_found")


@pytest.mark.parametrize("data,filename,status,code", [
    (b"hello, this is a text file", "notes.pdf", 400, "not_pdf"),
    (PDF, "预算.docx", 400, "not_pdf"),
    (b"<html><script>alert(1)</script></html>", "page.pdf", 400, "not_pdf"),
    (b"MZ\x90\x00" + b"\x00" * 100, "tool.pdf", 400, "not_pdf"),
    (b"", "empty.pdf", 400, "empty_file"),
    (PDF + b"0" * (LIMIT - len(PDF) + 1), "big.pdf", 400, "file_too_large"),
    (PDF + b"0" * (20 * 1024), "huge.pdf", 413, None),  # beyond MAX_CONTENT_LENGTH: refused while reading
])
def test_bad_uploads_are_refused_and_leave_nothing(app, clerk, store, seeded, data, filename, status, code):
    item = first_item(clerk, seeded.sitting_id)
    before = counts(store)
    body = assert_json_error(upload(clerk, item, data, filename), status, code)
    if status == 413:
        assert body["message_zh"] == "上传的文件太大"
    assert counts(store) == before
    assert stored_files(app) == []


def test_a_pdf_of_exactly_the_limit_is_accepted(app, clerk, seeded):
    item = first_item(clerk, seeded.sitting_id)
    data = PDF + b"0" * (LIMIT - len(PDF))
    assert len(data) == LIMIT
    assert upload(clerk, item, data, "limit.pdf").status_code == 201


def test_upload_refusals_without_a_file_or_permission(app, api, clerk, store, seeded):
    item = first_item(clerk, seeded.sitting_id)
    chair = api("chair")
    before = counts(store)
    r = clerk.post(f"/api/items/{item}/documents", data={}, content_type="multipart/form-data")
    assert_json_error(r, 400, "missing_file")
    r = clerk.post(f"/api/items/{item}/documents", {"file": "x"})
    assert_json_error(r, 400, "missing_file")
    assert_json_error(upload(chair, item, PDF, "a.pdf"), 403, "forbidden")
    assert_json_error(pair_tablet(app, seeded.body_id, "3").post(f"/api/items/{item}/documents",
                                                                 data={"file": (io.BytesIO(PDF), "a.pdf")},
                                                                 content_type="multipart/form-data"), 403)
    assert_json_error(upload(clerk, 99999, PDF, "a.pdf"), 404)
    r = clerk.post(f"/api/items/{item}/documents", data={"file": (io.BytesIO(PDF), "a.pdf")},
                   content_type="multipart/form-data", headers={"X-CSRFToken": "nope"})
    assert_json_error(r, 400, "csrf")
    assert counts(store)["documents"] == before["documents"]
    assert stored_files(app) == []


def test_a_lost_file_is_a_404_not_a_500(app, clerk, seeded):
    item = first_item(clerk, seeded.sitting_id)
    doc_id = upload(clerk, item, PDF, "a.pdf").get_json()["id"]
    for name in stored_files(app):
        os.remove(os.path.join(app.config["UPLOAD_FOLDER"], name))
    assert_json_error(clerk.get(f"/api/documents/{doc_id}"), 404, "file_missing")

