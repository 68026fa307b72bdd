"""Roster import from the files clerks actually have (read by ``spreadsheet``: CSV in UTF-8, GBK or
UTF-16, and XLSX). Columns are found by their Chinese or English header.

``preview`` reads a file and lists every bad row (row numbers as the spreadsheet shows them; row 0 is
the file as a whole); ``import_roster`` imports all rows in one transaction, or nothing when any row
is bad or clashes with the people already stored."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from . import spreadsheet
from .base import Actor, Invalid, ServiceError, get_or_404, requires, transaction
from .bodies import person_json, validate_person
from .lookups import ruleset_of
from .spreadsheet import Columns, FileProblem, Problem, Table, cell, data_rows, extra_cells, read_rows

MAX_ROWS = 5000

# header text (lower case, no spaces) -> field
HEADERS: dict[str, str] = {
    "姓名": "name", "name": "name",
    "身份": "role", "role": "role",
    "座位号": "seat", "座位": "seat", "seat": "seat",
    "职务": "title", "title": "title",
    "任职日期": "joined_on", "joined_on": "joined_on", "joined": "joined_on",
    "离任日期": "left_on", "left_on": "left_on", "left": "left_on",
    "编号": "external_id", "external_id": "external_id", "id": "external_id",
    "代表团": "delegation", "所属代表团": "delegation", "delegation": "delegation",
}
FIELD_NAMES = {"name": "姓名", "role": "身份", "seat": "座位号", "title": "职务", "joined_on": "任职日期",
               "left_on": "离任日期", "external_id": "编号", "delegation": "代表团"}
COLUMNS = Columns(HEADERS, FIELD_NAMES, "name", msg("缺少“姓名”列"), msg("文件只有表头，没有人员"),
                  msg("名单超过{max}行，请分批导入", max=MAX_ROWS), MAX_ROWS)
ROLES_EN = {"member": "member", "observer": "observer"}
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")


class Preview(spreadsheet.Preview):
    """The valid rows (each a validated person dict with its ``row`` number) and every problem found."""

    def row_json(self, row: dict[str, Any]) -> dict[str, Any]:
        return person_json(row)


# --- checking ------------------------------------------------------------------------------------


def preview(data: bytes, filename: str, words: ballots.Words = ballots.MEMBERS) -> Preview:
    """Read and check a roster file without touching the database (refusals name members in the
    body's ``words``)."""
    result = Preview()
    if (problem := spreadsheet.whole_file_problem(data)) is not None:
        result.problems.append(problem)
        return result
    try:
        _check_rows(read_rows(data, filename), result, words)
    except FileProblem as fp:
        result.problems.append(Problem(0, fp.message, fp.code))
    return result


def _check_rows(rows: Iterator[tuple[int, list[Any]]], result: Preview, words: ballots.Words) -> None:
    seats: dict[str, int] = {}
    external_ids: dict[str, int] = {}
    table = Table()
    for number, raw in data_rows(rows, COLUMNS, result.problems, table):
        _check_row(number, raw, table.header, result, seats, external_ids, words)
    if table.too_many:
        result.rows.clear()


def _check_row(number: int, raw: list[Any], header: dict[int, str], result: Preview, seats: dict[str, int],
               external_ids: dict[str, int], words: ballots.Words) -> None:
    if extra_cells(raw, header):
        result.problems.append(Problem(number, msg("该行在没有列名的列中有内容"),
                                       "extra_cells"))
        return
    values: dict[str, Any] = {key: cell(raw[col]) if col < len(raw) else "" for col, key in header.items()}
    role = values.get("role")
    if isinstance(role, str):
        values["role"] = ROLES_EN.get(role.lower(), role) if role else "member"
    for key in ("joined_on", "left_on"):
        value = values.get(key)
        if isinstance(value, str) and (m := _CN_DATE.match(value)):
            values[key] = "-".join((m.group(1), m.group(2).zfill(2), m.group(3).zfill(2)))
    try:
        person = validate_person(values, words)
    except ServiceError:
        for problem in _row_problems(values, words):
            result.problems.append(Problem(number, problem.message, problem.code, problem.field))
        return
    ok = True
    seat = person["seat"]
    if seat is not None and person["left_on"] is None:
        if seat in seats:
            result.problems.append(Problem(number, msg("座位号{seat}与第{row}行重复", seat=seat, row=seats[seat]),
                                           "duplicate_seat", "seat"))
            ok = False
        else:
            seats[seat] = number
    ext = person["external_id"]
    if ext is not None:
        if ext in external_ids:
            result.problems.append(Problem(number, msg("编号{id}与第{row}行重复", id=ext, row=external_ids[ext]),
                                           "duplicate_id", "external_id"))
            ok = False
        else:
            external_ids[ext] = number
    if ok:
        result.rows.append({"row": number, **person})


_FIELD_OF_MESSAGE = {"name": "name", "seat": "seat", "title": "title", "id": "external_id", "delegation": "delegation",
                     "joined_on": "joined_on", "left_on": "left_on", "unknown": "role"}


def _row_problems(values: dict[str, Any], words: ballots.Words) -> list[Problem]:
    """Every problem of one row, not only the first: each field is checked on its own, then the dates
    together."""
    found: list[Problem] = []
    probes = [{"name": values.get("name")}]
    probes += [{"name": "-", key: value} for key, value in values.items() if key != "name"]
    probes.append({"name": "-", "joined_on": values.get("joined_on"), "left_on": values.get("left_on")})
    for probe in probes:
        try:
            validate_person(probe, words)
        except ServiceError as err:
            problem = Problem(0, err.message, err.code, _FIELD_OF_MESSAGE.get(err.en.split(" ", 1)[0]))
            if all(p.en != problem.en for p in found):
                found.append(problem)
    return found


def _check_against_db(session: Session, body_id: int, result: Preview) -> None:
    """Seats held by people still in office and ids already used in this body are refused."""
    taken_seats = {seat: name for seat, name in session.execute(
        select(models.Person.seat, models.Person.name).where(
            models.Person.body_id == body_id, models.Person.seat.is_not(None), models.Person.left_on.is_(None)))}
    taken_ids = {ext: name for ext, name in session.execute(
        select(models.Person.external_id, models.Person.name).where(
            models.Person.body_id == body_id, models.Person.external_id.is_not(None)))}
    for row in result.rows:
        seat, ext = row["seat"], row["external_id"]
        if seat is not None and row["left_on"] is None and seat in taken_seats:
            result.problems.append(Problem(row["row"], msg("座位号{seat}已被{name}占用", seat=seat,
                                                           name=taken_seats[seat]), "seat_taken",
                                           "seat"))
        if ext is not None and ext in taken_ids:
            result.problems.append(Problem(row["row"], msg("编号{id}已存在（{name}）", id=ext, name=taken_ids[ext]),
                                           "id_taken", "external_id"))
    result.problems.sort(key=lambda p: p.row)


@requires("manage_roster")
def check_file(store: Store, actor: Actor, body_id: int, data: bytes, filename: str) -> Preview:
    """The preview the clerk sees before importing: the file's problems and clashes with the stored roster."""
    with store.read() as s:
        result = preview(data, filename, ruleset_of(get_or_404(s, models.Body, body_id, msg("机构"))).words)
        _check_against_db(s, body_id, result)
    return result


@requires("manage_roster")
def import_roster(store: Store, actor: Actor, body_id: int, data: bytes, filename: str) -> int:
    """Import every row of a clean file in one transaction with one audit entry; otherwise nothing,
    and the refusal lists every problem (``details.problems``)."""
    with store.read() as s:
        result = preview(data, filename, ruleset_of(get_or_404(s, models.Body, body_id, msg("机构"))).words)
        if result.problems:
            _check_against_db(s, body_id, result)
            raise _refusal(result)
    with transaction(store, actor) as tx:
        get_or_404(tx.session, models.Body, body_id, msg("机构"))
        _check_against_db(tx.session, body_id, result)
        if result.problems:
            raise _refusal(result)
        people = [models.Person(body_id=body_id, **{k: v for k, v in row.items() if k != "row"})
                  for row in result.rows]
        tx.session.add_all(people)
        tx.session.flush()
        tx.audit("roster_imported", {
            "body_id": body_id, "count": len(people), "filename": str(filename)[:255],
            "sha256": hashlib.sha256(data).hexdigest(), "person_ids": [p.id for p in people]})
        return len(people)


def _refusal(result: Preview) -> Invalid:
    n = len(result.problems)
    return Invalid("roster_invalid", msg("名单有{n}处错误，未导入任何人员", n=n),
                  problems=[p.to_dict() for p in result.problems])
