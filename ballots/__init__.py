"""Biaojue voting rules: ballot kinds, thresholds, quorum, tally, announcements and presets, as pure data.

Standard library only and free of I/O; nothing here imports the rest of the project. Everything
public is re-exported from this package:

* errors   -- :class:`BallotError` and its subclasses (each with a stable ``code``);
* rules    -- :class:`Turnout`, :class:`Base`, :class:`Threshold`, :class:`Quorum` and :class:`Rule`
  (the typed rule frozen per round: preset, threshold, quorum);
* kinds    -- a package, one module per kind over a shared base: :class:`ResolutionSpec`,
  :class:`AppointmentSpec`, :class:`EvaluationSpec`, :class:`SelectionSpec`, their parts
  (:class:`Option`, :class:`Question`, :class:`Person`, :class:`EvalObject` and :class:`Candidate`,
  both :class:`Named`), :class:`Limits` (what ``spec.limits()`` sends to terminals and ``validate``
  enforces), the registry :data:`KINDS`, :func:`spec_from_dict`, :func:`check_order`;
* announce -- the words of the chair's announcements, apart from the counting;
* results  -- :class:`Result`, :class:`QuestionResult`, :data:`OUTCOMES`;
* presets  -- :class:`RuleSet`, :data:`PRESETS`, :func:`ruleset`;
* labels   -- the labels of kinds, methods, outcomes, attendance and secrecy, written once;
* plain    -- stored (plain-data) forms derived from the dataclass fields; text -- numbers in words.
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
    Limits,
    Named,
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
    "Limits",
    "Named",
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
