"""A believable demo: a 15-member county standing committee, two observers, staff accounts and one
sitting with a resolution, two appointment questions and an evaluation of three departments."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from flask import Flask

from . import services
from .db import Store
from .services import SYSTEM, Actor

MEMBERS = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄志强", "周丽华", "吴刚",
           "徐明", "孙红梅", "马骏", "朱晓燕", "胡海"]
TITLES = ["主任", "副主任", "副主任", "副主任", "秘书长"] + ["委员"] * 10
OBSERVERS = [("林晓东", "县人民政府副县长"), ("郭文华", "县监察委员会副主任")]
DEMO_PIN = "2468"
STAFF = [("admin", "admin-demo-2026", "admin", "系统管理员"), ("chair", "chair-demo-2026", "chair", "王建国"),
         ("clerk", "clerk-demo-2026", "clerk", "办公室 何静"), ("display", "display-demo-2026", "display", "大屏")]


def seed(store: Store, *, today: dt.date | None = None) -> dict[str, Any]:
    day = today or dt.date.today()
    admin = SYSTEM
    for username, password, role, name in STAFF:
        services.create_user(store, admin, username=username, password=password, role=role, display_name=name)
    clerk = Actor(role="clerk", name="办公室 何静")
    body_id = services.create_body(store, clerk, name="某县人大常委会", preset="standing_committee")
    member_ids = []
    for i, name in enumerate(MEMBERS, start=1):
        pid = services.add_person(store, clerk, body_id, {"name": name, "role": "member", "seat": str(i),
                                                          "title": TITLES[i - 1], "joined_on": "2021-10-01"})
        services.set_pin(store, clerk, pid, DEMO_PIN)
        member_ids.append(pid)
    for j, (name, title) in enumerate(OBSERVERS, start=1):
        pid = services.add_person(store, clerk, body_id, {"name": name, "role": "observer", "seat": f"L{j}",
                                                          "title": title, "joined_on": "2021-10-01"})
        services.set_pin(store, clerk, pid, DEMO_PIN)
    sitting_id = services.create_sitting(store, clerk, body_id, title="县第十八届人大常委会第三十六次会议",
                                         date=day.isoformat(), place="县人大常委会第一会议室",
                                         chair_name="王建国", clerk_name="何静")
    item1 = services.add_item(store, clerk, sitting_id, title="关于批准2026年县级预算调整方案的决议（草案）",
                              kind="resolution")
    services.create_ballot(store, clerk, item1, spec={"kind": "resolution", "question": "表决通过预算调整方案决议"})
    item2 = services.add_item(store, clerk, sitting_id, title="人事任免事项", kind="appointment")
    services.create_ballot(store, clerk, item2, title="免去陈立新的县教育局局长职务", spec={
        "kind": "appointment", "persons": [{"id": "p1", "name": "陈立新", "post": "县教育局局长", "action": "remove"}]})
    services.create_ballot(store, clerk, item2, title="任命许文涛为县教育局局长", spec={
        "kind": "appointment", "persons": [{"id": "p2", "name": "许文涛", "post": "县教育局局长", "action": "appoint"}]})
    item3 = services.add_item(store, clerk, sitting_id, title="对县政府组成部门工作满意度测评", kind="evaluation")
    services.create_ballot(store, clerk, item3, spec={
        "kind": "evaluation",
        "objects": [{"id": "d1", "name": "县教育局"}, {"id": "d2", "name": "县卫生健康局"},
                    {"id": "d3", "name": "县交通运输局"}]})
    return {"body_id": body_id, "sitting_id": sitting_id, "member_ids": member_ids}


def seed_demo_if_empty(app: Flask, echo: Callable[[str], None] = print) -> None:
    store: Store = app.extensions["biaojue_store"]
    if store.is_empty():
        seed(store)
        echo("Seeded the demo committee: 某县人大常委会, 15 members, 2 observers, one sitting.")
    echo("Demo accounts (username / password): " + ", ".join(f"{u} / {p}" for u, p, _r, _n in STAFF))
    echo(f"Seat tablets: open /seat and pair with seat number 1–15 and PIN {DEMO_PIN}")
