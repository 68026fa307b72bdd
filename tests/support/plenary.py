"""A county congress plenary seeded through the services, as a clerk would: the demo's staff accounts, a
body with the ``congress_plenary`` preset, its deputies in 代表团 imported from a roster file (its
代表团 column), one sitting planned, and tablets paired -- by a one-time pairing code (the device tokens
a load generator connects with) or by seat number and PIN (for a real browser to pair). Shared by
``bench/plenary.py`` and the browser test of the plenary."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.services import SYSTEM, halls, roster

from .database import start_afresh

BODY = "某县人民代表大会"
SITTING = "某县第十八届人民代表大会第五次会议"
DELEGATION_SIZE = 30  # deputies per 代表团: 300 seats are 10 delegations, 450 are 15


def delegation(i: int) -> str:
    return f"第{i + 1}代表团"


def deputy(seat: int) -> str:
    """The name of the deputy in seat ``seat`` (1, 2, ...)."""
    return f"代表{seat:03d}"


def roster_file(deputies: int) -> bytes:
    rows = ["姓名,身份,座位号,代表团,任职日期"]
    for i in range(1, deputies + 1):
        rows.append(f"{deputy(i)},代表,{i},{delegation((i - 1) // DELEGATION_SIZE)},{demo.JOINED_ON}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def hall_file(deputies: int, per_row: int = 20) -> bytes:
    """The seat map of the hall as a clerk imports it (排, 座, 座位号, 区域): ``per_row`` seats a row with
    the aisle in the middle, each seat in its 代表团's zone."""
    rows = ["排,座,座位号,区域"]
    for i in range(deputies):
        col = i % per_row + 1
        rows.append(f"{i // per_row + 1},{col + (col > per_row // 2)},{i + 1},{delegation(i // DELEGATION_SIZE)}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def seed_plenary_hall(store: Store, seats: int, *, pin_seats: Iterable[int] = (), seat_map: bool = False
                      ) -> dict[str, Any]:
    """An empty database at ``store`` made into the plenary: ``body_id``, ``sitting_id``, ``member_ids``
    in seat order, ``delegations``, and ``tokens`` (a tablet paired for every seat not in ``pin_seats``,
    by seat: ``tokens[seat]``); the deputies of ``pin_seats`` get the demo PIN, for a browser to pair.
    With ``seat_map``, the hall's seat map imported from :func:`hall_file`."""
    start_afresh(store)
    for username, password, role, name in demo.STAFF:
        services.create_user(store, SYSTEM, username=username, password=password, role=role, display_name=name)
    clerk = demo.CLERK
    body_id = services.create_body(store, clerk, name=BODY, preset="congress_plenary")
    roster.import_roster(store, clerk, body_id, roster_file(seats), "代表名单.csv")
    if seat_map:
        halls.import_hall(store, clerk, body_id, hall_file(seats), "会场座位图.csv")
    with store.read() as s:
        member_ids = list(s.scalars(select(models.Person.id).where(models.Person.body_id == body_id)
                                    .order_by(models.Person.id)))
        delegations = sorted({d for d in s.scalars(select(models.Person.delegation).where(
            models.Person.body_id == body_id)) if d})
    sitting_id = services.create_sitting(store, clerk, body_id, title=SITTING, date=dt.date.today().isoformat(),
                                         place="县会议中心", chair_name="王建国", clerk_name="何静")
    by_pin = set(pin_seats)
    for seat in by_pin:
        services.set_pin(store, clerk, member_ids[seat - 1], demo.DEMO_PIN)
    paired = [seat for seat in range(1, seats + 1) if seat not in by_pin]
    tokens = dict(zip(paired, demo.pair_tablets(store, [member_ids[seat - 1] for seat in paired]), strict=True))
    return {"body_id": body_id, "sitting_id": sitting_id, "member_ids": member_ids, "delegations": delegations,
            "tokens": tokens}
