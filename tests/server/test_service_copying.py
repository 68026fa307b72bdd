"""Copying a sitting as the next month's (services.copying) and an appointment list voted person by person
(services.appointments): what is copied and what is not, the audit entries, and every refusal changing
nothing stored."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, NotFound, withdrawal
from voting_server.services.appointments import create_appointment_ballots
from voting_server.services.copying import copy_sitting

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def agenda_of(store, sitting_id: int) -> list[dict]:
    with store.read() as s:
        items = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting_id)
                          .order_by(models.AgendaItem.position)).all()
        out = []
        for i in items:
            bs = s.scalars(select(models.Ballot).where(models.Ballot.item_id == i.id).order_by(models.Ballot.id)).all()
            docs = s.scalars(select(models.Document).where(models.Document.item_id == i.id)).all()
            out.append({"id": i.id, "position": i.position, "title": i.title, "kind": i.kind, "status": i.status,
                        "amends": i.amends_item_id,
                        "ballots": [{"title": b.title, "kind": b.kind, "spec": b.spec, "secret": b.secret,
                                     "method": b.method, "timer": b.timer_seconds, "procedural": b.procedural,
                                     "allow_change": b.allow_change, "threshold": b.rule["threshold"],
                                     "box_keys": b.box_keys, "box_encrypt": b.box_encrypt, "rounds": len(b.rounds)}
                                    for b in bs],
                        "docs": [(d.filename, d.sha256, d.stored_name) for d in docs]})
        return out


def last_entry(store, action: str) -> dict:
    with store.read() as s:
        entry = s.scalar(select(models.AuditEntry).where(models.AuditEntry.action == action)
                         .order_by(models.AuditEntry.id.desc()))
        assert entry is not None, action
        return {"sitting_id": entry.sitting_id, "seq": entry.seq, **json.loads(entry.payload)}


def held_sitting(world) -> None:
    """The demo sitting as last month's: held, voted, closed; with a named ballot with a timer, an
    amendment, a threshold of its own and a document."""
    w, st = world, world.store
    amendment = services.add_item(st, w.clerk, w.sitting_id, title="关于预算决议的修正案", position=1,
                                  amends_item_id=w.items[0])
    first = services.create_ballot(st, w.clerk, amendment, spec={"kind": "resolution", "question": "修正案"},
                                   secret=False, allow_change=True, method="mixed", timer_seconds=90, procedural=True,
                                   threshold={"base": "present", "fraction": "2/3", "strict": False})
    w.open_and_sign_in(12)
    for item, ballot in ((amendment, first), (w.items[0], w.ballots[0])):
        services.start_item(st, w.chair, item)
        services.open_ballot(st, w.chair, ballot)
        for m in w.members[:9]:
            w.cast(m, ballot, "for")
        services.close_ballot(st, w.chair, ballot)
    services.close_sitting(st, w.chair, w.sitting_id)


def test_a_closed_sitting_is_copied_without_what_happened(world, tmp_path):
    w, st = world, world.store
    folder = tmp_path / "docs"
    services.add_document(st, w.clerk, w.items[2], filename="测评说明.pdf", data=PDF, folder=str(folder),
                          max_bytes=1 << 20)
    held_sitting(w)
    before = agenda_of(st, w.sitting_id)
    new = copy_sitting(st, w.clerk, w.sitting_id, title="第三十七次会议", date="2026-12-23", documents=True,
                       folder=str(folder))
    copied = agenda_of(st, new)
    with st.read() as s:
        source, sitting = s.get(models.Sitting, w.sitting_id), s.get(models.Sitting, new)
        assert (sitting.title, sitting.date.isoformat(), sitting.status, sitting.body_id) == (
            "第三十七次会议", "2026-12-23", "planned", w.body_id)
        assert (sitting.place, sitting.chair_name, sitting.clerk_name) == (
            source.place, source.chair_name, source.clerk_name)
        assert sitting.roster is None and sitting.opened_at is None and sitting.box_keys is None
        assert s.scalars(select(models.Attendance).where(models.Attendance.sitting_id == new)).all() == []
    assert [i["title"] for i in copied] == [i["title"] for i in before]
    assert [i["position"] for i in copied] == [1, 2, 3, 4]
    assert {i["status"] for i in copied} == {"pending"} and before[1]["status"] != "pending"
    ids = {i["title"]: i["id"] for i in copied}
    assert copied[0]["amends"] == ids[before[1]["title"]]  # the copied amendment amends the copied item
    strip = [{k: v for k, v in b.items() if k != "rounds"} for i in before for b in i["ballots"]]
    assert [{k: v for k, v in b.items() if k != "rounds"} for i in copied for b in i["ballots"]] == strip
    assert all(b["rounds"] == 0 for i in copied for b in i["ballots"])
    assert [d[:2] for d in copied[3]["docs"]] == [d[:2] for d in before[3]["docs"]]
    assert copied[3]["docs"][0][2] != before[3]["docs"][0][2]  # its own file
    assert (folder / copied[3]["docs"][0][2]).read_bytes() == PDF
    entry = last_entry(st, "sitting_copied")
    assert entry["sitting_id"] == new and entry["from_sitting_id"] == w.sitting_id and entry["seq"] is not None
    assert [i["item_id"] for i in entry["items"]] == [i["id"] for i in copied]
    assert len(entry["ballot_ids"]) == 5 and len(entry["document_ids"]) == 1
    assert services.verify_chain(st).ok


def test_copy_without_documents_takes_the_place_and_names_given(world):
    w, st = world, world.store
    new = copy_sitting(st, w.clerk, w.sitting_id, title="第三十七次会议", date="2026-12-23", place="二楼会议室",
                       chair_name="李主任", clerk_name="")
    with st.read() as s:
        sitting = s.get(models.Sitting, new)
        assert (sitting.place, sitting.chair_name, sitting.clerk_name) == ("二楼会议室", "李主任", "")
    assert all(i["docs"] == [] for i in agenda_of(st, new))
    assert len(agenda_of(st, new)) == 3


def test_a_copy_that_the_rules_refuse_changes_nothing(world, refuse, tmp_path):
    """The body allowed combined appointments, then stopped: the copy of a combined ballot is refused whole."""
    w, st = world, world.store
    services.update_body_rules(st, w.admin, w.body_id, preset="standing_committee",
                               overrides={"allow_combined_appointments": True})
    item = services.add_item(st, w.clerk, w.sitting_id, title="人事任免", kind="appointment")
    services.create_ballot(st, w.clerk, item, spec={"kind": "appointment", "combined": True, "persons": [
        {"id": "p1", "name": "甲", "post": "局长"}, {"id": "p2", "name": "乙", "post": "副局长"}]})
    services.update_body_rules(st, w.admin, w.body_id, preset="standing_committee")
    folder = tmp_path / "docs"
    services.add_document(st, w.clerk, w.items[0], filename="a.pdf", data=PDF, folder=str(folder), max_bytes=1 << 20)
    files = set(folder.iterdir())
    refuse(lambda: copy_sitting(st, w.clerk, w.sitting_id, title="下次会议", date="2026-12-23", documents=True,
                                folder=str(folder)), Invalid, "combined_not_allowed")
    assert set(folder.iterdir()) == files  # the copied file is gone again


@pytest.mark.parametrize(("kwargs", "error", "code"), [
    ({"title": "", "date": "2026-12-23"}, Invalid, "missing_text"),
    ({"title": "下次会议", "date": None}, Invalid, "missing_date"),
    ({"title": "下次会议", "date": "2026-13-40"}, Invalid, "bad_date"),
    ({"title": "下次会议", "date": "2026-12-23", "place": "x" * 201}, Invalid, "text_too_long"),
    ({"title": "下次会议", "date": "2026-12-23", "documents": True}, Invalid, "no_upload_folder"),
])
def test_copy_refusals(world, refuse, kwargs, error, code):
    refuse(lambda: copy_sitting(world.store, world.clerk, world.sitting_id, **kwargs), error, code)


def test_copy_of_a_missing_sitting_or_by_a_seat_or_with_a_lost_file(world, refuse, tmp_path):
    w, st = world, world.store
    refuse(lambda: copy_sitting(st, w.clerk, 9999, title="下次会议", date="2026-12-23"), NotFound, "not_found")
    refuse(lambda: copy_sitting(st, w.chair, w.sitting_id, title="下次会议", date="2026-12-23"), Forbidden, "forbidden")
    refuse(lambda: copy_sitting(st, w.members[0], w.sitting_id, title="下次会议", date="2026-12-23"),
           Forbidden, "forbidden")
    folder = tmp_path / "docs"
    services.add_document(st, w.clerk, w.items[0], filename="a.pdf", data=PDF, folder=str(folder), max_bytes=1 << 20)
    for f in folder.iterdir():
        f.unlink()
    err = refuse(lambda: copy_sitting(st, w.clerk, w.sitting_id, title="下次会议", date="2026-12-23", documents=True,
                                      folder=str(folder)), Conflict, "file_missing")
    assert "a.pdf" in err.zh


# --- an appointment list, person by person -------------------------------------------------------------


def appointment_item(world) -> int:
    return services.add_item(world.store, world.clerk, world.sitting_id, title="人事任免事项", kind="appointment")


def test_an_appointment_list_becomes_one_ballot_per_person(world):
    w, st = world, world.store
    item = appointment_item(w)
    ids = create_appointment_ballots(st, w.clerk, item, spec={"kind": "appointment", "persons": [
        {"id": "a", "name": "许文涛", "post": "县教育局局长", "action": "appoint"},
        {"id": "b", "name": "周敏", "post": "", "action": "appoint"},
        {"id": "c", "name": "陈立新", "post": "县教育局局长", "action": "remove"}]}, method="mixed", timer_seconds=60)
    with st.read() as s:
        made = [s.get(models.Ballot, i) for i in ids]
        assert [b.title for b in made] == ["免去陈立新的县教育局局长职务", "任命许文涛为县教育局局长", "任命周敏"]
        for b in made:  # 先免后任: the removal from the post before the appointment to it
            assert b.item_id == item and b.kind == "appointment" and b.secret is True
            assert b.method == "mixed" and b.timer_seconds == 60
            assert b.spec["combined"] is False and len(b.spec["persons"]) == 1
    with st.read() as s:
        entries = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "ballot_created")
                            .order_by(models.AuditEntry.id.desc()).limit(3)).all()
        assert sorted(json.loads(e.payload)["ballot_id"] for e in entries) == sorted(ids)
        assert all(e.seq is not None for e in entries)


def test_one_person_is_one_ballot(world):
    item = appointment_item(world)
    ids = create_appointment_ballots(world.store, world.clerk, item, spec={"kind": "appointment", "persons": [
        {"id": "p1", "name": "许文涛", "post": "县教育局局长"}]}, secret=False)
    assert len(ids) == 1


@pytest.mark.parametrize(("spec", "kwargs", "error", "code"), [
    ({"kind": "resolution"}, {}, Invalid, "not_an_appointment_list"),
    ({"kind": "appointment", "combined": True, "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]},
     {}, Invalid, "not_an_appointment_list"),
    ({"kind": "appointment", "persons": "甲"}, {}, Invalid, "not_an_appointment_list"),
    ({"kind": "appointment", "persons": []}, {}, Invalid, "no_persons"),
    ({"kind": "appointment", "persons": [{"id": f"p{i}", "name": "甲"} for i in range(101)]}, {},
     Invalid, "too_many_questions"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "\x07"}]}, {},
     Invalid, "bad_characters"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2"}]}, {}, Invalid, "invalid_field"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]},
     {"method": "paper"}, Invalid, "bad_method"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]},
     {"secret": False, "box_keys": "shares"}, Invalid, "box_not_secret"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]},
     {"allow_change": True}, Invalid, "secret_no_change"),
    ({"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙" * 600}]}, {},
     Invalid, "text_too_long"),
])
def test_per_person_refusals_create_none_of_the_ballots(world, refuse, spec, kwargs, error, code):
    item = appointment_item(world)
    refuse(lambda: create_appointment_ballots(world.store, world.clerk, item, spec=spec, **kwargs), error, code)


def test_per_person_refused_for_a_closed_sitting_a_missing_item_or_a_chair(world, refuse):
    w, st = world, world.store
    item = appointment_item(w)
    spec = {"kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]}
    refuse(lambda: create_appointment_ballots(st, w.chair, item, spec=spec), Forbidden, "forbidden")
    refuse(lambda: create_appointment_ballots(st, w.clerk, 9999, spec=spec), NotFound, "not_found")
    w.open_and_sign_in(12)
    services.close_sitting(st, w.chair, w.sitting_id)
    refuse(lambda: create_appointment_ballots(st, w.clerk, item, spec=spec), Conflict, "sitting_closed")


def test_a_copy_leaves_out_what_was_withdrawn(world, tmp_path):
    """A withdrawn item (its ballots and documents with it) and a withdrawn ballot of an item kept are not
    copied; an amendment of the withdrawn item amends nothing in the copy; the audit entry names them."""
    w, st = world, world.store
    folder = tmp_path / "docs"
    services.add_document(st, w.clerk, w.items[1], filename="任免说明.pdf", data=PDF, folder=str(folder),
                          max_bytes=1 << 20)
    amendment = services.add_item(st, w.clerk, w.sitting_id, title="关于任免事项的修正案", amends_item_id=w.items[1])
    extra = services.create_ballot(st, w.clerk, w.items[0], spec={"kind": "resolution", "question": "附加表决"})
    w.open_and_sign_in(12)
    services.start_item(st, w.chair, w.items[0])
    services.open_ballot(st, w.chair, extra)
    w.cast(w.members[0], extra, "for")
    withdrawal.withdraw_ballot(st, w.chair, extra, "附加表决另行安排")  # withdrawn while open
    withdrawal.withdraw_item(st, w.clerk, w.items[1], "提案人撤回")
    before = agenda_of(st, w.sitting_id)
    kept = [i for i in before if i["id"] != w.items[1]]
    new = copy_sitting(st, w.clerk, w.sitting_id, title="第三十七次会议", date="2026-12-23", documents=True,
                       folder=str(folder))
    copied = agenda_of(st, new)
    assert [i["title"] for i in copied] == [i["title"] for i in kept]
    assert [i["position"] for i in copied] == list(range(1, len(kept) + 1))
    assert "任免说明.pdf" not in [d[0] for i in copied for d in i["docs"]]
    first = next(i for i in copied if i["title"] == before[0]["title"])
    assert "附加表决" not in [b["spec"].get("question") for b in first["ballots"]]
    assert len(first["ballots"]) == len(before[0]["ballots"]) - 1
    assert next(i for i in copied if i["title"] == "关于任免事项的修正案")["amends"] is None
    with st.read() as s:
        taken = {b.id for b in s.scalars(select(models.Ballot).join(models.AgendaItem)
                                         .where(models.AgendaItem.sitting_id == new))}
        withdrawn_ids = set(s.scalars(select(models.Ballot.id).where(models.Ballot.item_id == w.items[1])))
    entry = last_entry(st, "sitting_copied")
    assert entry["left_out"] == {"items": [w.items[1]], "ballots": [extra]}
    assert set(entry["ballot_ids"]) == taken and not withdrawn_ids & taken
    assert amendment not in entry["left_out"]["items"]
    assert services.verify_chain(st).ok


def test_a_candidates_paper_follows_the_copy(world, tmp_path):
    """A 票决 candidate's attached paper names the copy of that paper in the copied sitting; copied
    without the papers, the candidate keeps its other details and names no paper."""
    w, st = world, world.store
    folder = tmp_path / "docs"
    item = services.add_item(st, w.clerk, w.sitting_id, title="2027年民生实事项目票决", kind="selection")
    doc = services.add_document(st, w.clerk, item, filename="供水管网改造方案.pdf", data=PDF, folder=str(folder),
                                max_bytes=1 << 20)
    services.create_ballot(st, w.clerk, item, spec={"kind": "selection", "max_marks": 1, "candidates": [
        {"id": "c1", "name": "城区供水管网改造", "amount": "1200万元", "document_id": str(doc)},
        {"id": "c2", "name": "农村公路提升"}]})
    for documents in (True, False):
        new = copy_sitting(st, w.clerk, w.sitting_id, title="第三十七次会议", date="2026-12-23", documents=documents,
                           folder=str(folder))
        with st.read() as s:
            copied = s.scalar(select(models.AgendaItem).where(models.AgendaItem.sitting_id == new,
                                                              models.AgendaItem.kind == "selection"))
            paper = s.scalar(select(models.Document.id).where(models.Document.item_id == copied.id))
            first = s.scalar(select(models.Ballot).where(models.Ballot.item_id == copied.id)).spec["candidates"][0]
        if documents:
            assert paper != doc and first == {"id": "c1", "name": "城区供水管网改造", "amount": "1200万元",
                                              "document_id": str(paper)}
        else:
            assert paper is None and first == {"id": "c1", "name": "城区供水管网改造", "amount": "1200万元"}
