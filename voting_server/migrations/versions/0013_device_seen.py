"""tablets: when each was last seen, and since when it is connected (NULL: offline)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('online_since', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.drop_column('online_since')
        batch.drop_column('last_seen_at')
