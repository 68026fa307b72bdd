"""The seat map of a body's hall: rows × seats, each cell a seat label or a gap, and zones (主席台, a
代表团's block) with a name and a colour. People are placed on it by their roster ``seat``.

``save_hall`` stores the map the clerk drew; ``check_hall_file`` reads a CSV or XLSX file (by
``spreadsheet``, one line per seat: 排, 座, 座位号, 区域, 颜色) and lists every bad row, changing nothing;
``import_hall`` stores the map a clean file describes, or nothing. Sizes are bounded (``MAX_ROWS`` ×
``MAX_SEATS``, ``MAX_ZONES``, the length of labels and names) so that no request makes the server do
unbounded work. ``hall_of`` is what the consoles' live map reads: the map, and whose tablets are online."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select

from .. import models
from ..db import Store
from ..i18n import msg
from . import spreadsheet
from .base import Actor, Invalid, get_or_404, requires, transaction, utcnow
from .devices import online_clause
from .spreadsheet import Columns, FileProblem, Problem, Table, cell, data_rows, extra_cells, read_rows

MAX_ROWS = 60  # rows of a hall
MAX_SEATS = 60  # seats (cells) of a row
MAX_ZONES = 40
MAX_FILE_BYTES = 2 * 2**20  # a file of 3,600 seats is some 100 KB
SEAT_LABEL_LEN = 20  # as a person's seat (bodies.SEAT)
ZONE_NAME_LEN = 40
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# colours of zones a file names without one (distinct from the map's status colours)
PALETTE = ("#dbe7f7", "#f6e3c6", "#e2d9f3", "#d5efe9", "#f7d9e3", "#e9edc9", "#d9e2ec", "#f3e1d2")

HEADERS: dict[str, str] = {
    "排": "row", "排号": "row", "行": "row", "row": "row",
    "座": "seat", "座次": "seat", "列": "seat", "号": "seat", "seat": "seat", "column": "seat",
    "座位号": "label", "座位": "label", "label": "label",
    "区域": "zone", "分区": "zone", "代表团": "zone", "zone": "zone",
    "颜色": "colour", "colour": "colour", "color": "colour",
}
FIELD_NAMES = {"row": "排", "seat": "座", "label": "座位号", "zone": "区域", "colour": "颜色"}
MAX_FILE_ROWS = MAX_ROWS * MAX_SEATS
COLUMNS = Columns(HEADERS, FIELD_NAMES, "label", msg("缺少“座位号”列"), msg("文件只有表头，没有座位"),
                  msg("座位表超过{max}行", max=MAX_FILE_ROWS), MAX_FILE_ROWS, max_columns=10)


def is_seat_label(text: str) -> bool:
    """A label or a zone's name is one line of printable text."""
    return not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _bad(message: Any) -> Invalid:
    return Invalid("bad_hall", message)


def _where(r: int, c: int) -> str:
    return f"{r + 1}-{c + 1}"


def _size(value: object, what: Any, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
        raise _bad(msg("{what}必须是1到{max}之间的整数", what=what, max=hi))
    return value


def _label(value: object, r: int, c: int) -> str | None:
    """A cell: None (a gap) or a seat's label ("" for a seat not numbered yet)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(msg("第{row}排第{seat}座：座位号必须是文字", row=r + 1, seat=c + 1))
    label = value.strip()
    if len(label) > SEAT_LABEL_LEN:
        raise _bad(msg("第{row}排第{seat}座：座位号不能超过{max}个字", row=r + 1, seat=c + 1, max=SEAT_LABEL_LEN))
    if label and not is_seat_label(label):
        raise _bad(msg("第{row}排第{seat}座：座位号含有无效字符", row=r + 1, seat=c + 1))
    return label


def _zone(value: object, i: int) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) - {"name", "colour"}:
        raise _bad(msg("第{n}个区域格式错误（应有名称和颜色）", n=i + 1))
    name, colour = value.get("name"), value.get("colour")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > ZONE_NAME_LEN or not is_seat_label(name.strip()):
        raise _bad(msg("第{n}个区域：名称必须是1到{max}个字", n=i + 1, max=ZONE_NAME_LEN))
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise _bad(msg("第{n}个区域：颜色应为#rrggbb", n=i + 1))
    return {"name": name.strip(), "colour": colour.lower()}


def check_layout(raw: object) -> dict[str, Any]:
    """The map as stored, from what the editor sent: ``rows``, ``cols`` (seats per row), ``seats`` (rows ×
    cols: a label, "" for a seat not numbered yet, null for a gap), ``zones`` ([{name, colour}]) and
    ``zone_of`` (rows × cols: a zone's index or null). Labels and zone names are unique. Raise
    ``bad_hall`` naming the first thing wrong (rows and seats counted from 1)."""
    if not isinstance(raw, Mapping):
        raise _bad(msg("座位图格式错误：应为对象"))
    unknown = set(raw) - {"rows", "cols", "seats", "zones", "zone_of"}
    if unknown:
        raise _bad(msg("座位图格式错误：未知字段{field}", field=str(sorted(unknown, key=str)[0])[:30]))
    rows = _size(raw.get("rows"), msg("排数"), MAX_ROWS)
    cols = _size(raw.get("cols"), msg("每排座位数"), MAX_SEATS)
    zones_raw = raw.get("zones", [])
    if not isinstance(zones_raw, list) or len(zones_raw) > MAX_ZONES:
        raise _bad(msg("区域应为列表，最多{max}个", max=MAX_ZONES))
    zones = [_zone(z, i) for i, z in enumerate(zones_raw)]
    names: set[str] = set()
    for z in zones:
        if z["name"] in names:
            raise _bad(msg("区域名称重复：{name}", name=z["name"]))
        names.add(z["name"])
    seats = _grid(raw.get("seats"), rows, cols, msg("座位"))
    zone_of = _grid(raw.get("zone_of", [[None] * cols for _ in range(rows)]), rows, cols, msg("区域"))
    labels: dict[str, str] = {}
    out_seats: list[list[str | None]] = []
    out_zones: list[list[int | None]] = []
    for r in range(rows):
        seat_row: list[str | None] = []
        zone_row: list[int | None] = []
        for c in range(cols):
            label = _label(seats[r][c], r, c)
            if label:
                if label in labels:
                    raise _bad(msg("座位号{label}重复（第{first}座与第{second}座）", label=label, first=labels[label],
                                   second=_where(r, c)))
                labels[label] = _where(r, c)
            index = zone_of[r][c]
            if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                                      or not 0 <= index < len(zones)):
                raise _bad(msg("第{row}排第{seat}座：区域编号无效", row=r + 1, seat=c + 1))
            seat_row.append(label)
            zone_row.append(index if label is not None else None)
        out_seats.append(seat_row)
        out_zones.append(zone_row)
    return {"rows": rows, "cols": cols, "seats": out_seats, "zones": zones, "zone_of": out_zones}


def _grid(value: object, rows: int, cols: int, what: Any) -> list[list[object]]:
    if (not isinstance(value, list) or len(value) != rows
            or not all(isinstance(row, list) and len(row) == cols for row in value)):
        raise _bad(msg("{what}应为{rows}排、每排{cols}个的表格", what=what, rows=rows, cols=cols))
    return value


def seat_count(layout: Mapping[str, Any]) -> int:
    return sum(1 for row in layout["seats"] for label in row if label is not None)


# --- reading ---------------------------------------------------------------------------------------


def layout_of(s: Any, body_id: int) -> dict[str, Any] | None:
    row = s.get(models.HallLayout, body_id)
    return None if row is None else row.layout


def online_people(s: Any, body_id: int) -> list[int]:
    """The people of a body with a paired tablet connected now."""
    q = (select(models.Device.person_id).join(models.Person, models.Person.id == models.Device.person_id)
         .where(models.Person.body_id == body_id, online_clause(utcnow()),
                models.Device.revoked_at.is_(None), models.Device.token_hash.is_not(None))
         .distinct().order_by(models.Device.person_id))
    return list(s.scalars(q))


@requires("read_setup")
def hall_of(store: Store, actor: Actor, body_id: int) -> dict[str, Any]:
    """The body's seat map (None until one is drawn) and the people whose tablet is online."""
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
        return {"body_id": body_id, "hall": layout_of(s, body_id), "online": online_people(s, body_id)}


# --- writing ---------------------------------------------------------------------------------------


def _store(store: Store, actor: Actor, body_id: int, layout: dict[str, Any], extra: dict[str, Any]) -> dict[str, int]:
    with transaction(store, actor) as tx:
        get_or_404(tx.session, models.Body, body_id, msg("机构"))
        row = tx.session.get(models.HallLayout, body_id)
        now = utcnow()
        if row is None:
            tx.session.add(models.HallLayout(body_id=body_id, layout=layout, updated_at=now))
        else:
            row.layout, row.updated_at = layout, now
        count = seat_count(layout)
        tx.audit("hall_saved", {"body_id": body_id, "rows": layout["rows"], "cols": layout["cols"],
                                "seats": count, **extra, "layout": layout})
        return {"rows": layout["rows"], "cols": layout["cols"], "seats": count}


@requires("manage_body")
def save_hall(store: Store, actor: Actor, body_id: int, *, layout: Mapping[str, object]) -> dict[str, int]:
    """Store the map the clerk drew (replacing the body's map); refused whole when anything in it is wrong."""
    checked = check_layout(layout)
    return _store(store, actor, body_id, checked, {"source": "editor"})


class HallPreview(spreadsheet.Preview):
    """The seats of a file (each with its ``row`` number) and every problem; ``hall``: the map they make."""

    hall: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "hall": self.hall if self.ok else None,
                "seats": len(self.rows), "zones": len(self.hall["zones"]) if self.ok and self.hall else 0}


def preview(data: bytes, filename: str) -> HallPreview:
    """Read and check a seat-map file without touching the database."""
    result = HallPreview()
    if (problem := spreadsheet.whole_file_problem(data, MAX_FILE_BYTES)) is not None:
        result.problems.append(problem)
        return result
    try:
        _check_rows(read_rows(data, filename), result)
    except FileProblem as fp:
        result.problems.append(Problem(0, fp.message, fp.code))
    if not result.problems and result.rows:
        result.hall = _layout_from(result.rows)
    return result


def _position(value: Any, number: int, what: Any, hi: int, field: str, problems: list[Problem]) -> int | None:
    text = value if isinstance(value, str) else str(value)
    if not re.fullmatch(r"\d{1,3}", text) or not 1 <= int(text) <= hi:
        problems.append(Problem(number, msg("{what}必须是1到{max}之间的整数", what=what, max=hi), "bad_position", field))
        return None
    return int(text)


def _check_rows(rows: Iterator[tuple[int, list[Any]]], result: HallPreview) -> None:
    table = Table()
    places: dict[tuple[int, int], int] = {}
    labels: dict[str, int] = {}
    colours: dict[str, tuple[str, int]] = {}
    for number, raw in data_rows(rows, COLUMNS, result.problems, table):
        if not {"row", "seat"} <= set(table.header.values()):
            missing = [FIELD_NAMES[k] for k in ("row", "seat") if k not in table.header.values()]
            result.problems.append(Problem(table.header_row, msg("缺少“{columns}”列", columns="”“".join(missing)),
                                           "missing_header"))
            return
        if extra_cells(raw, table.header):
            result.problems.append(Problem(number, msg("该行在没有列名的列中有内容"), "extra_cells"))
            continue
        values = {key: cell(raw[col]) if col < len(raw) else "" for col, key in table.header.items()}
        values = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
        before = len(result.problems)
        r = _position(values.get("row", ""), number, msg("排号"), MAX_ROWS, "row", result.problems)
        c = _position(values.get("seat", ""), number, msg("座号"), MAX_SEATS, "seat", result.problems)
        label = str(values.get("label", ""))
        if not label:
            result.problems.append(Problem(number, msg("请填写座位号"), "missing_text", "label"))
        elif len(label) > SEAT_LABEL_LEN:
            result.problems.append(Problem(number, msg("座位号不能超过{max}个字", max=SEAT_LABEL_LEN), "text_too_long",
                                           "label"))
        elif not is_seat_label(label):
            result.problems.append(Problem(number, msg("座位号含有无效字符"), "bad_characters", "label"))
        elif label in labels:
            result.problems.append(Problem(number, msg("座位号{label}与第{row}行重复", label=label, row=labels[label]),
                                           "duplicate_seat", "label"))
        else:
            labels[label] = number
        zone, colour = str(values.get("zone", "")), str(values.get("colour", ""))
        if len(zone) > ZONE_NAME_LEN or (zone and not is_seat_label(zone)):
            result.problems.append(Problem(number, msg("区域名称必须是1到{max}个字", max=ZONE_NAME_LEN), "bad_zone",
                                           "zone"))
        elif colour and not zone:
            result.problems.append(Problem(number, msg("填写了颜色但没有区域"), "bad_zone", "colour"))
        elif colour and not COLOUR.match(colour):
            result.problems.append(Problem(number, msg("颜色应为#rrggbb（如#dbe7f7）"), "bad_colour", "colour"))
        elif zone:
            known = colours.get(zone)
            if known is not None and colour and known[0] and colour.lower() != known[0]:
                result.problems.append(Problem(number, msg("区域{zone}的颜色与第{row}行不同", zone=zone, row=known[1]),
                                               "zone_colour", "colour"))
            elif known is None:
                if len(colours) >= MAX_ZONES:
                    result.problems.append(Problem(number, msg("区域超过{max}个", max=MAX_ZONES), "too_many_zones",
                                                   "zone"))
                else:
                    colours[zone] = (colour.lower(), number)
            elif not known[0] and colour:
                colours[zone] = (colour.lower(), known[1])
        if r is not None and c is not None:
            if (r, c) in places:
                result.problems.append(Problem(number, msg("第{r}排第{c}座与第{row}行重复", r=r, c=c, row=places[(r, c)]),
                                               "duplicate_place"))
            else:
                places[(r, c)] = number
        if len(result.problems) == before:
            result.rows.append({"row": number, "r": r, "c": c, "label": label, "zone": zone or None,
                                "colour": colour.lower() or None})
    if table.too_many:
        result.rows.clear()


def _layout_from(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The map a clean file makes: as many rows and seats as its largest numbers; cells not named are gaps."""
    n_rows = max(row["r"] for row in rows)
    n_cols = max(row["c"] for row in rows)
    zones: list[dict[str, str]] = []
    index: dict[str, int] = {}
    for row in rows:
        name = row["zone"]
        if name is None:
            continue
        if name not in index:
            index[name] = len(zones)
            zones.append({"name": name, "colour": row["colour"] or PALETTE[len(zones) % len(PALETTE)]})
        elif row["colour"]:
            zones[index[name]]["colour"] = row["colour"]
    seats: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    zone_of: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    for row in rows:
        seats[row["r"] - 1][row["c"] - 1] = row["label"]
        zone_of[row["r"] - 1][row["c"] - 1] = index[row["zone"]] if row["zone"] is not None else None
    return check_layout({"rows": n_rows, "cols": n_cols, "seats": seats, "zones": zones, "zone_of": zone_of})


@requires("manage_body")
def check_hall_file(store: Store, actor: Actor, body_id: int, data: bytes, filename: str) -> HallPreview:
    """The preview the clerk sees before importing a seat map: every problem of the file, and the map."""
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
    return preview(data, filename)


@requires("manage_body")
def import_hall(store: Store, actor: Actor, body_id: int, data: bytes, filename: str) -> dict[str, int]:
    """Store the map of a clean file (replacing the body's map) with one audit entry; otherwise nothing,
    and the refusal lists every problem (``details.problems``)."""
    with store.read() as s:
        get_or_404(s, models.Body, body_id, msg("机构"))
    result = preview(data, filename)
    if result.problems or result.hall is None:
        n = len(result.problems)
        raise Invalid("hall_invalid", msg("座位表有{n}处错误，未导入", n=n),
                      problems=[p.to_dict() for p in result.problems])
    return _store(store, actor, body_id, result.hall, {
        "source": "import", "filename": str(filename)[:255], "sha256": hashlib.sha256(data).hexdigest()})
