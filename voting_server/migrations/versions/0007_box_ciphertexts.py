"""the ciphertexts tablets encrypted, one row per α and round, so that none is cast twice

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('box_ciphertexts',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('alpha', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('round_id', 'alpha')
    )


def downgrade() -> None:
    op.drop_table('box_ciphertexts')
