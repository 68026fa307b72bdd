"""What every ballot kind shares: the common machinery of :class:`BallotSpec` (checking ballots against
the limits, counting ballots, checking tally input, building the result and its announcement), over
the parts in :mod:`.parts` and the checks of :mod:`.counting` (both re-exported here).

A kind module subclasses :class:`BallotSpec` as a frozen dataclass and provides ``questions()``,
``answer_limits()``, ``_decide()`` (the tally of checked counts) and ``announce()``;
storage (``to_dict``/``from_dict``), validation and the checks of a tally's input come from here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Self

from ..errors import CapExceeded, InvalidChoice, InvalidCounts, TooManyMarks
from ..plain import Plain, from_plain, to_plain
from ..results import QuestionResult, Result
from ..rules import MEMBERS, Quorum, Threshold, Turnout, need_quorum, need_threshold
from ..words import Words, need_words
from .counting import Counted, PaperCount, check_complete, check_counts
from .parts import (
    ABSTAIN,
    AGAINST,
    FOR,
    FOR_AGAINST_ABSTAIN,
    Limits,
    Named,
    Option,
    Question,
    need_positive,
    need_text,
    unique_ids,
)

__all__ = [
    "need_text",
    "need_positive",
    "unique_ids",
    "Option",
    "Question",
    "Named",
    "Limits",
    "Counted",
    "PaperCount",
    "BallotSpec",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
]


class BallotSpec(Plain, ABC):
    """What every ballot kind provides. Subclasses are frozen dataclasses."""

    kind: ClassVar[str]
    #: How a question is named when a member leaves it unanswered ("未对议题“…”作出选择").
    answer_noun: ClassVar[tuple[str, str]] = ("议题", "question")
    #: What a mark is counted in when a ballot has too many ("最多可选3项").
    mark_unit: ClassVar[str] = "项"
    #: Whether more ballots returned than voters makes the round void (an election) rather than an error.
    voids_over_returned: ClassVar[bool] = False

    @abstractmethod
    def questions(self) -> tuple[Question, ...]:
        """The questions of the ballot, in the order they are shown and announced."""

    @abstractmethod
    def answer_limits(self) -> Limits:
        """What one member's ballot must respect; :meth:`validate` enforces exactly this."""

    def tally(
        self,
        counts: Mapping[str, Mapping[str, int]],
        turnout: Turnout,
        threshold: Threshold,
        quorum: Quorum,
        *,
        words: Words = MEMBERS,
    ) -> Result:
        """Turn per-question per-option counts into a result, worded in the body's ``words``: the rules
        and the counts are checked here, once for every kind; the kind decides in :meth:`_decide`."""
        return self._decide(self._begin(counts, turnout, threshold, quorum, words))

    @abstractmethod
    def _decide(self, counted: Counted) -> Result:
        """The result of checked counts, by this kind's rule (finished with :meth:`_finish`)."""

    @abstractmethod
    def announce(self, result: Result) -> tuple[str, str]:
        """The chair's announcement of ``result`` (a result of this spec), in Chinese and English."""

    def extra_question(self, question_id: str) -> Question | None:
        """A question a ballot or a count may hold although :meth:`questions` does not list it (an
        election's write-in, keyed by the name written), or None. Kinds without such questions: None."""
        return None

    def limits(self) -> dict[str, Any]:
        """What a terminal needs to enforce this ballot's rule without re-implementing it: ``kind``,
        ``answer_all``, ``max_marks``, ``for_code``, ``caps``, ``default_code`` and, where a ballot may
        name other persons, ``write_in_prefix`` (see :class:`Limits`)."""
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
        given = self._check_choice_shape(choice)
        out: dict[str, str] = {}
        for q in self.questions():
            if q.id in given:
                out[q.id] = q.match(given[q.id][1])
            elif limits.default_code is not None:
                out[q.id] = limits.default_code
            elif limits.answer_all:
                noun_zh, noun_en = self.answer_noun
                raise InvalidChoice(
                    "missing_answer", f"未对{noun_zh}“{q.label}”作出选择", f"no answer for {noun_en} {q.label!r}"
                )
        for qid, (q, value) in given.items():  # the questions a ballot may add (write-ins)
            if qid not in out:
                out[qid] = q.match(value)
        self._check_marks_and_caps(out, limits)
        return out

    def _check_marks_and_caps(self, out: Mapping[str, str], limits: Limits) -> None:
        marks = sum(1 for v in out.values() if v == limits.for_code)
        if limits.max_marks is not None and marks > limits.max_marks:
            unit = self.mark_unit
            raise TooManyMarks(
                "too_many_marks",
                f"最多可选{limits.max_marks}{unit}，此票选了{marks}{unit}",
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

    def empty_counts(self) -> dict[str, dict[str, int]]:
        """Zero counts for every question and option."""
        return {q.id: {code: 0 for code in q.codes()} for q in self.questions()}

    def count(self, ballots: Iterable[Mapping[str, str]]) -> dict[str, dict[str, int]]:
        """Validate each member's ballot and add it up into tally input (a ballot over its limits is
        refused: a tablet cannot produce one)."""
        counts = self.empty_counts()
        for ballot in ballots:
            self._add(counts, self.validate(ballot))
        return counts

    def count_paper(self, ballots: Iterable[Mapping[str, str]]) -> PaperCount:
        """Add up paper (or hand-recorded) ballots: one with more marks, or more of a capped grade, than
        allowed is invalid (无效票; 作废 in an election) -- counted as such, not refused. Any other fault
        (an unknown question or option) is an error in the entry and raises as in :meth:`validate`."""
        counts = self.empty_counts()
        invalid = cast = 0
        for ballot in ballots:
            try:
                valid = self.validate(ballot)
            except (TooManyMarks, CapExceeded):
                invalid += 1
                continue
            self._add(counts, valid)
            cast += 1
        return PaperCount(counts, cast, invalid)

    @staticmethod
    def _add(counts: dict[str, dict[str, int]], ballot: Mapping[str, str]) -> None:
        for qid, code in ballot.items():
            per = counts.setdefault(qid, {})
            per[code] = per.get(code, 0) + 1

    def _option(self, code: str) -> Option:
        return next(o for q in self.questions() for o in q.options if o.code == code)

    def _check_choice_shape(self, choice: object) -> dict[str, tuple[Question, object]]:
        """{question id: (question, answer given)} of a ballot; write-ins under their normalised key."""
        if not isinstance(choice, Mapping):
            raise InvalidChoice(
                "not_a_mapping", f"选票必须是映射，收到的是 {choice!r}", f"a ballot must be a mapping, got {choice!r}"
            )
        questions = {q.id: q for q in self.questions()}
        given: dict[str, tuple[Question, object]] = {}
        for qid, value in choice.items():
            q = questions.get(qid) if isinstance(qid, str) else None
            if q is None and isinstance(qid, str):
                q = self.extra_question(qid)
            if q is None:
                raise InvalidChoice(
                    "unknown_question", f"本次表决没有议题 {qid!r}", f"this ballot has no question {qid!r}"
                )
            if q.id in given:
                raise InvalidChoice("duplicate_question", f"选票中“{q.label}”出现两次", f"{q.label!r} appears twice")
            given[q.id] = (q, value)
        return given

    # tally input and result

    def check_hand_count(self, counts: object, turnout: Turnout) -> dict[str, dict[str, int]]:
        """Check a hand-entered count (a show of hands, paper ballots added up by the tellers) before it is
        stored: everything a tally checks (see :meth:`_begin`), and -- where every valid ballot answers
        every question (``limits()``: ``answer_all``, or a ``default_code``) -- that each question's counts
        add up to exactly ``turnout.cast``. Returns the counts as the tally reads them; raises
        :class:`~ballots.errors.InvalidCounts` ("count_mismatch" for a short question)."""
        if not isinstance(turnout, Turnout):
            raise InvalidCounts(
                "invalid_turnout", "出席数据必须是 Turnout", f"turnout must be a Turnout, got {turnout!r}"
            )
        checked = self._check_counts(counts, turnout)
        if self.answer_limits().every_question_answered:
            check_complete(checked, turnout.cast, {q.id: q for q in self.questions()})
        return checked

    def _begin(
        self, counts: object, turnout: object, threshold: object, quorum: object, words: object = MEMBERS
    ) -> Counted:
        """Check the rules and the counts of a tally (see :func:`~.counting.check_counts`)."""
        rule = need_threshold(threshold), need_quorum(quorum)
        if not isinstance(turnout, Turnout):
            raise InvalidCounts(
                "invalid_turnout", "出席数据必须是 Turnout", f"turnout must be a Turnout, got {turnout!r}"
            )
        return Counted(self._check_counts(counts, turnout), turnout, *rule, need_words(words))

    def _check_counts(self, counts: object, turnout: Turnout) -> dict[str, dict[str, int]]:
        if turnout.over_returned and not self.voids_over_returned:
            raise InvalidCounts(
                "ballots_exceed_voters",
                f"收回{turnout.returned}张，多于投票的{turnout.voters}人",
                f"{turnout.returned} ballots returned exceed the {turnout.voters} who voted",
            )
        questions = {q.id: q for q in self.questions()}
        return check_counts(counts, turnout.cast, questions, self.answer_limits(), self.extra_question)

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
            words=counted.words,
        )
        zh, en = self.announce(draft)
        return replace(draft, announcement_zh=zh, announcement_en=en)
