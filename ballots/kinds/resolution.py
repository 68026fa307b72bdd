"""议案 (resolution): one motion voted for / against / abstain; it passes iff for-votes reach the threshold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .. import announce
from ..results import Result
from .base import FOR_AGAINST_ABSTAIN, BallotSpec, Counted, Limits, Question, need_text

__all__ = ["ResolutionSpec"]


@dataclass(frozen=True)
class ResolutionSpec(BallotSpec):
    """A motion voted for / against / abstain; it passes iff for-votes reach the threshold.

    The single question id is "main"; a member's ballot is e.g. ``{"main": "for"}``.
    """

    kind: ClassVar[str] = "resolution"
    QUESTION_ID: ClassVar[str] = "main"

    question: str = ""

    def __post_init__(self) -> None:
        need_text(self.question, "resolution question", allow_empty=True)

    def questions(self) -> tuple[Question, ...]:
        return (Question(self.QUESTION_ID, self.question or "表决", FOR_AGAINST_ABSTAIN),)

    def answer_limits(self) -> Limits:
        return Limits(self.kind)

    def _decide(self, counted: Counted) -> Result:
        result = counted.three_way(self.questions()[0])
        return self._finish(counted, (result,), result.outcome)

    def announce(self, result: Result) -> tuple[str, str]:
        return announce.resolution(result, FOR_AGAINST_ABSTAIN)
