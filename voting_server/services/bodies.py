"""Bodies and their rulebooks, and the people on their rosters. Every function checks the actor,
validates, and writes rows + audit entry in one transaction."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .base import Actor, Conflict, Invalid, Tx, get_or_404, requires, transaction, utcnow
from .lookups import member_word, ruleset_of
from .values import Text, parse_date

BODY_NAME = Text(msg("名称"), max_len=200)
PERSON_NAME = Text(msg("姓名"), max_len=100)
PERSON_TITLE = Text(msg("职务"), max_len=200, allow_empty=True)
SEAT = Text(msg("座位号"), max_len=20)
EXTERNAL_ID = Text(msg("编号"), max_len=64)
DELEGATION = Text(msg("代表团"), max_len=100, allow_empty=True)
ROLE_WORDS = {"组成人员": "member", "委员": "member", "成员": "member", "代表": "member", "列席": "observer",
              "列席人员": "observer"}


# --- bodies --------------------------------------------------------------------------------------


def _check_rules(preset: str, overrides: Mapping[str, object] | None) -> dict[str, Any]:
    """The overrides as stored, once the rules engine has accepted them with the preset."""
    stored = dict(overrides or {})
    ruleset_of(models.Body(name="", preset=preset, overrides=stored))
    return stored


@requires("manage_body")
def create_body(store: Store, actor: Actor, *, name: str, preset: str = "standing_committee",
                overrides: Mapping[str, object] | None = None) -> int:
    name = BODY_NAME.check(name)
    stored = _check_rules(preset, overrides)
    with transaction(store, actor) as tx:
        body = models.Body(name=name, preset=preset, overrides=stored, created_at=utcnow())
        tx.session.add(body)
        tx.session.flush()
        tx.audit("body_created", {"body_id": body.id, "name": name, "preset": preset,
                                  "overrides": body.overrides})
        _keep_the_only_body(tx, body.id)
        _serve_new_body(tx, actor, body.id)
        return body.id


def _keep_the_only_body(tx: Tx, body_id: int) -> None:
    """Accounts with no body linked served the only body (``accounts.served_bodies``); with a second one
    they would serve none, a chair losing the sitting it drives. Each of them is linked to the body it
    served, in the same transaction, before the new body counts."""
    s = tx.session
    others = [b for b in s.scalars(select(models.Body.id)) if b != body_id]
    if len(others) != 1:
        return
    linked = select(models.UserBody.user_id)
    for user_id in s.scalars(select(models.User.id).where(models.User.role != "admin", models.User.id.not_in(linked))
                             .order_by(models.User.id)).all():
        s.add(models.UserBody(user_id=user_id, body_id=others[0]))
        tx.audit("user_bodies_set", {"user_id": user_id, "bodies": others})
    s.flush()


def _serve_new_body(tx: Tx, actor: Actor, body_id: int) -> None:
    """A clerk's account serves the body it creates. One that had no body set served the only body
    (``accounts.served_bodies``): it keeps serving it too, now set, as it would serve none once there
    are two. An administrator serves every body as it is."""
    if actor.user_id is None or actor.role == "admin" or tx.session.get(models.User, actor.user_id) is None:
        return
    s = tx.session
    linked = set(s.scalars(select(models.UserBody.body_id).where(models.UserBody.user_id == actor.user_id)))
    served_all = actor.bodies is None  # no body set, and there was only one: it keeps that one
    new = ({body_id} | (set(s.scalars(select(models.Body.id))) if served_all else set())) - linked
    s.add_all([models.UserBody(user_id=actor.user_id, body_id=b) for b in sorted(new)])
    tx.audit("user_bodies_set", {"user_id": actor.user_id, "bodies": sorted(linked | new)})


@requires("manage_body")
def update_body_rules(store: Store, actor: Actor, body_id: int, *, preset: str,
                      overrides: Mapping[str, object] | None = None) -> None:
    """A new rulebook for the body's next ballots and sittings; ballots already created and sittings
    already open keep the rule they froze."""
    stored = _check_rules(preset, overrides)
    with transaction(store, actor) as tx:
        body = get_or_404(tx.session, models.Body, body_id, msg("机构"))
        body.preset, body.overrides = preset, stored
        tx.audit("body_rules_changed", {"body_id": body.id, "preset": preset, "overrides": body.overrides})


# --- people --------------------------------------------------------------------------------------

PERSON_FIELDS = ("name", "role", "seat", "title", "joined_on", "left_on", "external_id", "delegation")


def validate_person(data: Mapping[str, object], words: ballots.Words = ballots.MEMBERS) -> dict[str, Any]:
    """Check one roster entry as typed or imported (any JSON or spreadsheet values); raise Invalid
    naming the field (a refusal names members in the body's ``words``). Used by add_person,
    update_person and the roster importer."""
    if not isinstance(data, Mapping):
        raise Invalid("bad_person", msg("人员数据格式错误"))
    name = PERSON_NAME.parse(data.get("name"))
    role = data.get("role", "member")
    if not isinstance(role, str):
        raise Invalid("bad_role", msg("身份必须是{member}或列席", member=member_word(words)))
    role = ROLE_WORDS.get(role, role)
    if role not in ("member", "observer"):
        raise Invalid("bad_role", msg("未知身份：{role}（应为{member}或列席）", role=str(role)[:30],
                                      member=member_word(words)))
    seat = data.get("seat")
    if seat is not None and (isinstance(seat, bool) or not isinstance(seat, (str, int))):
        raise Invalid("bad_seat", msg("座位号必须是文字或数字"))
    seat = None if seat in (None, "") else SEAT.check(str(seat))
    joined = parse_date(data.get("joined_on"), msg("任职日期"), default=dt.date(2000, 1, 1))
    assert joined is not None
    left = parse_date(data.get("left_on"), msg("离任日期"), default=None)
    if left is not None and left <= joined:
        raise Invalid("bad_dates", msg("离任日期必须晚于任职日期"))
    title = PERSON_TITLE.parse(data.get("title") or "")
    external_id = data.get("external_id")
    external_id = None if external_id in (None, "") else EXTERNAL_ID.check(str(external_id))
    delegation = DELEGATION.parse(data.get("delegation") or "") or None  # 代表团; none: not grouped
    return {"name": name, "role": role, "seat": seat, "joined_on": joined, "left_on": left, "title": title,
            "external_id": external_id, "delegation": delegation}


def person_json(fields: Mapping[str, object]) -> dict[str, object]:
    """A validated person as JSON (dates as 2026-01-31)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}


@requires("manage_roster")
def add_person(store: Store, actor: Actor, body_id: int, data: Mapping[str, object]) -> int:
    with transaction(store, actor) as tx:
        body = get_or_404(tx.session, models.Body, body_id, msg("机构"))
        fields = validate_person(data, ruleset_of(body).words)
        _check_seat_free(tx.session, body_id, fields["seat"], None)
        person = models.Person(body_id=body_id, **fields)
        tx.session.add(person)
        tx.session.flush()
        tx.audit("person_added", {"person_id": person.id, "body_id": body_id, **person_json(fields)})
        return person.id


@requires("manage_roster")
def update_person(store: Store, actor: Actor, person_id: int, data: Mapping[str, object]) -> None:
    """Change a roster entry (e.g. set ``left_on`` when a member resigns): the fields given replace the
    stored ones, and the whole entry is checked again."""
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, msg("人员"))
        if not isinstance(data, Mapping):
            raise Invalid("bad_person", msg("人员数据格式错误"))
        merged: dict[str, object] = {key: getattr(person, key) for key in PERSON_FIELDS}
        merged.update({k: v for k, v in data.items() if k in merged})
        fields = validate_person(merged, ruleset_of(get_or_404(tx.session, models.Body, person.body_id, msg("机构"))).words)
        _check_seat_free(tx.session, person.body_id, fields["seat"], person.id)
        for key, value in fields.items():
            setattr(person, key, value)
        tx.audit("person_changed", {"person_id": person.id, **person_json(fields)})


def _check_seat_free(session: Session, body_id: int, seat: str | None, person_id: int | None) -> None:
    if seat is None:
        return
    q = select(models.Person.id).where(models.Person.body_id == body_id, models.Person.seat == seat,
                                       models.Person.left_on.is_(None))
    other = session.scalar(q)
    if other is not None and other != person_id:
        raise Conflict("duplicate_seat", msg("座位号{seat}已被占用", seat=seat))
