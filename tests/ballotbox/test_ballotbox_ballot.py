"""Encrypted ballots: every kind encrypts, verifies and tallies like the plaintext count; the layout
accepts exactly what ``spec.validate`` accepts; a false statement has no verifying proof."""
from __future__ import annotations

import json
import random

import pytest
from ballotbox_helpers import CONTEXT, GRADES, SPECS, spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ballots
from voting_server import ballotbox as bb
from voting_server.ballotbox import group
from voting_server.ballotbox.ballot import encrypt_values, read_ballot
from voting_server.ballotbox.proofs import prove_range

SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_valid_choice(s: ballots.BallotSpec, rng: random.Random) -> dict[str, str]:
    questions = s.questions()
    while True:
        choice = {q.id: rng.choice(q.codes()) for q in questions if rng.random() < 0.9}
        try:
            s.validate(choice)
            return choice
        except ballots.BallotError:
            continue


def tally(s, keys, share, wires):
    layout = bb.Layout.of(s)
    box = bb.Box(keys, CONTEXT, len(layout.slots))
    for w in wires:
        box.add(bb.verify_ballot(layout, keys, CONTEXT, w))
    return bb.combine(box, layout, [bb.partial(box, share)])


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_kind_tallies_like_the_plaintext_count(name, sealed):
    folder, opened, keys = sealed
    s, rng = spec(name), random.Random(name)
    choices = [random_valid_choice(s, rng) for _ in range(12)]
    wires = [bb.encrypt(s, keys, CONTEXT, c) for c in choices]
    result = tally(s, keys, folder.share(CONTEXT, keys, opened.sealed), wires)
    counts = bb.tally_input(bb.Layout.of(s), result.counts)  # an election's write-in lines aside
    assert counts == s.count(choices)
    assert result.cast == 12 and result.holders == (1,)
    rules = ballots.ruleset("standing_committee")
    assert s.tally(counts, ballots.Turnout(15, 13, 12), rules.threshold_for(s.kind), rules.quorum).kind == s.kind


def test_unanswered_candidates_count_as_the_rules_say(sealed):
    folder, opened, keys = sealed
    mark, faa = spec("selection"), spec("selection_faa")
    share = folder.share(CONTEXT, keys, opened.sealed)
    counts = tally(mark, keys, share, [bb.encrypt(mark, keys, CONTEXT, {"c0": "mark"})]).counts
    assert counts["c0"] == {"mark": 1} and counts["c1"] == {"mark": 0}
    counts = tally(faa, keys, share, [bb.encrypt(faa, keys, CONTEXT, {"c0": "for"})]).counts
    assert counts["c0"] == {"for": 1, "against": 0, "abstain": 0}
    assert counts["c1"] == {"for": 0, "against": 0, "abstain": 1}  # unanswered: 弃权, as validate records it


def test_layouts_of_the_four_kinds():
    assert bb.Layout.of(spec("resolution")).to_dict() == {
        "v": 1, "questions": [{"id": "main", "options": ["for", "against", "abstain"]}], "required": True,
        "default": None, "sums": [{"slots": [0, 1, 2], "min": 1, "max": 1}]}
    evaluation = bb.Layout.of(spec("evaluation"))
    assert len(evaluation.slots) == 32 and evaluation.sums[-1] == (tuple(range(0, 32, 4)), 0, 3)
    selection = bb.Layout.of(spec("selection"))
    assert len(selection.slots) == 15 and selection.sums == ((tuple(range(15)), 0, 10),)
    assert not selection.required and selection.default is None
    faa = bb.Layout.of(spec("selection_faa"))
    assert faa.default == "abstain" and faa.sums[-1] == ((0, 3, 6, 9), 0, 2)
    loose = ballots.spec_from_dict({**SPECS["selection"], "max_marks": 15})
    assert bb.Layout.of(loose).sums == ()  # a bound no smaller than the number of slots proves nothing


# --- both directions, over random specs ------------------------------------------------------


@st.composite
def specs(draw):
    kind = draw(st.sampled_from(["resolution", "appointment", "evaluation", "selection"]))
    if kind == "resolution":
        return ballots.spec_from_dict({"kind": "resolution"})
    if kind == "appointment":
        n = draw(st.integers(1, 3))
        return ballots.spec_from_dict({"kind": "appointment", "combined": n > 1,
                                       "persons": [{"id": f"p{i}", "name": f"P{i}"} for i in range(n)]})
    if kind == "evaluation":
        n, g = draw(st.integers(1, 3)), draw(st.integers(1, 4))
        grades = GRADES[:g] if g < 4 or draw(st.booleans()) else GRADES
        caps = {gr["code"]: draw(st.integers(0, n)) for gr in grades if draw(st.booleans())}
        if all(c in ("unknown",) for c in [gr["code"] for gr in grades]):
            grades = GRADES[:1]
            caps = {}
        return ballots.spec_from_dict({"kind": "evaluation", "grades": grades, "caps": caps,
                                       "objects": [{"id": f"o{i}", "name": f"O{i}"} for i in range(n)]})
    n = draw(st.integers(1, 4))
    return ballots.spec_from_dict({"kind": "selection", "max_marks": draw(st.integers(1, n + 1)),
                                   "options": draw(st.sampled_from(["mark", "for_against_abstain"])),
                                   "candidates": [{"id": f"c{i}", "name": f"C{i}"} for i in range(n)]})


def choices_for(s):
    ids = [q.id for q in s.questions()] + ["nobody"]
    codes = sorted({c for q in s.questions() for c in q.codes()} | {"bogus"})
    return st.dictionaries(st.sampled_from(ids), st.sampled_from(codes), max_size=len(ids))


def satisfies(layout: bb.Layout, values) -> bool:
    return all(v in (0, 1) for v in values) and all(lo <= sum(values[i] for i in idx) <= hi
                                                    for idx, lo, hi in layout.sums)


@SLOW
@given(data=st.data())
def test_a_choice_encrypts_to_a_verifying_ballot_exactly_when_validate_accepts_it(data, threshold_keys):
    s = data.draw(specs())
    choice = data.draw(choices_for(s))
    layout = bb.Layout.of(s)
    try:
        normalised = s.validate(choice)
    except ballots.BallotError as expected:
        with pytest.raises(ballots.BallotError) as err:
            bb.encrypt(s, threshold_keys, CONTEXT, choice)
        assert err.value.code == expected.code
        return
    values = layout.values(normalised)
    assert satisfies(layout, values)
    bb.verify_ballot(layout, threshold_keys, CONTEXT, bb.encrypt(s, threshold_keys, CONTEXT, choice))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_layout_accepts_exactly_the_encodings_of_valid_choices(data):
    s = data.draw(specs())
    layout = bb.Layout.of(s)
    values = data.draw(st.lists(st.integers(0, 1), min_size=len(layout.slots), max_size=len(layout.slots)))
    choice, representable = {}, True
    for qid, codes in layout.questions().items():
        marked = [code for code in codes if values[layout.slots.index((qid, code))]]
        representable &= len(marked) <= 1
        choice.update({qid: marked[0]} if len(marked) == 1 else {})
    try:
        valid = representable and layout.values(s.validate(choice)) == values
    except ballots.BallotError:
        valid = False
    assert satisfies(layout, values) == valid


def forge(layout, keys, values):
    """A ballot for any 0/1/2 vector whose proofs claim, for each statement, the nearest allowed value:
    the honest prover's algebra with a false witness."""
    key = keys.public_key
    rs = [group.random_scalar() for _ in values]
    cts = [(group.base(r), group.add(group.small(m), group.mul(r, key))) for r, m in zip(rs, values, strict=True)]
    head = (keys.key_id, CONTEXT.encode(), bb.ballot_hash(keys, CONTEXT, cts))
    slots = [[a.hex(), b.hex(),
              *(x.hex() for x in prove_range((*head, b"slot", group.u32(i)), key, a, b, r, min(m, 1), 0, 1))]
             for i, ((a, b), r, m) in enumerate(zip(cts, rs, values, strict=True))]
    sums = []
    for t, (idx, lo, hi) in enumerate(layout.sums):
        a, b = group.psum(cts[i][0] for i in idx), group.psum(cts[i][1] for i in idx)
        claim = min(max(sum(values[i] for i in idx), lo), hi)
        proof = prove_range((*head, b"sum", group.u32(t)), key, a, b, group.ssum(rs[i] for i in idx), claim, lo, hi)
        sums.append([x.hex() for x in proof])
    return {"v": 1, "slots": slots, "sums": sums}


@SLOW
@given(data=st.data())
def test_no_invalid_vector_yields_a_verifying_ballot(data, threshold_keys):
    s = data.draw(specs())
    layout = bb.Layout.of(s)
    values = data.draw(st.lists(st.integers(0, 2), min_size=len(layout.slots), max_size=len(layout.slots)))
    if satisfies(layout, values):
        bb.verify_ballot(layout, threshold_keys, CONTEXT, forge(layout, threshold_keys, values))
        return
    with pytest.raises(ValueError):  # the honest prover has no witness for a false statement
        encrypt_values(layout, threshold_keys, CONTEXT, values)
    with pytest.raises(bb.BallotBoxError) as err:
        bb.verify_ballot(layout, threshold_keys, CONTEXT, forge(layout, threshold_keys, values))
    assert err.value.code == "bad_proof"


# --- tampering, binding and size ---------------------------------------------------------------


def test_tampering_with_any_field_fails(threshold_keys):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    wire = bb.encrypt(s, threshold_keys, CONTEXT, {"main": "against"})
    positions = [("slots", i, j) for i in range(3) for j in range(6)] + [("sums", 0, j) for j in range(2)]
    for part, i, j in positions:
        bad = json.loads(json.dumps(wire))
        fresh = group.base(group.random_scalar()) if part == "slots" and j < 2 else group.random_scalar()
        bad[part][i][j] = fresh.hex()
        with pytest.raises(bb.BallotBoxError) as err:
            bb.verify_ballot(layout, threshold_keys, CONTEXT, bad)
        assert err.value.code == "bad_proof", (part, i, j)


def test_a_ballot_is_bound_to_its_round_key_and_slots(threshold_keys, sealed):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    wire = bb.encrypt(s, threshold_keys, CONTEXT, {"main": "for"})
    for keys, context in [(threshold_keys, CONTEXT + " again"), (sealed[2], CONTEXT)]:
        with pytest.raises(bb.BallotBoxError, match="proof"):
            bb.verify_ballot(layout, keys, context, wire)
    swapped = {**wire, "slots": [wire["slots"][1], wire["slots"][0], wire["slots"][2]]}
    with pytest.raises(bb.BallotBoxError, match="proof"):
        bb.verify_ballot(layout, threshold_keys, CONTEXT, swapped)


def test_a_restored_ballot_is_the_verified_one_and_still_checked(threshold_keys):
    s = spec("appointment")
    layout = bb.Layout.of(s)
    wire = bb.encrypt(s, threshold_keys, CONTEXT, {"p0": "for", "p1": "against", "p2": "abstain"})
    assert bb.restore_ballot(layout, threshold_keys, CONTEXT, wire) == bb.verify_ballot(layout, threshold_keys, CONTEXT,
                                                                                        wire)
    wire["slots"][0][0] = "00" * 32
    with pytest.raises(bb.BallotBoxError) as err:
        bb.restore_ballot(layout, threshold_keys, CONTEXT, wire)
    assert err.value.code == "invalid_point"


def test_a_copied_ballot_or_ciphertext_is_refused_by_the_box(threshold_keys):
    s = spec("selection")
    layout = bb.Layout.of(s)
    box = bb.Box(threshold_keys, CONTEXT, len(layout.slots))
    first = bb.encrypt(s, threshold_keys, CONTEXT, {"c1": "mark"})
    box.add(bb.verify_ballot(layout, threshold_keys, CONTEXT, first))
    with pytest.raises(bb.BallotBoxError) as err:
        box.add(bb.verify_ballot(layout, threshold_keys, CONTEXT, first))
    assert err.value.code == "duplicate_ballot"
    second = bb.encrypt(s, threshold_keys, CONTEXT, {})
    second["slots"][1] = first["slots"][1]  # borrow someone's ciphertext and its proof
    with pytest.raises(bb.BallotBoxError, match="proof"):
        bb.verify_ballot(layout, threshold_keys, CONTEXT, second)
    assert box.count == 1


@pytest.mark.parametrize("mutate", [
    lambda w: w.pop("sums"),
    lambda w: w.update(v=2),
    lambda w: w.update(v=True),
    lambda w: w.update(extra=1),
    lambda w: w["slots"].pop(),
    lambda w: w["slots"][0].pop(),
    lambda w: w["sums"][0].append(w["sums"][0][0]),
    lambda w: w["slots"][0].__setitem__(0, w["slots"][0][0].upper()),
    lambda w: w["slots"][0].__setitem__(0, "00" * 32),
    lambda w: w["slots"][0].__setitem__(2, "ff" * 32),
    lambda w: w["slots"].__setitem__(0, "x"),
])
def test_malformed_ballots_are_refused_before_any_proof(mutate, threshold_keys, monkeypatch):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    wire = bb.encrypt(s, threshold_keys, CONTEXT, {"main": "for"})
    mutate(wire)
    monkeypatch.setattr("voting_server.ballotbox.ballot.verify_range", lambda *a: pytest.fail("a proof was checked"))
    with pytest.raises(bb.BallotBoxError) as err:
        bb.verify_ballot(layout, threshold_keys, CONTEXT, wire)
    assert err.value.code in {"malformed", "malformed_encoding", "invalid_point", "invalid_scalar"}


def test_size_limits(threshold_keys):
    s = spec("evaluation")
    layout = bb.Layout.of(s)
    text = json.dumps(bb.encrypt(s, threshold_keys, CONTEXT, {f"o{i}": "basic" for i in range(8)}))
    assert len(text) <= layout.max_bytes < 1.2 * len(text) + 200
    read_ballot(layout, bb.load_ballot(text, layout))
    with pytest.raises(bb.BallotBoxError) as err:
        bb.load_ballot(text + " " * (layout.max_bytes - len(text) + 1), layout)
    assert err.value.code == "ballot_too_large"
    with pytest.raises(bb.BallotBoxError) as err:
        bb.load_ballot("{not json", layout)
    assert err.value.code == "malformed"
    huge = ballots.spec_from_dict({"kind": "selection", "max_marks": 3,
                                   "candidates": [{"id": f"c{i}", "name": "x"} for i in range(2000)]})
    with pytest.raises(bb.BallotBoxError) as err:
        bb.Layout.of(huge)
    assert err.value.code == "ballot_too_large"
    with pytest.raises(bb.BallotBoxError) as err:
        bb.encrypt(s, threshold_keys, "x" * 300, {f"o{i}": "basic" for i in range(8)})
    assert err.value.code == "invalid_context"


def test_every_proof_branch_set_is_distinct(threshold_keys):
    """Each 0/1 proof has two branches whose challenges sum to the transcript hash; the real branch is
    not visible: over many ballots the first challenge of a 1 and of a 0 look alike (all distinct)."""
    s = spec("selection")
    seen = {w["slots"][0][2] for w in (bb.encrypt(s, threshold_keys, CONTEXT, {"c0": "mark"} if i % 2 else {})
                                       for i in range(6))}
    assert len(seen) == 6
