"""Roster import from the files clerks actually have: CSV (UTF-8 with or without BOM, or GBK as saved by
Chinese Excel) and XLSX. Columns are found by their Chinese or English header.

``preview`` reads a file and lists every bad row (row numbers as the spreadsheet shows them; row 0 is
the file as a whole); ``import_roster`` imports all rows in one transaction, or nothing when any row
is bad or clashes with the people already stored."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..i18n import Bilingual, Words, msg
from .base import Actor, Invalid, ServiceError, get_or_404, requires, transaction
from .bodies import person_json, validate_person

MAX_ROWS = 5000
MAX_COLUMNS = 50
MAX_XLSX_UNPACKED = 100 * 2**20
HEADER_SEARCH_ROWS = 10  # a title line such as "某县人大常委会组成人员名单" may sit above the header

# header text (lower case, no spaces) -> field
HEADERS: dict[str, str] = {
    "姓名": "name", "name": "name",
    "身份": "role", "role": "role",
    "座位号": "seat", "座位": "seat", "seat": "seat",
    "职务": "title", "title": "title",
    "任职日期": "joined_on", "joined_on": "joined_on", "joined": "joined_on",
    "离任日期": "left_on", "left_on": "left_on", "left": "left_on",
    "编号": "external_id", "external_id": "external_id", "id": "external_id",
}
FIELD_NAMES = {"name": "姓名", "role": "身份", "seat": "座位号", "title": "职务", "joined_on": "任职日期",
               "left_on": "离任日期", "external_id": "编号"}
ROLES_EN = {"member": "member", "observer": "observer"}
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: ``row`` is the spreadsheet row (0: the whole file)."""

    row: int
    message: Words
    code: str = "bad_row"
    field: str | None = None

    @property
    def zh(self) -> str:
        return self.message.render("zh")

    @property
    def en(self) -> str:
        return self.message.render("en")

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "field": self.field, "zh": self.zh, "en": self.en}


@dataclass
class Preview:
    """The valid rows (each a validated person dict with its ``row`` number) and every problem found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "count": len(self.rows), "rows": [person_json(r) for r in self.rows],
                "problems": [p.to_dict() for p in self.problems]}


class _FileProblem(Exception):
    """A problem of the file as a whole (row 0)."""

    def __init__(self, code: str, message: Words) -> None:
        self.problem = Problem(0, message, code)
        super().__init__(self.problem.en)


# --- reading the file ---------------------------------------------------------------------------


def _kind(data: bytes, filename: str) -> str:
    name = (filename or "").strip().lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    is_zip = data[:4] == b"PK\x03\x04"
    if ext == "xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _FileProblem("old_excel", msg("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV"))
    if ext == "xlsx":
        if not is_zip:
            raise _FileProblem("not_xlsx", msg("文件扩展名是 .xlsx，但内容不是 Excel 工作簿"))
        return "xlsx"
    if ext in ("csv", "txt"):
        if is_zip or (b"\x00" in data[:4096] and data[:2] not in _UTF16_BOMS):
            raise _FileProblem("not_csv", msg("文件扩展名是 .csv，但内容不是文本"))
        return "csv"
    raise _FileProblem("bad_file_type", msg("只能导入 CSV 或 XLSX 文件"))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export


def _decode(data: bytes) -> str:
    if data[:2] in _UTF16_BOMS:
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 is a superset of GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _FileProblem("bad_encoding", msg("无法识别文件编码（应为 UTF-8 或 GBK）"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as err:
        # TRANSLATORS: {error} (what the CSV reader found, in English) is for English only
        raise _FileProblem("bad_csv", msg("CSV 格式错误（第{line}行）", line=reader.line_num, error=str(err))) from err


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import warnings

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as err:
        raise _unreadable(err) from err
    if unpacked > MAX_XLSX_UNPACKED:  # a roster of 5,000 people is a few MB; refuse a zip bomb unread
        # TRANSLATORS: {limit} (in MB) is for English only
        raise _FileProblem("xlsx_too_large", msg("该 Excel 文件解压后过大，请只保留名单工作表",
                                                 limit=MAX_XLSX_UNPACKED // 2**20))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # zip, XML or workbook structure errors: all mean "not a usable workbook"
        raise _unreadable(err) from err
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            return
        try:
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, list(row)
        except Exception as err:
            # TRANSLATORS: {error} (the name of the error) is for English only
            raise _FileProblem("not_xlsx", msg("无法读取该 Excel 文件（可能已损坏）",
                                               error=type(err).__name__)) from err
    finally:
        wb.close()


def _unreadable(err: Exception) -> _FileProblem:
    # TRANSLATORS: {error} (the name of the error) is for English only
    return _FileProblem("not_xlsx", msg("无法读取该 Excel 文件（可能已损坏或不是 .xlsx）", error=type(err).__name__))


def _cell(value: Any) -> Any:
    """A spreadsheet cell as the validator wants it: text trimmed, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return str(value).strip()


def _blank(row: Iterable[Any]) -> bool:
    return all(_cell(v) == "" for v in row)


def _header_key(text: Any) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", str(text)).lower()


# --- checking ------------------------------------------------------------------------------------


def preview(data: bytes, filename: str) -> Preview:
    """Read and check a roster file without touching the database."""
    result = Preview()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        result.problems.append(Problem(0, msg("文件为空"), "empty_file"))
        return result
    try:
        kind = _kind(data, filename)
        rows = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
        _check_rows(rows, result)
    except _FileProblem as fp:
        result.problems.append(fp.problem)
    return result


def _check_rows(rows: Iterator[tuple[int, list[Any]]], result: Preview) -> None:
    problems = result.problems
    header: dict[int, str] | None = None
    header_row = 0
    before_header: list[tuple[int, list[Any]]] = []  # non-empty lines not (yet) recognised as the header
    data_rows = 0
    seats: dict[str, int] = {}
    external_ids: dict[str, int] = {}
    for number, raw in rows:
        if _blank(raw):
            continue
        if header is None:
            keys = {_header_key(v) for v in raw}
            if "name" in {HEADERS.get(k) for k in keys}:
                header, header_row = _read_header(number, raw, problems), number
                if header is None:
                    return
                continue
            before_header.append((number, raw))
            if len(before_header) < HEADER_SEARCH_ROWS:
                continue
            break  # no line names the 姓名 column
        data_rows += 1
        if data_rows > MAX_ROWS:
            problems.append(Problem(0, msg("名单超过{max}行，请分批导入", max=MAX_ROWS), "too_many_rows"))
            result.rows.clear()
            return
        _check_row(number, raw, header, result, seats, external_ids)
    if header is None:
        if before_header:  # report against the first non-empty line, which should have been the header
            _read_header(*before_header[0], problems)
        else:
            problems.append(Problem(0, msg("文件为空"), "empty_file"))
    elif data_rows == 0:
        problems.append(Problem(header_row, msg("文件只有表头，没有人员"), "no_rows"))


def _read_header(number: int, raw: list[Any], problems: list[Problem]) -> dict[int, str] | None:
    header: dict[int, str] = {}
    before = len(problems)
    for col, value in enumerate(raw[:MAX_COLUMNS + 1]):
        text = _cell(value)
        text = text.isoformat() if isinstance(text, (dt.date, dt.datetime)) else text
        if text == "":
            continue
        if col >= MAX_COLUMNS:
            problems.append(Problem(number, msg("列数超过{max}列", max=MAX_COLUMNS),
                                    "too_many_columns"))
            break
        key = HEADERS.get(_header_key(text))
        if key is None:
            known = Bilingual("、".join(FIELD_NAMES.values()), ", ".join(FIELD_NAMES))
            problems.append(Problem(number, msg("无法识别的列名：“{column}”（可用：{known}）", column=text[:30],
                                                known=known), "unknown_header"))
        elif key in header.values():
            problems.append(Problem(number, msg("列名重复：“{column}”", column=text[:30]),
                                    "duplicate_header", key))
        else:
            header[col] = key
    if "name" not in header.values():
        problems.append(Problem(number, msg("缺少“姓名”列"), "missing_header", "name"))
    return None if len(problems) > before else header


def _check_row(number: int, raw: list[Any], header: dict[int, str], result: Preview, seats: dict[str, int],
               external_ids: dict[str, int]) -> None:
    extra = [v for col, v in enumerate(raw) if col not in header and _cell(v) != ""]
    if extra:
        result.problems.append(Problem(number, msg("该行在没有列名的列中有内容"),
                                       "extra_cells"))
        return
    values: dict[str, Any] = {key: _cell(raw[col]) if col < len(raw) else "" for col, key in header.items()}
    role = values.get("role")
    if isinstance(role, str):
        values["role"] = ROLES_EN.get(role.lower(), role) if role else "member"
    for key in ("joined_on", "left_on"):
        value = values.get(key)
        if isinstance(value, str) and (m := _CN_DATE.match(value)):
            values[key] = "-".join((m.group(1), m.group(2).zfill(2), m.group(3).zfill(2)))
    try:
        person = validate_person(values)
    except ServiceError:
        for problem in _row_problems(values):
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


_FIELD_OF_MESSAGE = {"name": "name", "seat": "seat", "title": "title", "id": "external_id",
                     "joined_on": "joined_on", "left_on": "left_on", "unknown": "role"}


def _row_problems(values: dict[str, Any]) -> list[Problem]:
    """Every problem of one row, not only the first: each field is checked on its own, then the dates
    together."""
    found: list[Problem] = []
    probes = [{"name": values.get("name")}]
    probes += [{"name": "-", key: value} for key, value in values.items() if key != "name"]
    probes.append({"name": "-", "joined_on": values.get("joined_on"), "left_on": values.get("left_on")})
    for probe in probes:
        try:
            validate_person(probe)
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
    result = preview(data, filename)
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        _check_against_db(s, body_id, result)
    return result


@requires("manage_roster")
def import_roster(store: Store, actor: Actor, body_id: int, data: bytes, filename: str) -> int:
    """Import every row of a clean file in one transaction with one audit entry; otherwise nothing,
    and the refusal lists every problem (``details.problems``)."""
    result = preview(data, filename)
    if result.problems:
        with store.read() as s:
            get_or_404(s, models.Body, body_id, msg("机构"))
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
