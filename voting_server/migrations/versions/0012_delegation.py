"""a person's delegation (代表团): a congress plenary's deputies are grouped by delegation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('delegation', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.drop_column('delegation')
