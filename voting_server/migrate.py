"""Database schema migrations (Alembic). ``upgrade`` brings any database to the current schema."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from .db import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def head_revision() -> str:
    """The newest revision among the migration scripts (the one no other script revises)."""
    revs: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        src = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"](\w+)['\"]", src, re.M)
        down = re.search(r"^down_revision\s*=\s*['\"](\w+)['\"]", src, re.M)
        if rev:
            revs[rev.group(1)] = down.group(1) if down else None
    heads = set(revs) - {d for d in revs.values() if d}
    if len(heads) != 1:
        raise RuntimeError(f"the migration scripts have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def alembic_config(store: Store) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    cfg.attributes["engine"] = store.engine
    return cfg


def at_head(store: Store) -> bool:
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the database to the current schema. Alembic is loaded only when there is work to do,
    which keeps a server that restarts on a current database lean."""
    if not (revision == "head" and at_head(store)):
        from alembic import command

        command.upgrade(alembic_config(store), revision)
    store.ensure_chain_head()


def current(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
