"""The address on a signed sheet is never the request's: with ``Host: verify-biaojue.evil.example`` the
round sheet and the bundle carry the configured public address (printed and in the QR code) or, with
none set, no address and no QR code at all, and a line saying how to set one. The administrator or clerk
sets the address from the console (``PUT /api/settings/public-url``); it is checked and audited."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from support.env import missing
from web_helpers import assert_json_error, pair_tablet

from voting_server import sheets

EVIL = "verify-biaojue.evil.example"
PUBLIC = "https://biaojue.example.cn/hall"


def pdf_text(pdf: bytes) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        missing("pdftotext (poppler-utils) is not installed")
    return subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def qr_payloads(pdf: bytes) -> list[str]:
    """Every QR code on every page, decoded from the page as printed (poppler at 150 dpi, zxing-cpp)."""
    exe = shutil.which("pdftoppm")
    try:
        import zxingcpp  # type: ignore[import-not-found]
    except ImportError:
        missing("zxing-cpp is not installed")
    if exe is None:
        missing("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    payloads = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, "-r", "150", "-png", "-", f"{tmp}/page"], input=pdf, capture_output=True, check=True)
        for page in sorted(Path(tmp).iterdir()):
            with Image.open(page) as image:
                payloads += [r.text for r in zxingcpp.read_barcodes(image)]
    return payloads


def flat(text: str) -> str:
    return "".join(text.split())


def _closed_ballot(app, chair) -> tuple[int, int, object]:
    """The first demo ballot voted on by 9 and closed; a member's tablet (what anyone on the hall's
    network may hold) to ask for the sheets with."""
    sitting_id = 1
    item = chair.get(f"/api/sittings/{sitting_id}/agenda").get_json()["items"][0]
    ballot_id = item["ballots"][0]["id"]
    assert chair.post(f"/api/sittings/{sitting_id}/open", {"confirm": True}).status_code == 200
    tablets = [pair_tablet(app, 1, str(seat)) for seat in range(1, 10)]
    for t in tablets:
        assert t.post(f"/api/sittings/{sitting_id}/sign-in").status_code == 200
    assert chair.post(f"/api/items/{item['id']}/start").status_code == 200
    assert chair.post(f"/api/ballots/{ballot_id}/open").status_code == 200
    for t in tablets:
        r = t.post(f"/api/ballots/{ballot_id}/cast", {"choice": "for", "cast_id": uuid.uuid4().hex})
        assert r.status_code == 200, r.get_json()
    assert chair.post(f"/api/ballots/{ballot_id}/close").status_code == 200
    return sitting_id, ballot_id, tablets[0]


def _sheets_for(tablet, sitting_id: int, ballot_id: int) -> dict[str, bytes]:
    """The round sheet and the bundle, asked for with a forged Host (and a forged base URL)."""
    out = {}
    for name, url in (("round", f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf"),
                      ("bundle", f"/api/sittings/{sitting_id}/bundle.pdf")):
        r = tablet.get(url, headers={"Host": EVIL, "X-Forwarded-Host": EVIL})
        assert r.status_code == 200, (name, r.get_json())
        out[name] = r.data
        r = tablet.get(url, base_url=f"http://{EVIL}")
        assert r.status_code == 200, name
        out[name + "-base"] = r.data
    return out


def test_no_public_url_no_address_on_the_sheet(app, chair, clerk, store) -> None:
    app.config["PUBLIC_URL"] = None
    sitting_id, ballot_id, tablet = _closed_ballot(app, chair)
    for name, pdf in _sheets_for(tablet, sitting_id, ballot_id).items():
        text = pdf_text(pdf)
        assert "evil" not in text, name
        assert EVIL.encode() not in pdf, name
        assert qr_payloads(pdf) == [], name  # no QR code to any host
        assert "未设置公开地址" in text and "BIAOJUE_PUBLIC_URL" in flat(text), name
        assert "/verify?sheet=" not in flat(text), name
    # the sheet still verifies by upload
    anonymous = clerk.__class__(app)
    anonymous.refresh_csrf()
    pdf = tablet.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf", headers={"Host": EVIL}).data
    answer = anonymous.post("/api/verify", data={"file": (io.BytesIO(pdf), "sheet.pdf")},
                            content_type="multipart/form-data").get_json()
    assert answer["ok"] is True, answer


def test_configured_public_url_on_the_sheet_and_in_its_qr_code(app, chair, clerk, store) -> None:
    app.config["PUBLIC_URL"] = PUBLIC
    sitting_id, ballot_id, tablet = _closed_ballot(app, chair)
    with store.read() as s:
        doc = sheets.data.result_document(s, ballot_id, 1)
    expected = sheets.verify_url(PUBLIC, sheets.sheet_id(ballot_id, 1), sheets.digest(doc))
    for name, pdf in _sheets_for(tablet, sitting_id, ballot_id).items():
        text = pdf_text(pdf)
        assert "evil" not in text and EVIL.encode() not in pdf, name
        assert flat(expected) in flat(text), name
        codes = qr_payloads(pdf)
        assert expected in codes, (name, codes)
        assert all(c.startswith(PUBLIC + "/verify?sheet=") for c in codes), (name, codes)
    # pairing links too
    person = clerk.get("/api/bodies/1/people").get_json()["people"][0]["id"]
    link = clerk.post(f"/api/people/{person}/pairing").get_json()["link"]
    assert link.startswith(PUBLIC + "/seat?pair=")


def test_the_console_sets_the_public_url(app, chair, clerk, admin, api, store) -> None:
    app.config["PUBLIC_URL"] = "http://10.0.0.5:5000"
    assert clerk.get("/api/settings/public-url").get_json() == {
        "public_url": "http://10.0.0.5:5000", "source": "config", "configured": "http://10.0.0.5:5000"}
    for bad in ("javascript:alert(1)", "ftp://x.example", "http://user@x.example", "http://x.example/?a=1",
                "http://x.example/#f", "http://", "x.example", "http://x .example", 5, ["http://x.example"]):
        assert_json_error(clerk.put("/api/settings/public-url", {"url": bad}), 400, "bad_public_url")
    assert_json_error(clerk.put("/api/settings/public-url", {}), 400)
    anonymous = api()
    anonymous.refresh_csrf()
    for who in (chair, api("display"), anonymous):
        assert_json_error(who.put("/api/settings/public-url", {"url": PUBLIC}), 403)
        assert_json_error(who.get("/api/settings/public-url"), 403)

    assert clerk.put("/api/settings/public-url", {"url": PUBLIC + "/"}).status_code == 200
    assert admin.get("/api/settings/public-url").get_json() == {
        "public_url": PUBLIC, "source": "console", "configured": "http://10.0.0.5:5000"}
    entries = clerk.get("/api/audit?action=public_url_changed").get_json()["entries"]
    assert [e["payload"]["public_url"] for e in entries] == [PUBLIC]

    _sitting_id, ballot_id, tablet = _closed_ballot(app, chair)
    pdf = tablet.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf", headers={"Host": EVIL}).data
    assert all(c.startswith(PUBLIC + "/verify?") for c in qr_payloads(pdf)) and qr_payloads(pdf)
    assert "10.0.0.5" not in pdf_text(pdf)

    # cleared: the configured address again
    assert admin.put("/api/settings/public-url", {"url": None}).status_code == 200
    assert clerk.get("/api/settings/public-url").get_json()["source"] == "config"
    pdf = tablet.get(f"/api/ballots/{ballot_id}/rounds/1/sheet.pdf", headers={"Host": EVIL}).data
    assert all(c.startswith("http://10.0.0.5:5000/verify?") for c in qr_payloads(pdf)) and qr_payloads(pdf)


def test_a_damaged_stored_address_counts_as_none(app, clerk) -> None:
    from voting_server.services.settings import PUBLIC_URL_FILE

    app.config["PUBLIC_URL"] = None
    (Path(app.instance_path) / PUBLIC_URL_FILE).write_text("javascript:alert(1)\n")
    assert clerk.get("/api/settings/public-url").get_json() == {"public_url": None, "source": None,
                                                                "configured": None}


@pytest.mark.parametrize("value", ["javascript:alert(1)", "http://x.example/?q=1", "ftp://x"])
def test_a_wrong_configured_address_stops_the_server(value, tmp_path, monkeypatch) -> None:
    from voting_server import config

    monkeypatch.setenv("BIAOJUE_PUBLIC_URL", value)
    with pytest.raises(config.ConfigError, match="PUBLIC_URL"):
        config.load({}, str(tmp_path))
    monkeypatch.setenv("BIAOJUE_PUBLIC_URL", "https://biaojue.example.cn/")
    assert config.load({}, str(tmp_path))["PUBLIC_URL"] == "https://biaojue.example.cn"
