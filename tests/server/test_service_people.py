"""People as they really sit: staff accounts serve one or more bodies (a chair of one body neither
sees nor drives another body's sitting; an administrator sees all), and a chair linked to a member is
counted present when the sitting opens (or on their sign-in) and casts their own ballot, once, from the
console or their seat."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, NotFound, admin_view, terminal_view
from voting_server.services.base import Actor, check_sitting

CHAIR_ID = 2  # the demo's chair account (王建国)
CLERK_ID = 3


def account(world, user_id: int) -> Actor:
    """The actor a fresh session of the account is (its bodies and linked member read from storage)."""
    actor = services.user_actor(world.store, user_id)
    assert actor is not None
    return actor


@pytest.fixture
def two_bodies(world):
    """A second body with its own member and planned sitting (with an item and a ballot); the demo's
    chair and clerk accounts serve the first body only."""
    st, admin = world.store, world.admin
    other = services.create_body(st, admin, name="邻县人大常委会")
    stranger = services.add_person(st, admin, other, {"name": "外县委员", "joined_on": "2026-01-01"})
    sitting = services.create_sitting(st, admin, other, title="邻县第一次会议", date="2026-11-25")
    item = services.add_item(st, admin, sitting, title="邻县议题")
    ballot = services.create_ballot(st, admin, item, spec={"kind": "resolution"})
    for uid in (CHAIR_ID, CLERK_ID):
        services.update_user(st, admin, uid, bodies=[world.body_id])
    return {"body": other, "person": stranger, "sitting": sitting, "item": item, "ballot": ballot}


def test_a_chair_of_one_body_neither_sees_nor_drives_another(world, refuse, two_bodies):
    st, o = world.store, two_bodies
    chair, clerk = account(world, CHAIR_ID), account(world, CLERK_ID)
    assert chair.bodies == frozenset({world.body_id})
    assert [b["id"] for b in admin_view.list_bodies(st, chair)] == [world.body_id]
    assert {b["id"] for b in admin_view.list_bodies(st, world.admin)} == {world.body_id, o["body"]}
    refusals = [
        lambda: admin_view.list_sittings(st, chair, o["body"]),
        lambda: admin_view.agenda(st, chair, o["sitting"]),
        lambda: admin_view.list_people(st, clerk, o["body"]),
        lambda: admin_view.ballot_results(st, chair, o["ballot"]),
        lambda: admin_view.ensure_exists(st, "sitting", o["sitting"], chair),
        lambda: admin_view.audit_page(st, chair, sitting_id=o["sitting"]),
        lambda: services.open_sitting(st, chair, o["sitting"]),
        lambda: services.open_sitting(st, clerk, o["sitting"]),
        lambda: services.add_item(st, clerk, o["sitting"], title="越权议题"),
        lambda: services.create_sitting(st, clerk, o["body"], title="越权会议", date="2026-12-01"),
        lambda: services.update_person(st, clerk, o["person"], {"name": "改名"}),
        lambda: services.create_pairing(st, clerk, o["person"]),
    ]
    for call in refusals:
        refuse(call, Forbidden, "other_body")
    # once open (by a clerk serving every body), the other body's sitting is still not the chair's to drive
    services.open_sitting(st, world.clerk, o["sitting"])
    for call in (lambda: services.start_item(st, chair, o["item"]),
                 lambda: services.close_sitting(st, chair, o["sitting"]),
                 lambda: services.set_attendance(st, clerk, o["sitting"], o["person"], "leave", "出差")):
        refuse(call, Forbidden, "other_body")
    # the audit log of a chair serving one body holds only that body's sittings
    entries = admin_view.audit_page(st, chair, limit=500)["entries"]
    assert entries and all(e["sitting_id"] in (world.sitting_id,) for e in entries)
    # their own body's sitting they drive as before
    services.open_sitting(st, chair, world.sitting_id)
    services.start_item(st, chair, world.items[0])


def test_an_account_with_no_bodies_linked_serves_the_only_body_and_none_once_there_are_two(world, refuse):
    """Only an administrator serves every body. A chair, clerk or display account with no body linked
    serves the installation's only body. When a second body is created, every such account is linked to
    the body it served, in the same step: the chair keeps driving its own sitting. An account made once
    there are two bodies, with none linked, serves none (every read and command refused ``other_body``)
    until the administrator links its bodies."""
    st, admin = world.store, world.admin
    for uid in (CHAIR_ID, CLERK_ID):
        assert account(world, uid).bodies is None  # one body: nothing to choose
    other = services.create_body(st, admin, name="某县人民代表大会", preset="congress_plenary")
    assert account(world, 1).bodies is None  # the administrator: every body, always
    chair, clerk = account(world, CHAIR_ID), account(world, CLERK_ID)
    assert chair.bodies == frozenset({world.body_id}) and clerk.bodies == frozenset({world.body_id})
    services.open_sitting(st, chair, world.sitting_id)  # the chair's own sitting, as before
    with st.read() as s:
        audited = [json.loads(e.payload) for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action == "user_bodies_set"))]
    assert {"user_id": CHAIR_ID, "bodies": [world.body_id]} in audited
    newcomer_id = services.create_user(st, admin, username="new-chair", password="password-2026", role="chair")
    newcomer = account(world, newcomer_id)
    assert newcomer.bodies == frozenset()
    assert admin_view.list_bodies(st, newcomer) == []
    for call in (lambda: services.close_sitting(st, newcomer, world.sitting_id),
                 lambda: admin_view.list_sittings(st, newcomer, world.body_id)):
        refuse(call, Forbidden, "other_body")
    refuse(lambda: services.create_sitting(st, clerk, other, title="第一次会议", date="2026-12-01"),
           Forbidden, "other_body")
    services.update_user(st, admin, newcomer_id, bodies=[world.body_id, other])
    assert account(world, newcomer_id).bodies == frozenset({world.body_id, other})


def test_a_clerk_serves_the_body_it_creates_and_keeps_the_one_it_served(world):
    st = world.store
    third = services.create_body(st, account(world, CLERK_ID), name="某县人民代表大会", preset="congress_plenary")
    assert account(world, CLERK_ID).bodies == frozenset({world.body_id, third})
    assert account(world, CHAIR_ID).bodies == frozenset({world.body_id})  # linked to the body it served
    fourth = services.create_body(st, account(world, CLERK_ID), name="某县人大常委会（换届）")
    assert account(world, CLERK_ID).bodies == frozenset({world.body_id, third, fourth})
    assert account(world, CHAIR_ID).bodies == frozenset({world.body_id})


def test_bodies_and_linked_member_are_checked(world, refuse, two_bodies):
    st, admin, o = world.store, world.admin, two_bodies
    m0, obs = world.members[0], world.observers[0]
    cases = [
        (lambda: services.update_user(st, admin, CHAIR_ID, bodies=[999]), NotFound, "not_found"),
        (lambda: services.update_user(st, admin, CHAIR_ID, person_id=o["person"]), Invalid, "person_other_body"),
        (lambda: services.update_user(st, admin, CHAIR_ID, person_id=obs.person_id), Invalid, "not_a_member"),
        (lambda: services.update_user(st, admin, CLERK_ID, person_id=m0.person_id), Invalid, "cannot_link"),
        (lambda: services.update_user(st, admin, 1, bodies=[world.body_id]), Invalid, "admin_bodies"),
        (lambda: services.update_user(st, admin, CHAIR_ID, person_id=123456), NotFound, "not_found"),
        (lambda: services.update_user(st, world.clerk, CHAIR_ID, person_id=m0.person_id), Forbidden, "forbidden"),
        (lambda: services.update_user(st, admin, CHAIR_ID), Invalid, "nothing_to_change"),
    ]
    for call, exc, code in cases:
        refuse(call, exc, code)
    gen = services.session_generation(st, CHAIR_ID)
    services.update_user(st, admin, CHAIR_ID, person_id=m0.person_id)
    assert services.session_actor(st, CHAIR_ID, gen) is None  # the account's sessions ended: sign in again
    new_chair = services.create_user(st, admin, username="vice", password="password-2026", role="chair")
    refuse(lambda: services.update_user(st, admin, new_chair, person_id=m0.person_id), Conflict, "person_linked")
    users = {u["id"]: u for u in admin_view.list_users(st, admin)}
    assert users[CHAIR_ID]["bodies"] == [world.body_id] and users[CHAIR_ID]["person_id"] == m0.person_id
    assert users[CHAIR_ID]["person"]["name"] == m0.name and users[new_chair]["bodies"] == []
    services.update_user(st, admin, CHAIR_ID, bodies=[], person_id=None)  # no body linked, and no member
    chair = account(world, CHAIR_ID)
    assert chair.bodies == frozenset() and chair.person_id is None  # two bodies: it serves none until linked
    with st.read() as s:
        actions = [e.action for e in s.scalars(select(models.AuditEntry).where(
            models.AuditEntry.action.in_(("user_bodies_set", "user_person_set"))).order_by(models.AuditEntry.id))]
    # the fixture's links (and those made when its body was created), then this test's three changes
    assert actions[-3:] == ["user_person_set", "user_bodies_set", "user_person_set"]
    assert set(actions[:-3]) == {"user_bodies_set"}


def _votes(world, ballot_id: int) -> int:
    with world.store.read() as s:
        return s.scalar(select(func.count()).select_from(models.Participation).join(models.Round).where(
            models.Round.ballot_id == ballot_id)) or 0


def _attendance(world, person_id: int) -> str:
    with world.store.read() as s:
        row = s.get(models.Attendance, (world.sitting_id, person_id))
        return row.status if row else "absent"


def test_a_chair_linked_to_a_member_is_present_and_votes_once(world, refuse):
    st, m0 = world.store, world.members[0]
    services.update_user(st, world.admin, CHAIR_ID, person_id=m0.person_id)
    chair = account(world, CHAIR_ID)
    assert chair.person_id == m0.person_id
    services.open_sitting(st, chair, world.sitting_id)
    assert _attendance(world, m0.person_id) == "present"  # counted present: not 缺席 until the clerk marks them
    for m in world.members[1:9]:
        services.sign_in(st, m, world.sitting_id)
    services.start_item(st, chair, world.items[0])
    services.open_ballot(st, chair, world.ballots[0])
    ack = services.cast_vote(st, chair, world.ballots[0], "for", uuid.uuid4().hex)
    assert ack["ok"] is True
    # the same person on their seat: the one-vote-per-member constraint holds across console and seat
    refuse(lambda: world.cast(m0, world.ballots[0], "against"), Conflict, "already_voted")
    refuse(lambda: services.cast_vote(st, chair, world.ballots[0], "against", uuid.uuid4().hex), Conflict,
           "already_voted")
    assert _votes(world, world.ballots[0]) == 1
    snap = terminal_view.snapshot(st, world.sitting_id, "chair", chair.person_id)
    assert snap["me"]["vote"]["voted"] is True and snap["me"]["signed_in"] is True


def test_the_seat_first_then_the_console_counts_once(world, refuse):
    st, m0 = world.store, world.members[0]
    services.update_user(st, world.admin, CHAIR_ID, person_id=m0.person_id)
    chair = account(world, CHAIR_ID)
    world.open_and_sign_in(9)  # the clerk's demo chair opens; m0 signs in on their seat
    services.start_item(st, chair, world.items[0])
    services.open_ballot(st, chair, world.ballots[0])
    world.cast(m0, world.ballots[0], "for")
    refuse(lambda: services.cast_vote(st, chair, world.ballots[0], "for", uuid.uuid4().hex), Conflict,
           "already_voted")
    assert _votes(world, world.ballots[0]) == 1


def test_a_linked_chair_joining_an_opened_sitting_signs_in(world, refuse):
    st, m0 = world.store, world.members[0]
    services.open_sitting(st, world.clerk, world.sitting_id)  # opened by the clerk: the chair not yet there
    assert _attendance(world, m0.person_id) == "absent"
    refuse(lambda: services.sign_in(st, world.chair, world.sitting_id), Forbidden, "not_linked")
    services.update_user(st, world.admin, CHAIR_ID, person_id=m0.person_id)
    chair = account(world, CHAIR_ID)
    services.sign_in(st, chair, world.sitting_id)
    assert _attendance(world, m0.person_id) == "present"
    services.sign_in(st, chair, world.sitting_id)  # again (a console reconnecting): nothing changes
    assert _attendance(world, m0.person_id) == "present"


def test_a_chair_on_leave_is_not_signed_in_by_opening(world):
    st, m0 = world.store, world.members[0]
    services.update_user(st, world.admin, CHAIR_ID, person_id=m0.person_id)
    services.set_attendance(st, world.clerk, world.sitting_id, m0.person_id, "video", "")
    services.open_sitting(st, account(world, CHAIR_ID), world.sitting_id)
    assert _attendance(world, m0.person_id) == "video"


def test_opening_an_empty_hall_asks_for_confirmation(world, refuse):
    """The consoles' open_sitting over an empty hall is refused ``nobody_present`` and changes nothing;
    sent again with ``confirm: true`` it opens. A chair who is a member does not fill the hall alone."""
    from voting_server import commands

    st, m0 = world.store, world.members[0]
    services.update_user(st, world.admin, CHAIR_ID, person_id=m0.person_id)
    chair = account(world, CHAIR_ID)
    for actor in (chair, world.clerk):
        refuse(lambda a=actor: commands.dispatch(st, a, "open_sitting", {}, sitting_id=world.sitting_id),
               Conflict, "nobody_present")
    refuse(lambda: services.open_sitting(st, chair, world.sitting_id, confirm=False), Conflict, "nobody_present")
    refuse(lambda: commands.dispatch(st, chair, "open_sitting", {"confirm": "yes"}, sitting_id=world.sitting_id),
           Invalid, "bad_field")
    assert commands.dispatch(st, chair, "open_sitting", {"confirm": True}, sitting_id=world.sitting_id)["ok"]
    assert _attendance(world, m0.person_id) == "present"


def test_a_hall_with_someone_signed_in_opens_at_once(world):
    """An early sign-in (on the planned sitting) or a member the clerk recorded present is someone."""
    from voting_server import commands

    st = world.store
    services.sign_in(st, world.members[3], world.sitting_id)  # on the planned sitting: counted when it opens
    assert commands.dispatch(st, world.chair, "open_sitting", {}, sitting_id=world.sitting_id)["ok"]
    assert _attendance(world, world.members[3].person_id) == "present"


def test_a_console_drives_only_the_sitting_it_connected_to(world, refuse, two_bodies):
    """``check_sitting`` (every staff console's command, before its service): a row of another sitting
    of the same body is ``other_sitting``, naming both sittings; one of a body the account does not serve
    is ``other_body``; the console's own rows, and rows that do not exist (left to the service), pass."""
    st, o = world.store, two_bodies
    chair = account(world, CHAIR_ID)
    later = services.create_sitting(st, world.admin, world.body_id, title="县第十八届人大常委会第三十七次会议",
                                    date="2099-12-30")
    later_item = services.add_item(st, world.admin, later, title="下次会议的议题")
    err = refuse(lambda: check_sitting(st, chair, world.sitting_id, {"item_id": later_item}), Forbidden,
                 "other_sitting")
    assert "县第十八届人大常委会第三十七次会议" in err.zh and "第三十六次会议" in err.zh
    assert err.details == {"sitting_id": later, "connected_sitting_id": world.sitting_id}
    for named in ({"ballot_id": o["ballot"]}, {"item_id": o["item"]}, {"sitting_id": o["sitting"]}):
        refuse(lambda named=named: check_sitting(st, chair, world.sitting_id, named), Forbidden, "other_body")
    check_sitting(st, chair, world.sitting_id, {"item_id": world.items[0], "ballot_id": world.ballots[0]})
    check_sitting(st, chair, world.sitting_id, {"item_id": 987654, "ballot_id": None})
    check_sitting(st, chair, later, {"item_id": later_item})
