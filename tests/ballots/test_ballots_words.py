"""The words follow the body (tables ``words`` and ``bases`` of ``worked_examples.md``): thresholds and
quorums described in the preset's words, rules and results that carry them, and old stored data (no
words) read with the standing committee's."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from tables import rows

from ballots import (
    MEMBERS,
    PRESETS,
    Base,
    Quorum,
    ResolutionSpec,
    Result,
    Rule,
    RuleError,
    RuleSet,
    Threshold,
    Turnout,
    Words,
    ruleset,
)

PLENARY = PRESETS["congress_plenary"].words


def _resolution() -> ResolutionSpec:
    return ResolutionSpec("关于批准决算的决议")


@pytest.mark.parametrize("row", rows("words"), ids=lambda r: r["preset"])
def test_descriptions_by_preset(row: dict[str, str]) -> None:
    rules = PRESETS[row["preset"]]
    threshold, n = rules.threshold_for("resolution"), int(row["entitled"])
    assert threshold.needed(Turnout(n, n, n)) == int(row["needed"])
    assert threshold.describe_zh(rules.words) == row["threshold zh"]
    assert rules.quorum.describe_zh(rules.words) == row["quorum zh"]
    assert threshold.describe_en(rules.words) == row["threshold en"]
    assert rules.quorum.describe_en(rules.words) == row["quorum en"]
    rule = rules.rule_for(_resolution())
    assert (rule.threshold.describe_zh(rule.words), rule.quorum.describe_zh(rule.words)) == (
        row["threshold zh"],
        row["quorum zh"],
    )


@pytest.mark.parametrize("row", rows("bases"), ids=lambda r: r["preset"])
def test_every_base_in_each_body_s_words(row: dict[str, str]) -> None:
    words = PRESETS[row["preset"]].words
    for base in Base:
        zh, en = row[base.value].split(" / ")
        assert (base.name_zh(words), base.name_en(words)) == (zh, en)


def test_without_words_a_description_is_the_standing_committee_s_as_before() -> None:
    assert Words() == MEMBERS == PRESETS["standing_committee"].words
    assert Threshold().describe_zh() == "全体组成人员的过半数" == Threshold().describe_zh(MEMBERS)
    assert Quorum(Fraction(2, 3), strict=False).describe_zh() == "全体组成人员三分之二以上出席"
    assert Base.ALL_MEMBERS.zh == "全体组成人员" and Base.PRESENT.en == "members present"


@pytest.mark.parametrize(
    ("quorum", "zh", "en"),
    [
        (Quorum(Fraction(0), strict=False), "至少一人出席", "at least one deputy present"),
        (Quorum(Fraction(1), strict=False), "全体代表全部出席", "all deputies present"),
        (
            Quorum(Fraction(2, 3), strict=True),
            "超过全体代表的三分之二出席",
            "more than two-thirds of all deputies present",
        ),
        (Quorum(Fraction(1, 2), strict=False), "全体代表半数以上出席", "at least half of all deputies present"),
    ],
)
def test_every_quorum_wording_in_the_plenary_s_words(quorum: Quorum, zh: str, en: str) -> None:
    assert (quorum.describe_zh(PLENARY), quorum.describe_en(PLENARY)) == (zh, en)


@pytest.mark.parametrize(
    ("threshold", "zh"),
    [
        (Threshold(), "得票超过全体代表的半数"),
        (Threshold(Base.ALL_MEMBERS, Fraction(1, 2), strict=False), "得票达到全体代表的半数"),
        (Threshold(Base.ALL_MEMBERS, Fraction(2, 3), strict=False), "得票达到全体代表的三分之二"),
        (Threshold(Base.VOTES_CAST, Fraction(1, 2)), "得票超过有效票数的半数"),
        (Threshold(Base.ALL_MEMBERS, Fraction(0), strict=False), "得票至少一票"),
    ],
)
def test_what_a_winner_s_votes_did(threshold: Threshold, zh: str) -> None:
    assert threshold.reached_zh(PLENARY) == zh


# --- stored forms ----------------------------------------------------------------------------

OLD_RULE = {
    "preset": "congress_plenary",
    "threshold": {"base": "all_members", "fraction": "1/2", "strict": True},
    "quorum": {"fraction": "2/3", "strict": False},
}


def test_a_rule_stored_before_words_reads_with_the_standing_committee_s_and_keeps_its_form() -> None:
    rule = Rule.from_dict(OLD_RULE)
    assert rule.words == MEMBERS and rule.to_dict() == OLD_RULE


def test_the_plenary_s_rule_carries_its_words_and_round_trips() -> None:
    rule = PRESETS["congress_plenary"].rule_for(_resolution())
    stored = json.loads(json.dumps(rule.to_dict(), ensure_ascii=False))
    assert list(stored) == ["preset", "threshold", "quorum", "words", "video_votes"]
    assert stored["words"]["member_zh"] == "代表" and Rule.from_dict(stored) == rule
    assert "words" not in PRESETS["standing_committee"].rule_for(_resolution()).to_dict()


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_rule_sets_store_words_only_when_not_the_standing_committee_s(name: str) -> None:
    stored = PRESETS[name].to_dict()
    assert ("words" in stored) is (name != "standing_committee")
    assert "margins" not in stored  # the law's margins
    assert RuleSet.from_dict(json.loads(json.dumps(stored))) == PRESETS[name]


def test_a_body_names_its_own_members() -> None:
    rules = ruleset("generic_committee", {"words": {"member_zh": "委员", "roster_zh": "委员会委员"}})
    assert rules.words.member_en == "member" and rules.words.all_zh == "全体委员"
    assert rules.quorum.describe_zh(rules.words) == "全体委员过半数出席"
    assert RuleSet.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ({"member_zh": ""}, "invalid_words"),
        ({"member_zh": 5}, "invalid_words"),
        ({"member_zh": "代" * 41}, "invalid_words"),
        ({"title": "x"}, "unknown_field"),
        ("代表", "not_a_mapping"),
    ],
)
def test_bad_words_are_refused(words: Any, code: str) -> None:
    with pytest.raises(RuleError) as err:
        ruleset("congress_plenary", {"words": words})
    assert err.value.code == code and err.value.zh and err.value.en


def test_a_rule_needs_words() -> None:
    with pytest.raises(RuleError) as err:
        Rule("x", Threshold(), Quorum(), "代表")  # type: ignore[arg-type]
    assert err.value.code == "invalid_words"


def test_a_result_keeps_its_words_and_an_old_one_has_the_standing_committee_s() -> None:
    rule = PRESETS["congress_plenary"].rule_for(_resolution())
    result = rule.tally(_resolution(), {"main": {"for": 200}}, Turnout(300, 280, 200))
    stored = result.to_dict()
    assert stored["words"] == PLENARY.to_dict() and Result.from_dict(stored) == result
    old = {k: v for k, v in stored.items() if k != "words"}
    assert Result.from_dict(old).words == MEMBERS
    standing = PRESETS["standing_committee"].rule_for(_resolution())
    assert "words" not in standing.tally(_resolution(), {"main": {"for": 9}}, Turnout(15, 13, 9)).to_dict()
