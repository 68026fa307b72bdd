"""``python -m voting_server demo-sitting --out DIR``: a whole simulated sitting through the service
layer, every signed sheet and the bundle written out, each one verifying; and the sheets on every
database the project runs on (SQLite always, PostgreSQL when reachable)."""
from __future__ import annotations

import datetime as dt
import logging

from sheet_helpers import flat, pdf_text
from sqlalchemy import select

from voting_server import cli, models
from voting_server.db import Store
from voting_server.sheets import (
    all_ok,
    signed_bundle,
    signed_result_sheet,
    verify_sheet,
)
from voting_server.sheets.demo_sitting import MARKER, simulate


def test_demo_sitting_command(tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo-sitting", "--out", str(out), "--seed", "11"]) == 0
    printed = capsys.readouterr().out
    assert "[11/11] bundle-S1-ALL.pdf" in printed and "verify a sheet" in printed
    names = {p.name for p in out.iterdir()}
    results = sorted(n for n in names if n.startswith("result-"))
    assert results == ["result-B1-R1.pdf", "result-B1-R2.pdf"] + [f"result-B{b}-R1.pdf" for b in range(2, 8)]
    assert {"bundle-S1-ALL.pdf", "summary-S1-SUM.pdf", "attendance-S1-ATT.pdf", "sitting-S1.xlsx", "sitting-S1.json",
            "results-S1.csv", "named_votes-S1.csv", "attendance-S1.csv", "biaojue.sqlite3", "certs", MARKER} <= names
    assert (out / "certs" / "body-1.p12").exists() and (out / "certs" / "body-1.pem").exists()

    store = Store(f"sqlite:///{out / 'biaojue.sqlite3'}")
    with store.read() as s:
        ballots = s.scalars(select(models.Ballot).order_by(models.Ballot.id)).all()
        kinds = {b.kind for b in ballots}
        assert kinds == {"resolution", "appointment", "evaluation", "selection"}
        assert any(not b.secret for b in ballots) and any(b.method == "mixed" for b in ballots)
        assert s.scalar(select(models.HandCount.id)) is not None
        assert s.get(models.Sitting, 1).status == "closed"
    logging.disable(logging.ERROR)
    try:
        for name in results + ["bundle-S1-ALL.pdf", "summary-S1-SUM.pdf", "attendance-S1-ATT.pdf"]:
            assert all_ok(verify_sheet(store, (out / name).read_bytes(), instance=out)), name
    finally:
        logging.disable(logging.NOTSET)
    store.dispose()
    assert cli.main(["--instance", str(out), "verify", str(out / "result-B5-R1.pdf")]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    text = flat(pdf_text((out / "bundle-S1-ALL.pdf").read_bytes()))
    assert "会议表决结果汇总" in text and "出席情况表" in text and text.count("表决结果单") >= 8

    # again into the same folder: a fresh sitting replaces the old demo
    assert cli.main(["demo-sitting", "--out", str(out), "--seed", "12"]) == 0
    assert "[11/11]" in capsys.readouterr().out


def test_demo_sitting_refuses_a_real_instance(tmp_path, capsys):
    (tmp_path / "biaojue.sqlite3").write_bytes(b"not a demo")
    assert cli.main(["demo-sitting", "--out", str(tmp_path)]) == 2
    assert "not a demo" in capsys.readouterr().err
    assert (tmp_path / "biaojue.sqlite3").read_bytes() == b"not a demo"


def test_same_seed_same_sitting(tmp_path):
    def outcome(folder):
        store = Store(f"sqlite:///{folder / 'x.sqlite3'}")
        store.create_all()
        simulate(store, seed=5, day=dt.date(2026, 11, 25))
        with store.read() as s:
            found = [(r.round_id, r.data["questions"])
                     for r in s.scalars(select(models.Result).order_by(models.Result.id))]
        store.dispose()
        return found

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert outcome(tmp_path / "a") == outcome(tmp_path / "b")


def test_sheets_on_each_database(store, tmp_path):
    """The same sitting, signed and verified, on SQLite and on PostgreSQL (JSON columns, ids, times)."""
    ids = simulate(store, seed=3, day=dt.date(2026, 11, 25))
    sheet = signed_result_sheet(store, ids["ballots"][0], 1, instance=tmp_path)
    bundle = signed_bundle(store, ids["sitting_id"], instance=tmp_path)
    logging.disable(logging.ERROR)
    try:
        assert all_ok(verify_sheet(store, sheet, instance=tmp_path))
        assert all_ok(verify_sheet(store, bundle, instance=tmp_path))
    finally:
        logging.disable(logging.NOTSET)
