"""Ballot templates of a body (services.templates): saved, listed with the built-in ones of the body's
preset, deleted; every refusal changes nothing stored."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import ballots
from voting_server import models, services
from voting_server.services import Conflict, Forbidden, Invalid, NotFound
from voting_server.services.templates import (
    BUILTINS,
    builtin_templates,
    check_settings,
    delete_template,
    list_templates,
    save_template,
)

APPOINT = {"spec": {"kind": "appointment"}, "secret": True, "method": "mixed", "timer_seconds": 60}


def test_saved_templates_are_listed_after_the_built_in_ones_and_deleted(world):
    w, st = world, world.store
    first = save_template(st, w.clerk, w.body_id, name="任命 — 逐人 — 无记名（本会）", settings=APPOINT)
    second = save_template(st, w.clerk, w.body_id, name="部门测评 — 8个部门", settings={"spec": {
        "kind": "evaluation", "objects": [{"id": f"o{i}", "name": f"部门{i}"} for i in range(1, 9)],
        "grades": [g.to_dict() for g in (*ballots.DEFAULT_GRADES, ballots.UNKNOWN)]}})
    listed = list_templates(st, w.chair, w.body_id)
    builtin = [t for t in listed if t["builtin"]]
    assert [t["key"] for t in builtin] == list(BUILTINS["standing_committee"])
    own = [t for t in listed if not t["builtin"]]
    assert [t["id"] for t in own] == [first, second] or [t["id"] for t in own] == [second, first]
    saved = {t["id"]: t for t in own}
    assert saved[first]["settings"] == {"spec": {"kind": "appointment", "combined": False}, "secret": True,
                                        "method": "mixed", "timer_seconds": 60, "allow_change": False,
                                        "procedural": False}
    assert len(saved[second]["settings"]["spec"]["objects"]) == 8
    assert len(saved[second]["settings"]["spec"]["grades"]) == 4
    with st.read() as s:
        entry = s.scalar(select(models.AuditEntry).where(models.AuditEntry.action == "template_saved")
                         .order_by(models.AuditEntry.id.desc()))
        assert json.loads(entry.payload)["template_id"] == second
    delete_template(st, w.clerk, first)
    assert [t["id"] for t in list_templates(st, w.clerk, w.body_id) if not t["builtin"]] == [second]
    with st.read() as s:
        entry = s.scalar(select(models.AuditEntry).order_by(models.AuditEntry.id.desc()))
        assert entry.action == "template_deleted" and json.loads(entry.payload)["template_id"] == first
    assert services.verify_chain(st).ok


@pytest.mark.parametrize("preset", sorted(BUILTINS))
def test_every_built_in_template_is_a_ballot_its_preset_accepts(preset):
    rules = ballots.PRESETS[preset]
    for template in builtin_templates(preset):
        check_settings(rules, template["settings"])
        assert template["name"] and template["name_en"]


def test_a_template_from_the_removal_builtin_keeps_its_action(world):
    tid = save_template(world.store, world.clerk, world.body_id, name="免职", settings={
        "spec": {"kind": "appointment", "action": "remove"}})
    saved = next(t for t in list_templates(world.store, world.clerk, world.body_id) if t["id"] == tid)
    assert saved["settings"]["spec"] == {"kind": "appointment", "combined": False, "action": "remove"}


@pytest.mark.parametrize(("name", "settings", "error", "code"), [
    ("", APPOINT, Invalid, "missing_text"),
    ("x" * 101, APPOINT, Invalid, "text_too_long"),
    ("模板", [], Invalid, "bad_template"),
    ("模板", {"secret": True}, Invalid, "missing_field"),
    ("模板", {**APPOINT, "colour": "red"}, Invalid, "bad_template"),
    ("模板", {"spec": {"kind": "poll"}}, Invalid, "unknown_kind"),
    ("模板", {"spec": "resolution"}, Invalid, "bad_spec"),
    ("模板", {**APPOINT, "method": "paper"}, Invalid, "bad_method"),
    ("模板", {**APPOINT, "timer_seconds": 5}, Invalid, "bad_timer"),
    ("模板", {**APPOINT, "secret": "yes"}, Invalid, "bad_flag"),
    ("模板", {**APPOINT, "allow_change": True}, Invalid, "secret_no_change"),
    ("模板", {"spec": {"kind": "resolution"}, "secret": False, "box_keys": "shares"}, Invalid, "box_not_secret"),
    ("模板", {"spec": {"kind": "appointment", "combined": True}}, Invalid, "combined_not_allowed"),
    ("模板", {"spec": {"kind": "resolution", "action": "remove"}}, Invalid, "bad_template"),
    ("模板", {"spec": {"kind": "resolution"}, "threshold": {"base": "moon"}}, Invalid, "bad_threshold"),
    ("决议 — 记名", {"spec": {"kind": "resolution"}}, Conflict, "template_exists"),
])
def test_template_refusals(world, refuse, name, settings, error, code):
    refuse(lambda: save_template(world.store, world.clerk, world.body_id, name=name, settings=settings), error, code)


def test_template_refusals_of_names_people_and_rows(world, refuse):
    w, st = world, world.store
    tid = save_template(st, w.clerk, w.body_id, name="任命", settings=APPOINT)
    refuse(lambda: save_template(st, w.clerk, w.body_id, name="任命", settings=APPOINT), Conflict, "template_exists")
    refuse(lambda: save_template(st, w.chair, w.body_id, name="另一个", settings=APPOINT), Forbidden, "forbidden")
    refuse(lambda: save_template(st, w.clerk, 999, name="另一个", settings=APPOINT), NotFound, "not_found")
    refuse(lambda: delete_template(st, w.chair, tid), Forbidden, "forbidden")
    refuse(lambda: delete_template(st, w.clerk, 999), NotFound, "not_found")
    refuse(lambda: list_templates(st, w.members[0], w.body_id), Forbidden, "forbidden")
    refuse(lambda: list_templates(st, w.clerk, 999), NotFound, "not_found")
