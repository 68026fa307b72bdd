"""Ballot kinds: what a member answers, how answers are checked, and how counts become a result.

Every kind has the same shape, so votes can be stored generically:

* a kind is a frozen specification object (:class:`ResolutionSpec`, :class:`AppointmentSpec`,
  :class:`EvaluationSpec`, :class:`SelectionSpec`) with a ``kind`` name;
* ``spec.questions()`` lists its questions, each with its options;
* a member's ballot is a mapping ``{question_id: option_code}``, checked and normalised by
  ``spec.validate(choice)``;
* the tally input is per-question per-option counts ``{question_id: {option_code: n}}`` (see
  ``spec.count(ballots)``), turned into a :class:`~ballots.results.Result` by
  ``spec.tally(counts, turnout, threshold, quorum)``.

``spec.to_dict()`` and :func:`spec_from_dict` store a specification as plain data; :data:`KINDS` is the
registry of kinds by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from . import text
from .errors import CapExceeded, InvalidChoice, InvalidCounts, RuleError, TooManyMarks
from .order import check_order
from .results import QuestionResult, Result
from .rules import Quorum, Threshold, Turnout, check_count

__all__ = [
    "Option",
    "Question",
    "BallotSpec",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
    "MARK",
    "NOT_FOR",
    "SATISFIED",
    "BASIC",
    "UNSATISFIED",
    "UNKNOWN",
    "DEFAULT_GRADES",
    "ResolutionSpec",
    "Person",
    "AppointmentSpec",
    "EvalObject",
    "EvaluationSpec",
    "EVALUATION_RULES",
    "Candidate",
    "SelectionSpec",
    "KINDS",
    "spec_from_dict",
    "check_order",
]


# --- small helpers ---------------------------------------------------------------------------


def _rule_error(code: str, zh: str, en: str) -> RuleError:
    return RuleError(code, zh, en)


def _need_text(value: object, what: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise _rule_error(
            "invalid_field",
            f"{what} 必须是非空字符串，收到的是 {value!r}",
            f"{what} must be a non-empty string, got {value!r}",
        )
    return value


def _unique_ids(ids: Sequence[str], what_zh: str, what_en: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise _rule_error("duplicate_id", f"{what_zh}编号重复：{i}", f"duplicate {what_en} id: {i!r}")
        seen.add(i)


def _mapping(d: object, what: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise _rule_error("not_a_mapping", f"{what} 必须是映射，收到的是 {d!r}", f"{what} must be a mapping, got {d!r}")
    return d


def _reject_unknown(d: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(d) - allowed
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise _rule_error("unknown_field", f"{what} 含未知字段：{names}", f"unknown {what} field(s): {names}")


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise _rule_error(
            "invalid_field", f"{what} 必须是列表，收到的是 {value!r}", f"{what} must be a list, got {value!r}"
        )
    return list(value)


# --- questions and options -------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer a member may give to a question: a stable code and its Chinese and English labels."""

    code: str
    zh: str
    en: str

    def __post_init__(self) -> None:
        _need_text(self.code, "option code")
        _need_text(self.zh, "option zh")
        _need_text(self.en, "option en")

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Option:
        d = _mapping(d, "option")
        _reject_unknown(d, {"code", "zh", "en"}, "option")
        return cls(d.get("code"), d.get("zh"), d.get("en"))  # type: ignore[arg-type]


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
                if v == o.code or v == o.zh:
                    return o.code
            folded = v.casefold()
            for o in self.options:
                if folded == o.code.casefold() or folded == o.en.casefold():
                    return o.code
        choices = "、".join(f"{o.code}（{o.zh}）" for o in self.options)
        raise InvalidChoice(
            "unknown_option",
            f"“{self.label}”没有选项 {value!r}，可选：{choices}",
            f"{self.label!r} has no option {value!r} (options: {', '.join(self.codes())})",
        )

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "options": [o.to_dict() for o in self.options]}


FOR = Option("for", "赞成", "for")
AGAINST = Option("against", "反对", "against")
ABSTAIN = Option("abstain", "弃权", "abstain")
FOR_AGAINST_ABSTAIN: tuple[Option, ...] = (FOR, AGAINST, ABSTAIN)
#: "against" as most selection rulebooks word it (不赞成).
NOT_FOR = Option("against", "不赞成", "against")
#: The single option of a "mark" selection ballot; an unmarked candidate is absent from the ballot.
MARK = Option("mark", "选择", "mark")

SATISFIED = Option("satisfied", "满意", "satisfied")
BASIC = Option("basic", "基本满意", "basically satisfied")
UNSATISFIED = Option("unsatisfied", "不满意", "unsatisfied")
#: An optional fourth evaluation grade that never counts toward any grade.
UNKNOWN = Option("unknown", "不了解", "don't know")
DEFAULT_GRADES: tuple[Option, ...] = (SATISFIED, BASIC, UNSATISFIED)


# --- the common shape ------------------------------------------------------------------------


class BallotSpec(ABC):
    """What every ballot kind provides. Subclasses are frozen dataclasses."""

    kind: ClassVar[str]

    @abstractmethod
    def questions(self) -> tuple[Question, ...]:
        """The questions of the ballot, in the order they are shown and announced."""

    @abstractmethod
    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        """Check one member's ballot and return it normalised ({question_id: option_code})."""

    @abstractmethod
    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        """Turn per-question per-option counts into a result."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Plain data, including "kind"; :func:`spec_from_dict` rebuilds an equal spec."""

    def limits(self) -> dict[str, Any]:
        """What a terminal needs to enforce this ballot's rule without re-implementing it:
        ``answer_all`` (every question must be answered), ``max_marks`` (how many questions may be
        answered with ``for_code``; None for no limit), ``for_code`` (the option that counts as a
        vote for), ``caps`` ({option code: at most n per ballot}) and ``default_code`` (what an
        unanswered question counts as; None when it may not be left unanswered)."""
        return {"kind": self.kind, "answer_all": True, "max_marks": None, "for_code": FOR.code, "caps": {},
                "default_code": None}

    # shared machinery

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

    def _answer_all(self, choice: Mapping[str, str], what_zh: str, what_en: str) -> dict[str, str]:
        """Normalise a ballot that must answer every question."""
        questions = self._check_choice_shape(choice)
        out: dict[str, str] = {}
        for qid, q in questions.items():
            if qid not in choice:
                raise InvalidChoice(
                    "missing_answer",
                    f"未对{what_zh}“{q.label}”作出选择",
                    f"no answer for {what_en} {q.label!r}",
                )
            out[qid] = q.match(choice[qid])
        return out

    def _check_counts(self, counts: object, turnout: Turnout) -> dict[str, dict[str, int]]:
        """Validate tally input: known questions/options, non-negative ints, no question over ``cast``."""
        if not isinstance(turnout, Turnout):
            raise InvalidCounts(
                "invalid_turnout", "出席数据必须是 Turnout", f"turnout must be a Turnout, got {turnout!r}"
            )
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
        return out

    @staticmethod
    def _check_rules(threshold: object, quorum: object) -> None:
        if not isinstance(threshold, Threshold):
            raise RuleError(
                "invalid_threshold", "通过规则必须是 Threshold", f"threshold must be a Threshold, got {threshold!r}"
            )
        if not isinstance(quorum, Quorum):
            raise RuleError("invalid_quorum", "法定人数规则必须是 Quorum", f"quorum must be a Quorum, got {quorum!r}")


def _unanswered(turnout: Turnout, counts: Mapping[str, int]) -> int:
    """Members present with no valid answer to this question (未按表决器 for that question)."""
    return turnout.present - turnout.invalid - sum(counts.values())


def _header(turnout: Turnout, quorum_needed: int, held: bool) -> tuple[str, str]:
    zh = text.attendance_zh(turnout.entitled, turnout.present, held)
    en = text.attendance_en(turnout.entitled, turnout.present, held)
    if not held:
        zh += text.no_quorum_zh(quorum_needed)
        en += " " + text.no_quorum_en(quorum_needed)
    return zh, en


def _join(header: str, lines: list[str], sep: str, many_sep: str) -> str:
    if not lines:
        return header
    if len(lines) == 1:
        return header + sep + lines[0]
    return header + many_sep + many_sep.join(lines)


def _three_way_line(
    counts: Mapping[str, int],
    not_voted: int,
    invalid: int,
    needed: int,
    passed: bool,
    options: Sequence[Option],
    *,
    word_en: tuple[str, str],
) -> tuple[str, str]:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。" and its English twin."""
    parts_zh = [(o.zh, counts[o.code]) for o in options]
    parts_en = [(o.en, counts[o.code]) for o in options]
    zh = (
        text.votes_zh(parts_zh, invalid=invalid, not_voted=not_voted)
        + "。"
        + text.verdict_zh(counts["for"], needed, passed)
    )
    en = (
        text.capitalise(text.votes_en(parts_en, invalid=invalid, not_voted=not_voted))
        + ". "
        + text.verdict_en(counts["for"], needed, passed, passed_word=word_en[0], failed_word=word_en[1])
    )
    return zh, en


# --- resolution ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionSpec(BallotSpec):
    """A motion voted for / against / abstain; it passes iff for-votes reach the threshold.

    The single question id is "main"; a member's ballot is e.g. ``{"main": "for"}``.
    """

    kind: ClassVar[str] = "resolution"
    QUESTION_ID: ClassVar[str] = "main"

    question: str = ""

    def __post_init__(self) -> None:
        _need_text(self.question, "resolution question", allow_empty=True)

    def questions(self) -> tuple[Question, ...]:
        return (Question(self.QUESTION_ID, self.question or "表决", FOR_AGAINST_ABSTAIN),)

    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        return self._answer_all(choice, "议题", "question")

    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        self._check_rules(threshold, quorum)
        c = self._check_counts(counts, turnout)[self.QUESTION_ID]
        q_needed = quorum.needed(turnout.entitled)
        held = quorum.holds(turnout.entitled, turnout.present)
        needed = threshold.needed(turnout, for_and_against=c["for"] + c["against"])
        passed = held and c["for"] >= needed
        outcome = "no_quorum" if not held else ("passed" if passed else "failed")
        not_voted = _unanswered(turnout, c)
        zh, en = _header(turnout, q_needed, held)
        if held:
            line_zh, line_en = _three_way_line(
                c, not_voted, turnout.invalid, needed, passed, FOR_AGAINST_ABSTAIN, word_en=("adopted", "not adopted")
            )
            zh, en = zh + line_zh, en + " " + line_en
        qr = QuestionResult(self.QUESTION_ID, self.questions()[0].label, dict(c), not_voted, needed, outcome, None)
        return Result(
            kind=self.kind,
            turnout=turnout,
            quorum_needed=q_needed,
            quorum_held=held,
            threshold=threshold.to_dict(),
            questions=(qr,),
            outcome=outcome,
            ties=(),
            announcement_zh=zh,
            announcement_en=en,
            quorum=quorum.to_dict(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "question": self.question}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ResolutionSpec:
        d = _mapping(d, "resolution")
        _reject_unknown(d, {"kind", "question"}, "resolution")
        return cls(question=d.get("question", ""))


# --- appointment and removal -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person to appoint to (or remove from) a post. ``id`` is the question id of their vote."""

    id: str
    name: str
    post: str = ""
    action: Literal["appoint", "remove"] = "appoint"

    def __post_init__(self) -> None:
        _need_text(self.id, "person id")
        _need_text(self.name, "person name")
        _need_text(self.post, "person post", allow_empty=True)
        if self.action not in ("appoint", "remove"):
            raise _rule_error(
                "invalid_action",
                f"{self.name}的任免类别必须是 appoint（任命）或 remove（免职），收到的是 {self.action!r}",
                f"action for {self.name} must be 'appoint' or 'remove', got {self.action!r}",
            )

    def describe_zh(self) -> str:
        """ "任命为局长" / "免去局长职务" (or "任命" / "免职" with no post)."""
        if self.action == "appoint":
            return f"任命为{self.post}" if self.post else "任命"
        return f"免去{self.post}职务" if self.post else "免职"

    def describe_en(self) -> str:
        if self.action == "appoint":
            return f"appointment as {self.post}" if self.post else "appointment"
        return f"removal from {self.post}" if self.post else "removal"

    @property
    def label(self) -> str:
        """ "张三（任命为局长）"."""
        return f"{self.name}（{self.describe_zh()}）"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "post": self.post, "action": self.action}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Person:
        d = _mapping(d, "person")
        _reject_unknown(d, {"id", "name", "post", "action"}, "person")
        return cls(d.get("id"), d.get("name"), d.get("post", ""), d.get("action", "appoint"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class AppointmentSpec(BallotSpec):
    """Appointment or removal of persons: one for/against/abstain question per person.

    One person per ballot unless ``combined`` (合并表决, only where the body's rules allow it -- see
    :meth:`ballots.presets.RuleSet.check_spec`); each person still gets their own outcome. A member's
    ballot must answer every person. Within a combined ballot, removals from a post must be listed
    before appointments to it (先免后任).
    """

    kind: ClassVar[str] = "appointment"

    persons: tuple[Person, ...]
    combined: bool = False

    def __post_init__(self) -> None:
        persons = tuple(self.persons) if isinstance(self.persons, (list, tuple)) else self.persons
        if not isinstance(persons, tuple) or not all(isinstance(p, Person) for p in persons):
            raise _rule_error(
                "invalid_field",
                "persons 必须是 Person 的序列",
                f"persons must be a sequence of Person, got {self.persons!r}",
            )
        object.__setattr__(self, "persons", persons)
        if not isinstance(self.combined, bool):
            raise _rule_error(
                "invalid_field", "combined 必须是布尔值", f"combined must be a boolean, got {self.combined!r}"
            )
        if not persons:
            raise _rule_error("no_persons", "任免表决至少要有一人", "an appointment ballot needs at least one person")
        if not self.combined and len(persons) != 1:
            raise _rule_error(
                "single_person_required",
                f"逐人表决每次只能表决一人，此处有{len(persons)}人；合并表决须设 combined",
                f"one person per ballot unless combined; got {len(persons)} persons",
            )
        _unique_ids([p.id for p in persons], "人员", "person")
        problems = check_order(persons)
        if problems:
            raise problems[0]

    def questions(self) -> tuple[Question, ...]:
        return tuple(Question(p.id, p.label, FOR_AGAINST_ABSTAIN) for p in self.persons)

    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        return self._answer_all(choice, "", "person")

    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        self._check_rules(threshold, quorum)
        all_counts = self._check_counts(counts, turnout)
        q_needed = quorum.needed(turnout.entitled)
        held = quorum.holds(turnout.entitled, turnout.present)
        zh, en = _header(turnout, q_needed, held)
        results: list[QuestionResult] = []
        lines_zh: list[str] = []
        lines_en: list[str] = []
        for p in self.persons:
            c = all_counts[p.id]
            needed = threshold.needed(turnout, for_and_against=c["for"] + c["against"])
            passed = held and c["for"] >= needed
            not_voted = _unanswered(turnout, c)
            outcome = "no_quorum" if not held else ("passed" if passed else "failed")
            results.append(QuestionResult(p.id, p.label, dict(c), not_voted, needed, outcome, None))
            if held:
                line_zh, line_en = _three_way_line(
                    c,
                    not_voted,
                    turnout.invalid,
                    needed,
                    passed,
                    FOR_AGAINST_ABSTAIN,
                    word_en=("approved", "not approved"),
                )
                lines_zh.append(f"{p.label}：{line_zh}")
                lines_en.append(f"{p.name} ({p.describe_en()}): {line_en}")
        if not held:
            outcome = "no_quorum"
        else:
            outcomes = {r.outcome for r in results}
            outcome = outcomes.pop() if len(outcomes) == 1 else "mixed"
        return Result(
            kind=self.kind,
            turnout=turnout,
            quorum_needed=q_needed,
            quorum_held=held,
            threshold=threshold.to_dict(),
            questions=tuple(results),
            outcome=outcome,
            ties=(),
            announcement_zh=_join(zh, lines_zh, "", "\n"),
            announcement_en=_join(en, lines_en, " ", "\n"),
            quorum=quorum.to_dict(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "persons": [p.to_dict() for p in self.persons], "combined": self.combined}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AppointmentSpec:
        d = _mapping(d, "appointment")
        _reject_unknown(d, {"kind", "persons", "combined"}, "appointment")
        persons = tuple(Person.from_dict(p) for p in _list(d.get("persons"), "persons"))
        return cls(persons=persons, combined=d.get("combined", False))


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalObject:
    """An object of an evaluation: a department, a report, an official."""

    id: str
    name: str

    def __post_init__(self) -> None:
        _need_text(self.id, "object id")
        _need_text(self.name, "object name")

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvalObject:
        d = _mapping(d, "evaluation object")
        _reject_unknown(d, {"id", "name"}, "evaluation object")
        return cls(d.get("id"), d.get("name"))  # type: ignore[arg-type]


def _cumulative_majority(counted: Sequence[str], counts: Mapping[str, int], needed: int) -> str:
    """The first grade whose count, added to the counts of all better grades, reaches ``needed``;
    the last counted grade when none does (so reaching exactly half is not enough under ">1/2")."""
    total = 0
    for code in counted[:-1]:
        total += counts[code]
        if total >= needed:
            return code
    return counted[-1]


#: Grading rules by name: (counted grade codes best first, counts, votes needed) -> grade code.
EVALUATION_RULES: dict[str, Callable[[Sequence[str], Mapping[str, int], int], str]] = {
    "cumulative_majority": _cumulative_majority,
}


@dataclass(frozen=True)
class EvaluationSpec(BallotSpec):
    """满意度测评: each member grades every object; each object gets the grade it reaches.

    ``grades`` are ordered best first. Grades listed in ``uncounted`` (by default the grade coded
    "unknown" / 不了解, if present) are recorded but count toward no grade. ``caps`` limits how many
    objects one member may give a grade (e.g. ``{"satisfied": 3}``).

    Rule "cumulative_majority": an object reaches grade k when the votes for grades 1..k together
    reach the threshold passed to :meth:`tally` -- with the standard threshold (more than half of all
    members, N = ``turnout.entitled``): 满意 if 满意 > N/2, else 基本满意 if 满意 + 基本满意 > N/2, ...,
    else the last counted grade. Exactly half does not reach a grade.
    """

    kind: ClassVar[str] = "evaluation"

    objects: tuple[EvalObject, ...]
    grades: tuple[Option, ...] = DEFAULT_GRADES
    caps: Mapping[str, int] = field(default_factory=dict)
    rule: str = "cumulative_majority"
    uncounted: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        objects = tuple(self.objects) if isinstance(self.objects, (list, tuple)) else self.objects
        grades = tuple(self.grades) if isinstance(self.grades, (list, tuple)) else self.grades
        if not isinstance(objects, tuple) or not objects or not all(isinstance(o, EvalObject) for o in objects):
            raise _rule_error(
                "no_objects",
                "测评至少要有一个对象",
                f"an evaluation needs at least one EvalObject, got {self.objects!r}",
            )
        if not isinstance(grades, tuple) or not grades or not all(isinstance(g, Option) for g in grades):
            raise _rule_error(
                "invalid_grades",
                "测评等次必须是 Option 的序列",
                f"grades must be a sequence of Option, got {self.grades!r}",
            )
        _unique_ids([o.id for o in objects], "测评对象", "object")
        codes = [g.code for g in grades]
        _unique_ids(codes, "测评等次", "grade")
        if self.uncounted is None:
            uncounted: tuple[str, ...] = (UNKNOWN.code,) if UNKNOWN.code in codes else ()
        elif isinstance(self.uncounted, (list, tuple)) and all(isinstance(u, str) for u in self.uncounted):
            uncounted = tuple(self.uncounted)
        else:
            raise _rule_error(
                "invalid_field",
                "uncounted 必须是等次代码的序列",
                f"uncounted must be a sequence of grade codes, got {self.uncounted!r}",
            )
        for u in uncounted:
            if u not in codes:
                raise _rule_error(
                    "unknown_grade",
                    f"不计入的等次 {u!r} 不在测评等次中",
                    f"uncounted grade {u!r} is not one of the grades {codes}",
                )
        if len([c for c in codes if c not in uncounted]) < 1:
            raise _rule_error("no_counted_grade", "至少要有一个计入评定的等次", "at least one grade must count")
        if not isinstance(self.caps, Mapping):
            raise _rule_error("invalid_caps", "caps 必须是映射", f"caps must be a mapping, got {self.caps!r}")
        caps: dict[str, int] = {}
        for code, cap in self.caps.items():
            if code not in codes:
                raise _rule_error(
                    "unknown_grade",
                    f"限额所指的等次 {code!r} 不在测评等次中",
                    f"cap names an unknown grade {code!r} (grades: {codes})",
                )
            if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
                raise _rule_error(
                    "invalid_cap",
                    f"等次 {code!r} 的限额必须是非负整数，收到的是 {cap!r}",
                    f"cap for {code!r} must be a non-negative integer, got {cap!r}",
                )
            caps[code] = cap
        if self.rule not in EVALUATION_RULES:
            raise _rule_error(
                "unknown_rule",
                f"未知的测评规则 {self.rule!r}（可选：{', '.join(EVALUATION_RULES)}）",
                f"unknown evaluation rule {self.rule!r} (one of: {', '.join(EVALUATION_RULES)})",
            )
        object.__setattr__(self, "objects", objects)
        object.__setattr__(self, "grades", grades)
        object.__setattr__(self, "caps", caps)
        object.__setattr__(self, "uncounted", uncounted)

    def __hash__(self) -> int:
        return hash((self.objects, self.grades, tuple(sorted(self.caps.items())), self.rule, self.uncounted))

    def counted_grades(self) -> tuple[str, ...]:
        """Codes of the grades that count, best first."""
        return tuple(g.code for g in self.grades if g.code not in (self.uncounted or ()))

    def questions(self) -> tuple[Question, ...]:
        return tuple(Question(o.id, o.name, self.grades) for o in self.objects)

    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        out = self._answer_all(choice, "测评对象", "object")
        for code, cap in self.caps.items():
            given = sum(1 for v in out.values() if v == code)
            if given > cap:
                grade = next(g for g in self.grades if g.code == code)
                raise CapExceeded(
                    "cap_exceeded",
                    f"评为“{grade.zh}”的对象最多{cap}个，此处有{given}个",
                    f"at most {cap} objects may be graded {grade.en!r}; this ballot grades {given}",
                )
        return out

    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        self._check_rules(threshold, quorum)
        all_counts = self._check_counts(counts, turnout)
        for code, cap in self.caps.items():
            total = sum(all_counts[o.id][code] for o in self.objects)
            if total > cap * turnout.cast:
                raise InvalidCounts(
                    "cap_exceeded_in_counts",
                    f"“{code}”共{total}票，超过{turnout.cast}张有效票每张最多{cap}个的上限",
                    f"{total} {code!r} grades exceed {turnout.cast} valid ballots with at most {cap} each",
                )
        q_needed = quorum.needed(turnout.entitled)
        held = quorum.holds(turnout.entitled, turnout.present)
        zh, en = _header(turnout, q_needed, held)
        grade_rule = EVALUATION_RULES[self.rule]
        counted = self.counted_grades()
        by_code = {g.code: g for g in self.grades}
        results: list[QuestionResult] = []
        lines_zh: list[str] = []
        lines_en: list[str] = []
        for o in self.objects:
            c = all_counts[o.id]
            needed = threshold.needed(turnout, for_and_against=sum(c[g] for g in counted))
            not_voted = _unanswered(turnout, c)
            grade = grade_rule(counted, c, needed) if held else "no_quorum"
            results.append(QuestionResult(o.id, o.name, dict(c), not_voted, needed, grade, None))
            if held:
                parts_zh = [(g.zh, c[g.code]) for g in self.grades]
                parts_en = [(g.en, c[g.code]) for g in self.grades]
                lines_zh.append(
                    f"{o.name}：{text.votes_zh(parts_zh, invalid=turnout.invalid, not_voted=not_voted)}。"
                    f"需{needed}票，测评等次：{by_code[grade].zh}。"
                )
                lines_en.append(
                    f"{o.name}: {text.votes_en(parts_en, invalid=turnout.invalid, not_voted=not_voted)}. "
                    f"{needed} needed; grade: {by_code[grade].en}."
                )
        return Result(
            kind=self.kind,
            turnout=turnout,
            quorum_needed=q_needed,
            quorum_held=held,
            threshold=threshold.to_dict(),
            questions=tuple(results),
            outcome="evaluated" if held else "no_quorum",
            ties=(),
            announcement_zh=_join(zh, lines_zh, "", "\n"),
            announcement_en=_join(en, lines_en, " ", "\n"),
            quorum=quorum.to_dict(),
        )

    def limits(self) -> dict[str, Any]:
        return {**super().limits(), "for_code": self.grades[0].code, "caps": dict(self.caps)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "objects": [o.to_dict() for o in self.objects],
            "grades": [g.to_dict() for g in self.grades],
            "caps": dict(self.caps),
            "rule": self.rule,
            "uncounted": list(self.uncounted or ()),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvaluationSpec:
        d = _mapping(d, "evaluation")
        _reject_unknown(d, {"kind", "objects", "grades", "caps", "rule", "uncounted"}, "evaluation")
        objects = tuple(EvalObject.from_dict(o) for o in _list(d.get("objects"), "objects"))
        grades = tuple(Option.from_dict(g) for g in _list(d["grades"], "grades")) if "grades" in d else DEFAULT_GRADES
        uncounted = tuple(_list(d["uncounted"], "uncounted")) if d.get("uncounted") is not None else None
        return cls(
            objects=objects,
            grades=grades,
            caps=_mapping(d.get("caps", {}), "caps"),
            rule=d.get("rule", "cumulative_majority"),
            uncounted=uncounted,
        )


# --- selection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A candidate of a selection (e.g. a 民生实事 project)."""

    id: str
    name: str

    def __post_init__(self) -> None:
        _need_text(self.id, "candidate id")
        _need_text(self.name, "candidate name")

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Candidate:
        d = _mapping(d, "candidate")
        _reject_unknown(d, {"id", "name"}, "candidate")
        return cls(d.get("id"), d.get("name"))  # type: ignore[arg-type]


SELECTION_OPTIONS = ("mark", "for_against_abstain")


@dataclass(frozen=True)
class SelectionSpec(BallotSpec):
    """票决: choose at most ``max_marks`` of the candidates.

    With ``options="mark"`` a member marks candidates (``{"c1": "mark", "c3": "mark"}``; unmarked
    candidates are simply absent). With ``options="for_against_abstain"`` each candidate is answered
    赞成 / 不赞成 / 弃权, at most ``max_marks`` of them 赞成; a candidate left unanswered is recorded
    as 弃权 (the usual paper-ballot rule). More marks than allowed raise :class:`TooManyMarks`; in
    hand-entered counts such ballots arrive as ``turnout.invalid``.

    A candidate is chosen when its for-votes meet the threshold and it ranks within the top
    ``max_marks``. Candidates with equal for-votes straddling the cut-off are a tie ("tie"), reported
    in :attr:`Result.ties` for a run-off round, and are not chosen.
    """

    kind: ClassVar[str] = "selection"

    candidates: tuple[Candidate, ...]
    max_marks: int
    options: Literal["mark", "for_against_abstain"] = "mark"

    def __post_init__(self) -> None:
        candidates = tuple(self.candidates) if isinstance(self.candidates, (list, tuple)) else self.candidates
        if not isinstance(candidates, tuple) or not candidates or not all(isinstance(c, Candidate) for c in candidates):
            raise _rule_error(
                "no_candidates",
                "票决至少要有一个候选项目",
                f"a selection needs at least one Candidate, got {self.candidates!r}",
            )
        _unique_ids([c.id for c in candidates], "候选项目", "candidate")
        if isinstance(self.max_marks, bool) or not isinstance(self.max_marks, int) or self.max_marks < 1:
            raise _rule_error(
                "invalid_max_marks",
                f"限选数必须是正整数，收到的是 {self.max_marks!r}",
                f"max_marks must be a positive integer, got {self.max_marks!r}",
            )
        if self.options not in SELECTION_OPTIONS:
            raise _rule_error(
                "invalid_options",
                f"票决选项方式必须是 mark 或 for_against_abstain，收到的是 {self.options!r}",
                f"selection options must be 'mark' or 'for_against_abstain', got {self.options!r}",
            )
        object.__setattr__(self, "candidates", candidates)

    @property
    def for_code(self) -> str:
        """The option code that counts as a vote for a candidate."""
        return MARK.code if self.options == "mark" else FOR.code

    def _options(self) -> tuple[Option, ...]:
        return (MARK,) if self.options == "mark" else (FOR, NOT_FOR, ABSTAIN)

    def questions(self) -> tuple[Question, ...]:
        opts = self._options()
        return tuple(Question(c.id, c.name, opts) for c in self.candidates)

    def validate(self, choice: Mapping[str, str]) -> dict[str, str]:
        questions = self._check_choice_shape(choice)
        out: dict[str, str] = {}
        for qid, q in questions.items():
            if qid in choice:
                out[qid] = q.match(choice[qid])
            elif self.options != "mark":
                out[qid] = ABSTAIN.code
        marks = sum(1 for v in out.values() if v == self.for_code)
        if marks > self.max_marks:
            raise TooManyMarks(
                "too_many_marks",
                f"最多可选{self.max_marks}项，此票选了{marks}项",
                f"at most {self.max_marks} may be chosen; this ballot chooses {marks}",
            )
        return out

    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        self._check_rules(threshold, quorum)
        all_counts = self._check_counts(counts, turnout)
        marks = sum(all_counts[c.id][self.for_code] for c in self.candidates)
        if marks > self.max_marks * turnout.cast:
            raise InvalidCounts(
                "marks_exceed_ballots",
                f"共{marks}个赞成标记，超过{turnout.cast}张有效票每张最多{self.max_marks}个的上限",
                f"{marks} marks exceed {turnout.cast} valid ballots with at most {self.max_marks} each",
            )
        q_needed = quorum.needed(turnout.entitled)
        held = quorum.holds(turnout.entitled, turnout.present)

        votes = {c.id: all_counts[c.id][self.for_code] for c in self.candidates}
        needed: dict[str, int] = {}
        for c in self.candidates:
            cc = all_counts[c.id]
            fa = cc[self.for_code] + cc.get(NOT_FOR.code, 0) if self.options != "mark" else cc[MARK.code]
            needed[c.id] = threshold.needed(turnout, for_and_against=fa)
        rank = {cid: 1 + sum(1 for w in votes.values() if w > v) for cid, v in votes.items()}
        ordered = sorted(votes.values(), reverse=True)
        tie_value: int | None = None
        if len(ordered) > self.max_marks and ordered[self.max_marks - 1] == ordered[self.max_marks]:
            tie_value = ordered[self.max_marks - 1]

        outcomes: dict[str, str] = {}
        for c in self.candidates:
            v = votes[c.id]
            meets = v >= needed[c.id]
            if not held:
                outcomes[c.id] = "no_quorum"
            elif not meets:
                outcomes[c.id] = "not_chosen"
            elif tie_value is not None and v == tie_value:
                outcomes[c.id] = "tie"
            elif rank[c.id] <= self.max_marks:
                outcomes[c.id] = "chosen"
            else:
                outcomes[c.id] = "not_chosen"
        tied = tuple(c.id for c in self.candidates if outcomes[c.id] == "tie")
        ties = (tied,) if tied else ()

        results = tuple(
            QuestionResult(
                c.id,
                c.name,
                dict(all_counts[c.id]),
                turnout.not_voted if self.options == "mark" else _unanswered(turnout, all_counts[c.id]),
                needed[c.id],
                outcomes[c.id],
                rank[c.id],
            )
            for c in self.candidates
        )
        zh, en = _header(turnout, q_needed, held)
        if held:
            zh, en = self._announce(zh, en, turnout, results, ties)
        return Result(
            kind=self.kind,
            turnout=turnout,
            quorum_needed=q_needed,
            quorum_held=held,
            threshold=threshold.to_dict(),
            questions=results,
            outcome="no_quorum" if not held else ("tie" if ties else "selected"),
            ties=ties,
            announcement_zh=zh,
            announcement_en=en,
            quorum=quorum.to_dict(),
        )

    def _announce(
        self, zh: str, en: str, turnout: Turnout, results: tuple[QuestionResult, ...], ties: tuple[tuple[str, ...], ...]
    ) -> tuple[str, str]:
        names = {c.id: c.name for c in self.candidates}
        summary_zh = f"有效票{turnout.cast}张"
        summary_en = f"Valid ballots {turnout.cast}"
        if turnout.invalid:
            summary_zh += f"，无效票{turnout.invalid}张"
            summary_en += f", invalid {turnout.invalid}"
        summary_zh += f"，未按表决器{turnout.not_voted}人。每票最多选{self.max_marks}项。"
        summary_en += f", not voted {turnout.not_voted}. At most {self.max_marks} per ballot."
        lines_zh = [summary_zh]
        lines_en = [summary_en]
        opts = self._options()
        position = {c.id: i for i, c in enumerate(self.candidates)}
        for r in sorted(results, key=lambda r: (r.rank or 0, position[r.question_id])):
            if self.options == "mark":
                votes_zh, votes_en = f"得票{r.counts[MARK.code]}票", f"votes {r.counts[MARK.code]}"
            else:
                votes_zh = text.votes_zh([(o.zh, r.counts[o.code]) for o in opts])
                votes_en = text.votes_en([(o.en, r.counts[o.code]) for o in opts])
            v = r.counts[self.for_code]
            if r.outcome == "chosen":
                verdict_zh, verdict_en = "入选", "chosen"
            elif r.outcome == "tie":
                verdict_zh, verdict_en = "得票相同、并列于限选名额处，需另行表决", "tied at the cut-off: run-off needed"
            elif r.needed is not None and v < r.needed:
                verdict_zh, verdict_en = (
                    f"少于所需的{r.needed}票，未入选",
                    f"fewer than the {r.needed} needed: not chosen",
                )
            else:
                verdict_zh, verdict_en = "名次在限选数之外，未入选", "ranked below the number to choose: not chosen"
            lines_zh.append(f"第{r.rank}名 {names[r.question_id]}：{votes_zh}。需{r.needed}票，{verdict_zh}。")
            lines_en.append(f"#{r.rank} {names[r.question_id]}: {votes_en}. {r.needed} needed; {verdict_en}.")
        chosen = [
            names[r.question_id]
            for r in sorted(results, key=lambda r: (r.rank or 0, position[r.question_id]))
            if r.outcome == "chosen"
        ]
        lines_zh.append(f"入选{len(chosen)}项" + (f"：{'、'.join(chosen)}。" if chosen else "。"))
        lines_en.append(f"Chosen {len(chosen)}" + (f": {', '.join(chosen)}." if chosen else "."))
        for group in ties:
            tied = [names[cid] for cid in group]
            lines_zh.append(f"{'、'.join(tied)}得票相同，需另行表决。")
            lines_en.append(f"Tied at the cut-off: {', '.join(tied)}; a run-off round is needed.")
        return zh + "\n" + "\n".join(lines_zh), en + "\n" + "\n".join(lines_en)

    def limits(self) -> dict[str, Any]:
        return {**super().limits(), "answer_all": False, "max_marks": self.max_marks, "for_code": self.for_code,
                "default_code": None if self.options == "mark" else ABSTAIN.code}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "candidates": [c.to_dict() for c in self.candidates],
            "max_marks": self.max_marks,
            "options": self.options,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SelectionSpec:
        d = _mapping(d, "selection")
        _reject_unknown(d, {"kind", "candidates", "max_marks", "options"}, "selection")
        candidates = tuple(Candidate.from_dict(c) for c in _list(d.get("candidates"), "candidates"))
        return cls(candidates=candidates, max_marks=d.get("max_marks"), options=d.get("options", "mark"))  # type: ignore[arg-type]


# --- registry --------------------------------------------------------------------------------

#: Ballot kinds by name.
KINDS: dict[str, type[BallotSpec]] = {
    ResolutionSpec.kind: ResolutionSpec,
    AppointmentSpec.kind: AppointmentSpec,
    EvaluationSpec.kind: EvaluationSpec,
    SelectionSpec.kind: SelectionSpec,
}


def spec_from_dict(d: Mapping[str, Any]) -> BallotSpec:
    """Rebuild a ballot specification from ``spec.to_dict()`` output (dispatch on "kind")."""
    d = _mapping(d, "ballot spec")
    kind = d.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise RuleError(
            "unknown_kind",
            f"未知的表决类型 {kind!r}（可选：{', '.join(KINDS)}）",
            f"unknown ballot kind {kind!r} (one of: {', '.join(KINDS)})",
        )
    spec_cls = KINDS[kind]
    return spec_cls.from_dict(d)  # type: ignore[attr-defined, no-any-return]
