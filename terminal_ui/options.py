"""The options of each ballot kind as the rules engine defines them, for the clerk's console.

The snapshot carries the options of the ballot on screen, but the clerk also shows stored results of
earlier rounds (counts by option code) and writes new specs (an evaluation with the grade 不了解). The
words of those options are the rules engine's own: each set is read from the questions ``ballots``
gives for a spec of that kind, so nothing here names an option.
"""
from __future__ import annotations

from typing import Any

from ballots import UNKNOWN, spec_from_dict

_ONE = [{"id": "x1", "name": "x"}]
#: The smallest spec of each kind (and variant); only the options of its first question are kept.
SAMPLES: dict[str, dict[str, Any]] = {
    "resolution": {"kind": "resolution", "question": "x"},
    "appointment": {"kind": "appointment", "persons": [{"id": "x1", "name": "x", "post": "x", "action": "appoint"}]},
    "evaluation": {"kind": "evaluation", "objects": _ONE},
    "selection.mark": {"kind": "selection", "max_marks": 1, "options": "mark", "candidates": _ONE},
    "selection.for_against_abstain": {"kind": "selection", "max_marks": 1, "options": "for_against_abstain",
                                      "candidates": _ONE},
    "election": {"kind": "election", "post": "x", "places": 1, "post_type": "by_election", "candidates": _ONE},
}


def option_sets() -> dict[str, list[dict[str, str]]]:
    """``{"resolution": [{code, zh, en}, …], …, "grade.unknown": [{…}]}``."""
    out = {name: [o.to_dict() for o in spec_from_dict(spec).questions()[0].options] for name, spec in SAMPLES.items()}
    out["grade.unknown"] = [UNKNOWN.to_dict()]
    return out
