"""Every command a terminal or console can send, declared once: its name, its arguments (typed and
validated from JSON), the service it calls (which holds the permission it needs), what its
acknowledgement holds, and its HTTP route. Socket.IO (``realtime``) and HTTP (``web``) are thin
adapters over this table; docs/protocol.md documents every row (a test holds them together).

* ``live``: the live sitting, sent by terminals over Socket.IO (and each also an HTTP route);
* ``preparation``: preparing sittings and keeping records, over HTTP.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..db import Store
from ..services import Actor
from . import live, preparation
from .table import (
    UNSET,
    Batch,
    Command,
    FieldSpec,
    Route,
    Upload,
    check_payload,
    unknown_event,
)

COMMANDS: dict[str, Command[Any, Any]] = {c.name: c for c in (*live.COMMANDS, *preparation.COMMANDS)}
LIVE: dict[str, Command[Any, Any]] = {c.name: c for c in live.COMMANDS}
PREPARATION: dict[str, Command[Any, Any]] = {c.name: c for c in preparation.COMMANDS}
assert len(COMMANDS) == len(live.COMMANDS) + len(preparation.COMMANDS), "a command name is used twice"


def dispatch(store: Store, actor: Actor, name: str, payload: object = None, **given: object) -> dict[str, Any]:
    """Read and run one command as a transport would (``given``: the values its path or connection
    gives); answers the acknowledgement, or raises the refusal."""
    command = COMMANDS.get(name)
    if command is None:
        raise unknown_event(name)
    args = command.parse(payload, given)
    return command.ack(command.run(store, actor, args), args)


def schema(name: str, given: Mapping[str, object] = {}) -> dict[str, FieldSpec]:
    """The fields a request of the command carries, by name."""
    return {f.name: f for f in COMMANDS[name].payload_fields(given)}


__all__ = ["COMMANDS", "LIVE", "PREPARATION", "UNSET", "Batch", "Command", "FieldSpec", "Route", "Upload",
           "check_payload", "dispatch", "schema", "unknown_event"]
