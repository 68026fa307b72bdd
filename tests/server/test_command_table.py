"""The command table holds together with what it declares: docs/protocol.md documents every command
(section 4 the Socket.IO commands, section 5 the HTTP routes) and lists no command the table lacks;
every command's arguments reach its service's parameters; every live command's fields have JSON
types a terminal can send."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

from voting_server import commands
from voting_server.commands.table import keywords

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
COMMAND_SECTIONS = ("Live sitting", "Preparation and records")  # section 5: what is not login or pairing


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"^#{2,3} ", text[start + len(heading):], re.M)
    return text[start:start + len(heading) + following.start()] if following else text[start:]


def first_cells(text: str) -> list[str]:
    return [line.split("|")[1] for line in text.splitlines() if line.startswith("| ") and not line.startswith("|--")]


def normal(path: str) -> str:
    return re.sub(r"<[^>]*>", "<>", path.split("?", 1)[0].split("[", 1)[0])


def documented_commands() -> set[str]:
    table = section(PROTOCOL.read_text(encoding="utf-8"), "## 4. Terminal → server commands")
    return {name for cell in first_cells(table) for name in re.findall(r"`(\w+)`", cell)} - {"command"}


def documented_routes() -> set[tuple[str, str]]:
    """``METHOD /path`` of section 5's command tables; ``/close`` after ``POST /api/sittings/<id>/open``
    is the same method on a sibling path, ``POST …`` after ``GET /api/x`` the same path."""
    text = PROTOCOL.read_text(encoding="utf-8")
    routes: set[tuple[str, str]] = set()
    for heading in COMMAND_SECTIONS:
        for cell in first_cells(section(text, f"### {heading}")):
            method, path = "", ""
            for part in re.findall(r"`([^`]+)`", cell):
                words = part.split()
                if len(words) == 2 and words[0].isupper():
                    method, path = words[0], (path if words[1] == "…" else words[1])
                elif part.startswith("/") and path:
                    path = path.rsplit("/", 1)[0] + part
                else:
                    continue
                routes.add((method, normal(path)))
    return {(m, p) for m, p in routes if m != "GET"}


def table_routes() -> dict[tuple[str, str], str]:
    return {(c.http.method, normal("/api" + c.http.rule)): name for name, c in commands.COMMANDS.items()
            if c.http is not None}


def test_every_live_command_is_in_section_4_and_no_other():
    documented, live = documented_commands(), set(commands.LIVE)
    assert live - documented == set(), f"commands without a row in protocol.md section 4: {sorted(live - documented)}"
    lacking = sorted(documented - live)
    assert not lacking, f"protocol.md section 4 lists commands the table lacks: {lacking}"


def test_every_http_command_is_in_section_5_and_no_other():
    documented, routes = documented_routes(), table_routes()
    missing = {routes[key] for key in set(routes) - documented}
    assert not missing, f"commands whose route has no row in protocol.md section 5: {sorted(missing)}"
    assert documented - set(routes) == set(), \
        f"protocol.md section 5 lists commands the table lacks: {sorted(documented - set(routes))}"
    assert len(documented) == len(commands.COMMANDS) - 1  # every command but the snapshot has a route


def test_every_command_reaches_its_services_parameters():
    """The arguments a command passes (by name, unless the row says how it calls) bind to its service."""
    for name, command in commands.COMMANDS.items():
        if command.service is None or command.call is not None:
            continue
        placeholder = {f.name: object() for f in command.fields}
        args = command.args.__new__(command.args)
        for key, value in placeholder.items():
            object.__setattr__(args, key, value)
        try:
            inspect.signature(command.service).bind("store", "actor", **keywords(args))
        except TypeError as err:
            raise AssertionError(f"{name}: {err}") from err


def test_live_fields_have_json_types_and_rules():
    for name, command in commands.LIVE.items():
        for field in command.fields:
            assert field.source in ("payload", "connection"), (name, field.name)
            assert field.rule is not None and field.rule.json_types, (name, field.name)
