"""Voting again to fill the places of a selection (票决) or an election (选举): a new round of the same
ballot, with its own spec frozen on the round, when the rounds so far (:func:`ballots.standing`) ask for
one --

* a tie at the cut-off: a run-off among the tied only, for the places still open
  (``spec.runoff(result)``; 就票数相等的项目再次投票);
* an election with places unfilled: the further election (另行选举) of :func:`ballots.further_election`,
  its candidates drawn from the first round in order of votes, as many as the places plus ``extra``
  (default: the fewest the body's further-election margin allows).

Refused, with nothing changed, when nothing is left to vote on (no tie, every place filled, a selection's
places left unfilled, the last round without a result), while a round of the ballot or of the sitting is
open, and when the ballot or its item was withdrawn. Audited ``runoff_opened`` and pushed like an opening;
the last round's result then states the final list of all rounds (its spec's ``chosen_before``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .base import Actor, Conflict, Invalid, get_or_404, require, requires, rules_refusal, transaction
from .lookups import latest_round, ruleset_of, spec_of
from .opening import ballot_to_open, check_hall_free, check_round_ended, new_round
from .values import Bounded, Maybe, Refusal

EXTRA = Maybe(Bounded(1, 50, Refusal("bad_extra", msg("另行选举的差额人数必须在1到50之间"))))
RUNOFF_ACTION = "runoff_opened"


def rounds_with_results(s: Session, ballot: models.Ballot) -> list[tuple[ballots.PlacesSpec, ballots.Result]]:
    """The ballot's rounds that have a result, oldest first, each with the spec it ran under (a places
    kind only: selection or election)."""
    rows = s.execute(select(models.Round, models.Result).join(models.Result, models.Result.round_id == models.Round.id)
                     .where(models.Round.ballot_id == ballot.id).order_by(models.Round.number)).all()
    out: list[tuple[ballots.PlacesSpec, ballots.Result]] = []
    for rnd, res in rows:
        spec = spec_of(rnd.spec)
        if isinstance(spec, ballots.PlacesSpec):
            out.append((spec, ballots.Result.from_dict(res.data)))
    return out


def standing_of(s: Session, ballot: models.Ballot) -> ballots.Standing | None:
    """Where a selection or election stands after its rounds with a result (None: not a places kind,
    or no result yet)."""
    rounds = rounds_with_results(s, ballot)
    if not rounds:
        return None
    try:
        return ballots.standing(rounds)
    except ballots.BallotError:
        return None


DETAILS = ("amount", "responsible_unit", "summary", "document_id")


def details_of(person: object) -> dict[str, str]:
    """A 票决 candidate's details as given (投资额, 责任单位, 简介, the attached paper); none for others."""
    return {k: v for k in DETAILS if isinstance(v := getattr(person, k, ""), str) and v}


def standing_json(s: Session, ballot: models.Ballot) -> dict[str, Any] | None:
    """What the screens show of it: the places, who is chosen so far (in order, with their details), who
    is tied, the places open, and what comes next ("runoff" / "further": the chair may open that round)."""
    st = standing_of(s, ballot)
    if st is None:
        return None
    return {"places": st.places, "chosen": [{"id": c.id, "name": c.name, **details_of(c)} for c in st.chosen],
            "tied": list(st.tied), "open": st.open, "next": st.next}


@requires("drive_ballot")
def open_runoff(store: Store, actor: Actor, ballot_id: int, *, extra: int | None = None,
                override_quorum: bool = False) -> int:
    """Open the next round that fills the places left: the run-off among the tied, or an election's
    further election (``extra``: candidates beyond the places, for a further election only). Returns
    the new round's id."""
    extra = EXTRA.check(extra)
    if override_quorum:
        require(actor, "override_quorum")
    with transaction(store, actor) as tx:
        s = tx.session
        if not isinstance(spec_of(get_or_404(s, models.Ballot, ballot_id, msg("表决")).spec), ballots.PlacesSpec):
            raise Conflict("not_places", msg("只有票决和选举才能就票数相等者再次投票或另行选举"))
        ballot, item, sitting = ballot_to_open(s, ballot_id)
        last = check_round_ended(latest_round(s, ballot.id), msg("该表决尚未进行，无需再次投票"))
        rounds = rounds_with_results(s, ballot)
        if last.status != "closed" or not rounds:
            raise Conflict("no_result", msg("上一轮表决没有结果，不能再次投票；如需再次表决请使用重新表决"))
        spec, stage = _next_spec(s, sitting, rounds, extra)
        check_hall_free(s, sitting, item, ballot)
        return new_round(tx, store, sitting, item, ballot, last, override_quorum=override_quorum,
                         action=RUNOFF_ACTION, spec=spec,
                         details={"stage": stage, "places": spec.to_fill,
                                  "candidates": [c.id for c in spec.listed()],
                                  "chosen_before": [c.id for c in spec.chosen_before],
                                  **({"extra": extra} if extra is not None else {})})


def _next_spec(s: Session, sitting: models.Sitting, rounds: list[tuple[ballots.PlacesSpec, ballots.Result]],
               extra: int | None) -> tuple[ballots.PlacesSpec, str]:
    try:
        st = ballots.standing(rounds)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
    if st.next == "done":
        raise Conflict("all_filled", msg("应选{places}个名额均已选出，无需再次投票", places=st.places))
    if st.next == "unfilled":
        raise Conflict("no_tie", msg("本轮没有票数相等的情形；未选出的{open}个名额作空缺处理，不再投票", open=st.open))
    if st.next == "repeat":
        raise Conflict("no_result", msg("上一轮表决没有结果，不能再次投票；如需再次表决请使用重新表决"))
    if st.next == "runoff" and extra is not None:
        raise Invalid("extra_not_further", msg("差额人数只用于另行选举；就票数相等者再次投票时候选人即为票数相等者"))
    try:
        if st.next == "runoff":
            spec, result = rounds[-1]
            return spec.runoff(result), "runoff"
        elections = [(sp, r) for sp, r in rounds if isinstance(sp, ballots.ElectionSpec)]
        margin = ruleset_of(sitting.body).margins[ballots.margins.FURTHER]
        return ballots.further_election(elections, extra=extra, margin=margin), "further"
    except ballots.BallotError as err:
        raise rules_refusal(err) from err
