"""Preparing sittings over HTTP (clerk and admin): the preparation commands of the command table
(bodies, roster, accounts, sittings, agenda, ballots, documents, tablet pairing), and the reads of the
administration screens: results and the audit chain.

Every read route parses the request, calls one read of ``services.admin_view`` and renders JSON.
Refusals are ``ServiceError``s, turned into JSON errors by ``web.register``."""
from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, current_app, request, send_file
from werkzeug.security import safe_join

from .. import commands, services
from ..i18n import msg
from ..services import Invalid, NotFound, admin_view, halls, templates
from ..services.base import require
from ..services.values import parse_date
from . import current_actor, ok, public_address, store
from .commands import register_commands

bp = Blueprint("admin", __name__, url_prefix="/api")


@bp.before_request
def _signed_in_only() -> None:
    """Nothing here is for anonymous callers: refuse them before reading what they sent."""
    if current_actor().role == "anonymous":
        raise services.Forbidden("login_required", msg("请先登录"))


def _int_arg(name: str, default: int | None, *, lo: int = 1, hi: int = 2**31 - 1) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise Invalid("bad_param", msg("参数{name}必须是{lo}到{hi}之间的整数", name=name, lo=lo, hi=hi))
    return value


# --- bodies, people, accounts, tablets ------------------------------------------------------------


@bp.get("/bodies")
def list_bodies() -> Any:
    return ok({"bodies": admin_view.list_bodies(store(), current_actor())})


@bp.get("/bodies/<int:body_id>/people")
def list_people(body_id: int) -> Any:
    day = parse_date(request.args.get("on"), msg("日期"), default=None)
    return ok({"people": admin_view.list_people(store(), current_actor(), body_id, on=day)})


@bp.get("/bodies/<int:body_id>/hall")
def hall(body_id: int) -> Any:
    """The body's seat map and whose tablets are online (the consoles' live map)."""
    return ok(halls.hall_of(store(), current_actor(), body_id))


@bp.get("/settings/public-url")
def get_public_url() -> Any:
    """The public address printed on signed sheets and pairing slips, and where it comes from."""
    require(current_actor(), "manage_body")
    return ok(public_address().to_dict())


@bp.get("/users")
def list_users() -> Any:
    return ok({"users": admin_view.list_users(store(), current_actor())})


@bp.get("/bodies/<int:body_id>/devices")
def list_devices(body_id: int) -> Any:
    actor = current_actor()
    return ok({"devices": admin_view.list_devices(store(), actor, body_id),
               "pin_lockouts": admin_view.pin_lockouts(store(), actor, body_id)})


# --- sittings, agenda, documents ------------------------------------------------------------------


@bp.get("/bodies/<int:body_id>/sittings")
def list_sittings(body_id: int) -> Any:
    return ok({"sittings": admin_view.list_sittings(store(), current_actor(), body_id)})


@bp.get("/sittings/<int:sitting_id>/agenda")
def agenda(sitting_id: int) -> Any:
    return ok(admin_view.agenda(store(), current_actor(), sitting_id))


@bp.get("/bodies/<int:body_id>/ballot-templates")
def list_templates(body_id: int) -> Any:
    return ok({"templates": templates.list_templates(store(), current_actor(), body_id)})


@bp.get("/items/<int:item_id>/documents")
def item_documents(item_id: int) -> Any:
    return ok({"documents": admin_view.item_documents(store(), current_actor(), item_id)})


@bp.get("/documents/<int:document_id>")
def get_document(document_id: int) -> Any:
    """The PDF, shown inline; staff and the tablets of the document's body only."""
    doc = admin_view.document_file(store(), current_actor(), document_id)
    path = safe_join(current_app.config["UPLOAD_FOLDER"], doc["stored_name"])
    if path is None or not os.path.isfile(path):
        raise NotFound("file_missing", msg("文件已丢失，请重新上传"))
    response = send_file(path, mimetype="application/pdf", download_name=doc["filename"], as_attachment=False,
                         etag=doc["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- results and audit ----------------------------------------------------------------------------------


@bp.get("/ballots/<int:ballot_id>/results")
def ballot_results(ballot_id: int) -> Any:
    return ok(admin_view.ballot_results(store(), current_actor(), ballot_id))


@bp.get("/audit")
def audit_log() -> Any:
    actor = current_actor()
    action = request.args.get("action") or None
    page = admin_view.audit_page(store(), actor, before=_int_arg("before", None), limit=_int_arg("limit", 100) or 100,
                                 sitting_id=_int_arg("sitting_id", None), action=action)
    return ok(page)


@bp.get("/audit/verify")
def audit_verify() -> Any:
    return ok(admin_view.verify_audit(store(), current_actor()))


# The commands, after the reads: a path both read and written (e.g. /bodies/<id>/people) matches its
# GET rule first, so an id beyond 32 bits is a 404, not a 405.
register_commands(bp, commands.PREPARATION.values())
