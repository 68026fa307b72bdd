"""Preparing next month's sitting over HTTP, as the clerk's console sends it: a sitting copied, an
appointment list voted person by person, ballot templates, an agenda file checked and imported; every
refusal a JSON error in Chinese and English that changes nothing stored."""
from __future__ import annotations

import io

import pytest
from web_helpers import assert_json_error, counts

AGENDA = "序号,议题,类型,表决方式\n1,关于某事项的决定,决议,举手\n2,工作报告,报告,\n".encode()
LIMIT = 16 * 1024


@pytest.fixture
def config_overrides():
    return {"MAX_CONTENT_LENGTH": LIMIT}


def upload(client, url, data: bytes, filename: str):
    return client.post(url, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_a_copied_sitting_and_an_appointment_list(clerk, chair, store, seeded):
    r = clerk.post(f"/api/sittings/{seeded.sitting_id}/copy", {"title": "第三十七次会议", "date": "2026-12-23"})
    assert r.status_code == 201, r.get_json()
    copy = r.get_json()["id"]
    agenda = clerk.get(f"/api/sittings/{copy}/agenda").get_json()
    source = clerk.get(f"/api/sittings/{seeded.sitting_id}/agenda").get_json()
    assert agenda["sitting"]["status"] == "planned" and agenda["sitting"]["title"] == "第三十七次会议"
    assert [i["title"] for i in agenda["items"]] == [i["title"] for i in source["items"]]
    assert [len(i["ballots"]) for i in agenda["items"]] == [len(i["ballots"]) for i in source["items"]]
    item = agenda["items"][1]["id"]
    r = clerk.post(f"/api/items/{item}/ballots/per-person", {"spec": {"kind": "appointment", "persons": [
        {"id": "a", "name": "许文涛", "post": "县教育局局长"}, {"id": "b", "name": "周敏", "post": "县民政局局长"}]}})
    assert r.status_code == 201 and len(r.get_json()["ids"]) == 2
    titles = [b["title"] for b in clerk.get(f"/api/sittings/{copy}/agenda").get_json()["items"][1]["ballots"]]
    assert titles[-2:] == ["任命许文涛为县教育局局长", "任命周敏为县民政局局长"]
    before = counts(store)
    assert_json_error(clerk.post(f"/api/sittings/{copy}/copy", {"title": "下次", "date": "明天"}), 400, "bad_date")
    assert_json_error(chair.post(f"/api/sittings/{copy}/copy", {"title": "下次", "date": "2027-01-20"}), 403,
                      "forbidden")
    body = assert_json_error(clerk.post(f"/api/items/{item}/ballots/per-person", {"spec": {
        "kind": "appointment", "combined": True, "persons": [{"id": "a", "name": "甲"}]}}), 400,
        "not_an_appointment_list")
    assert body["message_zh"] == "逐人表决只用于任免名单（不合并表决）"
    assert counts(store) == before


def test_templates_are_saved_listed_and_deleted(clerk, chair, store, seeded):
    url = f"/api/bodies/{seeded.body_id}/ballot-templates"
    r = clerk.post(url, {"name": "部门测评", "settings": {"spec": {"kind": "evaluation", "objects": [
        {"id": "o1", "name": "县民政局"}]}, "secret": True, "timer_seconds": 120}})
    assert r.status_code == 201, r.get_json()
    tid = r.get_json()["id"]
    listed = chair.get(url).get_json()["templates"]
    assert [t["key"] for t in listed if t["builtin"]][0] == "appointment_each"
    mine = next(t for t in listed if t["id"] == tid)
    assert mine["settings"]["timer_seconds"] == 120 and mine["settings"]["spec"]["objects"][0]["name"] == "县民政局"
    before = counts(store)
    assert_json_error(clerk.post(url, {"name": "部门测评", "settings": {"spec": {"kind": "resolution"}}}), 409,
                      "template_exists")
    assert_json_error(clerk.post(url, {"name": "x", "settings": {"spec": {"kind": "resolution"}, "z": 1}}), 400,
                      "bad_template")
    assert_json_error(clerk.post(url, {"name": "x", "settings": "决议"}), 400, "bad_template")
    assert_json_error(chair.post(url, {"name": "x", "settings": {"spec": {"kind": "resolution"}}}), 403, "forbidden")
    assert_json_error(chair.delete(f"/api/ballot-templates/{tid}"), 403, "forbidden")
    assert_json_error(clerk.delete("/api/ballot-templates/99999"), 404, "not_found")
    assert counts(store) == before
    assert clerk.delete(f"/api/ballot-templates/{tid}").status_code == 200
    assert all(t["id"] != tid for t in clerk.get(url).get_json()["templates"])


def test_an_agenda_file_is_checked_then_imported(clerk, store, seeded):
    base = f"/api/sittings/{seeded.sitting_id}/agenda"
    before = counts(store)
    r = upload(clerk, base + "/preview", AGENDA, "议程.csv")
    assert r.status_code == 200
    preview = r.get_json()
    assert preview["ok"] and preview["count"] == 2 and preview["ballots"] == 1
    assert preview["rows"][0] == {"row": 2, "position": 1, "title": "关于某事项的决定", "kind": "resolution",
                                  "method": "hands", "secret": None, "timer_seconds": None}
    assert counts(store) == before
    r = upload(clerk, base + "/import", AGENDA, "议程.csv")
    assert r.status_code == 201 and r.get_json() == {"imported": 2, "ballots": 1}
    items = clerk.get(base).get_json()["items"]
    assert [i["title"] for i in items[-2:]] == ["关于某事项的决定", "工作报告"]
    assert items[-2]["ballots"][0]["method"] == "hands"


@pytest.mark.parametrize(("data", "filename", "status", "code"), [
    (b"%PDF-1.4 not a spreadsheet", "议程.pdf", 400, "bad_file_type"),
    ("序号,议题\nx,关于某事项的决定\n".encode(), "议程.csv", 400, "bad_position"),
    (b"PK\x03\x04 not a workbook", "议程.xlsx", 400, "not_xlsx"),
    ("议题\n".encode() + b"a" * LIMIT, "议程.csv", 413, None),  # beyond MAX_CONTENT_LENGTH: refused while reading
])
def test_an_agenda_file_that_is_not_right_imports_nothing(clerk, store, seeded, data, filename, status, code):
    base = f"/api/sittings/{seeded.sitting_id}/agenda"
    before = counts(store)
    if status == 400:
        preview = upload(clerk, base + "/preview", data, filename).get_json()
        assert preview["ok"] is False and preview["problems"][0]["code"] == code and preview["problems"][0]["zh"]
        body = assert_json_error(upload(clerk, base + "/import", data, filename), 400, "agenda_invalid")
        assert body["details"]["problems"][0]["code"] == code
    else:
        assert upload(clerk, base + "/import", data, filename).status_code == status
    assert_json_error(upload(clerk, "/api/sittings/99999/agenda/import", AGENDA, "a.csv"), 404, "not_found")
    assert counts(store) == before
