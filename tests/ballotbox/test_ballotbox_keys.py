"""Key holders: the k-of-n threshold, Feldman-checked shares, PIN-protected key cards, sealed round keys."""
from __future__ import annotations

import base64
import itertools
import os
import stat

import pytest
from ballotbox_helpers import CONTEXT, FAST, PINS, spec

from voting_server import ballotbox as bb
from voting_server.ballotbox import group
from voting_server.ballotbox.keys import lagrange_at_zero
from voting_server.ballotbox.tally import _decrypt


def filled_box(keys, choices):
    s = spec("resolution")
    layout = bb.Layout.of(s)
    box = bb.Box(keys, CONTEXT, len(layout.slots))
    for c in choices:
        box.add(bb.verify_ballot(layout, keys, CONTEXT, bb.encrypt(s, keys, CONTEXT, {"main": c})))
    return s, layout, box


CHOICES = ["for", "for", "against", "abstain", "for"]
EXPECTED = {"main": {"for": 3, "against": 1, "abstain": 1}}


def test_any_k_of_n_holders_decrypt(threshold_keys, holders):
    _, layout, box = filled_box(threshold_keys, CHOICES)
    partials = {h.index: bb.partial(box, h) for h in holders}
    for group_of in itertools.chain(itertools.combinations(partials, 2), [(1, 2, 3)]):
        tally = bb.combine(box, layout, [partials[i] for i in group_of])
        assert tally.counts == EXPECTED and tally.holders == tuple(sorted(group_of))


def test_k_minus_one_holders_cannot(threshold_keys, holders):
    _, layout, box = filled_box(threshold_keys, CHOICES)
    one = bb.partial(box, holders[0])
    with pytest.raises(bb.BallotBoxError) as err:
        bb.combine(box, layout, [one])
    assert err.value.code == "too_few_partials" and "1/2" in err.value.zh
    # and not for want of a check: interpolating one share alone does not give the key's decryption
    _, shares = bb.check_partial(box, one)
    with pytest.raises(bb.BallotBoxError) as err:
        _decrypt(box, {1: shares})
    assert err.value.code == "decryption_failed"


def test_a_wrong_share_is_named(threshold_keys, holders):
    _, layout, box = filled_box(threshold_keys, CHOICES)
    forged = bb.Share(2, group.random_scalar())
    with pytest.raises(bb.BallotBoxError) as err:
        bb.partial(box, forged)  # the honest code refuses to use it ...
    assert err.value.code == "share_mismatch"
    # ... and a partial made with it anyway fails its proof against holder 2's public share
    honest = bb.partial(box, holders[1])
    bad = bb.partial(box, holders[0])
    bad["index"] = 2
    for wire in (bad, {**honest, "shares": [bb.partial(box, holders[2])["shares"][0], *honest["shares"][1:]]}):
        with pytest.raises(bb.BallotBoxError) as err:
            bb.combine(box, layout, [bb.partial(box, holders[0]), wire])
        assert err.value.code == "bad_partial" and "2" in err.value.zh


def test_partial_refusals(threshold_keys, holders):
    _, layout, box = filled_box(threshold_keys, CHOICES)
    p1, p2 = bb.partial(box, holders[0]), bb.partial(box, holders[1])
    cases = {
        "not_a_holder": {**p1, "index": 4},
        "duplicate_holder": None,
        "wrong_box": {**p1, "box": "00" * 32},
        "malformed": {**p1, "v": 2},
        "malformed_encoding": {**p1, "shares": ["zz" * 32] * 3},
        "invalid_scalar": {**p1, "proofs": [["ff" * 32, "00" * 32]] * 3},
    }
    for code, wire in cases.items():
        partials = [p1, p1] if wire is None else [wire, p2]
        with pytest.raises(bb.BallotBoxError) as err:
            bb.combine(box, layout, partials)
        assert err.value.code == code
    _, _, other = filled_box(threshold_keys, CHOICES[:2])
    with pytest.raises(bb.BallotBoxError) as err:
        bb.combine(other, layout, [p1, p2])
    assert err.value.code == "wrong_box"


def test_feldman_public_shares_and_lagrange(threshold_keys, holders):
    for h in holders:
        assert group.base(h.secret) == threshold_keys.public_share(h.index)
    lam = lagrange_at_zero([1, 3])
    key = group.add(group.mul(lam[1], threshold_keys.public_share(1)),
                    group.mul(lam[3], threshold_keys.public_share(3)))
    assert key == threshold_keys.public_key
    assert repr(holders[0]) == "Share(index=1)"


def test_an_empty_box_tallies_zero_without_decryption(threshold_keys):
    _, layout, box = filled_box(threshold_keys, [])
    assert bb.combine(box, layout, []).counts == {"main": {"for": 0, "against": 0, "abstain": 0}}


# --- key cards -------------------------------------------------------------------------------


def test_cards_unlock_with_their_pin_only(dealing, threshold_keys):
    card = dealing.cards[0]
    assert card.startswith("BJKEY:") and len(card) == 149 and len(base64.b32decode(card[6:] + "=")) == 89
    assert bb.unlock(card.lower(), PINS[0], threshold_keys).index == 1
    with pytest.raises(bb.BallotBoxError) as err:
        bb.unlock(card, "654321", threshold_keys)
    assert (err.value.code, err.value.zh) == ("wrong_pin", "PIN 错误")
    with pytest.raises(bb.BallotBoxError) as err:
        bb.unlock(card, "12345", threshold_keys)
    assert err.value.code == "invalid_pin"


def flip(card: str, byte: int) -> str:
    data = bytearray(base64.b32decode(card[6:] + "="))
    data[byte] ^= 1
    return "BJKEY:" + base64.b32encode(bytes(data)).decode().rstrip("=")


@pytest.mark.parametrize("byte", [0, 1, 2, 5, 25, 40, 86])
def test_a_tampered_card_is_refused(dealing, threshold_keys, byte):
    with pytest.raises(bb.BallotBoxError) as err:
        bb.unlock(flip(dealing.cards[0], byte), PINS[0], threshold_keys)
    assert err.value.code == "invalid_key_card"


def test_a_card_of_another_key_set_is_named(dealing):
    other = bb.KeySet.from_dict(bb.deal(2, 3, PINS, FAST).keys)
    with pytest.raises(bb.BallotBoxError) as err:
        bb.unlock(dealing.cards[0], PINS[0], other)
    assert err.value.code == "card_other_key"
    with pytest.raises(bb.BallotBoxError) as err:
        bb.unlock("BJKEY:" + "A" * 10, PINS[0], other)
    assert err.value.code == "invalid_key_card"


def test_dealing_refusals_and_defaults():
    assert (bb.KDF_DEFAULT.t, 2 ** bb.KDF_DEFAULT.log2_m, bb.KDF_DEFAULT.p) == (3, 65536, 4)  # RFC 9106 §4
    for k, n, pins in [(0, 3, PINS), (4, 3, PINS), (2, 16, PINS * 6), (2, 3, PINS[:2]), (2, 3, ["12345a", *PINS[1:]])]:
        with pytest.raises(bb.BallotBoxError):
            bb.deal(k, n, pins, FAST)
    keys = bb.deal(2, 3, PINS, FAST).keys
    assert set(keys) == {"v", "k", "n", "commitments"} and len(keys["commitments"]) == 2


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(k=4), lambda d: d.update(k=True), lambda d: d.update(v=2),
    lambda d: d["commitments"].pop(), lambda d: d["commitments"].__setitem__(0, "00" * 32),
])
def test_malformed_key_sets_are_refused(dealing, mutate):
    d = {**dealing.keys, "commitments": list(dealing.keys["commitments"])}
    mutate(d)
    with pytest.raises(bb.BallotBoxError):
        bb.KeySet.from_dict(d)


# --- sealed round keys -----------------------------------------------------------------------


def test_sealing_binds_key_round_and_key_set():
    secret, key, kid = group.random_scalar(), os.urandom(32), os.urandom(32)
    blob = bb.seal(secret, key, CONTEXT, kid)
    assert bb.unseal(blob, key, CONTEXT, kid) == secret
    for args in [(blob, os.urandom(32), CONTEXT, kid), (blob, key, CONTEXT + "x", kid),
                 (blob, key, CONTEXT, os.urandom(32)),
                 (blob[:-1] + bytes([blob[-1] ^ 1]), key, CONTEXT, kid)]:
        with pytest.raises(bb.BallotBoxError) as err:
            bb.unseal(*args)
        assert err.value.code == "seal_broken"


def test_the_key_folder_keeps_wrapping_keys_private_and_destroys_them(sealed):
    folder, opened, keys = sealed
    files = list(folder.path.iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    assert keys.k == keys.n == 1 and bytes.hex(bytes.fromhex(opened.sealed)) == opened.sealed
    _, layout, box = filled_box(keys, CHOICES)
    assert bb.combine(box, layout, [bb.partial(box, folder.share(CONTEXT, keys, opened.sealed))]).counts == EXPECTED
    with pytest.raises(bb.BallotBoxError) as err:
        folder.open_round(CONTEXT)
    assert err.value.code == "round_key_exists"
    assert folder.destroy(CONTEXT) and not list(folder.path.iterdir()) and not folder.destroy(CONTEXT)
    with pytest.raises(bb.BallotBoxError) as err:  # a copy of the sealed key opens nothing any more
        folder.share(CONTEXT, keys, opened.sealed)
    assert err.value.code == "round_key_destroyed"


def test_the_key_folder_refuses_exposed_or_foreign_keys(sealed, tmp_path):
    folder, opened, keys = sealed
    other = bb.KeyFolder(tmp_path / "other").open_round(CONTEXT)
    with pytest.raises(bb.BallotBoxError) as err:
        folder.share(CONTEXT, keys, other.sealed)
    assert err.value.code == "seal_broken"
    with pytest.raises(bb.BallotBoxError) as err:
        folder.share(CONTEXT, keys, "not hex")
    assert err.value.code == "seal_broken"
    path = next(folder.path.iterdir())
    path.chmod(0o644)
    with pytest.raises(bb.BallotBoxError) as err:
        folder.share(CONTEXT, keys, opened.sealed)
    assert err.value.code == "key_file_exposed"
