"""How a command is declared and read: its arguments (a frozen dataclass whose fields name the rule
of their value and where the value comes from), the service it calls, what its answer holds, its
HTTP route and whether terminals send it over Socket.IO.

Reading a request (``parse``) refuses, and changes nothing: a payload that is not an object
(``bad_payload``), one larger than the transport allows (``payload_too_large``), an unknown field
(``unknown_field``), a missing one (``missing_field``); for a live command (one terminals send over
Socket.IO) a field of the wrong JSON type (``bad_field``, docs/protocol.md section 4); then each
value's own rule (``bad_timer``, ``text_too_long`` …)."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..db import Store
from ..i18n import msg
from ..services import Actor, Invalid, permission_of
from ..services.values import Rule, fits

A = TypeVar("A")
R = TypeVar("R")
T = TypeVar("T")


class Unset:
    """A field that was not sent (where ``null`` means something else: clear the value)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


@dataclass(frozen=True)
class Upload:
    """An uploaded file (only HTTP fills it): its base name and its bytes (at most the limit + 1, so that
    a service tells a file that is too large without reading all of it)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    """Where a field's value comes from and the rule it is read with. ``payload``: the request (over
    HTTP, a field named in the route's path is read from the path); ``connection``: over Socket.IO the
    connection's sitting, over HTTP the path; ``server``: a setting only the server fills; ``upload``:
    the HTTP form field ``file``. ``param`` is the service's name for it; ``passed=False`` fields
    are for the command only."""

    name: str
    rule: Rule[Any] | None
    source: str
    required: bool
    setting: str | None = None
    param: str | None = None
    passed: bool = True

    def read(self, raw: object, *, strict: bool) -> object:
        if self.rule is None:
            return raw
        if strict and not fits(raw, self.rule.json_types):
            names = "/".join(t.__name__ for t in self.rule.json_types)
            # TRANSLATORS: {types} (the JSON types the field takes) is for English only
            raise Invalid("bad_field", msg("字段{field}类型错误", field=self.name, types=names))
        return self.rule.parse(raw)


def as_is(result: Mapping[str, Any], args: object) -> dict[str, Any]:
    """The answer of a command whose service already returns the answer's fields."""
    return dict(result)


def arg(rule: Rule[T] | None = None, *, default: object = dataclasses.MISSING, source: str = "payload",
        setting: str | None = None, param: str | None = None, passed: bool = True) -> Any:
    """A field of a command's arguments (see ``FieldSpec``)."""
    meta = {"source": source, "rule": rule, "setting": setting, "param": param, "passed": passed}
    return dataclasses.field(default=default, metadata=meta)


_FIELDS: dict[type, tuple[FieldSpec, ...]] = {}


def fields_of(args: type) -> tuple[FieldSpec, ...]:
    """The fields of an arguments dataclass (read once per class)."""
    if args not in _FIELDS:
        _FIELDS[args] = tuple(
            FieldSpec(name=f.name, rule=f.metadata.get("rule"), source=f.metadata.get("source", "payload"),
                      required=f.default is dataclasses.MISSING, setting=f.metadata.get("setting"),
                      param=f.metadata.get("param"), passed=f.metadata.get("passed", True))
            for f in dataclasses.fields(args))
    return _FIELDS[args]


@dataclass(frozen=True)
class Route:
    """The command's HTTP route (under /api). The body is a JSON object; it is required when the
    command has a required field in it, or ``body_required`` says so."""

    method: str
    rule: str
    status: int = 200
    body_required: bool = False


@dataclass(frozen=True)
class Batch(Generic[A]):
    """Commands the one writer commits together (casts, sign-ins): the request one command makes and
    the service that commits a batch of them, answering each on its own."""

    request: Callable[[Actor, A], object]
    run: Callable[[Store, list[Any]], list[Any]]
    # requests whose commit waits on seconds of work in the ballot checker (a tablet's 票决 ballot): the
    # writer commits them a few at a time, so that the first of a hall are answered while the rest are checked
    heavy: Callable[[Any], bool] | None = None


def _nothing(result: object, args: object) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Command(Generic[A, R]):
    """One command. ``service`` is the service it calls (its permission is read from it), ``call`` how
    (by default with the arguments as keywords); ``answer`` builds what the acknowledgement holds besides
    ``ok``. A ``service`` of None is answered by the connection itself (the snapshot)."""

    name: str
    args: type[A]
    service: Callable[..., R] | None
    answer: Callable[[R, A], dict[str, Any]] = _nothing
    http: Route | None = None
    live: bool = False
    call: Callable[[Store, Actor, A], R] | None = None
    batch: Batch[A] | None = None
    max_payload: int | None = None  # bytes of JSON over Socket.IO, if more than the default

    @property
    def permission(self) -> str | None:
        return None if self.service is None else permission_of(self.service)

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return fields_of(self.args)

    def payload_fields(self, path: Mapping[str, object] = {}) -> tuple[FieldSpec, ...]:
        """The fields a request carries (not its path's, the connection's, the server's or an upload)."""
        return tuple(f for f in self.fields if f.source == "payload" and f.name not in path)

    def parse(self, payload: object, given: Mapping[str, object] = {}, *, limit: int | None = None) -> A:
        """The arguments from a request's payload and the values its transport gives (path, connection,
        server, upload)."""
        data = check_payload(payload, limit)
        fields = self.payload_fields(given)
        known = {f.name for f in fields}
        unknown = sorted((k for k in data if k not in known), key=str)
        if unknown:
            names = ", ".join(str(k)[:30] for k in unknown[:5])
            raise Invalid("unknown_field", msg("未知字段：{fields}", fields=names), allowed=sorted(known))
        missing = [f.name for f in fields if f.required and f.name not in data]
        if missing:
            raise Invalid("missing_field", msg("缺少字段：{fields}", fields=', '.join(missing)))
        values: dict[str, object] = {}
        for f in self.fields:
            if f.name in given:
                values[f.name] = f.read(given[f.name], strict=self.live)
            elif f.name in data and f.source == "payload":
                values[f.name] = f.read(data[f.name], strict=self.live)
        return self.args(**values)

    def run(self, store: Store, actor: Actor, args: A) -> R:
        """Call the service (which checks the actor's permission, then writes or refuses)."""
        if self.call is not None:
            return self.call(store, actor, args)
        assert self.service is not None, f"{self.name} is answered by the connection"
        return self.service(store, actor, **keywords(args))

    def ack(self, result: R, args: A) -> dict[str, Any]:
        return {"ok": True, **self.answer(result, args)}


def keywords(args: object) -> dict[str, object]:
    """The arguments as the service's keywords (fields not sent are left to the service's defaults)."""
    out: dict[str, object] = {}
    for f in fields_of(type(args)):
        value = getattr(args, f.name)
        if f.passed and value is not UNSET:
            out[f.param or f.name] = value
    return out


def given_fields(args: object, names: tuple[str, ...]) -> dict[str, object]:
    """The named fields that were sent (a roster entry: only what was given replaces what is stored)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not UNSET}


def check_payload(payload: object, limit: int | None) -> Mapping[str, object]:
    """A payload is an object (none counts as ``{}``), of at most ``limit`` bytes of JSON."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise Invalid("bad_payload", msg("数据格式错误：应为对象"))
    if limit is not None:
        try:
            size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError):
            raise Invalid("bad_payload", msg("数据无法解析")) from None
        if size > limit:
            # TRANSLATORS: {limit} (in bytes) is for English only
            raise Invalid("payload_too_large", msg("数据过大", limit=limit))
    return payload


def unknown_event(name: object) -> Invalid:
    text = str(name)[:40]
    return Invalid("unknown_event", msg("未知命令：{command}", command=text))
