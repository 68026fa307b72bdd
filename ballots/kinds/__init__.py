"""Ballot kinds: what a member answers, how answers are checked, and how counts become a result.

Every kind has the same shape, so votes can be stored generically:

* a kind is a frozen specification object (:class:`ResolutionSpec`, :class:`AppointmentSpec`,
  :class:`EvaluationSpec`, :class:`SelectionSpec`, :class:`ElectionSpec`) with a ``kind`` name;
* ``spec.questions()`` lists its questions, each with its options;
* a member's ballot is a mapping ``{question_id: option_code}``, checked and normalised by
  ``spec.validate(choice)`` against ``spec.limits()`` (what a terminal enforces);
* the tally input is per-question per-option counts ``{question_id: {option_code: n}}`` (see
  ``spec.count(ballots)``), turned into a :class:`~ballots.results.Result` by
  ``spec.tally(counts, turnout, threshold, quorum)``; ``spec.announce(result)`` words it.

``spec.to_dict()`` and :func:`spec_from_dict` store a specification as plain data; :data:`KINDS` is the
registry of kinds by name.

One module per kind (:mod:`.resolution`, :mod:`.appointment`, :mod:`.evaluation`, :mod:`.selection`,
:mod:`.election`) over the shared :mod:`.base` (and, for the kinds that fill places, :mod:`.places`);
a new kind is a new module and one entry in :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import RuleError
from ..order import check_order
from ..plain import need_mapping
from .appointment import ACTIONS, AppointmentSpec, Person
from .base import (
    ABSTAIN,
    AGAINST,
    FOR,
    FOR_AGAINST_ABSTAIN,
    BallotSpec,
    Limits,
    Named,
    Option,
    PaperCount,
    Question,
)
from .election import WRITE_IN_PREFIX, ElectionSpec, Nominee, further_election, write_in_key
from .evaluation import (
    BASIC,
    DEFAULT_GRADES,
    EVALUATION_RULES,
    SATISFIED,
    UNKNOWN,
    UNSATISFIED,
    EvalObject,
    EvaluationSpec,
)
from .places import STAGES, PlacesSpec, Standing, standing
from .resolution import ResolutionSpec
from .selection import MARK, NOT_FOR, SELECTION_OPTIONS, Candidate, SelectionSpec

__all__ = [
    "Option",
    "Question",
    "Named",
    "Limits",
    "PaperCount",
    "BallotSpec",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
    "MARK",
    "NOT_FOR",
    "SATISFIED",
    "BASIC",
    "UNSATISFIED",
    "UNKNOWN",
    "DEFAULT_GRADES",
    "ResolutionSpec",
    "Person",
    "ACTIONS",
    "AppointmentSpec",
    "EvalObject",
    "EvaluationSpec",
    "EVALUATION_RULES",
    "Candidate",
    "SELECTION_OPTIONS",
    "SelectionSpec",
    "PlacesSpec",
    "STAGES",
    "Standing",
    "standing",
    "Nominee",
    "ElectionSpec",
    "WRITE_IN_PREFIX",
    "write_in_key",
    "further_election",
    "KINDS",
    "spec_from_dict",
    "check_order",
]

#: Ballot kinds by name, in the order they are offered.
KINDS: dict[str, type[BallotSpec]] = {
    spec.kind: spec
    for spec in (
        ResolutionSpec,
        AppointmentSpec,
        EvaluationSpec,
        SelectionSpec,
        ElectionSpec,
    )
}


def spec_from_dict(d: Mapping[str, Any]) -> BallotSpec:
    """Rebuild a ballot specification from ``spec.to_dict()`` output (dispatch on "kind")."""
    d = need_mapping(d, "ballot spec")
    kind = d.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise RuleError(
            "unknown_kind",
            f"未知的表决类型 {kind!r}（可选：{', '.join(KINDS)}）",
            f"unknown ballot kind {kind!r} (one of: {', '.join(KINDS)})",
        )
    return KINDS[kind].from_dict(d)
