"""ballot templates: a body's saved ballot settings, by name

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ballot_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('body_id', 'name', name='uq_ballot_template_name')
    )
    op.create_index(op.f('ix_ballot_templates_body_id'), 'ballot_templates', ['body_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ballot_templates_body_id'), table_name='ballot_templates')
    op.drop_table('ballot_templates')
