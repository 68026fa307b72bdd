"""Preparing sittings and keeping records: what the clerk's and the administrator's consoles send over
HTTP (docs/protocol.md section 5, "Preparation and records")."""
from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..db import Store
from ..i18n import msg
from ..services import Actor, Invalid, accounts, agenda, bodies, roster, settings
from ..services.values import AnyText, Flag, Loose, Maybe, Obj, Ref, Refusal, TypeOf
from .live import ITEM, PERSON, SITTING
from .table import UNSET, Command, Route, Upload, arg, given_fields

BODY = Ref(msg("机构"))
DEVICE = Ref(msg("表决器"))
USER = Ref(msg("账户"))
PRESET = AnyText(Refusal("bad_preset", msg("规则预设必须是文字")))
OVERRIDES = Maybe(Obj(Refusal("bad_overrides", msg("规则覆盖必须是对象"))))
_BAD_RULES = Refusal("bad_rules", msg("规则设置格式错误"))
PERSON_ENTRY = Loose()  # a roster entry is checked as a whole (services.bodies.validate_person)


@dataclass(frozen=True, kw_only=True)
class BodyArgs:
    name: str = arg(bodies.BODY_NAME)
    preset: str = arg(PRESET, default="standing_committee")
    overrides: Mapping[str, object] | None = arg(OVERRIDES, default=None)


@dataclass(frozen=True, kw_only=True)
class RulesArgs:
    body_id: int = arg(BODY)
    preset: str = arg(AnyText(_BAD_RULES))
    overrides: Mapping[str, object] | None = arg(Maybe(Obj(_BAD_RULES)), default=None)


@dataclass(frozen=True, kw_only=True)
class PersonArgs:
    """A roster entry: the fields sent (the service checks the entry as a whole)."""

    name: object = arg(PERSON_ENTRY, default=UNSET)
    role: object = arg(PERSON_ENTRY, default=UNSET)
    seat: object = arg(PERSON_ENTRY, default=UNSET)
    title: object = arg(PERSON_ENTRY, default=UNSET)
    joined_on: object = arg(PERSON_ENTRY, default=UNSET)
    left_on: object = arg(PERSON_ENTRY, default=UNSET)
    external_id: object = arg(PERSON_ENTRY, default=UNSET)

    def entry(self) -> dict[str, object]:
        return given_fields(self, bodies.PERSON_FIELDS)


@dataclass(frozen=True, kw_only=True)
class NewPersonArgs(PersonArgs):
    body_id: int = arg(BODY)
    name: object = arg(PERSON_ENTRY)


@dataclass(frozen=True, kw_only=True)
class PersonChangeArgs(PersonArgs):
    person_id: int = arg(PERSON)

    def __post_init__(self) -> None:
        if not self.entry():
            raise Invalid("nothing_to_change", msg("没有要修改的内容"))


@dataclass(frozen=True, kw_only=True)
class PinArgs:
    person_id: int = arg(PERSON)
    pin: str = arg(accounts.PIN)


@dataclass(frozen=True, kw_only=True)
class RosterArgs:
    body_id: int = arg(BODY)
    file: Upload = arg(source="upload", setting="MAX_CONTENT_LENGTH")


@dataclass(frozen=True, kw_only=True)
class UserArgs:
    username: str = arg(accounts.USERNAME)
    password: str = arg(accounts.PASSWORD)
    role: str = arg(accounts.STAFF_ROLE)
    display_name: str | None = arg(Maybe(TypeOf(accounts.DISPLAY_NAME)), default=None)


@dataclass(frozen=True, kw_only=True)
class UserChangeArgs:
    """A new password, or the account disabled or enabled: either ends the account's sessions."""

    user_id: int = arg(USER)
    password: str | None = arg(Maybe(accounts.PASSWORD), default=None)
    active: bool | None = arg(Maybe(Flag(msg("账户启用"))), default=None)


@dataclass(frozen=True, kw_only=True)
class PairingArgs:
    person_id: int = arg(PERSON)
    base_url: str = arg(source="server", setting="BASE_URL", passed=False)


@dataclass(frozen=True, kw_only=True)
class SeatPinArgs:
    person_id: int = arg(PERSON)


@dataclass(frozen=True, kw_only=True)
class DeviceArgs:
    device_id: int = arg(DEVICE)


@dataclass(frozen=True, kw_only=True)
class SittingArgs:
    body_id: int = arg(BODY)
    title: str = arg(agenda.SITTING_TITLE)
    date: Any = arg(agenda.SITTING_DATE)
    place: str = arg(agenda.PLACE, default="")
    chair_name: str = arg(agenda.CHAIR_NAME, default="")
    clerk_name: str = arg(agenda.CLERK_NAME, default="")


@dataclass(frozen=True, kw_only=True)
class ItemArgs:
    sitting_id: int = arg(SITTING)
    title: str = arg(agenda.ITEM_TITLE)
    kind: str = arg(agenda.ITEM_KIND, default="resolution")
    amends_item_id: int | None = arg(Maybe(ITEM), default=None)
    position: int | None = arg(agenda.POSITION, default=None)


@dataclass(frozen=True, kw_only=True)
class BallotArgs:
    item_id: int = arg(ITEM)
    spec: Mapping[str, object] = arg(agenda.SPEC)
    title: str | None = arg(Maybe(agenda.BALLOT_TITLE), default=None)
    secret: bool | None = arg(agenda.SECRET, default=None)
    allow_change: bool = arg(agenda.ALLOW_CHANGE, default=False)
    method: str = arg(agenda.METHOD, default="tablet")
    timer_seconds: int | None = arg(agenda.TIMER, default=None)
    procedural: bool = arg(agenda.PROCEDURAL, default=False)
    threshold: Mapping[str, object] | None = arg(agenda.THRESHOLD, default=None)


@dataclass(frozen=True, kw_only=True)
class DocumentArgs:
    item_id: int = arg(ITEM)
    file: Upload = arg(source="upload", setting="MAX_DOCUMENT_BYTES")
    folder: str = arg(source="server", setting="UPLOAD_FOLDER")
    max_bytes: int = arg(source="server", setting="MAX_DOCUMENT_BYTES")


@dataclass(frozen=True, kw_only=True)
class PublicUrlArgs:
    url: str | None = arg(settings.PUBLIC_URL)
    instance: str = arg(source="server", setting="INSTANCE_PATH")


def _created(new_id: int, a: object) -> dict[str, Any]:
    return {"id": new_id}


def _qr_data_uri(text: str) -> str:
    import qrcode

    image = qrcode.make(text, box_size=8, border=2)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pairing(code: str, a: PairingArgs) -> dict[str, Any]:
    """A one-time pairing code for a tablet, as a link to the seat page and as a QR code of that link."""
    path = f"/seat?pair={code}"
    link = a.base_url.rstrip("/") + path
    return {"code": code, "url": path, "link": link, "qr": _qr_data_uri(link),
            "expires_in": int(accounts.PAIRING_TTL.total_seconds())}


def _add_person(store: Store, actor: Actor, a: NewPersonArgs) -> int:
    return bodies.add_person(store, actor, a.body_id, a.entry())


def _update_person(store: Store, actor: Actor, a: PersonChangeArgs) -> None:
    bodies.update_person(store, actor, a.person_id, a.entry())


def _preview(store: Store, actor: Actor, a: RosterArgs) -> roster.Preview:
    return roster.check_file(store, actor, a.body_id, a.file.data, a.file.filename)


def _import(store: Store, actor: Actor, a: RosterArgs) -> int:
    return roster.import_roster(store, actor, a.body_id, a.file.data, a.file.filename)


def _document(store: Store, actor: Actor, a: DocumentArgs) -> int:
    return agenda.add_document(store, actor, a.item_id, filename=a.file.filename, data=a.file.data,
                               folder=a.folder, max_bytes=a.max_bytes)


COMMANDS: tuple[Command[Any, Any], ...] = (
    Command("create_body", BodyArgs, bodies.create_body, answer=_created, http=Route("POST", "/bodies", 201)),
    Command("update_rules", RulesArgs, bodies.update_body_rules, http=Route("PUT", "/bodies/<int:body_id>/rules")),
    Command("add_person", NewPersonArgs, bodies.add_person, answer=_created, call=_add_person,
            http=Route("POST", "/bodies/<int:body_id>/people", 201)),
    Command("update_person", PersonChangeArgs, bodies.update_person, call=_update_person,
            http=Route("PATCH", "/people/<int:person_id>", body_required=True)),
    Command("set_pin", PinArgs, accounts.set_pin, http=Route("PUT", "/people/<int:person_id>/pin")),
    Command("preview_roster", RosterArgs, roster.check_file, answer=lambda preview, a: preview.to_dict(),
            call=_preview, http=Route("POST", "/bodies/<int:body_id>/roster/preview")),
    Command("import_roster", RosterArgs, roster.import_roster, answer=lambda n, a: {"imported": n}, call=_import,
            http=Route("POST", "/bodies/<int:body_id>/roster/import", 201)),
    Command("set_public_url", PublicUrlArgs, settings.set_public_url,
            http=Route("PUT", "/settings/public-url", body_required=True)),
    Command("create_user", UserArgs, accounts.create_user, answer=_created, http=Route("POST", "/users", 201)),
    Command("update_user", UserChangeArgs, accounts.update_user,
            http=Route("PATCH", "/users/<int:user_id>", body_required=True)),
    Command("create_pairing", PairingArgs, accounts.create_pairing, answer=_pairing,
            http=Route("POST", "/people/<int:person_id>/pairing", 201)),
    Command("unlock_pin", SeatPinArgs, accounts.unlock_pin, answer=lambda n, a: {"cleared": n},
            http=Route("POST", "/people/<int:person_id>/pin/unlock")),
    Command("revoke_device", DeviceArgs, accounts.revoke_device, http=Route("POST", "/devices/<int:device_id>/revoke")),
    Command("create_sitting", SittingArgs, agenda.create_sitting, answer=_created,
            http=Route("POST", "/bodies/<int:body_id>/sittings", 201)),
    Command("add_item", ItemArgs, agenda.add_item, answer=_created,
            http=Route("POST", "/sittings/<int:sitting_id>/items", 201)),
    Command("create_ballot", BallotArgs, agenda.create_ballot, answer=_created,
            http=Route("POST", "/items/<int:item_id>/ballots", 201)),
    Command("add_document", DocumentArgs, agenda.add_document, answer=_created, call=_document,
            http=Route("POST", "/items/<int:item_id>/documents", 201)),
)
