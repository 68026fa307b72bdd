"""The terminal reducer of tests/support, against the sequence rule of docs/protocol.md section 2: the
consistency, fault and real-client tests judge the server by it, so it is held to the rule here."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from support.terminal import APPLIED, GAP, STALE, Screen, apply_push, has_voted, shown

SNAPSHOT = {"seq": 5, "attendance": {"present": 10}, "agenda": {"current_item_id": 1},
            "ballot": {"id": 1, "round_id": 7, "voted": 3, "status": "open"},
            "me": {"signed_in": False, "vote": {"round_id": 6, "voted": True, "receipt": "R", "choice": None}}}


def state() -> dict[str, Any]:
    s: dict[str, Any] = {}
    assert apply_push(s, "snapshot", SNAPSHOT) == APPLIED
    return s


def event(seq: int, **changes: Any) -> dict[str, Any]:
    return {"seq": seq, "type": "item_started", "sitting_id": 1, "changes": changes}


@pytest.mark.parametrize(("name", "data", "step", "changed"), [
    ("event", event(6, agenda={"current_item_id": 2}), APPLIED, {"seq": 6, "agenda": {"current_item_id": 2}}),
    ("event", event(5, agenda={"current_item_id": 2}), STALE, {}),
    ("event", event(3, agenda={"current_item_id": 2}), STALE, {}),
    ("event", event(7, agenda={"current_item_id": 2}), GAP, {}),
    ("attendance", {"seq": 5, "attendance": {"present": 11}, "ballot": None}, APPLIED,
     {"attendance": {"present": 11}, "ballot": None}),
    ("attendance", {"seq": 4, "attendance": {"present": 11}, "ballot": None}, STALE, {}),
    ("attendance", {"seq": 6, "attendance": {"present": 11}, "ballot": None}, GAP, {}),
    ("progress", {"seq": 5, "round_id": 7, "voted": 4}, APPLIED,
     {"ballot": {"id": 1, "round_id": 7, "voted": 4, "status": "open"}}),
    ("progress", {"seq": 5, "round_id": 8, "voted": 4}, APPLIED, {}),  # another round: nothing on screen
    ("progress", {"seq": 4, "round_id": 7, "voted": 4}, STALE, {}),
    ("progress", {"seq": 6, "round_id": 7, "voted": 4}, GAP, {}),
    ("me", {"me": {"signed_in": True}}, APPLIED,
     {"me": {"signed_in": True, "vote": SNAPSHOT["me"]["vote"]}}),
    ("me_vote", {"vote": {"round_id": 7, "voted": True, "receipt": "S", "choice": None}}, APPLIED,
     {"me": {"signed_in": False, "vote": {"round_id": 7, "voted": True, "receipt": "S", "choice": None}}}),
    ("remind", {"ballot_id": 1}, APPLIED, {}),
])
def test_each_push_by_the_sequence_rule(name: str, data: dict[str, Any], step: str, changed: dict[str, Any]) -> None:
    s = state()
    assert apply_push(s, name, data) == step
    assert s == {**SNAPSHOT, **changed}


def test_the_state_owns_its_values() -> None:
    s = state()
    s["ballot"]["voted"] = 99
    assert SNAPSHOT["ballot"]["voted"] == 3
    data = event(6, agenda={"current_item_id": 2})
    apply_push(s, "event", data)
    s["agenda"]["current_item_id"] = 3
    assert data["changes"]["agenda"]["current_item_id"] == 2


def test_before_the_first_snapshot_nothing_applies_and_an_unknown_push_is_an_error() -> None:
    s: dict[str, Any] = {}
    assert apply_push(s, "event", event(1, agenda={})) == STALE and s == {}
    with pytest.raises(AssertionError, match="unknown push"):
        apply_push(state(), "results", {})


def test_you_have_voted_only_in_the_round_on_screen() -> None:
    s = state()
    assert not has_voted(s)
    assert shown(s)["me"]["vote"] == {"round_id": 7, "voted": False, "receipt": None, "choice": None}
    apply_push(s, "me_vote", {"vote": {"round_id": 7, "voted": True, "receipt": "S", "choice": None}})
    assert has_voted(s) and shown(s)["me"]["vote"]["receipt"] == "S"


class Recorder(Screen):
    def __init__(self) -> None:
        super().__init__("probe")
        self.resyncs = 0

    def resync(self) -> None:
        self.resyncs += 1
        self.replace({**copy.deepcopy(SNAPSHOT), "seq": 9})


def test_a_screen_resyncs_after_any_gap_and_names_a_numbered_one() -> None:
    t = Recorder()
    t.take("snapshot", SNAPSHOT)
    assert t.take("attendance", {"seq": 6, "attendance": {}, "ballot": None}) == GAP
    assert t.resyncs == 1 and t.state["seq"] == 9 and t.errors == []
    assert t.take("event", event(9, agenda={})) == STALE and t.errors == []  # in the fresh snapshot already
    assert t.take("event", event(11, agenda={})) == GAP and t.resyncs == 2
    assert t.errors == ["probe: event item_started has seq 11, expected 10"]
    assert t.seqs == [9, 11] and [n for n, _d, _at in t.log] == ["snapshot", "attendance", "event", "event"]
