"""A chair who drives two bodies never lands in the wrong hall: two bodies (the standing committee and a
county plenary), two chairs (one serving both bodies, one serving the plenary only). A console drives the
sitting it connected to (``auth.sitting_id``): a command naming another sitting's item or ballot is
refused ``other_sitting`` (another body's, for an account not serving it: ``other_body``) and changes
nothing; another sitting of the same body opening is announced (``sitting.opened_elsewhere``) and never
moves a console that is on an open sitting; an account with no body linked, once there are two bodies,
is refused ``no_bodies``."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from support.database import unchanged
from support.terminal import first_difference, shown

from voting_server import models, services
from voting_server.services import Actor

ADMIN = Actor(role="admin", name="管理员", user_id=1)
CLERK = Actor(role="clerk", name="办公室 何静")
PLENARY = "某县第十八届人民代表大会第五次会议"
PASSWORD = "chair-two-2026"


def user_id(store, username: str) -> int:
    with store.read() as s:
        return s.scalar(select(models.User.id).where(models.User.username == username))


@pytest.fixture
def two_bodies(hall):
    """The plenary (three deputies, a planned sitting with an item and a ballot) beside the committee; the
    demo chair serves both bodies, ``chair2`` the plenary only, the demo clerk the committee."""
    store = hall.store
    body = services.create_body(store, ADMIN, name="某县人民代表大会", preset="congress_plenary")
    for n in range(1, 4):
        services.add_person(store, ADMIN, body, {"name": f"代表{n}", "joined_on": "2021-10-01"})
    sitting = services.create_sitting(store, ADMIN, body, title=PLENARY, date="2026-12-01")
    item = services.add_item(store, ADMIN, sitting, title="民生实事项目票决")
    ballot = services.create_ballot(store, ADMIN, item, spec={"kind": "resolution"})
    services.update_user(store, ADMIN, user_id(store, "chair"), bodies=[hall.seed.body_id, body])
    services.update_user(store, ADMIN, user_id(store, "clerk"), bodies=[hall.seed.body_id])
    services.update_user(store, ADMIN, user_id(store, "display"), bodies=[hall.seed.body_id])
    second = services.create_user(store, ADMIN, username="chair2", password=PASSWORD, role="chair",
                                  display_name="人代会主持人")
    services.update_user(store, ADMIN, second, bodies=[body])
    return {"body": body, "sitting": sitting, "item": item, "ballot": ballot}


def login(hall, username: str, password: str):
    client = hall.app.test_client()
    r = client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return client


def second_chair(hall, sitting_id: int | None = None):
    return hall.connect(auth={"sitting_id": sitting_id} if sitting_id else None,
                        flask_client=login(hall, "chair2", PASSWORD))


def test_each_console_drives_the_sitting_it_picked_and_is_refused_the_others(hall, two_bodies):
    store, p = hall.store, two_bodies
    committee = hall.staff("chair", auth={"sitting_id": hall.sitting_id})
    plenary = hall.staff("chair", auth={"sitting_id": p["sitting"]})
    assert committee.state["sitting"]["body"]["name"] == "某县人大常委会"
    assert plenary.state["sitting"]["body"]["name"] == "某县人民代表大会"
    assert plenary.state["sitting"]["title"] == PLENARY
    plenary.ok("open_sitting", {"confirm": True})
    # the same account, on its committee console: the plenary's item and ballot are not this console's
    for name, payload in (("start_item", {"item_id": p["item"]}), ("open_ballot", {"ballot_id": p["ballot"]})):
        with unchanged(store, f"{name} from the committee's console"):
            ack = committee.cmd(name, payload)
        assert ack["ok"] is False and ack["error"] == "other_sitting", ack
        assert PLENARY in ack["message_zh"] and "第三十六次会议" in ack["message_zh"], ack["message_zh"]
        assert ack["details"] == {"sitting_id": p["sitting"], "connected_sitting_id": hall.sitting_id}
    assert plenary.ok("start_item", {"item_id": p["item"]})["ok"]  # on the plenary's own console it runs

    # the plenary's own chair: never on the committee's sitting, and its rows are another body's
    refused = second_chair(hall, hall.sitting_id)
    assert not refused.connected and refused.refusal["data"]["error"] == "other_body"
    chair2 = second_chair(hall)
    assert chair2.connected and chair2.state["sitting"]["id"] == p["sitting"]  # its only body's sitting
    for name, payload in (("start_item", {"item_id": hall.seed.items[0]}),
                          ("open_ballot", {"ballot_id": hall.seed.ballots[0]})):
        with unchanged(store, f"{name} of the committee from the plenary's chair"):
            ack = chair2.cmd(name, payload)
        assert ack["ok"] is False and ack["error"] == "other_body", ack
        assert ack["message_zh"] == "无权查看或操作其他机构的会议"
    assert chair2.ok("open_ballot", {"ballot_id": p["ballot"], "override_quorum": True})["ok"]  # its own: it runs


def test_another_sitting_of_the_body_opening_is_offered_never_imposed_on_an_open_ballot(hall, two_bodies):
    store = hall.store
    chair = hall.staff("chair", auth={"sitting_id": hall.sitting_id})
    chair.ok("open_sitting", {"confirm": True})
    chair.ok("start_item", {"item_id": hall.seed.items[0]})
    chair.ok("open_ballot", {"ballot_id": hall.seed.ballots[0], "override_quorum": True})
    newer = services.create_sitting(store, CLERK, hall.seed.body_id, title="县第十八届人大常委会第三十七次会议",
                                    date="2099-12-30")
    opener = hall.staff("clerk", auth={"sitting_id": newer})
    opener.ok("open_sitting", {"confirm": True})
    ok, diff = chair.settle()
    assert ok, diff
    assert chair.state["sitting"]["id"] == hall.sitting_id and chair.state["ballot"]["status"] == "open"
    assert chair.state["sitting"]["opened_elsewhere"] == {"id": newer, "title": "县第十八届人大常委会第三十七次会议"}
    assert [e["type"] for e in chair.received("event")][-1] == "sitting_elsewhere"
    # the open ballot is still this console's to drive
    assert chair.ok("close_ballot", {"ballot_id": hall.seed.ballots[0]})["ok"]
    # the sitting the body follows closes: nothing is elsewhere any more
    hall.staff("chair", auth={"sitting_id": newer}).ok("close_sitting")
    ok, diff = chair.settle()
    assert ok, diff
    assert chair.state["sitting"]["opened_elsewhere"] is None
    assert first_difference(shown(chair.state), shown(chair.fresh())) is None


def test_an_account_with_no_body_linked_is_refused_once_there_are_two_bodies(hall):
    """The accounts that served the only body keep it when a second body is created (linked to it then);
    an account made once there are two, with no body linked, is refused until the administrator links it."""
    store = hall.store
    services.create_user(store, ADMIN, username="newclerk", password=PASSWORD, role="clerk")
    probe = hall.connect(flask_client=login(hall, "newclerk", PASSWORD))
    assert probe.connected  # one body: it serves that one
    probe.disconnect()
    services.create_body(store, ADMIN, name="某县人民代表大会", preset="congress_plenary")
    kept = hall.connect(flask_client=login(hall, "newclerk", PASSWORD))
    assert kept.connected and kept.state["sitting"]["id"] == hall.sitting_id  # linked to the body it served
    kept.disconnect()
    later = services.create_user(store, ADMIN, username="laterclerk", password=PASSWORD, role="clerk")
    refused = hall.connect(flask_client=login(hall, "laterclerk", PASSWORD))
    assert not refused.connected and refused.refusal["data"]["error"] == "no_bodies"
    assert "尚未关联任何机构" in refused.refusal["data"]["message_zh"]
    services.update_user(store, ADMIN, later, bodies=[hall.seed.body_id])
    linked = hall.connect(flask_client=login(hall, "laterclerk", PASSWORD))
    assert linked.connected and linked.state["sitting"]["id"] == hall.sitting_id
