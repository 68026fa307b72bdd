"""Plain data (JSON-ready dicts, lists, strings, numbers) from frozen dataclasses and back, derived
from their fields and type hints instead of written out per class.

* :func:`to_plain` -- ``{field: value}`` in field order; nested dataclasses through their own
  ``to_dict``, tuples and lists as lists, mappings as dicts.
* :func:`from_plain` -- the reverse for one class: refuses a non-mapping (``not_a_mapping``) and
  unknown keys (``unknown_field``), fills missing keys from the field defaults, and converts each value
  by its type hint: ``tuple[X, ...]`` from a list (``invalid_field`` otherwise), ``Mapping[...]`` from a
  mapping (``not_a_mapping`` otherwise), a :class:`Plain` class through its ``from_dict``, ``X | None``
  keeps None. A missing key without a default is passed on as None for the class to refuse. Checking the
  values themselves is the class's own ``__post_init__``.
* :class:`Plain` -- a mixin giving a dataclass ``to_dict()`` and ``from_dict()`` from the two above.

Every refusal is a :class:`~ballots.errors.RuleError` naming the record ("option", "person", ...).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Protocol, Self

from .errors import RuleError

__all__ = ["Plain", "to_plain", "from_plain", "need_mapping", "need_list", "reject_unknown"]


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


def reject_unknown(d: Mapping[str, Any], allowed: Iterable[str], what: str, *, what_zh: str | None = None) -> None:
    """``RuleError("unknown_field")`` naming every key of ``d`` not in ``allowed``; ``what_zh`` names the
    record in the Chinese message (``what`` when not given)."""
    unknown = set(d) - set(allowed)
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        zh = f"{what_zh}含未知字段：{names}" if what_zh is not None else f"{what} 含未知字段：{names}"
        raise RuleError("unknown_field", zh, f"unknown {what} field(s): {names}")


def _plain_value(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain_value(v) for k, v in value.items()}
    return value


def to_plain(obj: DataclassInstance) -> dict[str, Any]:
    """The fields of the dataclass instance ``obj`` as plain data, in declaration order."""
    return {f.name: _plain_value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The evaluated type hints of ``cls`` (computed once per class)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _from_value(hint: Any, value: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None or len(args) != 1:
            return value
        return _from_value(args[0], value, name)
    if origin is tuple:
        items = typing.get_args(hint)
        item = items[0] if items else Any
        return tuple(_from_value(item, v, name) for v in need_list(value, name))
    if origin in (Mapping, dict):
        return need_mapping(value, name)
    if isinstance(hint, type) and issubclass(hint, Plain):
        return hint.from_dict(value)
    return value


def from_plain(cls: type[Any], d: object, what: str, *, ignore: Iterable[str] = ()) -> Any:
    """An instance of the dataclass ``cls`` built from the mapping ``d`` (see the module docstring).

    ``what`` names the record in error messages; keys in ``ignore`` are accepted and dropped.
    """
    data = need_mapping(d, what)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    reject_unknown(data, [*(f.name for f in fields), *ignore], what)
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in fields:
        if f.name in data:
            kwargs[f.name] = _from_value(hints[f.name], data[f.name], f.name)
        elif f.default is not dataclasses.MISSING:
            kwargs[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            kwargs[f.name] = f.default_factory()
        else:
            kwargs[f.name] = _from_value(hints[f.name], None, f.name)
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
