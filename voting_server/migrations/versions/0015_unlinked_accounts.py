"""staff accounts with no body linked keep what they served: every body, now linked

An account with no body linked used to serve every body; it now serves the only body while there is one
and none once there are two (``services.accounts.served_bodies``). An installation that already has two
or more bodies links each such chair, clerk or display account to every body, as it served before, so
that the upgrade takes nothing away; the administrator narrows it in 账户.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    bodies = [row[0] for row in conn.execute(sa.text("SELECT id FROM bodies ORDER BY id"))]
    if len(bodies) < 2:
        return
    unlinked = [row[0] for row in conn.execute(sa.text(
        "SELECT id FROM users WHERE role <> 'admin' AND id NOT IN (SELECT user_id FROM user_bodies) ORDER BY id"))]
    rows = [{"user_id": u, "body_id": b} for u in unlinked for b in bodies]
    if rows:
        conn.execute(sa.text("INSERT INTO user_bodies (user_id, body_id) VALUES (:user_id, :body_id)"), rows)


def downgrade() -> None:
    pass  # the links stay: they say what the accounts served before
