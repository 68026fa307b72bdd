"""a re-vote's reason on its round; the speaker queue's order, and when and for how long the floor was given

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds') as batch:
        batch.add_column(sa.Column('revote_reason', sa.String(length=300), nullable=True))
    with op.batch_alter_table('speaker_requests') as batch:
        batch.add_column(sa.Column('position', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('granted_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('limit_seconds', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('speaker_requests') as batch:
        batch.drop_column('limit_seconds')
        batch.drop_column('granted_at')
        batch.drop_column('position')
    with op.batch_alter_table('rounds') as batch:
        batch.drop_column('revote_reason')
