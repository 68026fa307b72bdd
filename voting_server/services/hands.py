"""A show-of-hands count entered by the clerk for an open round: the whole count (device failure or a
show-of-hands ballot) or the video attendees' count added to the tablets'. Once per round, never
edited; the sheet states the method and who entered it (议事规则 Art. 48)."""
from __future__ import annotations

from collections.abc import Mapping

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .base import Actor, Conflict, Invalid, requires, rules_refusal, transaction, utcnow
from .lookups import (
    ballot_and_open_round,
    hand_count,
    roster_ids,
    rule_of,
    sitting_of_ballot,
    spec_of,
)
from .sitting import attendance_counts
from .values import Bounded, Refusal, Rule, Text, is_int

MAX_BALLOTS = 100_000
BALLOTS_CAST = Bounded(0, MAX_BALLOTS, Refusal("bad_count", msg("表决票数必须是非负整数")))
INVALID_BALLOTS = Bounded(0, MAX_BALLOTS, Refusal("bad_count", msg("无效票数必须是非负整数")))
NOTE = Text(msg("备注"), max_len=300, allow_empty=True)
Counts = Mapping[str, Mapping[str, int]]
_BAD_COUNT = Refusal("bad_count", msg("票数必须是非负整数"))


class CountsShape(Rule[Counts]):
    """``{question: {option: n}}`` with whole numbers (which questions and options the ballot has, and
    that no count is negative, is checked against its spec)."""

    json_types = (dict,)

    def wrong_type(self, raw: object) -> Invalid:
        return Invalid("bad_counts", msg("计票数据格式错误"))

    def parse(self, raw: object) -> Counts:
        if not isinstance(raw, Mapping):
            raise self.wrong_type(raw)
        for qid, opts in raw.items():
            if not isinstance(opts, Mapping):
                raise Invalid("unknown_question", msg("未知表决事项：{question}", question=str(qid)[:40]))
            if not all(is_int(n) for n in opts.values()):
                raise _BAD_COUNT()
        return raw


COUNTS = CountsShape()


@requires("enter_show_of_hands")
def enter_show_of_hands(store: Store, actor: Actor, ballot_id: int, *, counts: Counts, ballots_cast: int,
                        invalid: int = 0, note: str = "") -> None:
    note = NOTE.check(note)
    ballots_cast, invalid = BALLOTS_CAST.check(ballots_cast), INVALID_BALLOTS.check(invalid)
    with transaction(store, actor) as tx:
        s = tx.session
        ballot, rnd = ballot_and_open_round(s, ballot_id)
        if hand_count(s, rnd.id) is not None:
            raise Conflict("already_entered", msg("本轮已录入举手结果"))
        spec = spec_of(rnd.spec)
        clean = _known_counts(spec, counts, ballots_cast)
        sitting = sitting_of_ballot(s, ballot)
        attending = attendance_counts(s, sitting)["attending"]
        if rnd.voters + ballots_cast + invalid > attending:
            raise Invalid("count_exceeds_present", msg("电子表决{tablets}票加举手{hands}票，超过实到人数{present}",
                                                       tablets=rnd.voters, hands=ballots_cast + invalid,
                                                       present=attending))
        _check_hand_count(spec, rnd, clean, ballots_cast, invalid, entitled=len(roster_ids(s, sitting)),
                          present=attending)
        s.add(models.HandCount(round_id=rnd.id, counts=clean, ballots=ballots_cast, invalid=invalid,
                               entered_by=actor.name or actor.label, entered_at=utcnow(), note=note))
        tx.audit("show_of_hands_entered", {"ballot_id": ballot.id, "round_id": rnd.id, "ballots": ballots_cast,
                                           "invalid": invalid, "note": note, "entered_by": actor.name},
                 sitting_id=sitting.id, push=True)


def _known_counts(spec: ballots.BallotSpec, counts: Counts, ballots_cast: int) -> dict[str, dict[str, int]]:
    """The counts of the ballot's own questions and options, none adding up to more than the ballots."""
    questions = {q.id: q for q in spec.questions()}
    clean: dict[str, dict[str, int]] = {}
    for raw_id, opts in counts.items():
        question = questions.get(raw_id) or _written_in(spec, raw_id)
        qid = question.id
        codes = {o.code for o in question.options}
        clean.setdefault(qid, {})
        for code, n in opts.items():
            if code not in codes:
                raise Invalid("unknown_option", msg("未知选项：{option}", option=str(code)[:20]))
            if n < 0:
                raise _BAD_COUNT()
            clean[qid][code] = clean[qid].get(code, 0) + n  # "赵 六" and "赵六" are one person written in
        if sum(clean[qid].values()) > ballots_cast:
            # TRANSLATORS: {label} is the question's own wording, {question} its id: a translation names either
            raise Invalid("count_exceeds", msg("“{label}”各项票数之和超过表决票数", label=question.label,
                                               question=qid))
    return clean


def _written_in(spec: ballots.BallotSpec, qid: str) -> ballots.Question:
    """A person written in on paper (另选他人, ``"w:" + the name``) where the ballot takes write-ins."""
    try:
        question = spec.extra_question(qid)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    if question is None:
        raise Invalid("unknown_question", msg("未知表决事项：{question}", question=str(qid)[:40]))
    return question


def _check_hand_count(spec: ballots.BallotSpec, rnd: models.Round, counts: dict[str, dict[str, int]],
                      ballots_cast: int, invalid: int, *, entitled: int, present: int) -> None:
    """A count is entered once and never edited, so whatever would stop the close from tallying it is
    refused now: every question answered on every valid ballot (all kinds but a selection by marks), and
    the kind's own limits (marks per ballot, caps), checked by tallying the count on its own."""
    if not (isinstance(spec, ballots.SelectionSpec) and spec.options == "mark"):
        for q in spec.questions():
            given = sum(counts.get(q.id, {}).values())
            if given != ballots_cast:
                # TRANSLATORS: {label} is the question's own wording, {question} its id: a translation names either
                raise Invalid("count_mismatch", msg("“{label}”各项票数之和为{total}，与表决票数{cast}不符",
                                                    label=q.label, total=given, cast=ballots_cast, question=q.id))
    rule = rule_of(rnd.rule)
    try:
        spec.tally(counts, ballots.Turnout(entitled=entitled, present=present, cast=ballots_cast, invalid=invalid),
                   rule.threshold, rule.quorum)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
