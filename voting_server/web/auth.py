"""Staff login and logout, the session probe, and tablet pairing (link/QR code or seat + PIN)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, session
from flask_wtf.csrf import generate_csrf

from .. import services
from ..i18n import msg
from . import bearer_token, current_actor, json_body, ok, store

bp = Blueprint("auth", __name__, url_prefix="/api")


@bp.get("/session")
def whoami() -> Any:
    actor = current_actor()
    return ok({"role": actor.role, "name": actor.name, "user_id": actor.user_id, "person_id": actor.person_id,
               "csrf_token": generate_csrf()})


@bp.post("/login")
def login() -> Any:
    data = json_body()
    actor = services.login(store(), data.get("username"), data.get("password"),
                           address=request.remote_addr or "?",
                           max_attempts=current_app.config["LOGIN_MAX_ATTEMPTS"],
                           window_seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    assert actor.user_id is not None
    session.clear()
    session["user_id"] = actor.user_id
    session["gen"] = services.session_generation(store(), actor.user_id)
    session.permanent = False
    return ok({"role": actor.role, "name": actor.name, "csrf_token": generate_csrf()})


@bp.post("/logout")
def logout() -> Any:
    """Ends every session of the account, wherever its cookie went (other browsers, copies)."""
    if bearer_token() is None:  # a tablet has no session to end (and a revoked one may still say goodbye)
        services.logout(store(), current_actor().user_id)
    session.clear()
    return ok()


@bp.post("/pair")
def pair() -> Any:
    """Redeem a pairing code (from the QR link) or a seat + PIN; answers the device token to keep."""
    data = json_body()
    if "code" in data:
        token, actor = services.pair_device(store(), data.get("code"))
    else:
        body_id = data.get("body_id")
        if isinstance(body_id, bool) or not isinstance(body_id, int) or not 0 < body_id < 2**31:
            raise services.Invalid("bad_id", msg("机构编号无效"))
        token, actor = services.pair_with_pin(store(), body_id, data.get("seat"), data.get("pin"),
                                              address=request.remote_addr or "?")
    return ok({"token": token, "role": actor.role, "name": actor.name, "person_id": actor.person_id,
               "device_id": actor.device_id})
