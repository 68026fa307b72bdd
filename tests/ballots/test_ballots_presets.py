"""Presets and overrides: the three shipped rule sets, threshold lookup, errors, round trips."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots import (
    KINDS,
    PRESETS,
    THRESHOLD_KEYS,
    Base,
    Quorum,
    RuleError,
    RuleSet,
    Threshold,
    Turnout,
    ruleset,
)

HALF = Fraction(1, 2)


def test_standing_committee() -> None:
    rs = ruleset("standing_committee")
    assert rs.name == "standing_committee"
    assert rs.quorum == Quorum(HALF, strict=True)
    assert rs.secret_by_default is True and rs.allow_combined_appointments is False
    for kind in KINDS:
        assert rs.threshold_for(kind) == Threshold(Base.ALL_MEMBERS, HALF, True)
    assert rs.threshold_for("appointment", action="remove") == Threshold(Base.ALL_MEMBERS, HALF, True)
    assert rs.threshold_for("resolution", procedural=True) == Threshold(Base.PRESENT, HALF, True)
    assert rs.quorum.needed(15) == 8
    assert rs.threshold_for("resolution").needed(Turnout(15, 9)) == 8


def test_congress_plenary() -> None:
    rs = ruleset("congress_plenary")
    assert rs.quorum == Quorum(Fraction(2, 3), strict=False)
    assert rs.quorum.needed(450) == 300  # 三分之二以上 includes exactly two-thirds
    assert rs.quorum.describe_zh() == "全体组成人员三分之二以上出席"
    assert rs.threshold_for("selection") == Threshold(Base.ALL_MEMBERS, HALF, True)
    assert rs.threshold_for("selection").needed(Turnout(450, 420)) == 226


def test_generic_committee() -> None:
    rs = ruleset("generic_committee")
    assert rs.secret_by_default is False
    assert rs.quorum == Quorum()
    assert rs.threshold_for("resolution") == Threshold(Base.VOTES_CAST, HALF, True)
    assert rs.threshold_for("resolution").needed(Turnout(15, 10, 9)) == 5


def test_presets_are_returned_unchanged_without_overrides() -> None:
    assert set(PRESETS) == {"standing_committee", "congress_plenary", "generic_committee"}
    for name, rs in PRESETS.items():
        assert ruleset(name) == rs
        assert set(rs.thresholds) == set(THRESHOLD_KEYS)


def test_overrides() -> None:
    rs = ruleset(
        "standing_committee",
        {
            "name": "某县人大常委会议事规则",
            "quorum": {"fraction": "2/3", "strict": False},
            "thresholds": {"resolution": {"fraction": "2/3"}, "procedural": {"base": "votes_cast"}},
            "secret_by_default": False,
            "allow_combined_appointments": True,
        },
    )
    assert rs.name == "某县人大常委会议事规则"
    assert rs.quorum == Quorum(Fraction(2, 3), strict=False)
    assert rs.threshold_for("resolution") == Threshold(Base.ALL_MEMBERS, Fraction(2, 3), True)
    assert rs.threshold_for("resolution", procedural=True) == Threshold(Base.VOTES_CAST, HALF, True)
    assert rs.threshold_for("appointment") == Threshold()  # untouched
    assert rs.secret_by_default is False and rs.allow_combined_appointments is True
    # the preset itself is not changed
    assert PRESETS["standing_committee"].secret_by_default is True


def test_auto_close_at_deadline_is_a_setting_off_in_every_preset() -> None:
    assert not any(rs.auto_close_at_deadline for rs in PRESETS.values())
    rs = ruleset("standing_committee", {"auto_close_at_deadline": True})
    assert rs.auto_close_at_deadline is True and rs != PRESETS["standing_committee"]
    assert RuleSet.from_dict(rs.to_dict()) == rs
    assert "auto_close_at_deadline" not in PRESETS["standing_committee"].to_dict()  # stored forms unchanged


def test_the_ballot_box_modes_are_settings_sealed_and_server_in_every_preset() -> None:
    assert {(rs.ballot_box_keys, rs.ballot_box_encrypt) for rs in PRESETS.values()} == {("sealed", "server")}
    rs = ruleset("standing_committee", {"ballot_box_keys": "shares", "ballot_box_encrypt": "tablet"})
    assert (rs.ballot_box_keys, rs.ballot_box_encrypt) == ("shares", "tablet") and rs != PRESETS["standing_committee"]
    assert hash(rs) != hash(PRESETS["standing_committee"])
    assert RuleSet.from_dict(rs.to_dict()) == rs
    assert "ballot_box_keys" not in PRESETS["standing_committee"].to_dict()  # stored forms unchanged


def test_partial_quorum_override_keeps_the_rest() -> None:
    rs = ruleset("congress_plenary", {"quorum": {"fraction": "3/4"}})
    assert rs.quorum == Quorum(Fraction(3, 4), strict=False)


def test_threshold_fallbacks() -> None:
    rs = RuleSet("minimal", Quorum(), {"resolution": Threshold(Base.PRESENT)})
    for kind in KINDS:
        assert rs.threshold_for(kind) == Threshold(Base.PRESENT)
    assert rs.threshold_for("appointment", action="remove") == Threshold(Base.PRESENT)
    rs2 = RuleSet("x", Quorum(), {"resolution": Threshold(), "appointment": Threshold(Base.VOTES_CAST)})
    assert rs2.threshold_for("appointment", action="remove") == Threshold(Base.VOTES_CAST)


@pytest.mark.parametrize(
    ("preset", "overrides", "code"),
    [
        ("senate", None, "unknown_preset"),
        (None, None, "unknown_preset"),
        ("standing_committee", {"colour": "red"}, "unknown_override"),
        ("standing_committee", {"thresholds": {"budget": {}}}, "unknown_threshold"),
        ("standing_committee", {"thresholds": {"resolution": {"fraction": "3/2"}}}, "invalid_fraction"),
        ("standing_committee", {"thresholds": {"resolution": {"base": "everyone"}}}, "invalid_base"),
        ("standing_committee", {"thresholds": {"resolution": {"speed": 1}}}, "unknown_field"),
        ("standing_committee", {"thresholds": ["resolution"]}, "not_a_mapping"),
        ("standing_committee", {"quorum": {"fraction": 0.5}}, "invalid_fraction"),
        ("standing_committee", {"quorum": "1/2"}, "not_a_mapping"),
        ("standing_committee", {"secret_by_default": "no"}, "invalid_field"),
        ("standing_committee", {"allow_combined_appointments": 1}, "invalid_field"),
        ("standing_committee", {"auto_close_at_deadline": "yes"}, "invalid_field"),
        ("standing_committee", {"ballot_box_keys": "nobody"}, "invalid_field"),
        ("standing_committee", {"ballot_box_keys": True}, "invalid_field"),
        ("standing_committee", {"ballot_box_encrypt": "printer"}, "invalid_field"),
        ("standing_committee", {"name": ""}, "invalid_field"),
        ("standing_committee", ["quorum"], "not_a_mapping"),
    ],
)
def test_ruleset_errors(preset: object, overrides: object, code: str) -> None:
    with pytest.raises(RuleError) as err:
        ruleset(preset, overrides)  # type: ignore[arg-type]
    assert err.value.code == code
    assert err.value.zh and err.value.en


def test_unknown_preset_message_lists_the_presets() -> None:
    with pytest.raises(RuleError) as err:
        ruleset("senate")
    assert "standing_committee" in err.value.en and "senate" in err.value.zh


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda rs: rs.threshold_for("referendum"), "unknown_kind"),
        (lambda rs: rs.threshold_for("appointment", action="promote"), "invalid_action"),
    ],
)
def test_threshold_for_errors(call: object, code: str) -> None:
    with pytest.raises(RuleError) as err:
        call(ruleset("standing_committee"))  # type: ignore[operator]
    assert err.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": "x", "quorum": Quorum(), "thresholds": {}}, "missing_threshold"),
        ({"name": "x", "quorum": Quorum(), "thresholds": {"resolution": "1/2"}}, "invalid_threshold"),
        (
            {"name": "x", "quorum": Quorum(), "thresholds": {"resolution": Threshold(), "budget": Threshold()}},
            "unknown_threshold",
        ),
        ({"name": "x", "quorum": {"fraction": "1/2"}, "thresholds": {"resolution": Threshold()}}, "invalid_quorum"),
        ({"name": 3, "quorum": Quorum(), "thresholds": {"resolution": Threshold()}}, "invalid_field"),
    ],
)
def test_ruleset_constructor_errors(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(RuleError) as err:
        RuleSet(**kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_round_trip_and_json() -> None:
    for rs in PRESETS.values():
        d = rs.to_dict()
        assert RuleSet.from_dict(json.loads(json.dumps(d))) == rs
    d = PRESETS["standing_committee"].to_dict()
    assert d["quorum"] == {"fraction": "1/2", "strict": True}
    assert d["thresholds"]["procedural"] == {"base": "present", "fraction": "1/2", "strict": True}


@pytest.mark.parametrize(
    ("d", "code"),
    [
        ({"name": "x", "quorum": {}}, "missing_field"),
        ({"name": "x", "quorum": {}, "thresholds": {"resolution": {}}, "extra": 1}, "unknown_field"),
        ({"name": "x", "quorum": {}, "thresholds": {"budget": {}}}, "unknown_threshold"),
        ({"name": "x", "quorum": {}, "thresholds": 3}, "invalid_field"),
        ("standing_committee", "not_a_mapping"),
    ],
)
def test_ruleset_from_dict_errors(d: object, code: str) -> None:
    with pytest.raises(RuleError) as err:
        RuleSet.from_dict(d)  # type: ignore[arg-type]
    assert err.value.code == code


fractions = st.fractions(min_value=0, max_value=1, max_denominator=10).map(lambda f: f"{f.numerator}/{f.denominator}")


@given(
    st.sampled_from(sorted(PRESETS)),
    fractions,
    st.sampled_from([b.value for b in Base]),
    st.dictionaries(st.sampled_from(THRESHOLD_KEYS), st.fixed_dictionaries({"strict": st.just(False)}), max_size=3),
    st.booleans(),
)
def test_overridden_rule_sets_round_trip(
    preset: str, q: str, base: str, extra: dict[str, dict[str, bool]], secret: bool
) -> None:
    thresholds = {**extra, "resolution": {"base": base, "fraction": q, "strict": False}}
    rs = ruleset(
        preset, {"quorum": {"fraction": q, "strict": False}, "thresholds": thresholds, "secret_by_default": secret}
    )
    assert RuleSet.from_dict(json.loads(json.dumps(rs.to_dict()))) == rs
