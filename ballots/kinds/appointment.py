"""任免 (appointment or removal): one for / against / abstain question per person, each with its own outcome.

One person per ballot by default (逐人); several at once (合并) only where the body's rules allow it
(:meth:`ballots.presets.RuleSet.check_spec`). Removal before appointment to the same post (先免后任) is
checked by :func:`ballots.order.check_order`.

A person's ``action`` is "appoint" (任命), "remove" (免职: 免去…职务) or "dismiss" (撤职: 撤销…职务, a
dismissal for cause under 监督法 2024 Art. 62). A ballot with a dismissal is always secret, whatever the
body's rules say (:func:`ballots.presets.RuleSet.is_secret`); for the order of votes and the threshold
("removal") a dismissal counts as a removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from .. import announce
from ..errors import RuleError
from ..order import REMOVALS, check_order
from ..plain import Plain
from ..results import Result
from .base import FOR_AGAINST_ABSTAIN, BallotSpec, Counted, Limits, Question, need_text, unique_ids

__all__ = ["ACTIONS", "REMOVALS", "Person", "AppointmentSpec"]

#: What a vote on a person decides: appointment (任命), removal (免职), dismissal (撤职).
ACTIONS = ("appoint", *REMOVALS)


@dataclass(frozen=True)
class Person(Plain):
    """A person to appoint to (or remove from) a post. ``id`` is the question id of their vote."""

    plain_name: ClassVar[str] = "person"

    id: str
    name: str
    post: str = ""
    action: Literal["appoint", "remove", "dismiss"] = "appoint"

    def __post_init__(self) -> None:
        need_text(self.id, "person id")
        need_text(self.name, "person name")
        need_text(self.post, "person post", allow_empty=True)
        if self.action not in ACTIONS:
            raise RuleError(
                "invalid_action",
                f"{self.name}的任免类别必须是 appoint（任命）、remove（免职）或 dismiss（撤职），"
                f"收到的是 {self.action!r}",
                f"action for {self.name} must be 'appoint', 'remove' or 'dismiss', got {self.action!r}",
            )

    def describe_zh(self) -> str:
        """ "任命为局长" / "免去局长职务" / "撤销局长职务" (or "任命" / "免职" / "撤职" with no post)."""
        if self.action == "appoint":
            return f"任命为{self.post}" if self.post else "任命"
        if self.action == "dismiss":
            return f"撤销{self.post}职务" if self.post else "撤职"
        return f"免去{self.post}职务" if self.post else "免职"

    def describe_en(self) -> str:
        if self.action == "appoint":
            return f"appointment as {self.post}" if self.post else "appointment"
        if self.action == "dismiss":
            return f"dismissal from {self.post}" if self.post else "dismissal"
        return f"removal from {self.post}" if self.post else "removal"

    @property
    def label(self) -> str:
        """ "张三（任命为局长）"."""
        return f"{self.name}（{self.describe_zh()}）"

    @property
    def label_en(self) -> str:
        """ "张三 (appointment as 局长)"."""
        return f"{self.name} ({self.describe_en()})"


@dataclass(frozen=True)
class AppointmentSpec(BallotSpec):
    """Appointment or removal of persons: one for/against/abstain question per person.

    One person per ballot unless ``combined`` (合并表决, only where the body's rules allow it -- see
    :meth:`ballots.presets.RuleSet.check_spec`); each person still gets their own outcome. A member's
    ballot must answer every person. Within a combined ballot, removals from a post must be listed
    before appointments to it (先免后任).
    """

    kind: ClassVar[str] = "appointment"
    answer_noun: ClassVar[tuple[str, str]] = ("", "person")

    persons: tuple[Person, ...]
    combined: bool = False

    def __post_init__(self) -> None:
        persons = tuple(self.persons) if isinstance(self.persons, (list, tuple)) else self.persons
        if not isinstance(persons, tuple) or not all(isinstance(p, Person) for p in persons):
            raise RuleError(
                "invalid_field",
                "persons 必须是 Person 的序列",
                f"persons must be a sequence of Person, got {self.persons!r}",
            )
        object.__setattr__(self, "persons", persons)
        if not isinstance(self.combined, bool):
            raise RuleError(
                "invalid_field", "combined 必须是布尔值", f"combined must be a boolean, got {self.combined!r}"
            )
        if not persons:
            raise RuleError("no_persons", "任免表决至少要有一人", "an appointment ballot needs at least one person")
        if not self.combined and len(persons) != 1:
            raise RuleError(
                "single_person_required",
                f"逐人表决每次只能表决一人，此处有{len(persons)}人；合并表决须设 combined",
                f"one person per ballot unless combined; got {len(persons)} persons",
            )
        unique_ids([p.id for p in persons], "人员", "person")
        problems = check_order(persons)
        if problems:
            raise problems[0]

    def questions(self) -> tuple[Question, ...]:
        return tuple(Question(p.id, p.label, FOR_AGAINST_ABSTAIN) for p in self.persons)

    def answer_limits(self) -> Limits:
        return Limits(self.kind)

    def _decide(self, counted: Counted) -> Result:
        results = [counted.three_way(q) for q in self.questions()]
        outcomes = {r.outcome for r in results}
        outcome = outcomes.pop() if len(outcomes) == 1 else "mixed"
        return self._finish(counted, results, outcome)

    def announce(self, result: Result) -> tuple[str, str]:
        return announce.appointment(result, FOR_AGAINST_ABSTAIN, {p.id: p.label_en for p in self.persons})
