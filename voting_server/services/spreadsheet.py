"""Reading the spreadsheets clerks have: CSV (UTF-8 with or without BOM, GBK or GB18030 as saved by
Chinese Excel, UTF-16 from Excel's "Unicode text"; comma, tab, semicolon or full-width comma) and XLSX
(openpyxl, first worksheet, a zip bomb refused unread). Rows come numbered as the spreadsheet shows
them; a file that is neither raises ``FileProblem`` with words for the clerk."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..i18n import Bilingual, Words, msg

MAX_XLSX_UNPACKED = 100 * 2**20


class FileProblem(Exception):
    """What is wrong with the file as a whole: a code and words for the clerk."""

    def __init__(self, code: str, message: Words) -> None:
        self.code, self.message = code, message
        super().__init__(message.render("en"))


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
    """The valid rows (each a dict with its ``row`` number) and every problem found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def row_json(self, row: dict[str, Any]) -> dict[str, Any]:
        return row

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "count": len(self.rows), "rows": [self.row_json(r) for r in self.rows],
                "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class Columns:
    """The columns of a kind of file: header text (lower case, no spaces) -> field, each field's name as
    the clerk reads it, the field whose column tells the header line (``required``) and the words for a
    file without it, or with a header and no rows, or with too many rows."""

    headers: dict[str, str]
    names: dict[str, str]
    required: str
    missing: Words
    no_rows: Words
    too_many: Words
    max_rows: int
    max_columns: int = 50
    search_rows: int = 10  # a title line such as "某县人大常委会组成人员名单" may sit above the header


@dataclass
class Table:
    """What ``data_rows`` found: the header (column -> field), its row, and whether it stopped at the limit."""

    header: dict[int, str] = field(default_factory=dict)
    header_row: int = 0
    too_many: bool = False


def whole_file_problem(data: bytes, max_bytes: int | None = None) -> Problem | None:
    """What is wrong with a file before any row is read: larger than ``max_bytes`` (read no further), or
    empty (nothing but blanks and a BOM)."""
    if max_bytes is not None and len(data) > max_bytes:
        return Problem(0, msg("文件超过{max_mb}MB上限", max_mb=max_bytes // 2**20), "file_too_large")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return Problem(0, msg("文件为空"), "empty_file")
    return None


def header_key(text: Any) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", str(text)).lower()


def data_rows(rows: Iterator[tuple[int, list[Any]]], columns: Columns, problems: list[Problem],
              table: Table) -> Iterator[tuple[int, list[Any]]]:
    """The non-blank rows under the header line (the first of the first ``search_rows`` lines that names
    the required column), each with its number; every problem of the header or the file goes to
    ``problems`` (and then no row comes)."""
    found = False
    before_header: list[tuple[int, list[Any]]] = []  # non-empty lines not (yet) recognised as the header
    count = 0
    for number, raw in rows:
        if blank(raw):
            continue
        if not found:
            if columns.required in {columns.headers.get(header_key(v)) for v in raw}:
                header = read_header(number, raw, columns, problems)
                if header is None:
                    return
                found, table.header, table.header_row = True, header, number
                continue
            before_header.append((number, raw))
            if len(before_header) < columns.search_rows:
                continue
            break  # no line names the required column
        count += 1
        if count > columns.max_rows:
            problems.append(Problem(0, columns.too_many, "too_many_rows"))
            table.too_many = True
            return
        yield number, raw
    if not found:
        if before_header:  # report against the first non-empty line, which should have been the header
            read_header(*before_header[0], columns, problems)
        else:
            problems.append(Problem(0, msg("文件为空"), "empty_file"))
    elif count == 0:
        problems.append(Problem(table.header_row, columns.no_rows, "no_rows"))


def read_header(number: int, raw: list[Any], columns: Columns, problems: list[Problem]) -> dict[int, str] | None:
    header: dict[int, str] = {}
    before = len(problems)
    for col, value in enumerate(raw[:columns.max_columns + 1]):
        text = cell(value)
        text = text.isoformat() if isinstance(text, (dt.date, dt.datetime)) else text
        if text == "":
            continue
        if col >= columns.max_columns:
            problems.append(Problem(number, msg("列数超过{max}列", max=columns.max_columns), "too_many_columns"))
            break
        key = columns.headers.get(header_key(text))
        if key is None:
            known = Bilingual("、".join(columns.names.values()), ", ".join(columns.names))
            problems.append(Problem(number, msg("无法识别的列名：“{column}”（可用：{known}）", column=text[:30],
                                                known=known), "unknown_header"))
        elif key in header.values():
            problems.append(Problem(number, msg("列名重复：“{column}”", column=text[:30]), "duplicate_header", key))
        else:
            header[col] = key
    if columns.required not in header.values():
        problems.append(Problem(number, columns.missing, "missing_header", columns.required))
    return None if len(problems) > before else header


def extra_cells(raw: list[Any], header: dict[int, str]) -> bool:
    """Whether the row has something in a column without a header."""
    return any(col not in header and cell(v) != "" for col, v in enumerate(raw))


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a CSV or XLSX file (the first worksheet), each with its number as the spreadsheet
    shows it; FileProblem when the file cannot be read as either."""
    return _csv_rows(data) if _kind(data, filename) == "csv" else _xlsx_rows(data)


def _kind(data: bytes, filename: str) -> str:
    name = (filename or "").strip().lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    is_zip = data[:4] == b"PK\x03\x04"
    if ext == "xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem("old_excel", msg("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV"))
    if ext == "xlsx":
        if not is_zip:
            raise FileProblem("not_xlsx", msg("文件扩展名是 .xlsx，但内容不是 Excel 工作簿"))
        return "xlsx"
    if ext in ("csv", "txt"):
        if is_zip or (b"\x00" in data[:4096] and data[:2] not in _UTF16_BOMS):
            raise FileProblem("not_csv", msg("文件扩展名是 .csv，但内容不是文本"))
        return "csv"
    raise FileProblem("bad_file_type", msg("只能导入 CSV 或 XLSX 文件"))


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
    raise FileProblem("bad_encoding", msg("无法识别文件编码（应为 UTF-8 或 GBK）"))


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
        raise FileProblem("bad_csv", msg("CSV 格式错误（第{line}行）", line=reader.line_num, error=str(err))) from err


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
        raise FileProblem("xlsx_too_large", msg("该 Excel 文件解压后过大，请只保留名单工作表",
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
            raise FileProblem("not_xlsx", msg("无法读取该 Excel 文件（可能已损坏）",
                                               error=type(err).__name__)) from err
    finally:
        wb.close()


def _unreadable(err: Exception) -> FileProblem:
    # TRANSLATORS: {error} (the name of the error) is for English only
    return FileProblem("not_xlsx", msg("无法读取该 Excel 文件（可能已损坏或不是 .xlsx）", error=type(err).__name__))


def cell(value: Any) -> Any:
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


def blank(row: Iterable[Any]) -> bool:
    return all(cell(v) == "" for v in row)
