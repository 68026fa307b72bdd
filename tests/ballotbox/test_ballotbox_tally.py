"""The public re-check of a round, and the golden record of wire format v1 (made once by this package:
it must verify, byte for byte, for as long as v1 is read)."""
from __future__ import annotations

import copy
import json
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from ballotbox_helpers import CONTEXT, spec

import ballots
from voting_server import ballotbox as bb

GOLDEN = json.loads(Path(__file__).with_name("golden_v1.json").read_text("utf-8"))


def record(name, keys, shares, choices):
    s = spec(name)
    wires = [bb.encrypt(s, keys, CONTEXT, c) for c in choices]
    layout = bb.Layout.of(s)
    box = bb.Box(keys, CONTEXT, len(layout.slots))
    for w in wires:
        box.add(bb.verify_ballot(layout, keys, CONTEXT, w))
    partials = [bb.partial(box, sh) for sh in shares]
    return s, wires, partials, bb.combine(box, layout, partials)


def test_a_round_re_checks_from_public_data_only(threshold_keys, holders):
    choices = [{"c0": "mark", "c3": "mark"}, {"c3": "mark"}, {}]
    s, wires, partials, tally = record("selection", threshold_keys, holders[1:], choices)
    checked = bb.verify_tally(s, threshold_keys.to_dict(), CONTEXT, wires, partials, tally.counts,
                              box_hash=tally.box_hash)
    assert checked.counts == s.count(choices) and checked.holders == (2, 3)
    sparse = {"c3": {"mark": 2}, "c0": {"mark": 1}}  # counts may omit zeros
    with ThreadPoolExecutor(2) as pool:
        assert bb.verify_tally(s, threshold_keys.to_dict(), CONTEXT, wires, partials, sparse, map_fn=pool.map).cast == 3


def test_refusals_cross_a_process_pool_intact(threshold_keys):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    bad = bb.encrypt(s, threshold_keys, CONTEXT, {"main": "for"})
    bad["sums"][0][0] = bad["sums"][0][1]
    with ProcessPoolExecutor(1) as pool, pytest.raises(bb.BallotBoxError) as err:
        list(pool.map(bb.verify_ballot, [layout], [threshold_keys], [CONTEXT], [bad]))
    assert (err.value.code, err.value.zh) == ("bad_proof", "选票的合计证明无效")
    assert pickle.loads(pickle.dumps(err.value)).code == "bad_proof"


def test_every_falsification_is_caught(threshold_keys, holders):
    s, wires, partials, tally = record("resolution", threshold_keys, holders[:2],
                                       [{"main": "for"}, {"main": "against"}])
    keys = threshold_keys.to_dict()
    other = bb.encrypt(s, threshold_keys, CONTEXT, {"main": "for"})
    cases = {
        "counts_mismatch": {"counts": {"main": {"for": 2, "against": 0, "abstain": 0}}},
        "box_hash_mismatch": {"box_hash": "00" * 32},
        "wrong_box": {"ballots": [wires[0], other], "box_hash": None},  # a ballot swapped after the decryption
        "duplicate_ballot": {"ballots": [wires[0], wires[0]]},
        "too_few_partials": {"partials": partials[:1]},
        "bad_proof": {"ballots": [wires[0], {**wires[1], "sums": [wires[0]["sums"][0]]}]},
    }
    for code, change in cases.items():
        args = {"ballots": wires, "partials": partials, "counts": tally.counts, "box_hash": tally.box_hash} | change
        with pytest.raises(bb.BallotBoxError) as err:
            bb.verify_tally(s, keys, CONTEXT, **args)
        assert err.value.code == code


def test_the_golden_record_verifies():
    s = ballots.spec_from_dict(GOLDEN["spec"])
    assert bb.Layout.of(s).to_dict() == GOLDEN["layout"]
    tally = bb.verify_tally(s, GOLDEN["keys"], GOLDEN["context"], GOLDEN["ballots"], GOLDEN["partials"],
                            GOLDEN["counts"], box_hash=GOLDEN["box"])
    assert tally.holders == (1, 3) and tally.cast == 3
    keys = bb.KeySet.from_dict(GOLDEN["keys"])
    layout = bb.Layout.of(s)
    assert [bb.verify_ballot(layout, keys, GOLDEN["context"], w).receipt
            for w in GOLDEN["ballots"]] == GOLDEN["receipts"]
    assert [bb.unlock(c, p, keys).index for c, p in zip(GOLDEN["cards"], GOLDEN["pins"], strict=True)] == [1, 2, 3]


def test_the_golden_wire_shapes():
    ballot = GOLDEN["ballots"][0]
    assert set(ballot) == {"v", "slots", "sums"} and ballot["v"] == 1
    assert [len(slot) for slot in ballot["slots"]] == [6] * 6          # α, β, c0, v0, c1, v1 per slot
    assert [len(proof) for proof in ballot["sums"]] == [2, 2, 4]        # exactly 1, exactly 1, 0..1 (cap)
    partial = GOLDEN["partials"][0]
    assert set(partial) == {"v", "index", "box", "shares", "proofs"} and len(partial["shares"]) == 6
    assert all(len(p) == 2 for p in partial["proofs"])
    changed = copy.deepcopy(GOLDEN)
    changed["context"] += "!"
    with pytest.raises(bb.BallotBoxError):
        bb.verify_tally(ballots.spec_from_dict(changed["spec"]), changed["keys"], changed["context"],
                        changed["ballots"],
                        changed["partials"], changed["counts"])
