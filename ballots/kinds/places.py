"""What a selection (票决) and an election (选举) share: places to fill, and who fills them.

* :func:`cut` -- ranks, ties and the cut-off, taken **among those that met their threshold** only: a
  candidate below its threshold is never chosen and never ties with one above it. Those that met it are
  chosen by for-votes up to the places; equal votes straddling the cut-off are a tie, and the places left
  to the tied are still open (a run-off among the tied only); when fewer met it than there are places,
  the rest are unfilled.
* :class:`PlacesSpec` -- the base of both kinds: ``places`` of this round, the ``stage`` ("first",
  "runoff", "further") and ``chosen_before`` (who earlier rounds of the same selection or election
  chose, in order), the outcomes of a tally from a :class:`Cut`, and the run-off's spec.
* :func:`standing` -- the results of all rounds joined: who is chosen, in order (round by round, by
  rank within a round), who is tied, how many places are open, and what comes next.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ..errors import RuleError
from ..plain import to_plain
from ..results import Result
from .base import BallotSpec
from .counting import Counted
from .parts import Named

__all__ = ["Cut", "cut", "PlacesSpec", "Standing", "standing", "STAGES"]

#: The stages of a round: a first round, a run-off among the tied, a further election (另行选举).
STAGES = ("first", "runoff", "further")


@dataclass(frozen=True)
class Cut:
    """Who fills the places: ``chosen`` by for-votes (equal votes in listed order), ``tied`` at the
    cut-off (listed order), ``open`` places not filled (left to the tied, or unfilled), ``rank`` of each."""

    chosen: tuple[str, ...]
    tied: tuple[str, ...]
    open: int
    rank: dict[str, int]


def cut(order: Sequence[str], votes: Mapping[str, int], eligible: set[str], places: int) -> Cut:
    """The cut of ``places`` among the ``eligible`` (those that met their threshold), by ``votes``.

    Ranks: the eligible first, among themselves (1 + how many eligible have more votes), then the
    others, among themselves, after all the eligible."""
    met = [q for q in order if q in eligible]
    rest = [q for q in order if q not in eligible]
    rank = {q: 1 + sum(1 for o in met if votes[o] > votes[q]) for q in met}
    rank |= {q: len(met) + 1 + sum(1 for o in rest if votes[o] > votes[q]) for q in rest}
    by_votes = sorted(met, key=lambda q: (-votes[q], order.index(q)))
    if len(by_votes) <= places:
        return Cut(tuple(by_votes), (), places - len(by_votes), rank)
    line = votes[by_votes[places - 1]]
    above = tuple(q for q in by_votes if votes[q] > line)
    at = tuple(q for q in met if votes[q] == line)
    if len(above) + len(at) == places:
        return Cut(above + at, (), 0, rank)
    return Cut(above, at, places - len(above), rank)


class PlacesSpec(BallotSpec):
    """A ballot that fills places. Subclasses are frozen dataclasses with the fields ``stage`` and
    ``chosen_before``; they say how many places a round fills, who is on its list, and the codes of
    their outcomes."""

    #: The question outcome of one who fills a place ("chosen" / "elected"); "not_" + it otherwise.
    chosen_code: ClassVar[str]
    #: The round's outcome when every place, some, or none is filled.
    filled_codes: ClassVar[tuple[str, str, str]]

    stage: str
    chosen_before: tuple[Any, ...]

    @property
    @abstractmethod
    def to_fill(self) -> int:
        """The places this round fills (应选)."""

    @abstractmethod
    def listed(self) -> tuple[Named, ...]:
        """Who is on this round's list (candidates, in listed order)."""

    @abstractmethod
    def runoff(self, result: Result) -> PlacesSpec:
        """The run-off round of a tied ``result`` of this round: the tied only, for the places still open,
        with ``chosen_before`` gaining those this round chose (``RuleError("no_tie")`` without a tie)."""

    @property
    def total_places(self) -> int:
        """All the places of the selection or election: those filled by earlier rounds and this round's."""
        return len(self.chosen_before) + self.to_fill

    def _check_stage(self, stages: Sequence[str] = STAGES) -> None:
        if self.stage not in stages:
            raise RuleError(
                "invalid_stage",
                f"轮次类别必须是 {'、'.join(stages)} 之一，收到的是 {self.stage!r}",
                f"stage must be one of {', '.join(stages)}, got {self.stage!r}",
            )
        if self.stage == "first" and self.chosen_before:
            raise RuleError(
                "invalid_stage",
                "第一次投票不能有此前已选出的人选",
                "a first round has nobody chosen before it",
            )

    def outcomes(
        self, counted: Counted, votes: Mapping[str, int], needed: Mapping[str, int]
    ) -> tuple[dict[str, str], Cut, str]:
        """(outcome per question, the cut, the round's outcome) of for-``votes`` against ``needed``."""
        order = list(votes)
        eligible = {q for q in order if votes[q] >= needed[q]} if counted.held else set()
        c = cut(order, votes, eligible, self.to_fill)
        if not counted.held:
            return dict.fromkeys(order, "no_quorum"), c, "no_quorum"
        per = dict.fromkeys(order, "not_" + self.chosen_code)
        per |= dict.fromkeys(c.chosen, self.chosen_code) | dict.fromkeys(c.tied, "tie")
        if c.tied:
            return per, c, "tie"
        every, some, none = self.filled_codes
        return per, c, every if c.open == 0 else (some if c.chosen else none)

    def chosen_in(self, result: Result) -> tuple[str, ...]:
        """The ids ``result`` chose, by rank (equal ranks in listed order)."""
        position = {q.question_id: i for i, q in enumerate(result.questions)}
        won = [q for q in result.questions if q.outcome == self.chosen_code]
        return tuple(q.question_id for q in sorted(won, key=lambda q: (q.rank or 0, position[q.question_id])))

    def person(self, question_id: str, result: Result) -> Named:
        """Who the question ``question_id`` of ``result`` is about (a listed candidate by default)."""
        for c in self.listed():
            if c.id == question_id:
                return c
        raise RuleError(
            "result_mismatch",
            f"结果中的 {question_id!r} 不在本轮候选名单中",
            f"{question_id!r} of the result is not on this round's list",
        )


@dataclass(frozen=True)
class Standing:
    """Where a selection or an election stands after its rounds (:func:`standing`).

    ``places``: all places (应选); ``chosen``: who fills them, in order; ``tied``: ids tied at the
    cut-off of the last round that counted; ``open``: places not filled; ``next``: "done" (every
    place filled), "runoff" (a run-off among the tied, for the open places), "further" (an election's
    另行选举 for the open places), "unfilled" (a selection's places left empty: nothing follows), or
    "repeat" (the last round has no result -- no quorum, or void -- and is voted again).
    """

    places: int
    chosen: tuple[Named, ...]
    tied: tuple[str, ...]
    open: int
    next: Literal["done", "runoff", "further", "unfilled", "repeat"]

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def standing(rounds: Sequence[tuple[PlacesSpec, Result]]) -> Standing:
    """Join the results of every round of one selection or election, oldest first.

    A first-stage round starts afresh (a re-vote of the whole ballot supersedes what came before); a
    run-off or a further election must carry, as ``chosen_before``, exactly who the rounds before it
    chose (else ``RuleError("rounds_out_of_order")``). A round without a result (no quorum, void)
    changes nothing but asks for the round to be voted again."""
    if not rounds or rounds[0][0].stage != "first":
        raise RuleError("rounds_out_of_order", "各轮结果须从第一次投票开始", "the rounds must begin with a first round")
    chosen: list[Named] = []
    tied: tuple[str, ...] = ()
    places, repeat = 0, False
    for spec, result in rounds:
        if spec.stage == "first":
            chosen, places = [], spec.total_places
        elif [c.id for c in spec.chosen_before] != [c.id for c in chosen]:
            raise RuleError(
                "rounds_out_of_order",
                "此轮所列此前已选出的人选与前几轮的结果不符",
                "this round's chosen_before does not match what the rounds before it chose",
            )
        repeat = result.outcome in ("no_quorum", "void")
        if not repeat:
            chosen += [spec.person(q, result) for q in spec.chosen_in(result)]
            tied = result.ties[0] if result.ties else ()
    open_places = places - len(chosen)
    kind = rounds[-1][0].kind
    nxt: Literal["done", "runoff", "further", "unfilled", "repeat"]
    if repeat:
        nxt = "repeat"
    elif tied:
        nxt = "runoff"
    elif open_places == 0:
        nxt = "done"
    else:
        nxt = "further" if kind == "election" else "unfilled"
    return Standing(places, tuple(chosen), tied if nxt == "runoff" else (), open_places, nxt)
