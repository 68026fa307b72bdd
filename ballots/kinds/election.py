"""选举 (election) by a congress plenary: places, candidates (差额), 赞成 / 反对 / 弃权 for each, 另选他人.

The rules (the preset; a body may change the threshold and the margins):

* **Margin (差额)**: checked by the body's rules (:meth:`ballots.presets.RuleSet.check_spec`, the margins
  of :mod:`ballots.margins`) for the ``post_type``; a run-off is among the tied, so it has no margin.
* **A ballot**: for each candidate 赞成 / 反对 / 弃权 (unanswered: 弃权); a deputy may also write in other
  eligible persons (另选他人), each counted as a vote for that person (地方组织法 2022, on elections: 代表
  对于确定的候选人，可以投赞成票，可以投反对票，可以另选其他任何代表或者选民，也可以弃权). A write-in is
  the question ``"w:" + the name written`` (:func:`write_in_key`: NFKC, blanks between Chinese characters
  dropped, other runs of blanks made one): picking a deputy from the roster writes the same name, so a
  pick and a typed name count together, and two persons of one name are told apart by the name written
  ("李四（城关代表团）"). Counts stay ``{question: {option: n}}``: a write-in's counts are ``{"for": n}``.
* **Validity** (选举法, the article on the validity of ballots): a ballot voting for more persons than
  places is void (作废) -- counted as invalid, not refused, on paper (``count_paper``) or in a hand count
  (``turnout.invalid``), and impossible from a tablet (``limits()``: ``max_marks`` = places). If more
  ballots are returned than deputies voted (``turnout.voters``), the round is void ("void").
* **Elected**: for-votes meeting the threshold (default more than half of all deputies); if more meet it
  than there are places, the most votes win; equal votes at the cut-off are voted again among the tied
  only (:meth:`ElectionSpec.runoff`, ``stage="runoff"``); if fewer meet it, the places left go to a
  further election (另行选举, :func:`further_election`, ``stage="further"``) whose candidates are taken
  from the first round in order of votes, with the further-election margin (one to three more than the
  places, two candidates when one place is left).
* Always secret (:data:`ballots.presets.ALWAYS_SECRET`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from .. import announce
from ..errors import InvalidChoice, RuleError
from ..margins import FURTHER, MARGINS, POST_TYPES, Margin
from ..results import QuestionResult, Result
from .base import FOR, FOR_AGAINST_ABSTAIN, Counted, Limits, Named, Question, need_positive, need_text, unique_ids
from .places import PlacesSpec, Standing, standing

__all__ = ["WRITE_IN_PREFIX", "write_in_key", "Nominee", "ElectionSpec", "further_election"]

#: How a write-in's question id begins; the rest is the name written.
WRITE_IN_PREFIX = "w:"
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_BLANK_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def write_in_key(name: str) -> str:
    """The question id of a write-in for ``name``: ``"w:" + the name normalised`` ("李 四" → "w:李四")."""
    text = unicodedata.normalize("NFKC", name).strip()
    return WRITE_IN_PREFIX + " ".join(_BLANK_BETWEEN_CJK.sub("", text).split())


@dataclass(frozen=True)
class Nominee(Named):
    """A candidate of an election (a person), or a written-in person once a run-off lists them."""

    noun = "candidate"
    plain_name = "nominee"


@dataclass(frozen=True)
class ElectionSpec(PlacesSpec):
    """选举 of ``places`` persons to ``post`` (e.g. "县人大常委会委员") from ``candidates``.

    ``post_type`` names the margin the body's rules check ("head", "deputy_head", "committee_member",
    "by_election"); ``write_ins``: whether a ballot may name other persons (not in a run-off);
    ``stage`` and ``chosen_before``: see :mod:`.places`.
    """

    kind: ClassVar[str] = "election"
    chosen_code: ClassVar[str] = "elected"
    filled_codes: ClassVar[tuple[str, str, str]] = ("elected", "partly_elected", "unfilled")
    answer_noun: ClassVar[tuple[str, str]] = ("候选人", "candidate")
    mark_unit: ClassVar[str] = "人"
    voids_over_returned: ClassVar[bool] = True

    post: str
    places: int
    candidates: tuple[Nominee, ...]
    post_type: str
    write_ins: bool = True
    stage: Literal["first", "runoff", "further"] = "first"
    chosen_before: tuple[Nominee, ...] = ()

    def __post_init__(self) -> None:
        need_text(self.post, "election post")
        need_positive(self.places, "invalid_places", "应选人数", "places")
        for name in ("candidates", "chosen_before"):
            value = getattr(self, name)
            people = tuple(value) if isinstance(value, (list, tuple)) else None
            if people is None or not all(isinstance(p, Nominee) for p in people):
                raise RuleError("invalid_field", f"{name} 必须是候选人的序列", f"{name} must be a sequence of Nominee")
            object.__setattr__(self, name, people)
        if len(self.candidates) < self.places:
            raise RuleError(
                "too_few_candidates",
                f"应选{self.places}名，候选人只有{len(self.candidates)}名",
                f"{self.places} places but only {len(self.candidates)} candidates",
            )
        unique_ids([p.id for p in (*self.chosen_before, *self.candidates)], "候选人", "candidate")
        if self.post_type not in POST_TYPES:
            raise RuleError(
                "invalid_post_type",
                f"职务类别必须是 {'、'.join(POST_TYPES)} 之一，收到的是 {self.post_type!r}",
                f"post_type must be one of {', '.join(POST_TYPES)}, got {self.post_type!r}",
            )
        if not isinstance(self.write_ins, bool) or (self.write_ins and self.stage == "runoff"):
            raise RuleError(
                "invalid_write_ins",
                "write_ins 必须是布尔值；就票数相等者再次投票时不能另选他人",
                "write_ins must be a boolean, and false in a run-off (among the tied only)",
            )
        if self.write_ins and any(p.id.startswith(WRITE_IN_PREFIX) for p in self.candidates):
            raise RuleError(
                "invalid_field",
                f"允许另选他人时，候选人编号不能以 {WRITE_IN_PREFIX} 开头",
                f"candidate ids must not begin with {WRITE_IN_PREFIX!r} where write-ins are allowed",
            )
        self._check_stage()

    @property
    def to_fill(self) -> int:
        return self.places

    @property
    def margin_key(self) -> str | None:
        """The key of the margin the body's rules check: the post type, "further", or None (a run-off)."""
        return None if self.stage == "runoff" else FURTHER if self.stage == "further" else self.post_type

    def listed(self) -> tuple[Nominee, ...]:
        return self.candidates

    def questions(self) -> tuple[Question, ...]:
        return tuple(Question(p.id, p.name, FOR_AGAINST_ABSTAIN) for p in self.candidates)

    def answer_limits(self) -> Limits:
        return Limits(
            self.kind,
            answer_all=False,
            max_marks=self.places,
            for_code=FOR.code,
            default_code="abstain",
            write_in_prefix=WRITE_IN_PREFIX if self.write_ins else None,
        )

    def extra_question(self, question_id: str) -> Question | None:
        """A write-in, keyed by the name written (normalised); None where write-ins are not allowed."""
        if not self.write_ins or not question_id.startswith(WRITE_IN_PREFIX):
            return None
        key = write_in_key(question_id[len(WRITE_IN_PREFIX) :])
        name = key[len(WRITE_IN_PREFIX) :]
        if not name or len(name) > 60:
            raise InvalidChoice(
                "invalid_write_in",
                "另选他人须写明一个姓名（不超过60字）",
                "a write-in must name a person (60 characters)",
            )
        if any(write_in_key(p.name) == key for p in self.candidates):
            raise InvalidChoice(
                "write_in_is_candidate",
                f"“{name}”是本次候选人，请直接对其投票，不必另选",
                f"{name!r} is a candidate: vote for them directly, not as a write-in",
            )
        if any(write_in_key(p.name) == key for p in self.chosen_before):
            raise InvalidChoice(
                "write_in_already_elected",
                f"“{name}”已在此前的投票中当选，不能再选",
                f"{name!r} was elected in an earlier round and cannot be chosen again",
            )
        return Question(key, name, (FOR,))

    def _decide(self, counted: Counted) -> Result:
        listed = {p.id for p in self.candidates}
        written = sorted((q for q in counted.counts if q not in listed), key=lambda q: (-counted.counts[q]["for"], q))
        order = [*(p.id for p in self.candidates), *written]
        votes = {q: counted.counts[q]["for"] for q in order}
        needed = {q: counted.needed(votes[q] + counted.counts[q].get("against", 0)) for q in order}
        per, cut, outcome = self.outcomes(counted, votes, needed)
        if counted.turnout.over_returned:
            per, outcome = dict.fromkeys(order, "void"), "void"
        labels = {p.id: p.name for p in self.candidates}
        results = [
            QuestionResult(
                q,
                labels.get(q) or q[len(WRITE_IN_PREFIX) :],
                dict(counted.counts[q]),
                counted.unanswered(counted.counts[q]) if q in listed else counted.turnout.not_voted,
                needed[q],
                per[q],
                cut.rank[q],
            )
            for q in order
        ]
        ties = (cut.tied,) if cut.tied and outcome == "tie" else ()
        return self._finish(counted, results, outcome, ties)

    def person(self, question_id: str, result: Result) -> Nominee:
        """A listed candidate, or the person a write-in named (as a :class:`Nominee` keyed by the write-in)."""
        for p in self.candidates:
            if p.id == question_id:
                return p
        return Nominee(question_id, result.question(question_id).label)

    def runoff(self, result: Result) -> ElectionSpec:
        """The new round among the tied only (write-ins among them listed by name), for the places still
        open; ``chosen_before`` gains those this round elected, in order."""
        if not result.ties:
            raise RuleError("no_tie", "本轮没有票数相等的情形，无需再次投票", "this round has no tie to vote again on")
        chosen = tuple(self.person(q, result) for q in self.chosen_in(result))
        return ElectionSpec(
            post=self.post,
            places=self.places - len(chosen),
            candidates=tuple(self.person(q, result) for q in result.ties[0]),
            post_type=self.post_type,
            write_ins=False,
            stage="runoff",
            chosen_before=(*self.chosen_before, *chosen),
        )

    def announce(self, result: Result) -> tuple[str, str]:
        listed = {p.id for p in self.candidates}
        return announce.election(
            result,
            post=self.post,
            places=self.places,
            candidates=len(self.candidates),
            written={q.question_id for q in result.questions} - listed,
            stage=self.stage,
            before=tuple(p.name for p in self.chosen_before),
        )


def further_election(
    rounds: Sequence[tuple[ElectionSpec, Result]], *, extra: int | None = None, margin: Margin = MARGINS[FURTHER]
) -> ElectionSpec:
    """The further election (另行选举) after ``rounds`` (oldest first) left places unfilled: its candidates
    are the first round's candidates not yet elected, in order of for-votes in that round, as many as the
    open places plus ``extra`` (default: the fewest ``margin`` allows -- two candidates for one place).
    Equal votes at the end of the list take in the whole tie if the margin allows, else
    ``RuleError("further_list_tie")``; too few candidates left, ``RuleError("too_few_candidates")`` (new
    nominations are then needed)."""
    st = standing(rounds)
    if st.next != "further":
        raise RuleError(
            "no_further_election",
            "没有需要另行选举的名额",
            f"nothing to fill by a further election (next: {st.next})",
        )
    first, result = next((s, r) for s, r in reversed(rounds) if s.stage == "first")
    pool = _by_votes(first, result, {p.id for p in st.chosen})
    fewest, most = margin.bounds(st.open)
    if extra is not None:
        need_positive(extra, "invalid_extra", "差额人数", "extra")
    size = st.open + (fewest if extra is None else extra)
    margin.check(st.open, size)
    size = _take_tie(pool, size, st, most)
    return ElectionSpec(
        post=first.post,
        places=st.open,
        candidates=tuple(p for p, _ in pool[:size]),
        post_type=first.post_type,
        write_ins=first.write_ins,
        stage="further",
        chosen_before=tuple(Nominee(p.id, p.name) for p in st.chosen),
    )


def _by_votes(spec: ElectionSpec, result: Result, elected: set[str]) -> list[tuple[Nominee, int]]:
    position = {p.id: i for i, p in enumerate(spec.candidates)}
    pool = [(p, result.question(p.id).counts["for"]) for p in spec.candidates if p.id not in elected]
    return sorted(pool, key=lambda pv: (-pv[1], position[pv[0].id]))


def _take_tie(pool: list[tuple[Nominee, int]], size: int, st: Standing, most: int | None) -> int:
    if len(pool) < size:
        raise RuleError(
            "too_few_candidates",
            f"另行选举应选{st.open}名，需候选人{size}名，第一次投票中未当选的候选人只有{len(pool)}名，须另行提名",
            f"a further election for {st.open} needs {size} candidates; only {len(pool)} are left: nominate more",
        )
    if size == len(pool) or pool[size - 1][1] != pool[size][1]:
        return size
    line = pool[size - 1][1]
    widened = sum(1 for _, v in pool if v >= line)
    if most is not None and widened - st.open > most:
        tied = "、".join(p.name for p, v in pool if v == line)
        raise RuleError(
            "further_list_tie",
            f"{tied}得票相同，另行选举候选人名单超出差额上限，须由主席团确定",
            f"{tied} have equal votes at the end of the further-election list beyond the margin: the presidium decides",
        )
    return widened
