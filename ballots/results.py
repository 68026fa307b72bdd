"""The result of a tally, as plain data kept forever.

:class:`Result` is what a ballot kind's ``tally`` returns: attendance, quorum, the exact rule it ran
under, one :class:`QuestionResult` per question (every option's count, zeros included, and the
not-voted column), the overall outcome, ties needing a run-off, the body's words it was worded with,
and the chair's announcement in Chinese and English. ``to_dict()`` gives JSON-ready plain types and
``Result.from_dict`` rebuilds an equal object, so a stored result never needs recounting to be shown
or printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import RuleError
from .plain import to_plain
from .rules import MEMBERS, Quorum, Threshold, Turnout
from .words import Words

__all__ = ["QuestionResult", "Result", "OUTCOMES"]

#: Every value :attr:`Result.outcome` may take. Selections and elections: "selected" / "elected" when
#: every place is filled, "partly_selected" / "partly_elected" when some are, "unfilled" when none is,
#: "tie" when the cut-off needs a run-off; "void" when an election round returned more ballots than
#: deputies voted.
OUTCOMES = (
    "passed",
    "failed",
    "mixed",
    "evaluated",
    "tie",
    "selected",
    "no_quorum",
    "partly_selected",
    "unfilled",
    "elected",
    "partly_elected",
    "void",
)


def _bad(what: str, value: object) -> RuleError:
    return RuleError("invalid_result", f"结果数据有误：{what}（{value!r}）", f"invalid result data: {what} ({value!r})")


def _get(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    if key not in d:
        if optional:
            return None
        raise _bad(f"missing {key!r}", dict(d))
    value = d[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) and kind is int:
        raise _bad(key, value)
    if not isinstance(value, kind):
        raise _bad(key, value)
    return value


@dataclass(frozen=True)
class QuestionResult:
    """The count of one question (a resolution, one person, one evaluated object, one candidate).

    ``outcome`` is "passed"/"failed" for resolutions and appointments, the code of the grade reached
    for evaluations, "chosen"/"not_chosen"/"tie" for selections, "elected"/"not_elected"/"tie"/"void"
    for elections, and "no_quorum" for every kind when the quorum did not hold. ``rank`` is set for
    selections and elections only: those that met their threshold are ranked first, among themselves
    (1 = most for-votes; equal votes share a rank), then the others, among themselves.
    """

    question_id: str
    label: str
    counts: dict[str, int]
    not_voted: int
    needed: int | None
    outcome: str
    rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> QuestionResult:
        if not isinstance(d, Mapping):
            raise _bad("question result must be a mapping", d)
        counts = _get(d, "counts", Mapping)
        for code, n in counts.items():
            if not isinstance(code, str) or isinstance(n, bool) or not isinstance(n, int):
                raise _bad("counts", counts)
        return cls(
            question_id=_get(d, "question_id", str),
            label=_get(d, "label", str),
            counts={str(k): int(v) for k, v in counts.items()},
            not_voted=_get(d, "not_voted", int),
            needed=_get(d, "needed", int, optional=True),
            outcome=_get(d, "outcome", str),
            rank=_get(d, "rank", int, optional=True),
        )


@dataclass(frozen=True)
class Result:
    """The whole result of one round of one ballot."""

    kind: str
    turnout: Turnout
    quorum_needed: int
    quorum_held: bool
    threshold: dict[str, Any]
    questions: tuple[QuestionResult, ...]
    outcome: str
    ties: tuple[tuple[str, ...], ...]
    announcement_zh: str
    announcement_en: str
    quorum: dict[str, Any] = field(default_factory=dict)
    words: Words = MEMBERS

    def question(self, question_id: str) -> QuestionResult:
        """The result of one question, by id (KeyError if absent)."""
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data; "words" only when they are not the standing committee's (see :mod:`ballots.words`)."""
        words = {} if self.words == MEMBERS else {"words": self.words.to_dict()}
        return {
            "kind": self.kind,
            "turnout": self.turnout.to_dict(),
            "quorum_needed": self.quorum_needed,
            "quorum_held": self.quorum_held,
            "quorum": dict(self.quorum),
            "threshold": dict(self.threshold),
            "questions": [q.to_dict() for q in self.questions],
            "outcome": self.outcome,
            "ties": [list(t) for t in self.ties],
            "announcement_zh": self.announcement_zh,
            "announcement_en": self.announcement_en,
            **words,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        if not isinstance(d, Mapping):
            raise _bad("result must be a mapping", d)
        threshold = _get(d, "threshold", Mapping)
        Threshold.from_dict(threshold)  # validates
        quorum = _get(d, "quorum", Mapping, optional=True) or {}
        if quorum:
            Quorum.from_dict(quorum)
        outcome = _get(d, "outcome", str)
        if outcome not in OUTCOMES:
            raise _bad("outcome", outcome)
        ties_raw = _get(d, "ties", (list, tuple))
        ties: list[tuple[str, ...]] = []
        for group in ties_raw:
            if not isinstance(group, (list, tuple)) or not all(isinstance(x, str) for x in group):
                raise _bad("ties", ties_raw)
            ties.append(tuple(group))
        questions = _get(d, "questions", (list, tuple))
        return cls(
            kind=_get(d, "kind", str),
            turnout=Turnout.from_dict(_get(d, "turnout", Mapping)),
            quorum_needed=_get(d, "quorum_needed", int),
            quorum_held=_get(d, "quorum_held", bool),
            threshold=dict(threshold),
            questions=tuple(QuestionResult.from_dict(q) for q in questions),
            outcome=outcome,
            ties=tuple(ties),
            announcement_zh=_get(d, "announcement_zh", str),
            announcement_en=_get(d, "announcement_en", str),
            quorum=dict(quorum),
            words=Words.from_dict(_get(d, "words", Mapping)) if "words" in d else MEMBERS,
        )
