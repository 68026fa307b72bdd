"""The one write path. Every change of state is a function here that checks who may do it, validates,
writes rows and a hash-chained audit entry in one transaction, and hands the committed events to the
store's subscribers (the live push) after the commit.

One module per phase: ``bodies`` (bodies, rulebooks, people), ``roster`` (roster files, read by
``spreadsheet``), ``accounts``
(staff, their logins and sessions), ``devices`` (seat tablets, their pairing and PINs), ``agenda``
(sittings, items, ballots, documents), ``copying`` (a sitting copied as the next one), ``appointments``
(an appointment list voted person by person), ``editing`` (correcting what was prepared),
``withdrawal`` (撤回 of an item or ballot under way), ``templates`` (a body's ballot templates),
``agenda_import`` (an agenda from a CSV or XLSX file), ``halls`` (the seat map of a body's hall: drawn, or
imported from a file), ``sitting`` (opening, attendance, the current item, speakers),
``opening``, ``casting``, ``hands``, ``closing``, ``timer`` (the phases of a ballot), ``box`` (a secret
round's encrypted ballot box: its key, the encrypted casts, the decrypted sums), ``encrypted`` (the
ballots tablets encrypt, checked before they are cast), ``keyholders`` (the 监票人's key ceremony and
their decryption of a round's sums). Reads:
``terminal_view`` (what terminals show) and ``admin_view`` (what the administration screens show).
Shared: ``base`` (the frame), ``values`` (rules of single values), ``lookups`` (queries several modules
share), ``credentials`` (how passwords, PINs and tokens are hashed); ``settings`` (the public address,
kept in the instance folder)."""
from . import editing, settings, withdrawal
from .accounts import (
    check_session,
    create_user,
    login,
    logout,
    session_actor,
    session_generation,
    update_user,
    user_actor,
)
from .agenda import add_document, add_item, create_ballot, create_sitting
from .audit import ChainReport, verify_chain
from .base import (
    ANONYMOUS,
    CLOCK,
    PERMISSIONS,
    SYSTEM,
    Actor,
    Conflict,
    Event,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    TooMany,
    Unavailable,
    permission_of,
    storage_refusal,
)
from .bodies import add_person, create_body, update_body_rules, update_person
from .casting import CastRequest, cast_many, cast_vote
from .closing import close_ballot
from .devices import (
    check_device,
    create_pairing,
    device_actor,
    device_seen,
    devices_alive,
    pair_device,
    pair_with_pin,
    record_flood,
    revoke_device,
    set_pin,
    unlock_pin,
)
from .hands import enter_show_of_hands
from .keyholders import deal_keys, give_share
from .opening import open_ballot, revote
from .runoff import open_runoff
from .sitting import (
    close_sitting,
    finish_item,
    open_sitting,
    set_attendance,
    sign_in,
    sign_in_many,
    start_item,
)
from .speakers import move_speaker, order_speakers, request_to_speak
from .timer import Deadline, deadline_reached, extend_timer, remind_non_voters, timed_rounds

__all__ = [
    "ANONYMOUS", "CLOCK", "editing", "PERMISSIONS", "SYSTEM", "Actor", "CastRequest", "ChainReport", "Conflict", "Deadline",
    "Event", "Forbidden", "Invalid", "NotFound", "ServiceError", "TooMany", "Unavailable", "add_document", "add_item",
    "add_person", "cast_many", "cast_vote", "check_device", "check_session", "close_ballot", "close_sitting",
    "create_ballot", "create_body", "deal_keys", "give_share", "create_pairing", "create_sitting", "create_user", "deadline_reached",
    "device_actor", "enter_show_of_hands", "extend_timer", "finish_item", "login", "logout", "move_speaker", "order_speakers",
    "open_ballot", "open_runoff", "open_sitting", "pair_device", "pair_with_pin", "permission_of", "record_flood", "device_seen", "devices_alive",
    "remind_non_voters", "request_to_speak", "revoke_device", "revote", "session_actor", "session_generation",
    "set_attendance", "set_pin", "settings", "sign_in", "sign_in_many", "start_item", "storage_refusal",
    "timed_rounds", "unlock_pin", "withdrawal",
    "update_body_rules", "update_person", "update_user", "user_actor", "verify_chain",
]
