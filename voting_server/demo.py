"""A believable demo: a 15-member county standing committee, two observers, staff accounts and one
sitting with a resolution, two appointment questions and an evaluation of three departments.

``seed`` builds it through the services, as a clerk would (accounts, the body, its roster imported from
a file, PINs, the sitting and its agenda). Its arguments make the same body at any size, as the
benchmarks and load tests do: ``seed(store, members=2000, observers=0, pin=None, agenda=AGENDA[:1])``
and ``pair_tablets`` for a tablet in every seat."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from . import models, services
from .db import Store
from .services import SYSTEM, Actor, roster

MEMBERS = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄志强", "周丽华", "吴刚",
           "徐明", "孙红梅", "马骏", "朱晓燕", "胡海"]
TITLES = ["主任", "副主任", "副主任", "副主任", "秘书长"] + ["委员"] * 10
OBSERVERS = [("林晓东", "县人民政府副县长"), ("郭文华", "县监察委员会副主任")]
JOINED_ON = "2021-10-01"
DEMO_PIN = "2468"
STAFF = [("admin", "admin-demo-2026", "admin", "系统管理员"), ("chair", "chair-demo-2026", "chair", "王建国"),
         ("clerk", "clerk-demo-2026", "clerk", "办公室 何静"), ("display", "display-demo-2026", "display", "大屏")]
CLERK = Actor(role="clerk", name="办公室 何静")


@dataclass(frozen=True)
class Item:
    """An agenda item and its ballots: (title or None for the item's, spec)."""

    title: str
    kind: str
    ballots: tuple[tuple[str | None, dict[str, Any]], ...]


AGENDA = (
    Item("关于批准2026年县级预算调整方案的决议（草案）", "resolution",
         ((None, {"kind": "resolution", "question": "表决通过预算调整方案决议"}),)),
    Item("人事任免事项", "appointment", (
        ("免去陈立新的县教育局局长职务", {"kind": "appointment", "persons": [
            {"id": "p1", "name": "陈立新", "post": "县教育局局长", "action": "remove"}]}),
        ("任命许文涛为县教育局局长", {"kind": "appointment", "persons": [
            {"id": "p2", "name": "许文涛", "post": "县教育局局长", "action": "appoint"}]}))),
    Item("对县政府组成部门工作满意度测评", "evaluation", ((None, {"kind": "evaluation", "objects": [
        {"id": "d1", "name": "县教育局"}, {"id": "d2", "name": "县卫生健康局"}, {"id": "d3", "name": "县交通运输局"}]}),)),
)


def roster_file(members: int, observers: int) -> bytes:
    """The roster as a clerk has it (CSV): the demo's names, then 代表16, 代表17, … for a larger body."""
    rows = ["姓名,身份,座位号,职务,任职日期"]
    for i in range(1, members + 1):
        name, title = (MEMBERS[i - 1], TITLES[i - 1]) if i <= len(MEMBERS) else (f"代表{i}", "委员")
        rows.append(f"{name},组成人员,{i},{title},{JOINED_ON}")
    for j, (name, title) in enumerate(OBSERVERS[:observers], start=1):
        rows.append(f"{name},列席,L{j},{title},{JOINED_ON}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def seed(store: Store, *, today: dt.date | None = None, members: int = len(MEMBERS),
         observers: int = len(OBSERVERS), pin: str | None = DEMO_PIN,
         agenda: Sequence[Item] = AGENDA) -> dict[str, Any]:
    """The demo body on an empty store; returns its ids (``body_id``, ``sitting_id``, ``member_ids``,
    ``observer_ids``, ``items``, ``ballots``). ``pin`` None: no PINs (tablets are paired by code)."""
    day = today or dt.date.today()
    for username, password, role, name in STAFF:
        services.create_user(store, SYSTEM, username=username, password=password, role=role, display_name=name)
    body_id = services.create_body(store, CLERK, name="某县人大常委会", preset="standing_committee")
    roster.import_roster(store, CLERK, body_id, roster_file(members, observers), "组成人员名单.csv")
    with store.read() as s:
        people = s.execute(select(models.Person.id, models.Person.role).where(models.Person.body_id == body_id)
                           .order_by(models.Person.id)).all()
    member_ids = [pid for pid, role in people if role == "member"]
    observer_ids = [pid for pid, role in people if role == "observer"]
    if pin is not None:
        for pid in member_ids + observer_ids:
            services.set_pin(store, CLERK, pid, pin)
    sitting_id = services.create_sitting(store, CLERK, body_id, title="县第十八届人大常委会第三十六次会议",
                                         date=day.isoformat(), place="县人大常委会第一会议室",
                                         chair_name="王建国", clerk_name="何静")
    items, ballots = [], []
    for item in agenda:
        items.append(services.add_item(store, CLERK, sitting_id, title=item.title, kind=item.kind))
        for title, spec in item.ballots:
            ballots.append(services.create_ballot(store, CLERK, items[-1], title=title, spec=spec))
    return {"body_id": body_id, "sitting_id": sitting_id, "member_ids": member_ids, "observer_ids": observer_ids,
            "items": items, "ballots": ballots}


def pair_tablets(store: Store, person_ids: Sequence[int]) -> list[str]:
    """A tablet paired for each person with a one-time pairing code (the QR code a clerk hands out);
    their device tokens, in the same order."""
    tokens = []
    for pid in person_ids:
        token, _actor = services.pair_device(store, services.create_pairing(store, CLERK, pid))
        tokens.append(token)
    return tokens


def seed_demo_if_empty(app: Flask, echo: Callable[[str], None] = print) -> None:
    store: Store = app.extensions["biaojue_store"]
    if store.is_empty():
        seed(store)
        echo("Seeded the demo committee: 某县人大常委会, 15 members, 2 observers, one sitting.")
    echo("Demo accounts (username / password): " + ", ".join(f"{u} / {p}" for u, p, _r, _n in STAFF))
    echo(f"Seat tablets: open /seat and pair with seat number 1–15 and PIN {DEMO_PIN}")
