"""HTTP: thin blueprints that parse a request, call a service and render the answer.

Authentication: staff use a signed session cookie (password login, CSRF token required on every
state-changing request; the server ends it: logout, a new password or a disabled account), ``Secure``
when served over HTTPS; seat tablets send ``Authorization: Bearer <device token>``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .. import services
from ..db import Store
from ..i18n import SOURCE, catalogue, msg
from ..services import ANONYMOUS, Actor, ServiceError
from . import headers

csrf = CSRFProtect()


def store() -> Store:
    return current_app.extensions["biaojue_store"]


def public_address() -> services.settings.PublicAddress:
    """The public address in force (stored from the consoles, else configured), never the request's Host."""
    configured = current_app.config.get("PUBLIC_URL")
    return services.settings.public_address(current_app.instance_path, configured.rstrip("/") if configured else None)


def public_url() -> str | None:
    """The address printed on signed sheets and pairing slips; ``None`` when none is set."""
    return public_address().url


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip() or None
    return None


def current_actor() -> Actor:
    """Who makes this request: a paired tablet (bearer token), a logged-in staff member, or anonymous.

    When the database does not answer, its storage failure is raised (answered 503 ``storage_unavailable``)
    and, asked again within the same request, raised again at once: the rate limits ask first
    (``limits.signed_in``), and the view must not wait for the database a second time."""
    if "actor" in g:
        return g.actor
    if "actor_failure" in g:
        raise g.actor_failure
    try:
        g.actor = _actor_of_request()
    except SQLAlchemyError as error:
        if services.storage_refusal(error) is not None:
            g.actor_failure = error
        raise
    return g.actor


def _actor_of_request() -> Actor:
    actor: Actor | None = None
    token = bearer_token()
    if token is not None:
        actor = services.device_actor(store(), token)
        if actor is None:
            raise services.Forbidden("revoked", msg("表决器未配对或已被撤销"))
    elif "user_id" in session:
        # the cookie names the account and the session generation it was issued under: a cookie of
        # a session that logout, a new password or a disabled account ended is refused (and cleared)
        actor = services.session_actor(store(), session["user_id"], session.get("gen"))
        if actor is None:
            session.clear()
    return actor or ANONYMOUS


def lang() -> str:
    """The language of an answer's ``message``: one the catalogue has, else Chinese."""
    chosen = request.args.get("lang") or request.cookies.get("lang") or current_app.config.get("LANGUAGE", "zh")
    return chosen if chosen in catalogue().languages else SOURCE


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear 400."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes (e.g. 100,000 "["): not a request
        data = None
    if not isinstance(data, dict):
        raise services.Invalid("bad_json", msg("请求内容必须是 JSON 对象"))
    return data


def ok(data: Any = None, status: int = 200) -> Any:
    return jsonify(data if data is not None else {"ok": True}), status


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: ids are 32-bit (PostgreSQL INTEGER); a larger number matches no route
    (404) instead of overflowing the database driver."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


HTTP_ERRORS = {400: msg("请求无效"), 401: msg("请先登录"), 403: msg("无权访问"), 404: msg("页面不存在"),
               405: msg("不支持该请求方法"), 413: msg("上传的文件太大"), 429: msg("请求过于频繁")}
HTTP_FAILED = msg("请求失败")


class SessionCookies(SecureCookieSessionInterface):
    """The signed session cookie, ``Secure`` when the request came over HTTPS (SESSION_COOKIE_SECURE
    ``auto``, behind a proxy as TRUSTED_PROXIES forwards the scheme) or always (``True``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["SESSION_COOKIE_SECURE"]
        if setting == "auto":
            return has_request_context() and request.is_secure
        return bool(setting)


def register(app: Flask) -> None:
    app.session_interface = SessionCookies()
    app.after_request(headers.secure)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.url_map.converters["int"] = IdConverter
    csrf.init_app(app)

    @app.before_request
    def _csrf_for_cookie_sessions() -> None:
        # Staff requests ride on a session cookie and must carry the CSRF token. Tablets authenticate
        # with a bearer token, which no cross-site request can carry.
        if (current_app.config.get("WTF_CSRF_ENABLED", True) and request.method not in ("GET", "HEAD", "OPTIONS")
                and bearer_token() is None):
            csrf.protect()

    @app.errorhandler(ServiceError)
    def _service_error(err: ServiceError) -> Any:
        response = jsonify(err.to_dict(lang()))
        response.status_code = err.status
        if isinstance(err.details.get("retry_after"), int):
            response.headers["Retry-After"] = str(err.details["retry_after"])
        return response

    @app.errorhandler(SQLAlchemyError)
    def _storage_error(err: SQLAlchemyError) -> Any:
        # the database out of reach for now: 503 storage_unavailable with a retry hint; anything else is
        # the server's own error (500)
        refusal = services.storage_refusal(err)
        if refusal is None:
            raise err
        current_app.logger.warning("%s %s: storage unavailable: %s", request.method, request.path,
                                   str(err).splitlines()[0][:200] if str(err) else type(err).__name__)
        return _service_error(refusal)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError) -> Any:
        # TRANSLATORS: {reason} (Flask-WTF's, in English) is for English only
        words = msg("页面已过期，请刷新后重试", reason=err.description)
        zh = words.render("zh")
        return jsonify({"error": "csrf", "message": zh, "message_zh": zh, "message_en": words.render("en")}), 400

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Any:
        """The HTTP error in Chinese; its English is the description Werkzeug gives it."""
        zh = HTTP_ERRORS.get(err.code or 500, HTTP_FAILED).render("zh")
        response = jsonify({"error": (err.name or "error").lower().replace(" ", "_"), "message": zh,
                            "message_zh": zh, "message_en": err.description})
        response.status_code = err.code or 500
        valid = getattr(err, "valid_methods", None)
        if valid:
            response.headers["Allow"] = ", ".join(valid)
        return response

    @app.after_request
    def _retry_hint(response: Any) -> Any:
        if response.status_code == 503 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = "5"
        return response

    from . import admin, auth, limits, live, sheets

    for module in (auth, admin, live, sheets):
        app.register_blueprint(module.bp)
    limits.register(app)
    sheets.start_workers(app)
