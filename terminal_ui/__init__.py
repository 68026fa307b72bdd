"""The pages people meet: seat tablet, chair console, clerk console and hall display.

A Flask blueprint of templates, static files and the message catalogues. It talks to the session server
only over HTTP and Socket.IO and imports nothing of ``voting_server`` (only the pure ``ballots`` labels).
Every asset is served from ``static/`` (a closed LAN has no internet): the Socket.IO browser client is
installed into ``static/vendor/`` by ``make``.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response as BaseResponse

from . import catalogue
from .options import option_sets

blueprint = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ui")

PAGES = ("seat", "chair", "clerk", "display", "verify")
EXTENSION = "terminal_ui.catalogues"
OPTIONS = "terminal_ui.options"


@blueprint.record_once
def _load_catalogues(state: BlueprintSetupState) -> None:
    """Read the catalogues once, when the pages are registered: a broken catalogue stops the start."""
    state.app.extensions[EXTENSION] = catalogue.load()
    state.app.extensions[OPTIONS] = option_sets()


def _catalogues() -> dict[str, catalogue.Catalogue]:
    return current_app.extensions[EXTENSION]


def _lang() -> str:
    """The language the page starts in (the switch in every page header changes it and the cookie)."""
    chosen = request.cookies.get("lang", "")
    return chosen if chosen in _catalogues() else catalogue.SOURCE


@blueprint.context_processor
def _translations() -> dict[str, Any]:
    """``t("key")`` in the templates: the same catalogue as the scripts, in the page's language."""
    found = _catalogues()
    lang = _lang()
    codes = list(found)
    other = found[codes[(codes.index(lang) + 1) % len(codes)]]
    return {"t": found[lang].text, "lang": lang, "html_lang": html_lang(lang),
            "other_lang": {"code": other.lang, "html_lang": html_lang(other.lang), "name": other.text("lang.name"),
                           "switch": other.text("lang.switch_to")}}


def html_lang(lang: str) -> str:
    """The page's ``lang`` attribute: simplified Chinese as written in mainland China."""
    return "zh-CN" if lang == "zh" else lang


@blueprint.get("/i18n/<lang>.json")
def messages(lang: str) -> BaseResponse:
    """One language's catalogue for the scripts; revalidated by its ETag, so a reload costs a 304."""
    found = _catalogues().get(lang)
    if found is None:
        known = list(_catalogues())
        zh = f"没有该语言的译文：{lang}（可选：{'、'.join(known)}）"
        response = jsonify(ok=False, error="unknown_language", message=zh, message_zh=zh,
                           message_en=f"no translation for language {lang!r} (available: {', '.join(known)})")
        response.status_code = 404
        return response
    response = Response(found.body, mimetype="application/json")
    response.set_etag(found.etag)
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@blueprint.get("/ui/options.json")
def options() -> BaseResponse:
    """The options of each ballot kind, from the rules engine (see :mod:`terminal_ui.options`)."""
    response = jsonify(current_app.extensions[OPTIONS])
    response.add_etag()
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@blueprint.get("/")
def index() -> str:
    return _page("index")


def _page(name: str) -> str:
    return render_template(f"{name}.html", page=name, page_key=f"{name}.page_title")


def _view(name: str) -> Any:
    def view() -> str:
        return _page(name)

    view.__name__ = name
    view.__doc__ = f"The {name} page."
    return view


for name in PAGES:
    blueprint.add_url_rule(f"/{name}", name, _view(name), methods=["GET"])
