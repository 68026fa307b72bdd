"""Database schema migrations (Alembic). ``upgrade`` brings any database to the current schema."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .db import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(store: Store) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    cfg.attributes["engine"] = store.engine
    return cfg


def upgrade(store: Store, revision: str = "head") -> None:
    command.upgrade(alembic_config(store), revision)
    store.ensure_chain_head()


def current(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
