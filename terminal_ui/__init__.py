"""The pages people meet: seat tablet, chair console, clerk console and hall display.

A Flask blueprint of templates and static files. It talks to the session server only over HTTP and
Socket.IO and imports nothing of ``voting_server``."""
from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ui")


@blueprint.get("/")
def index() -> str:
    return render_template("index.html")
