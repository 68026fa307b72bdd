"""Helpers of the result-sheet tests: the shared sitting handle, PDF text extraction."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.env import missing

from voting_server.db import Store
from voting_server.sheets import data as sd
from voting_server.sheets.keys import body_key

DAY = dt.date(2026, 11, 25)


def seeded(path: Path) -> tuple[Store, dict[str, Any], list[Any]]:
    """A new SQLite store at ``path`` with the demo committee: the store, the seed's ids, the members as actors."""
    from sqlalchemy import select
    from support.hashing import fast_hashing

    from voting_server import demo, models
    from voting_server.services import Actor

    store = Store(f"sqlite:///{path}")
    store.create_all()
    with fast_hashing():
        ids = demo.seed(store, today=DAY)
    with store.read() as s:
        members = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
            select(models.Person).where(models.Person.role == "member").order_by(models.Person.id))]
    return store, ids, members


@dataclass
class Sitting:
    store: Store
    db: Path
    instance: Path
    sitting_id: int
    body_id: int
    ballots: list[int]

    def doc(self, ballot_id: int, number: int = 1) -> dict[str, Any]:
        with self.store.read() as s:
            return sd.result_document(s, ballot_id, number)

    def rounds(self) -> list[tuple[int, int]]:
        with self.store.read() as s:
            return sd.closed_rounds(s, self.sitting_id)

    @property
    def key(self):
        with self.store.read() as s:
            from voting_server import models

            body = s.get(models.Body, self.body_id)
            return body_key(self.instance, body.id, body.name)


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text of a PDF: pdftotext (poppler, installed by ``make test``), else pypdf if present."""
    exe = shutil.which("pdftotext")
    if exe is not None:
        args = [exe, "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
        return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")
    try:
        import io

        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        missing("neither pdftotext (poppler-utils) nor pypdf is installed")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def column_text(pdf: bytes, left_mm: float, width_mm: float) -> str:
    """The text of one column of every page (a strip ``width_mm`` wide from ``left_mm``), without
    whitespace: a cell wrapped over lines reads whole, not interleaved with its neighbours."""
    exe = shutil.which("pdftotext")
    if exe is None:
        missing("pdftotext (poppler-utils) is not installed")
    pt = 72 / 25.4
    args = [exe, "-enc", "UTF-8", "-x", str(round(left_mm * pt)), "-y", "0", "-W", str(round(width_mm * pt)),
            "-H", "2000", "-", "-"]
    return flat(subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8"))


def flat(text: str) -> str:
    """Text without any whitespace: a sentence wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


def plenary_sitting(store: Store, roster_csv: bytes) -> tuple[int, int]:
    """A county congress plenary (the congress_plenary preset) with the deputies of ``roster_csv`` and
    one planned sitting: (body id, sitting id). Call inside ``fast_hashing()``."""
    from voting_server import services
    from voting_server.services import Actor, roster

    clerk = Actor(role="clerk", name="何静", user_id=3)
    body = services.create_body(store, clerk, name="某县人民代表大会", preset="congress_plenary")
    roster.import_roster(store, clerk, body, roster_csv, "代表名单.csv")
    sitting = services.create_sitting(store, clerk, body, title="某县第十八届人民代表大会第五次会议",
                                      date=DAY.isoformat(), place="县会议中心", chair_name="主持人", clerk_name="何静")
    return body, sitting
