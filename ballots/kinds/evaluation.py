"""满意度测评 (evaluation): each member grades every object; each object gets the grade it reaches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from .. import announce
from ..errors import RuleError
from ..results import QuestionResult, Result
from .base import BallotSpec, Counted, Limits, Named, Option, Question, unique_ids

__all__ = [
    "SATISFIED",
    "BASIC",
    "UNSATISFIED",
    "UNKNOWN",
    "DEFAULT_GRADES",
    "EVALUATION_RULES",
    "EvalObject",
    "EvaluationSpec",
]

SATISFIED = Option("satisfied", "满意", "satisfied")
BASIC = Option("basic", "基本满意", "basically satisfied")
UNSATISFIED = Option("unsatisfied", "不满意", "unsatisfied")
#: An optional fourth evaluation grade that never counts toward any grade.
UNKNOWN = Option("unknown", "不了解", "don't know")
DEFAULT_GRADES: tuple[Option, ...] = (SATISFIED, BASIC, UNSATISFIED)


class EvalObject(Named):
    """An object of an evaluation: a department, a report, an official."""

    noun = "object"
    plain_name = "evaluation object"


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


def _check_uncounted(uncounted: object, codes: Sequence[str]) -> tuple[str, ...]:
    if uncounted is None:
        out: tuple[str, ...] = (UNKNOWN.code,) if UNKNOWN.code in codes else ()
    elif isinstance(uncounted, (list, tuple)) and all(isinstance(u, str) for u in uncounted):
        out = tuple(uncounted)
    else:
        raise RuleError(
            "invalid_field",
            "uncounted 必须是等次代码的序列",
            f"uncounted must be a sequence of grade codes, got {uncounted!r}",
        )
    for u in out:
        if u not in codes:
            raise RuleError(
                "unknown_grade",
                f"不计入的等次 {u!r} 不在测评等次中",
                f"uncounted grade {u!r} is not one of the grades {list(codes)}",
            )
    if all(c in out for c in codes):
        raise RuleError("no_counted_grade", "至少要有一个计入评定的等次", "at least one grade must count")
    return out


def _check_caps(caps: object, codes: Sequence[str]) -> dict[str, int]:
    if not isinstance(caps, Mapping):
        raise RuleError("invalid_caps", "caps 必须是映射", f"caps must be a mapping, got {caps!r}")
    out: dict[str, int] = {}
    for code, cap in caps.items():
        if code not in codes:
            raise RuleError(
                "unknown_grade",
                f"限额所指的等次 {code!r} 不在测评等次中",
                f"cap names an unknown grade {code!r} (grades: {list(codes)})",
            )
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise RuleError(
                "invalid_cap",
                f"等次 {code!r} 的限额必须是非负整数，收到的是 {cap!r}",
                f"cap for {code!r} must be a non-negative integer, got {cap!r}",
            )
        out[code] = cap
    return out


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
    answer_noun: ClassVar[tuple[str, str]] = ("测评对象", "object")

    objects: tuple[EvalObject, ...]
    grades: tuple[Option, ...] = DEFAULT_GRADES
    caps: Mapping[str, int] = field(default_factory=dict)
    rule: str = "cumulative_majority"
    uncounted: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        objects = tuple(self.objects) if isinstance(self.objects, (list, tuple)) else self.objects
        grades = tuple(self.grades) if isinstance(self.grades, (list, tuple)) else self.grades
        if not isinstance(objects, tuple) or not objects or not all(isinstance(o, EvalObject) for o in objects):
            raise RuleError(
                "no_objects",
                "测评至少要有一个对象",
                f"an evaluation needs at least one EvalObject, got {self.objects!r}",
            )
        if not isinstance(grades, tuple) or not grades or not all(isinstance(g, Option) for g in grades):
            raise RuleError(
                "invalid_grades",
                "测评等次必须是 Option 的序列",
                f"grades must be a sequence of Option, got {self.grades!r}",
            )
        unique_ids([o.id for o in objects], "测评对象", "object")
        codes = [g.code for g in grades]
        unique_ids(codes, "测评等次", "grade")
        uncounted = _check_uncounted(self.uncounted, codes)
        caps = _check_caps(self.caps, codes)
        if self.rule not in EVALUATION_RULES:
            raise RuleError(
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

    def answer_limits(self) -> Limits:
        return Limits(self.kind, for_code=self.grades[0].code, caps=dict(self.caps))

    def _decide(self, counted: Counted) -> Result:
        grade_rule = EVALUATION_RULES[self.rule]
        codes = self.counted_grades()
        results: list[QuestionResult] = []
        for o in self.objects:
            c = counted.counts[o.id]
            needed = counted.needed(sum(c[g] for g in codes))
            grade = grade_rule(codes, c, needed) if counted.held else "no_quorum"
            results.append(QuestionResult(o.id, o.name, dict(c), counted.unanswered(c), needed, grade, None))
        return self._finish(counted, results, "evaluated" if counted.held else "no_quorum")

    def announce(self, result: Result) -> tuple[str, str]:
        return announce.evaluation(result, self.grades)
