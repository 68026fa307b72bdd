"""Cross-language: the browser module (under node) encrypts ballots and makes partial decryptions that
the Python verifier accepts, and refuses what the Python side refuses."""
from __future__ import annotations

import json
import random

import pytest
from ballotbox_helpers import CONTEXT, PINS, ROOT, SPECS, node, spec
from support.rules import valid_choices

import ballots
from voting_server import ballotbox as bb

GOLDEN_PATH = "tests/ballotbox/golden_v1.json"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_browser_ballots_verify_and_tally_in_python(name, threshold_keys, holders):
    s = spec(name)
    layout = bb.Layout.of(s)
    choices = valid_choices(s, 4, random.Random(name))
    answer = node({"op": "encrypt", "layout": layout.to_dict(), "keys": threshold_keys.to_dict(), "context": CONTEXT,
                   "choices": choices})
    box = bb.Box(threshold_keys, CONTEXT, len(layout.slots))
    for wire in answer["ballots"]:
        box.add(bb.verify_ballot(layout, threshold_keys, CONTEXT, bb.load_ballot(json.dumps(wire), layout)))
    counts = bb.combine(box, layout, [bb.partial(box, h) for h in holders[:2]]).counts
    assert bb.tally_input(layout, counts) == s.count(choices)


def random_choices(s, n, seed):
    rng = random.Random(seed)
    ids = [q.id for q in s.questions()] + ["nobody"]
    codes = sorted({c for q in s.questions() for c in q.codes()} | {"bogus"})
    return [{qid: rng.choice(codes) for qid in ids if rng.random() < 0.6} for _ in range(n)]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_browser_encrypts_exactly_what_validate_accepts(name, threshold_keys):
    s = spec(name)
    layout = bb.Layout.of(s)
    choices = random_choices(s, 30, name)
    answer = node({"op": "encrypt", "layout": layout.to_dict(), "keys": threshold_keys.to_dict(), "context": CONTEXT,
                   "choices": choices})
    for choice, wire in zip(choices, answer["ballots"], strict=True):
        try:
            s.validate(choice)
        except ballots.BallotError:
            assert "error" in wire, choice
            continue
        bb.verify_ballot(layout, threshold_keys, CONTEXT, wire)


def test_the_browser_refuses_what_validate_refuses(threshold_keys):
    cases = {"selection": [{f"c{i}": "mark" for i in range(11)}, {"zz": "mark"}, {"c0": "for"}],
             "evaluation": [{f"o{i}": "satisfied" for i in range(8)}, {"o0": "basic"}],
             "resolution": [{}]}
    for name, choices in cases.items():
        s = spec(name)
        for choice in choices:
            with pytest.raises(ballots.BallotError):
                s.validate(choice)
        answer = node({"op": "encrypt", "layout": bb.Layout.of(s).to_dict(), "keys": threshold_keys.to_dict(),
                       "context": CONTEXT, "choices": choices})
        assert all("error" in b for b in answer["ballots"]), answer["ballots"]


def test_a_browser_partial_decryption_combines_with_a_python_one(dealing, threshold_keys, holders):
    s = spec("evaluation")
    layout = bb.Layout.of(s)
    choices = valid_choices(s, 5, random.Random("partial"))
    box = bb.Box(threshold_keys, CONTEXT, len(layout.slots))
    for c in choices:
        box.add(bb.verify_ballot(layout, threshold_keys, CONTEXT, bb.encrypt(s, threshold_keys, CONTEXT, c)))
    answer = node({"op": "partial", "keys": dealing.keys, "card": dealing.cards[2], "pin": PINS[2],
                   "request": box.request()})
    assert answer["count"] == 5 and answer["box"] == box.hash.hex()
    tally = bb.combine(box, layout, [answer["partial"], bb.partial(box, holders[0])])
    assert tally.counts == s.count(choices) and tally.holders == (1, 3)


def test_browser_key_holder_refusals(dealing, threshold_keys):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    box = bb.Box(threshold_keys, CONTEXT, len(layout.slots))
    box.add(bb.verify_ballot(layout, threshold_keys, CONTEXT, bb.encrypt(s, threshold_keys, CONTEXT, {"main": "for"})))
    request = box.request()
    doubled = {**request, "ballots": request["ballots"] * 2}
    tampered = dealing.cards[0][:-3] + ("AAA" if not dealing.cards[0].endswith("AAA") else "BBB")
    other = bb.deal(2, 3, PINS, bb.Kdf(1, 10, 1))
    cases = [
        ({"card": dealing.cards[0], "pin": "999999", "request": request}, "wrong_pin"),
        ({"card": tampered, "pin": PINS[0], "request": request}, "invalid_key_card"),
        ({"card": other.cards[0], "pin": PINS[0], "request": request}, "card_other_key"),
        ({"card": dealing.cards[0], "pin": PINS[0], "request": doubled}, "duplicate_ballot"),
        ({"card": dealing.cards[0], "pin": PINS[0], "request": {**request, "key": "00" * 32}}, "malformed"),
    ]
    for command, code in cases:
        assert node({"op": "partial", "keys": dealing.keys, **command}).get("error") == code, code


def test_the_browser_rebuilds_the_golden_box():
    golden = json.loads((ROOT / GOLDEN_PATH).read_text("utf-8"))
    keys = bb.KeySet.from_dict(golden["keys"])
    request = {"v": 1, "context": golden["context"], "key": keys.key_id.hex(),
               "ballots": [[x for slot in b["slots"] for x in slot[:2]] for b in golden["ballots"]]}
    answer = node({"op": "partial", "keys": golden["keys"], "card": golden["cards"][1], "pin": golden["pins"][1],
                   "request": request})
    assert answer["box"] == golden["box"]  # the same key id, ballot hashes and box hash, byte for byte
    s = ballots.spec_from_dict(golden["spec"])
    tally = bb.verify_tally(s, golden["keys"], golden["context"], golden["ballots"],
                            [golden["partials"][0], answer["partial"]], golden["counts"])
    assert tally.holders == (1, 2)
