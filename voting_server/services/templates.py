"""Ballot templates of a body: the settings of a ballot saved under a name ("任命 — 逐人 — 无记名",
"满意度测评 — 4档"), from which the clerk's ballot form starts a new ballot. A template holds the request
that creates a ballot (``spec`` and the options of ``create_ballot`` but the title); its spec may leave
out its rows (persons, objects, candidates), which change from sitting to sitting. Each is checked as a
ballot of the body would be (its rules included) when it is saved.

Besides the saved ones, every body is offered built-in templates for its preset (``BUILTINS``); they
are not stored and cannot be deleted."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

import ballots

from .. import models
from ..db import Store
from ..i18n import Message, msg
from .agenda import (
    ALLOW_CHANGE,
    BOX_ENCRYPT,
    BOX_KEYS,
    METHOD,
    PROCEDURAL,
    SECRET,
    SPEC,
    THRESHOLD,
    TIMER,
    checked_settings,
    parse_spec,
)
from .base import Actor, Conflict, Invalid, get_or_404, iso, requires, transaction, utcnow
from .lookups import ruleset_of
from .values import Rule, Text

TEMPLATE_NAME = Text(msg("模板名称"), max_len=100)
MAX_TEMPLATES = 200  # per body
ROWS = {"appointment": "persons", "evaluation": "objects", "selection": "candidates", "election": "candidates"}
OPTIONS: dict[str, Rule[Any]] = {"secret": SECRET, "allow_change": ALLOW_CHANGE, "method": METHOD, "timer_seconds": TIMER,
           "procedural": PROCEDURAL, "threshold": THRESHOLD, "box_keys": BOX_KEYS, "box_encrypt": BOX_ENCRYPT}
DEFAULTS: dict[str, object] = {"allow_change": False, "method": "tablet", "procedural": False}

_FOUR_GRADES = [g.to_dict() for g in (*ballots.DEFAULT_GRADES, ballots.UNKNOWN)]
_BUILTIN: dict[str, tuple[Message, dict[str, Any]]] = {
    "resolution_secret": (msg("决议 — 无记名"), {"spec": {"kind": "resolution"}, "secret": True}),
    "resolution_named": (msg("决议 — 记名"), {"spec": {"kind": "resolution"}, "secret": False}),
    "appointment_each": (msg("任命 — 逐人 — 无记名"), {"spec": {"kind": "appointment"}, "secret": True}),
    "removal_each": (msg("免职 — 逐人 — 无记名"), {"spec": {"kind": "appointment", "action": "remove"},
                                                   "secret": True}),
    "evaluation_3": (msg("满意度测评 — 满意、基本满意、不满意"), {"spec": {"kind": "evaluation"}, "secret": True}),
    "evaluation_4": (msg("满意度测评 — 4档（含不了解）"), {"spec": {"kind": "evaluation", "grades": _FOUR_GRADES},
                                                       "secret": True}),
    "selection_faa": (msg("票决 — 每项赞成、不赞成、弃权"),
                      {"spec": {"kind": "selection", "options": "for_against_abstain"}, "secret": True}),
    "election_contested": (msg("选举 — 差额"),
                           {"spec": {"kind": "election", "post_type": "committee_member", "write_ins": True},
                            "secret": True}),
}
#: the built-in templates offered to a body of each preset (by key of ``_BUILTIN``)
BUILTINS: dict[str, tuple[str, ...]] = {
    "standing_committee": ("appointment_each", "removal_each", "evaluation_3", "evaluation_4", "resolution_secret",
                           "resolution_named"),
    "congress_plenary": ("selection_faa", "election_contested", "resolution_secret", "appointment_each",
                         "evaluation_3"),
    "generic_committee": ("resolution_named", "resolution_secret", "evaluation_3"),
}


def _probe(spec: Mapping[str, object]) -> tuple[dict[str, object], str | None]:
    """A spec the rules engine can read: one without its rows gets stand-ins (and the name of their key,
    left out again of what is stored). An appointment template may name the action of its persons."""
    kind = spec.get("kind")
    key = ROWS.get(kind) if isinstance(kind, str) else None
    if key is None or spec.get(key):
        return dict(spec), None
    probe: dict[str, object] = {k: v for k, v in spec.items() if k != "action"}
    if kind == "appointment":
        action = spec.get("action", "appoint")
        n = 2 if spec.get("combined") else 1
        probe[key] = [{"id": f"p{i}", "name": "-", "action": action} for i in range(1, n + 1)]
    else:
        if kind == "selection" and "max_marks" not in spec:  # the marks allowed are the clerk's to say
            probe["max_marks"] = 1
        if kind == "election":  # the post and the places are the clerk's to say; one more candidate than places
            probe["post"] = spec.get("post") or "-"
            places = probe.setdefault("places", 1)
            n = places + 1 if isinstance(places, int) and 0 < places <= 200 else 2
            probe[key] = [{"id": f"x{i}", "name": "-"} for i in range(1, n + 1)]
            return probe, key
        wanted = [v for v in (spec.get("max_marks"), spec.get("places")) if isinstance(v, int) and 0 < v <= 200]
        probe[key] = [{"id": f"x{i}", "name": "-"} for i in range(1, max([1, *wanted]) + 1)]
    return probe, key


def check_settings(rules: ballots.RuleSet, raw: object) -> dict[str, Any]:
    """The settings of a template as they are stored: every value checked as ``create_ballot`` checks it,
    and together against the body's rules."""
    if not isinstance(raw, Mapping):
        raise Invalid("bad_template", msg("模板设置格式错误"))
    unknown = sorted(str(k)[:30] for k in raw if k not in OPTIONS and k != "spec")
    if unknown:
        raise Invalid("bad_template", msg("模板设置中有未知项：{fields}", fields="、".join(unknown[:5])))
    if "spec" not in raw:
        raise Invalid("missing_field", msg("缺少字段：{fields}", fields="spec"))
    spec = SPEC.parse(raw["spec"])
    action = spec.get("action")
    if action is not None and (spec.get("kind") != "appointment" or action not in ("appoint", "remove", "dismiss")
                               or spec.get("persons")):
        raise Invalid("bad_template", msg("只有不含名单的任免模板可以指定任免方式"))
    probe, key = _probe(spec)
    parsed = parse_spec(probe)
    values = {name: rule.parse(raw.get(name, DEFAULTS.get(name))) for name, rule in OPTIONS.items()}
    checked_settings(rules, parsed, secret=values["secret"], allow_change=values["allow_change"],
                     procedural=values["procedural"], threshold=values["threshold"], box_keys=values["box_keys"],
                     box_encrypt=values["box_encrypt"])
    stored = parsed.to_dict()
    if key is not None:
        del stored[key]
        for name in ("max_marks", *(("post", "places") if spec.get("kind") == "election" else ())):
            if name in stored and name not in spec:
                del stored[name]
        if action is not None:
            stored["action"] = action
    return {"spec": stored, **{k: v for k, v in values.items() if v is not None}}


def builtin_templates(preset: str) -> list[dict[str, Any]]:
    out = []
    for key in BUILTINS.get(preset, BUILTINS["generic_committee"]):
        name, settings = _BUILTIN[key]
        out.append({"id": None, "key": key, "builtin": True, "name": name.render("zh"), "name_en": name.render("en"),
                    "settings": settings})
    return out


def _template_json(t: models.BallotTemplate) -> dict[str, Any]:
    return {"id": t.id, "key": None, "builtin": False, "name": t.name, "name_en": None, "settings": t.settings,
            "created_at": iso(t.created_at)}


@requires("read_setup")
def list_templates(store: Store, actor: Actor, body_id: int) -> list[dict[str, Any]]:
    """The built-in templates of the body's preset, then the body's own, by name."""
    with store.read() as s:
        body = get_or_404(s, models.Body, body_id, msg("机构"))
        own = s.scalars(select(models.BallotTemplate).where(models.BallotTemplate.body_id == body_id)
                        .order_by(models.BallotTemplate.name, models.BallotTemplate.id)).all()
        return builtin_templates(body.preset) + [_template_json(t) for t in own]


@requires("prepare_sitting")
def save_template(store: Store, actor: Actor, body_id: int, *, name: str, settings: Mapping[str, object]) -> int:
    """Save ``settings`` under ``name`` (unique in the body); audited ``template_saved``."""
    name = TEMPLATE_NAME.check(name)
    with transaction(store, actor) as tx:
        s = tx.session
        body = get_or_404(s, models.Body, body_id, msg("机构"))
        stored = check_settings(ruleset_of(body), settings)
        names = set(s.scalars(select(models.BallotTemplate.name).where(models.BallotTemplate.body_id == body_id)))
        if name in names or name in {t["name"] for t in builtin_templates(body.preset)}:
            raise Conflict("template_exists", msg("已有名为“{name}”的模板，请换一个名称", name=name))
        if len(names) >= MAX_TEMPLATES:
            raise Conflict("too_many_templates", msg("每个机构最多保存{max}个模板", max=MAX_TEMPLATES))
        template = models.BallotTemplate(body_id=body_id, name=name, settings=stored, created_at=utcnow())
        s.add(template)
        s.flush()
        tx.audit("template_saved", {"template_id": template.id, "body_id": body_id, "name": name,
                                    "settings": stored})
        return template.id


@requires("prepare_sitting")
def delete_template(store: Store, actor: Actor, template_id: int) -> None:
    """Delete a saved template (ballots made from it keep their settings); audited ``template_deleted``."""
    with transaction(store, actor) as tx:
        template = get_or_404(tx.session, models.BallotTemplate, template_id, msg("模板"))
        tx.audit("template_deleted", {"template_id": template.id, "body_id": template.body_id, "name": template.name})
        tx.session.delete(template)
