"""The input of a tally, checked: per-question per-option counts against the questions, the ballots cast
and the limits of one ballot; a hand-entered count also against "every ballot answers every question";
and a batch of paper ballots counted, the over-marked ones as invalid.

* :class:`Counted`   -- counts after checking, with the rule they are tallied under;
* :func:`check_counts` -- what every tally checks (known questions and options, non-negative integers,
  no question over the valid ballots, no more marks or capped grades than the ballots could hold);
* :func:`check_complete` -- what a hand-entered count must also satisfy where every ballot answers
  every question: each question's counts add up to exactly the valid ballots (fewer would give one
  result two different 未按 figures);
* :class:`PaperCount` -- paper ballots added up: counts, valid ballots, invalid ballots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import InvalidChoice, InvalidCounts
from ..plain import Plain
from ..results import QuestionResult
from ..rules import Quorum, Threshold, Turnout, check_count
from ..words import Words
from .parts import AGAINST, FOR, Limits, Question

__all__ = ["Counted", "PaperCount", "check_counts", "check_complete"]


@dataclass(frozen=True)
class Counted:
    """Tally input after checking: every question's every option counted, and the rule it runs under."""

    counts: dict[str, dict[str, int]]
    turnout: Turnout
    threshold: Threshold
    quorum: Quorum
    words: Words = field(default_factory=Words)
    quorum_needed: int = field(init=False)
    held: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quorum_needed", self.quorum.needed(self.turnout.entitled))
        object.__setattr__(self, "held", self.turnout.present >= self.quorum_needed)

    def needed(self, for_and_against: int) -> int:
        """For-votes needed for one question (``for_and_against`` matters only for that base)."""
        return self.threshold.needed(self.turnout, for_and_against=for_and_against)

    def unanswered(self, counts: Mapping[str, int]) -> int:
        """Members present with no valid answer to this question (未按表决器 for that question); video
        attendees whose votes are still to be entered are not among them."""
        t = self.turnout
        return t.present - t.invalid - t.video_pending - sum(counts.values())

    def three_way(self, question: Question) -> QuestionResult:
        """The result of a for / against / abstain question: passed when for-votes reach the threshold."""
        c = self.counts[question.id]
        needed = self.needed(c[FOR.code] + c[AGAINST.code])
        outcome = "no_quorum" if not self.held else ("passed" if c[FOR.code] >= needed else "failed")
        return QuestionResult(question.id, question.label, dict(c), self.unanswered(c), needed, outcome, None)


@dataclass(frozen=True)
class PaperCount(Plain):
    """Paper ballots added up (``spec.count_paper``): the counts of the valid ballots, how many were
    valid, and how many were invalid (无效票 / 作废: more marks than allowed) -- counted, not refused."""

    plain_name: ClassVar[str] = "paper count"

    counts: Mapping[str, Mapping[str, int]]
    cast: int
    invalid: int

    def turnout(self, entitled: int, present: int, *, voters: int | None = None) -> Turnout:
        """The turnout of these ballots at a sitting with ``entitled`` and ``present`` (and ``voters``)."""
        return Turnout(entitled, present, self.cast, self.invalid, voters)


def _known(qid: object, questions: Mapping[str, Question], extra: Callable[[str], Question | None]) -> Question:
    q = questions.get(qid) if isinstance(qid, str) else None
    if q is None and isinstance(qid, str):
        try:
            q = extra(qid)
        except InvalidChoice as err:  # a write-in a ballot could not hold is a count no ballots could make
            raise InvalidCounts(err.code, err.zh, err.en) from None
    if q is None:
        raise InvalidCounts(
            "unknown_question", f"计票数据含未知议题 {qid!r}", f"counts name an unknown question {qid!r}"
        )
    return q


def _question_counts(q: Question, per: object, cast: int) -> dict[str, int]:
    if not isinstance(per, Mapping):
        raise InvalidCounts(
            "not_a_mapping", f"“{q.label}”的计票数据必须是映射", f"counts of {q.label!r} must be a mapping"
        )
    out = {code: 0 for code in q.codes()}
    for code, n in per.items():
        if code not in out:
            raise InvalidCounts(
                "unknown_option",
                f"“{q.label}”没有选项 {code!r}",
                f"counts of {q.label!r} name an unknown option {code!r} (options: {', '.join(q.codes())})",
            )
        out[code] = check_count(n, f"“{q.label}”的{code}票数", f"count of {code!r} for {q.label!r}")
    total = sum(out.values())
    if total > cast:
        raise InvalidCounts(
            "counts_exceed_cast",
            f"“{q.label}”共计{total}票，多于有效票{cast}张",
            f"counts of {q.label!r} add up to {total}, more than the {cast} valid ballots cast",
        )
    return out


def check_counts(
    counts: object,
    cast: int,
    questions: Mapping[str, Question],
    limits: Limits,
    extra: Callable[[str], Question | None] = lambda qid: None,
) -> dict[str, dict[str, int]]:
    """Known questions/options, non-negative ints, no question over ``cast``, and no more marks or capped
    grades than ``cast`` ballots within ``limits`` could hold. ``extra`` names a question the ballot does
    not list but a count may hold (an election's write-in), or None. Every listed question and option
    is in the result, zeros included; an extra question only when counted."""
    if not isinstance(counts, Mapping):
        raise InvalidCounts("not_a_mapping", "计票数据必须是映射", f"counts must be a mapping, got {counts!r}")
    out = {qid: {code: 0 for code in q.codes()} for qid, q in questions.items()}
    for qid, per in counts.items():
        q = _known(qid, questions, extra)
        if q.id != qid and q.id in counts:
            raise InvalidCounts(
                "duplicate_question", f"计票数据中“{q.label}”出现两次", f"counts name {q.label!r} twice"
            )
        out[q.id] = _question_counts(q, per, cast)
    _check_within_limits(out, cast, limits)
    return out


def _check_within_limits(counts: Mapping[str, Mapping[str, int]], cast: int, limits: Limits) -> None:
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


def check_complete(counts: Mapping[str, Mapping[str, int]], cast: int, questions: Mapping[str, Any]) -> None:
    """Every question's counts add up to exactly ``cast`` (a hand-entered count where every valid ballot
    answers every question); ``counts`` are checked already, so a total above ``cast`` cannot occur."""
    for qid, q in questions.items():
        given = sum(counts.get(qid, {}).values())
        if given != cast:
            raise InvalidCounts(
                "count_mismatch",
                f"“{q.label}”各项票数之和为{given}，少于有效票{cast}张：每张有效票对每一项都有一个选择",
                f"the counts for {q.label!r} add up to {given}, fewer than the {cast} valid ballots: "
                "every valid ballot answers every question",
            )
