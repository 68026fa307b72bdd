"""Driving a live sitting over HTTP: the chair's and clerk's actions and the tablets' sign-in, cast and
speaker requests. The same actions are available as Socket.IO events (realtime/)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from .. import services
from . import current_actor, json_body, ok, store

bp = Blueprint("live", __name__, url_prefix="/api")


def _body_or_empty() -> dict[str, Any]:
    from flask import request

    return json_body() if request.data else {}


@bp.post("/sittings/<int:sitting_id>/open")
def open_sitting(sitting_id: int) -> Any:
    services.open_sitting(store(), current_actor(), sitting_id)
    return ok()


@bp.post("/sittings/<int:sitting_id>/close")
def close_sitting(sitting_id: int) -> Any:
    services.close_sitting(store(), current_actor(), sitting_id)
    return ok()


@bp.post("/sittings/<int:sitting_id>/sign-in")
def sign_in(sitting_id: int) -> Any:
    services.sign_in(store(), current_actor(), sitting_id)
    return ok()


@bp.put("/sittings/<int:sitting_id>/attendance/<int:person_id>")
def set_attendance(sitting_id: int, person_id: int) -> Any:
    data = json_body()
    services.set_attendance(store(), current_actor(), sitting_id, person_id, data.get("status"),
                            data.get("reason", ""))
    return ok()


@bp.post("/items/<int:item_id>/start")
def start_item(item_id: int) -> Any:
    services.start_item(store(), current_actor(), item_id)
    return ok()


@bp.post("/items/<int:item_id>/finish")
def finish_item(item_id: int) -> Any:
    services.finish_item(store(), current_actor(), item_id)
    return ok()


@bp.post("/items/<int:item_id>/speak")
def request_to_speak(item_id: int) -> Any:
    return ok({"request_id": services.request_to_speak(store(), current_actor(), item_id)})


@bp.post("/speakers/<int:request_id>/<move>")
def move_speaker(request_id: int, move: str) -> Any:
    services.move_speaker(store(), current_actor(), request_id, move)
    return ok()


@bp.post("/ballots/<int:ballot_id>/open")
def open_ballot(ballot_id: int) -> Any:
    data = _body_or_empty()
    round_id = services.open_ballot(store(), current_actor(), ballot_id,
                                    override_quorum=data.get("override_quorum", False))
    return ok({"round_id": round_id})


@bp.post("/ballots/<int:ballot_id>/revote")
def revote(ballot_id: int) -> Any:
    data = _body_or_empty()
    round_id = services.revote(store(), current_actor(), ballot_id, override_quorum=data.get("override_quorum", False))
    return ok({"round_id": round_id})


@bp.post("/ballots/<int:ballot_id>/close")
def close_ballot(ballot_id: int) -> Any:
    return ok({"result": services.close_ballot(store(), current_actor(), ballot_id)})


@bp.post("/ballots/<int:ballot_id>/extend")
def extend(ballot_id: int) -> Any:
    services.extend_timer(store(), current_actor(), ballot_id, json_body().get("seconds"))
    return ok()


@bp.post("/ballots/<int:ballot_id>/remind")
def remind(ballot_id: int) -> Any:
    return ok({"reminded": len(services.remind_non_voters(store(), current_actor(), ballot_id))})


@bp.post("/ballots/<int:ballot_id>/hands")
def show_of_hands(ballot_id: int) -> Any:
    data = json_body()
    if data.get("confirm") is not True:
        raise services.Invalid("confirm_required", "请再次确认举手表决结果", "confirm the count (confirm: true)")
    services.enter_show_of_hands(store(), current_actor(), ballot_id, counts=data.get("counts"),
                                 ballots_cast=data.get("ballots"), invalid=data.get("invalid", 0),
                                 note=data.get("note", ""))
    return ok()


@bp.post("/ballots/<int:ballot_id>/cast")
def cast(ballot_id: int) -> Any:
    data = json_body()
    return ok(services.cast_vote(store(), current_actor(), ballot_id, data.get("choice"), data.get("cast_id"),
                                 data.get("person_id")))
