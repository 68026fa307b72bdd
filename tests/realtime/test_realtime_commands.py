"""Every live command of the command table (``commands.LIVE``): with a valid payload it does what protocol.md
says; with a bad one (not an object, too large, unknown or missing field, wrong type, a boolean for an integer, ids that
name nothing) it is answered with an error acknowledgement naming what is wrong, changes no row and
pushes nothing, and the connection survives. Each audience may do only its own commands."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from realtime_helpers import CLERK
from sqlalchemy import select
from sqlalchemy import update as sa_update
from support.database import changed_tables, dump_database

from voting_server import ballotbox as bb
from voting_server import commands, models, services
from voting_server.db import Store
from voting_server.realtime.namespace import MAX_PAYLOAD
from voting_server.services import Actor, keyholders

CHAIR = Actor(role="chair", name="王建国")
COMMANDS = commands.LIVE


def member(hall, n: int) -> Actor:
    return Actor(role="member", name=str(n), person_id=hall.person(n))


def prepare(hall, stage: str) -> dict[str, Any]:
    """base: the seeded sitting (planned). open: opened, seats 1-12 signed in, item 1 current, seat 2 asked
    to speak. ballot: and ballot 1 (secret) open. closed: and ballot 1 closed. counting: ballot 1's key
    held by seats 1 and 2 (2 of 2), three casts, closed: its sums await their decryption. tie: a selection
    on item 1 (2 of 3 projects) closed with all three tied at 8 marks."""
    store, sid = hall.store, hall.sitting_id
    item1, item2 = hall.seed.items[0], hall.seed.items[1]
    ids: dict[str, Any] = {"item1": item1, "item2": item2, "ballot1": hall.seed.ballots[0],
                           "ballot2": hall.seed.ballots[1], "ballot4": hall.seed.ballots[3]}
    if stage == "base":
        return ids
    services.open_sitting(store, CHAIR, sid)
    for n in range(1, 13):
        services.sign_in(store, member(hall, n), sid)
    services.start_item(store, CHAIR, item1)
    ids["request_id"] = services.request_to_speak(store, member(hall, 2), item1)
    if stage == "counting":
        deal_to_seats_1_and_2(hall, ids)
    if stage in ("ballot", "closed", "counting"):
        ids["round_id"] = services.open_ballot(store, CHAIR, ids["ballot1"])
    if stage == "counting":
        for n, choice in ((3, "for"), (4, "against"), (5, "for")):
            services.cast_vote(store, member(hall, n), ids["ballot1"], choice, secrets.token_hex(8))
        services.close_ballot(store, CHAIR, ids["ballot1"])
    if stage == "closed":
        services.close_ballot(store, CHAIR, ids["ballot1"])
    if stage == "tie":
        tied_selection(hall, ids)
    return ids


def tied_selection(hall, ids: dict[str, Any]) -> None:
    store = hall.store
    ids["selection"] = services.create_ballot(store, CLERK, ids["item1"], spec={
        "kind": "selection", "max_marks": 2, "candidates": [{"id": f"c{n}", "name": f"项目{n}"} for n in (1, 2, 3)]})
    services.open_ballot(store, CHAIR, ids["selection"])
    for n in range(1, 13):
        pair = (("c1", "c2"), ("c2", "c3"), ("c1", "c3"))[n % 3]
        services.cast_vote(store, member(hall, n), ids["selection"], dict.fromkeys(pair, "mark"), secrets.token_hex(8))
    assert services.close_ballot(store, CHAIR, ids["selection"])["ties"] == [["c1", "c2", "c3"]]


PIN = "135790"


def deal_to_seats_1_and_2(hall, ids: dict[str, Any]) -> None:
    with hall.store.write_session() as s, s.begin():
        s.execute(sa_update(models.Ballot).where(models.Ballot.id == ids["ballot1"]).values(box_keys="shares"))
    kdf, keyholders.KDF = keyholders.KDF, bb.Kdf(t=1, log2_m=3, p=1)  # cheap key cards
    try:
        ids["cards"] = services.deal_keys(hall.store, CLERK, hall.sitting_id, k=2, holders=[
            {"person_id": hall.person(n), "pin": PIN} for n in (1, 2)])["cards"]
    finally:
        keyholders.KDF = kdf
    ids["store"], ids["person1"] = hall.store, hall.person(1)


def partial_payload(i):
    """Seat 1's partial decryption of ballot 1's box (where it is counting; else a well-formed stand-in)."""
    if "cards" not in i:
        return {"ballot_id": i["ballot1"], "partial": {"v": 1, "index": 1, "box": "00" * 32, "shares": [],
                                                       "proofs": []}}
    if "partial" not in i:
        seat1 = Actor(role="member", name="1", person_id=i["person1"])
        req = keyholders.decryption_request(i["store"], seat1, i["ballot1"])
        keys = bb.KeySet.from_dict(req["keys"])
        share = bb.unlock(i["cards"][0]["card"], PIN, keys)
        i["partial"] = bb.partial(bb.Box.from_request(keys, req["request"]), share)
    return {"ballot_id": i["ballot1"], "partial": i["partial"]}


def check_decryption_request(hall, ack, ids):
    assert ack["index"] == 1 and ack["given"] is False and len(ack["request"]["ballots"]) == 3
    assert bb.Box.from_request(bb.KeySet.from_dict(ack["keys"]), ack["request"]).hash.hex() == ack["box"]


def check_give_share(hall, ack, ids):
    assert (ack["received"], ack["needed"], ack["result"]) == (1, 2, None)
    assert [p["index"] for p in row(hall, models.Round, models.Round.id == ids["round_id"]).box_partials] == [1]


def row(hall, model, *where):
    with hall.store.read() as s:
        return s.scalar(select(model).where(*where))


@dataclass
class Case:
    who: str  # "seat:<n>", "observer", "chair", "clerk", "display"
    stage: str
    payload: Callable[[dict[str, Any]], dict[str, Any]]
    check: Callable[[Any, dict[str, Any], dict[str, Any]], None]
    semantic: list[tuple[Callable[[dict[str, Any]], dict[str, Any]], str | None]]  # refused payloads, code


def check_snapshot(hall, ack, ids):
    assert ack["snapshot"]["seq"] >= 0 and ack["snapshot"]["me"]["seat"] == "1"


def check_sign_in(hall, ack, ids):
    r = row(hall, models.Attendance, models.Attendance.person_id == hall.person(13))
    assert r.status == "present"


def check_cast(hall, ack, ids):
    assert ack["ballot_id"] == ids["ballot1"] and ack["round"] == 1
    # a secret ballot's receipt: the hash of the member's encrypted ballot, as stored in the box
    assert ack["duplicate"] is False and ack["changed"] is False and len(ack["receipt"]) == 64
    assert row(hall, models.BoxBallot, models.BoxBallot.hash == ack["receipt"]) is not None
    assert row(hall, models.Round, models.Round.id == ids["round_id"]).voters == 1


def check_speak(hall, ack, ids):
    r = row(hall, models.SpeakerRequest, models.SpeakerRequest.id == ack["request_id"])
    assert (r.person_id, r.status) == (hall.person(3), "waiting")


def check_speaker(hall, ack, ids):
    assert row(hall, models.SpeakerRequest, models.SpeakerRequest.id == ids["request_id"]).status == "granted"


def check_speaker_order(hall, ack, ids):
    assert row(hall, models.SpeakerRequest, models.SpeakerRequest.id == ids["request_id"]).position == 1


def check_open_sitting(hall, ack, ids):
    assert row(hall, models.Sitting, models.Sitting.id == hall.sitting_id).status == "open"


def check_close_sitting(hall, ack, ids):
    assert row(hall, models.Sitting, models.Sitting.id == hall.sitting_id).status == "closed"


def check_start_item(hall, ack, ids):
    assert row(hall, models.AgendaItem, models.AgendaItem.id == ids["item2"]).status == "current"
    assert row(hall, models.AgendaItem, models.AgendaItem.id == ids["item1"]).status == "done"


def check_finish_item(hall, ack, ids):
    assert row(hall, models.AgendaItem, models.AgendaItem.id == ids["item1"]).status == "done"


def check_open_ballot(hall, ack, ids):
    rnd = row(hall, models.Round, models.Round.id == ack["round_id"])
    assert (rnd.ballot_id, rnd.status, rnd.number) == (ids["ballot1"], "open", 1)


def check_close_ballot(hall, ack, ids):
    assert ack["result"]["outcome"] in ("passed", "failed")
    assert ack["result"]["turnout"]["present"] == 12
    assert row(hall, models.Round, models.Round.id == ids["round_id"]).status == "closed"


def check_revote(hall, ack, ids):
    rnd = row(hall, models.Round, models.Round.id == ack["round_id"])
    assert (rnd.number, rnd.status) == (2, "open")


def check_open_runoff(hall, ack, ids):
    rnd = row(hall, models.Round, models.Round.id == ack["round_id"])
    assert (rnd.ballot_id, rnd.number, rnd.status, rnd.spec["stage"]) == (ids["selection"], 2, "open", "runoff")


def check_extend(hall, ack, ids):
    assert row(hall, models.Round, models.Round.id == ids["round_id"]).deadline is not None


def check_remind(hall, ack, ids):
    assert ack["reminded"] == 12


def check_set_attendance(hall, ack, ids):
    r = row(hall, models.Attendance, models.Attendance.person_id == hall.person(14))
    assert (r.status, r.reason) == ("leave", "因病请假")


def check_hands(hall, ack, ids):
    r = row(hall, models.HandCount, models.HandCount.round_id == ids["round_id"])
    assert (r.ballots, r.counts) == (12, {"main": {"for": 10, "against": 1, "abstain": 1}})


def check_withdraw_ballot(hall, ack, ids):
    ballot = row(hall, models.Ballot, models.Ballot.id == ids["ballot1"])
    assert ballot.withdrawn_reason == "议案需进一步修改"
    assert row(hall, models.Round, models.Round.id == ids["round_id"]).status == "withdrawn"
    assert row(hall, models.Result, models.Result.round_id == ids["round_id"]) is None


def check_withdraw_item(hall, ack, ids):
    item = row(hall, models.AgendaItem, models.AgendaItem.id == ids["item2"])
    assert (item.status, item.withdrawn_reason) == ("withdrawn", "提案人撤回")


def reasons_refused(base: Callable[[dict[str, Any]], dict[str, Any]]):
    return [(lambda i: {**base(i), "reason": ""}, "missing_text"),
            (lambda i: {**base(i), "reason": "长" * 201}, "text_too_long"),
            (lambda i: {**base(i), "reason": "a\x00b"}, "bad_characters")]


def withdraw_ballot_payload(i):
    return {"ballot_id": i["ballot1"], "reason": "议案需进一步修改"}


def withdraw_item_payload(i):
    return {"item_id": i["item2"], "reason": "提案人撤回"}


def ids_not_found(field: str, base: Callable[[dict[str, Any]], dict[str, Any]]):
    return [(lambda i, v=v: {**base(i), field: v}, "not_found") for v in (999999, 2**40, 0, -7)]


def cast_payload(i):
    return {"ballot_id": i["ballot1"], "choice": "for", "cast_id": i.setdefault("cast_id", secrets.token_hex(8))}


def hands_payload(i):
    return {"ballot_id": i["ballot1"], "counts": {"main": {"for": 10, "against": 1, "abstain": 1}}, "ballots": 12,
            "invalid": 0, "note": "表决器故障", "confirm": True}


CASES: dict[str, Case] = {
    "snapshot": Case("seat:1", "base", lambda i: {}, check_snapshot, []),
    "sign_in": Case("seat:13", "open", lambda i: {}, check_sign_in, []),
    "cast": Case("seat:1", "ballot", cast_payload, check_cast, [
        *ids_not_found("ballot_id", cast_payload),
        (lambda i: {**cast_payload(i), "ballot_id": i["ballot4"]}, "ballot_not_open"),
        (lambda i: {**cast_payload(i), "choice": "maybe"}, "unknown_option"),
        (lambda i: {**cast_payload(i), "choice": {"zz": "for"}}, None),
        (lambda i: {**cast_payload(i), "choice": "x" * 300}, "bad_choice"),
        (lambda i: {**cast_payload(i), "choice": {"main": 1}}, "bad_choice"),
        (lambda i: {**cast_payload(i), "cast_id": "short"}, "bad_cast_id"),
        (lambda i: {**cast_payload(i), "cast_id": "a" * 65}, "bad_cast_id"),
        (lambda i: {**cast_payload(i), "cast_id": "tab\tbed-id"}, "bad_cast_id"),
        (lambda i: {**cast_payload(i), "person_id": i["other_person"]}, "not_yourself"),
        (lambda i: {**cast_payload(i), "person_id": 2**40}, "not_yourself"),
    ]),
    "speak": Case("seat:3", "open", lambda i: {"item_id": i["item1"]}, check_speak, [
        *ids_not_found("item_id", lambda i: {}),
        (lambda i: {"item_id": i["item2"]}, "not_current"),
    ]),
    "speaker": Case("chair", "open", lambda i: {"request_id": i["request_id"], "move": "grant"}, check_speaker, [
        *ids_not_found("request_id", lambda i: {"move": "grant"}),
        (lambda i: {"request_id": i["request_id"], "move": "jump"}, "bad_move"),
        (lambda i: {"request_id": i["request_id"], "move": "done"}, "bad_state"),
    ]),
    "speaker_order": Case("chair", "open", lambda i: {"item_id": i["item1"], "order": [i["request_id"]]},
                          check_speaker_order, [
        *ids_not_found("item_id", lambda i: {"order": []}),
        (lambda i: {"item_id": i["item2"], "order": []}, "not_current"),
        (lambda i: {"item_id": i["item1"], "order": []}, "queue_changed"),
        (lambda i: {"item_id": i["item1"], "order": [i["request_id"], i["request_id"]]}, "queue_changed"),
        (lambda i: {"item_id": i["item1"], "order": [i["request_id"] + 1000]}, "queue_changed"),
    ]),
    "open_sitting": Case("chair", "base", lambda i: {"confirm": True}, check_open_sitting,
                         [(lambda i: {}, "nobody_present")]),
    "close_sitting": Case("chair", "open", lambda i: {}, check_close_sitting, []),
    "start_item": Case("chair", "open", lambda i: {"item_id": i["item2"]}, check_start_item,
                       ids_not_found("item_id", lambda i: {})),
    "finish_item": Case("chair", "open", lambda i: {"item_id": i["item1"]}, check_finish_item, [
        *ids_not_found("item_id", lambda i: {}), (lambda i: {"item_id": i["item2"]}, "not_current")]),
    "open_ballot": Case("chair", "open", lambda i: {"ballot_id": i["ballot1"], "override_quorum": False},
                        check_open_ballot, [
                            *ids_not_found("ballot_id", lambda i: {}),
                            (lambda i: {"ballot_id": i["ballot2"]}, "not_current")]),
    "close_ballot": Case("chair", "ballot", lambda i: {"ballot_id": i["ballot1"]}, check_close_ballot, [
        *ids_not_found("ballot_id", lambda i: {}), (lambda i: {"ballot_id": i["ballot4"]}, "ballot_not_open")]),
    "revote": Case("chair", "closed", lambda i: {"ballot_id": i["ballot1"], "reason": "表决器故障"}, check_revote, [
        *ids_not_found("ballot_id", lambda i: {"reason": "表决器故障"}),
        (lambda i: {"ballot_id": i["ballot2"], "reason": "表决器故障"}, "not_current"),
        (lambda i: {"ballot_id": i["ballot1"]}, "missing_text"),
        (lambda i: {"ballot_id": i["ballot1"], "reason": "  "}, "missing_text"),
        (lambda i: {"ballot_id": i["ballot1"], "reason": "x" * 301}, "text_too_long")]),
    "open_runoff": Case("chair", "tie", lambda i: {"ballot_id": i.get("selection", i["ballot1"])}, check_open_runoff, [
        *ids_not_found("ballot_id", lambda i: {}),
        (lambda i: {"ballot_id": i["ballot1"]}, "not_places"),
        (lambda i: {"ballot_id": i["selection"], "extra": 1}, "extra_not_further"),
        (lambda i: {"ballot_id": i["selection"], "extra": 0}, "bad_extra")]),
    "extend": Case("chair", "ballot", lambda i: {"ballot_id": i["ballot1"], "seconds": 60}, check_extend, [
        *ids_not_found("ballot_id", lambda i: {"seconds": 60}),
        (lambda i: {"ballot_id": i["ballot1"], "seconds": 5}, "bad_timer"),
        (lambda i: {"ballot_id": i["ballot1"], "seconds": 2**40}, "bad_timer"),
        (lambda i: {"ballot_id": i["ballot4"], "seconds": 60}, "ballot_not_open")]),
    "remind": Case("chair", "ballot", lambda i: {"ballot_id": i["ballot1"]}, check_remind, [
        *ids_not_found("ballot_id", lambda i: {}), (lambda i: {"ballot_id": i["ballot4"]}, "ballot_not_open")]),
    "set_attendance": Case("clerk", "open", lambda i: {"person_id": i["person14"], "status": "leave",
                                                       "reason": "因病请假"}, check_set_attendance, [
        *ids_not_found("person_id", lambda i: {"status": "leave"}),
        (lambda i: {"person_id": i["person14"], "status": "asleep"}, "bad_status"),
        (lambda i: {"person_id": i["person14"], "status": "leave", "reason": "长" * 201}, "text_too_long"),
        (lambda i: {"person_id": i["person14"], "status": "leave", "reason": "a\x00b"}, "bad_characters")]),
    "decryption_request": Case("seat:1", "counting", lambda i: {"ballot_id": i["ballot1"]}, check_decryption_request, [
        *ids_not_found("ballot_id", lambda i: {}), (lambda i: {"ballot_id": i["ballot4"]}, "not_counting")]),
    "give_share": Case("seat:1", "counting", partial_payload, check_give_share, [
        *ids_not_found("ballot_id", partial_payload),
        (lambda i: {**partial_payload(i), "ballot_id": i["ballot4"]}, "not_counting"),
        (lambda i: {**partial_payload(i), "partial": {"v": 1}}, "malformed"),
        (lambda i: {**partial_payload(i), "partial": {**partial_payload(i)["partial"], "box": "00" * 32}}, "wrong_box"),
        (lambda i: {**partial_payload(i), "partial": {**partial_payload(i)["partial"], "index": 2}}, "bad_partial"),
        (lambda i: {**partial_payload(i), "partial": {**partial_payload(i)["partial"], "v": 2}}, "malformed")]),
    "hands": Case("clerk", "ballot", hands_payload, check_hands, [
        *ids_not_found("ballot_id", hands_payload),
        (lambda i: {**hands_payload(i), "confirm": False}, "confirm_required"),
        (lambda i: {**hands_payload(i), "counts": {"zz": {"for": 1}}}, "unknown_question"),
        (lambda i: {**hands_payload(i), "counts": {"main": {"maybe": 1}}}, "unknown_option"),
        (lambda i: {**hands_payload(i), "counts": {"main": {"for": -1}}}, "bad_count"),
        (lambda i: {**hands_payload(i), "counts": {"main": {"for": True}}}, "bad_count"),
        (lambda i: {**hands_payload(i), "counts": {"main": {"for": 13}}}, "count_exceeds"),
        (lambda i: {**hands_payload(i), "ballots": 13, "counts": {"main": {"for": 13}}}, "count_exceeds_present"),
        (lambda i: {**hands_payload(i), "ballots": -1}, "bad_count"),
        (lambda i: {**hands_payload(i), "ballot_id": i["ballot4"]}, "ballot_not_open")]),
    "withdraw_ballot": Case("chair", "ballot", withdraw_ballot_payload, check_withdraw_ballot, [
        *ids_not_found("ballot_id", withdraw_ballot_payload), *reasons_refused(withdraw_ballot_payload)]),
    "withdraw_item": Case("clerk", "open", withdraw_item_payload, check_withdraw_item, [
        *ids_not_found("item_id", withdraw_item_payload), *reasons_refused(withdraw_item_payload)]),
}


def test_every_command_has_a_case():
    assert set(CASES) == set(COMMANDS)


def terminal_for(hall, who: str):
    if who.startswith("seat:"):
        return hall.seat(int(who.split(":")[1]))
    if who == "observer":
        return hall.observer(1)
    return hall.staff(who)


def setup_case(hall, name: str):
    case = CASES[name]
    ids = prepare(hall, case.stage)
    ids["person14"], ids["other_person"] = hall.person(14), hall.person(9)
    t = terminal_for(hall, case.who)
    return case, ids, t


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_valid_payload(hall, name):
    case, ids, t = setup_case(hall, name)
    ack = t.cmd(name, case.payload(ids))
    assert isinstance(ack, dict) and ack.get("ok") is True, ack
    case.check(hall, ack, ids)
    assert t.cmd("snapshot", {})["ok"] is True


def wrong_values(types: tuple[type, ...]) -> list[Any]:
    pool = ["1", 1, 1.5, None, True, False, [1], {"a": 1}, float("nan")]
    return [v for v in pool if not (isinstance(v, types) and not (isinstance(v, bool) and bool not in types))]


def bad_payloads(name: str, valid: dict[str, Any]) -> list[tuple[str, Any, str, str | None]]:
    """(label, payload, expected error, a word its English message must contain)."""
    spec = {key: (f.rule.json_types, f.required) for key, f in commands.schema(name).items()}
    limit = commands.LIVE[name].max_payload or MAX_PAYLOAD
    out: list[tuple[str, Any, str, str | None]] = [
        ("list", [1, 2], "bad_payload", None), ("string", "hello", "bad_payload", None),
        ("int", 7, "bad_payload", None), ("bool", True, "bad_payload", None),
        ("oversized", {**valid, "padding": "x" * (limit + 1)}, "payload_too_large", None),
        ("oversized-unicode", {**valid, "padding": "表" * (limit // 3 + 1)}, "payload_too_large", None),
        ("unknown-field", {**valid, "sneaky": 1}, "unknown_field", "sneaky"),
        ("unknown-field-long", {**valid, "y" * 500: 1}, "unknown_field", "yyyy"),
    ]
    for key, (types, required) in spec.items():
        if required:
            out.append((f"missing-{key}", {k: v for k, v in valid.items() if k != key}, "missing_field", key))
        for value in wrong_values(types):
            out.append((f"{key}={value!r}", {**valid, key: value}, "bad_field", key))
    return out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_bad_payloads_change_nothing(hall, name):
    case, ids, t = setup_case(hall, name)
    valid = case.payload(ids)
    watchers = [hall.staff("display")]
    cases = [(label, payload, code, word) for label, payload, code, word in bad_payloads(name, valid)]
    cases += [(f"semantic-{k}", make(ids), code, None) for k, (make, code) in enumerate(case.semantic)]
    failures = []
    for label, payload, code, word in cases:
        seq_before = t.fresh()["seq"]
        before = dump_database(hall.store)
        ack = t.cmd(name, payload)
        after = dump_database(hall.store)
        problems = []
        if not isinstance(ack, dict) or ack.get("ok") is not False:
            problems.append(f"answered {ack!r}")
        else:
            if code is not None and ack.get("error") != code:
                problems.append(f"error {ack.get('error')!r} ({ack.get('message_en')}), expected {code!r}")
            if not ack.get("message") or not ack.get("message_en"):
                problems.append("no message")
            if word is not None and word not in ack.get("message_en", ""):
                problems.append(f"message {ack.get('message_en')!r} does not name {word!r}")
        if changed_tables(before, after):
            problems.append(f"changed {changed_tables(before, after)}")
        if not t.connected:
            problems.append("disconnected")
            failures.append((label, problems))
            break
        if t.fresh()["seq"] != seq_before:
            problems.append("seq moved")
        if problems:
            failures.append((label, problems))
    for w in [t, *watchers]:
        w.pump()
        assert [n for n, _d, _t in w.log if n == "event"] == [], f"{w.label} got a push from a refused command"
    assert not failures, "\n".join(f"{name} {label}: {'; '.join(p)}" for label, p in failures)
    # the connection still works: the valid payload is accepted afterwards
    ack = t.cmd(name, valid)
    assert ack.get("ok") is True, ack


def test_extra_arguments_and_no_payload(hall):
    """A command may come without a payload (``{}``) or with extra positional arguments (ignored)."""
    prepare(hall, "open")
    seat = hall.seat(13)
    assert seat.cmd("snapshot")["ok"] is True
    assert seat.cmd("sign_in")["ok"] is True
    assert seat.cmd("snapshot", {}, {"x": 1}, 3)["ok"] is True
    assert seat.cmd("speak")["error"] == "missing_field"


def test_unknown_event_is_answered(hall):
    """A name that is no command is answered ``unknown_event`` (protocol.md section 4) and runs nothing;
    so are the names Socket.IO reserves for connecting and disconnecting, sent as ordinary events."""
    seat = hall.seat(1)
    before = dump_database(hall.store)
    for name in ("drop_tables", "connect", "disconnect", "message", "connect_error"):
        ack = seat.cmd(name, {"all": True})
        assert isinstance(ack, dict) and ack["ok"] is False and ack["error"] == "unknown_event", (name, ack)
        assert ack["message"] and ack["message_en"]
    assert dump_database(hall.store) == before
    # a client-sent "disconnect" did not drop the connection from the registry, nor "connect" re-run it
    assert seat.connected and seat.fresh()["me"]["seat"] == "1"
    assert len(hall.live.audiences.conns) == 1
    assert seat.connected and seat.fresh()["me"]["seat"] == "1"


# --- who may do what ---------------------------------------------------------------------------------

ALLOWED = {
    "snapshot": {"seat", "observer", "chair", "clerk", "display"},
    "sign_in": {"seat", "observer"},
    "cast": {"seat"},
    "speak": {"seat", "observer"},
    "speaker": {"chair"},
    "speaker_order": {"chair"},
    "open_sitting": {"chair", "clerk"},
    "close_sitting": {"chair"},
    "start_item": {"chair"},
    "finish_item": {"chair"},
    "open_ballot": {"chair"},
    "close_ballot": {"chair"},
    "decryption_request": {"seat"},
    "give_share": {"seat"},
    "revote": {"chair"},
    "open_runoff": {"chair"},
    "extend": {"chair"},
    "remind": {"chair"},
    "set_attendance": {"clerk"},
    "hands": {"clerk"},
    "withdraw_item": {"chair", "clerk"},
    "withdraw_ballot": {"chair", "clerk"},
}


# A chair whose account is linked to no member signs in and casts nothing: refused in words that say why.
REFUSED_AS = {("chair", "sign_in"): "not_linked", ("chair", "cast"): "not_linked"}


def test_allowed_table_covers_every_command():
    assert set(ALLOWED) == set(COMMANDS)


@pytest.mark.parametrize("audience", ["seat", "observer", "chair", "clerk", "display"])
def test_permissions(hall, audience):
    """Every command the audience may not use is refused with ``forbidden`` and changes nothing; the
    payloads are the valid ones of a sitting in which the right audience would succeed."""
    ids = prepare(hall, "ballot")
    ids["person14"], ids["other_person"] = hall.person(14), hall.person(9)
    ids["item1_again"] = ids["item1"]
    t = {"seat": lambda: hall.seat(13), "observer": lambda: hall.observer(1),
         "chair": lambda: hall.staff("chair"), "clerk": lambda: hall.staff("clerk"),
         "display": lambda: hall.staff("display")}[audience]()
    payloads = {name: case.payload(ids) for name, case in CASES.items()}
    payloads["speak"] = {"item_id": ids["item1"]}
    failures = []
    for name in sorted(COMMANDS):
        if audience in ALLOWED[name]:
            continue
        before = dump_database(hall.store)
        ack = t.cmd(name, payloads[name])
        if not isinstance(ack, dict) or ack.get("error") != REFUSED_AS.get((audience, name), "forbidden"):
            failures.append(f"{name}: {ack!r}")
        if changed_tables(before, dump_database(hall.store)):
            failures.append(f"{name} changed {changed_tables(before, dump_database(hall.store))}")
    assert t.connected and t.fresh()["audience"] == audience
    assert not failures, f"{audience}: " + "; ".join(failures)


def test_observer_cannot_cast_even_when_signed_in(hall):
    ids = prepare(hall, "ballot")
    obs = hall.observer(1)
    assert obs.cmd("sign_in")["ok"] is True
    before = dump_database(hall.store)
    ack = obs.cmd("cast", {"ballot_id": ids["ballot1"], "choice": "for", "cast_id": secrets.token_hex(8)})
    assert ack["ok"] is False and ack["error"] == "forbidden"
    assert dump_database(hall.store) == before


def test_speaker_withdraws_own_request_only(hall):
    ids = prepare(hall, "open")
    seat2, seat3 = hall.seat(2), hall.seat(3)
    before = dump_database(hall.store)
    ack = seat3.cmd("speaker", {"request_id": ids["request_id"], "move": "withdraw"})
    assert ack["error"] == "not_yourself"
    assert dump_database(hall.store) == before
    assert seat2.cmd("speaker", {"request_id": ids["request_id"], "move": "withdraw"})["ok"] is True
    assert row(hall, models.SpeakerRequest, models.SpeakerRequest.id == ids["request_id"]).status == "withdrawn"


def test_revoked_tablet_commands_refused(hall):
    """A tablet unpaired through another server process stays connected here (that process's events do
    not reach this one's publisher) but every command it sends is refused and changes nothing."""
    ids = prepare(hall, "ballot")
    seat = hall.seat(1)
    elsewhere = Store(hall.store.url)  # the same database, without this process's subscribers
    try:
        services.revoke_device(elsewhere, CLERK, hall.devices["1"])
    finally:
        elsewhere.dispose()
    assert seat.connected
    before = dump_database(hall.store)
    for name, payload in (("cast", {"ballot_id": ids["ballot1"], "choice": "for", "cast_id": secrets.token_hex(8)}),
                          ("sign_in", {}), ("speak", {"item_id": ids["item1"]}), ("snapshot", {})):
        ack = seat.cmd(name, payload)
        assert isinstance(ack, dict) and ack["ok"] is False and ack["error"] == "revoked", (name, ack)
    assert dump_database(hall.store) == before


def test_a_chair_linked_to_a_member_signs_in_and_votes_from_the_console(hall):
    """The chair's console of an account linked to a member gets ``me``; its ``sign_in`` and ``cast`` are
    the seat's, and the member's seat then finds the vote already cast (one vote per member)."""
    ids = prepare(hall, "ballot")
    m13 = hall.person(13)  # not signed in by prepare
    admin = Actor(role="admin", name="管理员", user_id=1)
    with hall.store.read() as s:
        chair_id = s.scalar(select(models.User.id).where(models.User.username == "chair"))
    services.update_user(hall.store, admin, chair_id, person_id=m13)
    chair = hall.staff("chair")
    snap = chair.fresh()
    assert snap["me"]["person_id"] == m13 and snap["me"]["attendance"] == "absent"
    assert chair.cmd("sign_in", {})["ok"] is True
    assert chair.fresh()["me"]["signed_in"] is True
    ack = chair.cmd("cast", {"ballot_id": ids["ballot1"], "choice": "for", "cast_id": secrets.token_hex(8)})
    assert ack["ok"] is True, ack
    assert chair.fresh()["me"]["vote"]["voted"] is True
    seat = hall.seat(13)
    again = seat.cmd("cast", {"ballot_id": ids["ballot1"], "choice": "against", "cast_id": secrets.token_hex(8)})
    assert again["ok"] is False and again["error"] == "already_voted"
    with hall.store.read() as s:
        votes = s.scalars(select(models.Participation.person_id).where(
            models.Participation.round_id == ids["round_id"])).all()
    assert votes.count(m13) == 1


def test_a_chair_serving_another_body_cannot_join_this_sitting(hall):
    """A console is refused ``other_body`` on a sitting of a body its account does not serve, and,
    naming no sitting, joins one of its own bodies."""
    admin = Actor(role="admin", name="管理员", user_id=1)
    other = services.create_body(hall.store, admin, name="邻县人大常委会")
    theirs = services.create_sitting(hall.store, CLERK, other, title="邻县会议", date="2026-11-25")
    with hall.store.read() as s:
        chair_id = s.scalar(select(models.User.id).where(models.User.username == "chair"))
    services.update_user(hall.store, admin, chair_id, bodies=[other])
    probe = hall.connect(auth={"sitting_id": hall.sitting_id}, flask_client=hall.login("chair"))
    assert not probe.connected and probe.refusal["data"]["error"] == "other_body"
    chair = hall.staff("chair")
    assert chair.fresh()["sitting"]["id"] == theirs
