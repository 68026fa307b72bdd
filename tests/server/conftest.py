"""A seeded committee for service tests: the demo body (15 members, 2 observers, one sitting)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Integer, select
from support.database import unchanged
from support.hashing import fast_password_hashing  # noqa: F401  (autouse: every test hashes cheaply)

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


_SEEDED: dict[str, tuple[dict[str, list[dict]], dict]] = {}


def make_world(store) -> World:
    """The demo committee. It is seeded through the services once per kind of database; every later world
    is a row-by-row copy of that first one (same ids, hashes and audit chain), which takes milliseconds."""
    kind = store.engine.dialect.name
    if kind not in _SEEDED:
        world = _seed_world(store)
        fields = {k: v for k, v in vars(world).items() if k != "store"}
        with store.engine.connect() as conn:
            rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))]
                    for t in models.Base.metadata.sorted_tables}
        _SEEDED[kind] = (rows, fields)
        return world
    rows, fields = _SEEDED[kind]
    tables = models.Base.metadata.sorted_tables
    with store.engine.begin() as conn:
        for t in reversed(tables):
            conn.execute(t.delete())
        for t in tables:
            if rows[t.name]:
                conn.execute(t.insert(), rows[t.name])
        if kind == "postgresql":
            for t in tables:
                if "id" in t.c and isinstance(t.c.id.type, Integer) and t.c.id.autoincrement is not False:
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                         f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {t.name}")
    return World(store=store, **{k: (list(v) if isinstance(v, list) else v) for k, v in fields.items()})


def _seed_world(store) -> World:
    ids = demo.seed(store, today=dt.date(2026, 11, 25))
    with store.read() as s:
        names = {pid: name for pid, name in s.execute(select(models.Person.id, models.Person.name))}
    members = [Actor(role="member", name=names[pid], person_id=pid, device_id=None) for pid in ids["member_ids"]]
    observers = [Actor(role="observer", name=names[pid], person_id=pid) for pid in ids["observer_ids"]]
    return World(store=store, body_id=ids["body_id"], sitting_id=ids["sitting_id"], members=members,
                 observers=observers, items=ids["items"], ballots=ids["ballots"])


@pytest.fixture
def world(store) -> World:
    return make_world(store)


@pytest.fixture
def sqlite_world(sqlite_store) -> World:
    return make_world(sqlite_store)


@pytest.fixture
def live(world):
    """The demo sitting open, 12 of 15 members signed in, the resolution's first round open."""
    world.open_and_sign_in(12)
    services.start_item(world.store, world.chair, world.items[0])
    services.open_ballot(world.store, world.chair, world.ballots[0])
    return world


# --- shared helpers for the service tests ---------------------------------------------------------


@pytest.fixture
def refuse(store):
    """``refuse(fn, ErrorType, code)``: ``fn()`` must raise ``ErrorType`` with ``code`` and change nothing
    (every table, all columns, and the audit chain are compared before and after). Returns the error."""

    def check(fn, exc_type, code: str, *, target=None):
        with unchanged(target or store, f"a refused request ({code})"), pytest.raises(exc_type) as info:
            fn()
        assert info.value.code == code, f"expected code {code!r}, got {info.value.code!r} ({info.value.en})"
        return info.value

    return check
