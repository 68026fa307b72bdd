"""Event consistency, as Zulip tests its event system: every audience takes a snapshot, an action happens,
the terminal applies the pushes it received to its old snapshot (docs/protocol.md section 3), and the
result must equal a fresh snapshot asked for with the ``snapshot`` command. Every numbered ``event`` must
carry exactly the next sequence number of the terminal's audience room.

The only liberty taken is the one protocol.md states: "you have voted" is ``me.vote.round_id ==
ballot.round_id and me.vote.voted``, so a vote of an earlier round and ``null`` both read "not voted"."""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from realtime_helpers import CLERK, Terminal
from support.polling import wait_for

from voting_server import ballotbox as bb
from voting_server import commands, demo, services
from voting_server.services import Actor, keyholders

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def member(hall, n: int) -> Actor:
    return Actor(role="member", name=str(n), person_id=hall.person(n))


AGENDA_CSV = "议题,类型,表决方式\n关于某事项的决定,决议,举手\n工作报告,报告,\n".encode()
ROSTER_CSV = "姓名,身份,座位号\n新委员甲,组成人员,90\n新委员乙,列席,91\n".encode()


class Sitting:
    """The terminals of every audience, and every command of the command table sent the way it is sent:
    the live commands over Socket.IO (and services beside them, as another process would), the
    preparation commands through the table as HTTP sends them. ``used`` names each command sent."""

    def __init__(self, hall, tmp_path) -> None:
        self.hall, self.store, self.sid, self.tmp = hall, hall.store, hall.sitting_id, tmp_path
        self.items, self.ballots = hall.seed.items, hall.seed.ballots
        token1b, _ = services.pair_with_pin(self.store, hall.seed.body_id, "1", demo.DEMO_PIN)
        self.t = {"seat1": hall.seat(1), "seat2": hall.seat(2), "observer": hall.observer(1),
                  "chair": hall.staff("chair"), "clerk": hall.staff("clerk"), "admin": hall.staff("admin"),
                  "display": hall.staff("display")}
        self.t["seat1b"] = Terminal(hall.app, "second tablet of seat 1", auth={"token": token1b})
        hall.terminals.append(self.t["seat1b"])
        self.named: dict[str, int] = {}
        self.used: set[str] = set()

    def send(self, who: str, name: str, payload=None):
        self.used.add(name)
        return self.t[who].ok(name, payload)

    def dispatch(self, actor, name: str, payload=None, **given):
        self.used.add(name)
        return commands.dispatch(self.store, actor, name, payload, **given)

    def cast(self, n: int, ballot_id: int, choice) -> None:
        services.cast_vote(self.store, member(self.hall, n), ballot_id, choice, secrets.token_hex(8))

    def prepare_elsewhere(self) -> None:
        """Preparation while the sitting runs: another body, people, accounts, tablets, another sitting."""
        body = self.hall.seed.body_id
        self.dispatch(CLERK, "create_body", {"name": "邻县人大常委会"})
        self.dispatch(CLERK, "update_rules", {"preset": "standing_committee"}, body_id=body)
        pid = self.dispatch(CLERK, "add_person", {"name": "补选委员", "seat": "88"}, body_id=body)["id"]
        self.dispatch(CLERK, "update_person", {"title": "委员"}, person_id=pid)
        self.dispatch(CLERK, "set_pin", {"pin": "8642"}, person_id=pid)
        self.dispatch(CLERK, "unlock_pin", {}, person_id=pid)
        upload = commands.Upload("roster.csv", ROSTER_CSV)
        assert self.dispatch(CLERK, "preview_roster", {}, body_id=body, file=upload)["count"] == 2
        self.dispatch(CLERK, "import_roster", {}, body_id=body, file=upload)
        hall_file = commands.Upload("会场.csv", "排,座,座位号\n1,1,1\n1,3,2\n".encode())
        assert self.dispatch(CLERK, "preview_hall", {}, body_id=body, file=hall_file)["seats"] == 2
        self.dispatch(CLERK, "import_hall", {}, body_id=body, file=hall_file)
        self.dispatch(CLERK, "save_hall", {"layout": {"rows": 1, "cols": 2, "seats": [["1", "2"]]}}, body_id=body)
        admin = Actor(role="admin", name="管理员", user_id=1)
        uid = self.dispatch(admin, "create_user", {"username": "clerk2", "password": "clerk2-demo-2026",
                                                   "role": "clerk"})["id"]
        self.dispatch(admin, "update_user", {"password": "clerk2-new-2026", "active": False}, user_id=uid)
        self.dispatch(admin, "update_user", {"bodies": [body]}, user_id=uid)
        chair2 = self.dispatch(admin, "create_user", {"username": "chair2", "password": "chair2-demo-2026",
                                                      "role": "chair"})["id"]
        self.dispatch(admin, "update_user", {"person_id": pid}, user_id=chair2)
        self.dispatch(CLERK, "set_public_url", {"url": "http://127.0.0.1:5000"}, instance=str(self.tmp))
        code = self.dispatch(CLERK, "create_pairing", {}, person_id=pid, base_url="http://127.0.0.1:5000")["code"]
        _token, tablet = services.pair_device(self.store, code)
        self.dispatch(CLERK, "revoke_device", {}, device_id=tablet.device_id)
        other = self.dispatch(CLERK, "create_sitting", {"title": "第三十七次会议", "date": "2026-12-20"},
                              body_id=body)["id"]
        tid = self.dispatch(CLERK, "save_template", {"name": "任命 — 逐人", "settings": {
            "spec": {"kind": "appointment"}, "secret": True}}, body_id=body)["id"]
        self.dispatch(CLERK, "delete_template", {}, template_id=tid)
        self.dispatch(CLERK, "copy_sitting", {"title": "第三十八次会议", "date": "2027-01-20"}, sitting_id=self.sid,
                      folder=str(self.tmp / "docs"))
        self.dispatch(CLERK, "update_sitting", {"date": "2026-12-21", "place": "第二会议室"}, sitting_id=other)
        self.dispatch(CLERK, "delete_sitting", {}, sitting_id=other, folder=str(self.tmp / "docs"))

    def add_named_item(self) -> None:
        self.named["item"] = self.dispatch(CLERK, "add_item", {"title": "关于召开下次会议的决定", "position": 2},
                                           sitting_id=self.sid)["id"]
        self.named["ballot"] = self.dispatch(CLERK, "create_ballot", {
            "secret": False, "allow_change": True, "spec": {"kind": "resolution", "question": "是否同意"}},
            item_id=self.named["item"])["id"]
        appointments = self.dispatch(CLERK, "add_item", {"title": "人事任免事项", "kind": "appointment"},
                                     sitting_id=self.sid)["id"]
        persons = [{"id": "p1", "name": "许文涛", "post": "县教育局局长"},
                   {"id": "p2", "name": "周敏", "post": "县民政局局长"}]
        spec = {"kind": "appointment", "persons": persons}
        assert len(self.dispatch(CLERK, "create_appointment_ballots", {"spec": spec}, item_id=appointments)["ids"]) == 2
        agenda = commands.Upload("议程.csv", AGENDA_CSV)
        assert self.dispatch(CLERK, "preview_agenda", {}, sitting_id=self.sid, file=agenda)["count"] == 2
        assert self.dispatch(CLERK, "import_agenda", {}, sitting_id=self.sid, file=agenda) == {
            "ok": True, "imported": 2, "ballots": 1}
        self.named["document"] = self.dispatch(CLERK, "add_document", {}, item_id=self.named["item"],
                                               file=commands.Upload("决定草案.pdf", MINIMAL_PDF),
                                               folder=str(self.tmp / "docs"), max_bytes=1 << 20)["id"]

    def correct_agenda(self) -> None:
        """Corrections before the ballots open: an item, a ballot, a document, the order; what was added
        by mistake deleted again."""
        docs = str(self.tmp / "docs")
        self.dispatch(CLERK, "update_item", {"title": "关于召开第三十八次会议的决定"}, item_id=self.named["item"])
        self.dispatch(CLERK, "update_ballot", {"timer_seconds": 120, "title": "表决召开会议的决定"},
                      ballot_id=self.named["ballot"])
        self.dispatch(CLERK, "replace_document", {}, document_id=self.named["document"],
                      file=commands.Upload("决定草案（修改稿）.pdf", MINIMAL_PDF + b"%v2\n"), folder=docs,
                      max_bytes=1 << 20)
        self.dispatch(CLERK, "move_item", {"position": 3}, item_id=self.items[2])
        extra = self.dispatch(CLERK, "add_item", {"title": "误加的议题"}, sitting_id=self.sid)["id"]
        ballot = self.dispatch(CLERK, "create_ballot", {"spec": {"kind": "resolution"}}, item_id=extra)["id"]
        doc = self.dispatch(CLERK, "add_document", {}, item_id=extra, file=commands.Upload("误传.pdf", MINIMAL_PDF),
                            folder=docs, max_bytes=1 << 20)["id"]
        self.dispatch(CLERK, "delete_document", {}, document_id=doc, folder=docs)
        self.dispatch(CLERK, "delete_ballot", {}, ballot_id=ballot)
        self.dispatch(CLERK, "delete_item", {}, item_id=extra, folder=docs)

    def withdraw_open_ballot(self) -> None:
        """An item started, its ballot opened and a vote cast; the chair withdraws the ballot."""
        item = self.dispatch(CLERK, "add_item", {"title": "关于某项目的决定"}, sitting_id=self.sid)["id"]
        ballot = self.dispatch(CLERK, "create_ballot", {"spec": {"kind": "resolution"}}, item_id=item)["id"]
        self.send("chair", "start_item", {"item_id": item})
        self.send("chair", "open_ballot", {"ballot_id": ballot})
        self.vote("seat1", ballot, "for")
        self.send("chair", "withdraw_ballot", {"ballot_id": ballot, "reason": "议案需进一步修改"})

    def selection_runoff(self) -> None:
        """A 票决 of 2 among 3 projects: all three tied at 8, the chair opens the run-off among them for the
        2 places, which chooses two (the final list joins both rounds)."""
        item = self.dispatch(CLERK, "add_item", {"title": "民生实事项目票决", "kind": "selection"},
                             sitting_id=self.sid)["id"]
        ballot = self.dispatch(CLERK, "create_ballot", {"spec": {"kind": "selection", "max_marks": 2, "candidates": [
            {"id": f"c{n}", "name": f"项目{n}", "amount": f"{n}00万元"} for n in (1, 2, 3)]}}, item_id=item)["id"]
        self.send("chair", "start_item", {"item_id": item})
        self.send("chair", "open_ballot", {"ballot_id": ballot})
        pairs = (("c1", "c2"), ("c2", "c3"), ("c1", "c3"))
        self.vote("seat1", ballot, dict.fromkeys(pairs[1], "mark"))  # type: ignore[arg-type]
        for n in range(2, 13):
            self.cast(n, ballot, dict.fromkeys(pairs[n % 3], "mark"))
        closed = self.send("chair", "close_ballot", {"ballot_id": ballot, "confirm_video": True})  # one by video
        assert closed["result"]["outcome"] == "tie"
        self.send("chair", "open_runoff", {"ballot_id": ballot})
        for n in range(1, 11):
            self.cast(n, ballot, dict.fromkeys(("c1", "c2") if n <= 8 else ("c1",), "mark"))
        closed = self.send("chair", "close_ballot", {"ballot_id": ballot, "confirm_video": True})
        assert closed["result"]["outcome"] == "selected"

    def speakers(self) -> None:
        rid = self.send("seat2", "speak", {"item_id": self.items[0]})["request_id"]
        orid = self.send("observer", "speak", {"item_id": self.items[0]})["request_id"]
        self.send("chair", "speaker", {"request_id": rid, "move": "grant"})
        self.send("chair", "speaker", {"request_id": rid, "move": "done"})
        self.send("observer", "speaker", {"request_id": orid, "move": "withdraw"})
        first = self.send("seat1", "speak", {"item_id": self.items[0]})["request_id"]
        again = self.send("seat2", "speak", {"item_id": self.items[0]})["request_id"]
        self.send("chair", "speaker_order", {"item_id": self.items[0], "order": [again, first]})

    def vote(self, who: str, ballot_id: int, choice: str) -> None:
        self.send(who, "cast", {"ballot_id": ballot_id, "choice": choice, "cast_id": secrets.token_hex(8)})

    def first_round_casts(self) -> None:
        self.vote("seat1", self.ballots[0], "for")
        for n in range(3, 10):
            self.cast(n, self.ballots[0], ["for", "against", "abstain"][n % 3])

    def second_round_casts(self) -> None:
        self.vote("seat2", self.ballots[0], "against")
        for n in range(3, 12):
            self.cast(n, self.ballots[0], "for")

    def named_casts(self) -> None:
        self.vote("seat1", self.named["ballot"], "for")
        self.vote("seat1b", self.named["ballot"], "against")  # a change from the other tablet
        for n in range(3, 8):
            self.cast(n, self.named["ballot"], "for")

    def attendance(self) -> None:
        for n, status, reason in ((14, "leave", "出差"), (15, "video", ""), (12, "absent", "")):
            self.send("clerk", "set_attendance", {"person_id": self.hall.person(n), "status": status, "reason": reason})

    def hands(self) -> None:
        self.send("clerk", "hands",
                  {"ballot_id": self.ballots[1], "counts": {"p1": {"for": 9, "against": 2, "abstain": 1}},
                                     "ballots": 12, "invalid": 0, "note": "表决器故障", "confirm": True})

    def key_ceremony(self) -> None:
        self.cards = self.dispatch(CLERK, "deal_keys", {"k": 2, "holders": [
            {"person_id": self.hall.person(1), "pin": "135790"}, {"person_id": self.hall.person(2), "pin": "246801"}]},
            sitting_id=self.sid)["cards"]
        self.named["shares_item"] = self.dispatch(CLERK, "add_item", {"title": "关于人事事项的表决", "position": 3},
                                                  sitting_id=self.sid)["id"]
        self.named["shares"] = self.dispatch(CLERK, "create_ballot", {
            "box_keys": "shares", "spec": {"kind": "resolution"}}, item_id=self.named["shares_item"])["id"]

    def decrypt(self, who: str, n: int, pin: str) -> None:
        """A 监票人's seat: the request, the card unlocked with the PIN, the partial decryption sent."""
        req = self.send(who, "decryption_request", {"ballot_id": self.named["shares"]})
        keys = bb.KeySet.from_dict(req["keys"])
        partial = bb.partial(bb.Box.from_request(keys, req["request"]), bb.unlock(self.cards[n]["card"], pin, keys))
        self.send(who, "give_share", {"ballot_id": self.named["shares"], "partial": partial})

    def steps(self) -> list[tuple[str, Callable[[], object]]]:
        b0, b1, named = self.ballots[0], self.ballots[1], self.named

        def close(ballot: Callable[[], int]) -> Callable[[], object]:  # votes of members by video not entered
            return lambda: self.send("chair", "close_ballot", {"ballot_id": ballot(), "confirm_video": True})

        return [
            ("open sitting", lambda: self.send("chair", "open_sitting", {"confirm": True})),
            ("sign-ins over Socket.IO", lambda: [self.send(t, "sign_in") for t in ("seat1", "seat2", "observer")]),
            ("sign-ins through the services", lambda: [services.sign_in(self.store, member(self.hall, n), self.sid)
                                                       for n in range(3, 13)]),
            ("set attendance", self.attendance),
            ("preparation elsewhere", self.prepare_elsewhere),
            ("start item 1", lambda: self.send("chair", "start_item", {"item_id": self.items[0]})),
            ("speak, grant, done, withdraw", self.speakers),
            ("open secret ballot", lambda: self.send("chair", "open_ballot", {"ballot_id": b0})),
            ("casts", self.first_round_casts),
            ("extend", lambda: self.send("chair", "extend", {"ballot_id": b0, "seconds": 120})),
            ("remind", lambda: self.send("chair", "remind", {"ballot_id": b0})),
            ("attendance during a ballot", lambda: self.send("clerk", "set_attendance", {
                "person_id": self.hall.person(12), "status": "present"})),
            ("close ballot", close(lambda: b0)),
            ("revote", lambda: self.send("chair", "revote", {"ballot_id": b0, "reason": "部分表决器故障",
                                                             "confirm_passed": True})),
            ("casts in the new round", self.second_round_casts),
            ("close the new round", close(lambda: b0)),
            ("add item, ballot and document", self.add_named_item),
            ("correct the agenda", self.correct_agenda),
            ("finish item 1", lambda: self.send("chair", "finish_item", {"item_id": self.items[0]})),
            ("start the added item", lambda: self.send("chair", "start_item", {"item_id": named["item"]})),
            ("open named ballot", lambda: self.send("chair", "open_ballot", {"ballot_id": named["ballot"]})),
            ("named casts and a change", self.named_casts),
            ("close named ballot", close(lambda: named["ballot"])),
            ("start item 2 (moves on from the added one)", lambda: self.send("chair", "start_item",
                                                                             {"item_id": self.items[1]})),
            ("open the removal", lambda: self.send("chair", "open_ballot", {"ballot_id": b1})),
            ("show of hands", self.hands),
            ("close by hands", lambda: self.send("chair", "close_ballot", {"ballot_id": b1})),
            ("withdraw an open ballot", self.withdraw_open_ballot),
            ("withdraw an item", lambda: self.send("clerk", "withdraw_item", {"item_id": self.items[2],
                                                                              "reason": "提案人撤回"})),
            ("a selection tied, and its run-off", self.selection_runoff),
            ("key ceremony, a ballot the 监票人 decrypt", self.key_ceremony),
            ("start its item", lambda: self.send("chair", "start_item", {"item_id": named["shares_item"]})),
            ("open it", lambda: self.send("chair", "open_ballot", {"ballot_id": named["shares"]})),
            ("casts in it", lambda: [self.vote("seat1", named["shares"], "for"),
                                     self.cast(3, named["shares"], "against")]),
            ("close: counting", close(lambda: named["shares"])),
            ("the first 监票人 decrypts", lambda: self.decrypt("seat1", 0, "135790")),
            ("the second: the result", lambda: self.decrypt("seat2", 1, "246801")),
            ("a snapshot asked for", lambda: self.send("display", "snapshot")),
            ("close sitting", lambda: self.send("chair", "close_sitting")),
        ]


def test_pushes_bring_every_audience_to_a_fresh_snapshot(hall, tmp_path, monkeypatch):
    monkeypatch.setattr(keyholders, "KDF", bb.Kdf(t=1, log2_m=3, p=1))  # cheap key cards
    run = Sitting(hall, tmp_path)
    start_seq = {label: t.state["seq"] for label, t in run.t.items()}
    log: list[str] = []
    for label, action in run.steps():
        action()
        log.append(label)
        for name, t in run.t.items():
            ok, diff = t.settle()
            assert ok, f"after {' → '.join(log)}: {name} ({t.state.get('audience')}) differs from a fresh " \
                       f"snapshot at {diff}"
    chair = run.t["chair"]
    final_seq = chair.state["seq"]
    assert chair.state["sitting"]["status"] == "closed"
    for name, t in run.t.items():
        assert t.seqs == list(range(start_seq[name] + 1, final_seq + 1)), f"{name}: {t.seqs}"
    assert len(chair.state["results"]) == 7  # with the selection's two rounds
    assert run.t["seat1"].state["me"]["vote"]["voted"] is True
    assert run.used == set(commands.COMMANDS), f"commands never sent: {sorted(set(commands.COMMANDS) - run.used)}"


def test_a_coalesced_push_built_before_a_numbered_event_does_not_undo_it(hall, monkeypatch):
    """The attendance push is built by the coalescing loop from what it reads, and sent a moment later. If a
    numbered event (here: the close of the ballot) is pushed in between, a terminal applying the attendance
    push afterwards (protocol.md: "replace attendance and ballot") must not end up showing the ballot open
    again. The gap is widened on purpose so that the order is certain."""
    from voting_server.realtime import publisher as publisher_module

    store, sid = hall.store, hall.sitting_id
    chair, seat = hall.staff("chair"), hall.seat(1)
    chair.ok("open_sitting", {"confirm": True})
    for n in range(1, 13):
        services.sign_in(store, member(hall, n), sid)
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": hall.seed.ballots[0]})
    for t in (chair, seat):
        assert t.settle()[0]

    built, release = [], []
    original = publisher_module.terminal_view.sections_by_audience

    def slow_build(s, sitting, names):
        out = original(s, sitting, names)
        if tuple(names) == ("attendance", "ballot"):
            built.append(time.monotonic())
            deadline = time.monotonic() + 2
            while not release and time.monotonic() < deadline:
                time.sleep(0.01)
        return out

    monkeypatch.setattr(publisher_module.terminal_view, "sections_by_audience", slow_build)
    services.sign_in(store, member(hall, 13), sid)  # marks attendance dirty; the loop starts building
    assert wait_for(lambda: built, 3.0), "the attendance push was not built"
    chair.ok("close_ballot", {"ballot_id": hall.seed.ballots[0]})
    release.append(True)
    time.sleep(0.3)
    monkeypatch.setattr(publisher_module.terminal_view, "sections_by_audience", original)
    for t in (chair, seat):
        t.pump()
        assert t.state["ballot"]["status"] == "closed", \
            f"{t.label}: a stale attendance push re-opened the closed ballot on screen"
        ok, diff = t.settle(timeout=0.5)
        assert ok, f"{t.label}: {diff}"


def test_the_planned_sittings_terminals_are_told_where_the_body_went(hall):
    """Two planned sittings: every audience on the older one; the newer one opens, then closes. Each terminal
    of the older one gets a numbered ``sitting_moved`` (``sitting.moved_to`` and the early sign-ins moved
    out of its attendance) and ends where a fresh snapshot of the older sitting says, at each step."""
    store, older = hall.store, hall.sitting_id
    newer = services.create_sitting(store, CLERK, hall.seed.body_id, title="第三十七次会议", date="2099-12-30")
    on_older = {"seat1": hall.seat(1), "seat2": hall.seat(2), "observer": hall.observer(1),
                "chair": hall.staff("chair"), "clerk": hall.staff("clerk"), "display": hall.staff("display")}
    start = {name: t.state["seq"] for name, t in on_older.items()}
    on_older["seat1"].ok("sign_in")
    opener = hall.staff("clerk", auth={"sitting_id": newer})
    steps = [("open the newer sitting", lambda: opener.ok("open_sitting", {"confirm": True}), newer),
             ("a sign-in sent for the older one", lambda: on_older["seat2"].ok("sign_in"), newer),
             ("close the newer sitting", lambda: hall.staff("chair", auth={"sitting_id": newer}).ok("close_sitting"),
              None)]
    for label, action, moved_to in steps:
        action()
        for name, t in on_older.items():
            ok, diff = t.settle()
            assert ok, f"after {label}: {name} differs from a fresh snapshot at {diff}"
            assert t.state["sitting"]["moved_to"] == moved_to, f"after {label}: {name}"
            assert t.state["sitting"]["id"] == older
    for name, t in on_older.items():
        assert t.seqs == [start[name] + 1, start[name] + 2], f"{name}: {t.seqs}"
        assert [e["type"] for e in t.received("event")] == ["sitting_moved", "sitting_moved"]
    with store.read() as s:
        from voting_server import models
        assert s.get(models.Attendance, (newer, hall.person(1))).status == "present"
        assert s.get(models.Attendance, (newer, hall.person(2))).status == "present"
        assert s.get(models.Attendance, (older, hall.person(1))).status == "absent"
