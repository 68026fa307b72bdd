"""A sitting of the demo committee with the ballots that strain a screen: a 票决 of ten projects with long
names, a 满意度测评 of eight departments and a combined appointment of three persons, and a show-of-hands
resolution. Built through the services (as the clerk would), driven over Socket.IO by the chair and
twelve seats (``LiveClient``), shown in Chromium by the tests of the screens."""
from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from support.clients import LiveClient
from support.env import ROOT, missing
from support.polling import wait_for
from support.server import ServerProcess

from voting_server import demo, models, services
from voting_server.db import Store

CLERK = services.Actor(role="clerk", name="何静", user_id=3)
ADMIN = services.Actor(role="admin", name="系统管理员", user_id=1)

PROJECTS = [
    "城区第二实验小学教学综合楼及配套运动场扩建工程",
    "乡镇卫生院标准化改造和村卫生室医疗设备更新项目",
    "农村公路提档升级及危桥改造三年行动计划（第二期）",
    "老旧小区改造及加装电梯、雨污分流和停车位建设",
    "城乡供水一体化及农村饮用水安全巩固提升工程",
    "县城区公共停车场和新能源汽车充电设施建设项目",
    "全县中小学校食堂“明厨亮灶”及营养改善提升工程",
    "居家和社区养老服务中心及老年助餐点建设项目",
    "城区背街小巷路面修缮、路灯照明及绿化提升工程",
    "农贸市场标准化改造和冷链物流配送体系建设项目",
]
#: A plenary's 15-choose-10: more projects than the display charts (it shows them as a table).
PLENARY_PROJECTS = PROJECTS + [
    "县人民医院传染病区及急救中心能力提升工程", "城区主干道交通信号灯智能化改造项目",
    "全县农村生活垃圾分类和转运体系建设", "县城区全民健身中心和社区体育公园建设", "困难群众住房安全保障及危房改造项目"]
DEPARTMENTS = ["县人力资源和社会保障局", "县住房和城乡建设局", "县自然资源和规划局", "县市场监督管理局",
               "县卫生健康局", "县交通运输局", "县农业农村局", "县生态环境分局"]
APPOINTEES = [("许文涛", "县文化和旅游局局长"), ("欧阳晓明", "县人民政府办公室主任"), ("司马文华", "县财政局局长")]
SEATS = 12
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class Hall:
    """The server, its store and the live clients of the chair and the seats; ``ballots`` by name."""

    server: ServerProcess
    store: Store
    chair: LiveClient
    seats: list[LiveClient]
    items: dict[str, int] = field(default_factory=dict)
    ballots: dict[str, int] = field(default_factory=dict)
    open_now: str | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start(self, name: str) -> None:
        self.chair.ok("start_item", {"item_id": self.items[name]})

    def open(self, name: str) -> None:
        """Open a ballot (after closing the one a failed test may have left open)."""
        if self.open_now is not None:
            self.close(self.open_now)
        self.start(name)
        self.chair.ok("open_ballot", {"ballot_id": self.ballots[name]})
        self.open_now = name
        ballot_id = self.ballots[name]
        assert wait_for(lambda: all((s.view().get("ballot") or {}).get("id") == ballot_id for s in self.seats), 10)

    def cast(self, name: str, choices: list[dict[str, str]]) -> None:
        for seat, choice in zip(self.seats, choices, strict=False):
            seat.ok("cast", {"ballot_id": self.ballots[name], "choice": choice, "cast_id": seat.label.replace(" ", "-")
                             + f"-{name}"})

    def hands(self, name: str, counts: dict[str, dict[str, int]], ballots: int) -> None:
        """The clerk enters a show-of-hands count (confirmed)."""
        clerk = LiveClient(self.url, "clerk", cookie=self.server.staff_cookie("clerk")).connect()
        try:
            clerk.ok("hands", {"ballot_id": self.ballots[name], "counts": counts, "ballots": ballots,
                               "confirm": True})
        finally:
            clerk.disconnect()

    def sheet(self, name: str, round_number: int = 1) -> bytes:
        """The signed result sheet of a round, as the clerk downloads it."""
        request = urllib.request.Request(f"{self.url}/api/ballots/{self.ballots[name]}/rounds/{round_number}/sheet.pdf",
                                         headers={"Cookie": self.server.staff_cookie("clerk")})
        with urllib.request.urlopen(request, timeout=60) as r:
            data: bytes = r.read()
        return data

    def close(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.chair.ok("close_ballot", {"ballot_id": self.ballots[name]})["result"]
        self.open_now = None
        return result


def choices(name: str) -> list[dict[str, str]]:
    """Twelve ballots for each ballot of the sitting: varied, so every bar has a length."""
    if name == "selection":  # c1-c3 on every ballot (chosen), two more in turn
        return [{"c1": "mark", "c2": "mark", "c3": "mark", f"c{4 + i % 7}": "mark", f"c{4 + (i + 3) % 7}": "mark"}
                for i in range(SEATS)]
    if name == "plenary_selection":  # c1-c7 on every ballot (chosen), three more in turn
        return [{**{f"c{j}": "mark" for j in range(1, 8)}, **{f"c{8 + (i + k) % 8}": "mark" for k in range(3)}}
                for i in range(SEATS)]
    if name == "evaluation":  # department j: 12 - j 满意, the others 基本满意 and 不满意 in turn
        return [{f"d{j + 1}": "satisfied" if i < SEATS - j else ("basic", "unsatisfied")[i % 2]
                 for j in range(len(DEPARTMENTS))} for i in range(SEATS)]
    if name == "appointment":
        opts = ["for", "for", "for", "against", "abstain"]
        return [{f"p{j + 1}": opts[(i + j) % 5] for j in range(len(APPOINTEES))} for i in range(SEATS)]
    raise KeyError(name)


def prepare(store: Store, folder: Path) -> tuple[dict[str, int], dict[str, int]]:
    with store.read() as s:
        body_id = s.scalar(select(models.Body.id))
        sitting_id = s.scalar(select(models.Sitting.id))
    services.update_body_rules(store, ADMIN, body_id, preset="standing_committee",
                               overrides={"allow_combined_appointments": True})
    items: dict[str, int] = {}
    ballots: dict[str, int] = {}

    def add(name: str, title: str, kind: str, spec: dict[str, Any], **kw: Any) -> None:
        items[name] = services.add_item(store, CLERK, sitting_id, title=title, kind=kind)
        ballots[name] = services.create_ballot(store, CLERK, items[name], spec=spec, **kw)

    add("selection", "2027年县级民生实事项目票决", "selection",
        {"kind": "selection", "max_marks": 5,
         "candidates": [{"id": f"c{i + 1}", "name": n} for i, n in enumerate(PROJECTS)]}, secret=False)
    add("plenary_selection", "县人民代表大会民生实事项目票决（十五选十）", "selection",
        {"kind": "selection", "max_marks": 10,
         "candidates": [{"id": f"c{i + 1}", "name": n} for i, n in enumerate(PLENARY_PROJECTS)]}, secret=False)
    add("evaluation", "对县政府组成部门工作满意度测评", "evaluation",
        {"kind": "evaluation", "objects": [{"id": f"d{i + 1}", "name": n} for i, n in enumerate(DEPARTMENTS)]})
    add("appointment", "任命许文涛等三人职务", "appointment",
        {"kind": "appointment", "combined": True,
         "persons": [{"id": f"p{i + 1}", "name": n, "post": p, "action": "appoint"}
                     for i, (n, p) in enumerate(APPOINTEES)]})
    add("hands", "关于县城区停车收费标准调整的决定（草案）", "resolution", {"kind": "resolution"}, method="hands")
    add("seat_selection", "2027年县级重点民生项目补充票决", "selection",
        {"kind": "selection", "max_marks": 3,
         "candidates": [{"id": f"c{i + 1}", "name": n} for i, n in enumerate(PROJECTS[:4])]}, secret=False)
    services.add_document(store, CLERK, items["seat_selection"], filename="项目说明.pdf", data=PDF,
                          folder=str(folder / "documents"), max_bytes=10_000_000)
    add("seat_evaluation", "对县政府部门工作满意度测评（补充）", "evaluation",
        {"kind": "evaluation", "objects": [{"id": f"d{i + 1}", "name": n} for i, n in enumerate(DEPARTMENTS[:3])]})
    items["keyboard_before"] = services.add_item(store, CLERK, sitting_id, title="县人民政府关于财政预算执行情况的报告",
                                                 kind="report")
    add("keyboard", "关于批准县级财政预算执行情况报告的决议（草案）", "resolution", {"kind": "resolution"},
        secret=False)
    return items, ballots


@contextlib.contextmanager
def hall_sitting(folder: Path) -> Iterator[Hall]:
    """The server with the demo committee and the ballots above, the sitting open and twelve seats signed
    in; the rest of the 15 members are absent (quorum 8 holds)."""
    if not (ROOT / "terminal_ui" / "static" / "vendor" / "socket.io.esm.min.js").exists():
        missing("terminal_ui/static/vendor/socket.io.esm.min.js is missing (run `make assets`)")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    with ServerProcess(url, folder, demo=True, env={"LIVE_RATE_SCALE": "100"}) as server:
        store = Store(url)
        clients: list[LiveClient] = []
        try:
            items, ballots = prepare(store, folder)
            with store.read() as s:
                body_id = s.scalar(select(models.Body.id))
            chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair")).connect()
            clients.append(chair)
            chair.ok("open_sitting", {"confirm": True})
            seats = []
            for n in range(1, SEATS + 1):
                token, _ = services.pair_with_pin(store, body_id, str(n), demo.DEMO_PIN)
                seat = LiveClient(server.url, f"seat {n}", token=token).connect()
                clients.append(seat)
                seat.ok("sign_in")
                seats.append(seat)
            yield Hall(server, store, chair, seats, items, ballots)
        finally:
            for c in clients:
                c.disconnect()
            store.dispose()
