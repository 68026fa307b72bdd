"""the rule a sitting froze when it opened

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sittings opened before this revision keep NULL: their banner shows the body's rule as it is, as it
    # did before; every sitting opened from now on freezes its rule.
    with op.batch_alter_table('sittings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sittings', schema=None) as batch_op:
        batch_op.drop_column('rule')
