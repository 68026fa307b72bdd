"""Secret rounds whose ballots the tablets encrypt (ballot_box_encrypt = "tablet"): the cast carries the
encrypted ballot, the server verifies its proofs and stores it as its own, and never sees the choice."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from voting_server import ballotbox as bb
from voting_server import models, services
from voting_server.ballotbox import ballot as bb_ballot
from voting_server.services import Conflict, Invalid, casting
from voting_server.services.lookups import spec_of
from voting_server.services.terminal_view import ballot_section


def tablet_round(world, *, encrypt: str = "tablet", signed_in: int = 12) -> tuple[int, int]:
    st = world.store
    world.open_and_sign_in(signed_in)
    item = world.items[0]
    ballot = services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"}, box_encrypt=encrypt)
    services.start_item(st, world.chair, item)
    return ballot, services.open_ballot(st, world.chair, ballot)


def box_of(store, round_id: int) -> tuple[object, bb.KeySet, str]:
    with store.read() as s:
        rnd = s.get(models.Round, round_id)
        return spec_of(rnd.spec), bb.KeySet.from_dict(rnd.box_keys), str(rnd.box_context)


def encrypted(store, round_id: int, option: str) -> dict:
    spec, keys, context = box_of(store, round_id)
    return bb.encrypt(spec, keys, context, {"main": option})


def cast(world, member, ballot: int, wire, cast_id: str | None = None):
    return services.cast_vote(world.store, member, ballot, None, cast_id or uuid.uuid4().hex, ballot=wire)


def test_a_tablet_round_sends_what_a_seat_encrypts_with(world):
    ballot, round_id = tablet_round(world)
    with world.store.read() as s:
        rnd = s.get(models.Round, round_id)
        section = ballot_section(s, s.get(models.Sitting, world.sitting_id), "seat")
        assert rnd.box_encrypt == "tablet" and rnd.box_mode == "sealed"
    assert section is not None and section["box"]["encrypt"] == "tablet"
    assert section["box"]["keys"] == rnd.box_keys and section["box"]["context"] == rnd.box_context
    assert section["box"]["layout"] == bb.Layout.of(spec_of(rnd.spec)).to_dict()


def test_tablets_encrypt_the_server_verifies_stores_and_tallies(world):
    st = world.store
    ballot, round_id = tablet_round(world)
    choices = ["for"] * 7 + ["against"] * 2 + ["abstain"]
    acks = []
    for member, option in zip(world.members, choices, strict=False):
        wire = encrypted(st, round_id, option)
        acks.append((cast(world, member, ballot, wire, cast_id=f"cast-id-{member.person_id:04d}"), wire))
    with st.read() as s:
        stored = {b.hash: json.loads(b.wire) for b in s.scalars(select(models.BoxBallot))}
        parts = list(s.scalars(select(models.Participation).where(models.Participation.round_id == round_id)))
        alphas = s.scalar(select(func.count()).select_from(models.BoxCiphertext))
    assert len(stored) == 10 and alphas == 10 * 3
    for ack, wire in acks:
        assert ack["ok"] and not ack["duplicate"] and "choice" not in ack
        assert stored[ack["receipt"]] == wire  # stored as sent, under its hash: the member's receipt
    assert all(p.choice is None for p in parts) and {p.receipt for p in parts} == set(stored)
    again = cast(world, world.members[0], ballot, acks[0][1], cast_id=f"cast-id-{world.members[0].person_id:04d}")
    assert again["duplicate"] and again["receipt"] == acks[0][0]["receipt"]
    result = services.close_ballot(st, world.chair, ballot)
    assert result["questions"][0]["counts"] == {"for": 7, "against": 2, "abstain": 1}


def test_a_plaintext_choice_in_a_tablet_round_is_refused(world, refuse):
    ballot, _ = tablet_round(world)
    err = refuse(lambda: world.cast(world.members[0], ballot, "for"), Invalid, "tablet_encrypts")
    assert "加密" in err.zh and "encrypt" in err.en


def test_a_ciphertext_in_a_server_round_is_refused(world, refuse):
    ballot, round_id = tablet_round(world, encrypt="server")
    wire = encrypted(world.store, round_id, "for")
    refuse(lambda: cast(world, world.members[0], ballot, wire), Invalid, "server_encrypts")


def test_a_choice_and_a_ballot_together_or_neither_are_refused(world, refuse):
    ballot, round_id = tablet_round(world)
    wire = encrypted(world.store, round_id, "for")
    st, m = world.store, world.members[0]
    refuse(lambda: services.cast_vote(st, m, ballot, "for", uuid.uuid4().hex, ballot=wire), Invalid, "choice_or_ballot")
    refuse(lambda: services.cast_vote(st, m, ballot, None, uuid.uuid4().hex), Invalid, "bad_choice")


def _tampered_proof(wire: dict) -> dict:
    bad = json.loads(json.dumps(wire))
    scalar = bad["slots"][1][3]
    bad["slots"][1][3] = ("1" if scalar[0] != "1" else "2") + scalar[1:]
    return bad


@pytest.mark.parametrize(("make", "code"), [
    (lambda wire: {"v": 1, "slots": wire["slots"]}, "malformed"),
    (lambda wire: {**wire, "slots": wire["slots"][:2]}, "malformed"),
    (lambda wire: {**wire, "slots": [["zz" * 32] * 6, *wire["slots"][1:]]}, "malformed_encoding"),
    (lambda wire: {**wire, "v": 2}, "malformed"),
    (lambda wire: {**wire, "pad": "0" * 40_000}, "ballot_too_large"),
    (_tampered_proof, "bad_proof"),
])
def test_a_bad_ballot_is_refused(world, refuse, make, code):
    ballot, round_id = tablet_round(world)
    wire = make(encrypted(world.store, round_id, "for"))
    refuse(lambda: cast(world, world.members[0], ballot, wire), services.ServiceError, code)


def test_a_ballot_for_another_round_is_refused(world, refuse):
    st = world.store
    ballot, first = tablet_round(world)
    old = encrypted(st, first, "for")
    cast(world, world.members[0], ballot, encrypted(st, first, "against"))
    services.close_ballot(st, world.chair, ballot)
    services.revote(st, world.chair, ballot, reason="重新表决", confirm_passed=True)
    refuse(lambda: cast(world, world.members[1], ballot, old), services.ServiceError, "bad_proof")


def test_a_ballot_cast_again_by_someone_else_is_refused(world, refuse):
    ballot, round_id = tablet_round(world)
    wire = encrypted(world.store, round_id, "for")
    cast(world, world.members[0], ballot, wire)
    refuse(lambda: cast(world, world.members[1], ballot, wire), Conflict, "duplicate_ballot")
    # a retry by its own member under a new cast id: already voted, as any second cast of a secret ballot
    refuse(lambda: cast(world, world.members[0], ballot, wire), Conflict, "already_voted")


def test_a_ciphertext_reused_in_another_ballot_is_refused(world, refuse, monkeypatch):
    ballot, round_id = tablet_round(world)
    spec, keys, context = box_of(world.store, round_id)
    fixed = [bb_ballot.random_scalar() for _ in range(3)]

    def encrypt_reusing(option: str) -> dict:
        draws = iter(fixed)
        monkeypatch.setattr(bb_ballot, "random_scalar", lambda: next(draws))
        try:
            return bb.encrypt(spec, keys, context, {"main": option})
        finally:
            monkeypatch.undo()

    first, second = encrypt_reusing("for"), encrypt_reusing("against")
    assert first["slots"][0][0] == second["slots"][0][0] and first != second  # same α, valid proofs
    cast(world, world.members[0], ballot, first)
    refuse(lambda: cast(world, world.members[1], ballot, second), Conflict, "duplicate_ballot")


def test_one_batch_refuses_the_copy_and_keeps_the_first(world):
    ballot, round_id = tablet_round(world)
    wire = encrypted(world.store, round_id, "for")
    other = encrypted(world.store, round_id, "against")
    reqs = [casting.CastRequest(m, ballot, None, uuid.uuid4().hex, ballot=w)
            for m, w in zip(world.members[:3], [wire, wire, other], strict=True)]
    out = casting.cast_many(world.store, reqs)
    assert out[0]["ok"] and out[2]["ok"]
    assert isinstance(out[1], Conflict) and out[1].code == "duplicate_ballot"
    with world.store.read() as s:
        assert s.scalar(select(models.Round.voters).where(models.Round.id == round_id)) == 2


def test_the_checker_pool_answers_as_the_server_would(world):
    _, round_id = tablet_round(world)
    spec, keys, context = box_of(world.store, round_id)
    layout = bb.Layout.of(spec)
    wires = [bb.encrypt(spec, keys, context, {"main": o}) for o in ("for", "against", "abstain")]
    jobs = [(layout, keys, context, w) for w in [*wires, _tampered_proof(wires[0])]]
    pool = bb.CheckerPool(2)
    try:
        inline = bb.check_all(jobs)
        assert pool(jobs) == inline and [o[0] for o in inline] == ["ok", "ok", "ok", "refused"]
        pool._procs[0].proc.kill()  # a worker dies: its part is checked here, the next batch starts a new one
        pool._procs[0].proc.wait()
        assert pool(jobs) == inline and pool(jobs) == inline
    finally:
        pool.close()


def test_the_server_encrypts_in_the_checker_processes_not_in_the_casting_one(world, monkeypatch):
    """A 票决's ballot is 45 ciphertexts with their proofs: a hall casting at once must not have the
    process serving the terminals encrypt them (its event loop would stop answering for seconds)."""
    st = world.store
    world.open_and_sign_in(12)
    item = world.items[0]
    spec = {"kind": "selection", "options": "for_against_abstain", "max_marks": 2,
            "candidates": [{"id": f"c{i}", "name": f"项目{i}"} for i in range(1, 5)]}
    ballot = services.create_ballot(st, world.clerk, item, spec=spec, box_encrypt="server")
    services.start_item(st, world.chair, item)
    round_id = services.open_ballot(st, world.chair, ballot)
    pool = bb.CheckerPool(2)
    st.ballot_checker = pool

    def not_here(*args, **kwargs):
        raise AssertionError("a ballot was encrypted in the process casting it")

    monkeypatch.setattr(bb, "encrypt_ballot", not_here)
    monkeypatch.setattr(bb.checker, "encrypt_ballot", not_here)
    choices = [{"c1": "for", "c2": "for", "c3": "against", "c4": "abstain"},
               {"c1": "for", "c2": "against", "c3": "for", "c4": "abstain"}] * 5
    try:
        reqs = [casting.CastRequest(m, ballot, c, uuid.uuid4().hex) for m, c in zip(world.members, choices,
                                                                                   strict=False)]
        out = casting.cast_many(st, reqs)
        assert all(isinstance(a, dict) and a["ok"] and "choice" not in a for a in out), out
        again = casting.cast_many(st, reqs[:1])  # a retry: the same receipt
        assert again[0]["duplicate"] and again[0]["receipt"] == out[0]["receipt"]
    finally:
        st.ballot_checker = None
        pool.close()
    with st.read() as s:
        stored = {b.hash: json.loads(b.wire) for b in s.scalars(select(models.BoxBallot).where(
            models.BoxBallot.round_id == round_id))}
        parts = list(s.scalars(select(models.Participation).where(models.Participation.round_id == round_id)))
    assert set(stored) == {a["receipt"] for a in out} and all(p.choice is None for p in parts)
    monkeypatch.undo()
    result = services.close_ballot(st, world.chair, ballot)
    counts = {q["question_id"]: q["counts"] for q in result["questions"]}
    assert counts["c1"]["for"] == 10 and counts["c3"] == {"for": 5, "against": 5, "abstain": 0}
