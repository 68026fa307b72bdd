"""Biaojue voting rules: ballot kinds, thresholds, quorum, tally and presets, as pure data.

Standard library only and free of I/O; nothing here imports the rest of the project. Everything
public is re-exported from this package:

* errors   -- :class:`BallotError` and its subclasses (each with a stable ``code``);
* rules    -- :class:`Turnout`, :class:`Base`, :class:`Threshold`, :class:`Quorum`;
* kinds    -- :class:`ResolutionSpec`, :class:`AppointmentSpec`, :class:`EvaluationSpec`,
  :class:`SelectionSpec`, their parts, :data:`KINDS`, :func:`spec_from_dict`, :func:`check_order`;
* results  -- :class:`Result`, :class:`QuestionResult`;
* presets  -- :class:`RuleSet`, :data:`PRESETS`, :func:`ruleset`.
"""

from __future__ import annotations

from .errors import (
    BallotError,
    CapExceeded,
    InvalidChoice,
    InvalidCounts,
    NotEntitled,
    RuleError,
    TooManyMarks,
)
from .kinds import (
    ABSTAIN,
    AGAINST,
    BASIC,
    DEFAULT_GRADES,
    EVALUATION_RULES,
    FOR,
    FOR_AGAINST_ABSTAIN,
    KINDS,
    MARK,
    NOT_FOR,
    SATISFIED,
    UNKNOWN,
    UNSATISFIED,
    AppointmentSpec,
    BallotSpec,
    Candidate,
    EvalObject,
    EvaluationSpec,
    Option,
    Person,
    Question,
    ResolutionSpec,
    SelectionSpec,
    spec_from_dict,
)
from .order import check_order
from .presets import PRESETS, THRESHOLD_KEYS, RuleSet, ruleset
from .results import OUTCOMES, QuestionResult, Result
from .rules import Base, Quorum, Rule, Threshold, Turnout, parse_fraction

__all__ = [
    # errors
    "BallotError",
    "RuleError",
    "InvalidChoice",
    "TooManyMarks",
    "CapExceeded",
    "NotEntitled",
    "InvalidCounts",
    # rules
    "Base",
    "Turnout",
    "Threshold",
    "Quorum",
    "Rule",
    "parse_fraction",
    # kinds
    "BallotSpec",
    "Option",
    "Question",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
    "NOT_FOR",
    "MARK",
    "SATISFIED",
    "BASIC",
    "UNSATISFIED",
    "UNKNOWN",
    "DEFAULT_GRADES",
    "EVALUATION_RULES",
    "ResolutionSpec",
    "Person",
    "AppointmentSpec",
    "check_order",
    "EvalObject",
    "EvaluationSpec",
    "Candidate",
    "SelectionSpec",
    "KINDS",
    "spec_from_dict",
    # results
    "Result",
    "QuestionResult",
    "OUTCOMES",
    # presets
    "RuleSet",
    "PRESETS",
    "THRESHOLD_KEYS",
    "ruleset",
]
