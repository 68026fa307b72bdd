"""Per-address rate limits (Flask-Limiter) on what anyone may call without signing in.

Every request of an anonymous caller (no staff session, no tablet token) counts against
``RATE_LIMIT_ANONYMOUS`` for its address; verification (``RATE_LIMIT_VERIFY``) and sign-in attempts, the
staff login and PIN pairing (``RATE_LIMIT_LOGIN``), have tighter limits of their own. Staff consoles and
paired tablets are not limited here. ``/healthz`` and static files are never limited. Past a limit the
answer is 429 ``rate_limited`` with ``Retry-After``. The counters live in Redis when a message queue is
configured (every process of the hall shares them), in memory otherwise. A Redis that does not answer
within ``RATE_LIMIT_STORAGE_TIMEOUT`` never holds a request up: the counters move to memory for the
while (Flask-Limiter's fallback) and back when Redis answers again."""
from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, g, jsonify, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import SQLAlchemyError

from .. import services
from ..i18n import msg


def client_address() -> str:
    """The caller's address (behind ``TRUSTED_PROXIES`` reverse proxies, the one they forward)."""
    return request.remote_addr or "?"


def signed_in() -> bool:
    """A staff session or a paired tablet: not limited here (each has its own limits)."""
    if "biaojue_signed_in" in g:
        return bool(g.biaojue_signed_in)
    from . import current_actor

    try:
        who = current_actor().role != "anonymous"
    except services.ServiceError:  # a revoked or unknown token: counted as anonymous
        who = False
    except SQLAlchemyError:
        # the database does not answer, so who it is cannot be told: counted as anonymous, and the view
        # refuses the request (503) when it asks who is calling. Never raised to Flask-Limiter: it takes
        # any error for its own storage failing and asks again, a wait as long as the database's stall.
        who = False
    g.biaojue_signed_in = who
    return who


LIMITED = {"auth.login": ("RATE_LIMIT_LOGIN", "login"), "auth.pair": ("RATE_LIMIT_LOGIN", "login"),
           "sheets.verify_reference": ("RATE_LIMIT_VERIFY", "verify"),
           "sheets.verify_upload": ("RATE_LIMIT_VERIFY", "verify")}


def register(app: Flask) -> None:
    """One limiter per app, its limits read from the app's configuration; the routes of ``LIMITED`` get
    their own limits (shared between the routes of one scope), every other route the anonymous default."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("MESSAGE_QUEUE") or "memory://"
    timeout = float(app.config["RATE_LIMIT_STORAGE_TIMEOUT"])
    options: dict[str, Any] = {}
    if storage.startswith("redis"):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # redis-py waits for an answer without end, and then tries three times more: a stalled Redis would
        # stall every anonymous request. One try, bounded, and the limiter counts in memory meanwhile.
        options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": Retry(NoBackoff(), 0)}
    limiter = Limiter(
        key_func=client_address, app=app, default_limits=[app.config["RATE_LIMIT_ANONYMOUS"]],
        default_limits_exempt_when=signed_in, headers_enabled=False, swallow_errors=True,
        in_memory_fallback_enabled=True, key_prefix="biaojue-limits",
        storage_uri=storage, storage_options=options)
    app.extensions["biaojue_limiter"] = limiter
    for endpoint, (key, scope) in LIMITED.items():
        view: Any = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.shared_limit(app.config[key], scope=scope, exempt_when=signed_in)(view)

    @limiter.request_filter
    def _never_limited() -> bool:
        return request.path == "/healthz" or (request.endpoint or "").endswith("static")

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(err: RateLimitExceeded) -> Any:
        current = limiter.current_limit
        retry_after = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
        # TRANSLATORS: {limit} (e.g. "20 per 1 minute") is for English only
        words = msg("请求过于频繁，请在{retry_after}秒后再试", retry_after=retry_after, limit=err.description)
        response = jsonify({"error": "rate_limited", "message": words.render(_lang()), "message_zh": words.render("zh"),
                            "message_en": words.render("en"), "details": {"retry_after": retry_after,
                                                                           "limit": err.description}})
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
        return response


def _lang() -> str:
    from . import lang

    return lang()
