"""A complete simulated sitting of the demo committee, run through the service layer, with every
signed sheet written out — for demonstrations, rehearsals and tests.

The sitting (某县人大常委会, 15 members): one member on leave, one absent, one attending by video and
one arriving late. It votes a budget resolution (a device failure leaves members unrecorded, so the
chair orders a re-vote), a removal and an appointment to the same post (removal first), a
satisfaction evaluation of three departments, a selection of 民生实事 projects (4 of 7), a named
resolution, and a resolution where the member on video votes by show of hands (entered by the clerk).
The committee's rule has the clerk enter the votes of a member attending by video: the clerk enters
them before each close (a show of hands of one), except in the named resolution, closed without it
(视频出席未录入, confirmed by the chair).
Votes are random but seeded, so a seed always gives the same sitting.
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import demo, models, services
from ..db import Store
from ..migrate import upgrade
from ..services import Actor
from . import data as sd
from .export import export_sitting
from .keys import body_key
from .sign import signed_sheets

MARKER = ".biaojue-demo"
DB_NAME = "biaojue.sqlite3"

PROJECTS = ["城乡供水一体化提升工程", "老旧小区改造", "中小学食堂提质", "农村公路安全生命防护工程",
            "社区居家养老服务中心", "县医院急诊能力提升", "全民健身步道建设"]
POPULARITY = [0.85, 0.8, 0.55, 0.6, 0.7, 0.5, 0.3]


@dataclass
class DemoReport:
    out_dir: Path
    database_url: str
    sitting_id: int
    body_id: int
    files: list[Path] = field(default_factory=list)
    sheet_seconds: dict[str, float] = field(default_factory=dict)
    certificate: Path | None = None


class DemoError(RuntimeError):
    pass


def _prepare(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    db = out / DB_NAME
    if db.exists():
        if not (out / MARKER).exists():
            raise DemoError(f"{out} already holds a database that is not a demo ({db}); choose an empty folder")
        for suffix in ("", "-wal", "-shm"):
            (out / (DB_NAME + suffix)).unlink(missing_ok=True)
        for old in list(out.glob("*.pdf")) + list(out.glob("*.csv")) + list(out.glob("*.xlsx")) + list(out.glob("*.json")):
            old.unlink()
        shutil.rmtree(out / "certs", ignore_errors=True)
    (out / MARKER).write_text("made by: python -m voting_server demo-sitting\n", encoding="utf-8")
    return db


@dataclass
class _Run:
    """The state of a simulated sitting while it runs: who is present, the seeded votes."""

    store: Store
    rng: random.Random
    sitting_id: int
    members: list[Actor]
    present: list[Actor] = field(default_factory=list)
    video: Actor | None = None  # attends by video: the clerk enters their vote (the committee's rule)
    by_video: dict[int, Any] = field(default_factory=dict)  # their choice in each open ballot
    clerk: Actor = field(default_factory=lambda: Actor(role="clerk", name="何静", user_id=3))
    chair: Actor = field(default_factory=lambda: Actor(role="chair", name="王建国", user_id=2))

    def three_way(self, weights: tuple[float, float, float] = (0.8, 0.12, 0.08)) -> str:
        return self.rng.choices(["for", "against", "abstain"], weights=weights)[0]

    def cast(self, member: Actor, ballot_id: int, choice: Any) -> None:
        if member is self.video:  # said on the video link; the clerk enters it before the close
            self.by_video[ballot_id] = choice
            return
        services.cast_vote(self.store, member, ballot_id, choice, uuid.uuid4().hex)

    def close(self, ballot_id: int) -> None:
        """The clerk enters the vote of the member by video (a show of hands of one), then the chair closes."""
        if self.video is None:
            services.close_ballot(self.store, self.chair, ballot_id)
            return
        choice = self.by_video.pop(ballot_id, None)  # None: they did not vote (the count of no ballot)
        answers = {} if choice is None else {"main": choice} if isinstance(choice, str) else choice
        services.enter_show_of_hands(self.store, self.clerk, ballot_id, ballots_cast=0 if choice is None else 1,
                                     counts={q: {o: 1} for q, o in answers.items()}, note="视频参会人员的表决")
        services.close_ballot(self.store, self.chair, ballot_id)

    def vote(self, ballot_id: int, choose: Callable[[], Any], skip: float = 0.05) -> None:
        """Open the ballot, let each present member vote (a few do not), close it."""
        services.open_ballot(self.store, self.chair, ballot_id)
        for m in self.present:
            if self.rng.random() >= skip:
                self.cast(m, ballot_id, choose())
        self.close(ballot_id)


def _rest_of_agenda(run: _Run) -> dict[str, tuple[int, int]]:
    """A selection, a named resolution and a mixed (tablet + hands) resolution: (item, ballot) of each."""
    store, clerk, sitting_id = run.store, run.clerk, run.sitting_id
    item_sel = services.add_item(store, clerk, sitting_id, title="2027年县级民生实事项目票决", kind="selection")
    sel_b = services.create_ballot(store, clerk, item_sel, title="票决2027年县级民生实事项目（从7项中选4项）", spec={
        "kind": "selection", "max_marks": 4, "options": "mark",
        "candidates": [{"id": f"c{i}", "name": n} for i, n in enumerate(PROJECTS, start=1)]})
    item_named = services.add_item(store, clerk, sitting_id, title="关于召开县第十八届人民代表大会第六次会议的决定（草案）")
    named_b = services.create_ballot(store, clerk, item_named, secret=False, allow_change=True, spec={
        "kind": "resolution", "question": "表决通过关于召开县第十八届人民代表大会第六次会议的决定"})
    item_mixed = services.add_item(store, clerk, sitting_id, title="关于县人大常委会2027年监督工作计划的决定（草案）")
    mixed_b = services.create_ballot(store, clerk, item_mixed, method="mixed", spec={
        "kind": "resolution", "question": "表决通过2027年监督工作计划"})
    return {"selection": (item_sel, sel_b), "named": (item_named, named_b), "mixed": (item_mixed, mixed_b)}


def _open_with_attendance(run: _Run) -> tuple[Actor, Actor]:
    """Open the sitting: 张伟 on leave, 赵敏 absent, 孙红梅 by video, 朱晓燕 late. Returns (late, video)."""
    store, clerk, sitting_id, members = run.store, run.clerk, run.sitting_id, run.members
    services.open_sitting(store, run.chair, sitting_id)
    on_leave, absent, video, late = members[2], members[6], members[11], members[13]
    for member, status, reason in ((on_leave, "leave", "外出学习"), (absent, "absent", ""),
                                   (video, "video", "因公在外，视频参会")):
        assert member.person_id is not None
        services.set_attendance(store, clerk, sitting_id, member.person_id, status, reason)
    for m in members:
        if m not in (on_leave, absent, video, late):
            services.sign_in(store, m, sitting_id)
    run.present = [m for m in members if m not in (on_leave, absent, late)]
    run.video = video
    return late, video


def _budget_with_revote(run: _Run, item: int, ballot: int, late: Actor) -> None:
    """Four tablets fail in round 1; a member arrives; the chair orders a re-vote."""
    store, chair = run.store, run.chair
    services.start_item(store, chair, item)
    services.open_ballot(store, chair, ballot)
    for m in run.present[4:]:
        run.cast(m, ballot, run.three_way())
    run.close(ballot)
    services.sign_in(store, late, run.sitting_id)  # arrives between the rounds
    run.present.append(late)
    services.revote(store, chair, ballot, reason="第一轮有四台表决器发生故障，经主持人决定重新表决", confirm_passed=True)
    for m in run.present:
        run.cast(m, ballot, run.three_way())
    run.close(ballot)


def _selection(run: _Run, item: int, ballot: int) -> None:
    """Each member marks up to four projects, the popular ones more often."""
    services.start_item(run.store, run.chair, item)

    def marks() -> dict[str, str]:
        liked = [f"c{i}" for i, p in enumerate(POPULARITY, start=1) if run.rng.random() < p]
        run.rng.shuffle(liked)
        return {cid: "mark" for cid in liked[:4]}

    run.vote(ballot, marks, skip=0.0)


def _named(run: _Run, item: int, ballot: int) -> None:
    """A named resolution; one member changes their vote before the close."""
    services.start_item(run.store, run.chair, item)
    services.open_ballot(run.store, run.chair, ballot)
    for m in run.present:
        if run.rng.random() >= 0.07:
            run.cast(m, ballot, run.three_way((0.85, 0.08, 0.07)))
    run.cast(run.present[0], ballot, "for")  # change (or first vote): allowed here
    run.by_video.pop(ballot, None)  # the video link is down: the clerk cannot take that vote
    services.close_ballot(run.store, run.chair, ballot, confirm_video=True)


def _mixed_and_close(run: _Run, item: int, ballot: int, video: Actor) -> None:
    """Tablets in the hall, the member on video by show of hands (entered by the clerk); then close."""
    store, chair = run.store, run.chair
    services.start_item(store, chair, item)
    services.open_ballot(store, chair, ballot)
    for m in run.present:
        if m is not video:
            run.cast(m, ballot, run.three_way())
    services.enter_show_of_hands(store, run.clerk, ballot, counts={"main": {"for": 1}}, ballots_cast=1,
                                 note="视频参会人员举手表决")
    services.close_ballot(store, chair, ballot)
    services.finish_item(store, chair, item)
    services.close_sitting(store, chair, run.sitting_id)


def simulate(store: Store, *, seed: int = 2026, day: dt.date | None = None,
             echo: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Run the demo sitting on an empty, migrated store. Returns the ids."""
    rng = random.Random(seed)
    ids = demo.seed(store, today=day or dt.date.today())
    sitting_id = ids["sitting_id"]
    with store.read() as s:
        people = s.scalars(select(models.Person).where(models.Person.role == "member")
                           .order_by(models.Person.id)).all()
        members = [Actor(role="member", name=p.name, person_id=p.id) for p in people]
        items = list(s.scalars(select(models.AgendaItem.id).where(models.AgendaItem.sitting_id == sitting_id)
                               .order_by(models.AgendaItem.position)))
        seeded = list(s.scalars(select(models.Ballot.id).order_by(models.Ballot.id)))
    budget_b, removal_b, appoint_b, eval_b = seeded[:4]
    run = _Run(store, rng, sitting_id, members)
    added = _rest_of_agenda(run)
    late, video = _open_with_attendance(run)
    echo(f"sitting {sitting_id} opened: {len(run.present)} of {len(members)} present")

    _budget_with_revote(run, items[0], budget_b, late)
    echo("item 1: budget resolution voted twice (re-vote after a device failure)")
    services.start_item(store, run.chair, items[1])
    run.vote(removal_b, lambda: {"p1": run.three_way((0.85, 0.1, 0.05))})
    run.vote(appoint_b, lambda: {"p2": run.three_way((0.75, 0.15, 0.1))})
    echo("item 2: removal and appointment")
    services.start_item(store, run.chair, items[2])
    weights = {"d1": (0.55, 0.35, 0.1), "d2": (0.35, 0.5, 0.15), "d3": (0.2, 0.35, 0.45)}
    run.vote(eval_b, lambda: {d: rng.choices(["satisfied", "basic", "unsatisfied"], weights=w)[0]
                              for d, w in weights.items()})
    echo("item 3: evaluation")
    _selection(run, *added["selection"])
    echo("item 4: selection of projects")
    _named(run, *added["named"])
    echo("item 5: named resolution")
    _mixed_and_close(run, *added["mixed"], video)
    echo("item 6: mixed ballot with a show-of-hands entry; sitting closed")
    ballots = [budget_b, removal_b, appoint_b, eval_b] + [added[k][1] for k in ("selection", "named", "mixed")]
    return {"sitting_id": sitting_id, "body_id": ids["body_id"], "ballots": ballots}


def run_demo_sitting(out_dir: str | Path | None = None, *, seed: int = 2026, lang: str = "zh",
                     base_url: str | None = None, day: dt.date | None = None,
                     echo: Callable[[str], None] = print) -> DemoReport:
    """Simulate the demo sitting on a fresh SQLite database in ``out_dir`` (a temporary folder if None)
    and write every signed sheet, the bundle and the exports there."""
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="biaojue-demo-"))
    db = _prepare(out)
    url = f"sqlite:///{db}"
    store = Store(url)
    try:
        upgrade(store)
        ids = simulate(store, seed=seed, day=day, echo=echo)
        report = DemoReport(out, url, ids["sitting_id"], ids["body_id"])
        with store.read() as s:
            body = s.get(models.Body, ids["body_id"])
            assert body is not None
            key = body_key(out, body.id, body.name)
        report.certificate = out / "certs" / f"body-{body.id}.pem"
        echo(f"signing with the body's certificate {key.fingerprint[:16]}… ({report.certificate})")
        with store.read() as s:
            total = len(sd.closed_rounds(s, ids["sitting_id"])) + 3
        started = time.perf_counter()
        for n, (name, pdf_bytes) in enumerate(signed_sheets(store, ids["sitting_id"], instance=out, lang=lang,
                                                            base_url=base_url or sd.default_base_url()), start=1):
            path = out / name
            path.write_bytes(pdf_bytes)
            elapsed = time.perf_counter() - started
            report.sheet_seconds[name] = elapsed
            report.files.append(path)
            echo(f"[{n}/{total}] {name} ({len(pdf_bytes) // 1024} KB, {elapsed:.2f} s)")
            started = time.perf_counter()
        report.files += export_sitting(store, ids["sitting_id"], out)
        echo(f"exports: {', '.join(p.name for p in report.files if p.suffix != '.pdf')}")
        echo(f"verify a sheet: python -m voting_server --instance {out} verify {out / report.files[0].name}")
        return report
    finally:
        store.dispose()
