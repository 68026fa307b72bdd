"""Every refusal of the service layer: the error type and code, and proof that nothing changed (every
table, all columns, and the audit chain are compared before and after the refused call)."""
from __future__ import annotations

import json
import uuid

from server_helpers import each
from sqlalchemy import func, select, text
from support.box import open_counts

from voting_server import models, services
from voting_server.services import Actor, Conflict, Forbidden, Invalid, NotFound


def counts_of(store, ballot_id: int) -> dict[str, dict[str, int]]:
    with store.read() as s:
        rnd = s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id)
                       .order_by(models.Round.number.desc()))
        round_id, voters = rnd.id, rnd.voters
    return open_counts(store, round_id) | {"#voters": {"n": voters}}


def new_ballot(world, spec=None, **kw) -> tuple[int, int]:
    """A fresh item with one ballot on it, made current; returns (item_id, ballot_id)."""
    item = services.add_item(world.store, world.clerk, world.sitting_id, title="关于某事项的决定")
    ballot = services.create_ballot(world.store, world.clerk, item, spec=spec or {"kind": "resolution"}, **kw)
    return item, ballot


# --- casting -------------------------------------------------------------------------------------


def test_cast_refused_when_not_signed_in(live, refuse):
    refuse(lambda: live.cast(live.members[13], live.ballots[0], "for"), Forbidden, "not_signed_in")


def test_cast_refused_when_on_leave(live, refuse):
    services.set_attendance(live.store, live.clerk, live.sitting_id, live.members[14].person_id, "leave", "病假")
    refuse(lambda: live.cast(live.members[14], live.ballots[0], "for"), Forbidden, "not_signed_in")


def test_cast_refused_for_an_observer(live, refuse):
    observer = live.observers[0]
    services.sign_in(live.store, observer, live.sitting_id)
    refuse(lambda: live.cast(observer, live.ballots[0], "for"), Forbidden, "forbidden")
    # an observer's person id with a member's role is still not entitled
    disguised = Actor(role="member", name=observer.name, person_id=observer.person_id)
    refuse(lambda: live.cast(disguised, live.ballots[0], "for"), Forbidden, "not_entitled")


def test_cast_refused_for_a_member_not_on_that_days_roster(world, refuse):
    outsiders = []
    for dates in ({"joined_on": "2026-12-01"}, {"joined_on": "2021-10-01", "left_on": "2026-11-01"},
                  {"joined_on": "2021-10-01", "left_on": "2026-11-25"}):  # joined after; left before; left that day
        pid = services.add_person(world.store, world.clerk, world.body_id,
                                  {"name": "前委员", "role": "member", **dates})
        outsiders.append(Actor(role="member", name="前委员", person_id=pid))
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    each([(o,) for o in outsiders], lambda o: (
        refuse(lambda: services.sign_in(world.store, o, world.sitting_id), Forbidden, "not_on_roster"),
        refuse(lambda: world.cast(o, world.ballots[0], "for"), Forbidden, "not_entitled")))
    with world.store.read() as s:
        assert not {o.person_id for o in outsiders} & set(s.get(models.Sitting, world.sitting_id).roster)


def test_a_member_added_after_opening_is_not_entitled(live, refuse):
    """The roster is frozen when the sitting opens (应到 does not change mid-sitting)."""
    pid = services.add_person(live.store, live.clerk, live.body_id, {"name": "补选委员", "joined_on": "2026-01-01"})
    late = Actor(role="member", name="补选委员", person_id=pid)
    refuse(lambda: services.sign_in(live.store, late, live.sitting_id), Forbidden, "not_on_roster")
    refuse(lambda: live.cast(late, live.ballots[0], "for"), Forbidden, "not_entitled")


def test_cast_refused_when_the_ballot_is_not_open(world, refuse):
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    refuse(lambda: world.cast(world.members[0], world.ballots[0], "for"), Conflict, "ballot_not_open")
    services.open_ballot(world.store, world.chair, world.ballots[0])
    world.cast(world.members[0], world.ballots[0], "for")
    services.close_ballot(world.store, world.chair, world.ballots[0])
    refuse(lambda: world.cast(world.members[1], world.ballots[0], "for"), Conflict, "ballot_not_open")
    refuse(lambda: world.cast(world.members[1], 99999, "for"), NotFound, "not_found")


def test_cast_refused_for_someone_else(live, refuse):
    me, other = live.members[0], live.members[1]
    refuse(lambda: services.cast_vote(live.store, me, live.ballots[0], "for", uuid.uuid4().hex, other.person_id),
           Forbidden, "not_yourself")
    refuse(lambda: services.cast_vote(live.store, me, live.ballots[0], "for", uuid.uuid4().hex, str(me.person_id)),
           Forbidden, "not_yourself")
    # naming oneself is fine
    ack = services.cast_vote(live.store, me, live.ballots[0], "for", uuid.uuid4().hex, me.person_id)
    assert ack["ok"]


def test_cast_refused_without_a_seat(live, refuse):
    seatless = Actor(role="member", name="无座位")
    refuse(lambda: live.cast(seatless, live.ballots[0], "for"), Forbidden, "not_a_seat")


MALFORMED_CHOICES = [
    ("yes", "unknown_option"),
    ({"main": "maybe"}, "unknown_option"),
    ({"other": "for"}, "unknown_question"),
    ({}, "missing_answer"),
    ({"main": "for", "extra": "for"}, "unknown_question"),
    (["for"], "bad_choice"),
    (1, "bad_choice"),
    (True, "bad_choice"),
    (None, "bad_choice"),
    (1.5, "bad_choice"),
    (b"for", "bad_choice"),
    ({"main": {"for": 1}}, "bad_choice"),
    ({"main": ["for"]}, "bad_choice"),
    ({"main": 1}, "bad_choice"),
    ({1: "for"}, "bad_choice"),
    ("f" * 1_000_000, "bad_choice"),
    ({"main": "f" * 1_000_000}, "bad_choice"),
    ({"m" * 1_000_000: "for"}, "bad_choice"),
    ({f"q{i}": "for" for i in range(100_000)}, "bad_choice"),
]


def test_malformed_or_disallowed_choice(live, refuse):
    def check(choice, code):
        err = refuse(lambda: live.cast(live.members[0], live.ballots[0], choice), Invalid, code)
        assert len(json.dumps(err.to_dict(), ensure_ascii=False)) < 2000  # a huge value is never echoed back

    each(MALFORMED_CHOICES, check)
    # a label with spaces is read as its option (the demo resolution is secret: the count shows it)
    assert live.cast(live.members[0], live.ballots[0], " 赞成 ")["ok"]
    assert counts_of(live.store, live.ballots[0])["main"] == {"for": 1, "against": 0, "abstain": 0}


def test_choice_the_kind_does_not_allow(world, refuse):
    world.open_and_sign_in(12)
    cases = [
        ({"kind": "evaluation", "objects": [{"id": "d1", "name": "县教育局"}, {"id": "d2", "name": "县民政局"}]},
         {"d1": "satisfied"}, "missing_answer"),
        ({"kind": "evaluation", "objects": [{"id": "d1", "name": "县教育局"}]}, {"d1": "for"}, "unknown_option"),
        ({"kind": "selection", "max_marks": 1, "candidates": [{"id": "c1", "name": "甲"}, {"id": "c2", "name": "乙"}]},
         {"c1": "mark", "c2": "mark"}, "too_many_marks"),
        # a bare option answers a ballot of one question only
        ({"kind": "evaluation", "objects": [{"id": "d1", "name": "县教育局"}, {"id": "d2", "name": "县民政局"}]},
         "satisfied", "unknown_question"),
    ]

    def check(spec, choice, code):
        item, ballot = new_ballot(world, spec)
        services.start_item(world.store, world.chair, item)
        services.open_ballot(world.store, world.chair, ballot)
        refuse(lambda: world.cast(world.members[0], ballot, choice), Invalid, code)
        services.close_ballot(world.store, world.chair, ballot)

    each(cases, check)


def test_a_bare_choice_answers_a_one_person_appointment(world):
    """docs/protocol.md: a one-question ballot takes a bare option (``"for"``), also an appointment of
    one person (its question is ``p1``, not ``main``); it counts as that person's answer."""
    world.open_and_sign_in(12)
    item, ballot = new_ballot(world, {"kind": "appointment", "persons": [{"id": "p1", "name": "张三", "post": "局长"}]},
                              secret=False)
    services.start_item(world.store, world.chair, item)
    services.open_ballot(world.store, world.chair, ballot)
    ack = world.cast(world.members[0], ballot, "for")
    assert ack["ok"] and ack["choice"] == {"p1": "for"}
    assert world.cast(world.members[1], ballot, "反对")["choice"] == {"p1": "against"}  # its label too
    assert counts_of(world.store, ballot)["p1"] == {"for": 1, "against": 1, "abstain": 0}


def test_bad_cast_id(live, refuse):
    """(A cast id or ballot id of the wrong type is refused where requests are read: test_command_refusals.)"""
    each([(c,) for c in ["short", "x" * 65, "abc\ndefgh", "abcd\x00efgh"]],
         lambda cast_id: refuse(lambda: services.cast_vote(live.store, live.members[0], live.ballots[0], "for",
                                                           cast_id), Invalid, "bad_cast_id"))


def test_changing_a_vote_is_refused_unless_allowed(live, refuse):
    m = live.members[0]
    live.cast(m, live.ballots[0], "for")
    before = counts_of(live.store, live.ballots[0])
    err = refuse(lambda: live.cast(m, live.ballots[0], "against"), Conflict, "already_voted")
    assert counts_of(live.store, live.ballots[0]) == before
    assert "receipt" in err.details


def test_changing_a_vote_on_a_named_ballot(world, refuse):
    st = world.store
    world.open_and_sign_in(12)
    item, ballot = new_ballot(world, secret=False, allow_change=True)
    services.start_item(st, world.chair, item)
    services.open_ballot(st, world.chair, ballot)
    a, b = world.members[0], world.members[1]
    first = world.cast(a, ballot, "for", "cast-a-0001")
    world.cast(b, ballot, "for", "cast-b-0001")
    assert counts_of(st, ballot) == {"main": {"for": 2, "against": 0, "abstain": 0}, "#voters": {"n": 2}}
    changed = world.cast(a, ballot, "against", "cast-a-0002")
    assert changed["changed"] and not changed["duplicate"] and changed["receipt"] == first["receipt"]
    assert changed["choice"] == {"main": "against"}
    assert counts_of(st, ballot) == {"main": {"for": 1, "against": 1, "abstain": 0}, "#voters": {"n": 2}}
    again = world.cast(a, ballot, "弃权", "cast-a-0003")
    assert again["changed"]
    assert counts_of(st, ballot) == {"main": {"for": 1, "against": 0, "abstain": 1}, "#voters": {"n": 2}}
    # the same choice again is no change; a retry of the latest cast is a duplicate
    same = world.cast(a, ballot, "abstain", "cast-a-0004")
    assert same["duplicate"] and not same["changed"]
    retry = world.cast(a, ballot, "abstain", "cast-a-0004")
    assert retry["duplicate"]
    assert counts_of(st, ballot) == {"main": {"for": 1, "against": 0, "abstain": 1}, "#voters": {"n": 2}}
    with st.read() as s:
        parts = s.scalars(select(models.Participation).where(models.Participation.person_id == a.person_id)).all()
        assert [p.choice for p in parts] == [{"main": "abstain"}]
        changes = [json.loads(e.payload) for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action == "vote_changed").order_by(models.AuditEntry.id))]
    assert [(c["previous"], c["choice"]) for c in changes] == [
        ({"main": "for"}, {"main": "against"}), ({"main": "against"}, {"main": "abstain"})]
    result = services.close_ballot(st, world.chair, ballot)
    assert result["questions"][0]["counts"] == {"for": 1, "against": 0, "abstain": 1}


def test_secret_ballot_cannot_allow_changing(world, refuse):
    item = world.items[0]
    refuse(lambda: services.create_ballot(world.store, world.clerk, item, spec={"kind": "resolution"},
                                          allow_change=True), Invalid, "secret_no_change")
    refuse(lambda: services.create_ballot(world.store, world.clerk, item, spec={"kind": "resolution"}, secret=True,
                                          allow_change=True), Invalid, "secret_no_change")


def test_a_ballot_box_mode_is_one_of_the_known_and_only_for_a_secret_ballot(world, refuse):
    st, item = world.store, world.items[0]
    with st.read() as s:
        before = s.scalar(select(func.count()).select_from(models.Ballot))
    refuse(lambda: services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, box_keys="nobody"),
           Invalid, "bad_box_keys")
    refuse(lambda: services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, box_encrypt="paper"),
           Invalid, "bad_box_encrypt")
    refuse(lambda: services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, secret=False,
                                          box_keys="shares"), Invalid, "box_not_secret")
    with st.read() as s:
        assert s.scalar(select(func.count()).select_from(models.Ballot)) == before
    made = services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, box_keys="shares",
                                  box_encrypt="tablet")
    with st.read() as s:
        b = s.get(models.Ballot, made)
        assert (b.box_keys, b.box_encrypt) == ("shares", "tablet")


# --- opening ballots -----------------------------------------------------------------------------


def test_no_quorum_unless_the_chair_overrides(world, refuse):
    st = world.store
    world.open_and_sign_in(7)  # 7 of 15: the quorum is 8
    services.start_item(st, world.chair, world.items[0])
    err = refuse(lambda: services.open_ballot(st, world.chair, world.ballots[0]), Conflict, "no_quorum")
    assert err.details == {"needed": 8, "present": 7}
    refuse(lambda: services.open_ballot(st, world.clerk, world.ballots[0], override_quorum=True),
           Forbidden, "forbidden")
    round_id = services.open_ballot(st, world.chair, world.ballots[0], override_quorum=True)
    with st.read() as s:
        rnd = s.get(models.Round, round_id)
        assert rnd.quorum_override is True
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "ballot_opened")).one()
        payload = json.loads(entry.payload)
        assert entry.actor.startswith("chair:")
    assert payload["quorum_override"] is True and payload["quorum_held"] is False
    assert (payload["present"], payload["entitled"]) == (7, 15)
    for m in world.members[:7]:
        world.cast(m, world.ballots[0], "for")
    result = services.close_ballot(st, world.chair, world.ballots[0])
    assert result["outcome"] == "no_quorum"  # the override lets the vote happen; the rules still judge it


def test_override_is_not_recorded_when_the_quorum_holds(live):
    with live.store.read() as s:
        assert s.scalars(select(models.Round)).one().quorum_override is False


def test_opening_refused_while_another_ballot_is_open(live, refuse):
    st = live.store
    services.close_ballot(st, live.chair, live.ballots[0])
    services.start_item(st, live.chair, live.items[1])
    services.open_ballot(st, live.chair, live.ballots[1])
    refuse(lambda: services.open_ballot(st, live.chair, live.ballots[2]), Conflict, "another_open")
    refuse(lambda: services.start_item(st, live.chair, live.items[2]), Conflict, "ballot_open")
    refuse(lambda: services.finish_item(st, live.chair, live.items[1]), Conflict, "ballot_open")
    refuse(lambda: services.close_sitting(st, live.chair, live.sitting_id), Conflict, "ballot_open")
    refuse(lambda: services.revote(st, live.chair, live.ballots[1], reason="重新表决"), Conflict, "ballot_open")


def test_opening_refused_when_the_item_is_not_current_or_sitting_not_open(world, refuse):
    st = world.store
    refuse(lambda: services.start_item(st, world.chair, world.items[0]), Conflict, "sitting_not_open")
    world.open_and_sign_in(12)
    refuse(lambda: services.open_ballot(st, world.chair, world.ballots[0]), Conflict, "not_current")
    refuse(lambda: services.revote(st, world.chair, world.ballots[0], reason="重新表决"), Conflict, "not_current")
    services.start_item(st, world.chair, world.items[0])
    refuse(lambda: services.revote(st, world.chair, world.ballots[0], reason="重新表决"), Conflict, "never_opened")
    refuse(lambda: services.close_ballot(st, world.chair, world.ballots[0]), Conflict, "ballot_not_open")


def test_amendments_are_voted_first(world, refuse):
    st, clerk, chair = world.store, world.clerk, world.chair
    main_item = services.add_item(st, clerk, world.sitting_id, title="县人大常委会议事规则（修订草案）")
    amendment = services.add_item(st, clerk, world.sitting_id, title="关于第十二条的修正案", amends_item_id=main_item)
    main_ballot = services.create_ballot(st, clerk, main_item, spec={"kind": "resolution"})
    amendment_ballot = services.create_ballot(st, clerk, amendment, spec={"kind": "resolution"})
    world.open_and_sign_in(12)
    services.start_item(st, chair, main_item)
    refuse(lambda: services.open_ballot(st, chair, main_ballot), Conflict, "amendment_first")
    services.start_item(st, chair, amendment)
    services.open_ballot(st, chair, amendment_ballot)
    for m in world.members[:9]:
        world.cast(m, amendment_ballot, "for")
    # still open: the main item cannot be started while the amendment's ballot runs
    refuse(lambda: services.start_item(st, chair, main_item), Conflict, "ballot_open")
    services.close_ballot(st, chair, amendment_ballot)
    services.start_item(st, chair, main_item)
    services.open_ballot(st, chair, main_ballot)


def test_amendment_must_be_in_the_same_sitting(world, refuse):
    other = services.create_sitting(world.store, world.clerk, world.body_id, title="第三十七次会议", date="2026-12-20")
    refuse(lambda: services.add_item(world.store, world.clerk, other, title="修正案", amends_item_id=world.items[0]),
           Invalid, "bad_amendment")


# --- attendance, text and dates ------------------------------------------------------------------


def test_bad_attendance_status(world, refuse):
    each([(st,) for st in ["here", "", None, 1, ["present"], {"present": 1}, "PRESENT"]],
         lambda status: refuse(lambda: services.set_attendance(world.store, world.clerk, world.sitting_id,
                                                               world.members[0].person_id, status),
                               Invalid, "bad_status"))


def test_attendance_for_someone_not_on_the_roster(world, refuse):
    pid = services.add_person(world.store, world.clerk, world.body_id, {"name": "新委员", "joined_on": "2026-12-01"})
    refuse(lambda: services.set_attendance(world.store, world.clerk, world.sitting_id, pid, "present"),
           Invalid, "not_on_roster")
    refuse(lambda: services.set_attendance(world.store, world.clerk, world.sitting_id, 99999, "present"),
           NotFound, "not_found")


def test_text_too_long_or_with_control_characters(world, refuse):
    w = world
    cases = [
        (lambda: services.add_item(w.store, w.clerk, w.sitting_id, title="议" * 501), "text_too_long"),
        (lambda: services.add_item(w.store, w.clerk, w.sitting_id, title="关于\x07的决定"), "bad_characters"),
        (lambda: services.add_item(w.store, w.clerk, w.sitting_id, title="关于\n的决定"), "bad_characters"),
        (lambda: services.add_item(w.store, w.clerk, w.sitting_id, title="   "), "missing_text"),
        (lambda: services.set_attendance(w.store, w.clerk, w.sitting_id, w.members[0].person_id, "leave",
                                         "因" * 201), "text_too_long"),
        (lambda: services.set_attendance(w.store, w.clerk, w.sitting_id, w.members[0].person_id, "leave",
                                         "出\x1b差"), "bad_characters"),
        (lambda: services.create_sitting(w.store, w.clerk, w.body_id, title="会" * 301, date="2026-12-01"),
         "text_too_long"),
        (lambda: services.create_sitting(w.store, w.clerk, w.body_id, title="会议", date="2026-12-01",
                                         place="\x00"), "bad_characters"),
        (lambda: services.add_person(w.store, w.clerk, w.body_id, {"name": "张\x00三"}), "bad_characters"),
        (lambda: services.add_person(w.store, w.clerk, w.body_id, {"name": "张" * 101}), "text_too_long"),
        (lambda: services.create_body(w.store, w.clerk, name="机" * 201), "text_too_long"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0], spec={"kind": "resolution"}, title="题" * 501),
         "text_too_long"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0],
                                        spec={"kind": "resolution", "question": "题" * 501}), "text_too_long"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0],
                                        spec={"kind": "resolution", "question": "表决\x00"}), "bad_characters"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0], spec={
            "kind": "appointment", "persons": [{"id": "p1", "name": "张三\x1b[31m", "post": "局长"}]}),
         "bad_characters"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0], spec={
            "kind": "appointment", "persons": [{"id": "p" * 65, "name": "张三", "post": "局长"}]}), "bad_spec"),
        (lambda: services.create_ballot(w.store, w.clerk, w.items[0], spec={
            "kind": "selection", "max_marks": 1, "candidates": [{"id": f"c{i}", "name": "项目"} for i in range(1000)]}),
         "too_many_questions"),
        (lambda: services.enter_show_of_hands(w.store, w.clerk, w.ballots[0], counts={}, ballots_cast=0,
                                              note="备" * 301), "text_too_long"),
    ]
    each(cases, lambda call, code: refuse(call, Invalid, code))
    # a trailing newline is trimmed; an invisible format character is not a control character
    services.set_attendance(w.store, w.clerk, w.sitting_id, w.members[0].person_id, "leave", "出差\r\n")
    services.set_attendance(w.store, w.clerk, w.sitting_id, w.members[1].person_id, "leave", "出差\u200b")
    with w.store.read() as s:
        assert s.get(models.Attendance, (w.sitting_id, w.members[0].person_id)).reason == "出差"


def test_bad_dates(world, refuse):
    each([(d,) for d in ["2026-02-30", "next week", "2026/13/01", 20261201, ["2026-12-01"], True, "2026-12"]],
         lambda date: refuse(lambda: services.create_sitting(world.store, world.clerk, world.body_id, title="会议",
                                                             date=date), Invalid, "bad_date"))
    refuse(lambda: services.create_sitting(world.store, world.clerk, world.body_id, title="会议", date=""),
           Invalid, "missing_date")
    for date in ("2026/12/01", "2026.12.1", "2026-12-01"):  # the usual ways of writing a date are accepted
        services.create_sitting(world.store, world.clerk, world.body_id, title="会议", date=date)


def test_bad_person(world, refuse):
    cases = [
        ({"name": "张三", "joined_on": "2021-13-01"}, Invalid, "bad_date"),
        ({"name": "张三", "left_on": "yesterday"}, Invalid, "bad_date"),
        ({"name": "张三", "joined_on": "2021-10-01", "left_on": "2021-10-01"}, Invalid, "bad_dates"),
        ({"name": "张三", "joined_on": "2021-10-01", "left_on": "2020-01-01"}, Invalid, "bad_dates"),
        ({"name": "张三", "role": "chair"}, Invalid, "bad_role"),
        ({"name": "张三", "role": ["member"]}, Invalid, "bad_role"),
        ({"name": "张三", "role": {"member": 1}}, Invalid, "bad_role"),
        ({"name": "张三", "seat": {"row": 1}}, Invalid, "bad_seat"),
        ({"name": "张三", "seat": "1"}, Conflict, "duplicate_seat"),
        (["张三"], Invalid, "bad_person"),
    ]
    each(cases, lambda data, exc, code: refuse(lambda: services.add_person(world.store, world.clerk, world.body_id,
                                                                           data), exc, code))
    refuse(lambda: services.add_person(world.store, world.clerk, 99999, {"name": "张三"}), NotFound, "not_found")


def test_update_person_refusals(world, refuse):
    pid = world.members[0].person_id
    refuse(lambda: services.update_person(world.store, world.clerk, pid, {"left_on": "2000-01-01"}), Invalid,
           "bad_dates")
    refuse(lambda: services.update_person(world.store, world.clerk, pid, ["x"]), Invalid, "bad_person")
    refuse(lambda: services.update_person(world.store, world.clerk, pid, {"seat": "2"}), Conflict, "duplicate_seat")
    services.update_person(world.store, world.clerk, pid, {"left_on": "2026-12-31"})


def test_speaker_flow_and_refusals(live, refuse):
    st = live.store
    req = services.request_to_speak(st, live.members[0], live.items[0])
    each([(m,) for m in ["promote", ""]],
         lambda move: refuse(lambda: services.move_speaker(st, live.chair, req, move), Invalid, "bad_move"))
    assert services.request_to_speak(st, live.members[0], live.items[0]) == req  # asking twice: one request
    refuse(lambda: services.move_speaker(st, live.chair, req, "done"), Conflict, "bad_state")
    services.move_speaker(st, live.chair, req, "grant")
    refuse(lambda: services.move_speaker(st, live.members[0], req, "withdraw"), Conflict, "bad_state")
    services.move_speaker(st, live.chair, req, "done")
    refuse(lambda: services.move_speaker(st, live.chair, 99999, "grant"), NotFound, "not_found")
    refuse(lambda: services.request_to_speak(st, live.members[0], live.items[1]), Conflict, "not_current")


def test_bad_show_of_hands(live, refuse):
    cases = [
        ({"counts": {"main": {"for": -1}}, "ballots_cast": 1}, "bad_count"),
        ({"counts": {"main": {"yes": 1}}, "ballots_cast": 1}, "unknown_option"),
        ({"counts": {"other": {"for": 1}}, "ballots_cast": 1}, "unknown_question"),
        ({"counts": {"main": {"for": 2}}, "ballots_cast": 1}, "count_exceeds"),
        ({"counts": {"main": {"for": 1}}, "ballots_cast": -1}, "bad_count"),
        ({"counts": {"main": {"for": 13}}, "ballots_cast": 13}, "count_exceeds_present"),
        ({"counts": {"main": {"for": 1}}, "ballots_cast": 1, "invalid": 12}, "count_exceeds_present"),
        ({"counts": {"main": {"for": 1}}, "ballots_cast": 2}, "count_mismatch"),
        ({"counts": {}, "ballots_cast": 1}, "count_mismatch"),
    ]
    each(cases, lambda kw, code: refuse(lambda: services.enter_show_of_hands(live.store, live.clerk, live.ballots[0],
                                                                             **kw), Invalid, code))
    refuse(lambda: services.enter_show_of_hands(live.store, live.clerk, live.ballots[1], counts={}, ballots_cast=0),
           Conflict, "ballot_not_open")


def test_a_show_of_hands_count_that_could_not_be_tallied_is_refused(world, refuse):
    """A count is entered once and never edited: one the close could not tally would leave the ballot open
    for good (no second entry, no re-vote, no closing the sitting). It is refused on entry instead."""
    st = world.store
    world.open_and_sign_in(12)
    item, ballot = new_ballot(world, {"kind": "selection", "max_marks": 1, "candidates": [
        {"id": "c1", "name": "城区供水改造"}, {"id": "c2", "name": "农村公路提升"}]}, method="hands")
    services.start_item(st, world.chair, item)
    services.open_ballot(st, world.chair, ballot)
    refuse(lambda: services.enter_show_of_hands(st, world.clerk, ballot, ballots_cast=10,
                                                counts={"c1": {"mark": 8}, "c2": {"mark": 7}}),
           Invalid, "marks_exceed_ballots")
    services.enter_show_of_hands(st, world.clerk, ballot, ballots_cast=10,
                                 counts={"c1": {"mark": 6}, "c2": {"mark": 3}})
    result = services.close_ballot(st, world.chair, ballot)
    assert [q["counts"] for q in result["questions"]] == [{"mark": 6}, {"mark": 3}]


def test_no_tablet_vote_after_the_show_of_hands_count(world, refuse):
    """Tablets fail, the clerk enters the whole room's show of hands; when the tablets come back, a press
    would count a member twice (and more ballots than members present never tally: the round could not be
    closed). A retry of a vote cast before the count still gets its acknowledgement."""
    st, m = world.store, world.members
    world.open_and_sign_in(12)
    services.set_attendance(st, world.clerk, world.sitting_id, m[12].person_id, "video")
    services.start_item(st, world.chair, world.items[0])
    services.open_ballot(st, world.chair, world.ballots[0])
    early = services.cast_vote(st, m[0], world.ballots[0], "for", "early-vote-0001")
    services.enter_show_of_hands(st, world.clerk, world.ballots[0], ballots_cast=12,
                                 counts={"main": {"for": 9, "against": 2, "abstain": 1}}, note="表决器故障")
    for member in m[1:12]:
        refuse(lambda member=member: world.cast(member, world.ballots[0], "against"), Conflict, "hands_entered")
    # attending by video: the body's rule has the clerk enter their votes, never a tablet
    refuse(lambda: world.cast(m[12], world.ballots[0], "against"), Conflict, "video_by_clerk")
    outcomes = services.cast_many(st, [services.CastRequest(m[5], world.ballots[0], "for", "late-vote-0001"),
                                       services.CastRequest(m[5], world.ballots[0], "for", "late-vote-0002")])
    assert [o.code for o in outcomes] == ["hands_entered", "hands_entered"]
    again = services.cast_vote(st, m[0], world.ballots[0], "for", "early-vote-0001")
    assert again["duplicate"] and again["receipt"] == early["receipt"]
    refuse(lambda: world.cast(m[0], world.ballots[0], "against"), Conflict, "already_voted")
    result = services.close_ballot(st, world.chair, world.ballots[0])
    assert result["turnout"] == {"entitled": 15, "present": 13, "cast": 13, "invalid": 0}
    assert result["questions"][0]["counts"] == {"for": 10, "against": 2, "abstain": 1}


def test_bad_ballot_spec_or_options(world, refuse):
    item = world.items[0]
    specs = [
        ({"kind": "referendum"}, "unknown_kind"),
        ({"kind": "evaluation", "objects": [{"id": "d1", "name": "县教育局"}], "rule": ["x"]}, "bad_spec"),
        ({"kind": "appointment", "combined": True, "persons": [{"id": "a", "name": "甲", "post": "局长"},
                                                                {"id": "b", "name": "乙", "post": "副局长"}]},
         "combined_not_allowed"),
    ]
    each(specs, lambda spec, code: refuse(lambda: services.create_ballot(world.store, world.clerk, item, spec=spec),
                                          Invalid, code))
    options = [
        ({"method": "email"}, "bad_method"),
        ({"timer_seconds": 5}, "bad_timer"),
        ({"threshold": {"base": "everyone"}}, "bad_threshold"),
    ]
    each(options, lambda kw, code: refuse(lambda: services.create_ballot(world.store, world.clerk, item,
                                                                         spec={"kind": "resolution"}, **kw),
                                          Invalid, code))
    refuse(lambda: services.create_ballot(world.store, world.clerk, 99999, spec={"kind": "resolution"}),
           NotFound, "not_found")


def test_sitting_state_refusals(world, refuse):
    st = world.store
    refuse(lambda: services.close_sitting(st, world.chair, world.sitting_id), Conflict, "bad_state")
    services.open_sitting(st, world.chair, world.sitting_id)
    refuse(lambda: services.open_sitting(st, world.chair, world.sitting_id), Conflict, "bad_state")
    refuse(lambda: services.open_sitting(st, world.chair, 99999), NotFound, "not_found")
    empty_body = services.create_body(st, world.clerk, name="空机构")
    empty = services.create_sitting(st, world.clerk, empty_body, title="会议", date="2026-12-01")
    refuse(lambda: services.open_sitting(st, world.chair, empty), Conflict, "empty_roster")
    refuse(lambda: services.finish_item(st, world.chair, world.items[0]), Conflict, "not_current")


def test_timer(live, refuse):
    st = live.store
    refuse(lambda: services.extend_timer(st, live.chair, live.ballots[0], 5), Invalid, "bad_timer")
    refuse(lambda: services.extend_timer(st, live.chair, live.ballots[1], 60), Conflict, "ballot_not_open")
    services.extend_timer(st, live.chair, live.ballots[0], 60)
    with st.read() as s:
        rnd = s.scalars(select(models.Round)).one()
        rnd_id = rnd.id
    # time up: move the deadline into the past
    import datetime as dt

    from voting_server.services.base import utcnow

    with st.engine.begin() as conn:
        conn.execute(models.Round.__table__.update().where(models.Round.id == rnd_id)
                     .values(deadline=utcnow() - dt.timedelta(seconds=1)))
    refuse(lambda: live.cast(live.members[0], live.ballots[0], "for"), Conflict, "time_up")
    assert services.remind_non_voters(st, live.chair, live.ballots[0]) == 12


def test_a_secret_round_whose_key_is_gone_is_not_closed(live, refuse):
    """The instance folder's wrapping key of an open secret round lost (a restore of the database without
    the instance folder, a wrong folder): the close is refused with words for the chair, the round stays
    open with every ballot, and it closes once the key is back."""
    for m, choice in zip(live.members[:3], ("for", "against", "for"), strict=True):
        live.cast(m, live.ballots[0], choice)
    [key] = list(live.store.keys_dir.glob("*.key"))
    saved = key.read_bytes()
    key.unlink()
    err = refuse(lambda: services.close_ballot(live.store, live.chair, live.ballots[0]), Invalid,
                 "round_key_destroyed")
    assert "密钥" in err.zh
    key.write_bytes(saved)
    key.chmod(0o644)  # readable by others: the key is refused rather than used
    refuse(lambda: services.close_ballot(live.store, live.chair, live.ballots[0]), Invalid, "key_file_exposed")
    key.chmod(0o600)
    result = services.close_ballot(live.store, live.chair, live.ballots[0])
    assert result["questions"][0]["counts"] == {"for": 2, "against": 1, "abstain": 0}
    assert not key.exists()


def test_a_box_missing_a_ballot_is_not_tallied(live, refuse):
    """An encrypted ballot gone from storage (a damaged or edited database): the close says so rather
    than announce a result short of a vote, and changes nothing."""
    for m in live.members[:3]:
        live.cast(m, live.ballots[0], "for")
    with live.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM box_ballots WHERE hash = (SELECT MIN(hash) FROM box_ballots)"))
    err = refuse(lambda: services.close_ballot(live.store, live.chair, live.ballots[0]), Conflict, "box_incomplete")
    assert "2" in err.zh and "3" in err.zh
