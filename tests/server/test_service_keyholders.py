"""监票人 key shares, through the services: the key ceremony, a secret round whose box the scrutineers hold,
its close left *counting*, each scrutineer's partial decryption (unlocked from their key card with their
PIN, as their seat does), the result once k have answered, and every refusal (nothing stored changed)."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select, update

from voting_server import ballotbox as bb
from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Conflict, Forbidden, Invalid, box, keyholders
from voting_server.services.terminal_view import snapshot
from voting_server.sheets import all_ok, signed_result_sheet, verify_sheet

CHEAP = bb.Kdf(t=1, log2_m=3, p=1)  # the card's key derivation, cheap for the tests (the card says which)
PINS = ["135790", "246801", "975310"]


@pytest.fixture(autouse=True)
def cheap_cards(monkeypatch):
    monkeypatch.setattr(keyholders, "KDF", CHEAP)


def ceremony(world, holders=(0, 1, 2), k=2):
    people = [{"person_id": world.members[i].person_id, "pin": PINS[n]} for n, i in enumerate(holders)]
    return services.deal_keys(world.store, world.clerk, world.sitting_id, k=k, holders=people)


def shares_ballot(world) -> int:
    return services.create_ballot(world.store, world.clerk, world.items[0], title="无记名表决（监票人密钥）",
                                  spec={"kind": "resolution"}, box_keys="shares")


def partial_of(world, card: str, pin: str, member, ballot_id: int) -> dict:
    """What a scrutineer's seat sends: the card unlocked with the PIN, the box rebuilt from the request."""
    req = keyholders.decryption_request(world.store, member, ballot_id)
    keys = bb.KeySet.from_dict(req["keys"])
    share = bb.unlock(card, pin, keys)
    return bb.partial(bb.Box.from_request(keys, req["request"]), share)


@pytest.fixture
def counting(world):
    """Cards dealt to members 1-3 (2 of 3), a secret resolution cast 5 for, 3 against, 1 abstain, closed."""
    dealt = ceremony(world)
    ballot = shares_ballot(world)
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, ballot)
    for i, choice in enumerate(["for"] * 5 + ["against"] * 3 + ["abstain"]):
        world.cast(world.members[i], ballot, choice)
    closed = services.close_ballot(world.store, world.chair, ballot)
    return world, ballot, dealt, closed


def test_the_ceremony_stores_the_public_key_set_and_the_holders_and_hands_out_one_card_each(world):
    dealt = ceremony(world)
    assert (dealt["k"], dealt["n"]) == (2, 3)
    assert [c["index"] for c in dealt["cards"]] == [1, 2, 3]
    assert all(c["card"].startswith("BJKEY:") for c in dealt["cards"])
    with world.store.read() as s:
        sitting = s.get(models.Sitting, world.sitting_id)
        keys = bb.KeySet.from_dict(sitting.box_keys)
        assert [h["person_id"] for h in sitting.box_holders] == [m.person_id for m in world.members[:3]]
        entry = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "keys_dealt")).one()
    for card, pin in zip(dealt["cards"], PINS, strict=True):
        assert bb.unlock(card["card"], pin, keys).index == card["index"]
    stored = repr(entry.payload) + repr(sitting.box_keys) + repr(sitting.box_holders)
    assert not any(pin in stored for pin in PINS) and "BJKEY" not in stored  # no PIN, no card stored
    assert snapshot(world.store, world.sitting_id, "seat")["sitting"]["key_holders"]["k"] == 2


def test_a_close_leaves_the_round_counting_until_k_scrutineers_have_decrypted(counting):
    world, ballot, dealt, closed = counting
    assert closed == {"counting": {"received": 0, "needed": 2, "given": [], "ballots": 9}}
    snap = snapshot(world.store, world.sitting_id, "chair")
    assert snap["ballot"]["status"] == "counting" and snap["ballot"]["result"] is None
    assert snap["ballot"]["counting"]["needed"] == 2
    late = world.members[10]
    with pytest.raises(Conflict) as err:
        world.cast(late, ballot, "for")
    assert err.value.code == "ballot_not_open"
    first = partial_of(world, dealt["cards"][0]["card"], PINS[0], world.members[0], ballot)
    answer = services.give_share(world.store, world.members[0], ballot, partial=first)
    assert answer == {"received": 1, "needed": 2, "result": None}
    assert snapshot(world.store, world.sitting_id, "chair")["ballot"]["counting"]["given"] == [1]
    third = partial_of(world, dealt["cards"][2]["card"], PINS[2], world.members[2], ballot)
    answer = services.give_share(world.store, world.members[2], ballot, partial=third)
    assert answer["received"] == 2 and answer["result"]["questions"][0]["counts"] == \
        {"for": 5, "against": 3, "abstain": 1}
    with world.store.read() as s:
        rnd = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot)).one()
        result = s.scalars(select(models.Result).where(models.Result.round_id == rnd.id)).one()
        assert rnd.status == "closed" and result.box["mode"] == "shares" and result.box["holders"] == [1, 3]
        assert result.box["holder_names"] == [world.members[0].name, world.members[2].name]
        assert box.verified_counts(s, rnd, result.box) == {"main": {"for": 5, "against": 3, "abstain": 1}}
    assert snapshot(world.store, world.sitting_id, "seat")["ballot"]["result"] is not None


def test_with_fewer_than_k_the_round_waits_across_a_restart(counting, store):
    world, ballot, dealt, _ = counting
    first = partial_of(world, dealt["cards"][1]["card"], PINS[1], world.members[1], ballot)
    services.give_share(world.store, world.members[1], ballot, partial=first)
    again = Store(str(store.engine.url.render_as_string(hide_password=False)), keys_dir=store.keys_dir)
    try:
        world.store = again  # the server restarted: all it knows is stored
        assert snapshot(again, world.sitting_id, "chair")["ballot"]["counting"]["received"] == 1
        second = partial_of(world, dealt["cards"][0]["card"], PINS[0], world.members[0], ballot)
        assert services.give_share(again, world.members[0], ballot, partial=second)["result"] is not None
    finally:
        again.dispose()


def test_every_refused_partial_decryption_changes_nothing(counting, refuse):
    world, ballot, dealt, _ = counting
    st, one, two, outsider = world.store, world.members[0], world.members[1], world.members[9]
    mine = partial_of(world, dealt["cards"][0]["card"], PINS[0], one, ballot)
    refuse(lambda: services.give_share(st, outsider, ballot, partial=mine), Forbidden, "not_a_holder")
    other_body = services.create_body(st, world.clerk, name="邻县人大常委会")
    stranger = services.Actor(role="member", name="外县委员", person_id=services.add_person(
        st, world.clerk, other_body, {"name": "外县委员"}))
    refuse(lambda: keyholders.decryption_request(st, stranger, ballot), Forbidden, "other_body")
    refuse(lambda: services.give_share(st, stranger, ballot, partial=mine), Forbidden, "other_body")
    refuse(lambda: keyholders.decryption_request(st, outsider, ballot), Forbidden, "not_a_holder")
    refuse(lambda: services.give_share(st, two, ballot, partial=mine), Forbidden, "not_your_share")
    refuse(lambda: services.give_share(st, world.chair, ballot, partial=mine), Forbidden, "forbidden")
    forged = {**mine, "proofs": [list(reversed(p)) for p in mine["proofs"]]}
    refuse(lambda: services.give_share(st, one, ballot, partial=forged), Invalid, "bad_partial")
    wrong_share = bb.Share(1, bb.KeySet.from_dict(dealt_keys(world)).key_id[:32])  # not the dealt secret
    req = keyholders.decryption_request(st, one, ballot)
    rebuilt = bb.Box.from_request(bb.KeySet.from_dict(req["keys"]), req["request"])
    with pytest.raises(bb.BallotBoxError) as err:
        bb.partial(rebuilt, wrong_share)  # a device refuses a wrong share itself...
    assert err.value.code == "share_mismatch"
    other_box = {**mine, "box": "00" * 32}
    refuse(lambda: services.give_share(st, one, ballot, partial=other_box), Invalid, "wrong_box")
    refuse(lambda: services.give_share(st, one, ballot, partial={"v": 1}), Invalid, "malformed")
    services.give_share(st, one, ballot, partial=mine)
    refuse(lambda: services.give_share(st, one, ballot, partial=mine), Conflict, "already_decrypted")
    refuse(lambda: services.give_share(st, one, world.ballots[1], partial=mine), Conflict, "not_counting")


def dealt_keys(world) -> dict:
    with world.store.read() as s:
        return dict(s.get(models.Sitting, world.sitting_id).box_keys)


def test_every_refused_ceremony_changes_nothing(world, refuse):
    st, m = world.store, world.members
    def deal(holders, k=2, actor=world.clerk):
        return lambda: services.deal_keys(st, actor, world.sitting_id, k=k, holders=holders)
    two = [{"person_id": m[0].person_id, "pin": PINS[0]}, {"person_id": m[1].person_id, "pin": PINS[1]}]
    refuse(deal(two, actor=world.chair), Forbidden, "forbidden")
    refuse(deal([]), Invalid, "bad_holders")
    refuse(deal("everyone"), Invalid, "bad_holders")
    refuse(deal([two[0], {"person_id": m[0].person_id, "pin": PINS[1]}]), Invalid, "bad_holders")
    refuse(deal([two[0], {"person_id": world.observers[0].person_id, "pin": PINS[1]}]), Invalid, "not_a_member")
    refuse(deal([two[0], {"person_id": 99999, "pin": PINS[1]}]), Invalid, "not_a_member")
    refuse(deal([two[0], {"person_id": m[1].person_id, "pin": "12"}]), Invalid, "invalid_pin")
    refuse(deal([two[0], {"person_id": m[1].person_id}]), Invalid, "bad_holders")
    refuse(deal(two, k=3), Invalid, "invalid_threshold")


def test_a_sitting_whose_key_a_round_used_cannot_be_dealt_again(counting, refuse):
    world = counting[0]
    refuse(lambda: ceremony(world), Conflict, "keys_in_use")


def test_a_shares_ballot_cannot_open_before_the_ceremony(world, refuse):
    ballot = shares_ballot(world)
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    refuse(lambda: services.open_ballot(world.store, world.chair, ballot), Conflict, "no_key_holders")


def test_an_empty_shares_box_is_tallied_at_the_close(world):
    ceremony(world)
    ballot = shares_ballot(world)
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, ballot)
    result = services.close_ballot(world.store, world.chair, ballot)
    assert "counting" not in result and result["questions"][0]["counts"] == {"for": 0, "against": 0, "abstain": 0}


def test_the_signed_sheet_names_the_scrutineers_and_verifies_without_a_key(counting, tmp_path):
    world, ballot, dealt, _ = counting
    for n in (0, 1):
        partial = partial_of(world, dealt["cards"][n]["card"], PINS[n], world.members[n], ballot)
        services.give_share(world.store, world.members[n], ballot, partial=partial)
    pdf = signed_result_sheet(world.store, ballot, 1, instance=tmp_path, base_url="http://127.0.0.1:5000")
    checks = verify_sheet(world.store, pdf, instance=tmp_path)
    assert all_ok(checks), [(c.name, c.reason) for c in checks if not c.ok]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    names = "、".join(m.name for m in world.members[:2])
    assert f"监票人{names}" in text.replace("\n", "").replace(" ", "")
    with world.store.read() as s:
        rnd = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot)).one()
        record = dict(s.scalars(select(models.Result).where(models.Result.round_id == rnd.id)).one().box)
    first = record["partials"][0]
    record["partials"] = [dict(first, shares=list(reversed(first["shares"]))), *record["partials"][1:]]
    with world.store.engine.begin() as conn:  # a partial decryption edited in the database, behind the server
        conn.execute(update(models.Result.__table__).where(models.Result.round_id == rnd.id).values(box=record))
    retally = {c.name: c for c in verify_sheet(world.store, pdf, instance=tmp_path)}["retally"]
    assert not retally.ok, retally
