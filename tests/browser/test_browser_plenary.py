"""A county congress plenary of 300 deputies in 10 代表团, end to end against its own server process (a
SQLite file, seeded through the services as the clerk would: the roster imported from a file with its
代表团 column, tablets paired): 294 seats are python-socketio clients on real sockets (asyncio, in a
thread of their own), four are Chromium tablets paired by seat number and PIN (two at 1280×800, two phones
at 390×844); the chair's console (1920×1080), the clerk's console and the hall display are browsers too.
Two deputies stay away.

* The sitting opened, 298 signed in: the clerk's attendance lists each delegation's 应到 / 实到 / 缺席, in
  the plenary's words (代表, never 组成人员); the chair's seat map (imported from a file, a zone per
  代表团) has 300 seats, 298 of them signed in, the four browsers' tablets online.
* A 15-choose-10 票决 (赞成 / 不赞成 / 弃权 per project) where two projects tie for the 10th place: the
  chair's console says what follows and its button opens the run-off among the two for the one place
  left; the final announcement lists the ten chosen from both rounds, in order.
* A 差额 election (应选5名，候选人6名, members of the standing committee): one tablet types a write-in
  (另选他人), a phone picks one from the roster; three candidates reach more than half of all deputies,
  so the chair opens the further election (另行选举) from the console for the two places left, among the
  next three by votes, which elects two: five in all.
* Each round's result sheet, downloaded by the clerk, says so in words (pdftotext).

Screenshots of the chair's console and a tablet at each stage; no console error; a clean server log."""
from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from support.clients import AsyncLiveClient
from support.plenary import DELEGATION_SIZE, deputy, seed_plenary_hall
from support.server import ServerProcess
from test_browser_copying import call as api
from test_browser_screens import sheet_text
from test_browser_sitting import HALL, TABLET, chair_close, chair_open, expect, shot, staff, start_item, tablet

from voting_server import demo, services
from voting_server.db import Store

pytestmark = pytest.mark.browser

SEATS = 300
PHONE = {"width": 390, "height": 844}
CONSOLE = {"width": 1920, "height": 1080}
BROWSER_SEATS = {1: TABLET, 2: PHONE, 31: TABLET, 32: PHONE}  # seat: viewport (第1 and 第2代表团)
ABSENT = (299, 300)  # 第10代表团: two deputies stay away
API_SEATS = [n for n in range(1, SEATS + 1) if n not in BROWSER_SEATS and n not in ABSENT]
NEEDED = 151  # more than half of all 300 deputies

PROJECTS = ["城区第二实验小学教学综合楼扩建工程", "乡镇卫生院标准化改造项目", "农村公路提档升级工程",
            "老旧小区改造及加装电梯", "城乡供水一体化工程", "县城区公共停车场建设项目", "中小学校食堂“明厨亮灶”工程",
            "居家和社区养老服务中心建设", "背街小巷路面修缮及路灯照明", "农贸市场标准化改造项目",
            "县人民医院急救中心能力提升", "城区交通信号灯智能化改造", "农村生活垃圾分类和转运体系",
            "全民健身中心和社区体育公园", "困难群众住房安全保障项目"]
SELECTION = {"kind": "selection", "options": "for_against_abstain", "max_marks": 10, "places": 10,
             "candidates": [{"id": f"c{i}", "name": name, "amount": f"{300 + 50 * i}万元"}
                            for i, name in enumerate(PROJECTS, 1)]}
CANDIDATES = ["周立新", "陈国华", "吴海燕", "郑晓东", "孙丽萍", "马建军"]
ELECTION = {"kind": "election", "post": "县人民代表大会常务委员会委员", "places": 5, "post_type": "committee_member",
            "candidates": [{"id": f"e{i}", "name": name} for i, name in enumerate(CANDIDATES, 1)]}
TYPED, PICKED = "李明", deputy(50)  # the write-ins: typed on a tablet, picked from the roster on a phone


def spread(counts: dict[str, int], voters: int, base: dict[str, str]) -> list[dict[str, str]]:
    """``voters`` ballots, each ``base`` and up to two more 赞成: ``counts[key]`` ballots carry ``key``
    (laid out in a row and folded in two, so no ballot carries a key twice)."""
    marks = [key for key, n in counts.items() for _ in range(n)]
    assert len(marks) <= 2 * voters
    out = []
    for i in range(voters):
        extra = [marks[j] for j in (i, i + voters) if j < len(marks)]
        assert len(set(extra)) == len(extra)
        out.append({**base, **{key: "for" for key in extra}})
    return out


N = len(API_SEATS)  # 294
FIRST8 = {f"c{i}": "for" for i in range(1, 9)}
# 票决: c1-c8 on every ballot; c9 200, c10 and c11 180 each (tied for the 10th place), c12 36 with the tablets'
SELECTION_API = spread({"c9": 196, "c10": 178, "c11": 178, "c12": 36}, N, FIRST8)
SELECTION_TABLETS = {1: [*range(9), 9], 2: [*range(9), 9], 31: [*range(9), 10], 32: [*range(9), 10]}  # rows 赞成
# the run-off, one place between c10 and c11: c11 203, c10 95
RUNOFF_API = [{"c11": "for"}] * 200 + [{"c10": "for"}] * (N - 200)
RUNOFF_TABLETS = {1: [1], 2: [1], 31: [1], 32: [0]}
# the election: e1-e3 elected (298, 297, 297); e4 140, e5 130, e6 90: fewer than 151, two places left
ELECTION_API = spread({"e4": 140, "e5": 130, "e6": 90}, N, {"e1": "for", "e2": "for", "e3": "for"})
# the further election, two places among e4, e5, e6: e4 254, e5 204, e6 60
FURTHER_API = spread({"e4": 250, "e5": 200, "e6": 60}, N, {})


def socketio_errors() -> tuple[type[Exception], ...]:
    from socketio import exceptions

    return (exceptions.BadNamespaceError, exceptions.TimeoutError)


class Seats:
    """The seats of python-socketio clients, on an asyncio loop in a thread of their own. Each batch
    (connect, sign in, cast) runs in the background while the browsers work: ``wait`` for its future."""

    def __init__(self, base: str, tokens: dict[int, str]) -> None:
        self.base = base
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients = [AsyncLiveClient(f"seat {n}", auth={"token": tokens[n]}) for n in API_SEATS]
        self.reconnected = 0  # connections the load dropped (a ping missed on this busy machine), made again
        self.took: dict[str, float] = {}
        self.dropped: dict[str, int] = {}  # by batch: the connections it found dropped

    def _start(self, name: str, calls: list[Coroutine[Any, Any, Any]]) -> Future[list[Any]]:
        async def batch() -> list[Any]:
            sem = asyncio.Semaphore(60)
            t0, dropped = time.perf_counter(), self.reconnected

            async def one(c: Coroutine[Any, Any, Any]) -> Any:
                async with sem:
                    return await c
            try:
                return await asyncio.gather(*(one(c) for c in calls))
            finally:
                self.took[name] = time.perf_counter() - t0
                self.dropped[name] = self.reconnected - dropped
        return asyncio.run_coroutine_threadsafe(batch(), self.loop)

    @staticmethod
    def wait(batch: Future[list[Any]], timeout: float = 150) -> None:
        acks = batch.result(timeout)
        refused = [a for a in acks if a is not None and not a.get("ok")]
        assert not refused, refused[:3]

    def connect(self) -> Future[list[Any]]:
        return self._start("connect", [c.connect(self.base) for c in self.clients])

    async def _call(self, client: AsyncLiveClient, event: str, payload: dict[str, Any]) -> Any:
        """A command, as a tablet sends it: over the connection made again if it dropped (a cast keeps its
        cast_id)."""
        for attempt in range(3):
            if client.dropped.is_set() or not client.sio.connected:
                self.reconnected += 1
                await client.connect(self.base)
            try:
                return await client.call(event, payload)
            except socketio_errors() as err:
                if attempt == 2:
                    raise RuntimeError(f"{client.label}: {err!r}") from err
        return None

    def sign_in(self) -> Future[list[Any]]:
        return self._start("sign_in", [self._call(c, "sign_in", {}) for c in self.clients])

    def cast(self, ballot_id: int, choices: list[dict[str, str]]) -> Future[list[Any]]:
        return self._start(f"round {len(self.took) - 1}", [
            self._call(c, "cast", {"ballot_id": ballot_id, "choice": choice, "cast_id": uuid.uuid4().hex})
            for c, choice in zip(self.clients, choices, strict=True)])

    def close(self) -> None:
        async def drop() -> None:
            await asyncio.gather(*(c.sio.disconnect() for c in self.clients if c.sio is not None),
                                 return_exceptions=True)
        try:
            asyncio.run_coroutine_threadsafe(drop(), self.loop).result(30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def rows_for(page: Any, rows: list[int], count: int) -> None:
    """On a tablet: 赞成 on the rows ``rows`` of a ballot of ``count`` rows, then the confirmation."""
    e = expect()
    items = page.locator(".vote-row")
    e(items).to_have_count(count)
    for i in rows:
        items.nth(i).locator(".vote-btn[data-code=for]").click()


def confirm(page: Any) -> None:
    e = expect()
    page.click("[data-fk=next]")
    e(page.locator(".confirm-bar")).to_be_visible()
    page.click("#confirm-btn")
    e(page.locator(".voted")).to_contain_text("已表决")


def results_by_label(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["label"]: q for q in result["questions"]}


def last_result(page: Any, ballot_id: int) -> dict[str, Any]:
    """The result of the ballot's latest round, as the console's API gives it."""
    rounds = api(page, "GET", f"/api/ballots/{ballot_id}/results")["rounds"]
    assert rounds and rounds[-1]["result"], rounds
    result: dict[str, Any] = rounds[-1]["result"]["data"]
    return result


@pytest.fixture
def plenary(tmp_path) -> Iterator[dict[str, Any]]:
    """The plenary's server (its own SQLite file) with the 票决 and the election on the agenda."""
    folder = tmp_path / "srv"
    folder.mkdir()
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    store = Store(url)
    try:
        t0 = time.perf_counter()
        hall = seed_plenary_hall(store, SEATS, pin_seats=BROWSER_SEATS, seat_map=True)
        clerk = demo.CLERK
        hall["selection_item"] = services.add_item(store, clerk, hall["sitting_id"], title="2027年县级民生实事项目票决",
                                                   kind="selection")
        hall["selection"] = services.create_ballot(store, clerk, hall["selection_item"], spec=SELECTION,
                                                   title="民生实事项目票决（十五选十）")
        hall["election_item"] = services.add_item(store, clerk, hall["sitting_id"],
                                                  title="选举县人民代表大会常务委员会委员", kind="election")
        hall["election"] = services.create_ballot(store, clerk, hall["election_item"], spec=ELECTION,
                                                  title="县人民代表大会常务委员会委员选举")
        hall["seed_s"] = time.perf_counter() - t0
    finally:
        store.dispose()
    with ServerProcess(url, folder, env={"LIVE_RATE_SCALE": "100"}) as server:
        hall["server"] = server
        yield hall


def round_of(chair: Any, tablets: dict[int, Any], seats: Seats, ballot_id: int, choices: list[dict[str, str]],
             mark: Callable[[], None], shots_dir: Any, stage: str) -> dict[str, Any]:
    """One round: the tablets ``mark`` their ballots and confirm them (in a quiet hall: a page redrawn by
    the pushes of 294 casts at once on this busy machine may not hold still for a click), then the API
    seats cast; when the chair's console counts 298 ballots the chair closes the round. Its result."""
    mark()
    for page in tablets.values():
        confirm(page)
    seats.wait(seats.cast(ballot_id, choices))
    expect()(chair.locator(".live-ballot")).to_contain_text("298")
    shot(chair, shots_dir, f"plenary-chair-{stage}-open")
    chair_close(chair)
    return last_result(chair, ballot_id)


def test_a_300_deputy_plenary(browser, console, shots_dir, plenary):
    e = expect()
    t_start = time.perf_counter()
    server: ServerProcess = plenary["server"]
    base = server.url
    seats = Seats(base, plenary["tokens"])
    connected = seats.connect()  # while the browsers come up
    contexts = []
    try:
        chair_ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=CONSOLE)
        clerk_ctx, clerk = staff(browser, console, base, "/clerk", "clerk", "clerk-app", viewport=TABLET)
        display_ctx, display = staff(browser, console, base, "/display", "display", "hall", viewport=HALL)
        contexts += [chair_ctx, clerk_ctx, display_ctx]
        tablets = {}
        for n, viewport in BROWSER_SEATS.items():
            ctx, page = tablet(browser, console, base, str(n), deputy(n), viewport=viewport)
            contexts.append(ctx)
            tablets[n] = page
        t1, phone = tablets[1], tablets[2]

        # --- the sitting opened; 298 of 300 sign in ------------------------------------------------------
        chair.get_by_role("button", name="宣布开会").click()
        confirm_open = chair.locator("#sitting-body .inline-confirm")
        e(confirm_open).to_contain_text("无人签到")
        confirm_open.get_by_role("button", name="仍要开始会议").click()
        e(chair.locator("#sitting-body")).to_contain_text("会议进行中")
        seats.wait(connected)
        signed_in = seats.sign_in()
        for page in tablets.values():
            page.click("#signin-btn")
            e(page.locator("#signin-btn")).to_have_count(0)
        seats.wait(signed_in)
        e(chair.locator("body")).to_contain_text("298")
        shot(chair, shots_dir, "plenary-chair-signed-in")
        # the chair's seat map: 300 seats, 298 signed in, the two away not, every tablet of those online
        hall = chair.locator("#hall-body .sm-grid")
        hall.scroll_into_view_if_needed()
        e(hall.locator(".sm-seat")).to_have_count(SEATS)
        e(hall.locator(".sm-seat.att-in")).to_have_count(SEATS - len(ABSENT))
        for n in ABSENT:
            e(hall.locator(f'.sm-seat[data-seat="{n}"]')).to_have_class(re.compile(r"\batt-out\b"))
        for n in BROWSER_SEATS:
            e(hall.locator(f'.sm-seat[data-seat="{n}"]')).to_have_class(re.compile(r"\btab-on\b"))
        chair.screenshot(path=str(shots_dir / "plenary-chair-seat-map.png"), full_page=True)
        shot(t1, shots_dir, "plenary-tablet-signed-in")

        clerk.goto(base + "/clerk#live")
        groups = clerk.locator(".att-table tr.att-group")
        e(groups).to_have_count(10)
        for i in range(9):
            e(groups.nth(i)).to_contain_text(f"第{i + 1}代表团")
            e(groups.nth(i)).to_contain_text(f"应到{DELEGATION_SIZE}人，实到{DELEGATION_SIZE}人（视频0人），请假0人，缺席0人")
        e(groups.nth(9)).to_contain_text("应到30人，实到28人（视频0人），请假0人，缺席2人")
        e(clerk.locator("#sec-live")).not_to_contain_text("组成人员")
        shot(clerk, shots_dir, "plenary-clerk-attendance")
        clerk.close()  # its context stays logged in, for the sheets

        # --- the 票决: a tie for the 10th place ----------------------------------------------------------
        selection = plenary["selection"]
        start_item(chair, "2027年县级民生实事项目票决")
        chair_open(chair, "民生实事项目票决（十五选十）")

        def projects() -> None:
            for n, page in tablets.items():
                rows_for(page, SELECTION_TABLETS[n], 15)
            shot(t1, shots_dir, "plenary-tablet-selection")
            shot(phone, shots_dir, "plenary-phone-selection")

        first = round_of(chair, tablets, seats, selection, SELECTION_API, projects, shots_dir, "selection")
        by = results_by_label(first)
        assert [by[p]["counts"]["for"] for p in PROJECTS] == [298] * 8 + [200, 180, 180, 36, 0, 0, 0]
        assert first["outcome"] == "tie" and first["ties"] == [["c10", "c11"]], first
        assert [by[p]["outcome"] for p in PROJECTS[:9]] == ["chosen"] * 9
        e(chair.locator(".closed-ballot")).to_contain_text("有并列")
        shot(chair, shots_dir, "plenary-chair-selection-tie")
        shot(t1, shots_dir, "plenary-tablet-selection-tie")

        # --- the run-off among the tied, for the one place left ------------------------------------------
        e(chair.locator(".closed-ballot .standing-note")).to_contain_text(
            "应选10个名额，已选出9个；余下1个名额须就票数相等者再次投票")
        runoff = chair.locator(f"[data-fk=runoff-{selection}]")
        e(runoff).to_have_text("就票数相等的项目再次投票")
        runoff.click()
        e(chair.locator(".live-ballot")).to_be_visible()
        e(runoff).to_have_count(0)

        def tied() -> None:
            for n, page in tablets.items():
                rows_for(page, RUNOFF_TABLETS[n], 2)
            shot(t1, shots_dir, "plenary-tablet-runoff")

        final = round_of(chair, tablets, seats, selection, RUNOFF_API, tied, shots_dir, "runoff")
        by = results_by_label(final)
        assert by[PROJECTS[10]]["counts"]["for"] == 203 and by[PROJECTS[9]]["counts"]["for"] == 95
        assert final["outcome"] == "selected", final
        zh = final["announcement_zh"]
        assert "此前已入选9项" in zh, zh
        assert "共入选10项：" + "、".join([*PROJECTS[:9], PROJECTS[10]]) in zh, zh
        assert "组成人员" not in zh
        e(chair.locator(".closed-ballot")).to_contain_text("票决完成")
        e(chair.locator(".closed-ballot")).to_contain_text(PROJECTS[10])
        shot(chair, shots_dir, "plenary-chair-runoff-result")
        shot(t1, shots_dir, "plenary-tablet-runoff-result")
        e(display.locator(".hall-result")).to_contain_text(PROJECTS[10])
        shot(display, shots_dir, "plenary-display-runoff-result")

        # --- the election: a write-in typed on a tablet, one picked from the roster on a phone ------------
        election = plenary["election"]
        start_item(chair, "选举县人民代表大会常务委员会委员")
        chair_open(chair, "县人民代表大会常务委员会委员选举")

        def candidates() -> None:
            rows_for(t1, [0, 1], 6)
            t1.fill(".writein-input", TYPED)
            t1.click("[data-fk=writein-add]")
            e(t1.locator(".writein-chosen")).to_contain_text(TYPED)
            e(t1.locator(".select-count")).to_contain_text("已选 3 人 / 应选 5 人")
            rows_for(phone, [0, 2], 6)
            phone.fill(".writein-input", PICKED[:4])
            phone.click(f"[data-fk='pick:{PICKED}']")
            e(phone.locator(".writein-chosen")).to_contain_text(PICKED)
            rows_for(tablets[31], [0, 1, 2], 6)
            tablets[31].locator(".vote-row").nth(3).locator(".vote-btn[data-code=against]").click()
            rows_for(tablets[32], [0, 1, 2], 6)
            shot(t1, shots_dir, "plenary-tablet-election")
            shot(phone, shots_dir, "plenary-phone-election")

        first = round_of(chair, tablets, seats, election, ELECTION_API, candidates, shots_dir, "election")
        by = results_by_label(first)
        assert [by[c]["counts"]["for"] for c in CANDIDATES] == [298, 297, 297, 140, 130, 90], first
        assert by[CANDIDATES[3]]["counts"]["against"] == 1
        assert by[TYPED]["counts"] == {"for": 1} and by[PICKED]["counts"] == {"for": 1}
        assert [by[c]["outcome"] for c in CANDIDATES] == ["elected"] * 3 + ["not_elected"] * 3
        assert first["outcome"] == "partly_elected", first
        zh = first["announcement_zh"]
        assert "应选5名，候选人6名" in zh and f"{TYPED}（另选他人）：得票1票" in zh, zh
        assert "全体代表" in zh and "组成人员" not in zh, zh
        e(chair.locator(".result-table")).to_contain_text(f"{TYPED}（另选他人）")
        shot(chair, shots_dir, "plenary-chair-election-first")
        shot(t1, shots_dir, "plenary-tablet-election-first")

        # --- the further election (另行选举) for the two places left, among the next three by votes --------
        chair.locator(f"[data-fk=further-{election}]").click()  # 另行选举, with the fewest candidates allowed
        chair.locator(".further-form [data-fk=confirm-yes]").click()
        e(chair.locator(".live-ballot")).to_be_visible()

        def further() -> None:
            for page in tablets.values():
                rows_for(page, [0, 1], 3)
            e(t1.locator(".vote-row").nth(0)).to_contain_text(CANDIDATES[3])
            shot(t1, shots_dir, "plenary-tablet-further")

        final = round_of(chair, tablets, seats, election, FURTHER_API, further, shots_dir, "further")
        by = results_by_label(final)
        assert [by[c]["counts"]["for"] for c in CANDIDATES[3:]] == [254, 204, 60], final
        assert final["outcome"] == "elected", final
        zh = final["announcement_zh"]
        assert "另行选举，此前已当选3名" in zh, zh
        assert "共当选5名：" + "、".join(CANDIDATES[:5]) in zh, zh
        e(chair.locator(".closed-ballot")).to_contain_text("选举完成")
        shot(chair, shots_dir, "plenary-chair-further-result")
        shot(t1, shots_dir, "plenary-tablet-further-result")
        e(display.locator(".hall-result")).to_contain_text(CANDIDATES[4])
        shot(display, shots_dir, "plenary-display-further-result")

        # --- each round's result sheet, as the clerk downloads it ------------------------------------------
        sheets = {}
        for name, ballot_id in (("selection", selection), ("election", election)):
            for number in (1, 2):
                r = clerk_ctx.request.get(f"{base}/api/ballots/{ballot_id}/rounds/{number}/sheet.pdf", timeout=60000)
                assert r.ok, (name, number, r.status)
                sheets[name, number] = text = sheet_text(r.body())
                assert "组成人员" not in text, (name, number)
        (server.instance / "sheets.txt").write_text("\n\f\n".join(sheets.values()), encoding="utf-8")
        assert "应选10项" in sheets["selection", 1] and PROJECTS[9] in sheets["selection", 1]
        assert PROJECTS[10] in sheets["selection", 2]
        assert "应选5名" in sheets["election", 1] and TYPED in sheets["election", 1]
        assert CANDIDATES[4] in sheets["election", 2]

        assert console.unexpected() == [], console.unexpected()
        server.assert_clean_logs()
        took = ", ".join(f"{k} {v:.1f} s ({seats.dropped[k]} made again)" for k, v in seats.took.items())
        print(f"\nseed {plenary['seed_s']:.1f} s; the 294 seats: {took}; server CPU {server.cpu_seconds():.0f} s; "
              f"scenario {time.perf_counter() - t_start:.1f} s")
    finally:
        for ctx in contexts:
            ctx.close()
        seats.close()
