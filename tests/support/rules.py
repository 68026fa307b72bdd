"""What the rules engine (``ballots/``) says on its own, to check the server and the ballot box against:
the result of a set of ballots, and random ballots that the rules accept."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import ballots


def expected_result(spec: Mapping[str, Any], choices: Sequence[Any], *, present: int, entitled: int = 15,
                    hands: Mapping[str, Mapping[str, int]] | None = None, hand_ballots: int = 0,
                    action: str | None = None, preset: str = "standing_committee",
                    hands_only: bool = False, video_pending: int = 0) -> dict[str, Any]:
    """The result ``ballots/`` gives for these member ballots (plus a show-of-hands count) under ``preset``."""
    rules = ballots.ruleset(preset)
    parsed = ballots.spec_from_dict(dict(spec))
    counts = parsed.count(list(choices))
    for question, options in (hands or {}).items():
        for option, n in options.items():
            counts[question][option] += n
    turnout = ballots.Turnout(entitled=entitled, present=present, cast=len(choices) + hand_ballots, hands=hands_only,
                              video_pending=video_pending)  # by video, not entered by the clerk
    result: dict[str, Any] = parsed.tally(counts, turnout, rules.threshold_for(parsed.kind, action=action),
                                          rules.quorum).to_dict()
    return result


def valid_choices(spec: ballots.BallotSpec, n: int, rng: random.Random, *,
                  answered: float = 0.8) -> list[dict[str, str]]:
    """``n`` random ballots that ``spec`` accepts; each question is answered with probability ``answered``."""
    out: list[dict[str, str]] = []
    while len(out) < n:
        choice = {q.id: rng.choice(q.codes()) for q in spec.questions() if rng.random() < answered}
        try:
            spec.validate(choice)
            out.append(choice)
        except ballots.BallotError:
            pass
    return out
