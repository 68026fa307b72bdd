"""Labels written once (kinds, methods, outcomes, attendance, secrecy) and the typed rule frozen per round."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from ballot_cases import TALLIES, WORDED_TALLIES, worded_result
from hypothesis import given
from hypothesis import strategies as st

from ballots import KINDS, OUTCOMES, PRESETS, Base, Quorum, Result, Rule, RuleError, Threshold, Turnout, spec_from_dict
from ballots import labels as L

# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("group", list(L.GROUPS.values()), ids=list(L.GROUPS))
def test_every_label_has_both_languages(group: Any) -> None:
    for code, lab in group.items():
        assert isinstance(lab, L.Label) and lab.zh.strip() and lab.en.strip(), code
        assert lab.pick("zh") == lab.zh and lab.pick("en") == lab.en


def test_every_round_outcome_has_a_label() -> None:
    assert set(OUTCOMES) == set(L.OUTCOME)


def test_every_ballot_kind_has_a_label() -> None:
    assert set(KINDS) <= set(L.KIND)


def _question_outcomes(name: str) -> tuple[Any, set[str]]:
    spec_dict, counts, turnout, threshold, quorum = TALLIES[name]
    spec = spec_from_dict(spec_dict)
    r = spec.tally(counts, Turnout(*turnout), Threshold.from_dict(threshold), Quorum.from_dict(quorum))
    return spec, {q.outcome for q in r.questions} | {r.outcome}


def test_every_question_outcome_a_kind_produces_has_a_label_or_is_a_grade() -> None:
    seen: set[str] = set()
    for name in TALLIES:
        spec, outcomes = _question_outcomes(name)
        grades = {g.code for g in getattr(spec, "grades", ())}
        for outcome in outcomes:
            assert outcome in L.QUESTION_OUTCOME or outcome in L.OUTCOME or outcome in grades, (name, outcome)
        seen |= outcomes - grades
    for name, case in WORDED_TALLIES.items():
        result = worded_result(case)[1]
        outcomes = {q.outcome for q in result.questions} | {result.outcome}
        assert outcomes <= set(L.QUESTION_OUTCOME) | set(L.OUTCOME), name
        seen |= outcomes
    # the tables reach every question outcome a kind can give
    assert set(L.QUESTION_OUTCOME) <= seen


@pytest.mark.parametrize(
    ("group", "code", "lang", "text"),
    [
        (L.OUTCOME, "passed", "zh", "通过"),
        (L.OUTCOME, "passed", "en", "Passed"),
        (L.QUESTION_OUTCOME, "not_chosen", "zh", "未入选"),
        (L.METHOD, "mixed", "zh", "电子表决＋举手"),
        (L.ATTENDANCE, "video", "en", "By video"),
        (L.SECRECY, "secret", "zh", "无记名"),
        (L.KIND, "nonesuch", "zh", "nonesuch"),  # an unknown code is shown as itself
    ],
)
def test_label_lookup(group: Any, code: str, lang: str, text: str) -> None:
    assert L.label(group, code, lang) == text


def test_flat_gives_the_same_keys_in_both_languages() -> None:
    zh, en = L.flat("zh"), L.flat("en")
    assert set(zh) == set(en) and zh["outcome.passed"] == "通过" and en["qoutcome.tie"] == "Tie"
    assert len(zh) == sum(len(g) for g in L.GROUPS.values())


def test_announcements_use_the_outcome_words_of_the_labels() -> None:
    for name, word in [
        ("resolution_rules_md_passed", L.QUESTION_OUTCOME["passed"].zh),
        ("resolution_rules_md_failed", L.QUESTION_OUTCOME["failed"].zh),
        ("resolution_quorum_lost", L.OUTCOME["no_quorum"].zh),
        ("selection_top_n", L.QUESTION_OUTCOME["chosen"].zh),
        ("selection_top_n", L.QUESTION_OUTCOME["not_chosen"].zh),
    ]:
        spec_dict, counts, turnout, threshold, quorum = TALLIES[name]
        r: Result = spec_from_dict(spec_dict).tally(
            counts, Turnout(*turnout), Threshold.from_dict(threshold), Quorum.from_dict(quorum)
        )
        assert word in r.announcement_zh, (name, word)


# --- the typed rule --------------------------------------------------------------------------

STORED = {
    "preset": "standing_committee",
    "threshold": {"base": "all_members", "fraction": "1/2", "strict": True},
    "quorum": {"fraction": "1/2", "strict": True},
}


def test_rule_round_trips_on_the_stored_shape() -> None:
    rule = Rule.from_dict(STORED)
    assert rule == Rule("standing_committee", Threshold(), Quorum())
    assert rule.to_dict() == STORED and list(rule.to_dict()) == ["preset", "threshold", "quorum"]
    assert Rule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_freezes_into_a_rule(name: str) -> None:
    rules = PRESETS[name]
    for kind in KINDS:
        rule = Rule(rules.name, rules.threshold_for(kind), rules.quorum)
        assert Rule.from_dict(rule.to_dict()) == rule


thresholds = st.builds(
    Threshold,
    st.sampled_from(list(Base)),
    st.fractions(min_value=0, max_value=1, max_denominator=12).filter(lambda f: f < 1),
    st.booleans(),
)
quorums = st.builds(
    Quorum, st.fractions(min_value=0, max_value=1, max_denominator=12).filter(lambda f: f < 1), st.booleans()
)


@given(st.text(min_size=1, max_size=12).filter(str.strip), thresholds, quorums)
def test_any_rule_round_trips(preset: str, threshold: Threshold, quorum: Quorum) -> None:
    rule = Rule(preset, threshold, quorum)
    assert Rule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


def test_a_rule_without_a_preset_name_is_custom() -> None:
    assert Rule.from_dict({k: v for k, v in STORED.items() if k != "preset"}).preset == "custom"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({**STORED, "secret": True}, "unknown_field"),
        ({**STORED, "threshold": {**STORED["threshold"], "rounding": "up"}}, "unknown_field"),
        ({**STORED, "quorum": {"fraction": "1/2", "base": "present"}}, "unknown_field"),
        ({"preset": "x", "quorum": STORED["quorum"]}, "missing_field"),
        ({"preset": "x", "threshold": STORED["threshold"]}, "missing_field"),
        ({**STORED, "threshold": {"fraction": "0.5"}}, "invalid_fraction"),
        ({**STORED, "quorum": "1/2"}, "not_a_mapping"),
        ({**STORED, "preset": 5}, "invalid_field"),
        ([("preset", "x")], "not_a_mapping"),
    ],
)
def test_malformed_rules_are_refused(data: Any, code: str) -> None:
    with pytest.raises(RuleError) as err:
        Rule.from_dict(data)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"preset": " ", "threshold": Threshold(), "quorum": Quorum()}, "invalid_field"),
        ({"preset": "x", "threshold": {"base": "present"}, "quorum": Quorum()}, "invalid_threshold"),
        ({"preset": "x", "threshold": Threshold(), "quorum": Fraction(1, 2)}, "invalid_quorum"),
    ],
)
def test_a_rule_is_typed(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(RuleError) as err:
        Rule(**kwargs)
    assert err.value.code == code
