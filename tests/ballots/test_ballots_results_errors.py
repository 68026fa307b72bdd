"""Results as stored data (JSON round trips, validation) and the error classes."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from ballots import (
    KINDS,
    BallotError,
    CapExceeded,
    InvalidChoice,
    InvalidCounts,
    NotEntitled,
    QuestionResult,
    ResolutionSpec,
    Result,
    RuleError,
    TooManyMarks,
    Turnout,
    ruleset,
    spec_from_dict,
)

SC = ruleset("standing_committee")


def sample() -> Result:
    return ResolutionSpec("议题").tally(
        {"main": {"for": 9, "against": 2, "abstain": 1}}, Turnout(15, 13, 12), SC.threshold_for("resolution"), SC.quorum
    )


def test_result_to_dict_is_plain_json() -> None:
    r = sample()
    d = r.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["turnout"] == {"entitled": 15, "present": 13, "cast": 12, "invalid": 0}
    assert d["questions"][0]["counts"] == {"for": 9, "against": 2, "abstain": 1}
    assert d["threshold"] == {"base": "all_members", "fraction": "1/2", "strict": True}
    assert d["quorum"] == {"fraction": "1/2", "strict": True}
    assert d["ties"] == []
    assert Result.from_dict(json.loads(json.dumps(d))) == r
    assert r.question("main").needed == 8
    with pytest.raises(KeyError):
        r.question("other")


def _broken(**changes: Any) -> dict[str, Any]:
    d = sample().to_dict()
    d.update(changes)
    return d


@pytest.mark.parametrize(
    "d",
    [
        _broken(outcome="won"),
        _broken(quorum_held="yes"),
        _broken(quorum_needed=True),
        _broken(ties=[["a", 1]]),
        _broken(ties="a"),
        _broken(questions=[{"question_id": "main"}]),
        _broken(questions=[{**sample().to_dict()["questions"][0], "counts": {"for": "9"}}]),
        _broken(questions=["main"]),
        _broken(threshold={"base": "everyone"}),
        {k: v for k, v in sample().to_dict().items() if k != "kind"},
        "result",
    ],
)
def test_result_from_dict_rejects_bad_data(d: Any) -> None:
    with pytest.raises(BallotError):
        Result.from_dict(d)


def test_question_result_round_trip() -> None:
    q = QuestionResult("c1", "项目1", {"mark": 3}, 2, 5, "not_chosen", 4)
    assert QuestionResult.from_dict(q.to_dict()) == q
    q2 = QuestionResult("edu", "市教育局", {"satisfied": 1}, 0, None, "satisfied")
    assert QuestionResult.from_dict(q2.to_dict()) == q2


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "code", "parent"),
    [
        (RuleError, "invalid_rule", BallotError),
        (InvalidChoice, "invalid_choice", BallotError),
        (TooManyMarks, "too_many_marks", InvalidChoice),
        (CapExceeded, "cap_exceeded", InvalidChoice),
        (NotEntitled, "not_entitled", BallotError),
        (InvalidCounts, "invalid_counts", BallotError),
    ],
)
def test_error_classes(cls: type[BallotError], code: str, parent: type[BallotError]) -> None:
    err = cls()
    assert isinstance(err, parent) and isinstance(err, ValueError)
    assert err.code == code and err.zh and err.en and str(err) == err.en
    custom = cls("observer", "列席人员无表决权", "observers may not vote")
    assert (custom.code, custom.zh, custom.en, str(custom)) == (
        "observer",
        "列席人员无表决权",
        "observers may not vote",
        "observers may not vote",
    )
    again = pickle.loads(pickle.dumps(custom))
    assert type(again) is cls and (again.code, again.zh, again.en) == (custom.code, custom.zh, custom.en)
    assert custom.to_dict() == {
        "error": cls.__name__,
        "code": "observer",
        "zh": "列席人员无表决权",
        "en": "observers may not vote",
    }
    assert "observer" in repr(custom)


@pytest.mark.parametrize("d", [{"kind": "referendum"}, {}, {"kind": ["resolution"]}, "resolution"])
def test_spec_from_dict_unknown_kind(d: Any) -> None:
    with pytest.raises(RuleError) as err:
        spec_from_dict(d)
    assert err.value.code in {"unknown_kind", "not_a_mapping"}


def test_kind_registry() -> None:
    assert set(KINDS) == {"resolution", "appointment", "evaluation", "selection", "election"}
    for name, cls in KINDS.items():
        assert cls.kind == name


def test_specs_and_rule_sets_are_hashable() -> None:
    from ballots import (
        PRESETS,
        AppointmentSpec,
        Candidate,
        EvalObject,
        EvaluationSpec,
        Person,
        SelectionSpec,
    )

    specs = [
        ResolutionSpec("x"),
        AppointmentSpec((Person("p", "张三"),)),
        EvaluationSpec((EvalObject("o", "甲"),), caps={"satisfied": 1}),
        SelectionSpec((Candidate("c", "乙"),), 1),
    ]
    assert len({*specs, *[spec_from_dict(s.to_dict()) for s in specs]}) == len(specs)
    assert len({*PRESETS.values(), ruleset("standing_committee")}) == len(PRESETS)
