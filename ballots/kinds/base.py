"""What every ballot kind shares: options and questions, the limits a ballot must respect, and the
common machinery of :class:`BallotSpec` (checking ballots against the limits, checking tally input,
building the result and its announcement).

A kind module subclasses :class:`BallotSpec` as a frozen dataclass and provides ``questions()``,
``answer_limits()``, ``tally()`` and ``announce()``; storage (``to_dict``/``from_dict``) and
validation come from here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self

from ..errors import CapExceeded, InvalidChoice, InvalidCounts, RuleError, TooManyMarks
from ..plain import Plain, from_plain, to_plain
from ..results import QuestionResult, Result
from ..rules import Quorum, Threshold, Turnout, check_count, need_quorum, need_threshold

__all__ = [
    "need_text",
    "unique_ids",
    "Option",
    "Question",
    "Named",
    "Limits",
    "Counted",
    "BallotSpec",
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
    ballot}; ``default_code``: what an unanswered question counts as (None: it stays unanswered).
    """

    plain_name: ClassVar[str] = "limits"

    kind: str
    answer_all: bool = True
    max_marks: int | None = None
    for_code: str = FOR.code
    caps: Mapping[str, int] = field(default_factory=dict)
    default_code: str | None = None


# --- the checked input of a tally ------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """Tally input after checking: every question's every option counted, and the rule it runs under."""

    counts: dict[str, dict[str, int]]
    turnout: Turnout
    threshold: Threshold
    quorum: Quorum
    quorum_needed: int = field(init=False)
    held: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quorum_needed", self.quorum.needed(self.turnout.entitled))
        object.__setattr__(self, "held", self.turnout.present >= self.quorum_needed)

    def needed(self, for_and_against: int) -> int:
        """For-votes needed for one question (``for_and_against`` matters only for that base)."""
        return self.threshold.needed(self.turnout, for_and_against=for_and_against)

    def unanswered(self, counts: Mapping[str, int]) -> int:
        """Members present with no valid answer to this question (未按表决器 for that question)."""
        return self.turnout.present - self.turnout.invalid - sum(counts.values())

    def three_way(self, question: Question) -> QuestionResult:
        """The result of a for / against / abstain question: passed when for-votes reach the threshold."""
        c = self.counts[question.id]
        needed = self.needed(c[FOR.code] + c[AGAINST.code])
        outcome = "no_quorum" if not self.held else ("passed" if c[FOR.code] >= needed else "failed")
        return QuestionResult(question.id, question.label, dict(c), self.unanswered(c), needed, outcome, None)


# --- the common shape ------------------------------------------------------------------------


class BallotSpec(Plain, ABC):
    """What every ballot kind provides. Subclasses are frozen dataclasses."""

    kind: ClassVar[str]
    #: How a question is named when a member leaves it unanswered ("未对议题“…”作出选择").
    answer_noun: ClassVar[tuple[str, str]] = ("议题", "question")

    @abstractmethod
    def questions(self) -> tuple[Question, ...]:
        """The questions of the ballot, in the order they are shown and announced."""

    @abstractmethod
    def answer_limits(self) -> Limits:
        """What one member's ballot must respect; :meth:`validate` enforces exactly this."""

    @abstractmethod
    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        """Turn per-question per-option counts into a result."""

    @abstractmethod
    def announce(self, result: Result) -> tuple[str, str]:
        """The chair's announcement of ``result`` (a result of this spec), in Chinese and English."""

    def limits(self) -> dict[str, Any]:
        """What a terminal needs to enforce this ballot's rule without re-implementing it: ``kind``,
        ``answer_all``, ``max_marks``, ``for_code``, ``caps`` and ``default_code`` (see :class:`Limits`)."""
        return self.answer_limits().to_dict()

    def to_dict(self) -> dict[str, Any]:
        """Plain data, including "kind"; :func:`~ballots.kinds.spec_from_dict` rebuilds an equal spec."""
        return {"kind": self.kind, **to_plain(self)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        built: Self = from_plain(cls, d, cls.kind, ignore=("kind",))
        return built

    # member ballots

    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        """Check one member's ballot against :meth:`answer_limits`; return it normalised ({question_id: code})."""
        limits = self.answer_limits()
        questions = self._check_choice_shape(choice)
        out: dict[str, str] = {}
        for qid, q in questions.items():
            if qid in choice:
                out[qid] = q.match(choice[qid])
            elif limits.default_code is not None:
                out[qid] = limits.default_code
            elif limits.answer_all:
                noun_zh, noun_en = self.answer_noun
                raise InvalidChoice(
                    "missing_answer", f"未对{noun_zh}“{q.label}”作出选择", f"no answer for {noun_en} {q.label!r}"
                )
        marks = sum(1 for v in out.values() if v == limits.for_code)
        if limits.max_marks is not None and marks > limits.max_marks:
            raise TooManyMarks(
                "too_many_marks",
                f"最多可选{limits.max_marks}项，此票选了{marks}项",
                f"at most {limits.max_marks} may be chosen; this ballot chooses {marks}",
            )
        for code, cap in limits.caps.items():
            given = sum(1 for v in out.values() if v == code)
            if given > cap:
                option = self._option(code)
                raise CapExceeded(
                    "cap_exceeded",
                    f"评为“{option.zh}”的对象最多{cap}个，此处有{given}个",
                    f"at most {cap} objects may be graded {option.en!r}; this ballot grades {given}",
                )
        return out

    def empty_counts(self) -> dict[str, dict[str, int]]:
        """Zero counts for every question and option."""
        return {q.id: {code: 0 for code in q.codes()} for q in self.questions()}

    def count(self, ballots: Iterable[Mapping[str, str]]) -> dict[str, dict[str, int]]:
        """Validate each member's ballot and add it up into tally input."""
        counts = self.empty_counts()
        for ballot in ballots:
            for qid, code in self.validate(ballot).items():
                counts[qid][code] += 1
        return counts

    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions()}

    def _option(self, code: str) -> Option:
        return next(o for q in self.questions() for o in q.options if o.code == code)

    def _check_choice_shape(self, choice: object) -> dict[str, Question]:
        if not isinstance(choice, Mapping):
            raise InvalidChoice(
                "not_a_mapping", f"选票必须是映射，收到的是 {choice!r}", f"a ballot must be a mapping, got {choice!r}"
            )
        questions = self._questions_by_id()
        for qid in choice:
            if qid not in questions:
                raise InvalidChoice(
                    "unknown_question", f"本次表决没有议题 {qid!r}", f"this ballot has no question {qid!r}"
                )
        return questions

    # tally input and result

    def _begin(self, counts: object, turnout: object, threshold: object, quorum: object) -> Counted:
        """Check the rules and the counts of a tally (see :meth:`_check_counts`)."""
        rule = need_threshold(threshold), need_quorum(quorum)
        if not isinstance(turnout, Turnout):
            raise InvalidCounts(
                "invalid_turnout", "出席数据必须是 Turnout", f"turnout must be a Turnout, got {turnout!r}"
            )
        return Counted(self._check_counts(counts, turnout), turnout, *rule)

    def _check_counts(self, counts: object, turnout: Turnout) -> dict[str, dict[str, int]]:
        """Known questions/options, non-negative ints, no question over ``cast``, and no more marks or
        capped grades than ``cast`` ballots within :meth:`answer_limits` could hold."""
        if not isinstance(counts, Mapping):
            raise InvalidCounts("not_a_mapping", "计票数据必须是映射", f"counts must be a mapping, got {counts!r}")
        questions = self._questions_by_id()
        out = self.empty_counts()
        for qid, per in counts.items():
            if qid not in questions:
                raise InvalidCounts(
                    "unknown_question", f"计票数据含未知议题 {qid!r}", f"counts name an unknown question {qid!r}"
                )
            q = questions[qid]
            if not isinstance(per, Mapping):
                raise InvalidCounts(
                    "not_a_mapping", f"“{q.label}”的计票数据必须是映射", f"counts of {q.label!r} must be a mapping"
                )
            for code, n in per.items():
                if code not in out[qid]:
                    raise InvalidCounts(
                        "unknown_option",
                        f"“{q.label}”没有选项 {code!r}",
                        f"counts of {q.label!r} name an unknown option {code!r} (options: {', '.join(q.codes())})",
                    )
                out[qid][code] = check_count(n, f"“{q.label}”的{code}票数", f"count of {code!r} for {q.label!r}")
            total = sum(out[qid].values())
            if total > turnout.cast:
                raise InvalidCounts(
                    "counts_exceed_cast",
                    f"“{q.label}”共计{total}票，多于有效票{turnout.cast}张",
                    f"counts of {q.label!r} add up to {total}, more than the {turnout.cast} valid ballots cast",
                )
        self._check_counts_within_limits(out, turnout.cast)
        return out

    def _check_counts_within_limits(self, counts: Mapping[str, Mapping[str, int]], cast: int) -> None:
        limits = self.answer_limits()
        for code, cap in limits.caps.items():
            total = sum(per.get(code, 0) for per in counts.values())
            if total > cap * cast:
                raise InvalidCounts(
                    "cap_exceeded_in_counts",
                    f"“{code}”共{total}票，超过{cast}张有效票每张最多{cap}个的上限",
                    f"{total} {code!r} grades exceed {cast} valid ballots with at most {cap} each",
                )
        if limits.max_marks is not None:
            marks = sum(per.get(limits.for_code, 0) for per in counts.values())
            if marks > limits.max_marks * cast:
                raise InvalidCounts(
                    "marks_exceed_ballots",
                    f"共{marks}个赞成标记，超过{cast}张有效票每张最多{limits.max_marks}个的上限",
                    f"{marks} marks exceed {cast} valid ballots with at most {limits.max_marks} each",
                )

    def _finish(
        self,
        counted: Counted,
        questions: Sequence[QuestionResult],
        outcome: str,
        ties: tuple[tuple[str, ...], ...] = (),
    ) -> Result:
        """The result of ``counted`` with its announcement (from :meth:`announce`)."""
        draft = Result(
            kind=self.kind,
            turnout=counted.turnout,
            quorum_needed=counted.quorum_needed,
            quorum_held=counted.held,
            threshold=counted.threshold.to_dict(),
            questions=tuple(questions),
            outcome=outcome,
            ties=ties,
            announcement_zh="",
            announcement_en="",
            quorum=counted.quorum.to_dict(),
        )
        zh, en = self.announce(draft)
        return replace(draft, announcement_zh=zh, announcement_en=en)
