"""Biaojue voting rules: ballot kinds, thresholds, quorum, tally, announcements and presets, as pure data.

Standard library only and free of I/O; nothing here imports the rest of the project. Everything
public is re-exported from this package:

* errors   -- :class:`BallotError` and its subclasses (each with a stable ``code``);
* rules    -- :class:`Turnout`, :class:`Base`, :class:`Threshold`, :class:`Quorum` and :class:`Rule`
  (the typed rule frozen per round: preset, threshold, quorum, words); words -- :class:`Words`, how a
  body names its members (组成人员 / 代表 / 成员);
* kinds    -- a package, one module per kind over a shared base: :class:`ResolutionSpec`,
  :class:`AppointmentSpec`, :class:`EvaluationSpec`, :class:`SelectionSpec`, :class:`ElectionSpec`,
  their parts (:class:`Option`, :class:`Question`, :class:`Person`, :class:`EvalObject`,
  :class:`Candidate` and :class:`Nominee`, all three :class:`Named`), :class:`Limits` (what
  ``spec.limits()`` sends to terminals and ``validate`` enforces), :class:`PaperCount`, the kinds that
  fill places (:class:`PlacesSpec`, :func:`standing`, :func:`further_election`, :func:`write_in_key`),
  the registry :data:`KINDS`, :func:`spec_from_dict`, :func:`check_order`;
* margins  -- :class:`Margin` and :data:`MARGINS`, an election's 差额 by post type;
* announce -- the words of the chair's announcements, apart from the counting;
* results  -- :class:`Result`, :class:`QuestionResult`, :data:`OUTCOMES`;
* presets  -- :class:`RuleSet`, :data:`PRESETS`, :func:`ruleset`, :data:`ALWAYS_SECRET`;
* labels   -- the labels of kinds, methods, outcomes, attendance and secrecy, written once;
* plain    -- stored (plain-data) forms derived from the dataclass fields; text -- numbers in words.
"""

from __future__ import annotations

from .delegations import DelegationAttendance, attendance_by_delegation
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
    STAGES,
    UNKNOWN,
    UNSATISFIED,
    WRITE_IN_PREFIX,
    AppointmentSpec,
    BallotSpec,
    Candidate,
    ElectionSpec,
    EvalObject,
    EvaluationSpec,
    Limits,
    Named,
    Nominee,
    Option,
    PaperCount,
    Person,
    PlacesSpec,
    Question,
    ResolutionSpec,
    SelectionSpec,
    Standing,
    further_election,
    spec_from_dict,
    standing,
    write_in_key,
)
from .margins import MARGINS, POST_TYPES, Margin
from .order import check_order
from .presets import (
    ALWAYS_SECRET,
    BOX_ENCRYPT,
    BOX_KEYS,
    OPTIONAL_THRESHOLD_KEYS,
    PRESETS,
    THRESHOLD_KEYS,
    RuleSet,
    check_box_encrypt,
    check_box_keys,
    ruleset,
)
from .results import OUTCOMES, QuestionResult, Result
from .rules import MEMBERS, VIDEO_VOTES, Base, Quorum, Rule, Threshold, Turnout, parse_fraction, video_pending
from .words import Words

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
    "VIDEO_VOTES",
    "video_pending",
    "Words",
    "MEMBERS",
    "DelegationAttendance",
    "attendance_by_delegation",
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
    "PaperCount",
    "PlacesSpec",
    "STAGES",
    "Standing",
    "standing",
    "Nominee",
    "ElectionSpec",
    "WRITE_IN_PREFIX",
    "write_in_key",
    "further_election",
    "Margin",
    "MARGINS",
    "POST_TYPES",
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
    "OPTIONAL_THRESHOLD_KEYS",
    "ALWAYS_SECRET",
    "ruleset",
    "BOX_KEYS",
    "BOX_ENCRYPT",
    "check_box_keys",
    "check_box_encrypt",
]
