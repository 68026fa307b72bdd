"""staff accounts: the bodies an account serves (none: every body) and the person a chair sits as

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_bodies',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), primary_key=True),
        sa.Column('body_id', sa.Integer(), sa.ForeignKey('bodies.id'), primary_key=True),
    )
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_users_person_id', 'people', ['person_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint('fk_users_person_id', type_='foreignkey')
        batch.drop_column('person_id')
    op.drop_table('user_bodies')
