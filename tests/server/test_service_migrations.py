"""``migrate.upgrade`` on an empty database gives exactly the tables of ``models`` (Alembic's own
comparison finds no difference), on SQLite and PostgreSQL, and the result is a working database."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from voting_server import migrate, models, services
from voting_server.db import Store


def empty_twin(store, tmp_path):
    """An empty database of the same kind as ``store``: a new SQLite file, or a new PostgreSQL schema."""
    if store.is_sqlite:
        return Store(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"), None
    schema = f"m_{secrets.token_hex(4)}"
    with store.engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    current = store.engine.url.query["options"]  # -csearch_path=<the test run's schema>
    url = store.engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    assert current != url.query["options"]
    return Store(url.render_as_string(hide_password=False)), schema


def test_upgrade_gives_the_models_tables(store, tmp_path):
    fresh, schema = empty_twin(store, tmp_path)
    try:
        with fresh.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
        migrate.upgrade(fresh)
        head = ScriptDirectory.from_config(migrate.alembic_config(fresh)).get_current_head()
        assert migrate.current(fresh) == head
        with fresh.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            diff = compare_metadata(ctx, models.Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert diff == [], f"the migrations and the models differ: {diff}"
        assert tables == set(models.Base.metadata.tables) | {"alembic_version"}

        migrate.upgrade(fresh)  # a second upgrade changes nothing
        assert migrate.current(fresh) == head

        # and the migrated database works: a body, a sitting, a vote, a result, an intact chain
        clerk, chair = services.Actor(role="clerk", name="何静"), services.Actor(role="chair", name="王建国")
        body = services.create_body(fresh, clerk, name="某县人大常委会")
        ids = [services.add_person(fresh, clerk, body, {"name": f"委员{i}"}) for i in range(3)]
        sitting = services.create_sitting(fresh, clerk, body, title="第一次会议", date="2026-11-25")
        item = services.add_item(fresh, clerk, sitting, title="关于某事项的决定")
        ballot = services.create_ballot(fresh, clerk, item, spec={"kind": "resolution"})
        services.open_sitting(fresh, chair, sitting)
        members = [services.Actor(role="member", name=f"委员{i}", person_id=pid) for i, pid in enumerate(ids)]
        for m in members:
            services.sign_in(fresh, m, sitting)
        services.start_item(fresh, chair, item)
        services.open_ballot(fresh, chair, ballot)
        for m in members[:2]:
            services.cast_vote(fresh, m, ballot, "for", secrets.token_hex(8))
        assert services.close_ballot(fresh, chair, ballot)["outcome"] == "passed"
        assert services.verify_chain(fresh).ok
    finally:
        fresh.dispose()
        if schema is not None:
            with store.engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_an_upgrade_keeps_what_unlinked_accounts_served(store, tmp_path):
    """Accounts with no body set served every body; an installation with two bodies upgraded past 0015
    has them set to both (the administrator and set accounts untouched), so nobody loses a sitting."""
    fresh, schema = empty_twin(store, tmp_path)
    try:
        migrate.upgrade(fresh, "0014")
        now = "2026-12-01 09:00:00"
        with fresh.engine.begin() as conn:
            for bid, name in ((1, "某县人大常委会"), (2, "某县人民代表大会")):
                conn.execute(sa.text("INSERT INTO bodies (id, name, preset, overrides, created_at) "
                                     "VALUES (:id, :name, 'standing_committee', '{}', :now)"),
                             {"id": bid, "name": name, "now": now})
            for uid, role in ((1, "admin"), (2, "chair"), (3, "clerk"), (4, "display")):
                conn.execute(sa.text("INSERT INTO users (id, username, password_hash, role, display_name, active, "
                                     "session_generation, created_at) VALUES (:id, :u, 'x', :role, :u, :t, 0, :now)"),
                             {"id": uid, "u": f"user{uid}", "role": role, "t": True, "now": now})
            conn.execute(sa.text("INSERT INTO user_bodies (user_id, body_id) VALUES (3, 2)"))
        migrate.upgrade(fresh)
        with fresh.engine.connect() as conn:
            links = sorted(tuple(r) for r in conn.execute(sa.text("SELECT user_id, body_id FROM user_bodies")))
        assert links == [(2, 1), (2, 2), (3, 2), (4, 1), (4, 2)]
    finally:
        fresh.dispose()
        if schema:
            with store.engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
