"""withdrawn items and ballots (撤回): when, and the reason stated

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('agenda_items', 'ballots'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
            batch.add_column(sa.Column('withdrawn_reason', sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in ('agenda_items', 'ballots'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('withdrawn_reason')
            batch.drop_column('withdrawn_at')
