"""Withdrawing (撤回) what is under way (services.withdrawal): an open, counting or draft ballot, an item with
its ballots, and every refusal — with every table, all columns and the audit chain compared before and after
(``refuse``)."""
from __future__ import annotations

import pytest
from server_helpers import close_first_ballot, last_audit, one, rows
from sqlalchemy import func, select

from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, editing, terminal_view, withdrawal


def test_withdraw_an_open_secret_ballot_ends_its_round_uncounted(live, refuse):
    b = live.ballots[0]
    for m in live.members[:5]:
        live.cast(m, b, "for")
    assert list(live.store.keys_dir.glob("*.key"))
    withdrawal.withdraw_ballot(live.store, live.chair, b, "议案需进一步修改")
    ballot = one(live.store, models.Ballot, b)
    assert ballot.withdrawn_reason == "议案需进一步修改" and ballot.withdrawn_at is not None
    [rnd] = rows(live.store, models.Round, models.Round.ballot_id == b)
    assert rnd.status == "withdrawn" and rnd.closed_at is not None and rnd.box_sealed is None
    assert rows(live.store, models.Result) == []  # never a tally of a withdrawn ballot
    assert not list(live.store.keys_dir.glob("*.key"))  # its key destroyed, nothing decrypted
    action, payload, seq = last_audit(live.store)
    assert (action, payload["reason"], payload["round_id"]) == ("ballot_withdrawn", "议案需进一步修改", rnd.id) and seq
    for audience in ("seat", "chair", "display"):
        snap = terminal_view.snapshot(live.store, live.sitting_id, audience)
        assert snap["ballot"]["status"] == "withdrawn" and snap["ballot"]["withdrawn_reason"] == "议案需进一步修改"
        assert snap["ballot"]["result"] is None
        [row] = [r for it in snap["agenda"]["items"] for r in it["ballots"] if r["id"] == b]
        assert (row["status"], row["withdrawn_reason"]) == ("withdrawn", "议案需进一步修改")
    refuse(lambda: live.cast(live.members[6], b, "for"), Conflict, "ballot_not_open")
    refuse(lambda: services.close_ballot(live.store, live.chair, b), Conflict, "ballot_not_open")
    refuse(lambda: services.revote(live.store, live.chair, b, reason="表决器故障", confirm_passed=True), Conflict,
           "withdrawn")
    refuse(lambda: withdrawal.withdraw_ballot(live.store, live.chair, b, "再撤一次"), Conflict, "withdrawn")
    # the sitting goes on: the next item's ballot opens
    services.start_item(live.store, live.chair, live.items[1])
    services.open_ballot(live.store, live.chair, live.ballots[1])


def test_withdraw_a_named_open_ballot(live):
    item, b = live.items[2], live.ballots[3]
    services.close_ballot(live.store, live.chair, live.ballots[0])
    services.start_item(live.store, live.chair, item)
    services.open_ballot(live.store, live.chair, b)
    withdrawal.withdraw_ballot(live.store, live.clerk, b, "测评对象有误")
    assert rows(live.store, models.Round, models.Round.ballot_id == b)[0].status == "withdrawn"
    with live.store.read() as s:
        assert s.scalar(select(func.count()).select_from(models.Result)) == 1  # the first ballot's only


def test_withdraw_a_draft_ballot_and_it_never_opens(world, refuse):
    withdrawal.withdraw_ballot(world.store, world.clerk, world.ballots[0], "暂缓表决")
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    refuse(lambda: services.open_ballot(world.store, world.chair, world.ballots[0]), Conflict, "withdrawn")


def test_withdraw_refusals(world, refuse):
    b = world.ballots[0]
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.chair, b, ""), Invalid, "missing_text")
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.chair, b, "长" * 201), Invalid, "text_too_long")
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.chair, b, None), Invalid, "bad_text")
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.display, b, "原因"), Forbidden, "forbidden")
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.members[0], b, "原因"), Forbidden, "forbidden")
    refuse(lambda: withdrawal.withdraw_item(world.store, world.admin, world.items[0], "原因"), Forbidden, "forbidden")
    close_first_ballot(world)
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.chair, b, "原因"), Conflict, "has_result")
    refuse(lambda: withdrawal.withdraw_item(world.store, world.chair, world.items[0], "原因"), Conflict, "has_result")
    services.finish_item(world.store, world.chair, world.items[0])
    refuse(lambda: withdrawal.withdraw_item(world.store, world.chair, world.items[0], "原因"), Conflict, "item_done")
    services.close_sitting(world.store, world.chair, world.sitting_id)
    refuse(lambda: withdrawal.withdraw_ballot(world.store, world.chair, world.ballots[3], "原因"), Conflict,
           "sitting_closed")
    refuse(lambda: withdrawal.withdraw_item(world.store, world.chair, world.items[2], "原因"), Conflict,
           "sitting_closed")


def test_a_revote_in_progress_is_withdrawn_and_the_first_result_stays(world):
    close_first_ballot(world)
    services.revote(world.store, world.chair, world.ballots[0], reason="表决器故障", confirm_passed=True)
    withdrawal.withdraw_ballot(world.store, world.chair, world.ballots[0], "重新表决程序有误")
    statuses = [r.status for r in sorted(rows(world.store, models.Round, models.Round.ballot_id == world.ballots[0]),
                                         key=lambda r: r.number)]
    assert statuses == ["closed", "withdrawn"] and len(rows(world.store, models.Result)) == 1


def test_withdraw_the_current_item_with_its_open_ballot(live, refuse):
    services.close_ballot(live.store, live.chair, live.ballots[0])
    item = live.items[1]
    services.start_item(live.store, live.chair, item)
    services.open_ballot(live.store, live.chair, live.ballots[1])
    withdrawal.withdraw_item(live.store, live.chair, item, "任免事项另行安排")
    it = one(live.store, models.AgendaItem, item)
    assert (it.status, it.withdrawn_reason) == ("withdrawn", "任免事项另行安排")
    assert all(one(live.store, models.Ballot, b).withdrawn_reason == "任免事项另行安排" for b in live.ballots[1:3])
    assert rows(live.store, models.Round, models.Round.ballot_id == live.ballots[1])[0].status == "withdrawn"
    action, payload, _ = last_audit(live.store)
    assert action == "item_withdrawn" and payload["ballots"] == live.ballots[1:3]
    snap = terminal_view.snapshot(live.store, live.sitting_id, "display")
    assert snap["agenda"]["current_item_id"] is None
    # the round it ended stays on every screen, withdrawn with the reason, until another item is taken up
    on_screen = snap["ballot"]
    assert (on_screen["id"], on_screen["status"], on_screen["withdrawn_reason"], on_screen["result"]) == (
        live.ballots[1], "withdrawn", "任免事项另行安排", None)
    [row] = [i for i in snap["agenda"]["items"] if i["id"] == item]
    assert (row["status"], row["withdrawn_reason"]) == ("withdrawn", "任免事项另行安排")
    refuse(lambda: services.start_item(live.store, live.chair, item), Conflict, "withdrawn")
    refuse(lambda: withdrawal.withdraw_item(live.store, live.chair, item, "再撤"), Conflict, "withdrawn")
    refuse(lambda: editing.update_item(live.store, live.clerk, item, {"title": "x"}), Conflict, "withdrawn")
    refuse(lambda: services.create_ballot(live.store, live.clerk, item, spec={"kind": "resolution"}), Conflict,
           "withdrawn")
    services.start_item(live.store, live.chair, live.items[2])  # the sitting goes on
    assert terminal_view.snapshot(live.store, live.sitting_id, "display")["ballot"] is None
    assert services.verify_chain(live.store).ok


def test_a_pending_item_withdrawn_puts_nothing_on_screen(live):
    """Withdrawing an item whose ballot never opened ends no round: nothing withdrawn is put on screen."""
    services.close_ballot(live.store, live.chair, live.ballots[0])
    services.finish_item(live.store, live.chair, live.items[0])
    withdrawal.withdraw_item(live.store, live.clerk, live.items[2], "测评另行安排")
    assert terminal_view.snapshot(live.store, live.sitting_id, "display")["ballot"] is None


def test_withdraw_a_counting_round_of_a_key_holders_box(world, monkeypatch):
    from sqlalchemy import update

    from voting_server import ballotbox as bb
    from voting_server.services import keyholders

    monkeypatch.setattr(keyholders, "KDF", bb.Kdf(t=1, log2_m=3, p=1))
    with world.store.write_session() as s, s.begin():
        s.execute(update(models.Ballot).where(models.Ballot.id == world.ballots[0]).values(box_keys="shares"))
    services.deal_keys(world.store, world.clerk, world.sitting_id, k=2, holders=[
        {"person_id": world.members[n].person_id, "pin": "135790"} for n in (0, 1)])
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    world.cast(world.members[3], world.ballots[0], "for")
    services.close_ballot(world.store, world.chair, world.ballots[0])
    withdrawal.withdraw_ballot(world.store, world.chair, world.ballots[0], "监票程序有误")
    [rnd] = rows(world.store, models.Round, models.Round.ballot_id == world.ballots[0])
    assert rnd.status == "withdrawn" and rows(world.store, models.Result) == []
    with pytest.raises(Conflict) as info:
        keyholders.decryption_request(world.store, world.members[0], world.ballots[0])
    assert info.value.code == "not_counting"
