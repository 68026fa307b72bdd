"""The pages people meet: seat tablet, chair console, clerk console and hall display.

A Flask blueprint of templates and static files. It talks to the session server only over HTTP and
Socket.IO and imports nothing of ``voting_server``. Every asset is served from ``static/`` (a closed
LAN has no internet): the Socket.IO browser client is installed into ``static/vendor/`` by ``make``.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

blueprint = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ui")

PAGES = ("seat", "chair", "clerk", "display")


def _lang() -> str:
    """The language the page starts in (the switch in every page header changes it)."""
    return "en" if request.cookies.get("lang") == "en" else "zh"


@blueprint.get("/")
def index() -> str:
    return render_template("index.html", page="index", lang=_lang())


def _page(name: str) -> str:
    response = render_template(f"{name}.html", page=name, lang=_lang())
    return response


@blueprint.get("/seat")
def seat() -> str:
    return _page("seat")


@blueprint.get("/chair")
def chair() -> str:
    return _page("chair")


@blueprint.get("/clerk")
def clerk() -> str:
    return _page("clerk")


@blueprint.get("/display")
def display() -> str:
    return _page("display")


@blueprint.get("/verify")
def verify() -> str:
    """Public: anyone with a sheet (or its QR code) checks it here."""
    return _page("verify")
