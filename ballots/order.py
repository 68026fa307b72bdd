"""Order of appointment and removal votes: removal before appointment to the same post (先免后任); a
dismissal (撤职) takes a person off a post as a removal does.

:func:`check_order` looks at a planned sequence of persons (the order in which their appointment or
removal will be voted) and returns one :class:`~ballots.errors.RuleError` per person whose
appointment to a post is planned before the removal of someone from that same post.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import BallotError, RuleError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .kinds.appointment import Person

__all__ = ["REMOVALS", "check_order"]

#: The actions that take a person off a post (免职, 撤职): voted before an appointment to it (先免后任).
REMOVALS = ("remove", "dismiss")


def check_order(plan: Sequence[Person]) -> list[BallotError]:
    """Problems with the order of ``plan``; an empty list when it is fine.

    Posts are compared after stripping surrounding blanks; persons with no post are not checked.
    """
    problems: list[BallotError] = []
    for i, appointee in enumerate(plan):
        post = appointee.post.strip()
        if appointee.action != "appoint" or not post:
            continue
        for removed in plan[i + 1 :]:
            if removed.action in REMOVALS and removed.post.strip() == post:
                verb_zh, verb_en = ("撤销", "dismissing") if removed.action == "dismiss" else ("免去", "removing")
                problems.append(
                    RuleError(
                        "appointment_before_removal",
                        f"先免后任：{verb_zh}{removed.name}的{post}职务，应在任命{appointee.name}为{post}之前表决",
                        f"removal before appointment: {verb_en} {removed.name} from {post} must be voted "
                        f"before appointing {appointee.name} to {post}",
                    )
                )
                break
    return problems
