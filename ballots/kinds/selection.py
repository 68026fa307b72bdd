"""票决 (selection): choose at most N of M candidates; ranks, ties and the cut-off among those that meet
the threshold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from .. import announce
from ..errors import RuleError
from ..results import QuestionResult, Result
from ..rules import Quorum, Threshold, Turnout
from .base import ABSTAIN, FOR, BallotSpec, Counted, Limits, Named, Option, Question, unique_ids

__all__ = ["NOT_FOR", "MARK", "SELECTION_OPTIONS", "Candidate", "SelectionSpec"]

#: "against" as most selection rulebooks word it (不赞成).
NOT_FOR = Option("against", "不赞成", "against")
#: The single option of a "mark" selection ballot; an unmarked candidate is absent from the ballot.
MARK = Option("mark", "选择", "mark")
#: How a selection ballot is answered.
SELECTION_OPTIONS = ("mark", "for_against_abstain")


class Candidate(Named):
    """A candidate of a selection (e.g. a 民生实事 project)."""

    noun = "candidate"
    plain_name = "candidate"


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
            raise RuleError(
                "no_candidates",
                "票决至少要有一个候选项目",
                f"a selection needs at least one Candidate, got {self.candidates!r}",
            )
        unique_ids([c.id for c in candidates], "候选项目", "candidate")
        if isinstance(self.max_marks, bool) or not isinstance(self.max_marks, int) or self.max_marks < 1:
            raise RuleError(
                "invalid_max_marks",
                f"限选数必须是正整数，收到的是 {self.max_marks!r}",
                f"max_marks must be a positive integer, got {self.max_marks!r}",
            )
        if self.options not in SELECTION_OPTIONS:
            raise RuleError(
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

    def answer_limits(self) -> Limits:
        return Limits(
            self.kind,
            answer_all=False,
            max_marks=self.max_marks,
            for_code=self.for_code,
            default_code=None if self.options == "mark" else ABSTAIN.code,
        )

    def tally(
        self, counts: Mapping[str, Mapping[str, int]], turnout: Turnout, threshold: Threshold, quorum: Quorum
    ) -> Result:
        counted = self._begin(counts, turnout, threshold, quorum)
        votes = {c.id: counted.counts[c.id][self.for_code] for c in self.candidates}
        rank = {cid: 1 + sum(1 for w in votes.values() if w > v) for cid, v in votes.items()}
        outcomes = self._outcomes(counted, votes, rank)
        tied = tuple(c.id for c in self.candidates if outcomes[c.id][0] == "tie")
        results = [
            QuestionResult(
                c.id,
                c.name,
                dict(counted.counts[c.id]),
                counted.turnout.not_voted if self.options == "mark" else counted.unanswered(counted.counts[c.id]),
                outcomes[c.id][1],
                outcomes[c.id][0],
                rank[c.id],
            )
            for c in self.candidates
        ]
        outcome = "no_quorum" if not counted.held else ("tie" if tied else "selected")
        return self._finish(counted, results, outcome, (tied,) if tied else ())

    def _outcomes(
        self, counted: Counted, votes: Mapping[str, int], rank: Mapping[str, int]
    ) -> dict[str, tuple[str, int]]:
        """(outcome, for-votes needed) per candidate: below the threshold never chosen; equal votes
        straddling the cut-off a tie; otherwise chosen within the top ``max_marks``."""
        ordered = sorted(votes.values(), reverse=True)
        tie_value: int | None = None
        if len(ordered) > self.max_marks and ordered[self.max_marks - 1] == ordered[self.max_marks]:
            tie_value = ordered[self.max_marks - 1]
        out: dict[str, tuple[str, int]] = {}
        for cid, v in votes.items():
            c = counted.counts[cid]
            needed = counted.needed(c[self.for_code] + c.get(NOT_FOR.code, 0))
            if not counted.held:
                out[cid] = ("no_quorum", needed)
            elif v < needed:
                out[cid] = ("not_chosen", needed)
            elif tie_value is not None and v == tie_value:
                out[cid] = ("tie", needed)
            else:
                out[cid] = ("chosen" if rank[cid] <= self.max_marks else "not_chosen", needed)
        return out

    def announce(self, result: Result) -> tuple[str, str]:
        return announce.selection(
            result, self._options(), for_code=self.for_code, max_marks=self.max_marks, marks_only=self.options == "mark"
        )
