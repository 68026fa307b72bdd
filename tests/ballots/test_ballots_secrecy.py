"""Always-secret ballots (table ``secret`` of ``worked_examples.md``): 撤职 and elections are secret
whatever a body's rules say; ``RuleSet.is_secret`` is the one question a caller asks. Also 撤职 as an
appointment action: its threshold, its words and its place before an appointment to the same post."""

from __future__ import annotations

from typing import Any

import pytest
from tables import NONE, rows

from ballots import (
    ALWAYS_SECRET,
    PRESETS,
    AppointmentSpec,
    BallotSpec,
    ElectionSpec,
    Nominee,
    Person,
    ResolutionSpec,
    RuleError,
    Threshold,
    check_order,
    ruleset,
)

DISMISS = Person("p1", "周九", "县财政局局长", "dismiss")
BALLOTS: dict[str, BallotSpec] = {
    "resolution": ResolutionSpec("议案"),
    "removal": AppointmentSpec((Person("p1", "周九", "县财政局局长", "remove"),)),
    "dismissal": AppointmentSpec((DISMISS,)),
    "dismissal and appointment": AppointmentSpec((DISMISS, Person("p2", "吴十", "县财政局局长")), combined=True),
    "election": ElectionSpec("县人民法院院长", 1, (Nominee("n1", "王一"), Nominee("n2", "李二")), "head"),
}
REQUESTS = {NONE: None, "named": False, "secret": True}


def _overrides(text: str) -> dict[str, Any] | None:
    if text == NONE:
        return None
    key, value = text.split()
    return {key: value == "true"}


@pytest.mark.parametrize("row", rows("secret"), ids=lambda r: f"{r['preset']} {r['ballot']} {r['requested']}")
def test_secrecy(row: dict[str, str]) -> None:
    rules = ruleset(row["preset"], _overrides(row["overrides"]))
    spec, requested = BALLOTS[row["ballot"]], REQUESTS[row["requested"]]
    if row["secret"].startswith("error"):
        with pytest.raises(RuleError) as err:
            rules.is_secret(spec, requested)
        assert err.value.code == row["secret"].split()[1] and "无记名" in err.value.zh
        return
    assert rules.is_secret(spec, requested) is (row["secret"] == "yes")
    assert rules.must_be_secret(spec) is (row["ballot"] in ("dismissal", "dismissal and appointment", "election"))


def test_no_override_reaches_the_always_secret_rule() -> None:
    assert ALWAYS_SECRET == ("election", "dismissal")
    for overrides in ({"always_secret": []}, {"secret_exceptions": ["election"]}):
        with pytest.raises(RuleError) as err:
            ruleset("generic_committee", overrides)
        assert err.value.code == "unknown_override"
    with pytest.raises(RuleError) as err:
        PRESETS["generic_committee"].is_secret(BALLOTS["resolution"], "no")  # type: ignore[arg-type]
    assert err.value.code == "invalid_field"


def test_a_dismissal_is_worded_thresholded_and_ordered_as_a_removal() -> None:
    assert DISMISS.describe_zh() == "撤销县财政局局长职务" and DISMISS.label == "周九（撤销县财政局局长职务）"
    assert DISMISS.describe_en() == "dismissal from 县财政局局长"
    assert Person("p3", "郑十一", action="dismiss").describe_zh() == "撤职"
    rules = ruleset("standing_committee", {"thresholds": {"removal": {"fraction": "2/3"}}})
    assert rules.threshold_for("appointment", action="dismiss") == rules.threshold_for("appointment", action="remove")
    assert rules.threshold_for_spec(BALLOTS["dismissal"]).fraction == Threshold(fraction="2/3").fraction
    assert rules.threshold_for_spec(BALLOTS["dismissal and appointment"]) == rules.threshold_for("appointment")
    assert rules.rule_for(BALLOTS["dismissal"], procedural=True).threshold == rules.threshold_for(
        "resolution", procedural=True
    )
    problems = check_order([Person("p2", "吴十", "县财政局局长"), DISMISS])
    assert [p.code for p in problems] == ["appointment_before_removal"]
    assert problems[0].zh.startswith("先免后任：撤销周九的县财政局局长职务")
    assert check_order([DISMISS, Person("p2", "吴十", "县财政局局长")]) == []
