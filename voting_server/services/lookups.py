"""Lookups that several services and reads share, each written once: the roster of a sitting, who is
present, who has voted in a round, the open round of a sitting, the latest round of a ballot, the round
on screen, the sitting of a ballot or item, and the frozen rule and spec a round runs under."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import ballots

from .. import models
from ..i18n import Bilingual, msg
from .base import Conflict, canonical, get_or_404, rules_refusal

PRESENT = ("present", "video")  # attendance that counts as present (实到)


# --- people of a sitting ----------------------------------------------------------------------------


def roster_ids(s: Session, sitting: models.Sitting) -> list[int]:
    """Members entitled to vote in the sitting: the snapshot taken at opening, or (before it) the
    members of the body on the sitting's date."""
    if sitting.roster is not None:
        return list(sitting.roster)
    people = s.scalars(select(models.Person).where(models.Person.body_id == sitting.body_id,
                                                    models.Person.role == "member"))
    return sorted(p.id for p in people if p.is_member_on(sitting.date))


def observer_ids(s: Session, sitting: models.Sitting) -> list[int]:
    people = s.scalars(select(models.Person).where(models.Person.body_id == sitting.body_id,
                                                    models.Person.role == "observer"))
    return sorted(p.id for p in people if p.joined_on <= sitting.date and (p.left_on is None
                                                                          or p.left_on > sitting.date))


def present_ids(s: Session, sitting_id: int) -> set[int]:
    """Everyone whose attendance counts as present (on site or by video); observers included."""
    return set(s.scalars(select(models.Attendance.person_id).where(
        models.Attendance.sitting_id == sitting_id, models.Attendance.status.in_(PRESENT))))


def voted_ids(s: Session, round_id: int) -> set[int]:
    """The members who have voted in a round (never what they chose)."""
    return set(s.scalars(select(models.Participation.person_id).where(models.Participation.round_id == round_id)))


def non_voter_ids(s: Session, sitting: models.Sitting, round_id: int) -> list[int]:
    """Members present who have not voted in the round, in roster order; those attending by video whose
    votes the clerk is to enter are not among them (:func:`awaiting_entry_ids`)."""
    voted, present = voted_ids(s, round_id), present_ids(s, sitting.id)
    rnd = s.get(models.Round, round_id)
    waiting = set(awaiting_entry_ids(s, sitting, rnd)) if rnd is not None else set()
    return [pid for pid in roster_ids(s, sitting) if pid in present and pid not in voted and pid not in waiting]


def video_ids(s: Session, sitting_id: int) -> set[int]:
    """Everyone attending the sitting by video (视频出席)."""
    return set(s.scalars(select(models.Attendance.person_id).where(
        models.Attendance.sitting_id == sitting_id, models.Attendance.status == "video")))


def video_by_clerk(rnd: models.Round) -> bool:
    """Whether the round's rule has the clerk enter the votes of members attending by video (a ballot
    by show of hands alone is the clerk's count for everyone, so nobody waits apart)."""
    return rule_of(rnd.rule).video_votes == "clerk" and rnd.ballot.method != "hands"


def awaiting_entry_ids(s: Session, sitting: models.Sitting, rnd: models.Round) -> list[int]:
    """Members attending by video whose votes the clerk has still to enter (视频出席，待录入), in roster
    order: under the rule "clerk", those by video with no vote in the round, until the clerk's count of
    the round is entered (``ballots.video_pending``)."""
    if not video_by_clerk(rnd):
        return []
    video, voted = video_ids(s, sitting.id), voted_ids(s, rnd.id)
    waiting = [pid for pid in roster_ids(s, sitting) if pid in video and pid not in voted]
    entered = hand_count(s, rnd.id) is not None
    return waiting if ballots.video_pending("clerk", video_not_voted=len(waiting), entered=entered) else []


# --- rounds -----------------------------------------------------------------------------------------


def latest_round(s: Session, ballot_id: int) -> models.Round | None:
    return s.scalar(select(models.Round).where(models.Round.ballot_id == ballot_id)
                    .order_by(models.Round.number.desc()).limit(1))


def ballot_and_open_round(s: Session, ballot_id: int) -> tuple[models.Ballot, models.Round]:
    """The ballot and its open round, or the refusal every action on an open ballot gives."""
    ballot = get_or_404(s, models.Ballot, ballot_id, msg("表决"))
    rnd = latest_round(s, ballot.id)
    if rnd is None or rnd.status != "open":
        raise Conflict("ballot_not_open", msg("表决未在进行中"))
    return ballot, rnd


def open_round(s: Session, sitting_id: int) -> models.Round | None:
    """The open round of a sitting (at most one is open at a time)."""
    return s.scalar(select(models.Round).join(models.Ballot).join(models.AgendaItem).where(
        models.AgendaItem.sitting_id == sitting_id, models.Round.status == "open"))


def open_round_of_item(s: Session, item_id: int) -> models.Round | None:
    return s.scalar(select(models.Round).join(models.Ballot).where(
        models.Ballot.item_id == item_id, models.Round.status == "open"))


def current_item(s: Session, sitting_id: int) -> models.AgendaItem | None:
    return s.scalar(select(models.AgendaItem).where(models.AgendaItem.sitting_id == sitting_id,
                                                     models.AgendaItem.status == "current"))


def round_on_screen(s: Session, sitting: models.Sitting) -> models.Round | None:
    """The round terminals show: the open round if any, else the most recently closed (or withdrawn)
    round of the current item; with no current item, the round that ended uncounted when its item was
    withdrawn (撤回), until the chair takes up or finishes an item; else none."""
    rnd = open_round(s, sitting.id)
    if rnd is not None:
        return rnd
    current = current_item(s, sitting.id)
    if current is None:
        return _ended_with_its_item(s, sitting.id)
    return s.scalar(select(models.Round).join(models.Ballot).where(
        models.Ballot.item_id == current.id, models.Round.status.in_(("closed", "counting", "withdrawn")))
        .order_by(models.Round.closed_at.desc(), models.Round.id.desc()).limit(1))


def _ended_with_its_item(s: Session, sitting_id: int) -> models.Round | None:
    """The last round an item's withdrawal ended, when that withdrawal is the sitting's latest move on
    its agenda (no item taken up or finished since): every screen then says 已撤回 and why."""
    last = s.scalar(select(models.AuditEntry).where(
        models.AuditEntry.sitting_id == sitting_id,
        models.AuditEntry.action.in_(("item_started", "item_finished", "item_withdrawn")))
        .order_by(models.AuditEntry.id.desc()).limit(1))
    if last is None or last.action != "item_withdrawn":
        return None
    ended = json.loads(last.payload).get("rounds") or []
    return s.get(models.Round, ended[-1]) if ended else None


def ballot_status(rounds: list[models.Round], withdrawn: bool = False) -> str:
    """draft: never opened; open: the latest round is open; counting: its 监票人 are decrypting its sums;
    closed: the latest round is closed; withdrawn: the ballot was withdrawn (撤回)."""
    if withdrawn:
        return "withdrawn"
    if not rounds:
        return "draft"
    return rounds[-1].status if rounds[-1].status in ("open", "counting") else "closed"


def hand_count(s: Session, round_id: int) -> models.HandCount | None:
    return s.scalar(select(models.HandCount).where(models.HandCount.round_id == round_id))


# --- what belongs to what ---------------------------------------------------------------------------


def followed_sitting(s: Session, body_id: int, *, besides: int | None = None) -> models.Sitting | None:
    """The sitting a body's terminals follow: of its open sittings, the one opened last (``besides``:
    leaving that one out, e.g. a sitting being closed). A terminal on a planned sitting of the body
    moves to it (``moved_to``, docs/protocol.md section 3), and a sign-in sent for a planned sitting
    counts for it."""
    q = select(models.Sitting).where(models.Sitting.body_id == body_id, models.Sitting.status == "open")
    if besides is not None:
        q = q.where(models.Sitting.id != besides)
    return s.scalar(q.order_by(models.Sitting.opened_at.desc(), models.Sitting.id.desc()).limit(1))


def planned_sittings(s: Session, body_id: int) -> list[models.Sitting]:
    return list(s.scalars(select(models.Sitting).where(models.Sitting.body_id == body_id,
                                                       models.Sitting.status == "planned")
                          .order_by(models.Sitting.id)))


def sitting_of_item(s: Session, item: models.AgendaItem) -> models.Sitting:
    sitting = s.get(models.Sitting, item.sitting_id)
    assert sitting is not None
    return sitting


def item_of_ballot(s: Session, ballot: models.Ballot) -> models.AgendaItem:
    item = s.get(models.AgendaItem, ballot.item_id)
    assert item is not None
    return item


def sitting_of_ballot(s: Session, ballot: models.Ballot) -> models.Sitting:
    return sitting_of_item(s, item_of_ballot(s, ballot))


# --- rules and specs ----------------------------------------------------------------------------------


def ruleset_of(body: models.Body) -> ballots.RuleSet:
    """The body's rulebook as it is now (a ballot and an open sitting keep the rule frozen from it)."""
    try:
        return ballots.ruleset(body.preset, body.overrides or None)
    except ballots.BallotError as err:
        raise rules_refusal(err) from err


def frozen_rule(rules: ballots.RuleSet, threshold: ballots.Threshold) -> dict[str, Any]:
    """The stored form of a rule frozen from a rulebook (``ballots.Rule``)."""
    return ballots.Rule(preset=rules.name, threshold=threshold, quorum=rules.quorum, words=rules.words,
                        video_votes=rules.video_votes).to_dict()


@lru_cache(maxsize=256)
def _rule_cached(key: str) -> ballots.Rule:
    return ballots.Rule.from_dict(json.loads(key))


def rule_of(stored: dict[str, Any]) -> ballots.Rule:
    """The one reader of a stored rule (a ballot's, a round's, a sitting's)."""
    return _rule_cached(canonical(stored))


@lru_cache(maxsize=256)
def _spec_cached(key: str) -> ballots.BallotSpec:
    return ballots.spec_from_dict(json.loads(key))


def spec_of(stored: dict[str, Any]) -> ballots.BallotSpec:
    """The rules engine's spec of a stored ballot or round (parsed once per distinct spec)."""
    return _spec_cached(canonical(stored))


def sitting_rule(s: Session, sitting: models.Sitting) -> ballots.Rule:
    """The rule the quorum banner shows: the rule of the round on screen, else the rule frozen when the
    sitting opened, else (a planned sitting) the body's rulebook as it is now. A body changing its
    rules while a sitting is open changes neither the banner nor the ballot."""
    rnd = round_on_screen(s, sitting)
    if rnd is not None:
        return rule_of(rnd.rule)
    if sitting.rule is not None:
        return rule_of(sitting.rule)
    return body_rule(sitting.body)


def body_rule(body: models.Body) -> ballots.Rule:
    """The body's rule for a sitting as its rulebook is now: its quorum, and the threshold of a resolution."""
    rules = ruleset_of(body)
    return ballots.Rule(preset=rules.name, threshold=rules.threshold_for("resolution"), quorum=rules.quorum,
                        words=rules.words, video_votes=rules.video_votes)


def sitting_words(sitting: models.Sitting) -> ballots.Words:
    """How the sitting names its voting members: the words frozen with its rule when it opened, else
    (a planned sitting) the body's rulebook's as it is now."""
    return rule_of(sitting.rule).words if sitting.rule is not None else ruleset_of(sitting.body).words


def member_word(words: ballots.Words, *, plural: bool = False) -> Bilingual:
    """The body's word for one voting member (组成人员 / 代表), for a message: ``msg("…{member}…", member=…)``."""
    return Bilingual(words.member_zh, words.members_en if plural else words.member_en)


def words_json(words: ballots.Words) -> dict[str, str]:
    """The words as screens use them: ``member`` / ``all`` / ``roster`` in Chinese and English."""
    return {"member_zh": words.member_zh, "member_en": words.member_en, "members_en": words.members_en,
            "all_zh": words.all_zh, "all_en": words.all_en, "roster_zh": words.roster_zh,
            "roster_en": words.roster_en}
