"""Write-ins (另选他人) in the encrypted box: write-in lines counted with the candidates' for-marks, names
sealed to the round key by hashed ElGamal with a nonce of their own, opened only with the sealed key,
counted by name, and checked by the verifier against the lines' decrypted sum; the browser module seals
them as the server does."""
from __future__ import annotations

import json

import pytest
from ballotbox_helpers import CONTEXT, node, spec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

import ballots
from voting_server import ballotbox as bb
from voting_server.ballotbox.ballot import context_bytes, encrypt_values
from voting_server.ballotbox.group import SIZE, G, digest, sub, u32
from voting_server.ballotbox.writeins import SEALED_BYTES

CHOICES = [
    {"c0": "for", "w:赵六": "for"},
    {"c1": "for", "w:赵 六": "for"},              # the same person, written with a blank
    {"w:钱七": "for", "w:赵六": "for"},
    {"c0": "against", "c1": "abstain"},
    {"c0": "for", "c2": "for"},
]
EXPECTED = {"w:赵六": 3, "w:钱七": 1}


def sealed_key(folder_round):
    folder, opened, keys = folder_round
    return keys, folder.share(CONTEXT, keys, opened.sealed)


def boxed(layout, keys, wires):
    box = bb.Box(keys, CONTEXT, len(layout.slots))
    for wire in wires:
        box.add(bb.verify_ballot(layout, keys, CONTEXT, bb.load_ballot(json.dumps(wire), layout)))
    return box


def test_layout_has_a_write_in_line_per_place_counted_with_the_for_marks():
    s = spec("election")
    layout = bb.Layout.of(s)
    assert layout.writeins == 2 and layout.slots[-2:] == (("w#1", "for"), ("w#2", "for"))
    marks = [sm for sm in layout.sums if sm[2] == 2]
    assert marks and {len(layout.slots) - 2, len(layout.slots) - 1} <= set(marks[0][0])
    lay = layout.to_dict()
    assert lay["writeins"] == 2 and all(not q["id"].startswith("w#") for q in lay["questions"])
    without = ballots.spec_from_dict({**s.to_dict(), "write_ins": False})
    assert bb.Layout.of(without).writeins == 0 and "writeins" not in bb.Layout.of(without).to_dict()


def test_names_are_counted_only_at_the_close_and_the_verifier_checks_them(sealed):
    s = spec("election")
    layout = bb.Layout.of(s)
    keys, share = sealed_key(sealed)
    wires = [bb.encrypt(s, keys, CONTEXT, c) for c in CHOICES]
    assert all(len(w["writeins"]) == 2 and {len(x) for x in w["writeins"]} == {2 * SEALED_BYTES} for w in wires)
    text = json.dumps(wires, ensure_ascii=False)
    assert "赵六" not in text and "钱七" not in text
    box = boxed(layout, keys, wires)
    partial = bb.partial(box, share)
    tally = bb.combine(box, layout, [partial])
    written = bb.open_writeins(box, layout, s, share)
    assert written == {"counts": EXPECTED, "unreadable": 0}
    counts = bb.tally_input(layout, tally.counts, written["counts"])
    plain = s.count([s.validate(c) for c in CHOICES])
    assert counts == {**{q: v for q, v in plain.items() if not q.startswith("w:")},
                      **{k: {"for": n} for k, n in EXPECTED.items()}}
    bb.verify_tally(s, keys.to_dict(), CONTEXT, wires, [partial], tally.counts, box.hash.hex(), writeins=written)
    for bad in ({"counts": {"w:赵六": 4, "w:钱七": 1}, "unreadable": 0},       # more than the lines
                {"counts": {"w:赵六": 3}, "unreadable": 0},                      # a name left out
                {"counts": {"w:候选人0": 3, "w:钱七": 1}, "unreadable": 0},      # a candidate's name
                {"counts": EXPECTED}, None):
        with pytest.raises(bb.BallotBoxError) as err:
            bb.verify_tally(s, keys.to_dict(), CONTEXT, wires, [partial], tally.counts, box.hash.hex(), writeins=bad)
        assert err.value.code == "writeins_mismatch"


def test_a_sealed_name_is_bound_to_its_ballot_and_line(sealed):
    s = spec("election")
    layout = bb.Layout.of(s)
    keys, _ = sealed_key(sealed)
    a, b = (bb.encrypt(s, keys, CONTEXT, c) for c in CHOICES[:2])
    swapped = {**a, "writeins": [b["writeins"][0], a["writeins"][1]]}
    with pytest.raises(bb.BallotBoxError) as err:
        bb.verify_ballot(layout, keys, CONTEXT, swapped)
    assert err.value.code == "bad_proof"  # the names enter the ballot's hash, which every proof binds
    for broken in ({**a, "writeins": a["writeins"][:1]}, {**a, "writeins": ["00" * 3]},
                   {k: v for k, v in a.items() if k != "writeins"}):
        with pytest.raises(bb.BallotBoxError) as err:
            bb.verify_ballot(layout, keys, CONTEXT, broken)
        assert err.value.code == "malformed"


def test_no_ballot_votes_for_more_persons_than_places(sealed):
    s = spec("election")
    keys, _ = sealed_key(sealed)
    with pytest.raises(ballots.BallotError):
        bb.encrypt(s, keys, CONTEXT, {"c0": "for", "c1": "for", "w:赵六": "for"})
    layout = bb.Layout.of(s)
    forged = layout.values(s.validate({"c0": "for", "c1": "for"}))[:-2] + [1, 0]
    with pytest.raises(ValueError, match="no proof exists"):  # the for-marks' range proof cannot be made
        bb.encrypt_ballot(layout, keys, CONTEXT, forged, ["赵六"])


def test_a_marked_line_without_a_valid_name_counts_for_nobody(sealed):
    s = spec("election")
    layout = bb.Layout.of(s)
    keys, share = sealed_key(sealed)
    blank = layout.values(s.validate({}))
    wires = [encrypt_values(layout, keys, CONTEXT, blank[:-2] + [1, 1], ["", "候选人1"]),
             encrypt_values(layout, keys, CONTEXT, blank, ["不计的名字"])]  # a name on an unmarked line
    box = boxed(layout, keys, wires)
    assert bb.open_writeins(box, layout, s, share) == {"counts": {}, "unreadable": 2}


def test_the_browser_seals_write_ins_the_server_opens(sealed):
    s = spec("election")
    layout = bb.Layout.of(s)
    keys, share = sealed_key(sealed)
    answer = node({"op": "encrypt", "layout": layout.to_dict(), "keys": keys.to_dict(), "context": CONTEXT,
                   "choices": [*CHOICES, {"c0": "for", "c1": "for", "w:赵六": "for"}, {"w:": "for"}]})
    *good, over, blank = answer["ballots"]
    assert over["error"] == "invalid_choice" and blank["error"] == "invalid_write_in"
    box = boxed(layout, keys, good)
    assert bb.open_writeins(box, layout, s, share) == {"counts": EXPECTED, "unreadable": 0}


def guessed_name(keys, line, alpha, sealed, shared):
    """The name ``sealed`` holds if its key came from ``shared``, under either framing (with or without the
    encapsulation before the ciphertext); None when it does not open."""
    ctx = context_bytes(CONTEXT)
    for items, body in (((alpha,), sealed), ((alpha, sealed[:SIZE]), sealed[SIZE:])):
        key = digest(b"write-in key", keys.key_id, ctx, u32(line), *items, shared)
        ad = digest(b"write-in", keys.key_id, ctx, u32(line), *items)
        try:
            plain = ChaCha20Poly1305(key).decrypt(bytes(12), body, ad)
        except (InvalidTag, ValueError):
            continue
        return plain[2:2 + int.from_bytes(plain[:2], "big")].decode("utf-8", "replace")
    return None


def test_a_copy_of_the_box_does_not_open_a_name_without_the_key(sealed):
    """What anyone holding the stored box can try: the line's own r·K is β or β − G of a 0/1 line, so a
    name sealed under it would open; the name has a nonce of its own, and nothing of the box opens it."""
    s = spec("election")
    layout = bb.Layout.of(s)
    keys, _ = sealed_key(sealed)
    for wire in (bb.encrypt(s, keys, CONTEXT, {"c0": "for", "w:赵六": "for"}),
                 node({"op": "encrypt", "layout": layout.to_dict(), "keys": keys.to_dict(), "context": CONTEXT,
                       "choices": [{"c0": "for", "w:赵六": "for"}]})["ballots"][0]):
        opened = []
        for i, sealed_hex in enumerate(wire["writeins"]):
            alpha, beta = (bytes.fromhex(x) for x in wire["slots"][layout.first_line + i][:2])
            opened += [guessed_name(keys, i, alpha, bytes.fromhex(sealed_hex), guess) for guess in (beta, sub(beta, G))]
        assert opened == [None] * 4
