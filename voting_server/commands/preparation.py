"""Preparing sittings and keeping records: what the clerk's and the administrator's consoles send over
HTTP (docs/protocol.md section 5, "Preparation and records")."""
from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..db import Store
from ..i18n import msg
from ..services import (
    Actor,
    Invalid,
    accounts,
    agenda,
    agenda_import,
    appointments,
    bodies,
    copying,
    devices,
    editing,
    halls,
    keyholders,
    roster,
    settings,
    templates,
)
from ..services.values import AnyText, Bounded, Flag, IdList, Loose, Maybe, Obj, Ref, Refusal, TypeOf
from .live import BALLOT, ITEM, PERSON, SITTING
from .live import BallotArgs as BallotRef
from .table import UNSET, Command, Route, Upload, arg, as_is, given_fields

BODY = Ref(msg("机构"))
DOCUMENT = Ref(msg("文件"))
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
    delegation: object = arg(PERSON_ENTRY, default=UNSET)

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
    pin: str = arg(devices.PIN)


@dataclass(frozen=True, kw_only=True)
class RosterArgs:
    body_id: int = arg(BODY)
    file: Upload = arg(source="upload", setting="MAX_CONTENT_LENGTH")


@dataclass(frozen=True, kw_only=True)
class HallArgs:
    body_id: int = arg(BODY)
    layout: Mapping[str, object] = arg(Obj(Refusal("bad_hall", msg("座位图格式错误：应为对象"))))


@dataclass(frozen=True, kw_only=True)
class UserArgs:
    username: str = arg(accounts.USERNAME)
    password: str = arg(accounts.PASSWORD)
    role: str = arg(accounts.STAFF_ROLE)
    display_name: str | None = arg(Maybe(TypeOf(accounts.DISPLAY_NAME)), default=None)


@dataclass(frozen=True, kw_only=True)
class UserChangeArgs:
    """A new password, the account disabled or enabled, the bodies it serves or the member it is
    linked to (``null``: none): each ends the account's sessions."""

    user_id: int = arg(USER)
    password: str | None = arg(Maybe(accounts.PASSWORD), default=None)
    active: bool | None = arg(Maybe(Flag(msg("账户启用"))), default=None)
    bodies: list[int] | None = arg(Maybe(IdList(msg("机构"), max_len=100)), default=None)
    person_id: int | None = arg(Maybe(PERSON), default=UNSET)


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
class PerPersonArgs:
    """The settings of a ballot (of every ballot of an appointment list voted person by person)."""

    item_id: int = arg(ITEM)
    spec: Mapping[str, object] = arg(agenda.SPEC)
    secret: bool | None = arg(agenda.SECRET, default=None)
    allow_change: bool = arg(agenda.ALLOW_CHANGE, default=False)
    method: str = arg(agenda.METHOD, default="tablet")
    timer_seconds: int | None = arg(agenda.TIMER, default=None)
    procedural: bool = arg(agenda.PROCEDURAL, default=False)
    threshold: Mapping[str, object] | None = arg(agenda.THRESHOLD, default=None)
    box_keys: str | None = arg(agenda.BOX_KEYS, default=None)
    box_encrypt: str | None = arg(agenda.BOX_ENCRYPT, default=None)


@dataclass(frozen=True, kw_only=True)
class BallotArgs(PerPersonArgs):
    title: str | None = arg(Maybe(agenda.BALLOT_TITLE), default=None)


@dataclass(frozen=True, kw_only=True)
class CopySittingArgs:
    sitting_id: int = arg(SITTING)
    title: str = arg(agenda.SITTING_TITLE)
    date: Any = arg(agenda.SITTING_DATE)
    place: str | None = arg(Maybe(agenda.PLACE), default=None)
    chair_name: str | None = arg(Maybe(agenda.CHAIR_NAME), default=None)
    clerk_name: str | None = arg(Maybe(agenda.CLERK_NAME), default=None)
    documents: bool = arg(Flag(msg("复制文件")), default=False)
    folder: str = arg(source="server", setting="UPLOAD_FOLDER")


@dataclass(frozen=True, kw_only=True)
class TemplateArgs:
    body_id: int = arg(BODY)
    name: str = arg(templates.TEMPLATE_NAME)
    settings: Mapping[str, object] = arg(Obj(Refusal("bad_template", msg("模板设置格式错误"))))


@dataclass(frozen=True, kw_only=True)
class TemplateRefArgs:
    template_id: int = arg(Ref(msg("模板")))


@dataclass(frozen=True, kw_only=True)
class AgendaFileArgs:
    sitting_id: int = arg(SITTING)
    file: Upload = arg(source="upload", setting="MAX_CONTENT_LENGTH")


@dataclass(frozen=True, kw_only=True)
class InFolder:
    """The folder documents are kept in (a setting of the server)."""

    folder: str = arg(source="server", setting="UPLOAD_FOLDER")


@dataclass(frozen=True, kw_only=True)
class PdfUpload(InFolder):
    """An uploaded PDF and the size it may have."""

    file: Upload = arg(source="upload", setting="MAX_DOCUMENT_BYTES")
    max_bytes: int = arg(source="server", setting="MAX_DOCUMENT_BYTES")


@dataclass(frozen=True, kw_only=True)
class DocumentArgs(PdfUpload):
    item_id: int = arg(ITEM)


@dataclass(frozen=True, kw_only=True)
class PublicUrlArgs:
    url: str | None = arg(settings.PUBLIC_URL)
    instance: str = arg(source="server", setting="INSTANCE_PATH")


@dataclass(frozen=True, kw_only=True)
class Changes:
    """A correction: only the fields sent change (at least one)."""

    KEYS: ClassVar[tuple[str, ...]] = ()  # the fields naming what is corrected

    def changes(self) -> dict[str, object]:
        return given_fields(self, tuple(f.name for f in dataclasses.fields(self) if f.name not in self.KEYS))

    def __post_init__(self) -> None:
        if not self.changes():
            raise Invalid("nothing_to_change", msg("没有要修改的内容"))


@dataclass(frozen=True, kw_only=True)
class SittingChangeArgs(Changes):
    KEYS = ("sitting_id",)
    sitting_id: int = arg(SITTING)
    title: object = arg(agenda.SITTING_TITLE, default=UNSET)
    date: object = arg(agenda.SITTING_DATE, default=UNSET)
    place: object = arg(agenda.PLACE, default=UNSET)
    chair_name: object = arg(agenda.CHAIR_NAME, default=UNSET)
    clerk_name: object = arg(agenda.CLERK_NAME, default=UNSET)


@dataclass(frozen=True, kw_only=True)
class ItemChangeArgs(Changes):
    KEYS = ("item_id",)
    item_id: int = arg(ITEM)
    title: object = arg(agenda.ITEM_TITLE, default=UNSET)
    kind: object = arg(agenda.ITEM_KIND, default=UNSET)
    amends_item_id: object = arg(Maybe(ITEM), default=UNSET)


@dataclass(frozen=True, kw_only=True)
class BallotChangeArgs(Changes):
    KEYS = ("ballot_id",)
    ballot_id: int = arg(BALLOT)
    title: object = arg(Maybe(agenda.BALLOT_TITLE), default=UNSET)
    spec: object = arg(agenda.SPEC, default=UNSET)
    secret: object = arg(agenda.SECRET, default=UNSET)
    allow_change: object = arg(agenda.ALLOW_CHANGE, default=UNSET)
    method: object = arg(agenda.METHOD, default=UNSET)
    timer_seconds: object = arg(agenda.TIMER, default=UNSET)
    procedural: object = arg(agenda.PROCEDURAL, default=UNSET)
    threshold: object = arg(agenda.THRESHOLD, default=UNSET)
    box_keys: object = arg(agenda.BOX_KEYS, default=UNSET)
    box_encrypt: object = arg(agenda.BOX_ENCRYPT, default=UNSET)


@dataclass(frozen=True, kw_only=True)
class MoveArgs:
    item_id: int = arg(ITEM)
    position: int = arg(editing.POSITION)


@dataclass(frozen=True, kw_only=True)
class DeleteSittingArgs(InFolder):
    sitting_id: int = arg(SITTING)


@dataclass(frozen=True, kw_only=True)
class DeleteItemArgs(InFolder):
    item_id: int = arg(ITEM)


@dataclass(frozen=True, kw_only=True)
class ReplaceDocumentArgs(PdfUpload):
    document_id: int = arg(DOCUMENT)


@dataclass(frozen=True, kw_only=True)
class DeleteDocumentArgs(InFolder):
    document_id: int = arg(DOCUMENT)


def _update_sitting(store: Store, actor: Actor, a: SittingChangeArgs) -> None:
    editing.update_sitting(store, actor, a.sitting_id, a.changes())


def _update_item(store: Store, actor: Actor, a: ItemChangeArgs) -> None:
    editing.update_item(store, actor, a.item_id, a.changes())


def _update_ballot(store: Store, actor: Actor, a: BallotChangeArgs) -> None:
    editing.update_ballot(store, actor, a.ballot_id, a.changes())


def _replace_document(store: Store, actor: Actor, a: ReplaceDocumentArgs) -> None:
    editing.replace_document(store, actor, a.document_id, filename=a.file.filename, data=a.file.data,
                             folder=a.folder, max_bytes=a.max_bytes)


def _created(new_id: int, a: object) -> dict[str, Any]:
    return {"id": new_id}


def _created_many(new_ids: list[int], a: object) -> dict[str, Any]:
    return {"ids": new_ids}


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
            "expires_in": int(devices.PAIRING_TTL.total_seconds())}


def _key_cards(dealt: Mapping[str, Any], a: KeyCeremonyArgs) -> dict[str, Any]:
    """The ceremony's answer, each key card also as a QR code to print (its text is in the alphanumeric set)."""
    return {**dealt, "cards": [{**c, "qr": _qr_data_uri(c["card"])} for c in dealt["cards"]]}


def _add_person(store: Store, actor: Actor, a: NewPersonArgs) -> int:
    return bodies.add_person(store, actor, a.body_id, a.entry())


def _update_person(store: Store, actor: Actor, a: PersonChangeArgs) -> None:
    bodies.update_person(store, actor, a.person_id, a.entry())


def _preview(store: Store, actor: Actor, a: RosterArgs) -> roster.Preview:
    return roster.check_file(store, actor, a.body_id, a.file.data, a.file.filename)


def _import(store: Store, actor: Actor, a: RosterArgs) -> int:
    return roster.import_roster(store, actor, a.body_id, a.file.data, a.file.filename)


def _preview_hall(store: Store, actor: Actor, a: RosterArgs) -> halls.HallPreview:
    return halls.check_hall_file(store, actor, a.body_id, a.file.data, a.file.filename)


def _import_hall(store: Store, actor: Actor, a: RosterArgs) -> dict[str, int]:
    return halls.import_hall(store, actor, a.body_id, a.file.data, a.file.filename)


def _preview_agenda(store: Store, actor: Actor, a: AgendaFileArgs) -> agenda_import.AgendaPreview:
    return agenda_import.check_agenda(store, actor, a.sitting_id, a.file.data, a.file.filename)


def _import_agenda(store: Store, actor: Actor, a: AgendaFileArgs) -> dict[str, int]:
    return agenda_import.import_agenda(store, actor, a.sitting_id, a.file.data, a.file.filename)


@dataclass(frozen=True, kw_only=True)
class KeyCeremonyArgs:
    sitting_id: int = arg(SITTING)
    k: int = arg(Bounded(1, 15, Refusal("invalid_threshold", msg("门限须在1到15之间"))), default=2)
    holders: object = arg(Loose())


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
    Command("set_pin", PinArgs, devices.set_pin, http=Route("PUT", "/people/<int:person_id>/pin")),
    Command("preview_roster", RosterArgs, roster.check_file, answer=lambda preview, a: preview.to_dict(),
            call=_preview, http=Route("POST", "/bodies/<int:body_id>/roster/preview")),
    Command("import_roster", RosterArgs, roster.import_roster, answer=lambda n, a: {"imported": n}, call=_import,
            http=Route("POST", "/bodies/<int:body_id>/roster/import", 201)),
    Command("save_hall", HallArgs, halls.save_hall, answer=as_is, http=Route("PUT", "/bodies/<int:body_id>/hall")),
    Command("preview_hall", RosterArgs, halls.check_hall_file, answer=lambda preview, a: preview.to_dict(),
            call=_preview_hall, http=Route("POST", "/bodies/<int:body_id>/hall/preview")),
    Command("import_hall", RosterArgs, halls.import_hall, answer=as_is, call=_import_hall,
            http=Route("POST", "/bodies/<int:body_id>/hall/import", 201)),
    Command("set_public_url", PublicUrlArgs, settings.set_public_url,
            http=Route("PUT", "/settings/public-url", body_required=True)),
    Command("create_user", UserArgs, accounts.create_user, answer=_created, http=Route("POST", "/users", 201)),
    Command("update_user", UserChangeArgs, accounts.update_user,
            http=Route("PATCH", "/users/<int:user_id>", body_required=True)),
    Command("create_pairing", PairingArgs, devices.create_pairing, answer=_pairing,
            http=Route("POST", "/people/<int:person_id>/pairing", 201)),
    Command("unlock_pin", SeatPinArgs, devices.unlock_pin, answer=lambda n, a: {"cleared": n},
            http=Route("POST", "/people/<int:person_id>/pin/unlock")),
    Command("revoke_device", DeviceArgs, devices.revoke_device, http=Route("POST", "/devices/<int:device_id>/revoke")),
    Command("create_sitting", SittingArgs, agenda.create_sitting, answer=_created,
            http=Route("POST", "/bodies/<int:body_id>/sittings", 201)),
    Command("add_item", ItemArgs, agenda.add_item, answer=_created,
            http=Route("POST", "/sittings/<int:sitting_id>/items", 201)),
    Command("create_ballot", BallotArgs, agenda.create_ballot, answer=_created,
            http=Route("POST", "/items/<int:item_id>/ballots", 201)),
    Command("create_appointment_ballots", PerPersonArgs, appointments.create_appointment_ballots,
            answer=_created_many, http=Route("POST", "/items/<int:item_id>/ballots/per-person", 201)),
    Command("copy_sitting", CopySittingArgs, copying.copy_sitting, answer=_created,
            http=Route("POST", "/sittings/<int:sitting_id>/copy", 201)),
    Command("save_template", TemplateArgs, templates.save_template, answer=_created,
            http=Route("POST", "/bodies/<int:body_id>/ballot-templates", 201)),
    Command("delete_template", TemplateRefArgs, templates.delete_template,
            http=Route("DELETE", "/ballot-templates/<int:template_id>")),
    Command("preview_agenda", AgendaFileArgs, agenda_import.check_agenda, answer=lambda p, a: p.to_dict(),
            call=_preview_agenda, http=Route("POST", "/sittings/<int:sitting_id>/agenda/preview")),
    Command("import_agenda", AgendaFileArgs, agenda_import.import_agenda, answer=as_is, call=_import_agenda,
            http=Route("POST", "/sittings/<int:sitting_id>/agenda/import", 201)),
    Command("deal_keys", KeyCeremonyArgs, keyholders.deal_keys, answer=_key_cards,
            http=Route("POST", "/sittings/<int:sitting_id>/key-ceremony")),
    Command("add_document", DocumentArgs, agenda.add_document, answer=_created, call=_document,
            http=Route("POST", "/items/<int:item_id>/documents", 201)),
    Command("update_sitting", SittingChangeArgs, editing.update_sitting, call=_update_sitting,
            http=Route("PATCH", "/sittings/<int:sitting_id>", body_required=True)),
    Command("delete_sitting", DeleteSittingArgs, editing.delete_sitting,
            http=Route("DELETE", "/sittings/<int:sitting_id>")),
    Command("update_item", ItemChangeArgs, editing.update_item, call=_update_item,
            http=Route("PATCH", "/items/<int:item_id>", body_required=True)),
    Command("move_item", MoveArgs, editing.move_item, http=Route("POST", "/items/<int:item_id>/move")),
    Command("delete_item", DeleteItemArgs, editing.delete_item, http=Route("DELETE", "/items/<int:item_id>")),
    Command("update_ballot", BallotChangeArgs, editing.update_ballot, call=_update_ballot,
            http=Route("PATCH", "/ballots/<int:ballot_id>", body_required=True)),
    Command("delete_ballot", BallotRef, editing.delete_ballot, http=Route("DELETE", "/ballots/<int:ballot_id>")),
    Command("replace_document", ReplaceDocumentArgs, editing.replace_document, call=_replace_document,
            http=Route("POST", "/documents/<int:document_id>/replace")),
    Command("delete_document", DeleteDocumentArgs, editing.delete_document,
            http=Route("DELETE", "/documents/<int:document_id>")),
)
