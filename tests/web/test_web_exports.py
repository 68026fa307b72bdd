"""Exports over HTTP hold no formula: names, titles, reasons and ballot titles that a spreadsheet
program would read as a formula (``=HYPERLINK(…)``, ``+…``, ``-…``, ``@…``) come out as text on every
export route — in CSV with a single quote in front, in XLSX as text cells — and read back unchanged."""
from __future__ import annotations

import csv
import io
import json
import uuid

from web_helpers import pair_tablet

from voting_server.sheets import export as ex

HOSTILE = {
    "name": '=HYPERLINK("http://x","y")',
    "name2": "-2+3+cmd|' /C calc'!A0",
    "title": "+1+cmd|' /C calc'!A0",
    "reason": "@SUM(1+1)*cmd|' /C calc'!A0",
    "item": '=IMPORTXML("http://x","//a")',
    "ballot": "@HYPERLINK(\"http://x\",\"y\")",
    "quoted": "'=1+1",
}


def _hostile_sitting(app, store, chair, clerk) -> tuple[int, list[int]]:
    """The demo sitting with hostile texts on the roster, the agenda and a named ballot that 13 vote on."""
    sitting_id, body_id = 1, 1
    people = clerk.get(f"/api/bodies/{body_id}/people").get_json()["people"]
    by_seat = {p["seat"]: p["id"] for p in people}
    for seat, field, value in (("1", "name", HOSTILE["name"]), ("2", "name", HOSTILE["name2"]),
                               ("3", "title", HOSTILE["title"]), ("4", "title", HOSTILE["quoted"])):
        r = clerk.patch(f"/api/people/{by_seat[seat]}", {field: value})
        assert r.status_code == 200, r.get_json()
    r = clerk.post(f"/api/sittings/{sitting_id}/items", {"title": HOSTILE["item"]})
    assert r.status_code == 201, r.get_json()
    item_id = r.get_json()["id"]
    r = clerk.post(f"/api/items/{item_id}/ballots", {"spec": {"kind": "resolution", "question": HOSTILE["ballot"]},
                                                      "title": HOSTILE["ballot"], "secret": False})
    assert r.status_code == 201, r.get_json()
    ballot_id = r.get_json()["id"]
    assert chair.post(f"/api/sittings/{sitting_id}/open", {"confirm": True}).status_code == 200
    r = clerk.put(f"/api/sittings/{sitting_id}/attendance/{by_seat['15']}",
                  {"status": "leave", "reason": HOSTILE["reason"]})
    assert r.status_code == 200, r.get_json()
    tablets = [pair_tablet(app, body_id, str(seat)) for seat in range(1, 14)]
    for t in tablets:
        assert t.post(f"/api/sittings/{sitting_id}/sign-in").status_code == 200
    assert chair.post(f"/api/items/{item_id}/start").status_code == 200
    assert chair.post(f"/api/ballots/{ballot_id}/open").status_code == 200
    for t in tablets:
        r = t.post(f"/api/ballots/{ballot_id}/cast", {"choice": "for", "cast_id": uuid.uuid4().hex})
        assert r.status_code == 200, r.get_json()
    assert chair.post(f"/api/ballots/{ballot_id}/close").status_code == 200
    return sitting_id, [by_seat["1"], by_seat["2"]]


def _formula_like(text: str) -> bool:
    return text.startswith(("=", "+", "-", "@", "\t", "\r"))


EXPECTED = {
    "results": {HOSTILE["item"], HOSTILE["ballot"]},
    "attendance": {HOSTILE["name"], HOSTILE["name2"], HOSTILE["title"], HOSTILE["quoted"], HOSTILE["reason"]},
    "named_votes": {HOSTILE["name"], HOSTILE["name2"], HOSTILE["ballot"]},
}


def test_csv_exports_write_text_not_formulas(app, store, chair, clerk) -> None:
    sitting_id, _ids = _hostile_sitting(app, store, chair, clerk)
    tables = ex.sitting_tables(store, sitting_id)
    for table, texts in EXPECTED.items():
        r = clerk.get(f"/api/sittings/{sitting_id}/export.csv?table={table}")
        assert r.status_code == 200, table
        cells = [c for row in csv.reader(io.StringIO(r.data.decode("utf-8-sig"), newline="")) for c in row]
        assert not [c for c in cells if _formula_like(c)], (table, [c for c in cells if _formula_like(c)])
        for text in texts:
            assert "'" + text in cells, (table, text)  # a single quote in front: shown as text
        # read back: the very texts that were typed
        assert ex.read_csv(r.data, tables[table].columns) == tables[table].rows, table
        assert texts <= {v for row in tables[table].rows for v in row.values()}, table


def test_xlsx_export_holds_text_cells_not_formulas(app, store, chair, clerk) -> None:
    sitting_id, _ids = _hostile_sitting(app, store, chair, clerk)
    tables = ex.sitting_tables(store, sitting_id)
    r = clerk.get(f"/api/sittings/{sitting_id}/export.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.data))
    by_table = {ws.title.split(" ")[-1]: ws for ws in wb.worksheets}
    for table, texts in EXPECTED.items():
        cells = [c for row in by_table[table].iter_rows() for c in row if c.value is not None]
        formulas = [c.value for c in cells if c.data_type == "f"]
        assert not formulas, (table, formulas)
        seen = {c.value for c in cells if c.data_type == "s"}
        assert texts <= seen, (table, texts - seen)
        assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and _formula_like(c.value))
    assert b"<f>" not in _sheet_xml(r.data)
    assert ex.read_xlsx(r.data, tables) == {name: t.rows for name, t in tables.items()}


def test_json_export_keeps_the_texts_as_typed(app, store, chair, clerk) -> None:
    sitting_id, _ids = _hostile_sitting(app, store, chair, clerk)
    data = json.loads(clerk.get(f"/api/sittings/{sitting_id}/export.json").data)
    names = {row["name"] for row in data["tables"]["attendance"]["rows"]}
    assert {HOSTILE["name"], HOSTILE["name2"]} <= names  # JSON is data, not a spreadsheet: as typed


def _sheet_xml(xlsx: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_escape_round_trips_every_leading_character() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "'x", "''=1", "plain", "", "张伟"):
        escaped = ex.escape_formula(text)
        assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r")), text
        assert ex.unescape_formula(escaped) == text


def test_csv_export_names_its_charset_once(clerk) -> None:
    """The CSV export's content type is ``text/csv; charset=utf-8``: the charset once, not twice."""
    for table in ("results", "attendance", "named_votes"):
        r = clerk.get(f"/api/sittings/1/export.csv?table={table}")
        assert r.status_code == 200, table
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8", r.headers["Content-Type"]
        assert r.headers["Content-Type"].count("charset") == 1
