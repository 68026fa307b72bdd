"""The permission matrix: every HTTP route of the app and every Socket.IO command × every role, allowed
exactly where the table below says.

Roles: ``anon`` (no session, no tablet), ``obs`` (an observer's tablet), ``mem`` (a member's tablet acting
for itself), ``m-oth`` (a member's tablet acting on another member's vote or speaker request; where a
request names nobody it is the member's own request again), ``chair``, ``clerk``, ``disp`` (the hall
display's account), ``admin``, ``revoked`` (a tablet whose pairing was revoked: over HTTP its token;
over Socket.IO a tablet still connected when it was revoked behind this process's back, as on another server
process — a revoked token cannot connect at all, checked separately).

"Allowed" means the request got past every permission check: it may still be refused for the state of
the sitting (409) or a bad value (400). "Refused" means 403 with a permission code (``forbidden``,
``login_required``, ``revoked``, ``not_yourself``, ``other_body``, ...) and nothing stored changed.
Every case starts from the same stored state (the fuzz hall: sitting open, a secret ballot open).

A route in ``app.url_map`` or a live command of the command table (``commands.LIVE``) without a row here fails
the test, and so does a row without a route or command. Pages of the terminal UI blueprint (``ui.*``) are one row: they
carry no data (everything they show comes through /api) and are public."""
from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fault_app import MINI_PDF, Hall, HttpClient, watched_hall
from sqlalchemy import select

from voting_server import commands, demo, models, services
from voting_server.services import Actor

# a 监票人's partial decryption, well formed (the hall's round is open, not counting: refused for its state)
PARTIAL = {"v": 1, "index": 1, "box": "00" * 32, "shares": [], "proofs": []}
COLUMNS = ("anonymous", "observer", "member", "member_other", "chair", "clerk", "display", "admin", "revoked")
PERMISSION_CODES = {"forbidden", "login_required", "revoked", "not_yourself", "other_body", "not_a_seat", "not_linked",
                    "unauthenticated", "not_connected"}

# The intended matrix. Y: allowed, -: refused.
#                                                                   anon obs mem m-oth chair clerk disp admin revoked
HTTP_TABLE = """
GET    /healthz                                                         Y  Y  Y  Y  Y  Y  Y  Y  Y
GET    ui.*                                                             Y  Y  Y  Y  Y  Y  Y  Y  Y
GET    /api/session                                                     Y  Y  Y  Y  Y  Y  Y  Y  -
POST   /api/login                                                       Y  Y  Y  Y  Y  Y  Y  Y  Y
POST   /api/logout                                                      Y  Y  Y  Y  Y  Y  Y  Y  Y
POST   /api/pair                                                        Y  Y  Y  Y  Y  Y  Y  Y  Y
GET    /api/verify                                                      Y  Y  Y  Y  Y  Y  Y  Y  Y
POST   /api/verify                                                      Y  Y  Y  Y  Y  Y  Y  Y  Y
GET    /api/ballots/<int:ballot_id>/rounds/<int:round_number>/receipts/<receipt>  Y  Y  Y  Y  Y  Y  Y  Y  Y
GET    /api/receipts/<receipt>                                          Y  Y  Y  Y  Y  Y  Y  Y  Y
POST   /api/sittings/<int:sitting_id>/open                              -  -  -  -  Y  Y  -  -  -
POST   /api/sittings/<int:sitting_id>/close                             -  -  -  -  Y  -  -  -  -
POST   /api/sittings/<int:sitting_id>/sign-in                           -  Y  Y  Y  -  -  -  -  -
PUT    /api/sittings/<int:sitting_id>/attendance/<int:person_id>        -  -  -  -  -  Y  -  Y  -
POST   /api/items/<int:item_id>/start                                   -  -  -  -  Y  -  -  -  -
POST   /api/items/<int:item_id>/finish                                  -  -  -  -  Y  -  -  -  -
POST   /api/items/<int:item_id>/speak                                   -  Y  Y  Y  -  -  -  -  -
POST   /api/speakers/<int:request_id>/<move> [withdraw]                 -  Y  Y  -  -  -  -  -  -
POST   /api/speakers/<int:request_id>/<move> [grant]                    -  -  -  -  Y  -  -  -  -
PUT    /api/items/<int:item_id>/speakers/order                          -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/open                                -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/revote                              -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/runoff                              -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/close                               -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/extend                              -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/remind                              -  -  -  -  Y  -  -  -  -
POST   /api/ballots/<int:ballot_id>/hands                               -  -  -  -  -  Y  -  -  -
POST   /api/ballots/<int:ballot_id>/cast                                -  -  Y  -  -  -  -  -  -
POST   /api/ballots/<int:ballot_id>/decryption-request                  -  -  Y  Y  -  -  -  -  -
POST   /api/ballots/<int:ballot_id>/tally-share                         -  -  Y  Y  -  -  -  -  -
POST   /api/sittings/<int:sitting_id>/key-ceremony                      -  -  -  -  -  Y  -  Y  -
GET    /api/bodies                                                      -  -  -  -  Y  Y  Y  Y  -
POST   /api/bodies                                                      -  -  -  -  -  Y  -  Y  -
PUT    /api/bodies/<int:body_id>/rules                                  -  -  -  -  -  Y  -  Y  -
GET    /api/bodies/<int:body_id>/people                                 -  -  -  -  Y  Y  Y  Y  -
POST   /api/bodies/<int:body_id>/people                                 -  -  -  -  -  Y  -  Y  -
PATCH  /api/people/<int:person_id>                                      -  -  -  -  -  Y  -  Y  -
PUT    /api/people/<int:person_id>/pin                                  -  -  -  -  -  Y  -  Y  -
POST   /api/people/<int:person_id>/pin/unlock                           -  -  -  -  -  Y  -  Y  -
POST   /api/bodies/<int:body_id>/roster/preview                         -  -  -  -  -  Y  -  Y  -
POST   /api/bodies/<int:body_id>/roster/import                          -  -  -  -  -  Y  -  Y  -
GET    /api/bodies/<int:body_id>/hall                                   -  -  -  -  Y  Y  Y  Y  -
PUT    /api/bodies/<int:body_id>/hall                                   -  -  -  -  -  Y  -  Y  -
POST   /api/bodies/<int:body_id>/hall/preview                           -  -  -  -  -  Y  -  Y  -
POST   /api/bodies/<int:body_id>/hall/import                            -  -  -  -  -  Y  -  Y  -
GET    /api/users                                                       -  -  -  -  -  -  -  Y  -
POST   /api/users                                                       -  -  -  -  -  -  -  Y  -
PATCH  /api/users/<int:user_id>                                         -  -  -  -  -  -  -  Y  -
POST   /api/people/<int:person_id>/pairing                              -  -  -  -  -  Y  -  Y  -
GET    /api/settings/public-url                                         -  -  -  -  -  Y  -  Y  -
PUT    /api/settings/public-url                                         -  -  -  -  -  Y  -  Y  -
GET    /api/bodies/<int:body_id>/devices                                -  -  -  -  -  Y  -  Y  -
POST   /api/devices/<int:device_id>/revoke                              -  -  -  -  -  Y  -  Y  -
GET    /api/bodies/<int:body_id>/sittings                               -  -  -  -  Y  Y  Y  Y  -
POST   /api/bodies/<int:body_id>/sittings                               -  -  -  -  -  Y  -  Y  -
GET    /api/sittings/<int:sitting_id>/agenda                            -  -  -  -  Y  Y  Y  Y  -
POST   /api/sittings/<int:sitting_id>/items                             -  -  -  -  -  Y  -  Y  -
POST   /api/items/<int:item_id>/ballots                                 -  -  -  -  -  Y  -  Y  -
POST   /api/items/<int:item_id>/ballots/per-person                      -  -  -  -  -  Y  -  Y  -
POST   /api/sittings/<int:sitting_id>/copy                              -  -  -  -  -  Y  -  Y  -
GET    /api/bodies/<int:body_id>/ballot-templates                       -  -  -  -  Y  Y  Y  Y  -
POST   /api/bodies/<int:body_id>/ballot-templates                       -  -  -  -  -  Y  -  Y  -
DELETE /api/ballot-templates/<int:template_id>                          -  -  -  -  -  Y  -  Y  -
POST   /api/sittings/<int:sitting_id>/agenda/preview                    -  -  -  -  -  Y  -  Y  -
POST   /api/sittings/<int:sitting_id>/agenda/import                     -  -  -  -  -  Y  -  Y  -
GET    /api/items/<int:item_id>/documents                               -  Y  Y  Y  Y  Y  Y  Y  -
POST   /api/items/<int:item_id>/documents                               -  -  -  -  -  Y  -  Y  -
GET    /api/documents/<int:document_id>                                 -  Y  Y  Y  Y  Y  Y  Y  -
GET    /api/ballots/<int:ballot_id>/results                             -  Y  Y  Y  Y  Y  Y  Y  -
GET    /api/ballots/<int:ballot_id>/rounds/<int:round_number>/sheet.pdf -  Y  Y  Y  Y  Y  Y  Y  -
GET    /api/sittings/<int:sitting_id>/<kind>.pdf                        -  Y  Y  Y  Y  Y  Y  Y  -
GET    /api/sittings/<int:sitting_id>/export.<fmt>                     -  -  -  -  Y  Y  -  Y  -
GET    /api/audit                                                       -  -  -  -  Y  Y  -  Y  -
PATCH  /api/sittings/<int:sitting_id>                                   -  -  -  -  -  Y  -  Y  -
DELETE /api/sittings/<int:sitting_id>                                   -  -  -  -  -  Y  -  Y  -
PATCH  /api/items/<int:item_id>                                         -  -  -  -  -  Y  -  Y  -
POST   /api/items/<int:item_id>/move                                    -  -  -  -  -  Y  -  Y  -
DELETE /api/items/<int:item_id>                                         -  -  -  -  -  Y  -  Y  -
PATCH  /api/ballots/<int:ballot_id>                                     -  -  -  -  -  Y  -  Y  -
DELETE /api/ballots/<int:ballot_id>                                     -  -  -  -  -  Y  -  Y  -
POST   /api/documents/<int:document_id>/replace                         -  -  -  -  -  Y  -  Y  -
DELETE /api/documents/<int:document_id>                                 -  -  -  -  -  Y  -  Y  -
POST   /api/items/<int:item_id>/withdraw                                -  -  -  -  Y  Y  -  -  -
POST   /api/ballots/<int:ballot_id>/withdraw                            -  -  -  -  Y  Y  -  -  -
GET    /api/audit/verify                                                -  -  -  -  Y  Y  -  Y  -
"""

#                                 anon obs mem m-oth chair clerk disp admin revoked
SIO_TABLE = """
snapshot                           -  Y  Y  Y  Y  Y  Y  Y  -
sign_in                            -  Y  Y  Y  -  -  -  -  -
cast                               -  -  Y  -  -  -  -  -  -
speak                              -  Y  Y  Y  -  -  -  -  -
speaker [withdraw]                 -  Y  Y  -  -  -  -  -  -
speaker [grant]                    -  -  -  -  Y  -  -  -  -
speaker_order                      -  -  -  -  Y  -  -  -  -
open_sitting                       -  -  -  -  Y  Y  -  -  -
close_sitting                      -  -  -  -  Y  -  -  -  -
start_item                         -  -  -  -  Y  -  -  -  -
finish_item                        -  -  -  -  Y  -  -  -  -
open_ballot                        -  -  -  -  Y  -  -  -  -
close_ballot                       -  -  -  -  Y  -  -  -  -
revote                             -  -  -  -  Y  -  -  -  -
open_runoff                        -  -  -  -  Y  -  -  -  -
extend                             -  -  -  -  Y  -  -  -  -
remind                             -  -  -  -  Y  -  -  -  -
set_attendance                     -  -  -  -  -  Y  -  Y  -
hands                              -  -  -  -  -  Y  -  -  -
decryption_request                 -  -  Y  Y  -  -  -  -  -
give_share                         -  -  Y  Y  -  -  -  -  -
withdraw_item                      -  -  -  -  Y  Y  -  -  -
withdraw_ballot                    -  -  -  -  Y  Y  -  -  -
"""


def parse(table: str, with_method: bool) -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for line in table.strip().splitlines():
        parts = line.split()
        marks = parts[-len(COLUMNS):]
        assert all(m in ("Y", "-") for m in marks), line
        key = " ".join(parts[:-len(COLUMNS)])
        assert key not in out, f"row twice: {key}"
        out[key] = {role: m == "Y" for role, m in zip(COLUMNS, marks, strict=True)}
    return out


HTTP_MATRIX = parse(HTTP_TABLE, True)
SIO_MATRIX = parse(SIO_TABLE, False)


def base_key(key: str) -> str:
    return key.split(" [", 1)[0]


# --- the hall for the matrix -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Any:
    with watched_hall(tmp_path_factory.mktemp("matrix")) as h:
        st = h.store
        m1, obs = h.member_ids[0], h.observer_ids[0]
        h.requests = {  # type: ignore[attr-defined]
            m1: services.request_to_speak(st, Actor(role="member", person_id=m1), h.items[0]),
            obs: services.request_to_speak(st, Actor(role="observer", person_id=obs), h.items[0]),
        }
        # a tablet connected, then revoked where this process does not hear of it (another server process)
        token, actor = services.pair_with_pin(st, h.body_id, "4", demo.DEMO_PIN)
        revoked_late = h.socketio.test_client(h.app, auth={"token": token})
        assert revoked_late.is_connected()
        with h._conn() as conn:
            conn.execute("UPDATE devices SET revoked_at = '2026-01-01 00:00:00' WHERE id = ?", (actor.device_id,))
        h.sio["revoked"] = revoked_late
        # a member's tablet of another body: the "foreign body" column
        admin = Actor(role="admin", name="x", user_id=1)
        other = services.create_body(st, admin, name="另一县人大常委会")
        stranger = services.add_person(st, admin, other, {"name": "外机构委员", "seat": "1"})
        services.set_pin(st, admin, stranger, "2468")
        foreign_token, _ = services.pair_with_pin(st, other, "1", "2468")
        # with two bodies the staff accounts serve the one set on them: creating the second linked every
        # account with none set to the first; made sure of behind the services' back, so that the
        # sessions logged in above stay valid
        with h._conn() as conn:
            conn.execute("INSERT OR IGNORE INTO user_bodies (user_id, body_id) "
                         "SELECT id, ? FROM users WHERE role != 'admin'", (h.body_id,))
        h.foreign = HttpClient(h.app, "member", token=foreign_token)  # type: ignore[attr-defined]
        h.snapshot_state()
        yield h


# --- one concrete request per row and role -----------------------------------------------------------------


def own_person(h: Hall, role: str) -> int:
    """The person a role acts on: itself; ``member_other`` acts on member 1 (it is member 2's tablet)."""
    return h.observer_ids[0] if role == "observer" else h.member_ids[0]


def own_request(h: Hall, role: str) -> int:
    return h.requests[own_person(h, role)]  # type: ignore[attr-defined]


def a_template(h: Hall, role: str) -> int:
    """A saved template of the hall's body, for the role's request to delete."""
    from voting_server.services import templates

    clerk = Actor(role="clerk", name="x", user_id=3)
    return templates.save_template(h.store, clerk, h.body_id, name=f"待删模板（{role}）{uuid.uuid4().hex[:6]}",
                                   settings={"spec": {"kind": "resolution"}})


def display_user(h: Hall) -> int:
    """The display account's id (the account whose password the ``PATCH /api/users`` row changes)."""
    with h.store.read() as s:
        return s.scalar(select(models.User.id).where(models.User.username == "display"))


@dataclass
class Req:
    method: str
    path: str
    json: Any = None
    files: dict[str, tuple[bytes, str]] | None = None


Builder = Callable[[Hall, str], Req]
CSV = "姓名,身份,座位号\n新成员,组成人员,99\n".encode()
HALL_CSV = "排,座,座位号\n1,1,1\n1,2,2\n".encode()
AGENDA_CSV = "序号,议题,类型\n1,关于某事项的决定,决议\n".encode()


def http_requests() -> dict[str, Builder]:
    def pairing_code(h: Hall, role: str) -> Req:
        code = services.create_pairing(h.store, Actor(role="clerk", name="x", user_id=3), h.member_ids[5])
        return Req("POST", "/api/pair", {"code": code})

    return {
        "GET /healthz": lambda h, r: Req("GET", "/healthz"),
        "GET ui.*": lambda h, r: Req("GET", "<each page>"),
        "GET /api/session": lambda h, r: Req("GET", "/api/session"),
        "POST /api/login": lambda h, r: Req("POST", "/api/login", {"username": "display",
                                                                   "password": "display-demo-2026"}),
        "POST /api/logout": lambda h, r: Req("POST", "/api/logout"),
        "POST /api/pair": pairing_code,
        "GET /api/verify": lambda h, r: Req("GET", "/api/verify?sheet=S1-R1&h=" + "0" * 64),
        "POST /api/verify": lambda h, r: Req("POST", "/api/verify", files={"file": (MINI_PDF, "sheet.pdf")}),
        "GET /api/ballots/<int:ballot_id>/rounds/<int:round_number>/receipts/<receipt>":
            lambda h, r: Req("GET", f"/api/ballots/{h.ballots[0]}/rounds/1/receipts/ABCDE-FGHJK"),
        "GET /api/receipts/<receipt>": lambda h, r: Req("GET", "/api/receipts/ABCDE-FGHJK"),
        "POST /api/sittings/<int:sitting_id>/open": lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/open"),
        "POST /api/sittings/<int:sitting_id>/close": lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/close"),
        "POST /api/sittings/<int:sitting_id>/sign-in":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/sign-in"),
        "PUT /api/sittings/<int:sitting_id>/attendance/<int:person_id>":
            lambda h, r: Req("PUT", f"/api/sittings/{h.sitting_id}/attendance/{h.member_ids[4]}",
                             {"status": "leave", "reason": "出差"}),
        "POST /api/items/<int:item_id>/start": lambda h, r: Req("POST", f"/api/items/{h.items[1]}/start"),
        "POST /api/items/<int:item_id>/finish": lambda h, r: Req("POST", f"/api/items/{h.items[0]}/finish"),
        "POST /api/items/<int:item_id>/speak": lambda h, r: Req("POST", f"/api/items/{h.items[0]}/speak"),
        "POST /api/speakers/<int:request_id>/<move> [withdraw]":
            lambda h, r: Req("POST", f"/api/speakers/{own_request(h, r)}/withdraw"),
        "POST /api/speakers/<int:request_id>/<move> [grant]":
            lambda h, r: Req("POST", f"/api/speakers/{own_request(h, 'member')}/grant"),
        "POST /api/ballots/<int:ballot_id>/open": lambda h, r: Req("POST", f"/api/ballots/{h.ballots[1]}/open"),
        "POST /api/ballots/<int:ballot_id>/revote": lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/revote",
                                                                     {"reason": "表决器故障"}),
        "POST /api/ballots/<int:ballot_id>/runoff": lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/runoff"),
        "PUT /api/items/<int:item_id>/speakers/order":
            lambda h, r: Req("PUT", f"/api/items/{h.items[0]}/speakers/order", {"order": []}),
        "POST /api/ballots/<int:ballot_id>/close": lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/close"),
        "POST /api/ballots/<int:ballot_id>/extend":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/extend", {"seconds": 60}),
        "POST /api/ballots/<int:ballot_id>/remind": lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/remind"),
        "POST /api/ballots/<int:ballot_id>/hands":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/hands", {
                "counts": {"main": {"for": 1, "against": 0, "abstain": 0}}, "ballots": 1, "confirm": True}),
        "POST /api/ballots/<int:ballot_id>/cast":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/cast", {
                "choice": "for", "cast_id": uuid.uuid4().hex, "person_id": own_person(h, r)}),
        "POST /api/ballots/<int:ballot_id>/decryption-request":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/decryption-request", {}),
        "POST /api/ballots/<int:ballot_id>/tally-share":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/tally-share", {"partial": PARTIAL}),
        "POST /api/sittings/<int:sitting_id>/key-ceremony":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/key-ceremony", {
                "k": 1, "holders": [{"person_id": h.member_ids[0], "pin": "135790"}]}),
        "GET /api/bodies": lambda h, r: Req("GET", "/api/bodies"),
        "POST /api/bodies": lambda h, r: Req("POST", "/api/bodies", {"name": "某市人大常委会"}),
        "PUT /api/bodies/<int:body_id>/rules":
            lambda h, r: Req("PUT", f"/api/bodies/{h.body_id}/rules", {"preset": "standing_committee"}),
        "GET /api/bodies/<int:body_id>/people": lambda h, r: Req("GET", f"/api/bodies/{h.body_id}/people"),
        "POST /api/bodies/<int:body_id>/people":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/people", {"name": "新成员", "seat": "99"}),
        "PATCH /api/people/<int:person_id>":
            lambda h, r: Req("PATCH", f"/api/people/{h.member_ids[0]}", {"title": "委员"}),
        "PUT /api/people/<int:person_id>/pin": lambda h, r: Req("PUT", f"/api/people/{h.member_ids[0]}/pin",
                                                                {"pin": "1357"}),
        "POST /api/people/<int:person_id>/pin/unlock":
            lambda h, r: Req("POST", f"/api/people/{h.member_ids[0]}/pin/unlock"),
        "POST /api/bodies/<int:body_id>/roster/preview":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/roster/preview", files={"file": (CSV, "r.csv")}),
        "POST /api/bodies/<int:body_id>/roster/import":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/roster/import", files={"file": (CSV, "r.csv")}),
        "GET /api/bodies/<int:body_id>/hall": lambda h, r: Req("GET", f"/api/bodies/{h.body_id}/hall"),
        "PUT /api/bodies/<int:body_id>/hall": lambda h, r: Req("PUT", f"/api/bodies/{h.body_id}/hall", {"layout": {
            "rows": 1, "cols": 2, "seats": [["1", None]]}}),
        "POST /api/bodies/<int:body_id>/hall/preview":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/hall/preview", files={"file": (HALL_CSV, "h.csv")}),
        "POST /api/bodies/<int:body_id>/hall/import":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/hall/import", files={"file": (HALL_CSV, "h.csv")}),
        "GET /api/users": lambda h, r: Req("GET", "/api/users"),
        "POST /api/users": lambda h, r: Req("POST", "/api/users", {"username": "clerk2", "password": "long-enough-9",
                                                                   "role": "clerk"}),
        "PATCH /api/users/<int:user_id>": lambda h, r: Req("PATCH", f"/api/users/{display_user(h)}",
                                                           {"password": "long-enough-10"}),
        "POST /api/people/<int:person_id>/pairing": lambda h, r: Req("POST", f"/api/people/{h.member_ids[6]}/pairing"),
        "GET /api/settings/public-url": lambda h, r: Req("GET", "/api/settings/public-url"),
        "PUT /api/settings/public-url":
            lambda h, r: Req("PUT", "/api/settings/public-url", {"url": "https://biaojue.example.cn"}),
        "GET /api/bodies/<int:body_id>/devices": lambda h, r: Req("GET", f"/api/bodies/{h.body_id}/devices"),
        "POST /api/devices/<int:device_id>/revoke":
            lambda h, r: Req("POST", f"/api/devices/{h.device_ids['member']}/revoke"),
        "GET /api/bodies/<int:body_id>/sittings": lambda h, r: Req("GET", f"/api/bodies/{h.body_id}/sittings"),
        "POST /api/bodies/<int:body_id>/sittings":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/sittings",
                             {"title": "第三十七次会议", "date": "2026-12-20"}),
        "GET /api/sittings/<int:sitting_id>/agenda": lambda h, r: Req("GET", f"/api/sittings/{h.sitting_id}/agenda"),
        "POST /api/sittings/<int:sitting_id>/items":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/items", {"title": "其他事项"}),
        "POST /api/items/<int:item_id>/ballots":
            lambda h, r: Req("POST", f"/api/items/{h.items[1]}/ballots", {"spec": {"kind": "resolution"}}),
        "POST /api/items/<int:item_id>/ballots/per-person":
            lambda h, r: Req("POST", f"/api/items/{h.items[1]}/ballots/per-person", {"spec": {
                "kind": "appointment", "persons": [{"id": "p1", "name": "甲"}, {"id": "p2", "name": "乙"}]}}),
        "POST /api/sittings/<int:sitting_id>/copy":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/copy", {"title": "第三十七次会议",
                                                                           "date": "2026-12-20"}),
        "GET /api/bodies/<int:body_id>/ballot-templates":
            lambda h, r: Req("GET", f"/api/bodies/{h.body_id}/ballot-templates"),
        "POST /api/bodies/<int:body_id>/ballot-templates":
            lambda h, r: Req("POST", f"/api/bodies/{h.body_id}/ballot-templates", {
                "name": f"任命模板（{r}）", "settings": {"spec": {"kind": "appointment"}, "secret": True}}),
        "DELETE /api/ballot-templates/<int:template_id>":
            lambda h, r: Req("DELETE", f"/api/ballot-templates/{a_template(h, r)}"),
        "POST /api/sittings/<int:sitting_id>/agenda/preview":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/agenda/preview",
                             files={"file": (AGENDA_CSV, "议程.csv")}),
        "POST /api/sittings/<int:sitting_id>/agenda/import":
            lambda h, r: Req("POST", f"/api/sittings/{h.sitting_id}/agenda/import",
                             files={"file": (AGENDA_CSV, "议程.csv")}),
        "GET /api/items/<int:item_id>/documents": lambda h, r: Req("GET", f"/api/items/{h.items[0]}/documents"),
        "POST /api/items/<int:item_id>/documents":
            lambda h, r: Req("POST", f"/api/items/{h.items[0]}/documents", files={"file": (MINI_PDF, "附件.pdf")}),
        "GET /api/documents/<int:document_id>": lambda h, r: Req("GET", f"/api/documents/{h.document_id}"),
        "GET /api/ballots/<int:ballot_id>/results": lambda h, r: Req("GET", f"/api/ballots/{h.ballots[0]}/results"),
        "GET /api/ballots/<int:ballot_id>/rounds/<int:round_number>/sheet.pdf":
            lambda h, r: Req("GET", f"/api/ballots/{h.ballots[0]}/rounds/1/sheet.pdf"),
        "GET /api/sittings/<int:sitting_id>/<kind>.pdf":
            lambda h, r: Req("GET", f"/api/sittings/{h.sitting_id}/attendance.pdf"),
        "GET /api/sittings/<int:sitting_id>/export.<fmt>":
            lambda h, r: Req("GET", f"/api/sittings/{h.sitting_id}/export.json"),
        "GET /api/audit": lambda h, r: Req("GET", "/api/audit?limit=5"),
        "GET /api/audit/verify": lambda h, r: Req("GET", "/api/audit/verify"),
        "PATCH /api/sittings/<int:sitting_id>":
            lambda h, r: Req("PATCH", f"/api/sittings/{h.sitting_id}", {"place": "第二会议室"}),
        "DELETE /api/sittings/<int:sitting_id>": lambda h, r: Req("DELETE", f"/api/sittings/{h.sitting_id}"),
        "PATCH /api/items/<int:item_id>": lambda h, r: Req("PATCH", f"/api/items/{h.items[1]}", {"title": "人事任免"}),
        "POST /api/items/<int:item_id>/move":
            lambda h, r: Req("POST", f"/api/items/{h.items[-1]}/move", {"position": 2}),
        "DELETE /api/items/<int:item_id>": lambda h, r: Req("DELETE", f"/api/items/{h.items[-1]}"),
        "PATCH /api/ballots/<int:ballot_id>":
            lambda h, r: Req("PATCH", f"/api/ballots/{h.ballots[1]}", {"timer_seconds": 120}),
        "DELETE /api/ballots/<int:ballot_id>": lambda h, r: Req("DELETE", f"/api/ballots/{h.ballots[-1]}"),
        "POST /api/documents/<int:document_id>/replace":
            lambda h, r: Req("POST", f"/api/documents/{h.document_id}/replace", files={"file": (MINI_PDF, "新.pdf")}),
        "DELETE /api/documents/<int:document_id>": lambda h, r: Req("DELETE", f"/api/documents/{h.document_id}"),
        "POST /api/items/<int:item_id>/withdraw":
            lambda h, r: Req("POST", f"/api/items/{h.items[1]}/withdraw", {"reason": "提案人撤回"}),
        "POST /api/ballots/<int:ballot_id>/withdraw":
            lambda h, r: Req("POST", f"/api/ballots/{h.ballots[0]}/withdraw", {"reason": "议案需进一步修改"}),
    }


def sio_payloads() -> dict[str, Callable[[Hall, str], dict[str, Any]]]:
    return {
        "snapshot": lambda h, r: {},
        "sign_in": lambda h, r: {},
        "cast": lambda h, r: {"ballot_id": h.ballots[0], "choice": "for", "cast_id": uuid.uuid4().hex,
                              "person_id": own_person(h, r)},
        "speak": lambda h, r: {"item_id": h.items[0]},
        "speaker [withdraw]": lambda h, r: {"request_id": own_request(h, r), "move": "withdraw"},
        "speaker [grant]": lambda h, r: {"request_id": own_request(h, "member"), "move": "grant"},
        "open_sitting": lambda h, r: {},
        "close_sitting": lambda h, r: {},
        "start_item": lambda h, r: {"item_id": h.items[1]},
        "finish_item": lambda h, r: {"item_id": h.items[0]},
        "open_ballot": lambda h, r: {"ballot_id": h.ballots[1]},
        "close_ballot": lambda h, r: {"ballot_id": h.ballots[0]},
        "revote": lambda h, r: {"ballot_id": h.ballots[0], "reason": "表决器故障"},
        "open_runoff": lambda h, r: {"ballot_id": h.ballots[0]},
        "speaker_order": lambda h, r: {"item_id": h.items[0], "order": []},
        "extend": lambda h, r: {"ballot_id": h.ballots[0], "seconds": 60},
        "remind": lambda h, r: {"ballot_id": h.ballots[0]},
        "set_attendance": lambda h, r: {"person_id": h.member_ids[4], "status": "leave", "reason": "出差"},
        "hands": lambda h, r: {"ballot_id": h.ballots[0], "counts": {"main": {"for": 1, "against": 0, "abstain": 0}},
                               "ballots": 1, "confirm": True},
        "decryption_request": lambda h, r: {"ballot_id": h.ballots[0]},
        "give_share": lambda h, r: {"ballot_id": h.ballots[0], "partial": PARTIAL},
        "withdraw_item": lambda h, r: {"item_id": h.items[1], "reason": "提案人撤回"},
        "withdraw_ballot": lambda h, r: {"ballot_id": h.ballots[0], "reason": "议案需进一步修改"},
    }


# --- running it --------------------------------------------------------------------------------------------


def endpoint_keys(h: Hall) -> dict[str, list[Any]]:
    """Every route of the app as a row key (``METHOD /rule``; the UI blueprint's pages as ``GET ui.*``)."""
    keys: dict[str, list[Any]] = {}
    for rule in h.app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.endpoint.startswith("ui."):
            assert set(rule.methods or ()) <= {"GET", "HEAD", "OPTIONS"}, f"a UI page that changes state: {rule}"
            keys.setdefault("GET ui.*", []).append(rule)
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            keys.setdefault(f"{method} {rule.rule}", []).append(rule)
    return keys


def test_every_route_and_command_has_a_row(hall):
    routes = endpoint_keys(hall)
    rows = {base_key(k) for k in HTTP_MATRIX}
    assert not sorted(set(routes) - rows), f"routes without a row in the matrix: {sorted(set(routes) - rows)}"
    assert not sorted(rows - set(routes)), f"rows for routes that do not exist: {sorted(rows - set(routes))}"
    assert set(http_requests()) == set(HTTP_MATRIX)
    rows_sio = {base_key(k) for k in SIO_MATRIX}
    live = set(commands.LIVE)
    assert live == rows_sio, (f"commands without a row: {sorted(live - rows_sio)}; "
                              f"rows without a command: {sorted(rows_sio - live)}")
    assert set(sio_payloads()) == set(SIO_MATRIX)


def permission_refused(status: int, body: Any) -> bool:
    return status in (401, 403) and isinstance(body, dict) and body.get("error") in PERMISSION_CODES


def test_http_matrix(hall):
    builders = http_requests()
    pages = [r.rule for r in endpoint_keys(hall).get("GET ui.*", [])]
    wrong, cells = [], 0
    for key, allowed in HTTP_MATRIX.items():
        for role in COLUMNS:
            hall.restore()
            req = builders[key](hall, role)
            paths = pages if req.path == "<each page>" else [req.path]
            for path in paths:
                client = hall.http[role]
                client.reset()
                before = hall.rows()
                kw: dict[str, Any] = {}
                if req.json is not None:
                    kw["json"] = req.json
                if req.files:
                    kw["data"] = {name: (io.BytesIO(data), filename) for name, (data, filename) in req.files.items()}
                    kw["content_type"] = "multipart/form-data"
                r = client.open(req.method, path, **kw)
                cells += 1
                body = r.get_json(silent=True)
                assert r.status_code < 500, (key, role, r.status_code, r.get_data(as_text=True)[:300])
                refused = permission_refused(r.status_code, body)
                if refused == allowed[role]:
                    wrong.append(f"{key} as {role}: {'refused' if refused else 'allowed'} "
                                 f"({r.status_code} {(body or {}).get('error') if isinstance(body, dict) else ''})")
                if refused:
                    assert hall.rows() == before, f"{key} as {role}: refused but changed the stored state"
    errors = hall.errors.texts()  # type: ignore[attr-defined]
    assert not errors, errors[:5]
    print(f"\n[permissions] HTTP: {len(HTTP_MATRIX)} rows × {len(COLUMNS)} roles = {len(HTTP_MATRIX) * len(COLUMNS)} "
          f"cells ({cells} requests, each UI page counted)")
    assert not wrong, "\n".join(wrong)


# The "foreign body" column: a member's tablet of body 2 sends every row's request with body 1's ids. Only
# these rows hold nothing of a sitting (or are public by design: a receipt check shows no choice); every
# other row must be refused with a permission code.
FOREIGN_ALLOWED = {"GET /healthz", "GET ui.*", "GET /api/session", "POST /api/login", "POST /api/logout",
                   "POST /api/pair", "GET /api/verify", "POST /api/verify",
                   "GET /api/ballots/<int:ballot_id>/rounds/<int:round_number>/receipts/<receipt>",
                   "GET /api/receipts/<receipt>"}


def test_http_foreign_body(hall):
    assert set(HTTP_MATRIX) >= FOREIGN_ALLOWED
    builders = http_requests()
    pages = [r.rule for r in endpoint_keys(hall).get("GET ui.*", [])]
    wrong = []
    for key in HTTP_MATRIX:
        hall.restore()
        req = builders[key](hall, "member")
        for path in pages if req.path == "<each page>" else [req.path]:
            client = hall.foreign  # type: ignore[attr-defined]
            client.reset()
            before = hall.rows()
            kw: dict[str, Any] = {}
            if req.json is not None:
                kw["json"] = req.json
            if req.files:
                kw["data"] = {name: (io.BytesIO(data), filename) for name, (data, filename) in req.files.items()}
                kw["content_type"] = "multipart/form-data"
            r = client.open(req.method, path, **kw)
            body = r.get_json(silent=True)
            assert r.status_code < 500, (key, r.status_code, r.get_data(as_text=True)[:300])
            refused = permission_refused(r.status_code, body) or (
                r.status_code == 403 and isinstance(body, dict) and body.get("error") == "not_on_roster")
            if refused == (key in FOREIGN_ALLOWED):
                wrong.append(f"{key} as a foreign body's member: {'refused' if refused else 'allowed'} "
                             f"({r.status_code} {(body or {}).get('error') if isinstance(body, dict) else ''})")
            if refused:
                assert hall.rows() == before, f"{key} as a foreign body's member: refused but changed state"
    assert not wrong, "\n".join(wrong)


def test_socketio_matrix(hall):
    payloads = sio_payloads()
    wrong = []
    # nobody and a revoked token cannot connect at all
    assert not hall.socketio.test_client(hall.app).is_connected()
    assert not hall.socketio.test_client(hall.app, auth={"token": hall.revoked_token}).is_connected()  # type: ignore[attr-defined]
    anonymous = hall.socketio.test_client(hall.app, flask_test_client=hall.http["anonymous"].client)
    assert not anonymous.is_connected()
    for key, allowed in SIO_MATRIX.items():
        name = base_key(key)
        for role in COLUMNS:
            hall.restore()
            if role == "anonymous":
                refused = True  # no connection (checked above): nothing can be sent
            else:
                client = hall.sio[role] if role == "revoked" else hall.socket_client(role)
                assert client.is_connected(), role
                before = hall.rows()
                ack = client.emit(name, payloads[key](hall, role), callback=True)
                assert isinstance(ack, dict) and ack.get("error") != "server_error", (key, role, ack)
                refused = not ack["ok"] and ack["error"] in PERMISSION_CODES
                if refused:
                    assert hall.rows() == before, f"{key} as {role}: refused but changed the stored state"
                client.get_received()
            if refused == allowed[role]:
                wrong.append(f"{key} as {role}: {'refused' if refused else 'allowed'}")
    errors = hall.errors.texts()  # type: ignore[attr-defined]
    assert not errors, errors[:5]
    print(f"\n[permissions] Socket.IO: {len(SIO_MATRIX)} rows × {len(COLUMNS)} roles = "
          f"{len(SIO_MATRIX) * len(COLUMNS)} cells")
    assert not wrong, "\n".join(wrong)
