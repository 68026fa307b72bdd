"""The plenary hall of ``bench/seats.py --plenary`` (bench/plenary.py), seeded small: the preset, the
代表团 from the roster file, and every seat's 票决 ballot valid under the rules (exactly ``places``
赞成 of the candidates, each project answered)."""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select
from support.hashing import fast_hashing

from voting_server import models
from voting_server.db import Store
from voting_server.services.lookups import spec_of

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from plenary import choice_of, seed_plenary  # noqa: E402


def test_each_seat_answers_every_project_and_marks_as_many_as_there_are_places():
    for seat in range(45):
        choice = choice_of(seat, 15, 10)
        assert sorted(choice) == sorted(f"c{i}" for i in range(1, 16))
        assert list(choice.values()).count("for") == 10 and list(choice.values()).count("against") == 1


def test_the_plenary_is_seeded_with_delegations_and_a_named_and_a_secret_selection(tmp_path):
    url = f"sqlite:///{tmp_path / 'plenary.sqlite3'}"
    with fast_hashing():
        ids = seed_plenary(url, 35, candidates=15, places=10)
    assert ids["delegations"] == ["第1代表团", "第2代表团"] and len(ids["tokens"]) == 35
    store = Store(url)
    try:
        with store.read() as s:
            body = s.get(models.Body, ids["body_id"])
            assert body is not None and body.preset == "congress_plenary"
            rows = {b.id: b for b in s.scalars(select(models.Ballot).where(models.Ballot.item_id == ids["item_id"]))}
        named, tablet, server = (rows[ids["ballots_by_kind"][k]] for k in ("named", "tablet", "server"))
        assert not named.secret and tablet.secret and tablet.box_encrypt == "tablet" and server.box_encrypt == "server"
        spec = spec_of(named.spec)
        for seat in range(35):
            spec.validate(choice_of(seat, 15, 10))
    finally:
        store.dispose()
