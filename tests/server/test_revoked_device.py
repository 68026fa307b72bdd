"""A tablet whose pairing was revoked can do nothing more, on any server process: the services
refuse it (the push that tells it so may reach only the process it is connected to)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from voting_server import models, services


def _pair(world, seat: str):
    with world.store.read() as s:
        person = s.scalar(select(models.Person).where(models.Person.seat == seat))
    code = services.create_pairing(world.store, world.clerk, person.id)
    return services.pair_device(world.store, code)


def test_revoked_tablet_cannot_sign_in_or_cast(sqlite_world) -> None:
    w = sqlite_world
    _token, tablet = _pair(w, "1")
    w.open_and_sign_in()
    services.start_item(w.store, w.chair, w.items[0])
    services.open_ballot(w.store, w.chair, w.ballots[0])
    services.revoke_device(w.store, w.clerk, tablet.device_id)
    with pytest.raises(services.Forbidden) as err:
        services.cast_vote(w.store, tablet, w.ballots[0], "for", uuid.uuid4().hex)
    assert err.value.code == "revoked"
    [outcome] = services.sign_in_many(w.store, [(tablet, w.sitting_id)])
    assert outcome is not None and outcome.code == "revoked"
    with pytest.raises(services.Forbidden):
        services.check_device(w.store, tablet.device_id)
    services.check_device(w.store, None)  # staff: nothing to check
    # the same member on a tablet that is still paired votes normally
    _token2, other = _pair(w, "1")
    assert services.cast_vote(w.store, other, w.ballots[0], "for", uuid.uuid4().hex)["ok"]
