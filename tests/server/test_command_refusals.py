"""Refusals where requests are read: the command table parses every command's arguments before any
service runs, so a value of the wrong type is refused there and changes nothing (every table, all
columns, and the audit chain are compared before and after).

These are the cases that once sent bad types straight into the services. A live command (one terminals
send over Socket.IO) answers ``bad_field`` for a field of the wrong JSON type (docs/protocol.md section 4,
as Socket.IO always answered); a preparation command answers the field rule's own code (``bad_text``,
``bad_flag`` …, as HTTP always answered); a shape inside a value keeps its rule's code (``bad_count``)."""
from __future__ import annotations

import uuid

from server_helpers import each

from voting_server import commands, services
from voting_server.services import Invalid


def run(world, actor, name, payload, **given):
    return lambda: commands.dispatch(world.store, actor, name, payload, **given)


def test_cast_id_and_ballot_id_of_the_wrong_type(live, refuse):
    m = live.members[0]
    each([(c,) for c in [12345678, None, ["abcdefgh"]]],
         lambda cast_id: refuse(run(live, m, "cast", {"ballot_id": live.ballots[0], "choice": "for",
                                                      "cast_id": cast_id}), Invalid, "bad_field"))
    each([(b,) for b in ["1", 1.0, True, None]],
         lambda ballot_id: refuse(run(live, m, "cast", {"ballot_id": ballot_id, "choice": "for",
                                                        "cast_id": uuid.uuid4().hex}), Invalid, "bad_field"))
    assert commands.dispatch(live.store, m, "cast", {"ballot_id": live.ballots[0], "choice": "for",
                                                     "cast_id": uuid.uuid4().hex})["ok"]


def test_flags_of_the_wrong_type(world, refuse):
    refuse(run(world, world.clerk, "create_ballot", {"spec": {"kind": "resolution"}, "allow_change": "yes"},
               item_id=world.items[0]), Invalid, "bad_flag")
    world.open_and_sign_in(7)
    services.start_item(world.store, world.chair, world.items[0])
    refuse(run(world, world.chair, "open_ballot", {"ballot_id": world.ballots[0], "override_quorum": "yes"}),
           Invalid, "bad_field")


def test_a_title_that_is_not_text(world, refuse):
    refuse(run(world, world.clerk, "add_item", {"title": ["x"]}, sitting_id=world.sitting_id), Invalid, "bad_text")


def test_speaker_moves_of_the_wrong_type(live, refuse):
    req = services.request_to_speak(live.store, live.members[0], live.items[0])
    each([(m,) for m in [None, ["grant"], {"grant": 1}]],
         lambda move: refuse(run(live, live.chair, "speaker", {"request_id": req, "move": move}), Invalid, "bad_field"))
    refuse(run(live, live.chair, "speaker", {"request_id": req, "move": "promote"}), Invalid, "bad_move")


def test_show_of_hands_of_the_wrong_shape(live, refuse):
    cases = [
        ({"counts": {"main": {"for": 1.0}}, "ballots": 1}, "bad_count"),
        ({"counts": {"main": {"for": True}}, "ballots": 1}, "bad_count"),
        ({"counts": {"main": ["for"]}, "ballots": 1}, "unknown_question"),
        ({"counts": ["main"], "ballots": 1}, "bad_field"),
        ({"counts": {"main": {"for": 1}}, "ballots": "1"}, "bad_field"),
    ]
    each(cases, lambda payload, code: refuse(run(live, live.clerk, "hands", {
        "ballot_id": live.ballots[0], "confirm": True, **payload}), Invalid, code))
    refuse(run(live, live.clerk, "hands", {"ballot_id": live.ballots[0], "counts": {}, "ballots": 0}),
           Invalid, "confirm_required")


def test_ballot_options_of_the_wrong_type(world, refuse):
    item = world.items[0]
    cases = [
        ({"spec": ["resolution"]}, "bad_spec"),
        ({"spec": {"kind": "resolution"}, "method": ["tablet"]}, "bad_method"),
        ({"spec": {"kind": "resolution"}, "timer_seconds": 30.0}, "bad_timer"),
        ({"spec": {"kind": "resolution"}, "threshold": ["1/2"]}, "bad_threshold"),
        ({"spec": {"kind": "resolution"}, "secret": "no"}, "bad_flag"),
    ]
    each(cases, lambda payload, code: refuse(run(world, world.clerk, "create_ballot", payload, item_id=item),
                                             Invalid, code))


def test_a_sitting_id_that_is_not_a_number(world, refuse):
    refuse(run(world, world.chair, "open_sitting", {}, sitting_id="1"), Invalid, "bad_field")


def test_accounts_of_the_wrong_type(world, refuse):
    cases = [
        ({"username": ["x"], "password": "password-2026", "role": "clerk"}, "bad_text"),
        ({"username": "new.clerk", "password": 12345678, "role": "clerk"}, "weak_password"),
        ({"username": "new.clerk", "password": "password-2026", "role": ["clerk"]}, "bad_role"),
    ]
    each(cases, lambda payload, code: refuse(run(world, world.admin, "create_user", payload), Invalid, code))
    pid = world.members[4].person_id
    each([(pin,) for pin in (1234, None)],
         lambda pin: refuse(run(world, world.clerk, "set_pin", {"pin": pin}, person_id=pid), Invalid, "bad_pin"))


def test_payloads_that_are_not_requests(world, refuse):
    """Not an object, unknown or missing fields, a field the path gives, nothing to change."""
    clerk, sid = world.clerk, world.sitting_id
    refuse(run(world, clerk, "add_item", ["议题"], sitting_id=sid), Invalid, "bad_payload")
    err = refuse(run(world, clerk, "add_item", {"title": "议题", "titel": "x"}, sitting_id=sid), Invalid,
                 "unknown_field")
    assert "titel" in err.zh and "titel" in err.en and "title" in err.details["allowed"]
    err = refuse(run(world, clerk, "add_item", {"kind": "other"}, sitting_id=sid), Invalid, "missing_field")
    assert "title" in err.zh and "title" in err.en
    refuse(run(world, clerk, "add_item", {"title": "议题", "sitting_id": sid}, sitting_id=sid), Invalid,
           "unknown_field")
    refuse(run(world, clerk, "update_person", {}, person_id=world.members[0].person_id), Invalid, "nothing_to_change")
    refuse(run(world, clerk, "no_such_command", {}), Invalid, "unknown_event")
