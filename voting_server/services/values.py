"""The rules of the small values people type and terminals send: texts, dates, enumerations, bounded
numbers, flags, ids and objects. Each rule is written once, with its refusal (a stable code and a
message, :mod:`voting_server.i18n`); a rule of a named value (a text, a date, a flag, an id) names it
with a message too (``Text(msg("姓名"), max_len=100)``), which its refusals fill in.

* ``check(value)`` holds a value of the right type to the rule. Services call it on their typed
  parameters, so that every caller (a terminal, the command line, a test) is held to it.
* ``parse(raw)`` takes any JSON value: a wrong type is refused with the rule's own refusal, then the
  value is checked. The command table calls it when it reads a request.
* ``json_types`` are the JSON types a rule takes; a live command refuses any other type with
  ``bad_field`` before the rule sees it (docs/protocol.md, section 4).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..i18n import Message, msg
from .base import Invalid

T = TypeVar("T")


class Rule(Generic[T]):
    """A rule for one value: its JSON types, its refusal of a wrong type, and ``check``."""

    json_types: tuple[type, ...] = ()

    def parse(self, raw: object) -> T:
        if not fits(raw, self.json_types):
            raise self.wrong_type(raw)
        return self.check(raw)  # type: ignore[arg-type]

    def wrong_type(self, raw: object) -> Invalid:
        raise NotImplementedError

    def check(self, value: T) -> T:
        return value


def fits(raw: object, types: tuple[type, ...]) -> bool:
    """Whether a JSON value has one of ``types``; a boolean is a number only where ``bool`` is named."""
    if isinstance(raw, bool) and bool not in types:
        return False
    return isinstance(raw, types)


@dataclass(frozen=True)
class Refusal:
    """A refusal with the value it names: ``{value}`` in its message (at most 30 characters of it)."""

    code: str
    message: Message

    def __call__(self, value: object = None) -> Invalid:
        return Invalid(self.code, self.message.fill(value=str(value)[:30]))


def is_int(value: object) -> bool:
    """JSON integers only: a boolean is not a number here."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- texts and dates ------------------------------------------------------------------------------


def clean_text(value: str, what: Message, *, max_len: int, allow_empty: bool = False) -> str:
    """A single line of text: trimmed, no control characters, within ``max_len`` characters."""
    text = value.strip()
    if not text and not allow_empty:
        raise Invalid("missing_text", msg("请填写{what}", what=what))
    if len(text) > max_len:
        raise Invalid("text_too_long", msg("{what}不能超过{max_len}个字", what=what, max_len=max_len))
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise Invalid("bad_characters", msg("{what}含有无效字符", what=what))
    return text


@dataclass(frozen=True)
class Text(Rule[str]):
    """A line of text. ``null`` is the empty text where empty is allowed."""

    what: Message
    max_len: int
    allow_empty: bool = False
    json_types = (str,)

    def parse(self, raw: object) -> str:
        return "" if raw is None and self.allow_empty else super().parse(raw)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_text", msg("{what}必须是文字", what=self.what))

    def check(self, value: str) -> str:
        return clean_text(value, self.what, max_len=self.max_len, allow_empty=self.allow_empty)


def parse_date(value: object, what: Message, *, default: dt.date | None) -> dt.date | None:
    """A date written 2026-01-31 (or with / or .), a date, or nothing (``default``)."""
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            pass
    raise Invalid("bad_date", msg("{what}格式错误（应为 2026-01-31）：{value}", what=what, value=str(value)[:30]))


@dataclass(frozen=True)
class Day(Rule["dt.date | str | None"]):
    """A date (or its text, 2026-01-31); nothing given is ``None``."""

    what: Message
    json_types = (str, type(None))

    def parse(self, raw: object) -> dt.date | None:
        return parse_date(raw, self.what, default=None)

    def check(self, value: dt.date | str | None) -> dt.date | None:
        return parse_date(value, self.what, default=None)


# --- choices, numbers, flags, ids, objects -----------------------------------------------------------


@dataclass(frozen=True)
class OneOf(Rule[str]):
    """One of a few words (a status, a kind, a method...)."""

    values: tuple[str, ...]
    refusal: Refusal
    json_types = (str,)

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal(raw)

    def check(self, value: str) -> str:
        if value not in self.values:
            raise self.refusal(value)
        return value


@dataclass(frozen=True)
class Bounded(Rule[int]):
    """A whole number from ``lo`` to ``hi``."""

    lo: int
    hi: int
    refusal: Refusal
    json_types = (int,)

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal(raw)

    def check(self, value: int) -> int:
        if not self.lo <= value <= self.hi:
            raise self.refusal(value)
        return value


@dataclass(frozen=True)
class Flag(Rule[bool]):
    """True or false."""

    what: Message
    json_types = (bool,)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_flag", msg("{what}必须是真或假", what=self.what))


@dataclass(frozen=True)
class Ref(Rule[int]):
    """The id of a stored row (whether it exists is for the service to find)."""

    what: Message
    json_types = (int,)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_id", msg("{what}编号无效", what=self.what), value=repr(raw)[:40])


@dataclass(frozen=True)
class IdList(Rule["list[int]"]):
    """A list of the ids of stored rows, at most ``max_len`` (an order: each id once is for the service)."""

    what: Message
    max_len: int
    json_types = (list,)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_list", msg("{what}应为编号的列表", what=self.what))

    def check(self, value: list[int]) -> list[int]:
        if not isinstance(value, (list, tuple)) or len(value) > self.max_len or not all(is_int(v) for v in value):
            raise self.wrong_type(value)
        return list(value)


@dataclass(frozen=True)
class Obj(Rule[Mapping[str, object]]):
    """A JSON object whose content a service (or the rules engine) reads."""

    refusal: Refusal
    json_types = (dict,)

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal(raw)


@dataclass(frozen=True)
class AnyText(Rule[str]):
    """Any string (what it names is for a service or the rules engine to say)."""

    refusal: Refusal
    json_types = (str,)

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal(raw)


@dataclass(frozen=True)
class Word(Rule[str]):
    """A string that passes ``test`` (a PIN, a password, a cast id)."""

    test: Callable[[str], bool]
    refusal: Refusal
    json_types = (str,)

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal(raw)

    def check(self, value: str) -> str:
        if not self.test(value):
            raise self.refusal(value)
        return value


@dataclass(frozen=True)
class Both(Rule[T]):
    """Two rules of one value, in order (e.g. a text that must also be a valid user name)."""

    first: Rule[T]
    then: Rule[T]

    @property
    def json_types(self) -> tuple[type, ...]:  # type: ignore[override]
        return self.first.json_types

    def parse(self, raw: object) -> T:
        return self.then.check(self.first.parse(raw))

    def check(self, value: T) -> T:
        return self.then.check(self.first.check(value))


@dataclass(frozen=True)
class Maybe(Rule["T | None"]):
    """``null`` (nothing given) or a value of ``rule``."""

    rule: Rule[T]

    @property
    def json_types(self) -> tuple[type, ...]:  # type: ignore[override]
        return self.rule.json_types

    def parse(self, raw: object) -> T | None:
        return None if raw is None else self.rule.parse(raw)

    def check(self, value: T | None) -> T | None:
        return None if value is None else self.rule.check(value)


@dataclass(frozen=True)
class TypeOf(Rule[T]):
    """Only the type of ``rule``: for a value that a service checks after it has filled in a default."""

    rule: Rule[T]

    @property
    def json_types(self) -> tuple[type, ...]:  # type: ignore[override]
        return self.rule.json_types

    def wrong_type(self, raw: object) -> Invalid:
        return self.rule.wrong_type(raw)


@dataclass(frozen=True)
class Loose(Rule[object]):
    """Any JSON value, for a service that parses loose input itself (a roster entry, a rules object)."""

    json_types = (str, int, float, bool, list, dict, type(None))

    def parse(self, raw: object) -> object:
        return raw
