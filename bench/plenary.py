"""The hall of ``bench/seats.py --plenary``: a county congress plenary (the ``congress_plenary`` preset,
deputies in 代表团) with one 票决 of livelihood projects, ``candidates`` choose ``places``, each project
answered 赞成 / 不赞成 / 弃权 (the preset's ``selection_faa`` template), as a named ballot and as
secret ones (encrypted by the tablets, or by the server). Seeded through the services, as a clerk would
(the roster imported from a file with its 代表团 column), with a tablet paired in every seat."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from support.database import start_afresh

from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.services import SYSTEM, roster

BODY = "某县人民代表大会"
SITTING = "某县第十八届人民代表大会第五次会议"
DELEGATION_SIZE = 30  # deputies per 代表团: 450 seats are 15 delegations
#: the ballots of the 票决, by the name ``seats.py`` prints: named, and secret encrypted by the tablets or the server
VARIANTS = {"named": {"secret": False, "box_encrypt": None}, "tablet": {"secret": True, "box_encrypt": "tablet"},
            "server": {"secret": True, "box_encrypt": "server"}}


def delegation(i: int) -> str:
    return f"第{i + 1}代表团"


def roster_file(deputies: int) -> bytes:
    rows = ["姓名,身份,座位号,代表团,任职日期"]
    for i in range(1, deputies + 1):
        rows.append(f"代表{i:03d},代表,{i},{delegation((i - 1) // DELEGATION_SIZE)},{demo.JOINED_ON}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def selection_spec(candidates: int, places: int) -> dict[str, Any]:
    return {"kind": "selection", "options": "for_against_abstain", "max_marks": places, "places": places,
            "candidates": [{"id": f"c{i}", "name": f"民生实事项目{i}", "amount": f"{100 * i}万元"}
                           for i in range(1, candidates + 1)]}


def choice_of(seat: int, candidates: int, places: int) -> dict[str, str]:
    """Seat ``seat``'s ballot: 赞成 for ``places`` projects in a window that turns with the seat, 不赞成
    for one more, 弃权 for the rest (a full ballot, every project answered)."""
    marked = {(seat + k) % candidates for k in range(places)}
    against = (seat + places) % candidates
    return {f"c{i + 1}": "for" if i in marked else "against" if i == against else "abstain"
            for i in range(candidates)}


def seed_plenary(url: str, seats: int, *, candidates: int = 15, places: int = 10,
                 variants: tuple[str, ...] = tuple(VARIANTS)) -> dict[str, Any]:
    """The plenary at ``url`` (a PostgreSQL database is emptied first), with the demo's staff accounts:
    ``body_id``, ``sitting_id``, ``member_ids``, ``item_id``, ``ballot_id`` (the named 票决),
    ``ballots_by_kind`` (a ballot of each of ``variants``), ``tokens`` in seat order and ``delegations``."""
    store = Store(url)
    try:
        start_afresh(store)
        for username, password, role, name in demo.STAFF:
            services.create_user(store, SYSTEM, username=username, password=password, role=role, display_name=name)
        clerk = demo.CLERK
        body_id = services.create_body(store, clerk, name=BODY, preset="congress_plenary")
        roster.import_roster(store, clerk, body_id, roster_file(seats), "代表名单.csv")
        with store.read() as s:
            member_ids = list(s.scalars(select(models.Person.id).where(models.Person.body_id == body_id)
                                        .order_by(models.Person.id)))
            delegations = sorted(set(s.scalars(select(models.Person.delegation).where(
                models.Person.body_id == body_id))))
        sitting_id = services.create_sitting(store, clerk, body_id, title=SITTING, date=dt.date.today().isoformat(),
                                             place="县会议中心", chair_name="王建国", clerk_name="何静")
        item_id = services.add_item(store, clerk, sitting_id, title="2027年县级民生实事项目票决", kind="selection")
        spec = selection_spec(candidates, places)
        ballots = {name: services.create_ballot(store, clerk, item_id, title=f"民生实事项目票决（{name}）", spec=spec,
                                                **how)
                   for name, how in VARIANTS.items() if name in {"named", *variants}}
        tokens = demo.pair_tablets(store, member_ids)
    finally:
        store.dispose()
    return {"body_id": body_id, "sitting_id": sitting_id, "member_ids": member_ids, "item_id": item_id,
            "ballot_id": ballots["named"], "ballots_by_kind": ballots, "tokens": tokens,
            "delegations": delegations, "candidates": candidates, "places": places}
