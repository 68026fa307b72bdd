"""Copying a sitting as the next one: a standing committee meets monthly with the same shapes of
business. The copy is a new planned sitting of the same body, with the title and date the clerk gives,
the source's agenda items in order (amendments still pointing at the items they amend), each item's
ballots with their settings (kind, spec, secret or named, method, timer, threshold, ballot box modes)
and, when asked, its documents (each file copied under a new name). Nothing of what happened at the
source is copied: no attendance, rounds, votes, results, speakers or key ceremony. What was withdrawn
(撤回) at the source is left out: a withdrawn item with its ballots and documents, and a withdrawn ballot
(an amendment of a withdrawn item amends nothing in the copy); the audit entry names what was left out.

Each copied ballot is checked against the body's rules as they are now (a combined appointment the body
no longer allows refuses the whole copy) and freezes the body's quorum now, keeping its own threshold."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..db import Store
from ..files import private_folder, write_private
from ..i18n import msg
from .agenda import CHAIR_NAME, CLERK_NAME, PLACE, SITTING_DATE, SITTING_TITLE, parse_spec, put_ballot
from .base import Actor, Conflict, Invalid, Tx, get_or_404, requires, transaction, utcnow
from .withdrawal import WITHDRAWN


def _files_of(store: Store, sitting_id: int, folder: str | None) -> dict[int, bytes]:
    """The bytes of every document of the sitting, by document id (read before the transaction)."""
    if folder is None:
        raise Invalid("no_upload_folder", msg("未配置文件目录，不能复制文件"))
    out: dict[int, bytes] = {}
    with store.read() as s:
        docs = s.execute(select(models.Document.id, models.Document.stored_name, models.Document.filename)
                         .join(models.AgendaItem, models.AgendaItem.id == models.Document.item_id)
                         .where(models.AgendaItem.sitting_id == sitting_id,
                                models.AgendaItem.status != WITHDRAWN)).all()
    for doc_id, stored, filename in docs:
        path = Path(folder) / stored
        try:
            out[doc_id] = path.read_bytes()
        except OSError:
            raise Conflict("file_missing", msg("文件“{name}”已丢失，无法复制；请重新上传后再复制，或不复制文件",
                                               name=filename)) from None
    return out


@requires("prepare_sitting")
def copy_sitting(store: Store, actor: Actor, sitting_id: int, *, title: str, date: dt.date | str,
                 place: str | None = None, chair_name: str | None = None, clerk_name: str | None = None,
                 documents: bool = False, folder: str | None = None) -> int:
    """A new planned sitting copied from ``sitting_id`` (see the module); place, chair and clerk default
    to the source's. One transaction, one ``sitting_copied`` entry (and a ``ballot_created`` entry per
    ballot, as when it is created by hand); answers the new sitting's id."""
    title = SITTING_TITLE.check(title)
    day = SITTING_DATE.check(date)
    if day is None:
        raise Invalid("missing_date", msg("请填写会议日期"))
    given = {"place": None if place is None else PLACE.check(place),
             "chair_name": None if chair_name is None else CHAIR_NAME.check(chair_name),
             "clerk_name": None if clerk_name is None else CLERK_NAME.check(clerk_name)}
    with store.read() as s:
        get_or_404(s, models.Sitting, sitting_id, msg("会议"))
    files = _files_of(store, sitting_id, folder) if documents else {}
    written: list[Path] = []
    try:
        with transaction(store, actor) as tx:
            return _copy(tx, sitting_id, title, day, given, files, folder, written)
    except BaseException:
        for path in written:  # a refused copy leaves no file behind
            path.unlink(missing_ok=True)
        raise


def _copy(tx: Tx, sitting_id: int, title: str, day: dt.date, given: dict[str, str | None],
          files: dict[int, bytes], folder: str | None, written: list[Path]) -> int:
    s = tx.session
    source = get_or_404(s, models.Sitting, sitting_id, msg("会议"))
    fields = {k: getattr(source, k) if v is None else v for k, v in given.items()}
    sitting = models.Sitting(body_id=source.body_id, title=title, date=day, status="planned", seq=0, **fields)
    s.add(sitting)
    s.flush()
    every = s.scalars(select(models.AgendaItem).where(models.AgendaItem.sitting_id == source.id)
                      .order_by(models.AgendaItem.position)).all()
    items = [i for i in every if i.status != WITHDRAWN]
    left_out: dict[str, list[int]] = {"items": [i.id for i in every if i.status == WITHDRAWN], "ballots": []}
    new_ids: dict[int, int] = {}
    copied: list[dict[str, object]] = []
    made: list[tuple[models.AgendaItem, models.AgendaItem]] = []
    for position, old in enumerate(items, start=1):
        item = models.AgendaItem(sitting_id=sitting.id, position=position, title=old.title, kind=old.kind,
                                 status="pending")
        s.add(item)
        s.flush()
        new_ids[old.id] = item.id
        made.append((old, item))
    for old, item in made:
        if old.amends_item_id is not None:
            item.amends_item_id = new_ids.get(old.amends_item_id)
    ballot_ids: list[int] = []
    document_ids: list[int] = []
    for old, item in made:
        papers: dict[str, str] = {}  # a document of the source item → its copy (a candidate's paper follows)
        if files:
            docs = s.scalars(select(models.Document).where(models.Document.item_id == old.id)
                             .order_by(models.Document.id))
            for doc in docs:
                document_ids.append(_copy_document(s, doc, item, files[doc.id], folder, written))
                papers[str(doc.id)] = str(document_ids[-1])
        for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id == old.id).order_by(models.Ballot.id)):
            if b.withdrawn_at is not None:
                left_out["ballots"].append(b.id)
                continue
            ballot_ids.append(put_ballot(
                tx, item, parse_spec(_with_papers(b.spec, papers)), title=b.title, secret=b.secret,
                allow_change=b.allow_change, method=b.method, timer_seconds=b.timer_seconds, procedural=b.procedural,
                threshold=b.rule.get("threshold"), box_keys=b.box_keys, box_encrypt=b.box_encrypt).id)
        copied.append({"item_id": item.id, "from_item_id": old.id, "position": item.position, "title": item.title,
                       "kind": item.kind, "amends_item_id": item.amends_item_id})
    s.flush()
    tx.audit("sitting_copied", {"sitting_id": sitting.id, "from_sitting_id": source.id, "title": title,
                                "date": day.isoformat(), "place": sitting.place, "items": copied,
                                "ballot_ids": ballot_ids, "document_ids": document_ids,
                                "left_out": left_out},
             sitting_id=sitting.id, push=True)
    return sitting.id


def _with_papers(spec: dict[str, Any], papers: dict[str, str]) -> dict[str, Any]:
    """A spec whose candidates' attached papers name the copies (a paper not copied is left out)."""
    candidates = spec.get("candidates")
    if not isinstance(candidates, list) or not any(isinstance(c, dict) and c.get("document_id") for c in candidates):
        return spec
    out = []
    for c in candidates:
        old = str(c.get("document_id", ""))
        c = {k: v for k, v in c.items() if k != "document_id"}
        if old in papers:
            c["document_id"] = papers[old]
        out.append(c)
    return {**spec, "candidates": out}


def _copy_document(s: Session, doc: models.Document, item: models.AgendaItem, data: bytes,
                   folder: str | None, written: list[Path]) -> int:
    assert folder is not None
    stored = secrets.token_hex(16) + ".pdf"
    path = private_folder(folder) / stored
    tmp = path.with_suffix(".part")
    write_private(tmp, data)
    os.replace(tmp, path)
    written.append(path)
    copy = models.Document(item_id=item.id, filename=doc.filename, stored_name=stored,
                           sha256=hashlib.sha256(data).hexdigest(), size=len(data), uploaded_at=utcnow())
    s.add(copy)
    s.flush()
    return copy.id
