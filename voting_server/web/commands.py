"""HTTP over the command table: one route per command row that names one. A route reads the command's
arguments from its path, its JSON body, an uploaded file and the server's settings, runs the command
and answers what its acknowledgement holds (``{"ok": true}`` when that is nothing)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, current_app, request

from ..commands import Command, Upload
from ..i18n import msg
from ..services import Invalid
from ..services.base import require
from . import current_actor, json_body, ok, public_url, store


def register_commands(bp: Blueprint, commands: Iterable[Command[Any, Any]]) -> None:
    for command in commands:
        if command.http is not None:
            bp.add_url_rule(command.http.rule, endpoint=command.name, view_func=_view(command),
                            methods=[command.http.method])


def _view(command: Command[Any, Any]) -> Callable[..., Any]:
    assert command.http is not None
    route = command.http

    def view(**path: object) -> Any:
        actor = current_actor()
        given: dict[str, object] = dict(path)
        uploads = [f for f in command.fields if f.source == "upload"]
        if uploads and command.permission is not None:
            require(actor, command.permission)  # refuse before reading what was sent
        for f in command.fields:
            if f.source == "upload":
                given[f.name] = read_upload(int(current_app.config[f.setting or ""]))
            elif f.source == "server":
                given[f.name] = setting(f.setting or "")
        payload = {} if uploads else _body(command, given, route.body_required)
        args = command.parse(payload, given)
        answer = command.answer(command.run(store(), actor, args), args)
        return ok(answer or None, route.status)

    view.__name__ = command.name
    view.__doc__ = f"The ``{command.name}`` command (voting_server.commands)."
    return view


def _body(command: Command[Any, Any], given: dict[str, object], required: bool) -> object:
    """The request's JSON object: required when the command needs a field from it."""
    if required or any(f.required for f in command.payload_fields(given)):
        return json_body()
    return json_body() if request.data else {}


def setting(name: str) -> object:
    """A value only the server fills: the address tablets reach it at, or a setting of the app."""
    if name == "BASE_URL":  # pairing links: the clerk's own address only where no public address is set
        return public_url() or request.host_url
    return current_app.config[name]


def read_upload(limit: int) -> Upload:
    """The uploaded file (form field ``file``): its base name and at most ``limit`` + 1 bytes, so that
    the service can tell a too-large file without reading all of it."""
    f = request.files.get("file")
    if f is None or not f.filename:
        raise Invalid("missing_file", msg("请选择要上传的文件（表单字段 file）"))
    name = f.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return Upload(filename=name, data=f.stream.read(limit + 1))
