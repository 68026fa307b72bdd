"""Golden tables: every kind's stored shape, limits, validation, errors, tally and announcement, to the byte.

Stored specs, stored results and the JSON inside signed sheets depend on these exact strings, so the
expected values in ``golden.json`` were recorded once from the rules engine and are compared in full:
``spec.to_dict()``, ``spec.questions()``, ``spec.limits()``, the normalised form (or the error) of
sample ballots, the error of malformed specs and counts, and the whole ``Result.to_dict()`` with both
announcements; and, for the cases tallied under a preset's own rule (``WORDED_TALLIES``: the plenary's
代表, a generic committee's 成员, elections), the frozen rule too. A new case is added to the tables of
``ballot_cases.py``; its expected value is recorded by running this file as a script
(``python tests/ballots/test_ballots_golden.py``) and reviewed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from ballot_cases import ALL_HALF, BAD_COUNTS, BAD_SPECS, CHOICES, RULESETS, TALLIES, WORDED_TALLIES, worded_result

from ballots import BallotError, Quorum, Rule, Threshold, Turnout, ruleset, spec_from_dict

GOLDEN = Path(__file__).with_name("golden.json")


def _error(err: BallotError) -> list[str]:
    return [type(err).__name__, err.code, err.zh, err.en]


def _spec_record(spec_dict: dict[str, Any]) -> dict[str, Any]:
    spec = spec_from_dict(spec_dict)
    return {
        "to_dict": spec.to_dict(),
        "questions": [q.to_dict() for q in spec.questions()],
        "limits": spec.limits(),
        "empty_counts": spec.empty_counts(),
    }


def _tally(case: tuple[dict[str, Any], Any, tuple[int, ...], dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    spec_dict, counts, turnout, threshold, quorum = case
    result = spec_from_dict(spec_dict).tally(
        counts, Turnout(*turnout), Threshold.from_dict(threshold), Quorum.from_dict(quorum)
    )
    return {"spec": _spec_record(spec_dict), "result": result.to_dict()}


def _worded(case: tuple[str, dict[str, Any], Any, tuple[int | None, ...]]) -> dict[str, Any]:
    rule, result = worded_result(case)
    return {"rule": rule.to_dict(), "spec": _spec_record(case[1]), "result": result.to_dict()}


def _choices(case: tuple[dict[str, Any], list[Any]]) -> list[Any]:
    spec = spec_from_dict(case[0])
    out: list[Any] = []
    for ballot in case[1]:
        try:
            out.append({"ok": spec.validate(ballot)})
        except BallotError as err:
            out.append({"error": _error(err)})
    return out


def _bad_spec(d: Any) -> list[str]:
    try:
        spec_from_dict(d)
    except BallotError as err:
        return _error(err)
    raise AssertionError(f"accepted: {d!r}")


def _bad_counts(case: tuple[dict[str, Any], Any, tuple[int, ...]]) -> list[str]:
    spec_dict, counts, turnout = case
    try:
        spec_from_dict(spec_dict).tally(counts, Turnout(*turnout), Threshold.from_dict(ALL_HALF), Quorum())
    except BallotError as err:
        return _error(err)
    raise AssertionError(f"accepted: {case!r}")


def _ruleset(case: tuple[str, dict[str, Any] | None]) -> dict[str, Any]:
    rules = ruleset(*case)
    rule = Rule(rules.name, rules.threshold_for("resolution"), rules.quorum)
    return {"to_dict": rules.to_dict(), "rule": rule.to_dict()}


def compute() -> dict[str, Any]:
    return {
        "rulesets": {name: _ruleset(case) for name, case in RULESETS.items()},
        "tallies": {name: _tally(case) for name, case in TALLIES.items()},
        "worded": {name: _worded(case) for name, case in WORDED_TALLIES.items()},
        "choices": {name: _choices(case) for name, case in CHOICES.items()},
        "bad_specs": [[d, _bad_spec(d)] for d in BAD_SPECS],
        "bad_counts": {name: _bad_counts(case) for name, case in BAD_COUNTS.items()},
    }


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


EXPECTED = _load() if GOLDEN.exists() else {}


def test_the_tables_and_the_recording_cover_the_same_cases() -> None:
    assert set(EXPECTED["tallies"]) == set(TALLIES)
    assert set(EXPECTED["worded"]) == set(WORDED_TALLIES)
    assert set(EXPECTED["choices"]) == set(CHOICES)
    assert [d for d, _ in EXPECTED["bad_specs"]] == json.loads(json.dumps(BAD_SPECS))
    assert set(EXPECTED["bad_counts"]) == set(BAD_COUNTS)
    assert set(EXPECTED["rulesets"]) == set(RULESETS)


@pytest.mark.parametrize("name", sorted(TALLIES))
def test_tally_and_announcement_are_unchanged(name: str) -> None:
    got = json.loads(json.dumps(_tally(TALLIES[name])))
    want = EXPECTED["tallies"][name]
    assert got["result"]["announcement_zh"] == want["result"]["announcement_zh"]
    assert got["result"]["announcement_en"] == want["result"]["announcement_en"]
    assert got == want
    # key order too: stored JSON and signed sheets keep it
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(WORDED_TALLIES))
def test_worded_tally_rule_and_announcement_are_unchanged(name: str) -> None:
    got = json.loads(json.dumps(_worded(WORDED_TALLIES[name])))
    assert json.dumps(got, ensure_ascii=False) == json.dumps(EXPECTED["worded"][name], ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_validation_is_unchanged(name: str) -> None:
    assert json.loads(json.dumps(_choices(CHOICES[name]))) == EXPECTED["choices"][name]


@pytest.mark.parametrize("index", range(len(BAD_SPECS)))
def test_malformed_specs_are_refused_as_before(index: int) -> None:
    assert _bad_spec(BAD_SPECS[index]) == EXPECTED["bad_specs"][index][1]


@pytest.mark.parametrize("name", sorted(BAD_COUNTS))
def test_malformed_counts_are_refused_as_before(name: str) -> None:
    assert _bad_counts(BAD_COUNTS[name]) == EXPECTED["bad_counts"][name]


@pytest.mark.parametrize("name", sorted(RULESETS))
def test_stored_rule_sets_and_rules_are_unchanged(name: str) -> None:
    got = json.loads(json.dumps(_ruleset(RULESETS[name])))
    assert json.dumps(got, ensure_ascii=False) == json.dumps(EXPECTED["rulesets"][name], ensure_ascii=False)


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(compute(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")
