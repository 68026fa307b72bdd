"""The parts of a ballot: options and questions, the id + name of what a ballot asks about, and the
limits one member's ballot must respect (what a terminal enforces and ``validate`` checks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import InvalidChoice, RuleError
from ..plain import Plain, later, to_plain

__all__ = [
    "need_text",
    "need_positive",
    "unique_ids",
    "Option",
    "Question",
    "Named",
    "Limits",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
]


def need_text(value: object, what: str, *, allow_empty: bool = False) -> str:
    """``value`` if it is a string (non-blank unless ``allow_empty``), else ``RuleError("invalid_field")``."""
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise RuleError(
            "invalid_field",
            f"{what} 必须是非空字符串，收到的是 {value!r}",
            f"{what} must be a non-empty string, got {value!r}",
        )
    return value


def need_positive(value: object, code: str, what_zh: str, what_en: str) -> int:
    """``value`` if it is a positive int (not a bool), else ``RuleError(code)``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleError(
            code, f"{what_zh}必须是正整数，收到的是 {value!r}", f"{what_en} must be a positive integer, got {value!r}"
        )
    return value


def unique_ids(ids: Sequence[str], what_zh: str, what_en: str) -> None:
    """``RuleError("duplicate_id")`` at the first id seen twice."""
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise RuleError("duplicate_id", f"{what_zh}编号重复：{i}", f"duplicate {what_en} id: {i!r}")
        seen.add(i)


# --- questions and options -------------------------------------------------------------------


@dataclass(frozen=True)
class Option(Plain):
    """One answer a member may give to a question: a stable code and its Chinese and English labels."""

    plain_name: ClassVar[str] = "option"

    code: str
    zh: str
    en: str

    def __post_init__(self) -> None:
        need_text(self.code, "option code")
        need_text(self.zh, "option zh")
        need_text(self.en, "option en")


@dataclass(frozen=True)
class Question:
    """One question of a ballot: its id (the key in a member's ballot), a label and its options."""

    id: str
    label: str
    options: tuple[Option, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def option(self, code: str) -> Option:
        for o in self.options:
            if o.code == code:
                return o
        raise KeyError(code)

    def match(self, value: object) -> str:
        """The option code a member's answer designates: its code, or its Chinese or English label.

        Codes and English labels are matched ignoring case and surrounding blanks.
        """
        if isinstance(value, str):
            v = value.strip()
            for o in self.options:
                if v in (o.code, o.zh):
                    return o.code
            folded = v.casefold()
            for o in self.options:
                if folded in (o.code.casefold(), o.en.casefold()):
                    return o.code
        choices = "、".join(f"{o.code}（{o.zh}）" for o in self.options)
        raise InvalidChoice(
            "unknown_option",
            f"“{self.label}”没有选项 {value!r}，可选：{choices}",
            f"{self.label!r} has no option {value!r} (options: {', '.join(self.codes())})",
        )

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


FOR = Option("for", "赞成", "for")
AGAINST = Option("against", "反对", "against")
ABSTAIN = Option("abstain", "弃权", "abstain")
FOR_AGAINST_ABSTAIN: tuple[Option, ...] = (FOR, AGAINST, ABSTAIN)


@dataclass(frozen=True)
class Named(Plain):
    """Something a ballot asks about by id and name: an evaluated object, a candidate, ...

    Subclasses only name themselves: ``noun`` in the errors of the constructor ("object id"),
    ``plain_name`` in those of :meth:`from_dict`.
    """

    noun: ClassVar[str] = "item"

    id: str
    name: str

    def __post_init__(self) -> None:
        need_text(self.id, f"{self.noun} id")
        need_text(self.name, f"{self.noun} name")


@dataclass(frozen=True)
class Limits(Plain):
    """What one member's ballot must respect, as a terminal enforces it (``BallotSpec.limits()``).

    ``answer_all``: every question must be answered; ``max_marks``: at most this many questions
    answered with ``for_code`` (None: no limit); ``caps``: {option code: at most n questions per
    ballot}; ``default_code``: what an unanswered question counts as (None: it stays unanswered);
    ``write_in_prefix``: a ballot may also name other persons (另选他人), each as a key made of this
    prefix and the name written, answered ``for_code`` and counted within ``max_marks`` (None: no
    write-ins; the key is left out of the stored form then).
    """

    plain_name: ClassVar[str] = "limits"

    kind: str
    answer_all: bool = True
    max_marks: int | None = None
    for_code: str = FOR.code
    caps: Mapping[str, int] = field(default_factory=dict)
    default_code: str | None = None
    write_in_prefix: str | None = later(None)

    @property
    def every_question_answered(self) -> bool:
        """Whether every valid ballot answers every question (explicitly or by ``default_code``)."""
        return self.answer_all or self.default_code is not None
