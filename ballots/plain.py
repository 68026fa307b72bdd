"""Plain data (JSON-ready dicts, lists, strings, numbers) from frozen dataclasses and back, derived
from their fields and type hints instead of written out per class.

* :func:`to_plain` -- ``{field: value}`` in field order; tuples and lists as lists, mappings as dicts,
  any other value with a ``to_dict`` (a nested record, a threshold) through it.
* :func:`from_plain` -- the reverse for one class: refuses a non-mapping (``not_a_mapping``) and
  unknown keys (``unknown_field``), fills missing keys from the field defaults, and converts each value
  by its type hint: ``tuple[X, ...]`` from a list (``invalid_field`` otherwise), ``Mapping[...]`` from a
  mapping (``not_a_mapping`` otherwise), a :class:`Plain` class through its ``from_dict``, ``X | None``
  keeps None. A missing key without a default is read as None (a list field then reports "not a list",
  any other field reaches the class's own check). Checking values is the class's ``__post_init__``.
* :class:`Plain` -- a mixin giving a dataclass ``to_dict()`` and ``from_dict()`` from the two above.
* :func:`later` -- declares a field added after data was first stored: it is written only when its value
  differs from its default, so everything stored before it existed keeps its exact stored form (and
  reads back unchanged, the missing key taking the default).

Every refusal is a :class:`~ballots.errors.RuleError` naming the record ("option", "person", ...).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Protocol, Self

from .errors import RuleError

__all__ = ["Plain", "later", "to_plain", "from_plain", "need_mapping", "need_list", "need_choice", "reject_unknown"]


class DataclassInstance(Protocol):
    """What :func:`dataclasses.fields` accepts: an instance of a dataclass."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]


def need_mapping(value: object, what: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else ``RuleError("not_a_mapping")``."""
    if not isinstance(value, Mapping):
        raise RuleError(
            "not_a_mapping", f"{what} 必须是映射，收到的是 {value!r}", f"{what} must be a mapping, got {value!r}"
        )
    return value


def need_list(value: object, what: str) -> list[Any]:
    """``value`` as a list if it is a list or tuple, else ``RuleError("invalid_field")``."""
    if not isinstance(value, (list, tuple)):
        raise RuleError(
            "invalid_field", f"{what} 必须是列表，收到的是 {value!r}", f"{what} must be a list, got {value!r}"
        )
    return list(value)


def need_choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    """``value`` if it is one of ``allowed``, else ``RuleError("invalid_field")`` naming the setting ``what``."""
    if not isinstance(value, str) or value not in allowed:
        raise RuleError(
            "invalid_field",
            f"{what} 必须是 {'、'.join(allowed)} 之一，收到的是 {value!r}",
            f"{what} must be one of {', '.join(allowed)}, got {value!r}",
        )
    return value


def reject_unknown(d: Mapping[str, Any], allowed: Iterable[str], what: str, *, what_zh: str | None = None) -> None:
    """``RuleError("unknown_field")`` naming every key of ``d`` not in ``allowed``; ``what_zh`` names the
    record in the Chinese message (``what`` when not given)."""
    unknown = set(d) - set(allowed)
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        zh = f"{what_zh}含未知字段：{names}" if what_zh is not None else f"{what} 含未知字段：{names}"
        raise RuleError("unknown_field", zh, f"unknown {what} field(s): {names}")


_LATER = "biaojue.plain.later"


def later(default: Any = None, *, factory: Callable[[], Any] | None = None, repr: bool = True) -> Any:
    """A dataclass field added after records were first stored: ``to_plain`` leaves it out while it holds
    its default (``default``, or what ``factory()`` makes), so older stored forms stay exactly as they
    were and read back unchanged. ``repr=False`` also keeps it out of ``repr()``."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, repr=repr, metadata={_LATER: factory})
    return dataclasses.field(default=default, repr=repr, metadata={_LATER: lambda: default})


_SCALARS = (str, int, bool, type(None))
#: Per class: (field name, the default it is left out at, or _ALWAYS when it is always written).
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}
_ALWAYS = object()


def _stored_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(
            (f.name, f.metadata[_LATER]() if _LATER in f.metadata else _ALWAYS) for f in dataclasses.fields(cls)
        )
    return _FIELDS[cls]


def _plain_value(value: object) -> object:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (tuple, list)):
        return [_plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain_value(v) for k, v in value.items()}
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def to_plain(obj: DataclassInstance) -> dict[str, Any]:
    """The fields of the dataclass instance ``obj`` as plain data, in declaration order; a :func:`later`
    field is left out while it holds its default."""
    out: dict[str, Any] = {}
    for name, skip_at in _stored_fields(type(obj)):
        value = getattr(obj, name)
        if skip_at is _ALWAYS or value != skip_at:
            out[name] = _plain_value(value)
    return out


#: Converts one stored value of a field (named by the second argument) to what the constructor takes.
Convert = Callable[[Any, str], Any]


def _as_is(value: Any, name: str) -> Any:
    return value


def _converter(hint: Any) -> Convert:
    """How a stored value becomes a field value, from the field's type hint."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            return _as_is
        inner = _converter(args[0])
        return lambda value, name: None if value is None else inner(value, name)
    if origin is tuple:
        items = typing.get_args(hint)
        item = _converter(items[0]) if items else _as_is
        return lambda value, name: tuple(item(v, name) for v in need_list(value, name))
    if origin in (Mapping, dict):
        return need_mapping
    if isinstance(hint, type) and issubclass(hint, Plain):
        return lambda value, name: hint.from_dict(value)
    return _as_is


#: Per field: name, converter, and a maker of its default (None when it has none).
_Plan = tuple[tuple[str, Convert, Callable[[], Any] | None], ...]
_PLANS: dict[type, _Plan] = {}


def _default(f: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    if f.default is not dataclasses.MISSING:
        value = f.default
        return lambda: value
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory
    return None


def _plan(cls: type) -> _Plan:
    """How to build ``cls`` from plain data (worked out once per class)."""
    if cls not in _PLANS:
        hints = typing.get_type_hints(cls)
        _PLANS[cls] = tuple((f.name, _converter(hints[f.name]), _default(f)) for f in dataclasses.fields(cls) if f.init)
    return _PLANS[cls]


def from_plain(cls: type[Any], d: object, what: str, *, ignore: Iterable[str] = ()) -> Any:
    """An instance of the dataclass ``cls`` built from the mapping ``d`` (see the module docstring).

    ``what`` names the record in error messages; keys in ``ignore`` are accepted and dropped.
    """
    data = need_mapping(d, what)
    plan = _plan(cls)
    if not data.keys() <= {name for name, _, _ in plan}:
        reject_unknown(data, [*(name for name, _, _ in plan), *ignore], what)
    kwargs: dict[str, Any] = {}
    for name, convert, default in plan:
        if name in data:
            kwargs[name] = convert(data[name], name)
        elif default is not None:
            kwargs[name] = default()
        else:
            kwargs[name] = convert(None, name)
    return cls(**kwargs)


class Plain:
    """Mixin for frozen dataclasses stored as plain data: ``to_dict()`` and ``from_dict()`` from the fields.

    ``plain_name`` names the record in the errors of :meth:`from_dict`.
    """

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    plain_name: ClassVar[str] = "record"

    def to_dict(self) -> dict[str, Any]:
        """Plain data; :meth:`from_dict` rebuilds an equal object."""
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """Rebuild from :meth:`to_dict` output; unknown keys and malformed values raise :class:`RuleError`."""
        built: Self = from_plain(cls, d, cls.plain_name)
        return built
