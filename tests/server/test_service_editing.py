"""Correcting what was prepared (services.editing): every edit, delete and move, and every refusal — with
every table, all columns and the audit chain compared before and after (``refuse``)."""
from __future__ import annotations

import pytest
from server_helpers import close_first_ballot, last_audit, one, rows

from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, NotFound, editing, terminal_view, withdrawal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def agenda(store, sitting_id):
    """(position, item id) in agenda order."""
    items = rows(store, models.AgendaItem, models.AgendaItem.sitting_id == sitting_id)
    return sorted((i.position, i.id) for i in items)


def order(store, sitting_id):
    return [i for _p, i in agenda(store, sitting_id)]


def document(world, item_id, tmp_path, name="草案.pdf", data=PDF):
    folder = tmp_path / "docs"
    doc_id = services.add_document(world.store, world.clerk, item_id, filename=name, data=data, folder=str(folder),
                                   max_bytes=1 << 20)
    return doc_id, folder


# --- sittings ----------------------------------------------------------------------------------------


def test_update_sitting_changes_what_was_sent_audited_and_pushed(world):
    editing.update_sitting(world.store, world.clerk, world.sitting_id,
                           {"title": "第三十七次会议", "date": "2026-12-01", "place": "第二会议室"})
    sitting = one(world.store, models.Sitting, world.sitting_id)
    assert (sitting.title, sitting.date.isoformat(), sitting.place) == ("第三十七次会议", "2026-12-01", "第二会议室")
    action, payload, seq = last_audit(world.store)
    assert action == "sitting_changed" and seq is not None
    assert payload["changes"]["title"] == "第三十七次会议" and payload["before"]["date"] == "2026-11-25"
    assert terminal_view.SECTIONS_BY_ACTION[action] == ("sitting",)


def test_update_sitting_refusals(world, refuse):
    sid = world.sitting_id
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {}), Invalid, "nothing_to_change")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"colour": "red"}), Invalid, "unknown_field")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"date": "31/31/2026"}), Invalid, "bad_date")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"date": ""}), Invalid, "missing_date")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"title": " "}), Invalid, "missing_text")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"title": 7}), Invalid, "bad_text")
    refuse(lambda: editing.update_sitting(world.store, world.clerk, 2**40, {"title": "x"}), NotFound, "not_found")
    refuse(lambda: editing.update_sitting(world.store, world.display, sid, {"title": "x"}), Forbidden, "forbidden")
    world.open_and_sign_in(12)
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"date": "2026-12-02"}), Conflict,
           "sitting_opened")
    editing.update_sitting(world.store, world.clerk, sid, {"place": "主会场"})  # before any ballot opens
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    refuse(lambda: editing.update_sitting(world.store, world.clerk, sid, {"title": "改名"}), Conflict, "ballot_opened")


def test_update_of_a_closed_sitting_is_refused(world, refuse):
    world.open_and_sign_in(12)
    services.close_sitting(world.store, world.chair, world.sitting_id)
    refuse(lambda: editing.update_sitting(world.store, world.clerk, world.sitting_id, {"title": "x"}), Conflict,
           "sitting_closed")


def test_delete_a_planned_sitting_with_its_agenda_and_files(world, tmp_path):
    doc_id, folder = document(world, world.items[0], tmp_path)
    stored = one(world.store, models.Document, doc_id).stored_name
    services.sign_in(world.store, world.members[0], world.sitting_id)  # an early sign-in
    editing.delete_sitting(world.store, world.clerk, world.sitting_id, folder=str(folder))
    assert one(world.store, models.Sitting, world.sitting_id) is None
    assert rows(world.store, models.AgendaItem) == [] and rows(world.store, models.Ballot) == []
    assert rows(world.store, models.Document) == [] and rows(world.store, models.Attendance) == []
    assert not (folder / stored).exists()
    action, payload, seq = last_audit(world.store)
    assert action == "sitting_deleted" and payload["items"] == world.items and seq is None
    assert services.verify_chain(world.store).ok


def test_delete_of_an_opened_sitting_is_refused(world, refuse, tmp_path):
    world.open_and_sign_in(12)
    refuse(lambda: editing.delete_sitting(world.store, world.clerk, world.sitting_id, folder=str(tmp_path)),
           Conflict, "sitting_opened")
    refuse(lambda: editing.delete_sitting(world.store, world.chair, world.sitting_id, folder=str(tmp_path)),
           Forbidden, "forbidden")


# --- items -------------------------------------------------------------------------------------------


def test_update_item_title_kind_and_amendment(world):
    i1, i2, i3 = world.items
    editing.update_item(world.store, world.clerk, i3, {"title": "对县政府三个部门的满意度测评", "kind": "evaluation"})
    assert one(world.store, models.AgendaItem, i3).title == "对县政府三个部门的满意度测评"
    action, payload, seq = last_audit(world.store)
    assert action == "item_changed" and payload["changes"] == {"title": "对县政府三个部门的满意度测评"} and seq
    editing.update_item(world.store, world.clerk, i2, {"amends_item_id": i1, "kind": "other"})
    item = one(world.store, models.AgendaItem, i2)
    assert (item.amends_item_id, item.kind) == (i1, "other")
    editing.update_item(world.store, world.clerk, i2, {"amends_item_id": None})
    assert one(world.store, models.AgendaItem, i2).amends_item_id is None


def test_update_item_refusals(world, refuse):
    i1, i2, i3 = world.items
    refuse(lambda: editing.update_item(world.store, world.clerk, i1, {"kind": "party"}), Invalid, "bad_kind")
    refuse(lambda: editing.update_item(world.store, world.clerk, i1, {"amends_item_id": i1}), Invalid, "bad_amendment")
    editing.update_item(world.store, world.clerk, i2, {"amends_item_id": i1})
    refuse(lambda: editing.update_item(world.store, world.clerk, i1, {"amends_item_id": i2}), Invalid, "bad_amendment")
    refuse(lambda: editing.update_item(world.store, world.clerk, i1, {"amends_item_id": 2**40}), NotFound, "not_found")
    refuse(lambda: editing.update_item(world.store, world.clerk, i1, {"amends_item_id": True}), Invalid, "bad_id")
    other = services.create_sitting(world.store, world.clerk, world.body_id, title="另一次会议", date="2026-12-20")
    elsewhere = services.add_item(world.store, world.clerk, other, title="别处的议题")
    refuse(lambda: editing.update_item(world.store, world.clerk, i3, {"amends_item_id": elsewhere}), Invalid,
           "bad_amendment")
    refuse(lambda: editing.update_item(world.store, world.chair, i3, {"title": "x"}), Forbidden, "forbidden")


def test_an_item_whose_ballot_opened_is_not_edited(world, refuse):
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    refuse(lambda: editing.update_item(world.store, world.clerk, world.items[0], {"title": "改"}), Conflict,
           "ballot_opened")
    editing.update_item(world.store, world.clerk, world.items[2], {"title": "尚未表决的议题可以改"})


def test_move_item_renumbers_the_agenda(world):
    i1, i2, i3 = world.items
    editing.move_item(world.store, world.clerk, i3, 1)
    assert order(world.store, world.sitting_id) == [i3, i1, i2]
    assert [p for p, _ in agenda(world.store, world.sitting_id)] == [1, 2, 3]
    action, payload, seq = last_audit(world.store)
    assert (action, payload["from"], payload["to"], payload["order"]) == ("item_moved", 3, 1, [i3, i1, i2])
    editing.move_item(world.store, world.clerk, i3, 3)
    assert order(world.store, world.sitting_id) == [i1, i2, i3]
    before = last_audit(world.store)
    editing.move_item(world.store, world.clerk, i3, 3)  # where it is: nothing to record
    assert last_audit(world.store) == before


def test_move_refusals(world, refuse):
    i1, i2, i3 = world.items
    refuse(lambda: editing.move_item(world.store, world.clerk, i1, 4), Invalid, "bad_position")
    refuse(lambda: editing.move_item(world.store, world.clerk, i1, 0), Invalid, "bad_position")
    refuse(lambda: editing.move_item(world.store, world.clerk, i1, True), Invalid, "bad_position")
    close_first_ballot(world)
    # item 1 has a result: its number (第1项) is on its sheet and stays
    refuse(lambda: editing.move_item(world.store, world.clerk, i3, 1), Conflict, "position_fixed")
    refuse(lambda: editing.move_item(world.store, world.clerk, i1, 2), Conflict, "position_fixed")
    editing.move_item(world.store, world.clerk, i3, 2)  # the items after it may still change places
    assert order(world.store, world.sitting_id) == [i1, i3, i2]
    withdrawal.withdraw_item(world.store, world.chair, i2, "提案人撤回")
    refuse(lambda: editing.move_item(world.store, world.clerk, i2, 2), Conflict, "withdrawn")
    refuse(lambda: editing.move_item(world.store, world.clerk, i3, 3), Conflict, "position_fixed")


def test_delete_item_with_its_ballots_and_documents(world, tmp_path):
    i1, i2, i3 = world.items
    doc_id, folder = document(world, i2, tmp_path)
    stored = one(world.store, models.Document, doc_id).stored_name
    editing.delete_item(world.store, world.clerk, i2, folder=str(folder))
    assert order(world.store, world.sitting_id) == [i1, i3]
    assert [p for p, _ in agenda(world.store, world.sitting_id)] == [1, 2]
    assert {b.id for b in rows(world.store, models.Ballot)} == {world.ballots[0], world.ballots[3]}
    assert one(world.store, models.Document, doc_id) is None and not (folder / stored).exists()
    action, payload, _ = last_audit(world.store)
    assert action == "item_deleted" and payload["order"] == [i1, i3]


def test_delete_item_refusals(world, refuse, tmp_path):
    i1, i2, i3 = world.items
    folder = str(tmp_path)
    editing.update_item(world.store, world.clerk, i3, {"amends_item_id": i2})
    refuse(lambda: editing.delete_item(world.store, world.clerk, i2, folder=folder), Conflict, "has_amendments")
    close_first_ballot(world)
    refuse(lambda: editing.delete_item(world.store, world.clerk, i1, folder=folder), Conflict, "ballot_opened")
    services.start_item(world.store, world.chair, i2)
    refuse(lambda: editing.delete_item(world.store, world.clerk, i2, folder=folder), Conflict, "item_started")
    withdrawal.withdraw_item(world.store, world.clerk, i2, "暂不审议")
    refuse(lambda: editing.delete_item(world.store, world.clerk, i2, folder=folder), Conflict, "withdrawn")


def test_delete_item_that_would_renumber_an_item_on_record_is_refused(world, refuse, tmp_path):
    i1, i2, i3 = world.items
    editing.move_item(world.store, world.clerk, i1, 3)  # [i2, i3, i1]
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, i1)
    services.open_ballot(world.store, world.chair, world.ballots[0])
    refuse(lambda: editing.delete_item(world.store, world.clerk, i2, folder=str(tmp_path)), Conflict,
           "position_fixed")


# --- ballots -----------------------------------------------------------------------------------------


def test_update_ballot_corrects_an_appointees_name(world):
    b = world.ballots[2]
    spec = {"kind": "appointment", "persons": [{"id": "p2", "name": "许文韬", "post": "县教育局局长",
                                                  "action": "appoint"}]}
    editing.update_ballot(world.store, world.clerk, b, {"spec": spec, "title": "任命许文韬为县教育局局长"})
    ballot = one(world.store, models.Ballot, b)
    assert ballot.spec["persons"][0]["name"] == "许文韬" and ballot.title == "任命许文韬为县教育局局长"
    action, payload, seq = last_audit(world.store)
    assert action == "ballot_changed" and seq and set(payload["changes"]) == {"spec", "title"}
    assert payload["before"]["title"] == "任命许文涛为县教育局局长"
    snap = terminal_view.snapshot(world.store, world.sitting_id, "seat")
    [row] = [r for it in snap["agenda"]["items"] for r in it["ballots"] if r["id"] == b]
    assert row["title"] == "任命许文韬为县教育局局长"


def test_update_ballot_settings(world):
    b = world.ballots[0]
    editing.update_ballot(world.store, world.clerk, b, {"secret": False, "allow_change": True, "method": "mixed",
                                                        "timer_seconds": 90})
    ballot = one(world.store, models.Ballot, b)
    assert (ballot.secret, ballot.allow_change, ballot.method, ballot.timer_seconds) == (False, True, "mixed", 90)
    editing.update_ballot(world.store, world.clerk, b, {"secret": True})  # secret: no change of vote
    ballot = one(world.store, models.Ballot, b)
    assert (ballot.secret, ballot.allow_change) == (True, False)
    editing.update_ballot(world.store, world.clerk, b, {"box_keys": "shares", "title": None})
    assert one(world.store, models.Ballot, b).box_keys == "shares"
    assert one(world.store, models.Ballot, b).title == one(world.store, models.AgendaItem, world.items[0]).title
    editing.update_ballot(world.store, world.clerk, b, {"secret": False})  # named: no box settings
    assert one(world.store, models.Ballot, b).box_keys is None


def test_a_threshold_override_is_kept_through_a_correction_until_cleared(world):
    b = world.ballots[0]
    body = one(world.store, models.Ballot, b).rule["threshold"]
    two_thirds = {"base": "all_members", "fraction": "2/3", "strict": False}
    editing.update_ballot(world.store, world.clerk, b, {"threshold": two_thirds})
    override = one(world.store, models.Ballot, b).rule["threshold"]
    assert override != body
    editing.update_ballot(world.store, world.clerk, b, {"spec": {"kind": "resolution", "question": "是否通过"}})
    assert one(world.store, models.Ballot, b).rule["threshold"] == override
    editing.update_ballot(world.store, world.clerk, b, {"threshold": None})
    assert one(world.store, models.Ballot, b).rule["threshold"] == body


def test_update_ballot_is_checked_as_a_new_ballot(world, refuse):
    b = world.ballots[0]
    for change, code in (({"spec": {"kind": "lottery"}}, None), ({"spec": "resolution"}, "bad_spec"),
                         ({"method": "shout"}, "bad_method"), ({"timer_seconds": 5}, "bad_timer"),
                         ({"allow_change": True}, "secret_no_change"), ({"secret": "yes"}, "bad_flag"),
                         ({"box_keys": "nobody"}, "bad_box_keys"), ({"threshold": [1, 2]}, "bad_threshold"),
                         ({"title": "长" * 501}, "text_too_long"), ({"nonsense": 1}, "unknown_field"),
                         ({}, "nothing_to_change")):
        with pytest.raises(Invalid) as info:
            editing.update_ballot(world.store, world.clerk, b, change)
        if code is not None:
            assert info.value.code == code, (change, info.value.code)
        refuse(lambda change=change: editing.update_ballot(world.store, world.clerk, b, change), Invalid,
               info.value.code)
    editing.update_ballot(world.store, world.clerk, b, {"secret": False})
    refuse(lambda: editing.update_ballot(world.store, world.clerk, b, {"box_encrypt": "tablet"}), Invalid,
           "box_not_secret")


def test_an_opened_ballot_is_neither_edited_nor_deleted(world, refuse):
    b = world.ballots[0]
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, b)
    refuse(lambda: editing.update_ballot(world.store, world.clerk, b, {"title": "改"}), Conflict, "ballot_opened")
    refuse(lambda: editing.delete_ballot(world.store, world.clerk, b), Conflict, "ballot_opened")


def test_delete_a_draft_ballot(world, refuse):
    editing.delete_ballot(world.store, world.clerk, world.ballots[3])
    assert one(world.store, models.Ballot, world.ballots[3]) is None
    assert last_audit(world.store)[0] == "ballot_deleted"
    withdrawal.withdraw_ballot(world.store, world.clerk, world.ballots[2], "任命人选另行提请")
    refuse(lambda: editing.delete_ballot(world.store, world.clerk, world.ballots[2]), Conflict, "withdrawn")
    refuse(lambda: editing.update_ballot(world.store, world.clerk, world.ballots[2], {"title": "x"}), Conflict,
           "withdrawn")
    refuse(lambda: editing.delete_ballot(world.store, world.clerk, 2**40), NotFound, "not_found")


# --- documents ---------------------------------------------------------------------------------------


def test_replace_and_delete_a_document(world, tmp_path):
    doc_id, folder = document(world, world.items[0], tmp_path)
    old = one(world.store, models.Document, doc_id).stored_name
    corrected = PDF + b"% corrected\n"
    editing.replace_document(world.store, world.clerk, doc_id, filename="草案（修改稿）.pdf", data=corrected,
                             folder=str(folder), max_bytes=1 << 20)
    doc = one(world.store, models.Document, doc_id)
    assert (doc.filename, doc.size) == ("草案（修改稿）.pdf", len(corrected))
    assert (folder / doc.stored_name).read_bytes() == corrected and not (folder / old).exists()
    action, payload, _ = last_audit(world.store)
    assert action == "document_replaced" and payload["before"]["filename"] == "草案.pdf"
    editing.delete_document(world.store, world.clerk, doc_id, folder=str(folder))
    assert one(world.store, models.Document, doc_id) is None and not (folder / doc.stored_name).exists()
    assert last_audit(world.store)[0] == "document_deleted"


def test_document_refusals_leave_no_file(world, refuse, tmp_path):
    doc_id, folder = document(world, world.items[0], tmp_path)
    files = sorted(p.name for p in folder.iterdir())

    def replace(data=PDF, name="新.pdf", actor=world.clerk):
        return lambda: editing.replace_document(world.store, actor, doc_id, filename=name, data=data,
                                                folder=str(folder), max_bytes=1 << 20)

    refuse(replace(data=b"GIF89a"), Invalid, "not_pdf")
    refuse(replace(data=b""), Invalid, "empty_file")
    refuse(replace(actor=world.chair), Forbidden, "forbidden")
    close_first_ballot(world)
    refuse(replace(), Conflict, "ballot_opened")
    refuse(lambda: editing.delete_document(world.store, world.clerk, doc_id, folder=str(folder)), Conflict,
           "ballot_opened")
    assert sorted(p.name for p in folder.iterdir()) == files
