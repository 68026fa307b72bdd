"""Stored forms derived from the dataclass fields: the generic helper, every spec's round trip, and the
one id + name shape behind EvalObject and Candidate."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pytest
from ballot_cases import CHOICES, TALLIES
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    KINDS,
    AppointmentSpec,
    Candidate,
    EvalObject,
    EvaluationSpec,
    Named,
    Option,
    Person,
    QuestionResult,
    ResolutionSpec,
    RuleError,
    SelectionSpec,
    Turnout,
    spec_from_dict,
)
from ballots.plain import Plain, from_plain, to_plain

# --- the helper on a record of its own -------------------------------------------------------


@dataclass(frozen=True)
class Leaf(Plain):
    plain_name: ClassVar[str] = "leaf"

    code: str
    weight: int = 1


@dataclass(frozen=True)
class Tree(Plain):
    plain_name: ClassVar[str] = "tree"

    name: str
    leaves: tuple[Leaf, ...]
    tags: tuple[str, ...] | None = None
    extra: Mapping[str, int] = field(default_factory=dict)
    mode: Literal["a", "b"] = "a"
    top: Leaf | None = None


def test_to_plain_follows_the_fields_in_order_and_converts_nested_values() -> None:
    tree = Tree("t", (Leaf("x"), Leaf("y", 2)), ("p",), {"k": 3}, "b", Leaf("z"))
    assert list(to_plain(tree)) == ["name", "leaves", "tags", "extra", "mode", "top"]
    assert tree.to_dict() == {
        "name": "t",
        "leaves": [{"code": "x", "weight": 1}, {"code": "y", "weight": 2}],
        "tags": ["p"],
        "extra": {"k": 3},
        "mode": "b",
        "top": {"code": "z", "weight": 1},
    }
    assert Tree.from_dict(json.loads(json.dumps(tree.to_dict()))) == tree


def test_from_plain_applies_defaults_and_converts_by_type_hint() -> None:
    tree = Tree.from_dict({"name": "t", "leaves": [{"code": "x"}], "tags": ["a", "b"]})
    assert tree == Tree("t", (Leaf("x", 1),), ("a", "b"))
    assert isinstance(tree.leaves, tuple) and isinstance(tree.tags, tuple)
    assert Tree.from_dict({"name": "t", "leaves": [], "tags": None}).tags is None
    assert Tree.from_dict({"name": "t", "leaves": [], "top": {"code": "q"}}).top == Leaf("q")


@pytest.mark.parametrize(
    ("data", "code", "en"),
    [
        ("tree", "not_a_mapping", "tree must be a mapping, got 'tree'"),
        ({"name": "t", "leaves": [], "colour": 1, "age": 2}, "unknown_field", "unknown tree field(s): age, colour"),
        ({"name": "t"}, "invalid_field", "leaves must be a list, got None"),
        ({"name": "t", "leaves": "x"}, "invalid_field", "leaves must be a list, got 'x'"),
        ({"name": "t", "leaves": ["x"]}, "not_a_mapping", "leaf must be a mapping, got 'x'"),
        ({"name": "t", "leaves": [{"code": "x", "size": 1}]}, "unknown_field", "unknown leaf field(s): size"),
        ({"name": "t", "leaves": [], "extra": [1]}, "not_a_mapping", "extra must be a mapping, got [1]"),
    ],
)
def test_from_plain_refuses_with_the_codes_of_the_rules(data: Any, code: str, en: str) -> None:
    with pytest.raises(RuleError) as err:
        Tree.from_dict(data)
    assert (err.value.code, err.value.en) == (code, en)


def test_a_missing_field_without_default_reaches_the_constructor_as_none() -> None:
    assert Leaf.from_dict({}) == Leaf(None, 1)  # type: ignore[arg-type]  # the class's own check decides


def test_ignored_keys_are_accepted_and_dropped() -> None:
    assert from_plain(Leaf, {"code": "x", "kind": "leaf"}, "leaf", ignore=("kind",)) == Leaf("x")


# --- every spec ------------------------------------------------------------------------------

SPEC_DICTS = [case[0] for case in TALLIES.values()] + [case[0] for case in CHOICES.values()]


@pytest.mark.parametrize("index", range(len(SPEC_DICTS)))
def test_every_spec_round_trips_through_json(index: int) -> None:
    spec = spec_from_dict(SPEC_DICTS[index])
    stored = json.loads(json.dumps(spec.to_dict(), ensure_ascii=False))
    again = spec_from_dict(stored)
    assert again == spec and type(again) is type(spec)
    assert again.to_dict() == stored
    assert list(stored)[0] == "kind" and KINDS[stored["kind"]] is type(spec)


names = st.text(alphabet="甲乙丙丁abc ", min_size=1, max_size=6).filter(lambda s: s.strip() != "")
ids = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=4), min_size=1, max_size=6, unique=True)


@st.composite
def specs(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(sorted(KINDS)))
    keys = draw(ids)
    if kind == "resolution":
        return ResolutionSpec(draw(st.text(max_size=8)))
    if kind == "appointment":
        persons = tuple(Person(k, draw(names), draw(st.text(max_size=4)), "appoint") for k in keys)
        return AppointmentSpec(persons[:1] if len(persons) == 1 else persons, combined=len(persons) > 1)
    if kind == "evaluation":
        caps = draw(st.dictionaries(st.sampled_from(["satisfied", "basic"]), st.integers(0, 5)))
        return EvaluationSpec(tuple(EvalObject(k, draw(names)) for k in keys), caps=caps)
    options = draw(st.sampled_from(["mark", "for_against_abstain"]))
    return SelectionSpec(tuple(Candidate(k, draw(names)) for k in keys), draw(st.integers(1, 5)), options)


@given(specs())
def test_generated_specs_round_trip(spec: Any) -> None:
    assert spec_from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@pytest.mark.parametrize(
    "value",
    [
        Option("x", "甲", "x"),
        Person("p1", "张三", "局长", "remove"),
        EvalObject("edu", "市教育局"),
        Candidate("c1", "项目1"),
    ],
)
def test_parts_round_trip(value: Any) -> None:
    assert type(value).from_dict(value.to_dict()) == value


def test_other_stored_forms_keep_their_shape() -> None:
    assert Turnout(15, 13, 12).to_dict() == {"entitled": 15, "present": 13, "cast": 12, "invalid": 0}
    q = QuestionResult("main", "表决", {"for": 9}, 1, 8, "passed")
    assert list(q.to_dict()) == ["question_id", "label", "counts", "not_voted", "needed", "outcome", "rank"]
    assert QuestionResult.from_dict(q.to_dict()) == q


# --- one shape for id + name -----------------------------------------------------------------


def test_eval_object_and_candidate_are_one_shape_with_two_names() -> None:
    edu, c1 = EvalObject("x", "名"), Candidate("x", "名")
    assert isinstance(edu, Named) and isinstance(c1, Named)
    assert edu.to_dict() == c1.to_dict() == {"id": "x", "name": "名"}
    assert edu != c1 and edu == EvalObject("x", "名") and hash(edu) == hash(EvalObject("x", "名"))
    assert repr(edu) == "EvalObject(id='x', name='名')" and repr(c1) == "Candidate(id='x', name='名')"
    assert type(EvalObject.from_dict({"id": "x", "name": "名"})) is EvalObject
    assert type(Candidate.from_dict({"id": "x", "name": "名"})) is Candidate


@pytest.mark.parametrize(
    ("build", "en"),
    [
        (lambda: EvalObject("", "名"), "object id must be a non-empty string, got ''"),
        (lambda: Candidate("c", " "), "candidate name must be a non-empty string, got ' '"),
        (lambda: EvalObject.from_dict({"id": "x", "name": "a", "b": 1}), "unknown evaluation object field(s): b"),
        (lambda: Candidate.from_dict([]), "candidate must be a mapping, got []"),
    ],
)
def test_each_name_keeps_its_own_words_in_errors(build: Any, en: str) -> None:
    with pytest.raises(RuleError) as err:
        build()
    assert err.value.en == en


def test_a_spec_takes_only_its_own_part() -> None:
    with pytest.raises(RuleError) as err:
        SelectionSpec((EvalObject("c1", "项目1"),), 1)  # type: ignore[arg-type]
    assert err.value.code == "no_candidates"
    with pytest.raises(RuleError) as err:
        EvaluationSpec((Candidate("edu", "市教育局"),))  # type: ignore[arg-type]
    assert err.value.code == "no_objects"
