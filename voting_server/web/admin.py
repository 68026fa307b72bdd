"""Preparing sittings over HTTP (clerk and admin): bodies, roster, accounts, sittings, agenda, ballots,
documents, tablet pairing; and reading results and the audit chain.

Every route parses the request, calls one service function and renders JSON. Refusals are
``ServiceError``s, turned into JSON errors by ``web.register``."""
from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, current_app, request, send_file
from werkzeug.security import safe_join

from .. import services
from ..services import Invalid, NotFound, listing, roster
from ..services.accounts import PAIRING_TTL
from ..services.base import require
from ..services.text import parse_date
from . import current_actor, json_body, ok, store

bp = Blueprint("admin", __name__, url_prefix="/api")


@bp.before_request
def _signed_in_only() -> None:
    """Nothing here is for anonymous callers: refuse them before reading what they sent."""
    if current_actor().role == "anonymous":
        raise services.Forbidden("login_required", "请先登录", "log in first")


# --- parsing helpers --------------------------------------------------------------------------------


def _fields(allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON object of the request, refusing unknown keys (a typo must not pass silently)."""
    data = json_body()
    known = set(allowed)
    unknown = sorted(k for k in data if k not in known)
    if unknown:
        names = ", ".join(str(k)[:30] for k in unknown[:5])
        raise Invalid("unknown_field", f"未知字段：{names}", f"unknown field(s): {names}", allowed=sorted(known))
    missing = [k for k in required if k not in data]
    if missing:
        raise Invalid("missing_field", f"缺少字段：{', '.join(missing)}", f"missing field(s): {', '.join(missing)}")
    return data


def _int_arg(name: str, default: int | None, *, lo: int = 1, hi: int = 2**31 - 1) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise Invalid("bad_param", f"参数{name}必须是{lo}到{hi}之间的整数", f"{name} must be an integer {lo}..{hi}")
    return value


def _upload(limit: int) -> tuple[str, bytes]:
    """The uploaded file (form field ``file``): its base name and at most ``limit`` + 1 bytes, so that
    the service can tell a too-large file without reading all of it."""
    f = request.files.get("file")
    if f is None or not f.filename:
        raise Invalid("missing_file", "请选择要上传的文件（表单字段 file）", "no file was uploaded (form field 'file')")
    name = f.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    data = f.stream.read(limit + 1)
    return name, data


# --- bodies -----------------------------------------------------------------------------------------


@bp.get("/bodies")
def list_bodies() -> Any:
    return ok({"bodies": listing.list_bodies(store(), current_actor())})


@bp.post("/bodies")
def create_body() -> Any:
    actor = current_actor()
    data = _fields(("name", "preset", "overrides"), required=("name",))
    body_id = services.create_body(store(), actor, name=data["name"],
                                   preset=data.get("preset", "standing_committee"), overrides=data.get("overrides"))
    return ok({"id": body_id}, 201)


@bp.put("/bodies/<int:body_id>/rules")
def update_rules(body_id: int) -> Any:
    actor = current_actor()
    data = _fields(("preset", "overrides"), required=("preset",))
    services.update_body_rules(store(), actor, body_id, preset=data["preset"], overrides=data.get("overrides"))
    return ok()


# --- people and roster ------------------------------------------------------------------------------

PERSON_FIELDS = ("name", "role", "seat", "title", "joined_on", "left_on", "external_id")


@bp.get("/bodies/<int:body_id>/people")
def list_people(body_id: int) -> Any:
    day = parse_date(request.args.get("on"), "日期", "on", default=None)
    return ok({"people": listing.list_people(store(), current_actor(), body_id, on=day)})


@bp.post("/bodies/<int:body_id>/people")
def add_person(body_id: int) -> Any:
    actor = current_actor()
    data = _fields(PERSON_FIELDS, required=("name",))
    return ok({"id": services.add_person(store(), actor, body_id, data)}, 201)


@bp.patch("/people/<int:person_id>")
def update_person(person_id: int) -> Any:
    actor = current_actor()
    data = _fields(PERSON_FIELDS)
    if not data:
        raise Invalid("nothing_to_change", "没有要修改的内容", "no field to change")
    services.update_person(store(), actor, person_id, data)
    return ok()


@bp.put("/people/<int:person_id>/pin")
def set_pin(person_id: int) -> Any:
    actor = current_actor()
    data = _fields(("pin",), required=("pin",))
    services.set_pin(store(), actor, person_id, data["pin"])
    return ok()


@bp.post("/bodies/<int:body_id>/roster/preview")
def roster_preview(body_id: int) -> Any:
    actor = current_actor()
    require(actor, "manage_roster")
    filename, data = _upload(current_app.config["MAX_CONTENT_LENGTH"])
    return ok(roster.check_file(store(), actor, body_id, data, filename).to_dict())


@bp.post("/bodies/<int:body_id>/roster/import")
def roster_import(body_id: int) -> Any:
    actor = current_actor()
    require(actor, "manage_roster")
    filename, data = _upload(current_app.config["MAX_CONTENT_LENGTH"])
    return ok({"imported": roster.import_roster(store(), actor, body_id, data, filename)}, 201)


# --- accounts and tablets -----------------------------------------------------------------------------


@bp.get("/users")
def list_users() -> Any:
    return ok({"users": listing.list_users(store(), current_actor())})


@bp.post("/users")
def create_user() -> Any:
    actor = current_actor()
    data = _fields(("username", "password", "role", "display_name"), required=("username", "password", "role"))
    user_id = services.create_user(store(), actor, username=data["username"], password=data["password"],
                                   role=data["role"], display_name=data.get("display_name"))
    return ok({"id": user_id}, 201)


@bp.post("/people/<int:person_id>/pairing")
def create_pairing(person_id: int) -> Any:
    """A one-time pairing code for a tablet, as a link and as a QR code of that link."""
    code = services.create_pairing(store(), current_actor(), person_id)
    path = f"/seat?pair={code}"
    # The address tablets reach the server at; the clerk's own address is only the last resort.
    base = (current_app.config.get("PUBLIC_URL") or os.environ.get("BIAOJUE_BASE_URL") or request.host_url).rstrip("/")
    link = base + path
    return ok({"code": code, "url": path, "link": link, "qr": _qr_data_uri(link),
               "expires_in": int(PAIRING_TTL.total_seconds())}, 201)


def _qr_data_uri(text: str) -> str:
    import qrcode

    image = qrcode.make(text, box_size=8, border=2)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@bp.get("/bodies/<int:body_id>/devices")
def list_devices(body_id: int) -> Any:
    return ok({"devices": listing.list_devices(store(), current_actor(), body_id)})


@bp.post("/devices/<int:device_id>/revoke")
def revoke_device(device_id: int) -> Any:
    services.revoke_device(store(), current_actor(), device_id)
    return ok()


# --- sittings, agenda, ballots, documents -------------------------------------------------------------


@bp.get("/bodies/<int:body_id>/sittings")
def list_sittings(body_id: int) -> Any:
    return ok({"sittings": listing.list_sittings(store(), current_actor(), body_id)})


@bp.post("/bodies/<int:body_id>/sittings")
def create_sitting(body_id: int) -> Any:
    actor = current_actor()
    data = _fields(("title", "date", "place", "chair_name", "clerk_name"), required=("title", "date"))
    sitting_id = services.create_sitting(store(), actor, body_id, title=data["title"], date=data["date"],
                                         place=data.get("place", ""), chair_name=data.get("chair_name", ""),
                                         clerk_name=data.get("clerk_name", ""))
    return ok({"id": sitting_id}, 201)


@bp.get("/sittings/<int:sitting_id>/agenda")
def agenda(sitting_id: int) -> Any:
    return ok(listing.agenda(store(), current_actor(), sitting_id))


@bp.post("/sittings/<int:sitting_id>/items")
def add_item(sitting_id: int) -> Any:
    actor = current_actor()
    data = _fields(("title", "kind", "amends_item_id", "position"), required=("title",))
    item_id = services.add_item(store(), actor, sitting_id, title=data["title"], kind=data.get("kind", "resolution"),
                                amends_item_id=data.get("amends_item_id"), position=data.get("position"))
    return ok({"id": item_id}, 201)


BALLOT_FIELDS = ("spec", "title", "secret", "allow_change", "method", "timer_seconds", "procedural", "threshold")


@bp.post("/items/<int:item_id>/ballots")
def create_ballot(item_id: int) -> Any:
    actor = current_actor()
    data = _fields(BALLOT_FIELDS, required=("spec",))
    ballot_id = services.create_ballot(store(), actor, item_id, **data)
    return ok({"id": ballot_id}, 201)


@bp.get("/items/<int:item_id>/documents")
def item_documents(item_id: int) -> Any:
    return ok({"documents": listing.item_documents(store(), current_actor(), item_id)})


@bp.post("/items/<int:item_id>/documents")
def upload_document(item_id: int) -> Any:
    actor = current_actor()
    require(actor, "prepare_sitting")  # refuse before reading the upload
    limit = int(current_app.config["MAX_DOCUMENT_BYTES"])
    filename, data = _upload(limit)
    doc_id = services.add_document(store(), actor, item_id, filename=filename, data=data,
                                   folder=current_app.config["UPLOAD_FOLDER"], max_bytes=limit)
    return ok({"id": doc_id}, 201)


@bp.get("/documents/<int:document_id>")
def get_document(document_id: int) -> Any:
    """The PDF, shown inline; staff and the tablets of the document's body only."""
    doc = listing.document_file(store(), current_actor(), document_id)
    path = safe_join(current_app.config["UPLOAD_FOLDER"], doc["stored_name"])
    if path is None or not os.path.isfile(path):
        raise NotFound("file_missing", "文件已丢失，请重新上传", "the stored file is missing; upload it again")
    response = send_file(path, mimetype="application/pdf", download_name=doc["filename"], as_attachment=False,
                         etag=doc["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- results and audit ----------------------------------------------------------------------------------


@bp.get("/ballots/<int:ballot_id>/results")
def ballot_results(ballot_id: int) -> Any:
    return ok(listing.ballot_results(store(), current_actor(), ballot_id))


@bp.get("/audit")
def audit_log() -> Any:
    actor = current_actor()
    action = request.args.get("action") or None
    page = listing.audit_page(store(), actor, before=_int_arg("before", None), limit=_int_arg("limit", 100),
                              sitting_id=_int_arg("sitting_id", None), action=action)
    return ok(page)


@bp.get("/audit/verify")
def audit_verify() -> Any:
    return ok(listing.verify_audit(store(), current_actor()))
