"""A seeded committee for service tests: the demo body (15 members, 2 observers, one sitting)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from voting_server import demo, models, services
from voting_server.services import Actor


@dataclass
class World:
    store: object
    body_id: int
    sitting_id: int
    members: list[Actor]
    observers: list[Actor]
    items: list[int]
    ballots: list[int]
    chair: Actor = field(default_factory=lambda: Actor(role="chair", name="王建国", user_id=2))
    clerk: Actor = field(default_factory=lambda: Actor(role="clerk", name="何静", user_id=3))
    admin: Actor = field(default_factory=lambda: Actor(role="admin", name="管理员", user_id=1))
    display: Actor = field(default_factory=lambda: Actor(role="display", name="大屏", user_id=4))

    def cast(self, member: Actor, ballot_id: int, choice, cast_id: str | None = None):
        return services.cast_vote(self.store, member, ballot_id, choice, cast_id or uuid.uuid4().hex)

    def open_and_sign_in(self, n: int | None = None) -> None:
        services.open_sitting(self.store, self.chair, self.sitting_id)
        for m in self.members[: len(self.members) if n is None else n]:
            services.sign_in(self.store, m, self.sitting_id)


def make_world(store) -> World:
    ids = demo.seed(store, today=dt.date(2026, 11, 25))
    with store.read() as s:
        people = s.scalars(select(models.Person).order_by(models.Person.id)).all()
        members = [Actor(role="member", name=p.name, person_id=p.id, device_id=None) for p in people if p.role == "member"]
        observers = [Actor(role="observer", name=p.name, person_id=p.id) for p in people if p.role == "observer"]
        items = list(s.scalars(select(models.AgendaItem.id).order_by(models.AgendaItem.position)))
        ballot_ids = list(s.scalars(select(models.Ballot.id).order_by(models.Ballot.id)))
    return World(store=store, body_id=ids["body_id"], sitting_id=ids["sitting_id"], members=members,
                 observers=observers, items=items, ballots=ballot_ids)


@pytest.fixture
def world(store) -> World:
    return make_world(store)


@pytest.fixture
def sqlite_world(sqlite_store) -> World:
    return make_world(sqlite_store)
