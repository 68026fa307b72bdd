"""The one write path. Every change of state is a function here that checks who may do it, validates,
writes rows and a hash-chained audit entry in one transaction, and hands the committed events to the
store's subscribers (the live push) after the commit."""
from .accounts import (
    check_device,
    create_pairing,
    create_user,
    device_actor,
    login,
    pair_device,
    pair_with_pin,
    revoke_device,
    user_actor,
)
from .audit import ChainReport, verify_chain
from .base import (
    ANONYMOUS,
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
)
from .setup import (
    add_document,
    add_item,
    add_person,
    create_ballot,
    create_body,
    create_sitting,
    set_pin,
    update_body_rules,
    update_person,
)
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
from .voting import (
    CastRequest,
    cast_many,
    cast_vote,
    close_ballot,
    enter_show_of_hands,
    extend_timer,
    open_ballot,
    remind_non_voters,
    revote,
)

__all__ = [name for name in dir() if not name.startswith("_")]
