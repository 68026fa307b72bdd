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

import ballots

from .. import models
from ..db import Store
from ..i18n import msg, pmsg
from .base import Actor, Conflict, Invalid, get_or_404, requires, rules_refusal, transaction, utcnow
from .lookups import frozen_rule, ruleset_of, sitting_of_item
from .values import Bounded, Day, Flag, Maybe, Obj, OneOf, Refusal, Text, TypeOf

SITTING_TITLE = Text(msg("会议名称"), max_len=300)
SITTING_DATE = Day(msg("会议日期"))
PLACE = Text(msg("地点"), max_len=200, allow_empty=True)
CHAIR_NAME = Text(msg("主持人"), max_len=100, allow_empty=True)
CLERK_NAME = Text(msg("工作人员"), max_len=100, allow_empty=True)

ITEM_KINDS = ("resolution", "appointment", "evaluation", "selection", "report", "other")
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
                  threshold: Mapping[str, object] | None = None) -> int:
    """Put a question on an item. ``spec`` is a ballots/ spec dict; the rule (threshold and quorum) is
    frozen from the body's rulebook now, unless ``threshold`` overrides it for this ballot."""
    parsed = parse_spec(spec)
    method, timer_seconds = METHOD.check(method), TIMER.check(timer_seconds)
    with transaction(store, actor) as tx:
        item = get_or_404(tx.session, models.AgendaItem, item_id, msg("议题"))
        sitting = sitting_of_item(tx.session, item)
        if sitting.status == "closed":
            raise Conflict("sitting_closed", msg("会议已闭会"))
        rules = ruleset_of(sitting.body)
        is_secret = rules.secret_by_default if secret is None else secret
        if is_secret and allow_change:
            raise Invalid("secret_no_change", msg("无记名表决不能设置允许改票（改票需要知道原来的选择）"))
        try:
            rules.check_spec(parsed)
        except ballots.BallotError as err:
            raise rules_refusal(err) from err
        rule = frozen_rule(rules, _threshold(rules, parsed, procedural, threshold))
        b_title = BALLOT_TITLE.check(title if title is not None else item.title)
        ballot = models.Ballot(item_id=item.id, title=b_title, kind=parsed.kind, spec=parsed.to_dict(), rule=rule,
                               secret=is_secret, allow_change=allow_change, method=method,
                               timer_seconds=timer_seconds, procedural=procedural)
        tx.session.add(ballot)
        tx.session.flush()
        tx.audit("ballot_created", {"ballot_id": ballot.id, "item_id": item.id, "title": b_title,
                                    "kind": parsed.kind, "secret": is_secret, "method": method, "rule": rule},
                 sitting_id=sitting.id, push=True)
        return ballot.id


# --- documents -----------------------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"


@requires("prepare_sitting")
def add_document(store: Store, actor: Actor, item_id: int, *, filename: str, data: bytes, folder: str,
                 max_bytes: int) -> int:
    """Store an uploaded PDF under a random name in ``folder``; only PDFs within the size limit."""
    filename = FILENAME.check(filename)
    if len(data) == 0:
        raise Invalid("empty_file", msg("文件为空"))
    if len(data) > max_bytes:
        raise Invalid("file_too_large", msg("文件超过{max_mb}MB上限", max_mb=max_bytes // (1024 * 1024)))
    if not bytes(data[:5]) == PDF_MAGIC or not filename.lower().endswith(".pdf"):
        raise Invalid("not_pdf", msg("只能上传 PDF 文件"))
    stored = secrets.token_hex(16) + ".pdf"
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / stored
    digest = hashlib.sha256(data).hexdigest()
    tmp = path.with_suffix(".part")
    tmp.write_bytes(bytes(data))
    os.replace(tmp, path)
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
