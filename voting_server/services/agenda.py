"""Preparing a sitting: the sitting itself, its agenda items, the ballots put on them and their
documents. Every function checks the actor, validates, and writes rows + audit entry in one
transaction."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import object_session

import ballots

from .. import models
from ..db import Store
from ..files import private_folder, write_private
from ..i18n import msg, pmsg
from .base import Actor, Conflict, Invalid, Tx, get_or_404, requires, rules_refusal, transaction, utcnow
from .box import check_writeins
from .lookups import frozen_rule, ruleset_of, sitting_of_item
from .values import Bounded, Day, Flag, Maybe, Obj, OneOf, Refusal, Text, TypeOf

SITTING_TITLE = Text(msg("会议名称"), max_len=300)
SITTING_DATE = Day(msg("会议日期"))
PLACE = Text(msg("地点"), max_len=200, allow_empty=True)
CHAIR_NAME = Text(msg("主持人"), max_len=100, allow_empty=True)
CLERK_NAME = Text(msg("工作人员"), max_len=100, allow_empty=True)

ITEM_KINDS = ("resolution", "appointment", "evaluation", "selection", "election", "report", "other")
ITEM_TITLE = Text(msg("议题名称"), max_len=500)
ITEM_KIND = OneOf(ITEM_KINDS, Refusal("bad_kind", msg("未知议题类型：{value}")))
POSITION = Maybe(TypeOf(Bounded(1, 2**31 - 1, Refusal("bad_position", msg("议程位置必须是正整数")))))

METHODS = ("tablet", "hands", "mixed")
BALLOT_TITLE = Text(msg("表决事项"), max_len=500)
SPEC = Obj(Refusal("bad_spec", pmsg("not an object", "表决设置格式错误")))
SECRET = Maybe(Flag(msg("无记名")))
ALLOW_CHANGE = Flag(msg("允许改票"))
PROCEDURAL = Flag(msg("程序性"))
METHOD = OneOf(METHODS, Refusal("bad_method", msg("表决方式应为电子表决、举手或混合")))
TIMER = Maybe(Bounded(10, 3600, Refusal("bad_timer", msg("计时必须在10到3600秒之间"))))
BOX_KEYS = Maybe(OneOf(ballots.BOX_KEYS, Refusal("bad_box_keys", msg("票箱密钥应由服务器封存或由监票人分持"))))
BOX_ENCRYPT = Maybe(OneOf(ballots.BOX_ENCRYPT, Refusal("bad_box_encrypt", msg("选票应由服务器或表决器加密"))))
THRESHOLD = Maybe(Obj(Refusal("bad_threshold", pmsg("not an object", "通过规则格式错误"))))
FILENAME = Text(msg("文件名"), max_len=255)


# --- sittings and agenda -------------------------------------------------------------------------


@requires("prepare_sitting")
def create_sitting(store: Store, actor: Actor, body_id: int, *, title: str, date: dt.date | str,
                   place: str = "", chair_name: str = "", clerk_name: str = "") -> int:
    title = SITTING_TITLE.check(title)
    day = SITTING_DATE.check(date)
    if day is None:
        raise Invalid("missing_date", msg("请填写会议日期"))
    place, chair_name, clerk_name = PLACE.check(place), CHAIR_NAME.check(chair_name), CLERK_NAME.check(clerk_name)
    with transaction(store, actor) as tx:
        get_or_404(tx.session, models.Body, body_id, msg("机构"))
        sitting = models.Sitting(body_id=body_id, title=title, date=day, place=place, chair_name=chair_name,
                                 clerk_name=clerk_name, status="planned", seq=0)
        tx.session.add(sitting)
        tx.session.flush()
        tx.audit("sitting_created", {"sitting_id": sitting.id, "title": title, "date": day.isoformat(),
                                     "place": place}, sitting_id=sitting.id)
        return sitting.id


@requires("prepare_sitting")
def add_item(store: Store, actor: Actor, sitting_id: int, *, title: str, kind: str = "resolution",
             amends_item_id: int | None = None, position: int | None = None) -> int:
    title = ITEM_TITLE.check(title)
    kind = ITEM_KIND.check(kind)
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会，不能再添加议题"))
        if amends_item_id is not None:
            main = get_or_404(s, models.AgendaItem, amends_item_id, msg("议题"))
            if main.sitting_id != sitting_id:
                raise Invalid("bad_amendment", msg("修正案必须属于同一次会议"))
        last = s.scalar(select(func.max(models.AgendaItem.position))
                        .where(models.AgendaItem.sitting_id == sitting_id)) or 0
        if position is None:
            pos = last + 1
        elif not 1 <= position <= last + 1:
            raise Invalid("bad_position", msg("议程位置必须在1到{max}之间", max=last + 1))
        else:
            pos = position
            s.execute(update(models.AgendaItem).where(
                models.AgendaItem.sitting_id == sitting_id, models.AgendaItem.position >= pos)
                .values(position=models.AgendaItem.position + 1))
        item = models.AgendaItem(sitting_id=sitting_id, position=pos, title=title, kind=kind,
                                 amends_item_id=amends_item_id, status="pending")
        s.add(item)
        s.flush()
        tx.audit("item_added", {"item_id": item.id, "position": pos, "title": title, "kind": kind,
                                "amends_item_id": amends_item_id}, sitting_id=sitting_id, push=True)
        return item.id


# --- ballots -------------------------------------------------------------------------------------

MAX_QUESTIONS = 200  # persons, evaluated objects or candidates on one ballot
SPEC_TEXT = Text(msg("表决设置中的文字"), max_len=500, allow_empty=True)


def parse_spec(spec: Mapping[str, object]) -> ballots.BallotSpec:
    """A ballot spec as the rules engine reads it, with texts fit to print on tablets and sheets."""
    try:
        parsed = ballots.spec_from_dict(dict(spec))
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    except (TypeError, ValueError, KeyError, AttributeError) as err:  # e.g. a list where a name belongs
        # TRANSLATORS: {error} (the name of the error) is for English only
        raise Invalid("bad_spec", msg("表决设置格式错误", error=type(err).__name__)) from err
    _check_spec_text(parsed)
    return parsed


def _check_spec_text(spec: ballots.BallotSpec) -> None:
    """The texts of a ballot spec are printed on tablets and result sheets: each within 500 characters and
    free of control characters; question ids and option codes fit their columns."""
    def walk(value: object) -> None:
        if isinstance(value, str):
            SPEC_TEXT.check(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(spec.to_dict())
    questions = spec.questions()
    if len(questions) > MAX_QUESTIONS:
        raise Invalid("too_many_questions", msg("一次表决最多{max}项", max=MAX_QUESTIONS))
    for q in questions:
        if len(q.id) > 64 or any(len(o.code) > 32 or len(o.zh) > 100 or len(o.en) > 100 for o in q.options):
            raise Invalid("bad_spec", msg("表决设置中的编号或选项过长"))


def _threshold(rules: ballots.RuleSet, spec: ballots.BallotSpec, procedural: bool,
               threshold: Mapping[str, object] | None) -> ballots.Threshold:
    """The body's threshold for this kind of ballot, or the one given for this ballot."""
    if threshold is not None:
        try:
            return ballots.Threshold.from_dict(threshold)
        except (ballots.BallotError, TypeError, AttributeError) as err:
            # TRANSLATORS: {error} (what the rules engine found, in English) is for English only
            raise Invalid("bad_threshold", msg("通过规则格式错误", error=str(err))) from err
    action = None
    if isinstance(spec, ballots.AppointmentSpec):
        acts = {p.action for p in spec.persons}
        action = "remove" if acts == {"remove"} else "appoint"
    return rules.threshold_for(spec.kind, procedural=procedural, action=action)


@requires("prepare_sitting")
def create_ballot(store: Store, actor: Actor, item_id: int, *, spec: Mapping[str, object], title: str | None = None,
                  secret: bool | None = None, allow_change: bool = False, method: str = "tablet",
                  timer_seconds: int | None = None, procedural: bool = False,
                  threshold: Mapping[str, object] | None = None, box_keys: str | None = None,
                  box_encrypt: str | None = None) -> int:
    """Put a question on an item. ``spec`` is a ballots/ spec dict; the rule (threshold and quorum) is
    frozen from the body's rulebook now, unless ``threshold`` overrides it for this ballot. ``box_keys``
    and ``box_encrypt`` choose, for a secret ballot, who holds its box's key and who encrypts its ballots
    (None: the body's rules, ``ballot_box_keys`` and ``ballot_box_encrypt``)."""
    parsed = parse_spec(spec)
    method, timer_seconds = METHOD.check(method), TIMER.check(timer_seconds)
    box_keys, box_encrypt = BOX_KEYS.check(box_keys), BOX_ENCRYPT.check(box_encrypt)
    with transaction(store, actor) as tx:
        item = get_or_404(tx.session, models.AgendaItem, item_id, msg("议题"))
        check_papers(item, parsed)
        return put_ballot(tx, item, parsed, title=title, secret=secret, allow_change=allow_change, method=method,
                          timer_seconds=timer_seconds, procedural=procedural, threshold=threshold,
                          box_keys=box_keys, box_encrypt=box_encrypt).id


def checked_settings(rules: ballots.RuleSet, parsed: ballots.BallotSpec, *, secret: bool | None, allow_change: bool,
                     procedural: bool, threshold: Mapping[str, object] | None, box_keys: str | None,
                     box_encrypt: str | None) -> tuple[bool, dict[str, object]]:
    """Whether a ballot with these settings is secret, and the rule it freezes, under the body's
    rules ``rules``; refused when the settings contradict each other or the rules."""
    try:  # an election and a dismissal are secret whatever is asked (ballots.ALWAYS_SECRET)
        is_secret = rules.is_secret(parsed, secret)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    if not is_secret and (box_keys or box_encrypt):
        raise Invalid("box_not_secret", msg("记名表决没有加密票箱，不能设置票箱密钥或加密方式"))
    if is_secret and allow_change:
        raise Invalid("secret_no_change", msg("无记名表决不能设置允许改票（改票需要知道原来的选择）"))
    try:
        rules.check_spec(parsed)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    if is_secret:
        check_writeins(parsed, box_keys or rules.ballot_box_keys)
    return is_secret, frozen_rule(rules, _threshold(rules, parsed, procedural, threshold))


def check_papers(item: models.AgendaItem, spec: ballots.BallotSpec) -> None:
    """A 票决 candidate's attached paper (``document_id``) is one of its item's documents."""
    wanted = {c.document_id for c in getattr(spec, "candidates", ()) if getattr(c, "document_id", "")}
    s = object_session(item)
    if not wanted or s is None:
        return
    have = {str(d) for d in s.scalars(select(models.Document.id).where(models.Document.item_id == item.id))}
    for c in spec.candidates:  # type: ignore[attr-defined]
        if c.document_id and c.document_id not in have:
            raise Invalid("bad_document", msg("候选项目“{name}”所附文件不是本议题的文件", name=c.name))


def ballot_values(rules: ballots.RuleSet, item: models.AgendaItem, *, spec: Mapping[str, object],
                  title: str | None, secret: bool | None, allow_change: bool, method: str,
                  timer_seconds: int | None, procedural: bool, threshold: Mapping[str, object] | None,
                  box_keys: str | None, box_encrypt: str | None) -> dict[str, object]:
    """A ballot's stored columns, checked by the rules a new ballot meets (``create_ballot``): for a
    correction of one (``editing.update_ballot``) against the body's rules as they are now."""
    parsed = parse_spec(spec)
    check_papers(item, parsed)
    method, timer_seconds = METHOD.check(method), TIMER.check(timer_seconds)
    box_keys, box_encrypt = BOX_KEYS.check(box_keys), BOX_ENCRYPT.check(box_encrypt)
    allow_change, procedural = ALLOW_CHANGE.check(allow_change), PROCEDURAL.check(procedural)
    is_secret, rule = checked_settings(rules, parsed, secret=SECRET.check(secret), allow_change=allow_change,
                                       procedural=procedural, threshold=threshold, box_keys=box_keys,
                                       box_encrypt=box_encrypt)
    return {"title": BALLOT_TITLE.check(title if title is not None else item.title), "kind": parsed.kind,
            "spec": parsed.to_dict(), "rule": rule, "secret": is_secret, "allow_change": allow_change,
            "method": method, "timer_seconds": timer_seconds, "procedural": procedural, "box_keys": box_keys,
            "box_encrypt": box_encrypt}


def body_threshold(rules: ballots.RuleSet, spec: Mapping[str, object], procedural: bool) -> ballots.Threshold:
    """The threshold the body's rulebook gives a ballot of this spec (no override)."""
    return _threshold(rules, parse_spec(spec), procedural, None)


def put_ballot(tx: Tx, item: models.AgendaItem, parsed: ballots.BallotSpec, *, title: str | None,
               secret: bool | None, allow_change: bool, method: str, timer_seconds: int | None, procedural: bool,
               threshold: Mapping[str, object] | None, box_keys: str | None, box_encrypt: str | None) -> models.Ballot:
    """A ballot on ``item`` in the open transaction, after the checks of its settings against the body's
    rules (the values themselves already checked), with its audit entry: one of ``create_ballot``, or
    several in one transaction (a copied sitting, an appointment list voted person by person)."""
    sitting = sitting_of_item(tx.session, item)
    if sitting.status == "closed":
        raise Conflict("sitting_closed", msg("会议已闭会"))
    if item.status == "withdrawn":
        raise Conflict("withdrawn", msg("该议题已撤回"))
    is_secret, rule = checked_settings(ruleset_of(sitting.body), parsed, secret=secret, allow_change=allow_change,
                                       procedural=procedural, threshold=threshold, box_keys=box_keys,
                                       box_encrypt=box_encrypt)
    b_title = BALLOT_TITLE.check(title if title is not None else item.title)
    ballot = models.Ballot(item_id=item.id, title=b_title, kind=parsed.kind, spec=parsed.to_dict(), rule=rule,
                           secret=is_secret, allow_change=allow_change, method=method,
                           timer_seconds=timer_seconds, procedural=procedural, box_keys=box_keys,
                           box_encrypt=box_encrypt)
    tx.session.add(ballot)
    tx.session.flush()
    tx.audit("ballot_created", {"ballot_id": ballot.id, "item_id": item.id, "title": b_title,
                                "kind": parsed.kind, "secret": is_secret, "method": method, "rule": rule,
                                **({"box_keys": box_keys} if box_keys else {}),
                                **({"box_encrypt": box_encrypt} if box_encrypt else {})},
             sitting_id=sitting.id, push=True)
    return ballot


# --- documents -----------------------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"


def save_pdf(filename: str, data: bytes, folder: str, max_bytes: int) -> tuple[str, str, str, Path]:
    """An uploaded PDF checked (a name, not empty, within the size limit, a PDF) and written under a random
    name in ``folder``: its file name, stored name, SHA-256 and path (to remove if the change is refused)."""
    filename = FILENAME.check(filename)
    if len(data) == 0:
        raise Invalid("empty_file", msg("文件为空"))
    if len(data) > max_bytes:
        raise Invalid("file_too_large", msg("文件超过{max_mb}MB上限", max_mb=max_bytes // (1024 * 1024)))
    if not bytes(data[:5]) == PDF_MAGIC or not filename.lower().endswith(".pdf"):
        raise Invalid("not_pdf", msg("只能上传 PDF 文件"))
    stored = secrets.token_hex(16) + ".pdf"
    path = private_folder(folder) / stored
    digest = hashlib.sha256(data).hexdigest()
    tmp = path.with_suffix(".part")
    write_private(tmp, bytes(data))
    os.replace(tmp, path)
    return filename, stored, digest, path


@requires("prepare_sitting")
def add_document(store: Store, actor: Actor, item_id: int, *, filename: str, data: bytes, folder: str,
                 max_bytes: int) -> int:
    """Store an uploaded PDF under a random name in ``folder``; only PDFs within the size limit."""
    filename, stored, digest, path = save_pdf(filename, data, folder, max_bytes)
    try:
        with transaction(store, actor) as tx:
            item = get_or_404(tx.session, models.AgendaItem, item_id, msg("议题"))
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
