"""Preparing a sitting: bodies and their rulebooks, people on the roster, sittings, agenda items,
documents and ballots. Every function checks the actor, validates, and writes rows + audit entry in
one transaction."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any, Mapping

import ballots
from sqlalchemy import func, select, update

from .. import models
from ..db import Store
from .base import Actor, Conflict, Invalid, get_or_404, require, transaction, utcnow
from .text import clean_text, parse_date

KIND_NAMES = {"resolution": ("决定/决议", "resolution"), "appointment": ("任免", "appointment"),
              "evaluation": ("满意度测评", "evaluation"), "selection": ("票决", "selection")}
ITEM_KINDS = ("resolution", "appointment", "evaluation", "selection", "report", "other")
METHODS = ("tablet", "hands", "mixed")


def ruleset_of(body: models.Body) -> Any:
    try:
        return ballots.ruleset(body.preset, body.overrides or None)
    except ballots.BallotError as err:
        raise Invalid(err.code, err.zh, err.en) from err


# --- bodies --------------------------------------------------------------------------------------


def create_body(store: Store, actor: Actor, *, name: Any, preset: Any = "standing_committee",
                overrides: Any = None) -> int:
    require(actor, "manage_body")
    name = clean_text(name, "名称", "name", max_len=200)
    if not isinstance(preset, str):
        raise Invalid("bad_preset", "规则预设必须是文字", "preset must be a string")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise Invalid("bad_overrides", "规则覆盖必须是对象", "overrides must be an object")
    body = models.Body(name=name, preset=preset, overrides=dict(overrides or {}), created_at=utcnow())
    ruleset_of(body)  # validates preset and overrides
    with transaction(store, actor) as tx:
        tx.session.add(body)
        tx.session.flush()
        tx.audit("body_created", {"body_id": body.id, "name": name, "preset": preset,
                                  "overrides": body.overrides})
        return body.id


def update_body_rules(store: Store, actor: Actor, body_id: int, *, preset: Any, overrides: Any = None) -> None:
    require(actor, "manage_body")
    if not isinstance(preset, str) or (overrides is not None and not isinstance(overrides, Mapping)):
        raise Invalid("bad_rules", "规则设置格式错误", "preset must be a string and overrides an object")
    ruleset_of(models.Body(name="", preset=preset, overrides=dict(overrides or {})))
    with transaction(store, actor) as tx:
        body = get_or_404(tx.session, models.Body, body_id, "机构", "body")
        body.preset, body.overrides = preset, dict(overrides or {})
        tx.audit("body_rules_changed", {"body_id": body.id, "preset": preset, "overrides": body.overrides})


# --- people --------------------------------------------------------------------------------------


def validate_person(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check one roster entry; raise Invalid naming the field. Used by add_person and the importer."""
    if not isinstance(data, Mapping):
        raise Invalid("bad_person", "人员数据格式错误", "a person must be an object")
    name = clean_text(data.get("name"), "姓名", "name", max_len=100)
    role = data.get("role", "member")
    if not isinstance(role, str):
        raise Invalid("bad_role", "身份必须是组成人员或列席", "role must be member or observer")
    role = {"组成人员": "member", "委员": "member", "成员": "member", "列席": "observer",
            "列席人员": "observer"}.get(role, role)
    if role not in ("member", "observer"):
        raise Invalid("bad_role", f"未知身份：{str(role)[:30]}（应为组成人员或列席）",
                      f"unknown role {str(role)[:30]!r} (member or observer)")
    seat = data.get("seat")
    if seat is not None and (isinstance(seat, bool) or not isinstance(seat, (str, int))):
        raise Invalid("bad_seat", "座位号必须是文字或数字", "seat must be text or a number")
    seat = None if seat in (None, "") else clean_text(str(seat), "座位号", "seat", max_len=20)
    joined = parse_date(data.get("joined_on"), "任职日期", "joined_on", default=dt.date(2000, 1, 1))
    left = parse_date(data.get("left_on"), "离任日期", "left_on", default=None)
    if left is not None and left <= joined:
        raise Invalid("bad_dates", "离任日期必须晚于任职日期", "left_on must be after joined_on")
    title = data.get("title") or ""
    title = clean_text(title, "职务", "title", max_len=200, allow_empty=True)
    external_id = data.get("external_id")
    external_id = None if external_id in (None, "") else clean_text(str(external_id), "编号", "id", max_len=64)
    return {"name": name, "role": role, "seat": seat, "joined_on": joined, "left_on": left, "title": title,
            "external_id": external_id}


def add_person(store: Store, actor: Actor, body_id: int, data: Mapping[str, Any]) -> int:
    require(actor, "manage_roster")
    fields = validate_person(data)
    with transaction(store, actor) as tx:
        get_or_404(tx.session, models.Body, body_id, "机构", "body")
        _check_seat_free(tx.session, body_id, fields["seat"], None)
        person = models.Person(body_id=body_id, **fields)
        tx.session.add(person)
        tx.session.flush()
        tx.audit("person_added", {"person_id": person.id, "body_id": body_id, **_jsonable(fields)})
        return person.id


def update_person(store: Store, actor: Actor, person_id: int, data: Mapping[str, Any]) -> None:
    """Change a roster entry (e.g. set ``left_on`` when a member resigns)."""
    require(actor, "manage_roster")
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, "人员", "person")
        merged = {"name": person.name, "role": person.role, "seat": person.seat, "joined_on": person.joined_on,
                  "left_on": person.left_on, "title": person.title, "external_id": person.external_id}
        if not isinstance(data, Mapping):
            raise Invalid("bad_person", "人员数据格式错误", "a person must be an object")
        merged.update({k: v for k, v in data.items() if k in merged})
        fields = validate_person(merged)
        _check_seat_free(tx.session, person.body_id, fields["seat"], person.id)
        for key, value in fields.items():
            setattr(person, key, value)
        tx.audit("person_changed", {"person_id": person.id, **_jsonable(fields)})


def _check_seat_free(session: Any, body_id: int, seat: str | None, person_id: int | None) -> None:
    if seat is None:
        return
    q = select(models.Person.id).where(models.Person.body_id == body_id, models.Person.seat == seat,
                                       models.Person.left_on.is_(None))
    other = session.scalar(q)
    if other is not None and other != person_id:
        raise Conflict("duplicate_seat", f"座位号{seat}已被占用", f"seat {seat} is already taken")


def set_pin(store: Store, actor: Actor, person_id: int, pin: Any) -> None:
    from .accounts import hash_secret

    require(actor, "manage_devices")
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise Invalid("bad_pin", "PIN 必须是4到8位数字", "the PIN must be 4 to 8 digits")
    with transaction(store, actor) as tx:
        person = get_or_404(tx.session, models.Person, person_id, "人员", "person")
        person.pin_hash = hash_secret(pin)
        tx.audit("pin_set", {"person_id": person.id})


def _jsonable(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}


# --- sittings and agenda -------------------------------------------------------------------------


def create_sitting(store: Store, actor: Actor, body_id: int, *, title: Any, date: Any, place: Any = "",
                   chair_name: Any = "", clerk_name: Any = "") -> int:
    require(actor, "prepare_sitting")
    title = clean_text(title, "会议名称", "title", max_len=300)
    day = parse_date(date, "会议日期", "date", default=None)
    if day is None:
        raise Invalid("missing_date", "请填写会议日期", "the sitting needs a date")
    place = clean_text(place, "地点", "place", max_len=200, allow_empty=True)
    chair_name = clean_text(chair_name, "主持人", "chair", max_len=100, allow_empty=True)
    clerk_name = clean_text(clerk_name, "工作人员", "clerk", max_len=100, allow_empty=True)
    with transaction(store, actor) as tx:
        get_or_404(tx.session, models.Body, body_id, "机构", "body")
        sitting = models.Sitting(body_id=body_id, title=title, date=day, place=place, chair_name=chair_name,
                                 clerk_name=clerk_name, status="planned", seq=0)
        tx.session.add(sitting)
        tx.session.flush()
        tx.audit("sitting_created", {"sitting_id": sitting.id, "title": title, "date": day.isoformat(),
                                     "place": place}, sitting_id=sitting.id)
        return sitting.id


def add_item(store: Store, actor: Actor, sitting_id: int, *, title: Any, kind: Any = "resolution",
             amends_item_id: Any = None, position: Any = None) -> int:
    require(actor, "prepare_sitting")
    title = clean_text(title, "议题名称", "title", max_len=500)
    if kind not in ITEM_KINDS:
        raise Invalid("bad_kind", f"未知议题类型：{str(kind)[:30]}", f"unknown item kind {str(kind)[:30]!r}")
    with transaction(store, actor) as tx:
        sitting = get_or_404(tx.session, models.Sitting, sitting_id, "会议", "sitting")
        if sitting.status == "closed":
            raise Conflict("sitting_closed", "会议已闭会，不能再添加议题", "the sitting is closed")
        if amends_item_id is not None:
            main = get_or_404(tx.session, models.AgendaItem, amends_item_id, "议题", "item")
            if main.sitting_id != sitting_id:
                raise Invalid("bad_amendment", "修正案必须属于同一次会议", "an amendment must be in the same sitting")
        last = tx.session.scalar(select(func.max(models.AgendaItem.position))
                                 .where(models.AgendaItem.sitting_id == sitting_id)) or 0
        if position is None:
            pos = last + 1
        elif isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= last + 1:
            raise Invalid("bad_position", f"议程位置必须在1到{last + 1}之间", f"position must be 1..{last + 1}")
        else:
            pos = position
            tx.session.execute(update(models.AgendaItem).where(
                models.AgendaItem.sitting_id == sitting_id, models.AgendaItem.position >= pos)
                .values(position=models.AgendaItem.position + 1))
        item = models.AgendaItem(sitting_id=sitting_id, position=pos, title=title, kind=kind,
                                 amends_item_id=amends_item_id, status="pending")
        tx.session.add(item)
        tx.session.flush()
        tx.audit("item_added", {"item_id": item.id, "position": pos, "title": title, "kind": kind,
                                "amends_item_id": amends_item_id}, sitting_id=sitting_id, push=True)
        return item.id


def create_ballot(store: Store, actor: Actor, item_id: int, *, spec: Any, title: Any = None, secret: Any = None,
                  allow_change: Any = False, method: Any = "tablet", timer_seconds: Any = None,
                  procedural: Any = False, threshold: Any = None) -> int:
    """Put a question on an item. ``spec`` is a ballots/ spec dict; the threshold comes from the body's
    rulebook unless ``threshold`` overrides it for this ballot (stored with the ballot either way)."""
    require(actor, "prepare_sitting")
    if not isinstance(spec, Mapping):
        raise Invalid("bad_spec", "表决设置格式错误", "spec must be an object")
    try:
        parsed = ballots.spec_from_dict(dict(spec))
    except ballots.BallotError as err:
        raise Invalid(err.code, err.zh, err.en) from err
    except (TypeError, ValueError, KeyError, AttributeError) as err:  # e.g. a list where a name belongs
        raise Invalid("bad_spec", "表决设置格式错误", f"the ballot spec is malformed: {type(err).__name__}") from err
    check_spec_text(parsed)
    for flag, zh, en in ((allow_change, "允许改票", "allow_change"), (procedural, "程序性", "procedural")):
        if not isinstance(flag, bool):
            raise Invalid("bad_flag", f"{zh}必须是真或假", f"{en} must be true or false")
    if secret is not None and not isinstance(secret, bool):
        raise Invalid("bad_flag", "无记名必须是真或假", "secret must be true or false")
    if method not in METHODS:
        raise Invalid("bad_method", "表决方式应为电子表决、举手或混合", "method must be tablet, hands or mixed")
    if timer_seconds is not None and (isinstance(timer_seconds, bool) or not isinstance(timer_seconds, int)
                                      or not 10 <= timer_seconds <= 3600):
        raise Invalid("bad_timer", "计时必须在10到3600秒之间", "timer_seconds must be 10..3600")
    with transaction(store, actor) as tx:
        item = get_or_404(tx.session, models.AgendaItem, item_id, "议题", "item")
        sitting = tx.session.get(models.Sitting, item.sitting_id)
        assert sitting is not None
        if sitting.status == "closed":
            raise Conflict("sitting_closed", "会议已闭会", "the sitting is closed")
        rules = ruleset_of(sitting.body)
        is_secret = rules.secret_by_default if secret is None else secret
        if is_secret and allow_change:
            raise Invalid("secret_no_change", "无记名表决不能设置允许改票（改票需要知道原来的选择）",
                          "a secret ballot cannot allow changing a vote (that would link member and choice)")
        try:
            rules.check_spec(parsed)
        except ballots.BallotError as err:
            raise Invalid(err.code, err.zh, err.en) from err
        action = None
        if parsed.kind == "appointment":
            acts = {p.action for p in parsed.persons}
            action = "remove" if acts == {"remove"} else "appoint"
        if threshold is None:
            thr = rules.threshold_for(parsed.kind, procedural=procedural, action=action)
        else:
            try:
                thr = ballots.Threshold.from_dict(threshold)
            except (ballots.BallotError, TypeError, AttributeError) as err:
                raise Invalid("bad_threshold", "通过规则格式错误", f"bad threshold: {err}") from err
        rule = {"preset": rules.name, "threshold": thr.to_dict(), "quorum": rules.quorum.to_dict()}
        b_title = clean_text(title if title is not None else item.title, "表决事项", "title", max_len=500)
        ballot = models.Ballot(item_id=item.id, title=b_title, kind=parsed.kind, spec=parsed.to_dict(), rule=rule,
                               secret=is_secret, allow_change=allow_change, method=method,
                               timer_seconds=timer_seconds, procedural=procedural)
        tx.session.add(ballot)
        tx.session.flush()
        tx.audit("ballot_created", {"ballot_id": ballot.id, "item_id": item.id, "title": b_title,
                                    "kind": parsed.kind, "secret": is_secret, "method": method, "rule": rule},
                 sitting_id=sitting.id, push=True)
        return ballot.id


MAX_QUESTIONS = 200  # persons, evaluated objects or candidates on one ballot


def check_spec_text(spec: Any) -> None:
    """The texts of a ballot spec are printed on tablets and result sheets: each within 500 characters and
    free of control characters; question ids and option codes fit their columns."""
    def walk(value: Any) -> None:
        if isinstance(value, str):
            clean_text(value, "表决设置中的文字", "a text of the ballot spec", max_len=500, allow_empty=True)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(spec.to_dict())
    questions = spec.questions()
    if len(questions) > MAX_QUESTIONS:
        raise Invalid("too_many_questions", f"一次表决最多{MAX_QUESTIONS}项",
                      f"at most {MAX_QUESTIONS} questions per ballot")
    for q in questions:
        if len(q.id) > 64 or any(len(o.code) > 32 or len(o.zh) > 100 or len(o.en) > 100 for o in q.options):
            raise Invalid("bad_spec", "表决设置中的编号或选项过长",
                          "a question id or option of the ballot spec is too long")


# --- documents -----------------------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"


def add_document(store: Store, actor: Actor, item_id: int, *, filename: Any, data: Any, folder: str,
                 max_bytes: int) -> int:
    """Store an uploaded PDF under a random name in ``folder``; only PDFs within the size limit."""
    require(actor, "prepare_sitting")
    filename = clean_text(filename, "文件名", "filename", max_len=255)
    if not isinstance(data, (bytes, bytearray)):
        raise Invalid("bad_file", "文件内容无效", "the file has no content")
    if len(data) == 0:
        raise Invalid("empty_file", "文件为空", "the file is empty")
    if len(data) > max_bytes:
        raise Invalid("file_too_large", f"文件超过{max_bytes // (1024 * 1024)}MB上限",
                      f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    if not bytes(data[:5]) == PDF_MAGIC or not filename.lower().endswith(".pdf"):
        raise Invalid("not_pdf", "只能上传 PDF 文件", "only PDF files can be uploaded")
    stored = secrets.token_hex(16) + ".pdf"
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / stored
    digest = hashlib.sha256(data).hexdigest()
    tmp = path.with_suffix(".part")
    tmp.write_bytes(bytes(data))
    os.replace(tmp, path)
    try:
        with transaction(store, actor) as tx:
            item = get_or_404(tx.session, models.AgendaItem, item_id, "议题", "item")
            doc = models.Document(item_id=item.id, filename=filename, stored_name=stored, sha256=digest,
                                  size=len(data), uploaded_at=utcnow())
            tx.session.add(doc)
            tx.session.flush()
            tx.audit("document_added", {"document_id": doc.id, "item_id": item.id, "filename": filename,
                                        "sha256": digest, "size": len(data)}, sitting_id=item.sitting_id, push=True)
            doc_id = doc.id
    except BaseException:
        path.unlink(missing_ok=True)  # a refused upload leaves nothing behind
        raise
    return doc_id
