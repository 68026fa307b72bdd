"""The group layer: the standard base point, strict wire encodings, the bounded discrete logarithm."""
from __future__ import annotations

import pytest

from voting_server.ballotbox import BallotBoxError, group

ORDER_HEX = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"  # ℓ, little-endian


def test_base_point_is_the_rfc_9496_generator():
    assert group.G.hex() == "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"


def test_homomorphic_small_multiples_and_dlog():
    assert group.add(group.small(2), group.small(3)) == group.small(5) == group.base(group.scalar(5))
    assert group.dlog(group.small(1234), 2000) == 1234
    assert group.dlog(group.small(1234), 1000) is None
    assert group.dlog(group.IDENTITY, 0) == 0
    assert group.dlog(group.base(group.random_scalar()), 50) is None


def test_signed_scalars():
    assert group.base(group.sadd(group.signed(-3), group.scalar(5))) == group.small(2)


@pytest.mark.parametrize("value, code", [
    ("E2F2AE0A6ABC4E71A884A961C500515F58E30B6AA582DD8DB6A65945E08D2D76", "malformed_encoding"),  # upper case
    ("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d7", "malformed_encoding"),  # 63 digits
    (" e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", "malformed_encoding"),
    (12, "malformed_encoding"),
])
def test_malformed_hex_is_refused(value, code):
    with pytest.raises(BallotBoxError) as err:
        group.hexes([value], 1, "x")
    assert err.value.code == code


def test_a_list_of_the_wrong_length_is_refused():
    with pytest.raises(BallotBoxError) as err:
        group.hexes([group.G.hex()], 2, "x")
    assert err.value.code == "malformed"


@pytest.mark.parametrize("raw", [
    bytes(32),                                    # the identity
    bytes([1]) + bytes(31),                       # not a valid encoding
    bytes.fromhex("ff" * 32),                     # non-canonical field element
    bytes.fromhex("e3f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"),  # negative s
])
def test_invalid_points_are_refused(raw):
    with pytest.raises(BallotBoxError) as err:
        group.point_hex(raw, "x")
    assert err.value.code == "invalid_point"


@pytest.mark.parametrize("raw", [bytes.fromhex(ORDER_HEX), bytes.fromhex("ff" * 32)])
def test_non_canonical_scalars_are_refused(raw):
    with pytest.raises(BallotBoxError) as err:
        group.scalar_hex(raw, "x")
    assert err.value.code == "invalid_scalar"


def test_canonical_scalars_pass():
    s = group.random_scalar()
    assert group.scalar_hex(s, "x") == s
    top = bytearray.fromhex(ORDER_HEX)
    top[0] -= 1  # ℓ − 1
    assert group.scalar_hex(bytes(top), "x") == bytes(top)


def test_transcripts_are_framed():
    assert group.challenge(b"t", b"ab", b"c") != group.challenge(b"t", b"a", b"bc")
    assert group.digest(b"t", b"ab", b"c") != group.digest(b"t", b"a", b"bc")
    assert group.digest(b"t1", b"x") != group.digest(b"t2", b"x")
