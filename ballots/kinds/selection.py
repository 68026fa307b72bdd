"""票决 (selection): fill ``places`` from M candidates, at most ``max_marks`` marked per ballot; ranks, ties
and the cut-off among those that meet the threshold (:mod:`.places`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from .. import announce
from ..errors import RuleError
from ..plain import later
from ..results import QuestionResult, Result
from .base import ABSTAIN, FOR, Counted, Limits, Named, Option, Question, need_positive, need_text, unique_ids
from .places import PlacesSpec

__all__ = ["NOT_FOR", "MARK", "SELECTION_OPTIONS", "Candidate", "SelectionSpec"]

#: "against" as most selection rulebooks word it (不赞成).
NOT_FOR = Option("against", "不赞成", "against")
#: The single option of a "mark" selection ballot; an unmarked candidate is absent from the ballot.
MARK = Option("mark", "选择", "mark")
#: How a selection ballot is answered.
SELECTION_OPTIONS = ("mark", "for_against_abstain")


@dataclass(frozen=True)
class Candidate(Named):
    """A candidate of a selection (e.g. a 民生实事 project), with optional details shown on tablets, the
    display and the sheet: ``amount`` (投资额, as written, e.g. "1200万元"), ``responsible_unit``
    (责任单位), ``summary`` (简介) and ``document_id`` (an attached document). Each detail is stored
    only when given, so a candidate without details keeps its stored form ``{"id", "name"}``."""

    noun = "candidate"
    plain_name = "candidate"

    amount: str = later("", repr=False)
    responsible_unit: str = later("", repr=False)
    summary: str = later("", repr=False)
    document_id: str = later("", repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("amount", "responsible_unit", "summary", "document_id"):
            need_text(getattr(self, name), f"candidate {name}", allow_empty=True)


@dataclass(frozen=True)
class SelectionSpec(PlacesSpec):
    """票决: fill ``places`` (default: as many as ``max_marks``) from the candidates, each ballot marking
    at most ``max_marks`` of them. "N places, free 赞成 / 不赞成 per project" is ``places=N`` with
    ``max_marks`` the number of candidates.

    With ``options="mark"`` a member marks candidates (``{"c1": "mark", "c3": "mark"}``; unmarked
    candidates are simply absent). With ``options="for_against_abstain"`` each candidate is answered
    赞成 / 不赞成 / 弃权, at most ``max_marks`` of them 赞成; a candidate left unanswered is recorded
    as 弃权 (the usual paper-ballot rule). A tablet ballot with more marks than allowed raises
    :class:`TooManyMarks`; on paper or in a hand-entered count it is invalid (``count_paper``,
    ``turnout.invalid``).

    A candidate is chosen when its for-votes meet the threshold and it ranks within the places among
    those that met it. Equal for-votes straddling the cut-off are a tie ("tie"), reported in
    :attr:`Result.ties` and not chosen: :meth:`runoff` gives the run-off round among the tied only, for
    the places still open (``stage="runoff"``, with ``chosen_before`` those chosen so far, in order).
    Fewer chosen than places: "partly_selected", none: "unfilled".
    """

    kind: ClassVar[str] = "selection"
    chosen_code: ClassVar[str] = "chosen"
    filled_codes: ClassVar[tuple[str, str, str]] = ("selected", "partly_selected", "unfilled")

    candidates: tuple[Candidate, ...]
    max_marks: int
    options: Literal["mark", "for_against_abstain"] = "mark"
    places: int | None = later(None)
    stage: Literal["first", "runoff"] = later("first")
    chosen_before: tuple[Candidate, ...] = later(())

    def __post_init__(self) -> None:
        candidates = tuple(self.candidates) if isinstance(self.candidates, (list, tuple)) else self.candidates
        if not isinstance(candidates, tuple) or not candidates or not all(isinstance(c, Candidate) for c in candidates):
            raise RuleError(
                "no_candidates",
                "票决至少要有一个候选项目",
                f"a selection needs at least one Candidate, got {self.candidates!r}",
            )
        unique_ids([c.id for c in candidates], "候选项目", "candidate")
        need_positive(self.max_marks, "invalid_max_marks", "限选数", "max_marks")
        if self.options not in SELECTION_OPTIONS:
            raise RuleError(
                "invalid_options",
                f"票决选项方式必须是 mark 或 for_against_abstain，收到的是 {self.options!r}",
                f"selection options must be 'mark' or 'for_against_abstain', got {self.options!r}",
            )
        if self.places is not None:
            need_positive(self.places, "invalid_places", "应选项数", "places")
        before = tuple(self.chosen_before) if isinstance(self.chosen_before, (list, tuple)) else None
        if before is None or not all(isinstance(c, Candidate) for c in before):
            raise RuleError(
                "invalid_field", "chosen_before 必须是候选项目的序列", "chosen_before must be a sequence of Candidate"
            )
        unique_ids([c.id for c in (*before, *candidates)], "候选项目", "candidate")  # none chosen twice
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "chosen_before", before)
        self._check_stage(("first", "runoff"))

    @property
    def for_code(self) -> str:
        """The option code that counts as a vote for a candidate."""
        return MARK.code if self.options == "mark" else FOR.code

    @property
    def to_fill(self) -> int:
        return self.max_marks if self.places is None else self.places

    def listed(self) -> tuple[Candidate, ...]:
        return self.candidates

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

    def _decide(self, counted: Counted) -> Result:
        votes = {c.id: counted.counts[c.id][self.for_code] for c in self.candidates}
        needed = {
            c.id: counted.needed(votes[c.id] + counted.counts[c.id].get(NOT_FOR.code, 0)) for c in self.candidates
        }
        per, cut, outcome = self.outcomes(counted, votes, needed)
        results = [
            QuestionResult(
                c.id,
                c.name,
                dict(counted.counts[c.id]),
                counted.turnout.not_voted if self.options == "mark" else counted.unanswered(counted.counts[c.id]),
                needed[c.id],
                per[c.id],
                cut.rank[c.id],
            )
            for c in self.candidates
        ]
        return self._finish(counted, results, outcome, (cut.tied,) if cut.tied else ())

    def runoff(self, result: Result) -> SelectionSpec:
        """The run-off round of a tied ``result`` of this spec: the tied candidates only, for the places
        still open, each ballot marking at most as many as the places the marks allowed beyond those now
        chosen (and no more than the tied); ``chosen_before`` gains those this round chose, in order."""
        if not result.ties:
            raise RuleError("no_tie", "本轮没有并列，无需再次投票", "this round has no tie to vote again on")
        by_id = {c.id: c for c in self.candidates}  # self.person refuses an id that is not on the list
        chosen = tuple(by_id[self.person(q, result).id] for q in self.chosen_in(result))
        tied = {self.person(q, result).id for q in result.ties[0]}
        return SelectionSpec(
            candidates=tuple(c for c in self.candidates if c.id in tied),
            max_marks=min(len(tied), max(1, self.max_marks - len(chosen))),
            options=self.options,
            places=self.to_fill - len(chosen),
            stage="runoff",
            chosen_before=(*self.chosen_before, *chosen),
        )

    def announce(self, result: Result) -> tuple[str, str]:
        return announce.selection(
            result,
            self._options(),
            for_code=self.for_code,
            max_marks=self.max_marks,
            marks_only=self.options == "mark",
            places=self.places,
            before=tuple(c.name for c in self.chosen_before),
        )
