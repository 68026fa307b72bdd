"""The one write path. Every change of state is a function here that checks who may do it, validates,
writes rows and a hash-chained audit entry in one transaction, and hands the committed events to the
store's subscribers (the live push) after the commit.

One module per phase: ``bodies`` (bodies, rulebooks, people), ``roster`` (roster files), ``accounts``
(staff, tablets, PINs), ``agenda`` (sittings, items, ballots, documents), ``sitting`` (opening,
attendance, the current item, speakers), ``opening``, ``casting``, ``hands``, ``closing``, ``timer``
(the phases of a ballot). Reads: ``terminal_view`` (what terminals show) and ``admin_view`` (what the
administration screens show). Shared: ``base`` (the frame), ``values`` (rules of single values),
``lookups`` (queries several modules share); ``settings`` (the public address, kept in the instance folder)."""
from . import settings
from .accounts import (
    check_device,
    check_session,
    create_pairing,
    create_user,
    device_actor,
    login,
    logout,
    pair_device,
    pair_with_pin,
    record_flood,
    revoke_device,
    session_actor,
    session_generation,
    set_pin,
    unlock_pin,
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
from .hands import enter_show_of_hands
from .opening import open_ballot, revote
from .sitting import (
    close_sitting,
    finish_item,
    move_speaker,
    open_sitting,
    request_to_speak,
    set_attendance,
    sign_in,
    sign_in_many,
    start_item,
)
from .timer import Deadline, deadline_reached, extend_timer, remind_non_voters, timed_rounds

__all__ = [
    "ANONYMOUS", "CLOCK", "PERMISSIONS", "SYSTEM", "Actor", "CastRequest", "ChainReport", "Conflict", "Deadline",
    "Event", "Forbidden", "Invalid", "NotFound", "ServiceError", "TooMany", "Unavailable", "add_document", "add_item",
    "add_person", "cast_many", "cast_vote", "check_device", "check_session", "close_ballot", "close_sitting",
    "create_ballot", "create_body", "create_pairing", "create_sitting", "create_user", "deadline_reached",
    "device_actor", "enter_show_of_hands", "extend_timer", "finish_item", "login", "logout", "move_speaker",
    "open_ballot", "open_sitting", "pair_device", "pair_with_pin", "permission_of", "record_flood",
    "remind_non_voters", "request_to_speak", "revoke_device", "revote", "session_actor", "session_generation",
    "set_attendance", "set_pin", "settings", "sign_in", "sign_in_many", "start_item", "storage_refusal",
    "timed_rounds", "unlock_pin",
    "update_body_rules", "update_person", "update_user", "user_actor", "verify_chain",
]
