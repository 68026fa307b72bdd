"""A seeded committee for service tests: the demo body (15 members, 2 observers, one sitting)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Integer, select

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


# --- shared helpers for the service tests ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """Argon2 with its production cost takes ~0.1 s per hash and the demo seed hashes 21 secrets; the
    tests use the same algorithm with the smallest cost so that a world is seeded in a fraction of that."""
    import argon2

    from voting_server.services import accounts

    monkeypatch.setattr(accounts, "_hasher", argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def dump_database(store) -> dict[str, list[tuple]]:
    """Every row of every table (all columns), in a stable order, plus the audit chain length."""
    out: dict[str, list[tuple]] = {}
    with store.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(repr(v) for v in row) for row in rows)
        out["#audit_chain_length"] = [(len(out["audit_log"]),)]
    return out


@pytest.fixture
def dump():
    return dump_database


@pytest.fixture
def unchanged(store):
    """``with unchanged():`` asserts the block changed no row of any table (and the chain did not grow)."""
    from contextlib import contextmanager

    @contextmanager
    def check(target=None):
        st = target or store
        before = dump_database(st)
        yield
        after = dump_database(st)
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, f"tables changed by a refused request: {changed}"

    return check


@pytest.fixture
def refuse(store):
    """``refuse(fn, ErrorType, code)``: ``fn()`` must raise ``ErrorType`` with ``code`` and change nothing
    (every table, all columns, and the audit chain are compared before and after). Returns the error."""

    def check(fn, exc_type, code: str, *, target=None):
        st = target or store
        before = dump_database(st)
        with pytest.raises(exc_type) as info:
            fn()
        assert info.value.code == code, f"expected code {code!r}, got {info.value.code!r} ({info.value.en})"
        after = dump_database(st)
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, f"tables changed by a refused request ({code}): {changed}"
        return info.value

    return check
