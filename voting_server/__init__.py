"""Biaojue session server. ``create_app`` is the one place where everything is wired together."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify

from . import config as config_mod
from . import i18n
from .db import Store
from .files import private_tree

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("BIAOJUE_INSTANCE") \
        or os.path.join(os.getcwd(), "instance")
    # mode 0700, every file in it 0600: the database, keys, documents are this user's only
    narrowed = private_tree(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(config_mod.load(overrides, instance_path))
    app.config.setdefault("UPLOAD_FOLDER", os.path.join(instance_path, "documents"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if narrowed:
        logging.getLogger(__name__).warning("%d files or folders of %s were readable by others: narrowed to "
                                            "mode 0600 (folders 0700)", narrowed, instance_path)

    if app.config["ASYNC_MODE"] == "eventlet":
        # psycopg 3 must wait through select() under eventlet, or one slow query stalls every
        # connection; read at psycopg's import, so set before the first engine is made.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    i18n.catalogue()  # the server's words: read once, here, so that a broken catalogue stops the start
    store = Store(app.config["DATABASE_URL"], timeout=float(app.config["DATABASE_TIMEOUT"]),
                  keys_dir=os.path.join(instance_path, "ballotbox"))
    from .migrate import upgrade

    with store.unbounded():  # a migration may take long
        upgrade(store)
    from .services.box import destroy_spent_keys
    from .services.keyholders import publish_all_counted

    destroy_spent_keys(store)  # a crash between a close's commit and its key's removal leaves none behind
    publish_all_counted(store)  # nor one between the 监票人's last decryption and the result
    from .ballotbox import CheckerPool

    store.ballot_checker = CheckerPool(app.config["BALLOT_CHECK_WORKERS"])  # tablets' ballots, off the loop
    app.extensions["biaojue_store"] = store

    @app.get("/healthz")
    def healthz() -> Any:
        """The database and the message queue, each with a reason when it fails: ``ok``, ``degraded`` (the
        queue between processes is down: this process still serves its own terminals) or ``down`` (the
        database does not answer within DATABASE_TIMEOUT, or refuses writes; 503)."""
        database = store.health()
        live = app.extensions.get("biaojue_live")
        mq = live.queue if live is not None else None
        queue = mq.health.to_dict() if mq is not None else {"ok": True, "configured": False}
        status = "ok" if database["ok"] and queue["ok"] else "degraded" if database["ok"] else "down"
        return jsonify(status=status, database=database, queue=queue), 503 if status == "down" else 200

    from .web import register as register_web

    register_web(app)
    from .realtime import init_realtime

    init_realtime(app, store)
    if app.config["TRUSTED_PROXIES"]:
        # behind a reverse proxy: the client's address (login limits) and scheme (Secure cookies) are the
        # ones the trusted proxies forward; the Host header is never taken from them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    try:
        from terminal_ui import blueprint as ui_blueprint

        app.register_blueprint(ui_blueprint)
    except ImportError:  # pages not installed: the server and its API still work
        pass
    return app

