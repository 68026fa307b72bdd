"""Correcting what was prepared (what is already under way is withdrawn instead: ``withdrawal``).

Before a ballot opens, everything about it can be corrected: a sitting's title, date, place and names;
an item's title, kind and the item it amends; a ballot's every setting (checked by the same rules as a
new ballot, ``agenda.ballot_values``); an item's documents (replaced or deleted); the order of the
agenda; and whatever was never opened can be deleted.

Once a ballot has opened (any round of it exists) nothing about it changes: its title, settings, item,
documents and item number are printed on its result sheets; it can only be withdrawn (``withdrawal``).

A change that would contradict stored history is refused and changes nothing: anything of a closed
sitting, of a withdrawn item or ballot, or of a ballot that has opened; a sitting's date once it has
opened; the position of an item with an opened ballot or a withdrawal (its number is on record).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..files import private_folder
from ..i18n import msg
from .agenda import (
    ALLOW_CHANGE,
    BALLOT_TITLE,
    BOX_ENCRYPT,
    BOX_KEYS,
    CHAIR_NAME,
    CLERK_NAME,
    ITEM_KIND,
    ITEM_TITLE,
    METHOD,
    PLACE,
    PROCEDURAL,
    SECRET,
    SITTING_DATE,
    SITTING_TITLE,
    SPEC,
    THRESHOLD,
    TIMER,
    ballot_values,
    body_threshold,
    save_pdf,
)
from .base import Actor, Conflict, Invalid, Tx, get_or_404, requires, transaction, utcnow
from .lookups import rule_of, ruleset_of, sitting_of_item
from .values import Bounded, Maybe, Ref, Refusal, Rule
from .withdrawal import WITHDRAWN

POSITION = Bounded(1, 2**31 - 1, Refusal("bad_position", msg("议程位置必须是正整数")))

SITTING_FIELDS: dict[str, Rule[Any]] = {"title": SITTING_TITLE, "date": SITTING_DATE, "place": PLACE,
                                        "chair_name": CHAIR_NAME, "clerk_name": CLERK_NAME}
ITEM_REF = Maybe(Ref(msg("议题")))
ITEM_FIELDS: dict[str, Rule[Any]] = {"title": ITEM_TITLE, "kind": ITEM_KIND, "amends_item_id": ITEM_REF}
BALLOT_FIELDS: dict[str, Rule[Any]] = {
    "title": Maybe(BALLOT_TITLE), "spec": SPEC, "secret": SECRET, "allow_change": ALLOW_CHANGE, "method": METHOD,
    "timer_seconds": TIMER, "procedural": PROCEDURAL, "threshold": THRESHOLD, "box_keys": BOX_KEYS,
    "box_encrypt": BOX_ENCRYPT}


def _nothing_to_change() -> Invalid:
    return Invalid("nothing_to_change", msg("没有要修改的内容"))


def _known(changes: Mapping[str, object], fields: Mapping[str, Rule[Any]]) -> dict[str, object]:
    """The changes sent, each read by its field's rule (any value: a wrong type is refused)."""
    if not isinstance(changes, Mapping):
        raise Invalid("bad_payload", msg("数据格式错误：应为对象"))
    unknown = sorted(str(k)[:30] for k in changes if k not in fields)
    if unknown:
        raise Invalid("unknown_field", msg("未知字段：{fields}", fields=", ".join(unknown[:5])))
    if not changes:
        raise _nothing_to_change()
    return {k: fields[k].parse(v) for k, v in changes.items()}


def _open_for_changes(sitting: models.Sitting) -> None:
    if sitting.status == "closed":
        raise Conflict("sitting_closed", msg("会议已闭会，不能再修改"))


def _rounds_in_sitting(s: Session, sitting_id: int) -> int:
    return s.scalar(select(func.count()).select_from(models.Round).join(models.Ballot).join(models.AgendaItem)
                    .where(models.AgendaItem.sitting_id == sitting_id)) or 0


def _rounds_of_item(s: Session, item_id: int) -> int:
    return s.scalar(select(func.count()).select_from(models.Round).join(models.Ballot)
                    .where(models.Ballot.item_id == item_id)) or 0


def _item_for_changes(s: Session, item: models.AgendaItem) -> models.Sitting:
    """The item's sitting, where the item may still be corrected: not closed, not withdrawn, no ballot opened."""
    sitting = sitting_of_item(s, item)
    _open_for_changes(sitting)
    if item.status == WITHDRAWN:
        raise Conflict("withdrawn", msg("议题“{title}”已撤回，不能再修改", title=item.title))
    if _rounds_of_item(s, item.id):
        raise Conflict("ballot_opened", msg("议题“{title}”的表决已经开始，不能再修改", title=item.title))
    return sitting


def _ballot_for_changes(s: Session, ballot: models.Ballot) -> tuple[models.AgendaItem, models.Sitting]:
    item = get_or_404(s, models.AgendaItem, ballot.item_id, msg("议题"))
    sitting = sitting_of_item(s, item)
    _open_for_changes(sitting)
    if ballot.withdrawn_at is not None or item.status == WITHDRAWN:
        raise Conflict("withdrawn", msg("表决“{title}”已撤回，不能再修改", title=ballot.title))
    if ballot.rounds:
        raise Conflict("ballot_opened", msg("表决“{title}”已经开始，不能再修改或删除", title=ballot.title))
    return item, sitting


def _remove_files(folder: str, names: list[str]) -> None:
    """After the commit: the stored files of deleted or replaced documents."""
    base = private_folder(folder)
    for name in names:
        (base / name).unlink(missing_ok=True)


def _delete_ballots(s: Session, ballot_ids: list[int]) -> None:
    if ballot_ids:
        s.execute(delete(models.Ballot).where(models.Ballot.id.in_(ballot_ids)))


def _delete_items(s: Session, items: list[models.AgendaItem]) -> list[str]:
    """The items' documents, ballots and the items themselves: the stored names of their files."""
    ids = [i.id for i in items]
    if not ids:
        return []
    files = list(s.scalars(select(models.Document.stored_name).where(models.Document.item_id.in_(ids))))
    s.execute(delete(models.Document).where(models.Document.item_id.in_(ids)))
    _delete_ballots(s, list(s.scalars(select(models.Ballot.id).where(models.Ballot.item_id.in_(ids)))))
    s.execute(delete(models.SpeakerRequest).where(models.SpeakerRequest.item_id.in_(ids)))
    for item in items:
        item.amends_item_id = None
    s.flush()
    for item in items:
        s.delete(item)
    s.flush()
    return files


def _agenda(s: Session, sitting_id: int) -> list[models.AgendaItem]:
    return list(s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting_id)
                          .order_by(models.AgendaItem.position, models.AgendaItem.id)))


def _renumber(s: Session, order: list[models.AgendaItem]) -> list[int]:
    """Give the items positions 1..n in this order. An item whose number is on record (a ballot of it has
    opened, or it was withdrawn) keeps its number: a change that would move it is refused."""
    for n, item in enumerate(order, start=1):
        if item.position != n and (item.status == WITHDRAWN or _rounds_of_item(s, item.id)):
            raise Conflict("position_fixed", msg("第{position}项“{title}”已有表决记录或已撤回，议程序号不能改变",
                                                 position=item.position, title=item.title))
    for n, item in enumerate(order, start=1):
        item.position = n
    return [i.id for i in order]


def _changed(obj: object, values: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """The values that differ from the stored ones: (new, before)."""
    new = {k: v for k, v in values.items() if getattr(obj, k) != v}
    return new, {k: getattr(obj, k) for k in new}


def _jsonable(values: Mapping[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _apply(tx: Tx, obj: object, values: Mapping[str, object], action: str, ids: dict[str, int],
           sitting_id: int) -> None:
    """Store the values that differ and audit (pushed) what changed and what was there before; a
    correction that changes nothing records nothing."""
    new, before = _changed(obj, values)
    if not new:
        return
    for k, v in new.items():
        setattr(obj, k, v)
    tx.audit(action, {**ids, "changes": _jsonable(new), "before": _jsonable(before)}, sitting_id=sitting_id,
             push=True)


# --- sittings ----------------------------------------------------------------------------------------


@requires("prepare_sitting")
def update_sitting(store: Store, actor: Actor, sitting_id: int, changes: Mapping[str, object]) -> None:
    """Correct a sitting's title, date, place, chair or clerk. Refused once a ballot of it has opened
    (its sheets print them) or it has closed; the date only while the sitting is planned (its roster is
    taken on that date when it opens)."""
    values = _known(changes, SITTING_FIELDS)
    if "date" in values and values["date"] is None:
        raise Invalid("missing_date", msg("请填写会议日期"))
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        _open_for_changes(sitting)
        if _rounds_in_sitting(s, sitting.id):
            raise Conflict("ballot_opened", msg("本次会议已有表决开始，会议信息不能再修改"))
        if "date" in _changed(sitting, values)[0] and sitting.status != "planned":
            raise Conflict("sitting_opened", msg("会议已开幕，会议日期不能再修改"))
        _apply(tx, sitting, values, "sitting_changed", {"sitting_id": sitting.id}, sitting.id)


@requires("prepare_sitting")
def delete_sitting(store: Store, actor: Actor, sitting_id: int, *, folder: str) -> None:
    """Delete a sitting that has never opened, with its agenda, ballots and documents (and early sign-ins)."""
    with transaction(store, actor) as tx:
        s = tx.session
        sitting = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
        if sitting.status != "planned":
            raise Conflict("sitting_opened", msg("会议已开幕，不能删除"))
        items = _agenda(s, sitting.id)
        files = _delete_items(s, items)
        s.execute(delete(models.Attendance).where(models.Attendance.sitting_id == sitting.id))
        s.flush()
        tx.audit("sitting_deleted", {"sitting_id": sitting.id, "body_id": sitting.body_id, "title": sitting.title,
                                     "date": sitting.date.isoformat(), "items": [i.id for i in items]},
                 sitting_id=sitting.id)
        s.delete(sitting)
    _remove_files(folder, files)


# --- agenda items ------------------------------------------------------------------------------------


def _check_amendment(s: Session, item: models.AgendaItem, amends: int | None) -> None:
    """The item amended is another item of the same sitting, and not (through its own) an amendment of this one."""
    if amends is None:
        return
    target = get_or_404(s, models.AgendaItem, amends, msg("议题"))
    if target.sitting_id != item.sitting_id:
        raise Invalid("bad_amendment", msg("修正案必须属于同一次会议"))
    seen = {item.id}
    step: models.AgendaItem | None = target
    while step is not None:
        if step.id in seen:
            raise Invalid("bad_amendment", msg("议题不能成为自己的修正案"))
        seen.add(step.id)
        step = s.get(models.AgendaItem, step.amends_item_id) if step.amends_item_id is not None else None


@requires("prepare_sitting")
def update_item(store: Store, actor: Actor, item_id: int, changes: Mapping[str, object]) -> None:
    """Correct an item's title, kind or the item it amends, while none of its ballots has opened."""
    values = _known(changes, ITEM_FIELDS)
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        sitting = _item_for_changes(s, item)
        if "amends_item_id" in values:
            _check_amendment(s, item, values["amends_item_id"])  # type: ignore[arg-type]
        _apply(tx, item, values, "item_changed", {"item_id": item.id}, sitting.id)


@requires("prepare_sitting")
def move_item(store: Store, actor: Actor, item_id: int, position: int) -> None:
    """Move an item to another place in the agenda (1 is the first); the items between shift by one."""
    position = POSITION.parse(position)
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        sitting = sitting_of_item(s, item)
        _open_for_changes(sitting)
        if item.status == WITHDRAWN:
            raise Conflict("withdrawn", msg("议题“{title}”已撤回，不能移动", title=item.title))
        order = _agenda(s, sitting.id)
        if position > len(order):
            raise Invalid("bad_position", msg("议程位置必须在1到{max}之间", max=len(order)))
        before = order.index(item) + 1
        if before == position:
            return
        order.remove(item)
        order.insert(position - 1, item)
        ids = _renumber(s, order)
        tx.audit("item_moved", {"item_id": item.id, "from": before, "to": position, "order": ids},
                 sitting_id=sitting.id, push=True)


@requires("prepare_sitting")
def delete_item(store: Store, actor: Actor, item_id: int, *, folder: str) -> None:
    """Delete an item not yet taken up (pending, no ballot opened, no amendment of it left), with its
    ballots and documents; the items after it move up by one."""
    with transaction(store, actor) as tx:
        s = tx.session
        item = get_or_404(s, models.AgendaItem, item_id, msg("议题"))
        sitting = _item_for_changes(s, item)
        if item.status != "pending":
            raise Conflict("item_started", msg("议题“{title}”已开始审议，不能删除；如需取消请撤回", title=item.title))
        amendment = s.scalar(select(models.AgendaItem).where(models.AgendaItem.amends_item_id == item.id).limit(1))
        if amendment is not None:
            raise Conflict("has_amendments", msg("议题“{title}”有修正案“{amendment}”，请先删除修正案",
                                                 title=item.title, amendment=amendment.title))
        order = [i for i in _agenda(s, sitting.id) if i.id != item.id]
        files = _delete_items(s, [item])
        s.flush()
        ids = _renumber(s, order)
        tx.audit("item_deleted", {"item_id": item.id, "title": item.title, "position": item.position, "order": ids},
                 sitting_id=sitting.id, push=True)
    _remove_files(folder, files)


# --- ballots -----------------------------------------------------------------------------------------


def _threshold_kept(rules: Any, ballot: models.Ballot) -> dict[str, Any] | None:
    """The ballot's own threshold where it overrides the body's (kept through a correction), else None."""
    stored = rule_of(ballot.rule).threshold
    if stored == body_threshold(rules, ballot.spec, ballot.procedural):
        return None
    return stored.to_dict()


@requires("prepare_sitting")
def update_ballot(store: Store, actor: Actor, ballot_id: int, changes: Mapping[str, object]) -> None:
    """Correct a ballot before it opens: any of its settings, checked as a new ballot's are
    (``agenda.ballot_values``) against the body's rulebook as it is now. Not sending ``threshold`` keeps
    an override the ballot has; ``null`` returns it to the body's rule. Making a ballot named clears its
    box settings; making it secret clears "may change the vote"."""
    given = _known(changes, BALLOT_FIELDS)
    with transaction(store, actor) as tx:
        s = tx.session
        ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
        item, sitting = _ballot_for_changes(s, ballot)
        rules = ruleset_of(sitting.body)
        current: dict[str, Any] = {k: getattr(ballot, k) for k in BALLOT_FIELDS if k != "threshold"}
        current["threshold"] = _threshold_kept(rules, ballot)
        if given.get("secret") is False:
            current.update(box_keys=None, box_encrypt=None)
        if given.get("secret") is True:
            current["allow_change"] = False
        if "title" in given and given["title"] is None:
            given["title"] = item.title
        merged = {**current, **given}
        values = ballot_values(rules, item, spec=merged["spec"], title=merged["title"],
                               secret=merged["secret"], allow_change=merged["allow_change"],
                               method=merged["method"], timer_seconds=merged["timer_seconds"],
                               procedural=merged["procedural"], threshold=merged["threshold"],
                               box_keys=merged["box_keys"], box_encrypt=merged["box_encrypt"])
        _apply(tx, ballot, values, "ballot_changed", {"ballot_id": ballot.id, "item_id": item.id}, sitting.id)


@requires("prepare_sitting")
def delete_ballot(store: Store, actor: Actor, ballot_id: int) -> None:
    """Delete a ballot that has never opened (nor been withdrawn)."""
    with transaction(store, actor) as tx:
        s = tx.session
        ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
        item, sitting = _ballot_for_changes(s, ballot)
        tx.audit("ballot_deleted", {"ballot_id": ballot.id, "item_id": item.id, "title": ballot.title},
                 sitting_id=sitting.id, push=True)
        s.delete(ballot)


# --- documents ---------------------------------------------------------------------------------------


def _document_for_changes(s: Session, document_id: int) -> tuple[models.Document, models.Sitting]:
    doc = get_or_404(s, models.Document, document_id, msg("文件"))
    item = get_or_404(s, models.AgendaItem, doc.item_id, msg("议题"))
    try:
        return doc, _item_for_changes(s, item)
    except Conflict as err:
        if err.code == "ballot_opened":  # the papers a vote was taken on stay as they were
            raise Conflict("ballot_opened", msg("议题“{title}”的表决已经开始，文件不能再更换或删除",
                                                title=item.title)) from None
        raise


@requires("prepare_sitting")
def replace_document(store: Store, actor: Actor, document_id: int, *, filename: str, data: bytes, folder: str,
                     max_bytes: int) -> None:
    """Replace a document's file (a corrected PDF) under the same document, while no ballot of its item
    has opened; the old file is removed once the change is committed."""
    filename, stored, digest, path = save_pdf(filename, data, folder, max_bytes)
    try:
        with transaction(store, actor) as tx:
            s = tx.session
            doc, sitting = _document_for_changes(s, document_id)
            old = doc.stored_name
            before = {"filename": doc.filename, "sha256": doc.sha256, "size": doc.size}
            doc.filename, doc.stored_name, doc.sha256, doc.size, doc.uploaded_at = (
                filename, stored, digest, len(data), utcnow())
            tx.audit("document_replaced", {"document_id": doc.id, "item_id": doc.item_id, "filename": filename,
                                           "sha256": digest, "size": len(data), "before": before},
                     sitting_id=sitting.id, push=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _remove_files(folder, [old])


@requires("prepare_sitting")
def delete_document(store: Store, actor: Actor, document_id: int, *, folder: str) -> None:
    """Delete a document, while no ballot of its item has opened."""
    with transaction(store, actor) as tx:
        s = tx.session
        doc, sitting = _document_for_changes(s, document_id)
        old = doc.stored_name
        tx.audit("document_deleted", {"document_id": doc.id, "item_id": doc.item_id, "filename": doc.filename,
                                      "sha256": doc.sha256}, sitting_id=sitting.id, push=True)
        s.delete(doc)
    _remove_files(folder, [old])
